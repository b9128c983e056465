package importer

import "fmt"
import "strings"
import "testing"
import "unicode/utf8"

// fruit is a kind for tests that need no database.
var fruit = &Kind{
	Name: "fruit",
	Fields: []Field{
		{Key: "name", Label: "Fruit name", Required: true, Aliases: []string{"fruit", "sort"}},
		{Key: "colour", Label: "Colour", Aliases: []string{"color"}},
		{Key: "weight", Label: "Weight in grams"},
	},
	MaxBytes: 1 << 20,
	MaxRows:  3,
}

func TestRead(t *testing.T) {
	f, err := fruit.Read([]byte("\ufeff Fruit ; ;colour\napple;x;red\n\n;;\n\"pear\nsweet\";y;green\n"))
	if err != nil {
		t.Fatal(err)
	}
	if f.Delimiter != ';' || fmt.Sprint(f.Header) != "[Fruit Column 2 colour]" || !f.unnamed[1] {
		t.Fatalf("header %q delimiter %q", f.Header, f.Delimiter)
	}
	// Blank rows are skipped; a record keeps the line it starts on.
	if len(f.Records) != 2 || f.Records[0].Line != 2 || f.Records[1].Line != 5 || f.Records[1].Cells[0] != "pear\nsweet" {
		t.Fatalf("records %+v", f.Records)
	}
	if s := f.Samples(2, 1); fmt.Sprint(s) != "[red]" {
		t.Errorf("samples %q", s)
	}
	// Not UTF-8: read as Windows-1252 (Excel's "CSV" on Western
	// European Windows), and the page says so.
	if f, err := fruit.Read([]byte("name\tcolour\nM\xfcller\tgr\xfcn\n")); err != nil || f.Encoding != "Windows-1252" ||
		f.Delimiter != '\t' || fmt.Sprint(f.Records[0].Cells) != "[Müller grün]" {
		t.Errorf("Windows-1252 file: %v %+v", err, f)
	}
	for _, tt := range []struct{ name, data, want string }{
		{"empty", "", "empty"},
		{"blank", " \n\n", "empty"},
		{"header only", "name\n", "no rows"},
		{"control characters", "name\nM\x01ller\n", "control characters"},
		{"binary", "name\n\x00\x01", "binary"},
		{"bad quotes", "name,colour\n\"apple,red\n", "Line 2 cannot be read"},
		{"too many rows", "name\na\nb\nc\nd\n", "more than 3 rows"},
		{"too many columns", strings.Repeat("c,", MaxColumns) + "c\n1\n", "at most 100 are supported"},
		{"too large", "name\n" + strings.Repeat("a", 1<<20) + "\n", "larger than 1 MiB"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := fruit.Read([]byte(tt.data))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want a problem containing %q", err, tt.want)
			}
		})
	}
}

func TestGuess(t *testing.T) {
	if HeaderKey("  Fruit-Name (EU) ") != "fruit_name_eu" {
		t.Errorf("HeaderKey %q", HeaderKey("  Fruit-Name (EU) "))
	}
	header := []string{"Sorte", "Fruit name", "COLOR", "Weight in grams", "fruit"}
	// Keys, labels and aliases; no field twice (the second "fruit" column
	// stays unmapped).
	if m := fruit.Guess(header); fmt.Sprint(m) != "[ name colour weight ]" {
		t.Errorf("guessed %q", m)
	}
	// A remembered choice comes first.
	saved := map[string]string{"sorte": "name", "bogus_column": "bogus"}
	if m := fruit.Guess(header, saved); fmt.Sprint(m) != "[name  colour weight ]" {
		t.Errorf("guessed with saved %q", m)
	}
	if got := remembered(header, Mapping{"name", "", "colour", "", ""}); fmt.Sprint(got) != "map[color:colour sorte:name]" {
		t.Errorf("remembered %v", got)
	}
}

func TestCheckMapping(t *testing.T) {
	k := *fruit
	k.CheckMapping = func(has func(string) bool) string {
		if has("weight") && !has("colour") {
			return "Weight needs a colour."
		}
		return ""
	}
	for _, tt := range []struct {
		m    Mapping
		want string
	}{
		{Mapping{"name", "colour"}, ""},
		{Mapping{"name"}, "does not fit"},
		{Mapping{"name", "bogus"}, "Unknown field bogus"},
		{Mapping{"name", "name"}, "Fruit name is mapped to more than one column"},
		{Mapping{"colour", ""}, "Map a column to Fruit name"},
		{Mapping{"name", "weight"}, "Weight needs a colour"},
	} {
		if got := k.checkMapping(tt.m, 2); tt.want == "" && got != "" || !strings.Contains(got, tt.want) {
			t.Errorf("mapping %q: %q, want %q", tt.m, got, tt.want)
		}
	}
}

func TestFixedHeader(t *testing.T) {
	k := *fruit
	k.FixedHeader = true
	f, err := k.Read([]byte("Fruit,color\napple,red,extra\npear,green\n"))
	if err != nil {
		t.Fatal(err)
	}
	rows, p := k.Rows(f, Mapping{"ignored"})
	if len(p.Problems) > 0 || len(rows) != 1 || rows[0].Value("name") != "pear" || !rows[0].Mapped("colour") || rows[0].Mapped("weight") {
		t.Fatalf("rows %+v problems %v", rows, p.Problems)
	}
	// The row with an extra value is a problem of its own.
	if p.Invalid != 1 || len(p.Errors) != 1 || p.Errors[0].Line != 2 || !strings.Contains(p.Errors[0].Message, "more values") {
		t.Errorf("errors %+v", p.Errors)
	}
	for data, want := range map[string]string{
		"fruit,smell\napple,good\n": `Unknown column "smell". Use: name, colour, weight.`,
		"name,fruit\napple,pear\n":  `Columns "name" and "fruit" both give the name.`,
		"colour\nred\n":             `The "name" column is missing.`,
		"name,,colour\na,b,c\n":     "Column 2 has no name.",
	} {
		if _, err := k.Read([]byte(data)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want %q", data, err, want)
		}
	}
}

func TestRowValues(t *testing.T) {
	f, err := fruit.Read([]byte("name,colour\n  '=apple  ,\n'-pear,'x\n"))
	if err != nil {
		t.Fatal(err)
	}
	rows, p := fruit.Rows(f, Mapping{"name", ""})
	if !p.OK() {
		t.Fatal(p.Problems)
	}
	// Trimmed, and the apostrophe an export adds before a formula removed.
	if rows[0].Value("name") != "=apple" || rows[1].Value("name") != "-pear" || rows[0].Value("colour") != "" || rows[1].Mapped("colour") {
		t.Errorf("values %q %q", rows[0].Value("name"), rows[1].Value("name"))
	}
}

// FuzzRead: any bytes and any mapping: reading, guessing, mapping and
// failing rows never panic; a file that reads has a header and rows, and
// every row of a usable mapping is either handed on or reported.
func FuzzRead(f *testing.F) {
	f.Add([]byte("name;colour\napple;red\n"), "name,colour")
	f.Add([]byte("\ufeff\"fruit\",weight\n\"a\"\"b\",1,2\n\n"), "name,weight")
	f.Add([]byte("a\n'=1\n"), "name")
	f.Add([]byte("name\tcolour\nM\xfcller\tgr\xfcn\n"), "name,colour")
	f.Add([]byte("\ufeffname\n\x82\n"), "name")
	f.Add([]byte("\xff\xfen\x00\t\x00c\x00\n\x00a\x00\t\x00b\x00"), "name,colour")
	f.Fuzz(func(t *testing.T, data []byte, mapping string) {
		file, err := fruit.Read(data)
		if err != nil {
			return
		}
		// Whatever the encoding, what is read is UTF-8 text.
		for _, r := range file.Records {
			for _, c := range r.Cells {
				if !utf8.ValidString(c) || strings.ContainsRune(c, 0) {
					t.Fatalf("cell %q read as %s", c, file.Encoding)
				}
			}
		}
		if len(file.Header) == 0 || len(file.Records) == 0 || len(file.Records) > fruit.maxRows() {
			t.Fatalf("read %d columns, %d records", len(file.Header), len(file.Records))
		}
		guess := fruit.Guess(file.Header)
		if len(guess) != len(file.Header) {
			t.Fatalf("guess %q for %d columns", guess, len(file.Header))
		}
		m := Mapping(strings.Split(mapping, ","))
		rows, p := fruit.Rows(file, m)
		if len(p.Problems) > 0 {
			if rows != nil {
				t.Fatal("rows and problems")
			}
			return
		}
		if len(rows)+p.Invalid != len(file.Records) {
			t.Fatalf("%d rows + %d invalid for %d records", len(rows), p.Invalid, len(file.Records))
		}
		for _, r := range rows {
			if v := r.Value("name"); v != strings.TrimSpace(v) {
				t.Fatalf("untrimmed value %q", v)
			}
			p.Fail(r, "name", "checked")
		}
		if p.Invalid != len(file.Records) {
			t.Fatalf("%d invalid of %d", p.Invalid, len(file.Records))
		}
	})
}
