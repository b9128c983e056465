// Package routeid reads uuid route parameters for the HTTP packages (the
// HTML server and the JSON API): a malformed id names nothing, so it is
// db.ErrNotFound, answered 404 like an id of another tenant.
package routeid

import "fmt"
import "net/http"

import "github.com/go-chi/chi/v5"
import "github.com/google/uuid"

import "pareto/internal/db"

// ID reads the uuid route parameter name.
func ID(r *http.Request, name string) (uuid.UUID, error) {
	id, err := uuid.Parse(chi.URLParam(r, name))
	if err != nil {
		return uuid.Nil, fmt.Errorf("%s %q: %w", name, chi.URLParam(r, name), db.ErrNotFound)
	}
	return id, nil
}

// IDs reads several uuid route parameters, in order.
func IDs(r *http.Request, names ...string) ([]uuid.UUID, error) {
	ids := make([]uuid.UUID, len(names))
	for i, n := range names {
		id, err := ID(r, n)
		if err != nil {
			return nil, err
		}
		ids[i] = id
	}
	return ids, nil
}
