package account

import "strings"
import "testing"

import "pareto/internal/importer"

func TestStakeholderNameColumns(t *testing.T) {
	// Name, or First name and Last name (either may be empty), never both.
	f, err := StakeholderImport.Read([]byte("Account,Name,First Name,Last Name\nG-1,Ada Lovelace,Ada,Lovelace\nG-1,,Grace,\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		m    []string
		want string
	}{
		{[]string{"account", "", "", ""}, "Map a column to Name, or columns to First name and Last name."},
		{[]string{"account", "name", "first_name", ""}, "Map either Name or First name and Last name, not both."},
		{[]string{"account", "name", "", ""}, ""},
		{[]string{"account", "", "first_name", "last_name"}, ""},
		{[]string{"account", "", "", "last_name"}, ""},
	} {
		rows, p := StakeholderImport.Rows(f, tt.m)
		if got := strings.Join(p.Problems, " "); got != tt.want {
			t.Errorf("mapping %q: problems %q, want %q", tt.m, got, tt.want)
		}
		if tt.want == "" && len(rows) != 2 {
			t.Errorf("mapping %q: %d rows", tt.m, len(rows))
		}
	}
	rows, _ := StakeholderImport.Rows(f, []string{"account", "", "first_name", "last_name"})
	if personName(rows[0]) != "Ada Lovelace" || personName(rows[1]) != "Grace" {
		t.Errorf("names %q, %q", personName(rows[0]), personName(rows[1]))
	}
	rows, _ = StakeholderImport.Rows(f, []string{"account", "name", "", ""})
	if personName(rows[0]) != "Ada Lovelace" || personName(rows[1]) != "" {
		t.Errorf("names %q, %q", personName(rows[0]), personName(rows[1]))
	}
}

func TestPresetsDetected(t *testing.T) {
	// Each CRM's standard export header is told apart, for accounts and
	// contacts; Pareto's own export header is no CRM's.
	for _, tt := range []struct {
		kind   string
		header string
		want   string
	}{
		{"accounts", "Account ID,Account Name,Account Number,Type,Industry,Annual Revenue,Billing Country", "salesforce"},
		{"accounts", "Record ID,Company name,Company Domain Name,Industry,Annual Revenue,Country/Region", "hubspot"},
		{"accounts", "name,external_ref,industry,region,country,segment,status,customer_since,annual_revenue,revenue_potential,notes", ""},
		{"stakeholders", "First Name,Last Name,Title,Email,Phone,Account Name", "salesforce"},
		{"stakeholders", "First Name,Last Name,Email,Job Title,Associated Company", "hubspot"},
		{"stakeholders", "account,name,title,email,phone,buying_role,strength,notes", ""},
	} {
		k := Import
		if tt.kind == "stakeholders" {
			k = StakeholderImport
		}
		if got := k.Detect(strings.Split(tt.header, ",")); got != tt.want {
			t.Errorf("%s %q: detected %q, want %q", tt.kind, tt.header, got, tt.want)
		}
	}
	// Every preset column fills a field of its kind (or nothing).
	for _, k := range []*importer.Kind{Import, StakeholderImport} {
		for _, p := range k.Presets {
			for _, c := range p.Columns {
				if _, ok := k.Field(c.Field); c.Field != "" && !ok {
					t.Errorf("%s preset %s: column %q fills no field %q", k.Name, p.Name, c.Header, c.Field)
				}
			}
		}
	}
}
