package server

import "context"
import "net/http"
import "net/url"
import "strconv"
import "time"

import "github.com/google/uuid"

import "pareto/internal/db"
import "pareto/internal/keyset"
import "pareto/internal/notify"
import "pareto/templates"

// The person's notifications (internal/notify): the list, opening one
// (marks it read and goes to its record), marking one or all read, and
// the weekly digest setting on their own settings page.

func (s *Server) notificationList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v := templates.NotificationsView{UnreadOnly: q.Get("unread") == "1"}
	var err error
	v.Page, err = s.notify.List(r.Context(), scope(r), notify.Filter{Unread: v.UnreadOnly, Cursor: keyset.Parse(q.Get("cursor"))})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := s.page(r, "Notifications", "")
	v.Unread = p.Unread
	v.Link = func(cursor string) string {
		u := url.Values{}
		if v.UnreadOnly {
			u.Set("unread", "1")
		}
		if cursor != "" {
			u.Set("cursor", cursor)
		}
		if len(u) == 0 {
			return "/notifications"
		}
		return "/notifications?" + u.Encode()
	}
	s.render(w, r, http.StatusOK, templates.NotificationsPage(p, v))
}

// notificationRead marks one of the person's notifications read, then
// opens its record (or, with stay=1, goes back to the list). Another
// person's or tenant's notification answers 404.
func (s *Server) notificationRead(w http.ResponseWriter, r *http.Request) {
	f := s.readForm(w, r)
	if f == nil {
		return
	}
	id, err := uuid.Parse(f.Raw("notification_id"))
	if err != nil {
		s.renderError(w, r, http.StatusUnprocessableEntity, "No notification chosen", "Use a notification’s link or button on the notifications page.")
		return
	}
	n, err := s.notify.MarkRead(r.Context(), scope(r), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	to := n.Link
	if f.Raw("stay") == "1" || !isLocalPath(to) {
		to = localBack(refererPath(r), "/notifications")
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

func (s *Server) notificationReadAll(w http.ResponseWriter, r *http.Request) {
	n, err := s.notify.MarkAllRead(r.Context(), scope(r))
	msg := strconv.Itoa(n) + " notifications marked as read."
	if n == 1 {
		msg = "1 notification marked as read."
	}
	s.saved(w, r, err, saved{Flash: msg, Next: "/notifications"})
}

func (s *Server) notifySettingsShow(w http.ResponseWriter, r *http.Request) {
	st, err := s.notify.SettingsOf(r.Context(), scope(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, templates.NotificationSettingsPage(s.page(r, "Notification settings", ""),
		templates.NotificationSettingsView{Settings: st, Email: currentMember(r).Email}))
}

// notifySettingsUpdate turns the weekly digest on or off (an unticked
// box is not sent: off).
func (s *Server) notifySettingsUpdate(w http.ResponseWriter, r *http.Request) {
	f := s.readForm(w, r)
	if f == nil {
		return
	}
	on := f.Raw("digest") == "on"
	err := s.notify.SetDigest(r.Context(), scope(r), on)
	msg := "You will get no digest email."
	if on {
		msg = "You will get a weekly digest email when something is unread."
	}
	s.saved(w, r, err, saved{Flash: msg, Next: "/me/notifications"})
}

// sendDigests takes the tenant's digests due this week and queues their
// emails (system work: no person).
func (s *Server) sendDigests(tenantID uuid.UUID) {
	ctx, cancel := context.WithTimeout(s.bg, time.Minute)
	defer cancel()
	ds, err := s.notify.TakeDigests(ctx, db.Scope{TenantID: tenantID})
	if err != nil {
		s.log.Warn("digests", "tenant_id", tenantID, "err", err)
		return
	}
	for _, d := range ds {
		s.mail.Enqueue(s.mailDigest(d))
	}
}
