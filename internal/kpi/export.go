package kpi

import "encoding/csv"
import "io"
import "pareto/internal/csvcell"
import "strconv"

// CSV exports of the dashboard tables. Text cells that a spreadsheet would
// read as a formula are prefixed with an apostrophe.

// Dashboard tables that can be exported.
const (
	TableAccounts = "accounts"
	TableMonths   = "months"
	TableKAMs     = "kams"
	TableCohort   = "retention"
)

// ValidTable reports whether t names an exportable table.
func ValidTable(t string) bool {
	return t == TableAccounts || t == TableMonths || t == TableKAMs || t == TableCohort
}

func num(v float64, prec int) string { return strconv.FormatFloat(v, 'f', prec, 64) }

func opt(v Value, prec int) string {
	if !v.OK {
		return ""
	}
	return num(v.V, prec)
}

func pct(v Value) string {
	if !v.OK {
		return ""
	}
	return num(v.V*100, 1)
}

// WriteCSV writes one of the dashboard's tables.
func WriteCSV(w io.Writer, p Portfolio, table string) error {
	cw := csv.NewWriter(w)
	switch table {
	case TableMonths:
		_ = cw.Write([]string{"month", "key_accounts_with_figures", "revenue", "upsell_revenue", "cross_sells", "avg_csat", "avg_nps", "avg_adoption_pct"})
		for _, m := range p.Months {
			_ = cw.Write([]string{FormatMonth(m.Month), strconv.Itoa(m.Accounts), opt(m.Revenue, 2), num(m.Upsell, 2),
				strconv.Itoa(m.CrossSells), opt(m.CSAT, 2), opt(m.NPS, 1), opt(m.Adoption, 1)})
		}
	case TableKAMs:
		_ = cw.Write([]string{"kam", "key_accounts", "revenue", "share_of_portfolio_pct", "growth_pop_pct", "avg_csat", "avg_nps"})
		for _, k := range p.KAMs {
			name := k.Name
			if name == "" {
				name = "(no KAM)"
			}
			_ = cw.Write([]string{csvcell.Safe(name), strconv.Itoa(k.Accounts), num(k.Revenue, 2), pct(k.Share), pct(k.Growth),
				opt(k.CSAT, 2), opt(k.NPS, 1)})
		}
	case TableCohort:
		_ = cw.Write([]string{"account", "key_status", "revenue_at_start", "revenue_at_end", "retained"})
		for _, r := range p.Cohort {
			_ = cw.Write([]string{csvcell.Safe(r.Account.Name), r.Account.KeyStatus, opt(r.StartRevenue, 2), opt(r.EndRevenue, 2),
				strconv.FormatBool(r.Retained)})
		}
	default:
		_ = cw.Write([]string{"account", "kam", "segment", "region", "revenue", "months_with_figures", "share_of_total_pct",
			"growth_pop_pct", "growth_yoy_pct", "avg_csat", "avg_nps", "avg_adoption_pct", "upsell_revenue", "cross_sells"})
		for _, r := range p.Accounts {
			_ = cw.Write([]string{csvcell.Safe(r.Account.Name), csvcell.Safe(r.Account.KAMName), csvcell.Safe(r.Account.Segment), csvcell.Safe(r.Account.Region),
				num(r.Revenue.Total, 2), strconv.Itoa(r.Revenue.N), pct(r.Share(p.Summary.TotalRevenue)),
				pct(r.GrowthPoP), pct(r.GrowthYoY), opt(r.CSAT, 2), opt(r.NPS, 1), opt(r.Adoption, 1),
				num(r.Upsell, 2), strconv.Itoa(r.CrossSells)})
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteFiguresCSV writes an account's figures in the import format, so the
// file can be edited and imported again.
func WriteFiguresCSV(w io.Writer, a AccountKPIs) error {
	cw := csv.NewWriter(w)
	_ = cw.Write(ImportHeader)
	account := a.Account.ID.String()
	for _, f := range a.Figures {
		in := f.Input()
		_ = cw.Write([]string{account, in.Month, in.Revenue, in.CSAT, in.NPS, in.Promoters, in.Passives, in.Detractors,
			in.Adoption, in.Upsell, in.CrossSells, in.Orders, in.Units})
	}
	cw.Flush()
	return cw.Error()
}
