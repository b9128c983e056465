package account

import (
	"testing"

	"github.com/google/uuid"
)

// FuzzImportPlan: any file, any mapping: parsing and planning never panic,
// and a clean plan only holds valid rows.
func FuzzImportPlan(f *testing.F) {
	f.Add([]byte("name;external_ref;annual_revenue\nGlobex;G-1;1.000,50\n"), "name,external_ref,annual_revenue")
	f.Add([]byte("\ufeffa,b\n\"x\",1\n\n,\n"), "name,status")
	f.Add([]byte("name,customer_since\n=cmd,2020-13-01\n"), "name,customer_since")
	f.Fuzz(func(t *testing.T, data []byte, mapping string) {
		file, err := ParseCSV(data)
		if err != nil {
			return
		}
		var m Mapping
		for i, k := range splitComma(mapping) {
			if i < len(file.Header) {
				m = append(m, k)
			}
		}
		for len(m) < len(file.Header) {
			m = append(m, "")
		}
		existing := []existingAccount{{ID: uuid.New(), Fields: Fields{Name: "Globex", ExternalRef: "G-1", Status: StatusCustomer}}}
		p := planImport(file, m, existing)
		if !p.OK() {
			return
		}
		for _, r := range p.Rows {
			in := r.Fields.FormValues()
			back, err := in.Parse()
			if err != nil {
				t.Fatalf("planned row %d does not validate: %v", r.Line, err)
			}
			if !back.Same(r.Fields) {
				t.Fatalf("planned row %d does not round-trip: %+v vs %+v", r.Line, back, r.Fields)
			}
		}
	})
}

func splitComma(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ',' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return out
}
