package db

import "time"

// Null is v as a nullable value for a query argument or a JSON field:
// nil (NULL, null) when v is its type's zero value ("", uuid.Nil, 0),
// else a pointer to v.
func Null[T comparable](v T) *T {
	var zero T
	if v == zero {
		return nil
	}
	return &v
}

// NullTime is Null for a time or date: nil when t.IsZero() (a zero time
// read in another location is still zero).
func NullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
