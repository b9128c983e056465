package server

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"pareto/internal/auth"
	"pareto/internal/kpi"
	"pareto/web"
)

// routes lists every route in one place: public, signed-in, and by role.
func (s *Server) routes() http.Handler {
	r := chi.NewRouter()
	r.Use(s.requestID, s.logRequests, s.recoverPanics, securityHeaders)
	r.Use(s.crossOriginProtection())
	r.NotFound(s.notFound)
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		s.renderError(w, r, http.StatusMethodNotAllowed, "Not allowed", "This address does not accept that kind of request.")
	})

	r.Get("/healthz", s.healthz)
	r.Get("/static/*", staticFiles(web.Static).ServeHTTP)

	r.Group(func(r chi.Router) {
		r.Use(s.sessions.LoadAndSave, markSession, s.limitBody(1<<20), s.loadUser)

		r.Get("/signup", s.signupShow)
		r.Post("/signup", s.signupCreate)
		r.Get("/login", s.loginShow)
		r.Post("/login", s.loginCreate)
		r.Post("/logout", s.logout)
		r.Get("/invites/{token}", s.inviteShow)
		r.Post("/invites/{token}", s.inviteAccept)

		r.Group(func(r chi.Router) {
			r.Use(s.requireUser)
			r.Get("/", s.home)
			r.Post("/tenant", s.tenantSwitch)
			r.Get("/accounts", s.comingSoon("accounts", "Accounts"))
			r.Get("/scoring", s.comingSoon("scoring", "Scoring"))
			r.Get("/plans", s.comingSoon("plans", "Plans"))
			r.Get("/dashboards", s.dashboardShow)
			r.Get("/dashboards.csv", s.dashboardCSV)
			r.Get("/dashboards/kams/{kamID}", s.dashboardKAM)
			r.Get("/dashboards/kams/{kamID}.csv", s.dashboardKAMCSV)
			r.Get("/accounts/{accountID}/kpis", s.accountKPIs)
			r.Post("/accounts/{accountID}/kpis", s.accountKPISave)
			r.Get("/accounts/{accountID}/kpis.csv", s.accountKPICSV)
			r.Get("/kpis/import", s.kpiImportShow)
			r.Get("/kpis/import/{importID}", s.kpiImportPreview)
			r.Post("/kpis/import/{importID}", s.kpiImportCommit)

			r.Group(func(r chi.Router) {
				r.Use(s.requireRole(auth.RoleAdmin, auth.RoleLeader))
				r.Get("/shortlist", s.comingSoon("shortlist", "Shortlist"))
				r.Get("/kams", s.comingSoon("kams", "KAMs"))
			})

			r.Route("/admin", func(r chi.Router) {
				r.Use(s.requireRole(auth.RoleAdmin))
				r.Get("/users", s.userList)
				r.Post("/invites", s.inviteCreate)
				r.Post("/users/{userID}", s.memberUpdate)
				r.Get("/audit", s.auditList)
			})
			r.Group(func(r chi.Router) {
				r.Use(s.requireRole(auth.RoleAdmin))
				r.Get("/kpis/settings", s.kpiSettingsShow)
				r.Post("/kpis/settings", s.kpiSettingsSave)
			})
		})
	})

	// KPI CSV uploads take up to 10 MiB: the same chain as the signed-in
	// group above, with a larger body limit (an inner MaxBytesReader cannot
	// raise the outer one's).
	r.Group(func(r chi.Router) {
		r.Use(s.sessions.LoadAndSave, markSession, s.limitBody(kpi.MaxImportBytes+1<<20), s.loadUser, s.requireUser)
		r.Post("/kpis/import", s.kpiImportUpload)
	})
	return r
}
