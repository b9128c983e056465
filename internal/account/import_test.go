package account_test

import "bytes"
import "context"
import "encoding/csv"
import "errors"
import "fmt"
import "strings"
import "testing"

import "github.com/jackc/pgx/v5"

import "pareto/internal/account"
import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/db/dbtest"
import "pareto/internal/importer"

func importFile(t testing.TB, s *importer.Store, sc db.Scope, data string) (*importer.File, importer.Mapping) {
	t.Helper()
	ctx := context.Background()
	id, err := s.Upload(ctx, sc, auth.RoleAdmin, account.Import, "accounts.csv", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	f, err := s.File(ctx, sc, account.Import, id)
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.Guess(ctx, sc, account.Import, f)
	if err != nil {
		t.Fatal(err)
	}
	return f, m
}

const goodCSV = "\ufeffAccount Name;Reference;Industry;Annual revenue;Potential;Status;Customer since\n" +
	"Globex;G-1;Chemicals;\"1.250.000,50\";3000000;Customer;2019-04-01\n" +
	"Initech;I-1;Software;0;500000;prospect;\n" +
	"\n" +
	"Umbrella;U-1;Pharma;1000;2000;former;2001-01-01\n"

func TestImport(t *testing.T) {
	d := dbtest.New(t)
	s := account.NewStore(d)
	imp := importer.NewStore(d)
	tn := newTenant(t, d, "Acme")
	ctx := context.Background()
	existing := createAccount(t, s, tn.admin(), "Globex (old name)", "G-1")

	t.Run("OK", func(t *testing.T) {
		f, m := importFile(t, imp, tn.admin(), goodCSV)
		if f.Delimiter != ';' || len(f.Records) != 3 || f.Header[0] != "Account Name" {
			t.Fatalf("parsed %+v", f)
		}
		want := importer.Mapping{"name", "external_ref", "industry", "annual_revenue", "revenue_potential", "status", "customer_since"}
		if fmt.Sprint(m) != fmt.Sprint(want) {
			t.Fatalf("guessed %v, want %v", m, want)
		}
		p, err := imp.Preview(ctx, tn.admin(), auth.RoleAdmin, account.Import, f.ID, m)
		if err != nil || !p.OK() || p.Creates != 2 || p.Updates != 1 {
			t.Fatalf("plan %v %+v", err, p)
		}
		if p.Rows[0].Op != importer.OpUpdate || p.Rows[0].EntityID != existing.ID.String() || !strings.Contains(strings.Join(p.Rows[0].Changed, ","), "Name") {
			t.Fatalf("row 1 %+v", p.Rows[0])
		}
		if p.Rows[2].Line != 5 {
			t.Fatalf("line numbers skip blank rows wrongly: %d", p.Rows[2].Line)
		}
		if _, err := imp.Commit(ctx, tn.admin(), auth.RoleAdmin, account.Import, f.ID, m); err != nil {
			t.Fatal(err)
		}
		got, _ := s.Account(ctx, tn.admin(), existing.ID)
		if got.Name != "Globex" || got.AnnualRevenue != 125000050 || got.Version != 2 {
			t.Fatalf("updated %+v", got)
		}
		page, _ := s.Accounts(ctx, tn.admin(), account.Filter{})
		if page.Total != 3 {
			t.Fatalf("%d accounts, want 3", page.Total)
		}
		if n := auditCount(t, d, tn.admin(), "account"); n != 1+3 {
			t.Fatalf("%d account audit events, want 4", n)
		}
	})
	t.Run("ReimportChangesNothing", func(t *testing.T) {
		before, _ := s.Accounts(ctx, tn.admin(), account.Filter{})
		audits := auditCount(t, d, tn.admin(), "account")
		f, m := importFile(t, imp, tn.admin(), goodCSV)
		p, err := imp.Commit(ctx, tn.admin(), auth.RoleAdmin, account.Import, f.ID, m)
		if err != nil || p.Creates+p.Updates != 0 || p.Unchanged != 3 {
			t.Fatalf("%v %+v", err, p)
		}
		after, _ := s.Accounts(ctx, tn.admin(), account.Filter{})
		for i := range before.Accounts {
			if before.Accounts[i].Version != after.Accounts[i].Version || !before.Accounts[i].UpdatedAt.Equal(after.Accounts[i].UpdatedAt) {
				t.Fatalf("re-import changed %s", after.Accounts[i].Name)
			}
		}
		if auditCount(t, d, tn.admin(), "account") != audits {
			t.Fatal("re-import wrote account audit events")
		}
	})
	t.Run("RememberedMapping", func(t *testing.T) {
		// A header the guesser would not know, mapped by hand last time.
		f, m := importFile(t, imp, tn.admin(), "Firma,Kundennummer\nX,K-1\n")
		if m[0] != "" {
			t.Fatalf("guessed %v", m)
		}
		if _, err := imp.Commit(ctx, tn.admin(), auth.RoleAdmin, account.Import, f.ID, importer.Mapping{"name", "external_ref"}); err != nil {
			t.Fatal(err)
		}
		_, m = importFile(t, imp, tn.admin(), "Firma,Kundennummer\nY,K-2\n")
		if fmt.Sprint(m) != "[name external_ref]" {
			t.Fatalf("remembered %v", m)
		}
	})
	t.Run("BadRowsWriteNothing", func(t *testing.T) {
		before, _ := s.Accounts(ctx, tn.admin(), account.Filter{})
		bad := "name,external_ref,annual_revenue,status,customer_since\n" +
			"Fine Co,F-1,100,customer,\n" +
			",F-2,100,customer,\n" +
			"Neg Co,F-3,-100,customer,\n" +
			"Dup Co,F-1,1,customer,\n" +
			"Vip Co,F-4,1,vip,31/12/2020\n"
		f, m := importFile(t, imp, tn.admin(), bad)
		p, err := imp.Commit(ctx, tn.admin(), auth.RoleAdmin, account.Import, f.ID, m)
		if !errors.Is(err, importer.ErrInvalid) {
			t.Fatalf("got %v, want ErrInvalid", err)
		}
		lines := map[int]bool{}
		for _, e := range p.Errors {
			lines[e.Line] = true
		}
		for _, l := range []int{3, 4, 5, 6} {
			if !lines[l] {
				t.Errorf("no error reported for line %d: %+v", l, p.Errors)
			}
		}
		if lines[2] {
			t.Errorf("good line 2 reported: %+v", p.Errors)
		}
		after, _ := s.Accounts(ctx, tn.admin(), account.Filter{})
		if after.Total != before.Total {
			t.Fatalf("a bad import wrote %d accounts", after.Total-before.Total)
		}
		// The upload stays for another try.
		if _, err := imp.File(ctx, tn.admin(), account.Import, f.ID); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("BadFiles", func(t *testing.T) {
		for name, data := range map[string]string{
			"empty": "", "header only": "name\n", "control characters": "name\nM\x01ller\n", "binary": "name\n\x00\x01",
			"bad quotes": "name,ref\n\"Acme,1\n",
		} {
			_, err := imp.Upload(ctx, tn.admin(), auth.RoleAdmin, account.Import, "x.csv", []byte(data))
			var fe db.FieldErrors
			if !errors.As(err, &fe) || fe["file"] == "" {
				t.Errorf("%s: got %v, want a file error", name, err)
			}
		}
		if _, err := imp.Upload(ctx, tn.kam(), auth.RoleKAM, account.Import, "x.csv", []byte(goodCSV)); !errors.Is(err, db.ErrForbidden) {
			t.Errorf("KAM import: %v", err)
		}
	})
	t.Run("BadMapping", func(t *testing.T) {
		f, _ := importFile(t, imp, tn.admin(), goodCSV)
		for _, m := range []importer.Mapping{{"name"}, {"name", "name", "", "", "", "", ""}, {"", "", "industry", "", "", "", ""}, {"bogus", "", "", "", "", "", ""}} {
			p, err := imp.Preview(ctx, tn.admin(), auth.RoleAdmin, account.Import, f.ID, m)
			if err != nil || len(p.Problems) == 0 {
				t.Errorf("mapping %v: %v %+v", m, err, p)
			}
		}
	})
	t.Run("OtherTenant", func(t *testing.T) {
		other := newTenant(t, d, "Other")
		f, _ := importFile(t, imp, tn.admin(), goodCSV)
		if _, err := imp.File(ctx, other.admin(), account.Import, f.ID); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("got %v", err)
		}
		if _, err := imp.Commit(ctx, other.admin(), auth.RoleAdmin, account.Import, f.ID, importer.Mapping{"name"}); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("got %v", err)
		}
	})
}

func TestExportCSV(t *testing.T) {
	d := dbtest.New(t)
	s := account.NewStore(d)
	tn := newTenant(t, d, "Acme")
	ctx := context.Background()
	createAccount(t, s, tn.admin(), "=HYPERLINK(\"http://evil\")", "-1")
	createAccount(t, s, tn.admin(), "<script>alert(1)</script>", "@ref")
	createAccount(t, s, tn.admin(), "Plain Co", "P-1")
	var buf bytes.Buffer
	if err := s.ExportCSV(ctx, tn.admin(), account.Filter{Q: "p"}, &buf); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("\ufeff")) {
		t.Fatal("no byte-order mark")
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(buf.Bytes(), []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// Filter "p": HYPERLINK, script and Plain Co all contain a p.
	if len(recs) != 4 || recs[0][0] != "name" {
		t.Fatalf("%q", recs)
	}
	for _, r := range recs[1:] {
		for _, c := range r {
			if c != "" && strings.ContainsRune("=+@", rune(c[0])) || strings.HasPrefix(c, "-") && c != "-" && !strings.ContainsAny(c[1:2], "0123456789") {
				t.Errorf("unescaped cell %q", c)
			}
		}
	}
	if recs[2][0] != "'=HYPERLINK(\"http://evil\")" || recs[2][1] != "-1" || recs[1][0] != "<script>alert(1)</script>" || recs[1][1] != "'@ref" {
		t.Errorf("rows %q", recs[1:3])
	}
	// An export imports again without changes.
	imp := importer.NewStore(d)
	id, err := imp.Upload(ctx, tn.admin(), auth.RoleAdmin, account.Import, "export.csv", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	f, _ := imp.File(ctx, tn.admin(), account.Import, id)
	m := account.Import.Guess(f.Header)
	p, err := imp.Preview(ctx, tn.admin(), auth.RoleAdmin, account.Import, id, m)
	if err != nil || !p.OK() {
		t.Fatalf("%v %+v", err, p)
	}
	if p.Creates != 0 || p.Updates != 0 || p.Unchanged != 3 {
		t.Fatalf("round trip: %d creates, %d updates, %d unchanged; want 3 unchanged", p.Creates, p.Updates, p.Unchanged)
	}
}

// BenchmarkImport50k measures planning and committing 50,000 new accounts
// in one transaction (go test -run '^$' -bench Import50k ./internal/account).
func BenchmarkImport50k(b *testing.B) {
	d := dbtest.New(b)
	s := importer.NewStore(d)
	ctx := context.Background()
	var sb strings.Builder
	sb.WriteString("name,external_ref,industry,region,country,segment,status,customer_since,annual_revenue,revenue_potential,notes\n")
	for i := range 50_000 {
		fmt.Fprintf(&sb, "Account %d,EXT-%06d,%s,%s,DE,Enterprise,customer,2015-06-01,\"%d,250.00\",%d000,Imported row %d\n",
			i, i, []string{"Chemicals", "Retail", "Energy", "Logistics"}[i%4], []string{"EMEA", "APAC", "AMER"}[i%3], i%900+1, i%5000+2000, i)
	}
	data := []byte(sb.String())
	b.Logf("file: %.1f MiB", float64(len(data))/(1<<20))
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		tn := newTenant(b, d, fmt.Sprintf("Bench %d", i))
		id, err := s.Upload(ctx, tn.admin(), auth.RoleAdmin, account.Import, "big.csv", data)
		if err != nil {
			b.Fatal(err)
		}
		f, err := s.File(ctx, tn.admin(), account.Import, id)
		if err != nil {
			b.Fatal(err)
		}
		m := account.Import.Guess(f.Header)
		b.StartTimer()
		p, err := s.Commit(ctx, tn.admin(), auth.RoleAdmin, account.Import, id, m)
		if err != nil || p.Creates != 50_000 {
			b.Fatalf("%v %d", err, p.Creates)
		}
	}
}

// BenchmarkAccounts50k measures one list page (search, filter, sort by
// headroom, counts) over a tenant of 50,000 accounts.
func BenchmarkAccounts50k(b *testing.B) {
	ctx := context.Background()
	u := dbtest.URL(b)
	d, err := db.Open(ctx, u, db.Options{MaxConns: 4})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	s := account.NewStore(d)
	tn := newTenant(b, d, "Big")
	var sb strings.Builder
	sb.WriteString("name,external_ref,industry,region,annual_revenue,revenue_potential\n")
	for i := range 50_000 {
		fmt.Fprintf(&sb, "Account %d,EXT-%06d,%s,%s,%d,%d\n", i, i, []string{"Chemicals", "Retail", "Energy", "Logistics"}[i%4],
			[]string{"EMEA", "APAC", "AMER"}[i%3], i%900*1000, i%5000*1000)
	}
	imp := importer.NewStore(d)
	id, err := imp.Upload(ctx, tn.admin(), auth.RoleAdmin, account.Import, "big.csv", []byte(sb.String()))
	if err != nil {
		b.Fatal(err)
	}
	f, _ := imp.File(ctx, tn.admin(), account.Import, id)
	if _, err := imp.Commit(ctx, tn.admin(), auth.RoleAdmin, account.Import, id, account.Import.Guess(f.Header)); err != nil {
		b.Fatal(err)
	}
	// What autovacuum does soon after a big import (as the table owner).
	owner, err := pgx.Connect(ctx, u)
	if err != nil {
		b.Fatal(err)
	}
	defer owner.Close(ctx)
	if _, err := owner.Exec(ctx, "ANALYZE accounts"); err != nil {
		b.Fatal(err)
	}
	for _, flt := range []account.Filter{
		{},
		{Industry: "Retail", Region: "EMEA", Sort: "headroom", Desc: true},
		{Q: "ext-0123", Sort: "annual_revenue"},
	} {
		b.Run(fmt.Sprintf("q=%q,industry=%q,sort=%s", flt.Q, flt.Industry, flt.Sort), func(b *testing.B) {
			for b.Loop() {
				if _, err := s.Accounts(ctx, tn.admin(), flt); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestImportRewritesRankingOnlyWhenItChanges(t *testing.T) {
	// An import's UPDATE sets every mapped column, so account_rankings_sync
	// (AFTER UPDATE OF name, revenue, … on accounts) fired for each updated
	// account, and rewrote its ranking row, even when only the notes
	// changed. Since migration 00027 it runs only when a copied value
	// changes: the ranking row keeps its row version (xmin) through a
	// notes-only import, and still follows a new name.
	d := dbtest.New(t)
	s := account.NewStore(d)
	imp := importer.NewStore(d)
	tn := newTenant(t, d, "Acme")
	ctx := context.Background()
	a := createAccount(t, s, tn.admin(), "Globex", "G-1")
	ranking := func() (xmin, sortName string) {
		t.Helper()
		err := d.Tx(ctx, tn.admin(), func(tx pgx.Tx) error {
			return tx.QueryRow(ctx, "SELECT xmin::text, sort_name FROM account_rankings WHERE tenant_id = $1 AND account_id = $2",
				tn.Admin.TenantID, a.ID).Scan(&xmin, &sortName)
		})
		if err != nil {
			t.Fatal(err)
		}
		return xmin, sortName
	}
	// A ranking row as scoring writes it (headroom: 3,000,000.00 −
	// 1,250,000.50 = 1,749,999.50, in cents 174,999,950).
	err := d.Tx(ctx, tn.admin(), func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO account_rankings (tenant_id, account_id, score10, scored, complete, headroom, sort_name)
			VALUES ($1, $2, 70, 1, true, 174999950, 'globex')`, tn.Admin.TenantID, a.ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	commit := func(data string) *importer.Preview {
		t.Helper()
		f, m := importFile(t, imp, tn.admin(), data)
		p, err := imp.Commit(ctx, tn.admin(), auth.RoleAdmin, account.Import, f.ID, m)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	before, _ := ranking()
	if p := commit("name,external_ref,notes\nGlobex,G-1,Met at the fair\n"); p.Updates != 1 {
		t.Fatalf("notes import: %d updates, want 1", p.Updates)
	}
	if after, _ := ranking(); after != before {
		t.Fatalf("a notes-only import rewrote the ranking row (xmin %s → %s)", before, after)
	}
	if p := commit("name,external_ref\nGlobex Europe,G-1\n"); p.Updates != 1 {
		t.Fatalf("rename import: %d updates, want 1", p.Updates)
	}
	if _, name := ranking(); name != "globex europe" {
		t.Fatalf("ranking sort name %q after the rename, want %q", name, "globex europe")
	}
}
