package importer

// A Preset is the column names of one system's standard export (a CRM's
// account or contact export): which header fills which field. Presets
// are data in a Kind (Kind.Presets); the pipeline detects one from a
// file's header and puts its names first when it guesses the mapping,
// and the mapping step offers them in a picker.
type Preset struct {
	// Name keys the preset in the picker ("salesforce"); Label is for
	// people ("Salesforce").
	Name, Label string
	// Columns are the export's column names, in order of preference: a
	// field goes to the first of its columns the file has (Salesforce's
	// Account ID before its Account Number). A column with Field ""
	// belongs to the export but fills nothing here (Salesforce's Type,
	// whose values are not Pareto's statuses); it still counts towards
	// detection.
	Columns []PresetColumn
}

// PresetColumn is one column of a preset's export.
type PresetColumn struct{ Header, Field string }

// minDetected is how many of a preset's column names a header must have
// for the preset to be detected.
const minDetected = 3

// Preset returns the kind's preset named name.
func (k *Kind) Preset(name string) (Preset, bool) {
	for _, p := range k.Presets {
		if p.Name == name {
			return p, true
		}
	}
	return Preset{}, false
}

// Detect returns the name of the preset whose export header looks like
// header: the one with the most of its column names there, at least
// minDetected, at least one of them not a field's own key or label (so a
// file of Pareto's own column names is not taken for a CRM's); "" when
// none does. A tie goes to the first of the kind's presets.
func (k *Kind) Detect(header []string) string {
	plain := map[string]bool{}
	for _, f := range k.Fields {
		plain[HeaderKey(f.Key)], plain[HeaderKey(f.Label)] = true, true
	}
	best, bestN := "", 0
	for _, p := range k.Presets {
		names := map[string]bool{}
		for _, c := range p.Columns {
			names[HeaderKey(c.Header)] = true
		}
		n, own := 0, false
		seen := map[string]bool{}
		for _, h := range header {
			key := HeaderKey(h)
			if names[key] && !seen[key] {
				seen[key] = true
				n++
				own = own || !plain[key]
			}
		}
		if n >= minDetected && own && n > bestN {
			best, bestN = p.Name, n
		}
	}
	return best
}

// guesses are the preset's columns as Guess takes them: one header key →
// field key map per column, in the preset's order, so a field goes to
// the first of its columns the file has.
func (p Preset) guesses() []map[string]string {
	out := make([]map[string]string, 0, len(p.Columns))
	for _, c := range p.Columns {
		if c.Field != "" {
			out = append(out, map[string]string{HeaderKey(c.Header): c.Field})
		}
	}
	return out
}
