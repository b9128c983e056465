package numfmt

import "errors"
import "math"
import "testing"
import "time"

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

func TestFormat(t *testing.T) {
	l := EN
	for _, tt := range []struct{ got, want string }{
		{l.Amount(125000050), "1,250,000.50"},
		{l.Amount(125000000), "1,250,000"},
		{l.Amount(-123456), "-1,234.56"},
		{l.Amount(-5), "-0.05"},
		{l.Amount(99), "0.99"},
		{l.Plain(125000050, 2), "1250000.50"},
		{l.Plain(125000000, 2), "1250000"},
		{l.Plain(-5, 2), "-0.05"},
		{l.Percent(4567), "45.67"},
		{l.Percent(2500), "25"},
		{l.Percent(1250), "12.5"},
		{l.Decimal(4.50, 2), "4.5"},
		{l.Decimal(1250000, 2), "1250000"},
		{l.Decimal(-0.001, 2), "0"},
		{l.Date(time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC)), "2027-03-31"},
		{l.Date(time.Time{}), ""},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

// TestParseAlike: the ways people write one amount all read the same.
func TestParseAlike(t *testing.T) {
	// 120,000 = 12,000,000 cents; 1,250,000.50 = 125,000,050 cents.
	for want, forms := range map[int64][]string{
		12_000_000:  {"120,000", "120000", "120 000", "120.000", "120\u00a0000", "120'000", "120_000", "+120,000", "EUR 120,000", "€120,000.00", "120000 USD"},
		125_000_050: {"1 250 000.50", "1,250,000.50", "1250000.5", "1.250.000,50", "1 250 000,50", "1250000,50"},
		1250:        {"12,5", "12.50", "12.5"},
		100_500:     {"1.005", "1,005", "1005"},
		-500:        {"-5", "−5", "(5)", "-€5", "€-5"},
		50:          {".5", "0.5", "0,50"},
	} {
		for _, s := range forms {
			got, err := EN.ParseAmount(s)
			if err != nil || got != want {
				t.Errorf("ParseAmount(%q) = %d, %v; want %d", s, got, err, want)
			}
		}
	}
}

func TestParseErrors(t *testing.T) {
	for s, want := range map[string]error{
		"": ErrEmpty, "  ": ErrEmpty, "abc": ErrSyntax, "1,25,0": ErrSyntax, "1.2.3": ErrSyntax, "1e6": ErrSyntax,
		"12,34,56": ErrSyntax, "1.": ErrSyntax, "--1": ErrSyntax, "١٢": ErrSyntax, "-": ErrSyntax, "1,000.": ErrSyntax,
		"0.005": ErrDecimals, "1.2345": ErrDecimals, "NaN": ErrSyntax, "Inf": ErrSyntax,
		"1,000,000,000,000,000": ErrRange, "9999999999999999": ErrRange,
	} {
		if _, err := EN.ParseAmount(s); !errors.Is(err, want) {
			t.Errorf("ParseAmount(%q): %v, want %v", s, err, want)
		}
	}
}

func TestParseOthers(t *testing.T) {
	if v, err := EN.ParsePercent("45,67 %"); err != nil || v != 4567 {
		t.Errorf("ParsePercent = %d, %v", v, err)
	}
	if v, err := EN.ParsePercent("12.5%"); err != nil || v != 1250 {
		t.Errorf("ParsePercent = %d, %v", v, err)
	}
	if v, err := EN.ParseInt("1,000"); err != nil || v != 1000 {
		t.Errorf("ParseInt = %d, %v", v, err)
	}
	if _, err := EN.ParseInt("1.5"); !errors.Is(err, ErrDecimals) {
		t.Errorf("ParseInt(1.5): %v", err)
	}
	if v, err := EN.ParseDecimal("4,5", 1); err != nil || v != 4.5 {
		t.Errorf("ParseDecimal = %v, %v", v, err)
	}
	// With three decimals allowed, a lone "." is English's decimal point
	// and a lone "," groups thousands.
	if v, err := EN.ParseFixed("1.005", 3); err != nil || v != 1005 {
		t.Errorf("ParseFixed(1.005, 3) = %d, %v", v, err)
	}
	if v, err := EN.ParseFixed("1,005", 3); err != nil || v != 1_005_000 {
		t.Errorf("ParseFixed(1,005, 3) = %d, %v", v, err)
	}
	d, err := EN.ParseDate(" 2027-03-31 ")
	if err != nil || !d.Equal(time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("ParseDate = %v, %v", d, err)
	}
	for s, want := range map[string]error{"": ErrEmpty, "31/03/2027": ErrSyntax, "2027-02-30": ErrSyntax} {
		if _, err := EN.ParseDate(s); !errors.Is(err, want) {
			t.Errorf("ParseDate(%q): %v", s, err)
		}
	}
	if ForName("xx") != EN || ForName("en") != EN {
		t.Error("ForName")
	}
}

func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"1,250,000.50", "1.250.000,50", "EUR 5", "-1", "12,5", "(3)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := EN.ParseAmount(s)
		if err != nil {
			return
		}
		if v > 1e17 || v < -1e17 {
			t.Fatalf("ParseAmount(%q) = %d out of range", s, v)
		}
		for _, back := range []string{EN.Plain(v, 2), EN.Amount(v)} {
			w, err := EN.ParseAmount(back)
			if err != nil || w != v {
				t.Fatalf("round trip of %q: %d → %q → %d, %v", s, v, back, w, err)
			}
		}
	})
}

// The German locale writes what English writes with the separators
// swapped and dates day first; both read what either writes.
func TestGerman(t *testing.T) {
	l := DE
	day := time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)
	for _, tt := range []struct{ got, want string }{
		{l.Amount(125000050), "1.250.000,50"},
		{l.Amount(-123456), "-1.234,56"},
		{l.Plain(125000050, 2), "1250000,50"},
		{l.Percent(1250), "12,5"},
		{l.Decimal(4.5, 2), "4,5"},
		{l.Number(1250000.5, 2), "1.250.000,5"},
		{l.Number(-1234, 0), "−1.234"},
		{l.FixedFloat(12.3, 2), "12,30"},
		{EN.Number(1250000.5, 2), "1,250,000.5"},
		{EN.FixedFloat(-0.001, 1), "0.0"},
		{l.Date(day), "31.12.2026"},
		{EN.Date(day), "2026-12-31"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
	// 1,250,000.50 typed either way is 125000050 cents in either locale.
	for _, loc := range All {
		for _, s := range []string{"1.250.000,50", "1,250,000.50", "1250000,50", "€ 1.250.000,50"} {
			if v, err := loc.ParseAmount(s); err != nil || v != 125000050 {
				t.Errorf("%s ParseAmount(%q) = %d, %v", loc.Name, s, v, err)
			}
		}
		for _, s := range []string{"2026-12-31"} {
			if d, err := loc.ParseDate(s); err != nil || !d.Equal(day) {
				t.Errorf("%s ParseDate(%q) = %v, %v", loc.Name, s, d, err)
			}
		}
	}
	if d, err := l.ParseDate("31.12.2026"); err != nil || !d.Equal(day) {
		t.Errorf("de ParseDate(31.12.2026) = %v, %v", d, err)
	}
	if _, err := EN.ParseDate("31.12.2026"); !errors.Is(err, ErrSyntax) {
		t.Errorf("en ParseDate(31.12.2026) = %v, want ErrSyntax", err)
	}
	ctx := WithLocale(t.Context(), DE)
	if From(ctx).Name != "de" || From(t.Context()).Name != "en" {
		t.Error("From does not return the locale WithLocale put")
	}
}

// Digits by hand at the edges: no separator below 1,000, one every three
// digits, the absolute value, and the int64 extremes.
func TestDigits(t *testing.T) {
	for _, c := range []struct {
		l    Locale
		n    int64
		want string
	}{
		{EN, 0, "0"},
		{EN, 7, "7"},
		{EN, 999, "999"},
		{EN, 1000, "1,000"},
		{EN, -1000, "1,000"},
		{EN, 100000, "100,000"},
		{EN, 1234567, "1,234,567"},
		{DE, 1234567, "1.234.567"},
		{EN, math.MaxInt64, "9,223,372,036,854,775,807"},
		{EN, math.MinInt64, "9,223,372,036,854,775,808"},
	} {
		if got := c.l.Digits(c.n); got != c.want {
			t.Errorf("%s Digits(%d) = %q, want %q", c.l.Name, c.n, got, c.want)
		}
	}
}
