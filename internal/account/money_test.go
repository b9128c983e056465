package account

import "testing"

func TestParseMoney(t *testing.T) {
	ok := map[string]Money{
		"": 0, "0": 0, "1250000": 125000000, "1,250,000.50": 125000050, "1 250 000": 125000000,
		"1.250.000,50": 125000050, "1250000.5": 125000050, "12,5": 1250, "99,95": 9995, "EUR 1,000": 100000,
		"€1,000.00": 100000, "1000 USD": 100000, "999,999,999,999.99": 99999999999999, "0.01": 1, ".5": 50, "700.000": 70000000, "12.500": 1250000, "1,250": 125000,
	}
	for in, want := range ok {
		got, err := ParseMoney(in)
		if err != nil || got != want {
			t.Errorf("ParseMoney(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"-5", "(5)", "abc", "1,25,0", "1.2.3", "0.005", "1.2345", "1,000,000,000,000", "1e6", "12,34,56", "1.", "--1", "١٢"} {
		if got, err := ParseMoney(in); err == nil {
			t.Errorf("ParseMoney(%q) = %d, want an error", in, got)
		}
	}
}

func TestMoneyFormat(t *testing.T) {
	for m, want := range map[Money]string{0: "0", 125000050: "1,250,000.50", 100000: "1,000", -123456: "-1,234.56", 99: "0.99"} {
		if got := m.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", m, got, want)
		}
	}
	if got := Money(125000050).Plain(); got != "1250000.50" {
		t.Errorf("Plain = %q", got)
	}
	if got := Money(125000050).Short(); got != "1.3M" {
		t.Errorf("Short = %q", got)
	}
}

func FuzzParseMoney(f *testing.F) {
	for _, s := range []string{"1,250,000.50", "1.250.000,50", "EUR 5", "-1", "12,5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMoney(s)
		if err != nil {
			return
		}
		if m < 0 || m > MaxMoney {
			t.Fatalf("ParseMoney(%q) = %d out of range", s, m)
		}
		back, err := ParseMoney(m.Plain())
		if err != nil || back != m {
			t.Fatalf("round trip of %q: %d → %q → %d, %v", s, m, m.Plain(), back, err)
		}
	})
}
