package templates

import (
	"math"
	"strconv"
	"strings"

	"pareto/internal/kpi"
	"pareto/internal/numfmt"
)

// Number formatting for KPI pages: one way everywhere.

const dash = "—"

var currencySymbols = map[string]string{"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥"}

func withCurrency(amount, currency string) string {
	if sym, ok := currencySymbols[currency]; ok {
		if strings.HasPrefix(amount, "−") {
			return "−" + sym + strings.TrimPrefix(amount, "−")
		}
		return sym + amount
	}
	if currency == "" {
		return amount
	}
	return amount + " " + currency
}

// groupThousands writes an integer part with thousands separators.
func groupThousands(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, hasFrac := strings.Cut(s, ".")
	n, err := strconv.ParseInt(intPart, 10, 64)
	if err != nil {
		return s // not a number: show it as it is
	}
	out := numfmt.Digits(n)
	if hasFrac {
		out += "." + frac
	}
	if neg {
		out = "−" + out
	}
	return out
}

// FormatMoney shows an amount in full: "€1,234,568".
func FormatMoney(v float64, currency string) string {
	return withCurrency(groupThousands(strconv.FormatFloat(math.Round(v), 'f', 0, 64)), currency)
}

// FormatMoneyShort shows an amount compactly: "€1.23M", "€45.6k", "€950".
func FormatMoneyShort(v float64, currency string) string {
	a := math.Abs(v)
	var s string
	switch {
	case a >= 1e9:
		s = strconv.FormatFloat(v/1e9, 'f', 2, 64) + "B"
	case a >= 1e6:
		s = strconv.FormatFloat(v/1e6, 'f', 2, 64) + "M"
	case a >= 1e4:
		s = strconv.FormatFloat(v/1e3, 'f', 1, 64) + "k"
	default:
		return FormatMoney(v, currency)
	}
	if strings.HasPrefix(s, "-") {
		s = "−" + s[1:]
	}
	return withCurrency(s, currency)
}

// FormatPct shows a ratio as a percentage: "12.3%", or "—".
func FormatPct(v kpi.Value) string {
	if !v.OK {
		return dash
	}
	return signed(v.V*100, 1, false) + "%"
}

// FormatGrowth shows a change with its sign: "+12.3%", "−4.0%", or "—".
func FormatGrowth(v kpi.Value) string {
	if !v.OK {
		return dash
	}
	return signed(v.V*100, 1, true) + "%"
}

// GrowthClass colours a change.
func GrowthClass(v kpi.Value) string {
	switch {
	case !v.OK:
		return "kpi-flat"
	case v.V > 0.0005:
		return "kpi-up"
	case v.V < -0.0005:
		return "kpi-down"
	}
	return "kpi-flat"
}

func signed(v float64, prec int, plus bool) string {
	s := strconv.FormatFloat(v, 'f', prec, 64)
	if s == "-"+strconv.FormatFloat(0, 'f', prec, 64) {
		s = s[1:]
	}
	switch {
	case strings.HasPrefix(s, "-"):
		return "−" + s[1:]
	case plus && strings.Trim(s, "0.") != "":
		return "+" + s
	}
	return s
}

// FormatCSAT shows an average CSAT on the tenant's scale.
func FormatCSAT(v kpi.Value, scale string) string {
	if !v.OK {
		return dash
	}
	if scale == kpi.ScalePercent {
		return strconv.FormatFloat(v.V, 'f', 1, 64) + "%"
	}
	return strconv.FormatFloat(v.V, 'f', 2, 64) + " / 5"
}

// FormatNPS shows an NPS with its sign: "+32", "−5", or "—".
func FormatNPS(v kpi.Value) string {
	if !v.OK {
		return dash
	}
	return signed(v.V, 0, true)
}

// FormatAdoption shows an adoption rate: "72.5%", or "—".
func FormatAdoption(v kpi.Value) string {
	if !v.OK {
		return dash
	}
	return strconv.FormatFloat(v.V, 'f', 1, 64) + "%"
}

func optMoney(v kpi.Value, currency string) string {
	if !v.OK {
		return dash
	}
	return FormatMoney(v.V, currency)
}

func optFloat(p *float64, prec int) string {
	if p == nil {
		return dash
	}
	return strconv.FormatFloat(*p, 'f', prec, 64)
}

func optInt(p *int) string {
	if p == nil {
		return dash
	}
	return strconv.Itoa(*p)
}

func optNPS(p *int) string {
	if p == nil {
		return dash
	}
	return signed(float64(*p), 0, true)
}

func ptrValue(p *float64) kpi.Value {
	if p == nil {
		return kpi.Value{}
	}
	return kpi.Some(*p)
}

func intValue(p *int) kpi.Value {
	if p == nil {
		return kpi.Value{}
	}
	return kpi.Some(float64(*p))
}
