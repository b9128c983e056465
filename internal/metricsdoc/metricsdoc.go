// Package metricsdoc reads the worked examples of docs/metrics.md (and of
// the other pages in docs/ that have some, e.g. docs/health.md), so the
// definitions people read are the fixtures the tests run: a table that
// follows a line <!-- fixture: NAME --> is fixture NAME.
package metricsdoc

import "bufio"
import "fmt"
import "os"
import "path/filepath"
import "runtime"
import "strings"

// Path is docs/metrics.md in this source tree.
func Path() string { return DocPath("metrics.md") }

// DocPath is the page doc of docs/ in this source tree.
func DocPath(doc string) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "docs", doc)
}

// Table returns fixture name's rows of docs/metrics.md (header and
// separator left out), each a row's cells trimmed.
func Table(name string) ([][]string, error) { return TableIn("metrics.md", name) }

// TableIn returns fixture name's rows of the page doc of docs/.
func TableIn(doc, name string) ([][]string, error) {
	path := DocPath(doc)
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var rows [][]string
	in, header := false, 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "<!-- fixture: "+name+" -->":
			in = true
		case in && strings.HasPrefix(line, "|"):
			if header++; header <= 2 { // the header and the |---| line
				continue
			}
			cells := strings.Split(strings.Trim(line, "|"), "|")
			for i := range cells {
				cells[i] = strings.TrimSpace(cells[i])
			}
			rows = append(rows, cells)
		case in && header > 0:
			return rows, sc.Err()
		}
	}
	if !in {
		return nil, fmt.Errorf("metricsdoc: no fixture %q in %s", name, path)
	}
	return rows, sc.Err()
}
