package templates

import "context"
import "strings"
import "testing"

import "github.com/google/uuid"

import "pareto/internal/health"
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
