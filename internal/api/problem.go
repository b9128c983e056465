package api

import "context"
import "encoding/json"
import "errors"
import "fmt"
import "net/http"
import "sort"

import "pareto/internal/account"
import "pareto/internal/db"
import "pareto/internal/importer"

// Problem is an error as RFC 9457 problem details, with the fields (and,
// for bulk writes, the items) that were wrong.
type Problem struct {
	Type     string       `json:"type"`
	Title    string       `json:"title"`
	Status   int          `json:"status"`
	Detail   string       `json:"detail,omitempty"`
	Instance string       `json:"instance,omitempty"`
	Errors   []FieldError `json:"errors,omitempty"`
}

// FieldError is one bad value: its field (as the request named it) and,
// in a bulk write, the item's index (0-based).
type FieldError struct {
	Index   *int   `json:"index,omitempty"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

// fieldErrors lists fe in field order.
func fieldErrors(fe db.FieldErrors) []FieldError {
	out := make([]FieldError, 0, len(fe))
	for f, msg := range fe {
		out = append(out, FieldError{Field: f, Message: msg})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	return out
}

// problem writes a problem+json response.
func (a *API) problem(w http.ResponseWriter, r *http.Request, status int, title, detail string, errs []FieldError) {
	p := Problem{Type: "about:blank", Title: title, Status: status, Detail: detail, Instance: r.URL.Path, Errors: errs}
	b, _ := json.Marshal(p)
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// badRequest says the request itself could not be read (400).
type badRequest string

func (e badRequest) Error() string { return string(e) }

// errPrecondition says an update came without If-Match (428).
var errPrecondition = errors.New("If-Match required")

// fail is the one place an API error becomes a response.
func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) {
	var fe db.FieldErrors
	var br badRequest
	var ce *account.ConflictError
	var mbe *http.MaxBytesError
	var be *bulkErrors
	switch {
	case errors.As(err, &be):
		a.problem(w, r, http.StatusUnprocessableEntity, "Invalid input", "Some items have problems; nothing was saved.", be.errs)
	case errors.As(err, &mbe):
		a.problem(w, r, http.StatusRequestEntityTooLarge, "Request too large", fmt.Sprintf("This address accepts at most %d bytes.", mbe.Limit), nil)
	case errors.Is(err, errMediaType):
		a.problem(w, r, http.StatusUnsupportedMediaType, "Unsupported media type", "Send Content-Type: application/json.", nil)
	case errors.As(err, &br):
		a.problem(w, r, http.StatusBadRequest, "Bad request", br.Error(), nil)
	case errors.Is(err, errPrecondition):
		a.problem(w, r, http.StatusPreconditionRequired, "If-Match required",
			"Send the ETag you read in If-Match, so a change made meanwhile is not overwritten.", nil)
	case errors.As(err, &ce):
		w.Header().Set("ETag", etag(ce.Current.Version))
		a.problem(w, r, http.StatusPreconditionFailed, "Changed by someone else",
			fmt.Sprintf("The record is now at version %d. Read it again, then apply your change.", ce.Current.Version), nil)
	case errors.Is(err, db.ErrConflict):
		a.problem(w, r, http.StatusPreconditionFailed, "Changed by someone else", "Read the record again, then apply your change.", nil)
	case errors.Is(err, db.ErrNotFound):
		a.problem(w, r, http.StatusNotFound, "Not found", "There is nothing at this address, or you do not have access to it.", nil)
	case errors.Is(err, db.ErrUnauthorized):
		w.Header().Set("WWW-Authenticate", `Bearer realm="pareto"`)
		a.problem(w, r, http.StatusUnauthorized, "Unauthorized", "Send a valid API token: Authorization: Bearer <token>.", nil)
	case errors.Is(err, db.ErrForbidden):
		a.log.Warn("authorization failure", "path", r.URL.Path, "method", r.Method, "reason", err.Error())
		a.problem(w, r, http.StatusForbidden, "Forbidden", "This token, or the person it acts as, may not do this.", nil)
	case errors.As(err, &fe):
		a.problem(w, r, http.StatusUnprocessableEntity, "Invalid input", "Some values were not valid; nothing was saved.", fieldErrors(fe))
	case db.IsBadInput(err):
		a.problem(w, r, http.StatusBadRequest, "Bad input", "Some of what you sent cannot be stored (for example invalid characters). Nothing was saved.", nil)
	case errors.Is(err, context.Canceled):
	case db.IsUnavailable(err):
		w.Header().Set("Retry-After", "5")
		a.problem(w, r, http.StatusServiceUnavailable, "Temporarily unavailable", "Pareto cannot reach its database right now.", nil)
	default:
		a.log.Error("api: internal error", "method", r.Method, "path", r.URL.Path, "err", err)
		a.problem(w, r, http.StatusInternalServerError, "Internal error", "The request failed; it was logged.", nil)
	}
}

// failPlan answers a bulk write whose plan found problems: 422 with one
// error per bad field of each item.
func (a *API) failPlan(w http.ResponseWriter, r *http.Request, p *importer.Plan) {
	errs := make([]FieldError, 0, len(p.Errors)+len(p.Problems))
	for _, msg := range p.Problems {
		errs = append(errs, FieldError{Field: "items", Message: msg})
	}
	for _, e := range p.Errors {
		i := e.Line - 1
		errs = append(errs, FieldError{Index: &i, Field: e.Field, Message: e.Message})
	}
	a.problem(w, r, http.StatusUnprocessableEntity, "Invalid input",
		fmt.Sprintf("%d of the items have problems; nothing was saved.", p.Invalid), errs)
}
