// Package csvcell defuses spreadsheet formula injection in CSV exports,
// one rule for every export.
package csvcell

import "regexp"
import "strings"

var plainNumber = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)

// Safe returns s with a leading apostrophe when a spreadsheet would read it
// as a formula: it starts with = + - @ (or a tab or carriage return) and
// is not a plain number like -1250.50.
func Safe(s string) string {
	if s == "" || plainNumber.MatchString(s) {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// Unescape undoes Safe, so an exported file imports unchanged.
func Unescape(s string) string {
	if len(s) >= 2 && s[0] == '\'' && strings.ContainsRune("=+-@\t\r", rune(s[1])) {
		return s[1:]
	}
	return s
}
