package importer

import "encoding/csv"
import "errors"
import "fmt"
import "io"
import "strings"
import "time"

import "github.com/google/uuid"

import "pareto/internal/csvcell"
import "pareto/internal/numfmt"

// Problem is something wrong with a whole file or mapping, in words for
// the person who uploaded it.
type Problem string

func (p Problem) Error() string { return string(p) }

// File is an uploaded CSV file, read.
type File struct {
	ID        uuid.UUID
	Filename  string
	CreatedAt time.Time
	Committed bool
	// Header holds the trimmed column names; a blank one reads
	// "Column N".
	Header []string
	// How the file was read: its encoding and delimiter.
	csvcell.Format
	Records []Record
	unnamed []bool
}

// Record is one data row of a file and the line it starts on.
type Record struct {
	Line  int
	Cells []string
}

// Read reads data as a file of kind k: text in UTF-8, UTF-16 or
// Windows-1252, separated by commas, semicolons or tabs (csvcell.NewReader
// decides both), the
// first row naming the columns (for a fixed-header kind, as the kind
// names them), blank rows skipped, within k's limits. A file that cannot
// be read gives a Problem.
func (k *Kind) Read(data []byte) (*File, error) {
	if len(data) > k.maxBytes() {
		return nil, Problem(fmt.Sprintf("The file is larger than %d MiB; split it into several files.", k.MaxMiB()))
	}
	r, format, problem := csvcell.NewReader(data)
	if problem != "" {
		return nil, Problem(problem)
	}
	f := &File{Format: format}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, Problem(fmt.Sprintf("Line %d cannot be read: %v. Check its quotes.", pe.StartLine, pe.Err))
		}
		if err != nil {
			return nil, Problem("The file cannot be read as CSV.")
		}
		line, _ := r.FieldPos(0)
		if f.Header == nil {
			if len(rec) > MaxColumns {
				return nil, Problem(fmt.Sprintf("The file has %d columns; at most %d are supported.", len(rec), MaxColumns))
			}
			f.Header, f.unnamed = make([]string, len(rec)), make([]bool, len(rec))
			for i, h := range rec {
				f.Header[i] = strings.TrimSpace(h)
				if f.Header[i] == "" {
					f.Header[i], f.unnamed[i] = fmt.Sprintf("Column %d", i+1), true
				}
			}
			// A fixed header is checked before anything else.
			if _, problems := k.headerMapping(f); k.FixedHeader && len(problems) > 0 {
				return nil, Problem(strings.Join(problems, " "))
			}
			continue
		}
		if blank(rec) {
			continue
		}
		if len(f.Records) == k.maxRows() {
			return nil, Problem(fmt.Sprintf("The file has more than %s rows; split it into several files.", numfmt.Int(int64(k.maxRows()))))
		}
		f.Records = append(f.Records, Record{Line: line, Cells: rec})
	}
	if len(f.Records) == 0 {
		return nil, Problem("The file has a header but no rows of data.")
	}
	return f, nil
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// Samples returns up to n non-blank values of column i, for the mapping
// form.
func (f *File) Samples(i, n int) []string {
	var out []string
	for _, r := range f.Records {
		if len(out) == n {
			break
		}
		if i < len(r.Cells) && strings.TrimSpace(r.Cells[i]) != "" {
			out = append(out, r.Cells[i])
		}
	}
	return out
}
