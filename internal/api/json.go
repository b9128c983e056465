package api

import "bytes"
import "encoding/json"
import "errors"
import "io"
import "net/http"
import "strconv"

import "pareto/internal/db"
import "pareto/internal/routeid"

// readAll reads the request body (the body limit applies).
func readAll(r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(r.Body)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, err
	}
	if err != nil {
		return nil, badRequest("The body could not be read.")
	}
	return b, nil
}

// readJSON decodes a JSON body into dst: 415 unless it is JSON, 400 when
// it cannot be decoded, 413 past the body limit. Numbers keep their text
// (json.Number), so amounts stay exact.
func readJSON(r *http.Request, dst any) error {
	if err := requireJSON(r); err != nil {
		return err
	}
	b, err := readAll(r)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(dst); err != nil {
		return badRequest("The body is not valid JSON of the expected shape: " + err.Error())
	}
	if dec.More() {
		return badRequest("The body holds more than one JSON value.")
	}
	return nil
}

// fields reads a JSON object of field → value into the text the domain
// parsers read: strings as they are, numbers as written, null as empty.
// Keys known does not allow, and values of other types, are field errors
// (named prefix + key).
func fields(obj map[string]any, known func(string) bool) (map[string]string, db.FieldErrors) {
	out := make(map[string]string, len(obj))
	fe := db.FieldErrors{}
	for k, v := range obj {
		if !known(k) {
			fe.Add(k, "Unknown or read-only field.")
			continue
		}
		switch x := v.(type) {
		case nil:
			out[k] = ""
		case string:
			out[k] = x
		case json.Number:
			out[k] = x.String()
		case bool:
			out[k] = strconv.FormatBool(x)
		default:
			fe.Add(k, "Use a string or a number.")
		}
	}
	return out, fe
}

// fieldsInto is fields for an input whose text fields at names: each
// value read goes to its place; the field errors are fields'.
func fieldsInto(obj map[string]any, at map[string]*string) db.FieldErrors {
	vals, fe := fields(obj, func(k string) bool { _, ok := at[k]; return ok })
	for k, v := range vals {
		*at[k] = v
	}
	return fe
}

// writeJSON answers v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "encode", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// urlID and urlIDs read uuid route parameters (404 when malformed).
var (
	urlID  = routeid.ID
	urlIDs = routeid.IDs
)

// handle adapts a handler that returns its error: fail answers it, the
// one place an API error becomes a problem response.
func (a *API) handle(h func(http.ResponseWriter, *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			a.fail(w, r, err)
		}
	}
}

// writeVersioned answers one record, its version as the ETag.
func writeVersioned(w http.ResponseWriter, status, version int, v any) {
	w.Header().Set("ETag", etag(version))
	writeJSON(w, status, v)
}

// listOf is one page of items as the API shows them (out each), with the
// cursor of the next page (nil on the last).
func listOf[T, J any](items []T, next *string, out func(T) J) list[J] {
	l := list[J]{Data: make([]J, len(items)), NextCursor: next}
	for i, x := range items {
		l.Data[i] = out(x)
	}
	return l
}
