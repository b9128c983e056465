package templates

import "context"
import "math"
import "strconv"
import "strings"

import "pareto/internal/kpi"
import "pareto/internal/numfmt"

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

// loc is the locale the page is rendered in (the tenant's, put into the
// request by the server; English when none).
func loc(ctx context.Context) numfmt.Locale { return numfmt.From(ctx) }

// FormatMoney shows an amount in full: "€1,234,568" ("€1.234.568" in de).
func FormatMoney(ctx context.Context, v float64, currency string) string {
	return withCurrency(loc(ctx).Number(math.Round(v), 0), currency)
}

// FormatMoneyShort shows an amount compactly: "€1.23M", "€45.6k", "€950".
func FormatMoneyShort(ctx context.Context, v float64, currency string) string {
	a, l := math.Abs(v), loc(ctx)
	var s string
	switch {
	case a >= 1e9:
		s = l.FixedFloat(v/1e9, 2) + "B"
	case a >= 1e6:
		s = l.FixedFloat(v/1e6, 2) + "M"
	case a >= 1e4:
		s = l.FixedFloat(v/1e3, 1) + "k"
	default:
		return FormatMoney(ctx, v, currency)
	}
	return withCurrency(s, currency)
}

// FormatPct shows a ratio as a percentage: "12.3%", or "—".
func FormatPct(ctx context.Context, v kpi.Value) string {
	if !v.OK {
		return dash
	}
	return signed(ctx, v.V*100, 1, false) + "%"
}

// FormatGrowth shows a change with its sign: "+12.3%", "−4.0%", or "—".
func FormatGrowth(ctx context.Context, v kpi.Value) string {
	if !v.OK {
		return dash
	}
	return signed(ctx, v.V*100, 1, true) + "%"
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

// signed writes v with exactly prec decimals in the page's locale, "−"
// when negative and "+" when plus and not zero.
func signed(ctx context.Context, v float64, prec int, plus bool) string {
	s := loc(ctx).FixedFloat(v, prec)
	if plus && !strings.HasPrefix(s, "−") && strings.Trim(s, "0.,") != "" {
		return "+" + s
	}
	return s
}

// FormatCSAT shows an average CSAT on the tenant's scale.
func FormatCSAT(ctx context.Context, v kpi.Value, scale string) string {
	if !v.OK {
		return dash
	}
	if scale == kpi.ScalePercent {
		return signed(ctx, v.V, 1, false) + "%"
	}
	return signed(ctx, v.V, 2, false) + " / 5"
}

// FormatNPS shows an NPS with its sign: "+32", "−5", or "—".
func FormatNPS(v kpi.Value) string {
	if !v.OK {
		return dash
	}
	return signed(context.Background(), v.V, 0, true) // a whole number: the same in every locale
}

// FormatAdoption shows an adoption rate: "72.5%", or "—".
func FormatAdoption(ctx context.Context, v kpi.Value) string {
	if !v.OK {
		return dash
	}
	return signed(ctx, v.V, 1, false) + "%"
}

func optMoney(ctx context.Context, v kpi.Value, currency string) string {
	if !v.OK {
		return dash
	}
	return FormatMoney(ctx, v.V, currency)
}

func optFloat(ctx context.Context, p *float64, prec int) string {
	if p == nil {
		return dash
	}
	return signed(ctx, *p, prec, false)
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
	return signed(context.Background(), float64(*p), 0, true)
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
