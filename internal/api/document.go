package api

import _ "embed"
import "net/http"

// Document is the OpenAPI 3.1 description of this API. The API tests
// validate every response they get against it and check that it names
// exactly the routes the router serves, so it cannot drift.
//
//go:embed openapi.json
var Document []byte

func serveDocument(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(Document)
}
