package csvcell

import "bytes"
import "encoding/csv"
import "unicode/utf8"

import "golang.org/x/text/encoding"
import "golang.org/x/text/encoding/charmap"
import "golang.org/x/text/encoding/unicode"

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// BOM is the UTF-8 byte-order mark exports start with, so spreadsheets
// read them as UTF-8.
func BOM() []byte { return utf8BOM }

// The encodings an upload is read from.
const (
	UTF8        = "UTF-8"
	UTF16LE     = "UTF-16LE"
	UTF16BE     = "UTF-16BE"
	Windows1252 = "Windows-1252"
)

// Format is how an uploaded file was read: its encoding and delimiter.
type Format struct {
	Encoding  string
	Delimiter rune
}

// DelimiterName is the delimiter in words for a page ("tab", or the
// character itself).
func (f Format) DelimiterName() string {
	if f.Delimiter == '\t' {
		return "tab"
	}
	return "“" + string(f.Delimiter) + "”"
}

// NewReader checks an uploaded CSV file the same way for every import
// and returns a reader of it that allows rows of any length, with how it
// was read, or else a message for the person.
//
// Encoding: a UTF-8 or UTF-16 byte-order mark says which (Excel's
// "Unicode text" is UTF-16 with one; text after a UTF-8 mark must be
// valid UTF-8); without one, text that is valid UTF-8 is UTF-8, and
// anything else is read as Windows-1252 (Excel's "CSV" on Western
// European Windows; Latin-1's characters are the same).
// The text must not hold NUL bytes or other control characters than tab
// and line ends, and must not be blank. The delimiter is whichever of
// comma, semicolon and tab the header line uses most (outside quotes;
// comma on a tie).
func NewReader(data []byte) (*csv.Reader, Format, string) {
	text, enc, problem := Decode(data)
	if problem != "" {
		return nil, Format{}, problem
	}
	f := Format{Encoding: enc, Delimiter: detectDelimiter(text)}
	r := csv.NewReader(bytes.NewReader(text))
	r.Comma = f.Delimiter
	r.FieldsPerRecord = -1
	return r, f, ""
}

// Decode returns data as UTF-8 text without a byte-order mark, and the
// encoding it was read from (see NewReader), or else a message for the
// person.
func Decode(data []byte) ([]byte, string, string) {
	enc, name := encoding.Encoding(nil), UTF8
	switch {
	case bytes.HasPrefix(data, utf8BOM):
		data = data[len(utf8BOM):]
		if !utf8.Valid(data) {
			// The mark says UTF-8 and the bytes say otherwise: guessing
			// another encoding would be as likely wrong.
			return nil, "", "The file starts with a UTF-8 mark but is not valid UTF-8 text. In Excel choose Save As → \"CSV UTF-8\"."
		}
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		enc, name = unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM), UTF16LE
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		enc, name = unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM), UTF16BE
	case bytes.IndexByte(data, 0) >= 0:
		// Checked before guessing: UTF-16 without a mark has NULs too.
		return nil, "", binaryData
	case !utf8.Valid(data):
		enc, name = charmap.Windows1252, Windows1252
	}
	if enc != nil {
		var err error
		if data, err = enc.NewDecoder().Bytes(data); err != nil {
			return nil, "", "The file cannot be read as " + name + " text. In Excel choose Save As → \"CSV UTF-8\"."
		}
	}
	for _, r := range string(data) {
		if r < ' ' && r != '\t' && r != '\n' && r != '\r' || r == 0x7F || r == utf8.RuneError && name != UTF8 {
			return nil, "", binaryData
		}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, "", "The file is empty."
	}
	return data, name, ""
}

const binaryData = "The file contains binary data or control characters; upload a CSV text file."

// detectDelimiter counts commas, semicolons and tabs outside quotes on
// the first line.
func detectDelimiter(data []byte) rune {
	counts := map[rune]int{}
	quoted := false
	for _, b := range data {
		if b == '\n' && !quoted {
			break
		}
		switch {
		case b == '"':
			quoted = !quoted
		case !quoted && (b == ',' || b == ';' || b == '\t'):
			counts[rune(b)]++
		}
	}
	best := ','
	for _, d := range []rune{';', '\t'} {
		if counts[d] > counts[best] {
			best = d
		}
	}
	return best
}
