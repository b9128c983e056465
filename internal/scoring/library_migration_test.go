package scoring_test

import "context"
import "strings"
import "testing"

import "github.com/jackc/pgx/v5"

import "pareto/internal/db"
import "pareto/internal/db/dbtest"
import "pareto/internal/scoring"

// libraryMigration is the migration that rewrote the library criteria.
const libraryMigration = 16

// TestLibraryRewriteMigration: tenants whose standard criteria still carry
// the earlier library text get the method's text with a notice; a
// criterion an admin edited is left alone; dismissing clears the notice.
func TestLibraryRewriteMigration(t *testing.T) {
	ctx := context.Background()
	u := dbtest.URL(t)
	m, err := db.NewMigrator(u)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	d, err := db.Open(ctx, u, db.Options{MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	// The tenants first, by this version's stores (whose writes need
	// today's schema: the tenant's data version, migration 00034), then
	// the schema back to before the rewrite.
	untouched, edited := newTenant(t, d, "Untouched"), newTenant(t, d, "Edited")
	if err := m.DownTo(ctx, libraryMigration-1); err != nil {
		t.Fatal(err)
	}
	d.Pool.Reset() // the pooled connections' prepared statements name dropped columns
	// Both tenants enabled the four criteria before the rewrite (as the
	// owner: the store of this version reads a column the schema lacks).
	owner, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close(ctx)
	for _, tn := range []db.Scope{untouched.admin, edited.admin} {
		tx, err := owner.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(ctx, "SET LOCAL app.tenant_id = '"+tn.TenantID.String()+"'"); err != nil {
			t.Fatal(err)
		}
		for _, e := range scoring.PreviousLibrary {
			desc := e.Description
			if tn == edited.admin && e.Code == "product_fit" {
				desc = "How well our kit fits their plants (our own words)."
			}
			if _, err := tx.Exec(ctx, `INSERT INTO scoring_criteria (code, name, description, rubric_1, rubric_5, rubric_10)
				VALUES ($1, $2, $3, $4, $5, $6)`, e.Code, e.Name, desc, e.Rubric1, e.Rubric5, e.Rubric10); err != nil {
				t.Fatal(err)
			}
		}
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := m.Up(ctx); err != nil {
		t.Fatal(err)
	}

	s := scoring.NewStore(d)
	byCode := func(sc db.Scope) map[string]scoring.Criterion {
		t.Helper()
		cfg, err := s.Config(ctx, sc)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]scoring.Criterion{}
		for _, c := range cfg.Criteria {
			out[c.Code] = c
		}
		return out
	}
	for code, c := range byCode(untouched.admin) {
		want, _ := scoring.LibraryEntryByCode(code)
		if c.Description != want.Description || c.Rubric10 != want.Rubric10 || c.LibraryNotice == "" || c.Version != 2 {
			t.Errorf("%s not rewritten: %+v", code, c)
		}
	}
	got := byCode(edited.admin)
	if c := got["product_fit"]; c.Description != "How well our kit fits their plants (our own words)." || c.LibraryNotice != "" || c.Version != 1 {
		t.Errorf("an edited criterion was touched: %+v", c)
	}
	if c := got["cultural_fit"]; !strings.Contains(c.Description, "treats its customers, its employees and our employees") || c.LibraryNotice == "" {
		t.Errorf("cultural fit not rewritten for the tenant that edited only product fit: %+v", c)
	}

	if err := s.DismissLibraryNotices(ctx, untouched.admin); err != nil {
		t.Fatal(err)
	}
	for code, c := range byCode(untouched.admin) {
		if c.LibraryNotice != "" {
			t.Errorf("%s keeps its notice after dismissal", code)
		}
	}
	if c := byCode(edited.admin)["cultural_fit"]; c.LibraryNotice == "" {
		t.Error("dismissing in one tenant cleared another's notice")
	}
}
