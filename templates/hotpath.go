package templates

import "context"
import "io"

import "github.com/a-h/templ"

// Elements of the long lists written without templ's class processing.
//
// templ turns every class={ expr } into a class processor (two maps, a
// slice and a builder for each element, then a check for component CSS
// to emit). The shortlist draws about 150 such elements a request (a
// score and a status badge per row, a dot per account of the 2×2):
// measured under load, a sixth of the bytes the request allocated.
// These write the same markup, escaped the same way, from the strings
// the page already has.

// classedText is <tag class="class">text</tag>, class and text escaped.
// tag must be a constant element name.
func classedText(tag, class, text string) templ.Component {
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		return writeAll(w, "<", tag, ` class="`, templ.EscapeString(class), `">`, templ.EscapeString(text), "</", tag, ">")
	})
}

// dotCircle is an SVG dot with its tooltip:
// <circle class="class" cx="cx" cy="cy" r="r"><title>title</title></circle>,
// class and title escaped; cx, cy and r are numbers.
func dotCircle(class, cx, cy, r, title string) templ.Component {
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		return writeAll(w, `<circle class="`, templ.EscapeString(class), `" cx="`, cx, `" cy="`, cy, `" r="`, r, `"><title>`,
			templ.EscapeString(title), "</title></circle>")
	})
}

func writeAll(w io.Writer, ss ...string) error {
	for _, s := range ss {
		if _, err := io.WriteString(w, s); err != nil {
			return err
		}
	}
	return nil
}
