// Package api is Pareto's JSON API, /api/v1: the handlers, their
// middleware (Bearer tokens, per-token rate limit, body limits), problem
// details (RFC 9457) and the OpenAPI 3.1 document (openapi.json, served at
// /api/v1/openapi.json and tested against every response of the API
// tests). It calls the same domain packages as the HTML handlers: the
// validation, permission rules and SQL live there, once.
//
// Conventions: JSON only; lists page with an opaque cursor (next_cursor,
// keyset pages); reads carry an ETag (the record's version) and updates
// need If-Match with it (412 when stale, 428 without); errors are
// application/problem+json with field errors; bulk writes take an
// Idempotency-Key.
package api

import "log/slog"
import "net/http"
import "time"

import "github.com/go-chi/chi/v5"

import "pareto/internal/account"
import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/importer"

// Config tunes the API.
type Config struct {
	// RatePerMinute is each token's sustained request rate, Burst how many
	// requests it may make at once (defaults 600 and 60).
	RatePerMinute int
	Burst         int
	// Written, when set, is told of each successful write before its
	// answer leaves: the request (its route names the account), the
	// scope it acted in and the Location of a created record.
	Written func(r *http.Request, sc db.Scope, location string)
}

// API serves /api/v1.
type API struct {
	db       *db.DB
	auth     *auth.Store
	accounts *account.Store
	imports  *importer.Store
	log      *slog.Logger
	limiter  *limiter
	cfg      Config
}

// New returns the API on d; a is the auth store the server uses.
func New(d *db.DB, a *auth.Store, log *slog.Logger, cfg Config) *API {
	if cfg.RatePerMinute <= 0 {
		cfg.RatePerMinute = 600
	}
	if cfg.Burst <= 0 {
		cfg.Burst = 60
	}
	return &API{db: d, auth: a, accounts: account.NewStore(d), imports: importer.NewStore(d), log: log, cfg: cfg,
		limiter: newLimiter(float64(cfg.RatePerMinute)/60, cfg.Burst, time.Now)}
}

// Body limits: one record, and a bulk write of up to maxBulk records.
const (
	maxBody     = 1 << 20
	maxBulkBody = 16 << 20
	maxBulk     = 1000
)

// Routes registers every API route on r (mounted at /api/v1 by the
// server's one router function).
func (a *API) Routes(r chi.Router) {
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		a.problem(w, r, http.StatusNotFound, "Not found", "There is nothing at this address, or you do not have access to it.", nil)
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		a.problem(w, r, http.StatusMethodNotAllowed, "Method not allowed", "This address does not accept that method.", nil)
	})
	r.Get("/openapi.json", serveDocument)
	r.Group(func(r chi.Router) {
		r.Use(noStore, a.authenticate, a.rateLimit, a.writeScope, a.written)
		// Bulk writes take a larger body (an inner body limit cannot
		// raise an outer one, so each group sets its own).
		r.Group(func(r chi.Router) {
			r.Use(limitBody(maxBulkBody), a.idempotent)
			r.Post("/accounts/bulk", a.handle(a.accountBulk))
			r.Post("/kpi-figures/bulk", a.handle(a.figureBulk))
		})
		r.Group(func(r chi.Router) {
			r.Use(limitBody(maxBody))
			r.Get("/accounts", a.handle(a.accountList))
			r.Post("/accounts", a.handle(a.accountCreate))
			r.Get("/accounts/{accountID}", a.handle(a.accountShow))
			r.Patch("/accounts/{accountID}", a.handle(a.accountUpdate))
			r.Post("/accounts/{accountID}/archive", a.handle(a.accountArchive))
			r.Put("/accounts/by-ref/{ref}", a.handle(a.accountUpsert))
			r.Get("/shortlist", a.handle(a.shortlist))
			r.Get("/accounts/{accountID}/stakeholders", a.handle(a.stakeholderList))
			r.Post("/accounts/{accountID}/stakeholders", a.handle(a.stakeholderCreate))
			r.Get("/accounts/{accountID}/stakeholders/{stakeholderID}", a.handle(a.stakeholderShow))
			r.Patch("/accounts/{accountID}/stakeholders/{stakeholderID}", a.handle(a.stakeholderUpdate))
			r.Get("/accounts/{accountID}/interactions", a.handle(a.interactionList))
			r.Post("/accounts/{accountID}/interactions", a.handle(a.interactionCreate))
			r.Get("/accounts/{accountID}/interactions/{interactionID}", a.handle(a.interactionShow))
			r.Patch("/accounts/{accountID}/interactions/{interactionID}", a.handle(a.interactionUpdate))
			r.Get("/accounts/{accountID}/scores", a.handle(a.scores))
			r.Patch("/accounts/{accountID}/scores", a.handle(a.scoresUpdate))
			r.Get("/plans", a.handle(a.planList))
			r.Get("/plans/{planID}", a.handle(a.planShow))
			r.Get("/key-status-changes", a.handle(a.keyChanges))
		})
	})
}
