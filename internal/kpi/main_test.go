package kpi_test

import (
	"testing"

	"pareto/internal/db/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }
