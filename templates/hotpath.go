package templates

import "context"
import "encoding/hex"
import "io"
import "strconv"
import "strings"

import "github.com/a-h/templ"
import "github.com/google/uuid"

import "pareto/internal/account"
import "pareto/internal/numfmt"
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
// first error. The ids and numbers of the rows and dots it formats into
// buf, which it reuses, rather than into a new string each (uuid.String,
// Money, coord: a third of the objects a shortlist request allocated).
type htmlWriter struct {
	w   io.Writer
	err error
	buf [48]byte
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

// bytes writes b, formatted into h.buf, as it is: it must need no
// escaping (digits, separators, hex).
func (h *htmlWriter) bytes(b []byte) {
	if h.err != nil {
		return
	}
	_, h.err = h.w.Write(b)
}

// uuid writes id as uuid.String does.
func (h *htmlWriter) uuid(id uuid.UUID) {
	b := h.buf[:36]
	hex.Encode(b[0:8], id[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], id[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], id[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], id[8:10])
	b[23] = '-'
	hex.Encode(b[24:], id[10:])
	h.bytes(b)
}

// int writes n as strconv.Itoa does.
func (h *htmlWriter) int(n int) { h.bytes(strconv.AppendInt(h.buf[:0], int64(n), 10)) }

// coord writes coord(v).
func (h *htmlWriter) coord(v float64) { h.bytes(appendCoord(h.buf[:0], v)) }

// The locale's numbers: digits, its separators and a minus sign, which
// need no escaping in the two locales there are (numfmt.Locales); one
// whose separator would is written escaped (number).

// money writes Money in l.
func (h *htmlWriter) money(l numfmt.Locale, c int64) {
	h.number(l, l.AppendInt(h.buf[:0], scoring.RoundCents(c)))
}

// score10 writes Score10 in l.
func (h *htmlWriter) score10(l numfmt.Locale, s10 int) { h.number(l, appendScore10(h.buf[:0], l, s10)) }

func (h *htmlWriter) number(l numfmt.Locale, b []byte) {
	if plainSeparator(l.Thousands) && plainSeparator(l.Point) {
		h.bytes(b)
		return
	}
	h.text(string(b))
}

// plainSeparator reports whether c needs no escaping in HTML
// (templ.EscapeString escapes & ' < > ").
func plainSeparator(c byte) bool { return !strings.ContainsRune(`&'<>"`, rune(c)) }

// matrixDots are the 2×2's points: per dot a link to the account,
// carrying the dot's classes (quadrant, candidate, incomplete), around
// the circle with its tooltip (name, selection score, health, quadrant)
// and, where it fits, the name beside it.
func matrixDots(dots []MatrixDot) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		h, l := htmlWriter{w: w}, loc(ctx)
		for i := range dots {
			d := &dots[i]
			p := d.P
			h.raw(`<a href="/accounts/`)
			h.uuid(p.AccountID)
			h.raw(`" class="dot quadrant-`)
			h.text(string(p.Quadrant))
			if p.KeyStatus != "key" {
				h.raw(" candidate")
			}
			if !p.Complete {
				h.raw(" incomplete")
			}
			h.raw(`"><circle cx="`)
			h.coord(d.X)
			h.raw(`" cy="`)
			h.coord(d.Y)
			h.raw(`" r="5"><title>`)
			h.text(p.Name)
			h.raw(": selection score ")
			h.score10(l, *p.Score10)
			h.raw(", health ")
			h.int(*p.Health)
			h.raw(" — ")
			h.text(p.Quadrant.Label())
			h.raw("</title></circle>")
			if d.LabelOK {
				h.raw(`<text class="matrix-label" x="`)
				h.coord(d.LX)
				h.raw(`" y="`)
				h.coord(d.LY)
				h.raw(`" text-anchor="`, d.Anchor, `">`)
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
		h, l := htmlWriter{w: w}, loc(ctx)
		for i := range rows {
			r := &rows[i]
			h.raw("<tr><td>")
			h.int(r.Rank)
			h.raw(`</td><td><a href="/scoring/accounts/`)
			h.uuid(r.AccountID)
			h.raw(`">`)
			h.text(r.Name)
			h.raw(`</a></td><td><span class="`, ScoreClass(r.Score), `">`)
			h.score10(l, r.Score.Score10)
			h.raw("</span></td><td>")
			h.int(r.Score.Scored)
			h.raw("/")
			h.int(r.Score.Total)
			if !r.Score.Complete {
				h.raw(` <span class="badge badge-warn">Incomplete</span>`)
			}
			h.raw("</td><td>")
			h.money(l, r.Revenue)
			if !r.RevenueFromFigures {
				h.raw(` <abbr class="muted" title="`, revenueEntered, `">*</abbr>`)
			}
			h.raw("</td><td>")
			h.money(l, r.RevenuePotential)
			h.raw("</td><td>")
			h.money(l, r.Headroom)
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

// whatIfFields are the what-if panel's weight fields, one per criterion
// in force: label, number input (the typed value, else the weight in
// force), the weight in force as a hint, and the field's error. Written
// here rather than in templ: its class and attribute expressions and the
// ids built per field came to ~30 allocations a criterion, ~190 on every
// shortlist view (alloc profile, saturated shortlist).
func whatIfFields(f WhatIfForm) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		h := htmlWriter{w: w}
		for _, wt := range f.Weights {
			msg, failed := "", false
			if len(f.Errors) > 0 { // the field's name only then: a page view has none
				msg, failed = f.Errors["weight_"+wt.CriterionID.String()]
			}
			h.raw(`<div class="field`)
			if failed {
				h.raw(" has-error")
			}
			h.raw(`"><label for="wi-`)
			h.uuid(wt.CriterionID)
			h.raw(`">`)
			h.text(wt.Name)
			h.raw(` (%)</label> <input id="wi-`)
			h.uuid(wt.CriterionID)
			h.raw(`" name="weight_`)
			h.uuid(wt.CriterionID)
			h.raw(`" type="number" min="0" max="100" step="0.01" value="`)
			h.text(f.Value(wt))
			h.raw(`"><p class="hint">Now `)
			h.text(WeightPct(ctx, wt))
			h.raw(" %</p>")
			if failed {
				h.raw(`<p class="error" id="weight_`)
				h.uuid(wt.CriterionID)
				h.raw(`-error">`)
				h.text(msg)
				h.raw("</p>")
			}
			h.raw("</div>")
		}
		return h.err
	})
}
