package server

import (
	"net/http"
	"strconv"
	"time"

	"pareto/templates"
)

func itoa(n int) string { return strconv.Itoa(n) }

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	members, err := s.auth.Members(r.Context(), scope(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	active := 0
	for _, m := range members {
		if m.Active {
			active++
		}
	}
	today := time.Now().UTC()
	overdue, err := s.accounts().OverdueNextSteps(r.Context(), scope(r), currentMember(r).UserID, today)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, templates.HomePage(s.page(r, "Dashboard", "home"),
		templates.HomeView{MemberCount: active, Overdue: overdue, Today: today}))
}

// comingSoon serves a section whose issue has not landed yet.
func (s *Server) comingSoon(section, title string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.render(w, r, http.StatusOK, templates.ComingSoonPage(s.page(r, title, section)))
	}
}
