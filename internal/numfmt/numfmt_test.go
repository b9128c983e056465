package numfmt

import "testing"

func TestInt(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 7: "7", 999: "999", 1000: "1,000", 1234567: "1,234,567", -1250000: "-1,250,000"} {
		if got := Int(n); got != want {
			t.Errorf("Int(%d) = %q, want %q", n, got, want)
		}
	}
	if got := Digits(-42000); got != "42,000" {
		t.Errorf("Digits(-42000) = %q", got)
	}
}
