package templates

import "math"
import "strconv"
import "testing"

// TestCoord: coord writes what strconv.FormatFloat's shortest form of the
// value rounded to tenths writes, for every tenth from -1,000 to 10,000
// and for values between tenths (a coordinate rounded up to the next
// integer: 339.96 → "340"; down: 12.04 → "12").
func TestCoord(t *testing.T) {
	want := func(v float64) string {
		r := math.Round(v*10) / 10
		if r == 0 {
			r = 0 // no "-0"
		}
		return strconv.FormatFloat(r, 'f', -1, 64)
	}
	for n := -10000; n <= 100000; n++ {
		for _, v := range []float64{float64(n) / 10, float64(n)/10 + 0.04, float64(n)/10 - 0.04, float64(n)/10 + 0.051} {
			if got := coord(v); got != want(v) {
				t.Fatalf("coord(%v) = %q, want %q", v, got, want(v))
			}
		}
	}
	for v, s := range map[float64]string{339.6: "339.6", 339.96: "340", 12.04: "12", 0: "0", -6: "-6", -0.04: "0", 704: "704", 266.66666: "266.7"} {
		if got := coord(v); got != s {
			t.Errorf("coord(%v) = %q, want %q", v, got, s)
		}
	}
}
