package kpi

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"pareto/internal/auth"
)

var now = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

func TestParseFigure(t *testing.T) {
	ok := FigureInput{Month: "2026-10", Revenue: "1,250,000.50", CSAT: "4.25", NPS: "", Promoters: "70", Passives: "20",
		Detractors: "10", Adoption: "72.5", Upsell: "5000", CrossSells: "2"}
	f, fe := ParseFigure(ok, ScaleFive, now)
	if fe != nil {
		t.Fatalf("valid input refused: %v", fe)
	}
	if !f.Month.Equal(month("2026-10")) || f.Revenue != 1250000.5 || *f.CSAT != 4.25 || *f.NPS != 60 || *f.AdoptionPct != 72.5 ||
		*f.UpsellRevenue != 5000 || *f.CrossSellCount != 2 {
		t.Errorf("parsed %+v", f)
	}
	tests := []struct {
		name  string
		edit  func(*FigureInput)
		scale string
		field string
	}{
		{"month missing", func(in *FigureInput) { in.Month = "" }, ScaleFive, FieldMonth},
		{"month garbled", func(in *FigureInput) { in.Month = "Oct 2026" }, ScaleFive, FieldMonth},
		{"month in the future", func(in *FigureInput) { in.Month = "2026-12" }, ScaleFive, FieldMonth},
		{"month too early", func(in *FigureInput) { in.Month = "1999-12" }, ScaleFive, FieldMonth},
		{"revenue missing", func(in *FigureInput) { in.Revenue = " " }, ScaleFive, FieldRevenue},
		{"revenue negative", func(in *FigureInput) { in.Revenue = "-1" }, ScaleFive, FieldRevenue},
		{"revenue text", func(in *FigureInput) { in.Revenue = "lots" }, ScaleFive, FieldRevenue},
		{"revenue NaN", func(in *FigureInput) { in.Revenue = "NaN" }, ScaleFive, FieldRevenue},
		{"revenue exponent", func(in *FigureInput) { in.Revenue = "1e6" }, ScaleFive, FieldRevenue},
		{"revenue three decimals", func(in *FigureInput) { in.Revenue = "1.2345" }, ScaleFive, FieldRevenue},
		{"revenue too large", func(in *FigureInput) { in.Revenue = "99999999999999" }, ScaleFive, FieldRevenue},
		{"csat above 5", func(in *FigureInput) { in.CSAT = "5.1" }, ScaleFive, FieldCSAT},
		{"csat below 1", func(in *FigureInput) { in.CSAT = "0.5" }, ScaleFive, FieldCSAT},
		{"csat percent above 100", func(in *FigureInput) { in.CSAT = "101" }, ScalePercent, FieldCSAT},
		{"nps out of range", func(in *FigureInput) { in.NPS = "101"; in.Promoters, in.Passives, in.Detractors = "", "", "" }, ScaleFive, FieldNPS},
		{"nps not whole", func(in *FigureInput) { in.NPS = "12.5"; in.Promoters, in.Passives, in.Detractors = "", "", "" }, ScaleFive, FieldNPS},
		{"nps contradicts counts", func(in *FigureInput) { in.NPS = "10" }, ScaleFive, FieldNPS},
		{"counts incomplete", func(in *FigureInput) { in.Passives = "" }, ScaleFive, FieldPassives},
		{"counts negative", func(in *FigureInput) { in.Detractors = "-2" }, ScaleFive, FieldDetractors},
		{"counts all zero", func(in *FigureInput) { in.Promoters, in.Passives, in.Detractors = "0", "0", "0" }, ScaleFive, FieldPromoters},
		{"adoption above 100", func(in *FigureInput) { in.Adoption = "100.5" }, ScaleFive, FieldAdoption},
		{"upsell negative", func(in *FigureInput) { in.Upsell = "-5" }, ScaleFive, FieldUpsell},
		{"cross-sells fractional", func(in *FigureInput) { in.CrossSells = "1.5" }, ScaleFive, FieldCrossSells},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := ok
			tt.edit(&in)
			_, fe := ParseFigure(in, tt.scale, now)
			if _, has := fe[tt.field]; !has {
				t.Errorf("no error for %s; errors: %v", tt.field, fe)
			}
		})
	}
	t.Run("percent scale accepts 87.5", func(t *testing.T) {
		in := ok
		in.CSAT = "87.5"
		if _, fe := ParseFigure(in, ScalePercent, now); fe != nil {
			t.Error(fe)
		}
	})
	t.Run("only revenue", func(t *testing.T) {
		f, fe := ParseFigure(FigureInput{Month: "2026-11", Revenue: "0"}, ScaleFive, now)
		if fe != nil || f.CSAT != nil || f.NPS != nil || f.Promoters != nil {
			t.Errorf("%+v %v", f, fe)
		}
	})
	t.Run("round trip", func(t *testing.T) {
		g, fe := ParseFigure(f.Input(), ScaleFive, now)
		if fe != nil || !sameFigures(f, g) {
			t.Errorf("round trip: %+v → %+v (%v)", f, g, fe)
		}
	})
}

func TestParseImportCSV(t *testing.T) {
	recs, problems := ParseImportCSV([]byte("\xef\xbb\xbfAccount;Month;Revenue;NPS\nACME;2026-01;1.000;12\n\n BETA ; 2026-02 ; 5 ;\n"))
	if problems != nil {
		t.Fatal(problems)
	}
	if len(recs) != 2 || recs[0].Account != "ACME" || recs[0].Input.Revenue != "1.000" || recs[0].Input.NPS != "12" ||
		recs[1].Account != "BETA" || recs[1].Line != 4 || recs[1].Input.Month != "2026-02" {
		t.Errorf("records %+v", recs)
	}
	for _, tt := range []struct{ name, data, want string }{
		{"empty", "", "empty"},
		{"no rows", "account,month,revenue\n", "no rows"},
		{"missing column", "account,month\nA,2026-01\n", `"revenue" column is missing`},
		{"unknown column", "account,month,revenue,colour\nA,2026-01,1,red\n", `Unknown column "colour"`},
		{"duplicate column", "account,name,month,revenue\n", "both give"},
		{"extra values", "account,month,revenue\nA,2026-01,1,2\n", "more values"},
		{"bad quotes", "account,month,revenue\n\"A,2026-01,1\n", "cannot be read"},
		{"not utf-8", "account,month,revenue\n\xff,2026-01,1\n", "UTF-8"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, problems := ParseImportCSV([]byte(tt.data))
			if len(problems) == 0 || !strings.Contains(strings.Join(problems, " "), tt.want) {
				t.Errorf("problems %v, want one containing %q", problems, tt.want)
			}
		})
	}
}

func TestValidateImport(t *testing.T) {
	me, other := uuid.New(), uuid.New()
	accounts := []importAccount{
		{id: uuid.New(), name: "Acme", ref: "ACME-1", kam: me},
		{id: uuid.New(), name: "Beta", kam: other},
		{id: uuid.New(), name: "Twin", kam: me},
		{id: uuid.New(), name: "twin", kam: me},
		{id: uuid.New(), name: "Gone", ref: "GONE", kam: me, archived: true},
	}
	existing := map[figureKey]Figure{
		{accounts[0].id, month("2026-01")}: {AccountID: accounts[0].id, Month: month("2026-01"), Revenue: 10},
		{accounts[0].id, month("2026-02")}: {AccountID: accounts[0].id, Month: month("2026-02"), Revenue: 20},
	}
	rec := func(line int, account, m, revenue string) ImportRecord {
		return ImportRecord{Line: line, Account: account, Input: FigureInput{Month: m, Revenue: revenue}}
	}
	recs := []ImportRecord{
		rec(2, "acme-1", "2026-01", "10"),                // unchanged
		rec(3, "Acme", "2026-02", "25"),                  // update, by name
		rec(4, accounts[0].id.String(), "2026-03", "30"), // new, by id
		rec(5, "Acme", "2026-03", "31"),                  // duplicate of line 4
		rec(6, "Beta", "2026-03", "1"),                   // not mine
		rec(7, "Twin", "2026-03", "1"),                   // ambiguous name
		rec(8, "GONE", "2026-03", "1"),                   // archived
		rec(9, "Nobody", "2026-03", "1"),                 // unknown
		rec(10, "", "2026-03", "1"),                      // no account
		rec(11, "Acme", "2026-04", "-1"),                 // bad revenue
	}
	p := validateImport(recs, accounts, existing, ScaleFive, auth.RoleKAM, me, now)
	if p.New != 1 || p.Updated != 1 || p.Unchanged != 1 || p.Invalid != 7 || p.OK() {
		t.Fatalf("new %d updated %d unchanged %d invalid %d", p.New, p.Updated, p.Unchanged, p.Invalid)
	}
	wantErr := map[int]string{5: FieldMonth, 6: FieldAccount, 7: FieldAccount, 8: FieldAccount, 9: FieldAccount, 10: FieldAccount, 11: FieldRevenue}
	for _, r := range p.Rows {
		if f, bad := wantErr[r.Line]; bad {
			if _, ok := r.Errors[f]; !ok {
				t.Errorf("line %d: errors %v, want one for %s", r.Line, r.Errors, f)
			}
		} else if len(r.Errors) > 0 {
			t.Errorf("line %d: unexpected errors %v", r.Line, r.Errors)
		}
	}
	// A leader may import Beta's figures.
	p = validateImport(recs[4:5], accounts, existing, ScaleFive, auth.RoleLeader, uuid.New(), now)
	if !p.OK() || p.New != 1 {
		t.Errorf("leader import: %+v", p)
	}
}

// FuzzParseImportCSV: any bytes give records or problems, never a panic,
// and every record's figures either parse or come back with messages.
func FuzzParseImportCSV(f *testing.F) {
	f.Add([]byte("account,month,revenue\nA,2026-01,1\n"))
	f.Add([]byte("account;month;revenue;nps;promoters;passives;detractors\nA;2026-01;1,000.50;;1;2;3\n"))
	f.Add([]byte("\"account\",month,revenue\n\"A\"\"B\",2026-01,\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, problems := ParseImportCSV(data)
		if len(recs) > 0 && len(problems) > 0 {
			t.Fatal("both records and problems")
		}
		for _, r := range recs {
			if _, fe := ParseFigure(r.Input, ScaleFive, now); fe != nil && len(fe) == 0 {
				t.Fatal("empty errors")
			}
		}
	})
}

func TestFiguresMemo(t *testing.T) {
	var m figuresMemo
	k := spanKey{tenant: uuid.New()}
	a, b := uuid.New(), uuid.New()
	m.add(k, 1, map[uuid.UUID][]Figure{a: make([]Figure, 3)})
	got := m.add(k, 1, map[uuid.UUID][]Figure{b: make([]Figure, 2)})
	if len(got) != 2 || m.size != 5 || m.get(k, 1) == nil || m.get(k, 2) != nil {
		t.Fatalf("merge: %d accounts, size %d", len(got), m.size)
	}
	// A new version replaces the entry.
	if got := m.add(k, 2, map[uuid.UUID][]Figure{b: make([]Figure, 1)}); len(got) != 1 || m.size != 1 {
		t.Fatalf("new version: %d accounts, size %d", len(got), m.size)
	}
	// Over budget, the memo starts again.
	k2 := spanKey{tenant: uuid.New()}
	m.add(k2, 1, map[uuid.UUID][]Figure{a: make([]Figure, figuresBudget)})
	if m.get(k, 2) != nil || m.size != figuresBudget {
		t.Fatalf("budget: size %d", m.size)
	}
}
