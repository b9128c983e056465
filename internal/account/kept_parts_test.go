package account_test

import "context"
import "reflect"
import "testing"

import "pareto/internal/db"
import "pareto/internal/health"
import "pareto/internal/scoring"

// checkKeptParts: the shortlist page and the tenant's 2×2 read in a
// request through each of the pools ds (each a server process with its
// own kept parts: db.Kept serves the tenant-wide parts while the tenant's
// data version stays the same) equal the same reads outside any request
// (every part read from the tables). The property test calls it after
// every write, so each of its reads in a request hits the parts kept by
// the previous step's unless the write moved the version: a write path
// that does not bump it shows here as a page from before the write.
func checkKeptParts(t *testing.T, ds []*db.DB, sc db.Scope, at string) {
	t.Helper()
	ctx := context.Background()
	filters := []scoring.Filter{{}, {Segment: "SMB"}, {Industry: "Retail", Region: "EMEA"}}
	matrices := []health.MatrixFilter{{}, {Candidates: true}}
	type read struct {
		pages    []scoring.ShortlistPage
		matrices []health.Matrix
	}
	readAll := func(d *db.DB, inRequest bool) read {
		t.Helper()
		var out read
		for _, f := range filters {
			for i, mf := range matrices {
				c, rt := ctx, (*db.RequestTx)(nil)
				if inRequest {
					c, rt = d.BeginRequest(ctx, sc)
				}
				// As the shortlist's handler: the 2×2 queued ahead to go
				// with the page's reads.
				mx := health.NewStore(d).MatrixLater(c, sc, mf)
				pg, err := scoring.NewStore(d).ShortlistPage(c, sc, f)
				if err != nil {
					t.Fatalf("%s: shortlist page: %v", at, err)
				}
				m, err := mx(c)
				if err != nil {
					t.Fatalf("%s: 2×2: %v", at, err)
				}
				if err := rt.End(c); err != nil {
					t.Fatal(err)
				}
				if i == 0 {
					out.pages = append(out.pages, pg)
				}
				if len(out.matrices) < len(matrices) {
					out.matrices = append(out.matrices, m)
				}
			}
		}
		return out
	}
	want := readAll(ds[0], false)
	for i, d := range ds {
		got := readAll(d, true)
		for j := range filters {
			if !reflect.DeepEqual(got.pages[j], want.pages[j]) {
				t.Fatalf("%s: pool %d, filter %+v: the shortlist page read in a request (kept parts) differs from a fresh read:\n got %+v\nwant %+v",
					at, i+1, filters[j], got.pages[j], want.pages[j])
			}
		}
		for j := range matrices {
			if !reflect.DeepEqual(got.matrices[j], want.matrices[j]) {
				t.Fatalf("%s: pool %d, 2×2 %+v: read in a request (kept) differs from a fresh read:\n got %+v\nwant %+v",
					at, i+1, matrices[j], got.matrices[j], want.matrices[j])
			}
		}
	}
}
