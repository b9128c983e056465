package api

import "encoding/json"
import "fmt"
import "sort"
import "strings"

// The reference page (/api/docs) is rendered from Document, so the page
// and the document cannot disagree.

// Operation is one method of one path, for people.
type Operation struct {
	Method, Path, Summary, Description string
	Params                             []Param
	Responses                          []Response
	Body                               string // the request body's schema name, if any
}

// Param is one parameter of an operation.
type Param struct {
	Name, In, Description string
	Required              bool
}

// Response is one status an operation answers.
type Response struct{ Code, Description string }

// Schema is one named schema and its properties.
type Schema struct {
	Name  string
	Props []Prop
}

// Prop is one property of a schema.
type Prop struct{ Name, Type, Description string }

// Reference is the document as the reference page shows it.
type Reference struct {
	Title, Description string
	Operations         []Operation
	Schemas            []Schema
}

type docParam struct {
	Ref         string `json:"$ref"`
	Name        string `json:"name"`
	In          string `json:"in"`
	Description string `json:"description"`
	Required    bool   `json:"required"`
}

type docSchema struct {
	Ref         string               `json:"$ref"`
	Type        any                  `json:"type"`
	Description string               `json:"description"`
	Properties  map[string]docSchema `json:"properties"`
	Items       *docSchema           `json:"items"`
	Enum        []any                `json:"enum"`
}

type docOp struct {
	Summary     string     `json:"summary"`
	Description string     `json:"description"`
	Parameters  []docParam `json:"parameters"`
	RequestBody *struct {
		Content map[string]struct {
			Schema docSchema `json:"schema"`
		} `json:"content"`
	} `json:"requestBody"`
	Responses map[string]struct {
		Ref         string `json:"$ref"`
		Description string `json:"description"`
	} `json:"responses"`
}

type doc struct {
	Info struct {
		Title       string `json:"title"`
		Description string `json:"description"`
	} `json:"info"`
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components struct {
		Schemas   map[string]docSchema `json:"schemas"`
		Responses map[string]struct {
			Description string `json:"description"`
		} `json:"responses"`
	} `json:"components"`
}

var methodOrder = map[string]int{"get": 0, "post": 1, "put": 2, "patch": 3, "delete": 4}

func refName(ref string) string { return ref[strings.LastIndex(ref, "/")+1:] }

// typeOf names a schema's type for people: "string", "Account",
// "array of Account", "string | null", "one of a, b".
func typeOf(s docSchema) string {
	switch {
	case s.Ref != "":
		return refName(s.Ref)
	case s.Items != nil:
		return "array of " + typeOf(*s.Items)
	case len(s.Enum) > 0:
		parts := make([]string, len(s.Enum))
		for i, e := range s.Enum {
			parts[i] = fmt.Sprint(e)
		}
		return "one of " + strings.Join(parts, ", ")
	}
	switch t := s.Type.(type) {
	case string:
		return t
	case []any:
		parts := make([]string, len(t))
		for i, x := range t {
			parts[i] = fmt.Sprint(x)
		}
		return strings.Join(parts, " | ")
	}
	return "any"
}

// ReadReference reads Document for the reference page.
func ReadReference() (Reference, error) {
	var d doc
	if err := json.Unmarshal(Document, &d); err != nil {
		return Reference{}, fmt.Errorf("api: reference: %w", err)
	}
	ref := Reference{Title: d.Info.Title, Description: d.Info.Description}
	for path, item := range d.Paths {
		var shared []docParam
		if raw, ok := item["parameters"]; ok {
			if err := json.Unmarshal(raw, &shared); err != nil {
				return Reference{}, fmt.Errorf("api: reference: %s: %w", path, err)
			}
		}
		for method, raw := range item {
			if _, ok := methodOrder[method]; !ok {
				continue
			}
			var op docOp
			if err := json.Unmarshal(raw, &op); err != nil {
				return Reference{}, fmt.Errorf("api: reference: %s %s: %w", method, path, err)
			}
			o := Operation{Method: strings.ToUpper(method), Path: path, Summary: op.Summary, Description: op.Description}
			for _, p := range append(append([]docParam{}, shared...), op.Parameters...) {
				o.Params = append(o.Params, Param{Name: p.Name, In: p.In, Description: p.Description, Required: p.Required})
			}
			if op.RequestBody != nil {
				for _, c := range op.RequestBody.Content {
					o.Body = typeOf(c.Schema)
				}
			}
			for code, r := range op.Responses {
				desc := r.Description
				if r.Ref != "" {
					desc = d.Components.Responses[refName(r.Ref)].Description
				}
				o.Responses = append(o.Responses, Response{Code: code, Description: desc})
			}
			sort.Slice(o.Responses, func(i, j int) bool { return o.Responses[i].Code < o.Responses[j].Code })
			ref.Operations = append(ref.Operations, o)
		}
	}
	sort.Slice(ref.Operations, func(i, j int) bool {
		a, b := ref.Operations[i], ref.Operations[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		return methodOrder[strings.ToLower(a.Method)] < methodOrder[strings.ToLower(b.Method)]
	})
	for name, s := range d.Components.Schemas {
		sc := Schema{Name: name}
		for pn, p := range s.Properties {
			sc.Props = append(sc.Props, Prop{Name: pn, Type: typeOf(p), Description: p.Description})
		}
		sort.Slice(sc.Props, func(i, j int) bool { return sc.Props[i].Name < sc.Props[j].Name })
		ref.Schemas = append(ref.Schemas, sc)
	}
	sort.Slice(ref.Schemas, func(i, j int) bool { return ref.Schemas[i].Name < ref.Schemas[j].Name })
	return ref, nil
}
