package server

import "fmt"
import "strings"

import "pareto/internal/auth"
import "pareto/internal/mail"
import "pareto/internal/notify"

// The app's emails. Links use the configured base URL (PARETO_BASE_URL).

func (s *Server) link(path string) string { return strings.TrimRight(s.cfg.BaseURL, "/") + path }

func (s *Server) mailReset(u auth.User, token string) mail.Message {
	return mail.Message{To: u.Email, Subject: "Reset your Pareto password", Text: mail.Render(
		"Hello "+u.Name+",",
		"",
		"Someone (we hope you) asked to reset the password of your Pareto account. Open this link within 30 minutes to choose a new one:",
		"",
		s.link("/password/reset/"+token),
		"",
		"The link works once. If you did not ask, ignore this email: your password stays as it is.",
	)}
}

func (s *Server) mailSignupConfirm(in auth.SignupInput, token string) mail.Message {
	return mail.Message{To: in.Email, Subject: "Confirm your email to create " + in.OrgName + " on Pareto", Text: mail.Render(
		"Hello "+in.Name+",",
		"",
		"Open this link within 24 hours to create "+in.OrgName+" on Pareto:",
		"",
		s.link("/signup/"+token),
		"",
		"If you did not sign up, ignore this email.",
	)}
}

// mailSignupExisting goes to an address that already has an account,
// instead of telling the visitor so.
func (s *Server) mailSignupExisting(email string) mail.Message {
	return mail.Message{To: email, Subject: "Someone tried to sign up to Pareto with your email", Text: mail.Render(
		"Hello,",
		"",
		"Someone (we hope you) tried to create a Pareto organisation with this email, which already has an account.",
		"",
		"To sign in: "+s.link("/login"),
		"Forgot your password? "+s.link("/password/forgot"),
		"",
		"If it was not you, you can ignore this email.",
	)}
}

func (s *Server) mailInvite(inv auth.Invite, from *auth.Member, token string) mail.Message {
	return mail.Message{To: inv.Email, Tenant: inv.TenantID, Subject: from.Name + " invited you to " + from.TenantName + " on Pareto",
		Text: mail.Render(
			"Hello,",
			"",
			from.Name+" invited you to join "+from.TenantName+" on Pareto as "+inv.Role.Label()+".",
			"Open this link to accept (it works once, until "+inv.ExpiresAt.UTC().Format("2 January 2006 15:04 UTC")+"):",
			"",
			s.link("/invites/"+token),
		)}
}

// mailDigest is a person's weekly digest: their unread notifications by
// kind, each with its link. Not shown in the demo outbox (no Tenant):
// it is theirs, not the tenant's.
func (s *Server) mailDigest(d notify.Digest) mail.Message {
	lines := []string{"Hello " + d.Name + ",", ""}
	if d.Unread > notify.CountCap {
		lines = append(lines, fmt.Sprintf("You have more than %d unread notifications in Pareto; the latest %d:", notify.CountCap, d.Shown))
	} else if d.Unread > d.Shown {
		lines = append(lines, fmt.Sprintf("You have %d unread notifications in Pareto; the latest %d:", d.Unread, d.Shown))
	} else if d.Unread == 1 {
		lines = append(lines, "You have 1 unread notification in Pareto:")
	} else {
		lines = append(lines, fmt.Sprintf("You have %d unread notifications in Pareto:", d.Unread))
	}
	for _, g := range d.Groups {
		lines = append(lines, "", fmt.Sprintf("%s (%d)", g.Kind.Label(), len(g.Items)))
		for _, n := range g.Items {
			lines = append(lines, "- "+n.Title, "  "+s.link(n.Link))
		}
	}
	lines = append(lines, "",
		"All of them: "+s.link("/notifications"),
		"",
		"You get this email once a week when something is unread. To stop it, untick the digest on "+s.link("/me/notifications")+".")
	return mail.Message{To: d.Email, Subject: "Your Pareto week: " + unreadPhrase(d.Unread), Text: mail.Render(lines...)}
}

// unreadPhrase says how many notifications are unread.
func unreadPhrase(n int) string {
	switch {
	case n == 1:
		return "1 unread notification"
	case n > notify.CountCap:
		return fmt.Sprintf("%d+ unread notifications", notify.CountCap)
	}
	return fmt.Sprintf("%d unread notifications", n)
}
