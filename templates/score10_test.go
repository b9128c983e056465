package templates

import "context"
import "testing"

import "pareto/internal/numfmt"

// Score10 writes tenths from the integer: by hand at the edges, and the
// same as the locale's one-decimal float writing for every score up to
// 2,000.0.
func TestScore10(t *testing.T) {
	en, de := numfmt.WithLocale(context.Background(), numfmt.EN), numfmt.WithLocale(context.Background(), numfmt.DE)
	for _, c := range []struct {
		ctx  context.Context
		s10  int
		want string
	}{
		{en, 0, "–"}, {en, -3, "–"}, {en, 5, "0.5"}, {en, 73, "7.3"}, {en, 100, "10.0"}, {de, 73, "7,3"},
		{en, 12345, "1,234.5"}, {de, 12345, "1.234,5"},
	} {
		if got := Score10(c.ctx, c.s10); got != c.want {
			t.Errorf("Score10(%d) = %q, want %q", c.s10, got, c.want)
		}
	}
	for _, l := range []numfmt.Locale{numfmt.EN, numfmt.DE} {
		ctx := numfmt.WithLocale(context.Background(), l)
		for s10 := 1; s10 <= 20000; s10++ {
			if got, want := Score10(ctx, s10), l.FixedFloat(float64(s10)/10, 1); got != want {
				t.Fatalf("%s Score10(%d) = %q, FixedFloat %q", l.Name, s10, got, want)
			}
		}
	}
}
