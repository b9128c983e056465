package templates

import "context"
import "io"
import "strconv"

import "github.com/a-h/templ"

import "pareto/internal/account"
import "pareto/internal/scoring"

// Elements of the long lists written without templ's per-expression
// machinery.
//
// templ turns every class={ expr } into a class processor (two maps, a
// slice and a builder for each element, then a check for component CSS
// to emit), every text { expr } into fmt.Sprint of it and every
// attribute expression into an interface value resolved at run time.
// The shortlist draws 50 rows of nine cells and a dot per key account
// of the 2×2 on every request: measured under load (pprof of pareto
// serve, saturated shortlist at 2,000 accounts), its table alone was
// 16 % of the server's CPU, a third of it in that machinery. These
// write the same markup, escaped the same way, from the strings the
// page already has.

// htmlWriter writes raw strings and escaped text to w, keeping the
// first error.
type htmlWriter struct {
	w   io.Writer
	err error
}

// raw writes ss as they are: markup and values that need no escaping
// (numbers, UUIDs, constants).
func (h *htmlWriter) raw(ss ...string) {
	for _, s := range ss {
		if h.err != nil {
			return
		}
		_, h.err = io.WriteString(h.w, s)
	}
}

// text writes s escaped for an element's text or a quoted attribute.
func (h *htmlWriter) text(s string) { h.raw(templ.EscapeString(s)) }

// matrixDots are the 2×2's points: per dot a link to the account,
// carrying the dot's classes (quadrant, candidate, incomplete), around
// the circle with its tooltip (name, selection score, health, quadrant)
// and, where it fits, the name beside it.
func matrixDots(dots []MatrixDot) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		h := htmlWriter{w: w}
		for i := range dots {
			d := &dots[i]
			p := d.P
			h.raw(`<a href="/accounts/`, p.AccountID.String(), `" class="dot quadrant-`)
			h.text(string(p.Quadrant))
			if p.KeyStatus != "key" {
				h.raw(" candidate")
			}
			if !p.Complete {
				h.raw(" incomplete")
			}
			h.raw(`"><circle cx="`, coord(d.X), `" cy="`, coord(d.Y), `" r="5"><title>`)
			h.text(p.Name)
			h.raw(": selection score ")
			h.text(Score10(ctx, *p.Score10))
			h.raw(", health ", itoa(*p.Health), " — ")
			h.text(p.Quadrant.Label())
			h.raw("</title></circle>")
			if d.LabelOK {
				h.raw(`<text class="matrix-label" x="`, coord(d.LX), `" y="`, coord(d.LY), `" text-anchor="`, d.Anchor, `">`)
				h.text(d.Label)
				h.raw("</text>")
			}
			h.raw("</a>")
		}
		return h.err
	})
}

// shortlistRows is the shortlist table's body: rank, account, score,
// coverage, revenue (with its source when entered, not from figures),
// potential, headroom, key status, KAM. The number columns are
// right-aligned by the table's style (table.shortlist), not a class
// per cell.
func shortlistRows(rows []scoring.ShortRow) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		h := htmlWriter{w: w}
		for i := range rows {
			r := &rows[i]
			h.raw("<tr><td>", strconv.Itoa(r.Rank), `</td><td><a href="/scoring/accounts/`, r.AccountID.String(), `">`)
			h.text(r.Name)
			h.raw(`</a></td><td><span class="`, ScoreClass(r.Score), `">`)
			h.text(ScoreText(ctx, r.Score))
			h.raw("</span></td><td>", r.Score.Coverage())
			if !r.Score.Complete {
				h.raw(` <span class="badge badge-warn">Incomplete</span>`)
			}
			h.raw("</td><td>")
			h.text(Money(ctx, r.Revenue))
			if !r.RevenueFromFigures {
				h.raw(` <abbr class="muted" title="`, revenueEntered, `">*</abbr>`)
			}
			h.raw("</td><td>")
			h.text(Money(ctx, r.RevenuePotential))
			h.raw("</td><td>")
			h.text(Money(ctx, r.Headroom))
			h.raw(`</td><td><span class="badge badge-`)
			h.text(r.KeyStatus)
			h.raw(`">`)
			h.text(scoring.KeyStatusLabel(r.KeyStatus))
			h.raw("</span></td><td>")
			h.text(orDash(r.KAMName))
			h.raw("</td></tr>")
		}
		return h.err
	})
}

// revenueEntered is the tooltip of a revenue that was entered, escaped.
var revenueEntered = templ.EscapeString(account.RevenueSource(false))
