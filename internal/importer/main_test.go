package importer

import "testing"

import "pareto/internal/db/dbtest"

func TestMain(m *testing.M) { dbtest.Main(m) }
