package scoring_test

import "context"
import "slices"
import "strings"
import "testing"

import "github.com/jackc/pgx/v5"

import accounts "pareto/internal/account"
import "pareto/internal/db"
import "pareto/internal/db/dbtest"
import "pareto/internal/keyset"
import "pareto/internal/scoring"

// TestMatrixSorts sorts the matrix by a criterion, by total and by
// coverage, against orders worked out by hand, page by page in both
// directions, with the filters, and after a rename.
func TestMatrixSorts(t *testing.T) {
	ctx := context.Background()
	d := dbtest.New(t)
	s := scoring.NewStore(d)
	tn := newTenant(t, d, "Sorted Org")
	other := newTenant(t, d, "Other Sorted Org")
	// Weights by rank (rank order centroid): A 75 %, B 25 %.
	cs := enable(t, s, tn.admin, "product_fit", "solvency")
	ids := map[string]string{}
	add := func(name string, a, b int) {
		id := account(t, d, tn.admin, name, 0, 0, nil)
		ids[strings.ToLower(name)] = id.String()
		score(t, s, tn.admin, id, cs, a, b)
	}
	// name      A   B   total (weighted mean of the cells)  coverage
	add("Delta", 7, 7)   // 7.0                              2/2
	add("alpha", 7, 3)   // .75×7 + .25×3 = 6.0              2/2
	add("Bravo", 9, 0)   // 9.0 (its one cell)               1/2 (incomplete)
	add("Charlie", 7, 9) // .75×7 + .25×9 = 7.5              2/2
	add("Echo", 0, 0)    // unscored
	add("Foxtrot", 0, 6) // 6.0 (its one cell)               1/2 (incomplete)
	add("Golf", 0, 0)    // unscored
	add("Hotel", 10, 10) // archived below: never listed
	err := d.Tx(ctx, tn.admin, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "UPDATE accounts SET archived_at = now() WHERE name = 'Hotel'"); err != nil {
			return err
		}
		return accounts.Recount(ctx, tx, tn.admin.TenantID)
	})
	if err != nil {
		t.Fatal(err)
	}
	ocs := enable(t, s, other.admin, "product_fit")
	foreign := account(t, d, other.admin, "Aardvark", 0, 0, nil)
	score(t, s, other.admin, foreign, ocs, 10)

	byA := scoring.CriterionSort(cs[0].ID)
	cases := []struct {
		name string
		f    scoring.Filter
		want string
	}{
		// A ascending: the 7s by name, then the 9; then the accounts without
		// an A cell by name.
		{"A", scoring.Filter{Sort: byA}, "alpha charlie delta bravo echo foxtrot golf"},
		// Descending is the exact reverse of the scored part; blanks stay last.
		{"A desc", scoring.Filter{Sort: byA, Desc: true}, "bravo delta charlie alpha echo foxtrot golf"},
		// Totals 6.0 (alpha, foxtrot: by name), 7.0, 7.5, 9.0.
		{"total", scoring.Filter{Sort: scoring.SortScore}, "alpha foxtrot delta charlie bravo echo golf"},
		{"total desc", scoring.Filter{Sort: scoring.SortScore, Desc: true}, "bravo charlie delta foxtrot alpha echo golf"},
		{"coverage", scoring.Filter{Sort: scoring.SortCoverage}, "bravo foxtrot alpha charlie delta echo golf"},
		{"coverage desc", scoring.Filter{Sort: scoring.SortCoverage, Desc: true}, "delta charlie alpha foxtrot bravo echo golf"},
		// Filters narrow each segment: incomplete = Bravo (A 9) and Foxtrot
		// (no A); complete = the three with both cells.
		{"A incomplete", scoring.Filter{Sort: byA, Coverage: "incomplete"}, "bravo foxtrot"},
		{"A complete desc", scoring.Filter{Sort: byA, Coverage: "complete", Desc: true}, "delta charlie alpha"},
		{"total incomplete", scoring.Filter{Sort: scoring.SortScore, Coverage: "incomplete"}, "foxtrot bravo"},
		{"unscored: by name", scoring.Filter{Sort: scoring.SortScore, Coverage: "unscored"}, "echo golf"},
		{"name part", scoring.Filter{Sort: scoring.SortScore, Desc: true, Query: "o"}, "bravo foxtrot echo golf"},
		// Another tenant's criterion: sorts by name.
		{"foreign criterion", scoring.Filter{Sort: scoring.CriterionSort(ocs[0].ID)}, "alpha bravo charlie delta echo foxtrot golf"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// Whole list on one page, then two at a time forward, then back
			// from the last page: the same order every way.
			if got := names(t, s, tn.leader, c.f, ids); got != c.want {
				t.Fatalf("one page: got %q, want %q", got, c.want)
			}
			f := c.f
			f.PerPage = 2
			var pages []scoring.Matrix
			for {
				m, err := s.Matrix(ctx, tn.leader, f)
				if err != nil {
					t.Fatal(err)
				}
				pages = append(pages, m)
				if !m.Links.HasNext {
					break
				}
				if len(pages) > 10 {
					t.Fatal("no end")
				}
				f.Cursor = m.Links.Next
			}
			var fwd []string
			for _, p := range pages {
				fwd = append(fwd, rowNames(p.Rows)...)
			}
			if got := strings.Join(fwd, " "); got != c.want {
				t.Fatalf("forward by 2: got %q, want %q", got, c.want)
			}
			var back []string
			last := pages[len(pages)-1]
			back = rowNames(last.Rows)
			for m := last; m.Links.HasPrev; {
				f.Cursor = m.Links.Prev
				var err error
				if m, err = s.Matrix(ctx, tn.leader, f); err != nil {
					t.Fatal(err)
				}
				back = append(rowNames(m.Rows), back...)
			}
			if got := strings.Join(back, " "); got != c.want {
				t.Fatalf("back by 2: got %q, want %q", got, c.want)
			}
		})
	}

	t.Run("Rename", func(t *testing.T) {
		// "Delta" becomes "Able": first among the 7s on A.
		err := d.Tx(ctx, tn.admin, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, "UPDATE accounts SET name = 'Able' WHERE name = 'Delta'")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		ids["able"] = ids["delta"]
		if got, want := names(t, s, tn.leader, scoring.Filter{Sort: byA}, ids), "able alpha charlie bravo echo foxtrot golf"; got != want {
			t.Fatalf("got %q, want %q", got, want)
		}
	})
	t.Run("StaleCursor", func(t *testing.T) {
		// A cursor of the name order (two keys) on a criterion sort: the first page.
		f := scoring.Filter{Sort: byA, PerPage: 2, Cursor: keyset.Cursor{Keys: []string{"bravo", ids["bravo"]}}}
		m, err := s.Matrix(ctx, tn.leader, f)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(rowNames(m.Rows), " "); got != "able alpha" {
			t.Fatalf("got %q", got)
		}
	})
}

func names(t *testing.T, s *scoring.Store, sc db.Scope, f scoring.Filter, ids map[string]string) string {
	t.Helper()
	m, err := s.Matrix(context.Background(), sc, f)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range m.Rows {
		if ids[strings.ToLower(r.Name)] != r.AccountID.String() {
			t.Fatalf("row %s: foreign or unknown account %s", r.Name, r.AccountID)
		}
	}
	return strings.Join(rowNames(m.Rows), " ")
}

func rowNames(rs []scoring.MatrixRow) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = strings.ToLower(r.Name)
	}
	return slices.Clip(out)
}
