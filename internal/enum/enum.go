// Package enum describes a closed set of string values and what each is
// called for people, in one table per set: the domain types (account
// status, buying role, plan status, goal status, …) answer Label and Valid
// from the table instead of a switch each.
//
// The sets' code (constants, table, list, Label, Valid) is not written by
// hand: enumgen (./enumgen) writes each package's enums_gen.go from a
// table in each type's doc comment; make generate runs it.
package enum

//go:generate go run ./enumgen ../../...

// Labels is an enumeration's values in display order, each with its name
// for people.
type Labels[T ~string] []Entry[T]

// Entry is one value of an enumeration and its name for people.
type Entry[T ~string] struct {
	Value T
	Label string
}

// Values lists the values in display order.
func (l Labels[T]) Values() []T {
	out := make([]T, len(l))
	for i, e := range l {
		out[i] = e.Value
	}
	return out
}

// Valid reports whether v is one of the values.
func (l Labels[T]) Valid(v T) bool {
	_, ok := l.find(v)
	return ok
}

// Label is v's name for people; a value not in the table is shown as it
// is stored.
func (l Labels[T]) Label(v T) string {
	if e, ok := l.find(v); ok {
		return e.Label
	}
	return string(v)
}

func (l Labels[T]) find(v T) (Entry[T], bool) {
	for _, e := range l {
		if e.Value == v {
			return e, true
		}
	}
	return Entry[T]{}, false
}
