package kpi

import "fmt"
import "strings"
import "testing"
import "time"

import "github.com/google/uuid"

import "pareto/internal/account"
import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/importer"

var now = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

func TestParseFigure(t *testing.T) {
	ok := FigureInput{Month: "2026-10", Revenue: "1,250,000.50", CSAT: "4.25", NPS: "", Promoters: "70", Passives: "20",
		Detractors: "10", Adoption: "72.5", Upsell: "5000", CrossSells: "2", Orders: "1,250", Units: "40000"}
	f, fe := ParseFigure(ok, ScaleFive, now)
	if fe != nil {
		t.Fatalf("valid input refused: %v", fe)
	}
	if !f.Month.Equal(month("2026-10")) || f.Revenue != 1250000.5 || *f.CSAT != 4.25 || *f.NPS != 60 || *f.AdoptionPct != 72.5 ||
		*f.UpsellRevenue != 5000 || *f.CrossSellCount != 2 || *f.Orders != 1250 || *f.Units != 40000 {
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
		{"orders negative", func(in *FigureInput) { in.Orders = "-1" }, ScaleFive, FieldOrders},
		{"orders fractional", func(in *FigureInput) { in.Orders = "2.5" }, ScaleFive, FieldOrders},
		{"orders too many", func(in *FigureInput) { in.Orders = "10000001" }, ScaleFive, FieldOrders},
		{"units text", func(in *FigureInput) { in.Units = "a few" }, ScaleFive, FieldUnits},
		{"units negative", func(in *FigureInput) { in.Units = "-3" }, ScaleFive, FieldUnits},
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

// readFigures reads data as a KPI import file and applies its header:
// the rows, the plan so far, and every problem found (of the file, the
// header or a row).
func readFigures(data string) ([]importer.Row, *importer.Plan, []string) {
	f, err := FigureImport.Read([]byte(data))
	if err != nil {
		return nil, nil, []string{err.Error()}
	}
	rows, p := FigureImport.Rows(f, nil)
	problems := append([]string(nil), p.Problems...)
	for _, e := range p.Errors {
		problems = append(problems, e.Message)
	}
	return rows, p, problems
}

func TestReadFigureImport(t *testing.T) {
	recs, _, problems := readFigures("\xef\xbb\xbfAccount;Month;Revenue;NPS\nACME;2026-01;1.000;12\n\n BETA ; 2026-02 ; 5 ;\n")
	if problems != nil {
		t.Fatal(problems)
	}
	if len(recs) != 2 || recs[0].Value(FieldAccount) != "ACME" || recs[0].Value(FieldRevenue) != "1.000" || recs[0].Value(FieldNPS) != "12" ||
		recs[1].Value(FieldAccount) != "BETA" || recs[1].Line != 4 || recs[1].Value(FieldMonth) != "2026-02" {
		t.Errorf("records %+v", recs)
	}
	// Not UTF-8: Windows-1252, as Excel saves "CSV" on Western European
	// Windows (ü is 0xFC).
	if recs, _, problems := readFigures("account;month;revenue\nM\xfcller;2026-01;1\n"); problems != nil ||
		len(recs) != 1 || recs[0].Value(FieldAccount) != "Müller" {
		t.Errorf("Windows-1252 file: %v %+v", problems, recs)
	}
	for _, tt := range []struct{ name, data, want string }{
		{"empty", "", "empty"},
		{"no rows", "account,month,revenue\n", "no rows"},
		{"missing column", "account,month\nA,2026-01\n", `"revenue" column is missing`},
		{"unknown column", "account,month,revenue,colour\nA,2026-01,1,red\n", `Unknown column "colour"`},
		{"duplicate column", "account,name,month,revenue\n", "both give"},
		{"extra values", "account,month,revenue\nA,2026-01,1,2\n", "more values"},
		{"bad quotes", "account,month,revenue\n\"A,2026-01,1\n", "cannot be read"},
		{"control characters", "account,month,revenue\n\x02,2026-01,1\n", "control characters"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, problems := readFigures(tt.data)
			if len(problems) == 0 || !strings.Contains(strings.Join(problems, " "), tt.want) {
				t.Errorf("problems %v, want one containing %q", problems, tt.want)
			}
		})
	}
}

func TestPlanFigureRows(t *testing.T) {
	me, other := uuid.New(), uuid.New()
	accounts := []account.Ref{
		{ID: uuid.New(), Name: "Acme", ExternalRef: "ACME-1", KAMUserID: me},
		{ID: uuid.New(), Name: "Beta", KAMUserID: other},
		{ID: uuid.New(), Name: "Twin", KAMUserID: me},
		{ID: uuid.New(), Name: "twin", KAMUserID: me},
		{ID: uuid.New(), Name: "Gone", ExternalRef: "GONE", KAMUserID: me, Archived: true},
	}
	existing := map[MonthKey]Figure{
		{accounts[0].ID, month("2026-01")}: {AccountID: accounts[0].ID, Month: month("2026-01"), Revenue: 10},
		{accounts[0].ID, month("2026-02")}: {AccountID: accounts[0].ID, Month: month("2026-02"), Revenue: 20},
	}
	file := "account,month,revenue\n" +
		"acme-1,2026-01,10\n" + // line 2: unchanged
		"Acme,2026-02,25\n" + // 3: update, by name
		accounts[0].ID.String() + ",2026-03,30\n" + // 4: new, by id
		"Acme,2026-03,31\n" + // 5: duplicate of line 4
		"Beta,2026-03,1\n" + // 6: not mine
		"Twin,2026-03,1\n" + // 7: ambiguous name
		"GONE,2026-03,1\n" + // 8: archived
		"Nobody,2026-03,1\n" + // 9: unknown
		",2026-03,1\n" + // 10: no account
		"Acme,2026-04,-1\n" // 11: bad revenue
	rows, p, problems := readFigures(file)
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	kam := importer.Actor{Scope: db.Scope{UserID: me}, Role: auth.RoleKAM, Now: now}
	if err := planFigureRows(rows, account.NewRefs(accounts), existing, ScaleFive, kam, p); err != nil {
		t.Fatal(err)
	}
	if p.Creates != 1 || p.Updates != 1 || p.Unchanged != 1 || p.Invalid != 7 || p.OK() {
		t.Fatalf("new %d updated %d unchanged %d invalid %d", p.Creates, p.Updates, p.Unchanged, p.Invalid)
	}
	// Line 3 changes February's revenue (20 → 25) and nothing else.
	if up := p.Rows[1]; up.Line != 3 || up.Op != importer.OpUpdate || fmt.Sprint(up.Changed) != "[Revenue]" || up.Record != "Acme · 2026-02" {
		t.Errorf("update %+v", up)
	}
	wantErr := map[int]string{5: FieldMonth, 6: FieldAccount, 7: FieldAccount, 8: FieldAccount, 9: FieldAccount, 10: FieldAccount, 11: FieldRevenue}
	errs := map[int]map[string]bool{}
	for _, e := range p.Errors {
		if errs[e.Line] == nil {
			errs[e.Line] = map[string]bool{}
		}
		errs[e.Line][e.Field] = true
	}
	for line := 2; line <= 11; line++ {
		if f, bad := wantErr[line]; bad {
			if !errs[line][f] {
				t.Errorf("line %d: errors %v, want one for %s", line, errs[line], f)
			}
		} else if len(errs[line]) > 0 {
			t.Errorf("line %d: unexpected errors %v", line, errs[line])
		}
	}
	// A leader may import Beta's figures.
	rows, p, _ = readFigures("account,month,revenue\nBeta,2026-03,1\n")
	leader := importer.Actor{Scope: db.Scope{UserID: uuid.New()}, Role: auth.RoleLeader, Now: now}
	if err := planFigureRows(rows, account.NewRefs(accounts), existing, ScaleFive, leader, p); err != nil || !p.OK() || p.Creates != 1 {
		t.Errorf("leader import: %+v %v", p, err)
	}
}

// FuzzFigureImport: any bytes give rows or problems, never a panic; every
// row of a readable file ends up exactly once as created, updated,
// unchanged or invalid, and every figure either parses or comes back with
// messages.
func FuzzFigureImport(f *testing.F) {
	f.Add([]byte("account,month,revenue\nA,2026-01,1\n"))
	f.Add([]byte("account;month;revenue;nps;promoters;passives;detractors\nA;2026-01;1,000.50;;1;2;3\n"))
	f.Add([]byte("\"account\",month,revenue\n\"A\"\"B\",2026-01,\n"))
	refs := account.NewRefs([]account.Ref{{ID: uuid.New(), Name: "A", ExternalRef: "A-1"}, {ID: uuid.New(), Name: "B"}})
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := FigureImport.Read(data)
		if err != nil {
			return
		}
		rows, p := FigureImport.Rows(file, nil)
		if len(rows) > 0 && len(p.Problems) > 0 {
			t.Fatal("both rows and problems")
		}
		for _, r := range rows {
			var in FigureInput
			for key, cell := range figureCells(&in) {
				*cell = r.Value(key)
			}
			if _, fe := ParseFigure(in, ScaleFive, now); fe != nil && len(fe) == 0 {
				t.Fatal("empty errors")
			}
		}
		before := p.Invalid
		admin := importer.Actor{Role: auth.RoleAdmin, Now: now}
		if err := planFigureRows(rows, refs, map[MonthKey]Figure{}, ScaleFive, admin, p); err != nil {
			t.Fatal(err)
		}
		if n := p.Creates + p.Updates + p.Unchanged + p.Invalid - before; n != len(rows) {
			t.Fatalf("%d rows, %d outcomes", len(rows), n)
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

func TestChangedFigures(t *testing.T) {
	three, four, fifty := 3, 4, 50.0
	a := Figure{Revenue: 100, Orders: &three, CSAT: &fifty}
	b := a
	b.Orders = &four
	if got := fmt.Sprint(changedFigures(a, b)); got != "[Orders]" || sameFigures(a, b) {
		t.Errorf("orders changed: %s", got)
	}
	b.Revenue, b.CSAT = 101, nil
	if got := fmt.Sprint(changedFigures(a, b)); got != "[Revenue CSAT Orders]" {
		t.Errorf("three changed: %s", got)
	}
	c := a
	c.Orders = &[]int{3}[0] // equal value, another pointer
	if !sameFigures(a, c) || len(changedFigures(a, c)) != 0 {
		t.Error("equal figures reported as changed")
	}
}
