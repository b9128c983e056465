package csvcell

import "strings"
import "testing"

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
		data   string
		delim  rune
		enc    string
		header string // the first row, joined by |
		row    string // the second
		msg    string
	}{
		"CommaWithBOM":       {data: "\ufeffa,b\n1,2\n", delim: ',', enc: UTF8, header: "a|b", row: "1|2"},
		"Semicolon":          {data: "a;b;c\n1;2;3\n", delim: ';', enc: UTF8, header: "a|b|c", row: "1|2|3"},
		"QuotedCommasIgnore": {data: "\"x,y,z\";b;c\n1;2;3\n", delim: ';', enc: UTF8, header: "x,y,z|b|c", row: "1|2|3"},
		// Only the header line decides: the second line has more commas.
		"Tab":      {data: "a\tb\n1,5\t2,5,0\n", delim: '\t', enc: UTF8, header: "a|b", row: "1,5|2,5,0"},
		"TieComma": {data: "a;b,c\n1;2,3\n", delim: ',', enc: UTF8, header: "a;b|c", row: "1;2|3"},
		// Excel's "CSV" on Western European Windows: ü is 0xFC, ß 0xDF,
		// € 0x80 (Windows-1252, not Latin-1).
		"Windows1252": {data: "Name;Stra\xdfe\nM\xfcller GmbH;\x80 5\n", delim: ';', enc: Windows1252,
			header: "Name|Straße", row: "Müller GmbH|€ 5"},
		// Excel's "Unicode text": UTF-16 little-endian with a mark, tabs.
		"UTF16LE": {data: "\xff\xfeN\x00a\x00m\x00e\x00\t\x00\xfc\x00\n\x00M\x00\t\x001\x00\n\x00", delim: '\t', enc: UTF16LE,
			header: "Name|ü", row: "M|1"},
		"UTF16BE":     {data: "\xfe\xff\x00a\x00,\x00b\x00\n\x00\xe9\x00,\x002", delim: ',', enc: UTF16BE, header: "a|b", row: "é|2"},
		"Binary":      {data: "a,b\n\x00,1\n", msg: "binary"},
		"Control":     {data: "a,b\n\x01,1\n", msg: "binary"},
		"ZipNoNUL":    {data: "PK\x03\x04\x14\xff\xfe", msg: "binary"},
		"Empty":       {data: " \n\n", msg: "empty"},
		"EmptyUTF16":  {data: "\xff\xfe \x00\n\x00", msg: "empty"},
		"OddUTF16":    {data: "\xff\xfea\x00,\x00b", msg: "binary"},
		"ReplacedBad": {data: "\ufeffa,b\n\ufffd,1\n", delim: ',', enc: UTF8, header: "a|b", row: "\ufffd|1"},
		// A UTF-8 mark followed by bytes that are not UTF-8 (found by
		// FuzzRead in CI): the mark cannot be trusted, the file is refused.
		"MarkedNotUTF8": {data: "\ufeffa,b\n\x82,1\n", msg: "not valid UTF-8"},
	} {
		t.Run(name, func(t *testing.T) {
			r, format, msg := NewReader([]byte(c.data))
			if c.msg != "" {
				if r != nil || !strings.Contains(msg, c.msg) {
					t.Fatalf("got reader=%v msg %q, want %q", r != nil, msg, c.msg)
				}
				return
			}
			if msg != "" || format.Delimiter != c.delim || format.Encoding != c.enc {
				t.Fatalf("format %+v msg %q, want %q %s", format, msg, c.delim, c.enc)
			}
			for _, want := range []string{c.header, c.row} {
				rec, err := r.Read()
				if err != nil || strings.Join(rec, "|") != want {
					t.Fatalf("row %q %v, want %q", rec, err, want)
				}
			}
		})
	}
}
