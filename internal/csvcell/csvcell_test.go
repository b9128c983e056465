package csvcell

import (
	"strings"
	"testing"
)

func TestSafe(t *testing.T) {
	for in, want := range map[string]string{
		"=SUM(A1:A9)": "'=SUM(A1:A9)", "+1+1": "'+1+1", "-x": "'-x", "@cmd": "'@cmd", "\tx": "'\tx",
		"-1250.50": "-1250.50", "=HYPERLINK(\"x\")": "'=HYPERLINK(\"x\")", "-A1": "'-A1", "42": "42", "Acme": "Acme", "": "",
	} {
		if got := Safe(in); got != want {
			t.Errorf("Safe(%q) = %q, want %q", in, got, want)
		}
		if back := Unescape(Safe(in)); back != in {
			t.Errorf("Unescape(Safe(%q)) = %q", in, back)
		}
	}
}

func TestNewReader(t *testing.T) {
	for name, c := range map[string]struct {
		data  string
		delim rune
		msg   string
	}{
		"CommaWithBOM":       {"\ufeffa,b\n1,2\n", ',', ""},
		"Semicolon":          {"a;b;c\n1;2;3\n", ';', ""},
		"QuotedCommasIgnore": {"\"x,y,z\";b;c\n1;2;3\n", ';', ""},
		"NotUTF8":            {"a,b\n\xff,1\n", 0, "not UTF-8"},
		"Binary":             {"a,b\n\x00,1\n", 0, "binary"},
		"Empty":              {" \n\n", 0, "empty"},
	} {
		t.Run(name, func(t *testing.T) {
			r, delim, msg := NewReader([]byte(c.data))
			if c.msg != "" {
				if r != nil || !strings.Contains(msg, c.msg) {
					t.Fatalf("got reader=%v msg %q, want %q", r != nil, msg, c.msg)
				}
				return
			}
			if msg != "" || delim != c.delim {
				t.Fatalf("delim %q msg %q", delim, msg)
			}
			rec, err := r.Read()
			if err != nil || len(rec) != 3 && len(rec) != 2 || strings.HasPrefix(rec[0], "\ufeff") {
				t.Fatalf("header %q %v", rec, err)
			}
		})
	}
}
