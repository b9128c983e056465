// Package web embeds the static assets (CSS, htmx, icons).
package web

import "embed"

// Static holds web/static, served under /static/.
//
//go:embed static
var Static embed.FS
