package server

import "context"
import "net/http"
import "strconv"
import "time"

import "github.com/google/uuid"

import "pareto/internal/account"
import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/routeid"

// Small helpers every resource's handlers share: route parameters, the
// signed-in member's standing, words for counts.

// urlID reads a uuid route parameter; a malformed one is a 404.
func urlID(r *http.Request, name string) (uuid.UUID, error) { return routeid.ID(r, name) }

// pathID loads the uuid route parameter name (for formFor and editFor).
func pathID(name string) func(*http.Request) (uuid.UUID, error) {
	return func(r *http.Request) (uuid.UUID, error) { return urlID(r, name) }
}

// pathLoad loads with the uuid route parameter name what load builds
// from it (a page's view or section); a malformed id is a 404.
func pathLoad[T any](r *http.Request, name string, load func(*http.Request, uuid.UUID) (T, error)) (T, error) {
	id, err := urlID(r, name)
	if err != nil {
		var zero T
		return zero, err
	}
	return load(r, id)
}

// loadThen loads with first, then builds with next from what first
// found (a page built on a record: the plan, then its page).
func loadThen[A, B any](r *http.Request, first func(*http.Request) (A, error), next func(*http.Request, A) (B, error)) (A, B, error) {
	a, err := first(r)
	if err != nil {
		var zero B
		return a, zero, err
	}
	b, err := next(r, a)
	return a, b, err
}

// childOf loads a parent record with parent, then the child the route
// parameter name names under it (a plan's goal, an account's
// stakeholder); a malformed id is a 404.
func childOf[P, C any](r *http.Request, parent func(*http.Request) (P, error), name string, load func(P, uuid.UUID) (C, error)) (P, C, error) {
	return loadThen(r, parent, func(r *http.Request, p P) (C, error) {
		return pathLoad(r, name, func(_ *http.Request, id uuid.UUID) (C, error) { return load(p, id) })
	})
}

// accountChild is a record kept under an account (a stakeholder, an
// interaction) with its account.
type accountChild[T any] struct {
	account.Account
	Child T
}

// editableChild loads the URL's account (checking edit rights) and the
// record the route parameter name names under it, read with get.
func editableChild[T any](s *Server, r *http.Request, name string,
	get func(context.Context, db.Scope, uuid.UUID, uuid.UUID) (T, error)) (accountChild[T], error) {
	a, c, err := childOf(r, s.editableAccount, name, func(a account.Account, id uuid.UUID) (T, error) {
		return get(r.Context(), scope(r), a.ID, id)
	})
	return accountChild[T]{a, c}, err
}

// urlIDs reads several uuid route parameters, in order; a malformed one
// is a 404.
func urlIDs(r *http.Request, names ...string) ([]uuid.UUID, error) { return routeid.IDs(r, names...) }

// isHTMX reports whether htmx sent r (it answers a fragment, not a page).
func isHTMX(r *http.Request) bool { return r.Header.Get("HX-Request") == "true" }

// leads reports whether m leads the tenant's programme: admins and leaders
// see and change every account.
func leads(m *auth.Member) bool {
	return m != nil && m.Role.Leads()
}

// today is the current date (midnight UTC).
func today() time.Time {
	n := time.Now().UTC()
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}

// plural counts: plural(1, "row", "rows") = "1 row".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

func yesNo(b bool) string {
	if b {
		return "Yes"
	}
	return "No"
}

func monthName(m int) string {
	if m < 1 || m > 12 {
		return strconv.Itoa(m)
	}
	return time.Month(m).String()
}

// activeMembers are the tenant's members who may sign in.
func (s *Server) activeMembers(r *http.Request) ([]auth.Member, error) {
	return s.membersWhere(r, func(m auth.Member) bool { return m.Active })
}

// kamMembers are the tenant's active key account managers.
func (s *Server) kamMembers(r *http.Request) ([]auth.Member, error) {
	return s.membersWhere(r, func(m auth.Member) bool { return m.Active && m.Role == auth.RoleKAM })
}

func (s *Server) membersWhere(r *http.Request, keep func(auth.Member) bool) ([]auth.Member, error) {
	all, err := s.auth.Members(r.Context(), scope(r))
	if err != nil {
		return nil, err
	}
	var out []auth.Member
	for _, m := range all {
		if keep(m) {
			out = append(out, m)
		}
	}
	return out, nil
}
