package csvcell

import (
	"bytes"
	"encoding/csv"
	"unicode/utf8"
)

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// BOM is the UTF-8 byte-order mark exports start with, so spreadsheets
// read them as UTF-8.
func BOM() []byte { return utf8BOM }

// NewReader checks an uploaded CSV file the same way for every import: a
// byte-order mark is dropped; the text must be UTF-8, without NUL bytes,
// and not blank; the delimiter is whichever of comma or semicolon the
// header line uses more (outside quotes). It returns a reader that allows
// rows of any length, the delimiter, or else a message for the person.
func NewReader(data []byte) (*csv.Reader, rune, string) {
	data = bytes.TrimPrefix(data, utf8BOM)
	switch {
	case !utf8.Valid(data):
		return nil, 0, "The file is not UTF-8 text. In Excel choose Save As → \"CSV UTF-8\"."
	case bytes.IndexByte(data, 0) >= 0:
		return nil, 0, "The file contains binary data; upload a CSV text file."
	case len(bytes.TrimSpace(data)) == 0:
		return nil, 0, "The file is empty."
	}
	delim := detectDelimiter(data)
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = delim
	r.FieldsPerRecord = -1
	return r, delim, ""
}

// detectDelimiter counts commas and semicolons outside quotes on the
// first line.
func detectDelimiter(data []byte) rune {
	commas, semis, quoted := 0, 0, false
	for _, b := range data {
		switch {
		case b == '"':
			quoted = !quoted
		case quoted:
		case b == '\n':
			if semis > commas {
				return ';'
			}
			return ','
		case b == ',':
			commas++
		case b == ';':
			semis++
		}
	}
	if semis > commas {
		return ';'
	}
	return ','
}
