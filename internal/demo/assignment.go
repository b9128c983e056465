package demo

import "cmp"
import "context"
import "fmt"
import "slices"
import "strconv"
import "strings"

import "github.com/jackc/pgx/v5"

import "pareto/internal/assignment"
import "pareto/internal/db"
import "pareto/internal/keyset"

// seedAssignment gives the demo KAMs profiles built from the demo
// accounts' regions and industries, puts a KAM on every key account by the
// suggestion rule (so the history shows why), records one handover, and
// leaves the busiest KAM one slot short of capacity. Without key accounts
// (the accounts area seeds them) it does nothing. Deterministic: no
// randomness, every list is sorted.
func seedAssignment(ctx context.Context, d *db.DB, sc db.Scope) error {
	st := assignment.NewStore(d)
	w, err := st.Workload(ctx, sc)
	if err != nil {
		return fmt.Errorf("demo: assignment: %w", err)
	}
	if len(w.KAMs) == 0 {
		return nil
	}
	var regions, industries []string
	var keys int
	err = d.Tx(ctx, sc, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM accounts WHERE tenant_id = $1 AND key_status = 'key' AND archived_at IS NULL`,
			sc.TenantID).Scan(&keys); err != nil {
			return err
		}
		var err error
		if regions, err = asgValues(ctx, tx, sc, "region"); err != nil {
			return err
		}
		industries, err = asgValues(ctx, tx, sc, "industry")
		return err
	})
	if err != nil {
		return fmt.Errorf("demo: assignment: %w", err)
	}
	if keys == 0 {
		return nil
	}
	n := len(w.KAMs)
	// Room for everyone, plus a little slack.
	capacity := max(assignment.DefaultCapacity, (keys+n-1)/n+2)
	for i, k := range w.KAMs {
		in := assignment.ProfileInput{Capacity: strconv.Itoa(capacity), Regions: strings.Join(asgEvery(regions, i, n), ", "),
			Industries: strings.Join(asgEvery(industries, i, n), ", ")}
		if _, err := st.UpdateProfile(ctx, sc, k.UserID, in, k.Version); err != nil {
			return fmt.Errorf("demo: profile of %s: %w", k.Name, err)
		}
	}
	plan, err := st.Suggestions(ctx, sc)
	if err != nil {
		return fmt.Errorf("demo: assignment: %w", err)
	}
	var items []assignment.PlanItem
	for _, it := range plan.Items {
		if it.OK() {
			items = append(items, assignment.PlanItem{AccountID: it.AccountID, KAMUserID: it.KAMUserID, Version: it.Version})
		}
	}
	if len(items) > 0 {
		if _, err := st.ApplyPlan(ctx, sc, items); err != nil {
			return fmt.Errorf("demo: assign suggested: %w", err)
		}
	}
	if n >= 2 {
		if err := asgHandover(ctx, st, sc, w.KAMs[n-1], w.KAMs[0]); err != nil {
			return err
		}
	}
	// The busiest KAM ends one slot short of capacity.
	w, err = st.Workload(ctx, sc)
	if err != nil {
		return fmt.Errorf("demo: assignment: %w", err)
	}
	busiest := slices.MaxFunc(w.KAMs, func(a, b assignment.Load) int {
		if c := cmp.Compare(a.KeyAccounts, b.KeyAccounts); c != 0 {
			return c
		}
		return cmp.Compare(b.Name, a.Name) // the first by name wins a tie
	})
	if busiest.KeyAccounts == 0 {
		return nil
	}
	in := assignment.ProfileInput{Capacity: strconv.Itoa(busiest.KeyAccounts + 1), Regions: strings.Join(busiest.Regions, ", "),
		Industries: strings.Join(busiest.Industries, ", "), Notes: "Near capacity: give new key accounts to someone else first."}
	if _, err := st.UpdateProfile(ctx, sc, busiest.UserID, in, busiest.Version); err != nil {
		return fmt.Errorf("demo: profile of %s: %w", busiest.Name, err)
	}
	return nil
}

// asgHandover moves one key account of from to to, with a reason, so the
// demo's history shows a reassignment.
func asgHandover(ctx context.Context, st *assignment.Store, sc db.Scope, from, to assignment.Load) error {
	page, err := st.Accounts(ctx, sc, from.UserID, keyset.Cursor{})
	if err != nil {
		return fmt.Errorf("demo: handover: %w", err)
	}
	// The largest key account (the first page holds them all).
	accounts := slices.Clone(page.Accounts)
	slices.SortStableFunc(accounts, func(a, b assignment.Account) int { return cmp.Compare(b.Revenue, a.Revenue) })
	for _, a := range accounts {
		if !a.Key() {
			continue
		}
		_, err := st.Assign(ctx, sc, assignment.AssignInput{AccountID: a.ID, KAMUserID: to.UserID.String(), Version: a.Version,
			Override: true, Reason: "Handover: " + to.Name + " met their buying team at the trade fair and leads the renewal."})
		if err != nil {
			return fmt.Errorf("demo: handover: %w", err)
		}
		return nil
	}
	return nil
}

// asgValues lists the distinct non-empty values of column among the key
// accounts, most frequent first.
func asgValues(ctx context.Context, tx pgx.Tx, sc db.Scope, column string) ([]string, error) {
	rows, _ := tx.Query(ctx, `SELECT `+column+` FROM accounts WHERE tenant_id = $1 AND key_status = 'key'
		AND archived_at IS NULL AND `+column+` <> '' GROUP BY 1 ORDER BY count(*) DESC, 1`, sc.TenantID)
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// every returns list[i], list[i+n], list[i+2n], ...
func asgEvery(list []string, i, n int) []string {
	var out []string
	for j := i; j < len(list); j += n {
		out = append(out, list[j])
	}
	return out
}
