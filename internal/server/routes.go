package server

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"pareto/internal/auth"
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
			r.Get("/scoring", s.scoringIndex)
			r.Get("/scoring/matrix", s.scoringMatrix)
			r.Get("/scoring/criteria", s.criteriaList)
			r.Get("/scoring/accounts/{accountID}", s.accountScoreShow)
			r.Post("/accounts/{accountID}/scores", s.accountScoresSave)
			r.Get("/plans", s.comingSoon("plans", "Plans"))
			r.Get("/dashboards", s.comingSoon("dashboards", "Dashboards"))

			r.Group(func(r chi.Router) {
				r.Use(s.requireRole(auth.RoleAdmin, auth.RoleLeader))
				r.Get("/shortlist", s.shortlist)
				r.Get("/shortlist.csv", s.shortlistCSV)
				r.Get("/shortlist/whatif", s.whatIf)
				r.Get("/shortlist/reviews", s.reviewList)
				r.Post("/shortlist/reviews", s.reviewCreate)
				r.Get("/shortlist/reviews/{reviewID}", s.reviewShow)
				r.Post("/shortlist/reviews/{reviewID}/decisions", s.reviewDecide)
				r.Post("/shortlist/reviews/{reviewID}/close", s.reviewClose)
				r.Post("/accounts/{accountID}/key-status", s.keyStatusUpdate)
				r.Get("/kams", s.comingSoon("kams", "KAMs"))
			})

			// Scoring set-up: criteria, weights and settings.
			r.Group(func(r chi.Router) {
				r.Use(s.requireRole(auth.RoleAdmin))
				r.Post("/scoring/criteria", s.criterionCreate)
				r.Post("/scoring/criteria/library", s.criterionEnable)
				r.Post("/scoring/criteria/weights", s.weightsSave)
				r.Post("/scoring/criteria/{criterionID}", s.criterionUpdate)
				r.Post("/scoring/criteria/{criterionID}/activate", s.criterionSetActive(true))
				r.Post("/scoring/criteria/{criterionID}/deactivate", s.criterionSetActive(false))
				r.Post("/scoring/criteria/{criterionID}/move", s.criterionMove)
				r.Get("/scoring/settings", s.scoringSettings)
				r.Post("/scoring/settings", s.scoringSettingsSave)
				r.Post("/shortlist/whatif/apply", s.whatIfApply)
			})

			r.Route("/admin", func(r chi.Router) {
				r.Use(s.requireRole(auth.RoleAdmin))
				r.Get("/users", s.userList)
				r.Post("/invites", s.inviteCreate)
				r.Post("/users/{userID}", s.memberUpdate)
				r.Get("/audit", s.auditList)
			})
		})
	})
	return r
}
