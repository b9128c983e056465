package account

import "context"
import "encoding/csv"
import "io"

import "pareto/internal/csvcell"
import "pareto/internal/db"

// ExportColumns are the CSV export's columns: the account fields (so an
// export can be imported again) and then read-only facts: headroom and
// revenue are the one revenue of revenue.go, revenue_source says whether
// it is recorded (last 12 complete months) or annual revenue as entered.
var ExportColumns = []string{"name", "external_ref", "industry", "region", "country", "segment", "status",
	"customer_since", "annual_revenue", "revenue_potential", "notes", "growth_headroom", "key_status", "kam",
	"revenue", "revenue_source"}

// ExportCSV writes the accounts matching f (every page, in f's order) as
// CSV with a UTF-8 byte-order mark, for spreadsheets.
func (s *Store) ExportCSV(ctx context.Context, sc db.Scope, f Filter, w io.Writer) error {
	if _, err := w.Write(csvcell.BOM()); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(ExportColumns); err != nil {
		return err
	}
	err := s.EachAccount(ctx, sc, f, func(a Account) error {
		v := a.FormValues()
		rec := make([]string, 0, len(ExportColumns))
		for _, k := range ExportColumns[:11] {
			rec = append(rec, csvcell.Safe(v[k]))
		}
		rec = append(rec, a.Headroom().Plain(), string(a.KeyStatus), csvcell.Safe(a.KAMName), a.Revenue.Plain(),
			RevenueSourceCode(a.RevenueFromFigures))
		return cw.Write(rec)
	})
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}
