package templates

import "context"
import "strings"
import "testing"

import "github.com/google/uuid"

import "pareto/internal/health"
import "pareto/internal/numfmt"
import "pareto/internal/scoring"

// TestHotPathEscapes: the shortlist's rows and the 2×2's dots are written
// by hand (hotpath.go), not by templ, so nothing escapes for them but
// their own code. Every text that comes from a person (account name, KAM
// name, label) is written escaped, in element text and in the tooltip.
func TestHotPathEscapes(t *testing.T) {
	const evil = `<script>alert(1)</script>"onmouseover="x'&amp;`
	// By hand: < > " ' & each escaped, the & of &amp; too.
	const escaped = `&lt;script&gt;alert(1)&lt;/script&gt;&#34;onmouseover=&#34;x&#39;&amp;amp;`
	ctx := context.Background()
	id := uuid.MustParse("11111111-2222-3333-4444-555555555555")
	var b strings.Builder
	row := scoring.ShortRow{Rank: 7, AccountID: id, Name: evil, KAMName: evil, KeyStatus: "key",
		Score: scoring.Score{Score10: 73, Scored: 4, Total: 5}}
	if err := shortlistRows([]scoring.ShortRow{row}).Render(ctx, &b); err != nil {
		t.Fatal(err)
	}
	rows := b.String()
	for _, want := range []string{`<tr><td>7</td><td><a href="/scoring/accounts/` + id.String() + `">` + escaped + `</a>`,
		"<td>" + escaped + "</td></tr>", "4/5", `badge-warn">Incomplete`} {
		if !strings.Contains(rows, want) {
			t.Errorf("row lacks %q:\n%s", want, rows)
		}
	}
	score, h := 73, 40
	p := health.MatrixPoint{AccountID: id, Name: evil, KeyStatus: "key", Score10: &score, Health: &h, Complete: true, Quadrant: health.Repair}
	b.Reset()
	dot := MatrixDot{Pt: Pt{X: 12.34, Y: 56}, P: &p, Label: evil, LabelOK: true, LX: 20, LY: 60, Anchor: "start"}
	if err := matrixDots([]MatrixDot{dot}).Render(ctx, &b); err != nil {
		t.Fatal(err)
	}
	dots := b.String()
	for _, want := range []string{`<a href="/accounts/` + id.String() + `" class="dot quadrant-repair">`,
		`<circle cx="12.3" cy="56" r="5"><title>` + escaped + `: selection score 7.3, health 40 — Repair</title></circle>`,
		`<text class="matrix-label" x="20" y="60" text-anchor="start">` + escaped + `</text></a>`} {
		if !strings.Contains(dots, want) {
			t.Errorf("dot lacks %q:\n%s", want, dots)
		}
	}
	for _, out := range []string{rows, dots} {
		if strings.Contains(out, "<script") || strings.Contains(out, `"onmouseover`) {
			t.Errorf("unescaped markup from a name:\n%s", out)
		}
	}
}

// TestHotPathNumbers: the rows and dots format their ids and numbers into
// a buffer they reuse (htmlWriter's uuid, int, money, score10, coord),
// not through uuid.String, Money, Score10 and coord; they write the same
// text. Expected values by hand: 123,456,789 cents round to 1,234,568
// (half a unit up, away from zero for the negative headroom), 5 cents to
// 0 (RoundCents: (5+50)/100 = 0), a score of 0 tenths is the dash, 4.0
// keeps its tenth; coordinates in tenths: -3.04 → "-3", 0.95 → "1",
// 719.96 → "720", 12.34 → "12.3"; German swaps the separators.
func TestHotPathNumbers(t *testing.T) {
	id := uuid.MustParse("0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9")
	rows := []scoring.ShortRow{
		{Rank: 1234, AccountID: id, Name: "A", KeyStatus: "candidate", RevenueFromFigures: true,
			Revenue: 123456789, RevenuePotential: 5, Headroom: -123456789, Score: scoring.Score{Score10: 40, Scored: 12, Total: 12, Complete: true}},
		{Rank: 2, AccountID: uuid.Nil, Name: "B", KeyStatus: "key", RevenueFromFigures: true, Score: scoring.Score{Total: 3}},
	}
	score, h := 100, 0
	p := health.MatrixPoint{AccountID: id, Name: "N", KeyStatus: "key", Score10: &score, Health: &h, Complete: true, Quadrant: health.Maintain}
	dots := []MatrixDot{{Pt: Pt{X: -3.04, Y: 0.95}, P: &p, Label: "N", LabelOK: true, LX: 719.96, LY: 12.34, Anchor: "end"}}
	for _, tc := range []struct {
		loc                      numfmt.Locale
		revenue, potential, head string
		score, dotScore          string
	}{
		{numfmt.EN, "1,234,568", "0", "-1,234,568", "4.0", "10.0"},
		{numfmt.DE, "1.234.568", "0", "-1.234.568", "4,0", "10,0"},
	} {
		ctx := numfmt.WithLocale(context.Background(), tc.loc)
		var b strings.Builder
		if err := shortlistRows(rows).Render(ctx, &b); err != nil {
			t.Fatal(err)
		}
		want := `<tr><td>1234</td><td><a href="/scoring/accounts/0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9">A</a></td>` +
			`<td><span class="score score-low">` + tc.score + `</span></td><td>12/12</td><td>` + tc.revenue + `</td><td>` + tc.potential +
			`</td><td>` + tc.head + `</td><td><span class="badge badge-candidate">Candidate</span></td><td>—</td></tr>` +
			`<tr><td>2</td><td><a href="/scoring/accounts/00000000-0000-0000-0000-000000000000">B</a></td>` +
			`<td><span class="score score-none">–</span></td><td>0/3 <span class="badge badge-warn">Incomplete</span></td><td>0</td><td>0</td><td>0</td>` +
			`<td><span class="badge badge-key">Key account</span></td><td>—</td></tr>`
		if got := b.String(); got != want {
			t.Errorf("%s rows:\n got %s\nwant %s", tc.loc.Name, got, want)
		}
		b.Reset()
		if err := matrixDots(dots).Render(ctx, &b); err != nil {
			t.Fatal(err)
		}
		want = `<a href="/accounts/0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9" class="dot quadrant-maintain"><circle cx="-3" cy="1" r="5">` +
			`<title>N: selection score ` + tc.dotScore + `, health 0 — Maintain</title></circle>` +
			`<text class="matrix-label" x="720" y="12.3" text-anchor="end">N</text></a>`
		if got := b.String(); got != want {
			t.Errorf("%s dots:\n got %s\nwant %s", tc.loc.Name, got, want)
		}
	}
}

// TestWhatIfFields: the what-if panel's fields are written by hand
// (whatIfFields) as the templ loop wrote them: the panel below is the
// templ version's output, captured before the change, with an error on
// the second field, a typed value there and markup in a criterion's
// name (escaped in text and attribute alike), in both locales (the hint
// is the locale's, the input's value always "40.83": form values are
// read back in any locale), and without errors or typed values.
func TestWhatIfFields(t *testing.T) {
	a, b := uuid.MustParse("0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9"), uuid.MustParse("11111111-2222-3333-4444-555555555555")
	weights := []scoring.Weight{{CriterionID: a, Name: `Fit <&"'>`, BPS: 4083}, {CriterionID: b, Name: "Solvency", BPS: 5917}}
	failed := WhatIfForm{Weights: weights, Values: map[string]string{"weight_" + b.String(): `60"x`},
		Errors: map[string]string{"weight_" + b.String(): `Enter 0 to 100 <now>.`, "weights": "Sum <0>."}}
	for _, tc := range []struct {
		ctx  context.Context
		f    WhatIfForm
		want string
	}{
		{context.Background(), failed, "<aside class=\"card whatif-panel\" aria-labelledby=\"whatif-h\"><h2 id=\"whatif-h\">What if…</h2><p class=\"muted small\">Move the weights and see the ranking re-computed before anything is saved.</p><p class=\"error\" role=\"alert\">Sum &lt;0&gt;.</p><form method=\"get\" action=\"/shortlist/whatif\" class=\"stacked\" novalidate><div class=\"field\"><label for=\"wi-0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9\">Fit &lt;&amp;&#34;&#39;&gt; (%)</label> <input id=\"wi-0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9\" name=\"weight_0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9\" type=\"number\" min=\"0\" max=\"100\" step=\"0.01\" value=\"40.83\"><p class=\"hint\">Now 40.83 %</p></div><div class=\"field has-error\"><label for=\"wi-11111111-2222-3333-4444-555555555555\">Solvency (%)</label> <input id=\"wi-11111111-2222-3333-4444-555555555555\" name=\"weight_11111111-2222-3333-4444-555555555555\" type=\"number\" min=\"0\" max=\"100\" step=\"0.01\" value=\"60&#34;x\"><p class=\"hint\">Now 59.17 %</p><p class=\"error\" id=\"weight_11111111-2222-3333-4444-555555555555-error\">Enter 0 to 100 &lt;now&gt;.</p></div><p class=\"muted small\">Weights are scaled to add up to 100 %.</p><div class=\"form-actions\"><button type=\"submit\" class=\"btn\">Re-rank</button> <a href=\"/shortlist\">Reset</a></div></form></aside>"},
		{context.Background(), WhatIfForm{Weights: weights}, "<aside class=\"card whatif-panel\" aria-labelledby=\"whatif-h\"><h2 id=\"whatif-h\">What if…</h2><p class=\"muted small\">Move the weights and see the ranking re-computed before anything is saved.</p><form method=\"get\" action=\"/shortlist/whatif\" class=\"stacked\" novalidate><div class=\"field\"><label for=\"wi-0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9\">Fit &lt;&amp;&#34;&#39;&gt; (%)</label> <input id=\"wi-0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9\" name=\"weight_0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9\" type=\"number\" min=\"0\" max=\"100\" step=\"0.01\" value=\"40.83\"><p class=\"hint\">Now 40.83 %</p></div><div class=\"field\"><label for=\"wi-11111111-2222-3333-4444-555555555555\">Solvency (%)</label> <input id=\"wi-11111111-2222-3333-4444-555555555555\" name=\"weight_11111111-2222-3333-4444-555555555555\" type=\"number\" min=\"0\" max=\"100\" step=\"0.01\" value=\"59.17\"><p class=\"hint\">Now 59.17 %</p></div><p class=\"muted small\">Weights are scaled to add up to 100 %.</p><div class=\"form-actions\"><button type=\"submit\" class=\"btn\">Re-rank</button> <a href=\"/shortlist\">Reset</a></div></form></aside>"},
		{numfmt.WithLocale(context.Background(), numfmt.DE), failed, "<aside class=\"card whatif-panel\" aria-labelledby=\"whatif-h\"><h2 id=\"whatif-h\">What if…</h2><p class=\"muted small\">Move the weights and see the ranking re-computed before anything is saved.</p><p class=\"error\" role=\"alert\">Sum &lt;0&gt;.</p><form method=\"get\" action=\"/shortlist/whatif\" class=\"stacked\" novalidate><div class=\"field\"><label for=\"wi-0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9\">Fit &lt;&amp;&#34;&#39;&gt; (%)</label> <input id=\"wi-0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9\" name=\"weight_0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9\" type=\"number\" min=\"0\" max=\"100\" step=\"0.01\" value=\"40.83\"><p class=\"hint\">Now 40,83 %</p></div><div class=\"field has-error\"><label for=\"wi-11111111-2222-3333-4444-555555555555\">Solvency (%)</label> <input id=\"wi-11111111-2222-3333-4444-555555555555\" name=\"weight_11111111-2222-3333-4444-555555555555\" type=\"number\" min=\"0\" max=\"100\" step=\"0.01\" value=\"60&#34;x\"><p class=\"hint\">Now 59,17 %</p><p class=\"error\" id=\"weight_11111111-2222-3333-4444-555555555555-error\">Enter 0 to 100 &lt;now&gt;.</p></div><p class=\"muted small\">Weights are scaled to add up to 100 %.</p><div class=\"form-actions\"><button type=\"submit\" class=\"btn\">Re-rank</button> <a href=\"/shortlist\">Reset</a></div></form></aside>"},
		{numfmt.WithLocale(context.Background(), numfmt.DE), WhatIfForm{Weights: weights}, "<aside class=\"card whatif-panel\" aria-labelledby=\"whatif-h\"><h2 id=\"whatif-h\">What if…</h2><p class=\"muted small\">Move the weights and see the ranking re-computed before anything is saved.</p><form method=\"get\" action=\"/shortlist/whatif\" class=\"stacked\" novalidate><div class=\"field\"><label for=\"wi-0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9\">Fit &lt;&amp;&#34;&#39;&gt; (%)</label> <input id=\"wi-0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9\" name=\"weight_0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9\" type=\"number\" min=\"0\" max=\"100\" step=\"0.01\" value=\"40.83\"><p class=\"hint\">Now 40,83 %</p></div><div class=\"field\"><label for=\"wi-11111111-2222-3333-4444-555555555555\">Solvency (%)</label> <input id=\"wi-11111111-2222-3333-4444-555555555555\" name=\"weight_11111111-2222-3333-4444-555555555555\" type=\"number\" min=\"0\" max=\"100\" step=\"0.01\" value=\"59.17\"><p class=\"hint\">Now 59,17 %</p></div><p class=\"muted small\">Weights are scaled to add up to 100 %.</p><div class=\"form-actions\"><button type=\"submit\" class=\"btn\">Re-rank</button> <a href=\"/shortlist\">Reset</a></div></form></aside>"},
	} {
		var sb strings.Builder
		if err := whatIfPanel(tc.f).Render(tc.ctx, &sb); err != nil {
			t.Fatal(err)
		}
		if got := sb.String(); got != tc.want {
			t.Errorf("what-if panel:\n got %s\nwant %s", got, tc.want)
		}
	}
}
