package account

import "encoding/json"
import "strings"
import "testing"
import "time"

import "github.com/google/uuid"

import "pareto/internal/importer"

// FuzzImportPlan: any file, any mapping: reading and planning never
// panic, every row ends up exactly once (created, updated, unchanged or
// invalid), and a row the plan accepts holds valid fields that survive a
// round trip through the account form.
func FuzzImportPlan(f *testing.F) {
	f.Add([]byte("name;external_ref;annual_revenue\nGlobex;G-1;1.000,50\n"), "name,external_ref,annual_revenue")
	f.Add([]byte("\ufeffa,b\n\"x\",1\n\n,\n"), "name,status")
	f.Add([]byte("name,customer_since\n=cmd,2020-13-01\n"), "name,customer_since")
	f.Fuzz(func(t *testing.T, data []byte, mapping string) {
		file, err := Import.Read(data)
		if err != nil {
			return
		}
		var m importer.Mapping
		for i, k := range strings.Split(mapping, ",") {
			if i < len(file.Header) {
				m = append(m, k)
			}
		}
		for len(m) < len(file.Header) {
			m = append(m, "")
		}
		rows, p := Import.Rows(file, m)
		if len(p.Problems) > 0 {
			return
		}
		existing := []existingAccount{{ID: uuid.New(), Fields: Fields{Name: "Globex", ExternalRef: "G-1", Status: StatusCustomer}}}
		before := p.Invalid
		if err := planRows(rows, existing, p); err != nil {
			t.Fatal(err)
		}
		if n := p.Creates + p.Updates + p.Unchanged + p.Invalid - before; n != len(rows) {
			t.Fatalf("%d rows, %d outcomes", len(rows), n)
		}
		for _, r := range rows {
			fields, ok := rowFields(r, Fields{}, false, &importer.Plan{})
			if !ok {
				continue
			}
			back, err := fields.FormValues().Parse()
			if err != nil {
				t.Fatalf("row %d does not validate: %v", r.Line, err)
			}
			if !back.Same(fields) {
				t.Fatalf("row %d does not round-trip: %+v vs %+v", r.Line, back, fields)
			}
			checkAuditJSON(t, fields)
		}
	})
}

// checkAuditJSON: an account's audit state encodes exactly as the map of
// its non-empty form values would.
func checkAuditJSON(t *testing.T, f Fields) {
	t.Helper()
	m := map[string]string{}
	for k, v := range f.FormValues() {
		if v != "" {
			m[k] = v
		}
	}
	want, _ := json.Marshal(m)
	got, _ := json.Marshal(f.auditFields())
	if string(got) != string(want) {
		t.Fatalf("audit state %s, want %s", got, want)
	}
}

func TestAuditFieldsJSON(t *testing.T) {
	checkAuditJSON(t, Fields{Status: StatusProspect})
	checkAuditJSON(t, Fields{Name: "<Globex & Co>", ExternalRef: "G-1", Industry: "Chemicals", Region: "EMEA", Country: "DE",
		Segment: "Enterprise", Status: StatusCustomer, CustomerSince: time.Date(2019, 4, 1, 0, 0, 0, 0, time.UTC),
		AnnualRevenue: 125000050, RevenuePotential: 300000000, Notes: "Line one\nline \"two\""})
}
