package server_test

import "net/url"

// Saved views: every member keeps their own. The forms here are invalid
// (no name, no view): views_test.go tries another person's and another
// tenant's views (404).
func init() {
	accessRules = append(accessRules,
		accessRule{Method: "GET", Pattern: "/views", Roles: everyone},
		accessRule{Method: "POST", Pattern: "/views", Roles: everyone, Form: url.Values{"page": {"accounts"}, "name": {""}, "query": {"sort=name"}}},
		accessRule{Method: "POST", Pattern: "/views/rename", Roles: everyone, Form: url.Values{"version": {"1"}, "name": {""}}},
		accessRule{Method: "POST", Pattern: "/views/delete", Roles: everyone},
	)
}
