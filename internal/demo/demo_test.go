package demo_test

import (
	"context"
	"errors"
	"testing"

	"pareto/internal/auth"
	"pareto/internal/db/dbtest"
	"pareto/internal/demo"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func TestSeed(t *testing.T) {
	ctx := context.Background()
	d := dbtest.New(t)
	empty, err := demo.IsEmpty(ctx, d)
	if err != nil || !empty {
		t.Fatalf("fresh database empty=%v err=%v", empty, err)
	}
	if err := demo.Seed(ctx, d); err != nil {
		t.Fatal(err)
	}
	store := auth.NewStore(d)
	admin, err := store.Login(ctx, demo.AdminEmail, demo.Password, "")
	if err != nil || admin.Role != auth.RoleAdmin || admin.TenantName != "Acme Industrial" {
		t.Fatalf("demo admin: %+v, %v", admin, err)
	}
	for _, p := range demo.People {
		m, err := store.Login(ctx, p.Email, demo.Password, "")
		if err != nil || m.Role != p.Role || m.TenantID != admin.TenantID {
			t.Fatalf("%s: %+v, %v", p.Email, m, err)
		}
	}
	if err := demo.Seed(ctx, d); !errors.Is(err, demo.ErrAlreadySeeded) {
		t.Fatalf("second seed: %v, want ErrAlreadySeeded", err)
	}
}
