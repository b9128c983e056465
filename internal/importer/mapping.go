package importer

import "fmt"
import "regexp"
import "strings"

// Mapping says which field each column of a file fills: a field key, or
// "" to ignore the column.
type Mapping []string

var nonAlnum = regexp.MustCompile(`[^a-z0-9]+`)

// HeaderKey normalises a column name for matching: lower case, runs of
// anything but letters and digits as one "_" ("Account Name" →
// "account_name").
func HeaderKey(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	return strings.Trim(nonAlnum.ReplaceAllString(h, "_"), "_")
}

// known maps every header key a field answers to (its key, label and
// aliases) to the field's key.
func (k *Kind) known() map[string]string {
	out := map[string]string{}
	for _, f := range k.Fields {
		for _, name := range append([]string{f.Key, f.Label}, f.Aliases...) {
			if _, taken := out[HeaderKey(name)]; !taken {
				out[HeaderKey(name)] = f.Key
			}
		}
	}
	return out
}

// Guess proposes a mapping for header: for each column the first field
// that answers to its name in saved (a tenant's remembered choices,
// header key → field key; presets work the same way), then among the
// fields' keys, labels and aliases. No field is proposed twice.
func (k *Kind) Guess(header []string, saved ...map[string]string) Mapping {
	m := make(Mapping, len(header))
	used := map[string]bool{}
	for _, names := range append(saved, k.known()) {
		for i, h := range header {
			if m[i] != "" {
				continue
			}
			key := names[HeaderKey(h)]
			if _, ok := k.Field(key); ok && !used[key] {
				m[i], used[key] = key, true
			}
		}
	}
	return m
}

// remembered is what a tenant's saved mapping keeps of m.
func remembered(header []string, m Mapping) map[string]string {
	out := map[string]string{}
	for i, key := range m {
		if key != "" && i < len(header) {
			out[HeaderKey(header[i])] = key
		}
	}
	return out
}

// checkMapping reports what makes m unusable for a file of n columns.
func (k *Kind) checkMapping(m Mapping, n int) string {
	if len(m) != n {
		return "The column mapping does not fit the file; map the columns again."
	}
	seen := map[string]bool{}
	for _, key := range m {
		if key == "" {
			continue
		}
		f, ok := k.Field(key)
		if !ok {
			return "Unknown field " + key + "."
		}
		if seen[key] {
			return f.Label + " is mapped to more than one column."
		}
		seen[key] = true
	}
	for _, f := range k.Fields {
		if f.Required && !seen[f.Key] {
			return "Map a column to " + f.Label + "."
		}
	}
	if k.CheckMapping != nil {
		return k.CheckMapping(func(key string) bool { return seen[key] })
	}
	return ""
}

// headerMapping reads a fixed-header kind's mapping from the file's
// header: every column must name a field, once; required fields must be
// there.
func (k *Kind) headerMapping(f *File) (Mapping, []string) {
	known := k.known()
	m := make(Mapping, len(f.Header))
	var problems []string
	first := map[string]string{}
	for i, h := range f.Header {
		key, ok := known[HeaderKey(h)]
		switch {
		case f.unnamed[i]:
			problems = append(problems, fmt.Sprintf("Column %d has no name.", i+1))
		case !ok:
			problems = append(problems, fmt.Sprintf("Unknown column %q. Use: %s.", h, strings.Join(k.keys(), ", ")))
		case first[key] != "":
			problems = append(problems, fmt.Sprintf("Columns %q and %q both give the %s.", first[key], h, key))
		default:
			first[key], m[i] = h, key
		}
	}
	for _, fd := range k.Fields {
		if fd.Required && first[fd.Key] == "" {
			problems = append(problems, fmt.Sprintf("The %q column is missing.", fd.Key))
		}
	}
	if len(problems) == 0 && k.CheckMapping != nil {
		if msg := k.CheckMapping(func(key string) bool { return first[key] != "" }); msg != "" {
			problems = append(problems, msg)
		}
	}
	return m, problems
}

func (k *Kind) keys() []string {
	out := make([]string, len(k.Fields))
	for i, f := range k.Fields {
		out[i] = f.Key
	}
	return out
}
