package server

import "net/http"

import "github.com/go-chi/chi/v5"

import "pareto/internal/auth"
import "pareto/web"

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
	r.Head("/healthz", s.healthz)
	r.Get("/static/*", s.staticFiles(web.Static).ServeHTTP)

	// The JSON API: Bearer tokens instead of sessions (internal/api).
	r.Route("/api/v1", s.api.Routes)
	r.Get("/api/docs", s.apiReference)

	// CSV import uploads: the same chains as below but a 10 MiB body limit
	// (an inner MaxBytesReader cannot raise the outer one's).
	r.Group(func(r chi.Router) {
		r.Use(s.withClient, s.session, s.limitBody(maxImportBody), s.loadUser, s.requireUser,
			s.throttled(s.uploadKeys))
		r.Post(kpiImport.path, s.importUpload(kpiImport))
		r.Post(stakeholderImport.path, s.importUpload(stakeholderImport))
		r.Post(profitImport.path, s.importUpload(profitImport))
		r.With(s.requireRole(auth.LeadRoles...)).Post(accountImport.path, s.importUpload(accountImport))
	})

	r.Group(func(r chi.Router) {
		r.Use(s.withClient, s.session, s.limitBody(1<<20), s.loadUser)

		r.Get("/signup", s.signupShow)
		r.With(s.throttled(s.signupKeys)).Post("/signup", s.signupCreate)
		r.Get("/signup/{token}", s.signupConfirmShow)
		r.Post("/signup/{token}", s.signupConfirm)
		r.Get("/password/forgot", s.forgotShow)
		r.Post("/password/forgot", s.forgotCreate)
		r.Get("/password/reset/{token}", s.resetShow)
		r.Post("/password/reset/{token}", s.resetUpdate)
		r.Post("/password/strength", s.passwordStrength)
		r.Get("/login", s.loginShow)
		r.Post("/login", s.loginCreate)
		r.Post("/logout", s.logout)
		r.Get("/invites/{token}", s.inviteShow)
		r.Post("/invites/{token}", s.inviteAccept)
		r.Post("/invites/{token}/join", s.inviteJoin) // answers a signed-out visitor with /login itself

		r.Group(func(r chi.Router) {
			// keepHealth refreshes the kept health of the accounts a
			// successful write was about (health_keeper.go).
			r.Use(s.requireUser, s.keepHealth)
			r.Get("/", s.home)
			r.Get("/search", s.search)
			// Saved views: each person's own (the store and RLS check it).
			r.Get("/views", s.viewList)
			r.Post("/views", s.viewCreate)
			r.Post("/views/rename", s.viewRename)
			r.Post("/views/delete", s.viewDelete)
			r.Post("/tenant", s.tenantSwitch)
			r.Get("/me/password", s.passwordShow)
			r.Post("/me/password", s.passwordUpdate)
			r.Get("/me/sessions", s.sessionList)
			r.Post("/me/sessions/revoke", s.sessionRevoke)
			r.Post("/me/sessions/revoke-all", s.sessionRevokeAll)
			r.Get("/me/notifications", s.notifySettingsShow)
			r.Post("/me/notifications", s.notifySettingsUpdate)
			r.Get("/notifications", s.notificationList)
			r.Post("/notifications/read", s.notificationRead)
			r.Post("/notifications/read-all", s.notificationReadAll)
			// Accounts: everyone reads; writes check account.CanEdit in the
			// handler and the store (a KAM edits only their own accounts).
			r.Get("/accounts", s.accountList)
			r.Get("/accounts.csv", s.accountExport)
			r.Post("/accounts.csv", s.accountSelectionExport)
			// Bulk actions: the domain checks each account (CanEdit) and
			// assignment's leader rule, refusing the whole action.
			r.Post("/accounts/bulk", s.accountBulk)
			r.Get("/accounts/{accountID}", s.accountShow)
			r.Get("/accounts/{accountID}/edit", s.accountEdit)
			r.Post("/accounts/{accountID}", s.accountUpdate)
			r.Post("/accounts/{accountID}/archive", s.accountArchive)
			r.Post("/accounts/{accountID}/restore", s.accountRestore)
			r.Post("/accounts/{accountID}/stakeholders", s.stakeholderCreate)
			r.Get("/accounts/{accountID}/stakeholders/{stakeholderID}/edit", s.stakeholderEdit)
			r.Post("/accounts/{accountID}/stakeholders/{stakeholderID}", s.stakeholderUpdate)
			r.Post("/accounts/{accountID}/stakeholders/{stakeholderID}/delete", s.stakeholderDelete)
			r.Get("/accounts/{accountID}/interactions", s.interactionList)
			r.Post("/accounts/{accountID}/interactions", s.interactionCreate)
			r.Get("/accounts/{accountID}/interactions/{interactionID}/edit", s.interactionEdit)
			r.Post("/accounts/{accountID}/interactions/{interactionID}", s.interactionUpdate)
			r.Post("/accounts/{accountID}/interactions/{interactionID}/step", s.interactionStep)
			r.Post("/accounts/{accountID}/interactions/{interactionID}/delete", s.interactionDelete)
			// Plans: everyone signed in reads; who may change a plan is decided
			// per account by the plan package (KAM of the account, leaders,
			// admins).
			r.Get("/plans", s.planList)
			r.Get("/plans/whitespace", s.whitespaceShow)
			r.Get("/plans/whitespace.csv", s.whitespaceCSV)
			r.Get("/plans/{planID}", s.planShow)
			r.Get("/plans/{planID}/edit", s.planEdit)
			r.Post("/plans/{planID}", s.planUpdate)
			r.Post("/plans/{planID}/goals", s.goalCreate)
			r.Get("/plans/{planID}/goals/{goalID}/edit", s.goalEdit)
			r.Post("/plans/{planID}/goals/{goalID}", s.goalUpdate)
			r.Post("/plans/{planID}/goals/{goalID}/status", s.goalOverride)
			r.Post("/plans/{planID}/actions", s.actionCreate)
			r.Get("/plans/{planID}/actions/{actionID}/edit", s.actionEdit)
			r.Post("/plans/{planID}/actions/{actionID}", s.actionUpdate)
			r.Get("/accounts/{accountID}/plans", s.accountPlanList)
			r.Get("/accounts/{accountID}/plans/new", s.planNew)
			r.Post("/accounts/{accountID}/plans", s.planCreate)
			r.Get("/accounts/{accountID}/whitespace/{productID}", s.cellShow)
			r.Post("/accounts/{accountID}/whitespace/{productID}", s.cellUpdate)
			r.Get("/my/accounts", s.myAccounts)
			r.Get("/accounts/{accountID}/assignment", s.assignmentShow)
			r.Get("/dashboards", s.dashboardShow)
			r.Get("/dashboards.csv", s.dashboardCSV)
			r.Get("/dashboards/kams/{kamID}", s.dashboardKAM)
			r.Get("/dashboards/kams/{kamID}.csv", s.dashboardKAMCSV)
			r.Get("/accounts/{accountID}/kpis", s.accountKPIs)
			r.Post("/accounts/{accountID}/kpis", s.accountKPISave)
			r.Get("/accounts/{accountID}/kpis.csv", s.accountKPICSV)
			// Imports any member may run; the kind decides row by row what
			// each member may change.
			s.importRoutes(r, kpiImport)
			s.importRoutes(r, stakeholderImport)
			s.importRoutes(r, profitImport)
			// Health, risk, teams, engagement, profitability and reviews
			// (issue 15): everyone reads; writes check account.CanEdit (or
			// the team rule) in the store.
			r.Get("/health/matrix", s.matrixShow)
			r.Get("/health/risks", s.riskList)
			r.Get("/health/risks.csv", s.riskCSV)
			r.Get("/accounts/{accountID}/health", s.healthShow)
			r.Post("/accounts/{accountID}/team", s.teamAdd)
			r.Post("/accounts/{accountID}/team/{userID}/delete", s.teamRemove)
			r.Post("/accounts/{accountID}/engagements", s.engagementCreate)
			r.Post("/accounts/{accountID}/engagements/{engagementID}/delete", s.engagementDelete)
			r.Get("/accounts/{accountID}/profitability", s.profitShow)
			r.Post("/accounts/{accountID}/profitability", s.profitSave)
			r.Get("/accounts/{accountID}/reviews", s.accountReviewsShow)
			r.Post("/accounts/{accountID}/reviews", s.accountReviewHold)
			r.Get("/accounts/{accountID}/reviews/{accountReviewID}", s.accountReviewShow)
			r.Get("/accounts/{accountID}/reviews/{accountReviewID}/report", s.accountReviewReport)
			r.Post("/accounts/{accountID}/review-date", s.reviewDateUpdate)

			r.Get("/scoring", s.scoringIndex)
			r.Get("/scoring/matrix", s.scoringMatrix)
			r.Get("/scoring/criteria", s.criteriaList)
			r.Get("/scoring/accounts/{accountID}", s.accountScoreShow)
			r.Post("/accounts/{accountID}/scores", s.accountScoresSave)

			r.Group(func(r chi.Router) {
				r.Use(s.requireRole(auth.LeadRoles...))
				r.Get("/shortlist", s.shortlist)
				r.Get("/shortlist.csv", s.shortlistCSV)
				r.Get("/shortlist/chart", s.shortlistChart)
				r.Get("/shortlist/whatif", s.whatIf)
				r.Get("/shortlist/reviews", s.reviewList)
				r.Post("/shortlist/reviews", s.reviewCreate)
				r.Get("/shortlist/reviews/{reviewID}", s.reviewShow)
				r.Post("/shortlist/reviews/{reviewID}/decisions", s.reviewDecide)
				r.Post("/shortlist/reviews/{reviewID}/close", s.reviewClose)
				r.Post("/accounts/{accountID}/key-status", s.keyStatusUpdate)
				r.Post("/accounts/{accountID}/key-proposal", s.keyProposalCreate)
				r.Post("/accounts/{accountID}/key-proposal/withdraw", s.keyProposalWithdraw)
				r.Get("/kams", s.kamList)
				r.Get("/kams/suggestions", s.suggestionList)
				r.Post("/kams/suggestions/apply", s.suggestionApply)
				r.Get("/kams/{kamID}", s.kamShow)
				r.Post("/kams/{kamID}", s.kamUpdate)
				r.Post("/accounts/{accountID}/assignment", s.assignmentUpdate)
				r.Post("/accounts/{accountID}/manager", s.managerUpdate)
				r.Get("/accounts/new", s.accountNew)
				r.Post("/accounts", s.accountCreate)
				s.importRoutes(r, accountImport)
			})

			// Scoring set-up: criteria, weights and settings.
			r.Group(func(r chi.Router) {
				r.Use(s.requireRole(auth.RoleAdmin))
				r.Post("/scoring/criteria", s.criterionCreate)
				r.Post("/scoring/criteria/library", s.criterionEnable)
				r.Post("/scoring/criteria/library-notice", s.criteriaNoticeDismiss)
				r.Post("/scoring/criteria/weights", s.weightsSave)
				r.Post("/scoring/criteria/{criterionID}", s.criterionUpdate)
				r.Post("/scoring/criteria/{criterionID}/activate", s.criterionSetActive(true))
				r.Post("/scoring/criteria/{criterionID}/deactivate", s.criterionSetActive(false))
				r.Post("/scoring/criteria/{criterionID}/move", s.criterionMove)
				r.Post("/scoring/criteria/{criterionID}/metric", s.criterionMetric)
				r.Get("/scoring/settings", s.scoringSettings)
				r.Post("/scoring/settings", s.scoringSettingsSave)
				r.Post("/shortlist/whatif/apply", s.whatIfApply)
			})

			r.Route("/admin", func(r chi.Router) {
				r.Use(s.requireRole(auth.RoleAdmin))
				r.Get("/users", s.userList)
				r.With(s.throttled(memberKeys(auth.InviteUser))).Post("/invites", s.inviteCreate)
				r.Post("/invites/{inviteID}/revoke", s.inviteRevoke)
				if s.outbox != nil {
					r.Get("/outbox", s.outboxShow) // the demo's mail; only without SMTP
				}
				r.Post("/users/{userID}", s.memberUpdate)
				r.Get("/audit", s.auditList)
				r.Get("/tokens", s.tokenList)
				r.Post("/tokens", s.tokenCreate)
				r.Post("/tokens/{tokenID}/revoke", s.tokenRevoke)
				r.Get("/webhooks", s.webhookList)
				r.Post("/webhooks", s.webhookCreate)
				r.Get("/webhooks/{endpointID}", s.webhookShow)
				r.Post("/webhooks/{endpointID}", s.webhookUpdate)
				r.Post("/webhooks/{endpointID}/rotate", s.webhookRotate)
				r.Post("/webhooks/{endpointID}/delete", s.webhookDelete)
				r.Post("/webhooks/deliveries/{deliveryID}/replay", s.webhookReplay)
				r.Get("/products", s.productList)
				r.Post("/products", s.productCreate)
				r.Post("/products/{productID}", s.productUpdate)
				r.Get("/settings", s.tenantSettingsShow)
				r.Post("/settings", s.tenantSettingsSave)
				r.Get("/plan-settings", s.planSettingsShow)
				r.Post("/plan-settings", s.planSettingsUpdate)
				r.Get("/health", s.healthSettingsShow)
				r.Post("/health", s.healthSettingsSave)
			})
			r.Group(func(r chi.Router) {
				r.Use(s.requireRole(auth.RoleAdmin))
				r.Get("/kpis/settings", s.kpiSettingsShow)
				r.Post("/kpis/settings", s.kpiSettingsSave)
			})
		})
	})
	return r
}
