package server

import "context"
import "net/http"
import "strings"
import "sync"
import "time"

import "github.com/go-chi/chi/v5"
import "github.com/google/uuid"

import "pareto/internal/db"
import "pareto/internal/health"
import "pareto/internal/httpwatch"
import "pareto/internal/plan"

// Kept health follows the writes (internal/health/keep.go). keepHealth
// is the one place that says when: after a person's POST succeeds (a
// 2xx or 3xx answer), before the answer leaves, the accounts it was
// about are refreshed — the route's account, the plan's account, an
// account_id in the form, the account the answer redirects to. Writes
// that touch many accounts (imports, settings, bulk assignment, the account list's bulk actions) start a
// refresh of the whole tenant in the background instead.
//
// The daily run (the clock's part: contacts going stale, dates passing,
// and each month's history row) is started by the first signed-in
// request of a tenant each day that finds the last run before today
// (dailyHealth); RefreshTenant writes the months a quiet tenant missed.
// Why not a timer in pareto serve walking every tenant: the serving
// login sees one tenant at a time (row-level security, no BYPASSRLS),
// so it cannot list the tenants, and a tenant nobody uses has no reader
// of its history until somebody signs in — whose first request brings
// every month up to date, before any page reads it.

func (s *Server) healthStore() *health.Store { return health.NewStore(s.db) }

// tenantWide reports whether a POST to the route pattern changes the
// inputs of many accounts at once.
func tenantWide(pattern string) bool {
	// The API's bulk writes and upserts by reference name no account id.
	if strings.HasPrefix(pattern, "/api/") && (strings.HasSuffix(pattern, "/bulk") || strings.Contains(pattern, "/by-ref/")) {
		return true
	}
	return strings.Contains(pattern, "/import") || pattern == "/admin/health" || pattern == "/kams/suggestions/apply" || pattern == "/accounts/bulk" ||
		pattern == "/shortlist/whatif/apply" || pattern == "/scoring/criteria/weights"
}

// keepHealth is the middleware of the signed-in routes that keeps health
// current after writes.
func (s *Server) keepHealth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.dailyHealth(r)
		if r.Method != http.MethodPost {
			next.ServeHTTP(w, r)
			return
		}
		kw := &httpwatch.Writer{ResponseWriter: w}
		kw.Before = func(status int) {
			if status < 200 || status >= 400 || currentMember(r) == nil {
				return
			}
			s.keepAfterWrite(r, scope(r), kw.Header().Get("Location"))
		}
		next.ServeHTTP(kw, r)
	})
}

// keepAfterWrite refreshes the kept health of what a successful write of
// sc's tenant was about: the accounts writtenAccounts finds, or the whole
// tenant in the background for a route that changes many. The API calls
// it too (api.Config.Written), for its writes.
func (s *Server) keepAfterWrite(r *http.Request, sc db.Scope, location string) {
	if tenantWide(chi.RouteContext(r.Context()).RoutePattern()) {
		s.refreshTenant(sc.TenantID)
		return
	}
	ids := s.writtenAccounts(r, sc, location)
	if len(ids) == 0 {
		return
	}
	if err := s.healthStore().Refresh(r.Context(), sc, ids); err != nil {
		s.log.Warn("health refresh", "request_id", requestIDFrom(r.Context()), "err", err)
	}
}

// writtenAccounts are the accounts a successful POST was about.
func (s *Server) writtenAccounts(r *http.Request, sc db.Scope, location string) []uuid.UUID {
	seen := map[uuid.UUID]bool{}
	var ids []uuid.UUID
	add := func(raw string) {
		if id, err := uuid.Parse(raw); err == nil && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	add(chi.URLParam(r, "accountID"))
	if r.PostForm != nil {
		add(r.PostForm.Get("account_id"))
	}
	if rest, ok := strings.CutPrefix(strings.TrimPrefix(location, "/api/v1"), "/accounts/"); ok {
		add(strings.SplitN(strings.SplitN(rest, "/", 2)[0], "#", 2)[0])
	}
	if planID, err := uuid.Parse(chi.URLParam(r, "planID")); err == nil {
		if acct, err := plan.AccountOf(r.Context(), s.db, sc, planID); err == nil {
			add(acct.String())
		}
	}
	return ids
}

// healthRuns refreshes tenants in the background, one run per tenant at a
// time (a request for a tenant already running is folded into it).
type healthRuns struct {
	mu      sync.Mutex
	running map[uuid.UUID]bool
	again   map[uuid.UUID]bool
	checked map[uuid.UUID]time.Time // the day dailyHealth last looked at the tenant's run
	wg      sync.WaitGroup
}

// refreshTenant starts a background refresh of the tenant's health, or
// asks the running one to go again when it ends.
func (s *Server) refreshTenant(tenantID uuid.UUID) {
	hr := &s.healthRuns
	hr.mu.Lock()
	defer hr.mu.Unlock()
	if hr.running == nil {
		hr.running, hr.again = map[uuid.UUID]bool{}, map[uuid.UUID]bool{}
	}
	if hr.running[tenantID] {
		hr.again[tenantID] = true
		return
	}
	hr.running[tenantID] = true
	hr.wg.Add(1)
	go func() {
		defer hr.wg.Done()
		for {
			ctx, cancel := context.WithTimeout(s.bg, 30*time.Minute)
			start := time.Now()
			// System work for the tenant: no person, no audit event.
			err := s.healthStore().RefreshTenant(ctx, db.Scope{TenantID: tenantID})
			cancel()
			if err != nil {
				s.log.Warn("health run", "tenant_id", tenantID, "err", err)
				hr.mu.Lock()
				delete(hr.checked, tenantID) // the next request tries again
				hr.mu.Unlock()
			} else {
				s.log.Info("health run", "tenant_id", tenantID, "took", time.Since(start).Round(time.Millisecond))
				// The week's digests ride on the run that just wrote
				// the clock's notifications (at most one a week each).
				s.sendDigests(tenantID)
			}
			hr.mu.Lock()
			if !hr.again[tenantID] {
				delete(hr.running, tenantID)
				hr.mu.Unlock()
				return
			}
			delete(hr.again, tenantID)
			hr.mu.Unlock()
		}
	}()
}

// dailyHealth starts the tenant's daily run when the last one was before
// today. It asks the database once per tenant and day (the answer is
// memoised), so a request pays a map look-up; the run goes on in the
// background and pages show what is kept meanwhile.
func (s *Server) dailyHealth(r *http.Request) {
	if currentMember(r) == nil {
		return
	}
	tenantID, now := scope(r).TenantID, time.Now()
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC) // as health.LastRun dates runs
	hr := &s.healthRuns
	hr.mu.Lock()
	if hr.checked == nil {
		hr.checked = map[uuid.UUID]time.Time{}
	}
	done := hr.checked[tenantID].Equal(day)
	hr.checked[tenantID] = day
	hr.mu.Unlock()
	if done {
		return
	}
	_, stale, err := s.healthStore().LastRun(r.Context(), scope(r))
	if err != nil {
		s.log.Warn("health last run", "request_id", requestIDFrom(r.Context()), "err", err)
		hr.mu.Lock()
		delete(hr.checked, tenantID)
		hr.mu.Unlock()
		return
	}
	if stale {
		s.refreshTenant(tenantID)
	}
}

// WaitHealth waits for the background health runs to end (tests).
func (s *Server) WaitHealth() { s.healthRuns.wg.Wait() }

// RunTenant starts the tenant's run now, as the daily trigger does
// (health, the clock's notifications, the week's digests), in the
// background; WaitHealth waits for it.
func (s *Server) RunTenant(tenantID uuid.UUID) { s.refreshTenant(tenantID) }

// refreshAccount refreshes one account's kept health in the background
// (a page found it behind).
func (s *Server) refreshAccount(sc db.Scope, id uuid.UUID) {
	s.healthRuns.wg.Add(1)
	go func() {
		defer s.healthRuns.wg.Done()
		ctx, cancel := context.WithTimeout(s.bg, time.Minute)
		defer cancel()
		if err := s.healthStore().Refresh(ctx, db.Scope{TenantID: sc.TenantID}, []uuid.UUID{id}); err != nil {
			s.log.Warn("health refresh", "tenant_id", sc.TenantID, "account_id", id, "err", err)
		}
	}()
}
