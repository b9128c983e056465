package api

import "context"
import "net/http"

import "github.com/google/uuid"

import "pareto/internal/db"

// resource is how the API reads one kind of record and shows it: the
// route parameters that name it, the domain read and the answer (JSON
// with its ETag). Showing and changing a record are the same for every
// kind, so they are written once, here.
type resource[T any] struct {
	ids   []string // route parameters, outermost first
	get   func(ctx context.Context, sc db.Scope, ids []uuid.UUID) (T, error)
	write func(w http.ResponseWriter, status int, v T)
}

// read reads the record the route names (404 when there is none).
func (res resource[T]) read(r *http.Request) ([]uuid.UUID, T, error) {
	ids, err := urlIDs(r, res.ids...)
	if err != nil {
		var zero T
		return nil, zero, err
	}
	v, err := res.get(r.Context(), scope(r), ids)
	return ids, v, err
}

// show answers the record the route names.
func (res resource[T]) show(w http.ResponseWriter, r *http.Request) error {
	_, v, err := res.read(r)
	if err != nil {
		return err
	}
	res.write(w, http.StatusOK, v)
	return nil
}

// update is the PATCH of a versioned record: read the record the route
// names (a missing one answers 404 before anything else), the If-Match
// version, the body over the record (input), then save it at that
// version (a stale one is the domain's conflict) and answer the result.
func update[T, F any](w http.ResponseWriter, r *http.Request, res resource[T], input func(cur T) (F, error),
	save func(ids []uuid.UUID, f F, version int) (T, error)) error {
	ids, cur, err := res.read(r)
	if err != nil {
		return err
	}
	version, err := ifMatch(r)
	if err != nil {
		return err
	}
	f, err := input(cur)
	if err != nil {
		return err
	}
	v, err := save(ids, f, version)
	if err != nil {
		return err
	}
	res.write(w, http.StatusOK, v)
	return nil
}

// createUnder is the POST of a record kept under the path's account:
// read the body (input), create the record (save) and answer 201 with
// its Location, /api/v1/accounts/{accountID}/{kind}/{id}.
func createUnder[T, F any](w http.ResponseWriter, r *http.Request, res resource[T], kind string, input func() (F, error),
	save func(accountID uuid.UUID, f F) (T, error), id func(T) uuid.UUID) error {
	accountID, err := urlID(r, "accountID")
	if err != nil {
		return err
	}
	f, err := input()
	if err != nil {
		return err
	}
	v, err := save(accountID, f)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/accounts/"+accountID.String()+"/"+kind+"/"+id(v).String())
	res.write(w, http.StatusCreated, v)
	return nil
}

// byID and underAccount adapt the domain's reads to a resource's get: a
// record named by its own id, and one kept under an account (the
// account's id, then the record's).
func byID[T any](get func(context.Context, db.Scope, uuid.UUID) (T, error)) func(context.Context, db.Scope, []uuid.UUID) (T, error) {
	return func(ctx context.Context, sc db.Scope, ids []uuid.UUID) (T, error) { return get(ctx, sc, ids[0]) }
}

func underAccount[T any](get func(context.Context, db.Scope, uuid.UUID, uuid.UUID) (T, error)) func(context.Context, db.Scope, []uuid.UUID) (T, error) {
	return func(ctx context.Context, sc db.Scope, ids []uuid.UUID) (T, error) {
		return get(ctx, sc, ids[0], ids[1])
	}
}
