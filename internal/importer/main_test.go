package importer

import (
	"testing"

	"pareto/internal/db/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }
