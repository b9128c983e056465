package db_test

import "context"
import "errors"
import "slices"
import "testing"

import "github.com/jackc/pgx/v5"

import "pareto/internal/db"
import "pareto/internal/db/dbtest"

// TestReadsOne: the One reads of a batch go as one statement, each
// scanning its own columns with its own parameters (numbered from $1 in
// each read), a read without a row seeing pgx.ErrNoRows; the Query and
// Row reads around them are unchanged, and a One scan runs at the place
// of the batch's first One read.
func TestReadsOne(t *testing.T) {
	d := dbtest.New(t)
	acme, user := makeTenant(t, d, "acme")
	makeTenant(t, d, "globex")
	sc := db.Scope{TenantID: acme, UserID: user}
	ctx := context.Background()
	err := d.Tx(ctx, sc, func(tx pgx.Tx) error {
		var r db.Reads
		var order []string
		var name, text string
		var members, sum int
		var none error
		var nums []int
		r.One(func(row pgx.Row) error { order = append(order, "name"); return row.Scan(&name) },
			"SELECT name FROM users WHERE id = $1", user)
		r.Query(func(rows pgx.Rows) (err error) {
			order = append(order, "series")
			nums, err = pgx.CollectRows(rows, pgx.RowTo[int])
			return err
		}, "SELECT generate_series(1, $1::int)", 3)
		r.One(func(row pgx.Row) error {
			order = append(order, "none")
			var x int
			none = row.Scan(&x, &x)
			return nil
		}, "SELECT 1, 2 FROM users WHERE id = $1 AND email = $2", user, "nobody@example.test")
		// Row-level security still applies: acme's one membership.
		r.One(func(row pgx.Row) error { return row.Scan(&members) }, "SELECT count(*) FROM memberships")
		r.One(func(row pgx.Row) error { return row.Scan(&sum, &text) }, "SELECT $1::int + $2::int, $3::text", 40, 2, "it's $1")
		r.Row(func(row pgx.Row) error { order = append(order, "row"); return nil }, "SELECT 1")
		if err := r.Send(ctx, tx); err != nil {
			return err
		}
		if name != "acme" || members != 1 || sum != 42 || text != "it's $1" || len(nums) != 3 {
			t.Errorf("name %q, memberships %d, sum %d, text %q, series %v", name, members, sum, text, nums)
		}
		if !errors.Is(none, pgx.ErrNoRows) {
			t.Errorf("a One read without a row: %v, want pgx.ErrNoRows", none)
		}
		if want := []string{"name", "none", "series", "row"}; !slices.Equal(order, want) {
			t.Errorf("scans ran in the order %v, want %v", order, want)
		}
		// A scan's error stops Send.
		boom := errors.New("boom")
		r.One(func(row pgx.Row) error { return boom }, "SELECT 1")
		if err := r.Send(ctx, tx); !errors.Is(err, boom) {
			t.Errorf("scan error: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
