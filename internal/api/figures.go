package api

import "net/http"
import "slices"

import "pareto/internal/kpi"

func knownFigureField(k string) bool { return slices.Contains(kpi.ImportHeader, k) }

// figureBulk upserts up to maxBulk monthly KPI figures by account
// (external reference, exact name or id) and month: the KPI import's
// rules, one item per row. An account's figures for a month are replaced.
func (a *API) figureBulk(w http.ResponseWriter, r *http.Request) error {
	recs, err := bulkItems(r, knownFigureField, kpi.FieldAccount, kpi.FieldMonth, kpi.FieldRevenue)
	if err != nil {
		return err
	}
	return a.applyBulk(w, r, kpi.FigureImport, recs, func(int) string { return "" })
}
