package server_test

import "net/url"

// Notifications are each person's own: every signed-in role reads and
// marks theirs (another person's answers 404: TestNotificationsPage).
func init() {
	accessRules = append(accessRules,
		accessRule{Method: "GET", Pattern: "/notifications", Roles: everyone},
		// An id that is no notification: 422.
		accessRule{Method: "POST", Pattern: "/notifications/read", Roles: everyone, Form: url.Values{"notification_id": {"not-an-id"}}},
		accessRule{Method: "POST", Pattern: "/notifications/read-all", Roles: everyone},
		accessRule{Method: "GET", Pattern: "/me/notifications", Roles: everyone},
		accessRule{Method: "POST", Pattern: "/me/notifications", Roles: everyone, Form: url.Values{"digest": {"on"}}},
	)
}
