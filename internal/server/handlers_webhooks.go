package server

import "net/http"
import "strings"

import "github.com/a-h/templ"

import "pareto/internal/db"
import "pareto/internal/keyset"
import "pareto/internal/webhook"
import "pareto/templates"

// Webhook endpoints and their delivery log (admin; internal/webhook).

func (s *Server) webhooksPage(r *http.Request, v templates.WebhooksView) (templ.Component, error) {
	var err error
	v.AllowHTTP = s.hooks.AllowHTTPLocalhost
	if v.Endpoints, err = s.hooks.Endpoints(r.Context(), scope(r)); err != nil {
		return nil, err
	}
	v.Deliveries, err = s.hooks.Deliveries(r.Context(), scope(r), webhook.DeliveryFilter{Cursor: keyset.Parse(r.URL.Query().Get("cursor"))})
	return templates.WebhooksPage(s.page(r, "Webhooks", "admin"), v), err
}

func (s *Server) webhookList(w http.ResponseWriter, r *http.Request) {
	page, err := s.webhooksPage(r, templates.WebhooksView{Form: templates.WebhookForm{Enabled: true}})
	s.show(w, r, err, func() templ.Component { return page })
}

func readWebhook(f *form) webhook.EndpointInput {
	return webhook.EndpointInput{URL: f.Trim("url"), Description: f.Trim("description"), Events: f.List("events"), Enabled: f.Check("enabled")}
}

func webhookForm(in webhook.EndpointInput, version int, fe db.FieldErrors) templates.WebhookForm {
	return templates.WebhookForm{URL: in.URL, Description: in.Description, Events: in.Events, Enabled: in.Enabled, Version: version, Errors: fe}
}

// webhookCreate shows the new endpoint's secret on the answer itself (no
// redirect): it is never shown again.
func (s *Server) webhookCreate(w http.ResponseWriter, r *http.Request) {
	f := s.readForm(w, r)
	if f == nil {
		return
	}
	in := readWebhook(f)
	var secret string
	var e webhook.Endpoint
	err := f.Then(nil, func() (err error) {
		secret, e, err = s.hooks.CreateEndpoint(r.Context(), scope(r), in)
		return err
	})
	v := templates.WebhooksView{Form: templates.WebhookForm{Enabled: true}}
	status := http.StatusOK
	if fe, ok := err.(db.FieldErrors); ok {
		v.Form, status, err = webhookForm(in, 0, fe), http.StatusUnprocessableEntity, nil
	} else if err == nil {
		v.Secret = templates.WebhookSecret{Secret: secret, URL: e.URL}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page, err := s.webhooksPage(r, v)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, status, page)
}

// webhookEndpoint is the endpoint the path names (404 for another
// tenant's or a malformed id).
func (s *Server) webhookEndpoint(r *http.Request) (webhook.Endpoint, error) {
	id, err := urlID(r, "endpointID")
	if err != nil {
		return webhook.Endpoint{}, err
	}
	return s.hooks.Endpoint(r.Context(), scope(r), id)
}

func (s *Server) webhookPage(r *http.Request, e webhook.Endpoint, v templates.WebhookView) (templ.Component, error) {
	var err error
	v.Endpoint, v.AllowHTTP = e, s.hooks.AllowHTTPLocalhost
	v.Deliveries, err = s.hooks.Deliveries(r.Context(), scope(r), webhook.DeliveryFilter{EndpointID: e.ID, Cursor: keyset.Parse(r.URL.Query().Get("cursor"))})
	return templates.WebhookPage(s.page(r, "Webhook", "admin"), v), err
}

func formOf(e webhook.Endpoint) templates.WebhookForm {
	return webhookForm(webhook.EndpointInput{URL: e.URL, Description: e.Description, Events: e.Events, Enabled: e.Enabled}, e.Version, nil)
}

func (s *Server) webhookShow(w http.ResponseWriter, r *http.Request) {
	e, err := s.webhookEndpoint(r)
	var page templ.Component
	if err == nil {
		page, err = s.webhookPage(r, e, templates.WebhookView{Form: formOf(e)})
	}
	s.show(w, r, err, func() templ.Component { return page })
}

func (s *Server) webhookUpdate(w http.ResponseWriter, r *http.Request) {
	e, f, version, ok := editFor(s, w, r, s.webhookEndpoint)
	if !ok {
		return
	}
	in := readWebhook(f)
	err := f.Then(nil, func() error { return s.hooks.UpdateEndpoint(r.Context(), scope(r), e.ID, in, version) })
	s.saved(w, r, err, saved{
		Invalid: func(fe db.FieldErrors) (templ.Component, error) {
			return s.webhookPage(r, e, templates.WebhookView{Form: webhookForm(in, version, fe)})
		},
		Conflict: func() (templates.ConflictView, error) {
			cur, err := s.hooks.Endpoint(r.Context(), scope(r), e.ID)
			return templates.ConflictView{Heading: "This endpoint was changed by someone else",
				BackHref: "/admin/webhooks/" + e.ID.String(), BackLabel: "Open the endpoint as saved now",
				Rows: templates.TextConflictRows(
					templates.ConflictRow{Label: "URL", Theirs: cur.URL, Mine: in.URL},
					templates.ConflictRow{Label: "Description", Theirs: cur.Description, Mine: in.Description},
					templates.ConflictRow{Label: "Events", Theirs: strings.Join(cur.Events, ", "), Mine: strings.Join(in.Events, ", ")},
					templates.ConflictRow{Label: "Enabled", Theirs: yesNo(cur.Enabled), Mine: yesNo(in.Enabled)},
				)}, err
		},
		Section: "admin", Flash: "Saved the endpoint.", Next: "/admin/webhooks/" + e.ID.String()})
}

// webhookRotate shows the new secret on the answer itself.
func (s *Server) webhookRotate(w http.ResponseWriter, r *http.Request) {
	e, err := s.webhookEndpoint(r)
	var secret string
	if err == nil {
		secret, err = s.hooks.RotateSecret(r.Context(), scope(r), e.ID)
	}
	if err == nil {
		e, err = s.hooks.Endpoint(r.Context(), scope(r), e.ID)
	}
	var page templ.Component
	if err == nil {
		page, err = s.webhookPage(r, e, templates.WebhookView{Form: formOf(e), Secret: templates.WebhookSecret{Secret: secret, URL: e.URL}})
	}
	s.show(w, r, err, func() templ.Component { return page })
}

// webhookDelete deletes only when the form carries confirm=yes (its
// button does), so a stray post does not.
func (s *Server) webhookDelete(w http.ResponseWriter, r *http.Request) {
	e, f, ok := formFor(s, w, r, s.webhookEndpoint)
	if !ok {
		return
	}
	if f.Raw("confirm") != "yes" {
		s.renderError(w, r, http.StatusUnprocessableEntity, "Not confirmed", "Use the “Delete endpoint” button on the endpoint's page.")
		return
	}
	err := s.hooks.DeleteEndpoint(r.Context(), scope(r), e.ID)
	s.saved(w, r, err, saved{Flash: "Deleted the endpoint " + e.URL + " and its delivery log.", Next: "/admin/webhooks"})
}

func (s *Server) webhookReplay(w http.ResponseWriter, r *http.Request) {
	f := s.readForm(w, r)
	if f == nil {
		return
	}
	id, err := urlID(r, "deliveryID")
	if err == nil {
		err = s.hooks.Replay(r.Context(), scope(r), id)
	}
	s.saved(w, r, err, saved{Flash: "The delivery will be sent again shortly, with the same Webhook-Id.",
		Next: localBackUnder(f.Trim("back"), "/admin/webhooks", "/admin/webhooks")})
}
