package importer

import "context"
import "errors"
import "fmt"
import "testing"

import "github.com/jackc/pgx/v5"

import "pareto/internal/db"

// crm is a kind with two presets, for tests that need no database: its
// fields answer to their keys and labels only.
var crm = &Kind{
	Name: "crm_test",
	Fields: []Field{
		{Key: "ref", Label: "Reference"},
		{Key: "name", Label: "Name", Aliases: []string{"company"}},
		{Key: "revenue", Label: "Revenue"},
	},
	Presets: []Preset{
		{Name: "alpha", Label: "Alpha CRM", Columns: []PresetColumn{
			{Header: "Alpha ID", Field: "ref"}, {Header: "Alpha Number", Field: "ref"},
			{Header: "Account Name", Field: "name"}, {Header: "Revenue", Field: "revenue"}, {Header: "Type"}}},
		{Name: "beta", Label: "Beta CRM", Columns: []PresetColumn{
			{Header: "Record ID", Field: "ref"}, {Header: "Company name", Field: "name"},
			{Header: "Revenue", Field: "revenue"}, {Header: "Type"},
			{Header: "Reference", Field: "ref"}, {Header: "Name", Field: "name"}}},
	},
}

func TestDetect(t *testing.T) {
	for _, tt := range []struct {
		header []string
		want   string
	}{
		// Three of alpha's names, one of them its own.
		{[]string{"Account Name", "alpha-id", "Revenue"}, "alpha"},
		// Ignored columns count: they tell the export apart.
		{[]string{"Record ID", "Type", "revenue", "Notes"}, "beta"},
		// Two names only.
		{[]string{"Account Name", "Revenue", "Something"}, ""},
		// Three names of both (Revenue, Type) and one of each: a tie goes
		// to the first preset.
		{[]string{"Revenue", "Type", "Alpha ID", "Record ID"}, "alpha"},
		// More of beta's names than alpha's.
		{[]string{"Revenue", "Type", "Alpha ID", "Record ID", "Company name"}, "beta"},
		// Pareto's own keys and labels are not a CRM export, even when a
		// preset has three of them.
		{[]string{"Reference", "Name", "Revenue"}, ""},
		// A column named twice counts once.
		{[]string{"Record ID", "Record ID", "Revenue"}, ""},
		{nil, ""},
	} {
		if got := crm.Detect(tt.header); got != tt.want {
			t.Errorf("Detect(%q) = %q, want %q", tt.header, got, tt.want)
		}
	}
	if _, ok := crm.Preset("gamma"); ok {
		t.Error("an unknown preset was found")
	}
}

func TestGuessWithPreset(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	// Saved for this tenant: "Alpha Number" is the name (a deliberately odd
	// choice, to see who wins).
	k := *crm
	k.Name = "crm_test_guess"
	saveMapping(t, fx, &k, map[string]string{"alpha_number": "name"})
	file := &File{Header: []string{"Alpha Number", "Account Name", "Alpha ID", "Revenue", "Type"}}
	for _, tt := range []struct {
		preset, want, used string
	}{
		// Detected: the remembered choice first, then alpha's names (its
		// ID before its Number, whatever the column order).
		{"", "[name  ref revenue ]", "alpha"},
		// Chosen: alpha's names before the remembered choice.
		{"alpha", "[ name ref revenue ]", "alpha"},
		// Beta chosen for an alpha file: beta's Revenue, then the
		// remembered choice; "Account Name" answers to no field of the
		// kind itself.
		{"beta", "[name   revenue ]", "beta"},
	} {
		m, used, err := fx.s.GuessWith(ctx, fx.admin, &k, file, tt.preset)
		if err != nil || fmt.Sprint(m) != tt.want || used != tt.used {
			t.Errorf("GuessWith(%q) = %q, %q, %v; want %s, %q", tt.preset, m, used, err, tt.want, tt.used)
		}
	}
	var fe db.FieldErrors
	if _, _, err := fx.s.GuessWith(ctx, fx.admin, &k, file, "gamma"); !errors.As(err, &fe) || fe["preset"] == "" {
		t.Errorf("an unknown preset: %v", err)
	}
	// Guess detects.
	if m, err := fx.s.Guess(ctx, fx.admin, &k, file); err != nil || fmt.Sprint(m) != "[name  ref revenue ]" {
		t.Errorf("Guess = %q, %v", m, err)
	}
}

// saveMapping remembers mapping for kind k in the admin's tenant, as a
// commit would.
func saveMapping(t *testing.T, fx *fixture, k *Kind, mapping map[string]string) {
	t.Helper()
	header, m := []string{}, Mapping{}
	for h, key := range mapping {
		header, m = append(header, h), append(m, key)
	}
	if err := fx.d.Tx(context.Background(), fx.admin, func(tx pgx.Tx) error {
		_, err := tx.Exec(context.Background(), "INSERT INTO import_mappings (tenant_id, kind, mapping, updated_at) VALUES ($1, $2, $3, now())",
			fx.admin.TenantID, k.Name, remembered(header, m))
		return err
	}); err != nil {
		t.Fatal(err)
	}
}
