package csvcell

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
