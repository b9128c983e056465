package server

import "net/http"
import "net/url"

import "github.com/a-h/templ"

import "pareto/internal/auth"
import "pareto/internal/plan"
import "pareto/internal/textsearch"
import "pareto/templates"

// search is the global search (the header's field, GET /search?q=):
// accounts, stakeholders, plans and products, grouped, each group at most
// textsearch.Shown hits, each linked to its record.
func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	ctx, sc := r.Context(), scope(r)
	raw := r.URL.Query().Get("q")
	q := textsearch.Parse(raw)
	v := templates.SearchView{Q: q.Text}
	acc, err := s.accounts().Search(ctx, sc, q)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	pl, err := plan.Search(ctx, s.db, sc, q)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	productHref := "/plans/whitespace"
	if currentMember(r).Role == auth.RoleAdmin {
		productHref = "/admin/products"
	}
	v.Groups = []templates.SearchGroup{
		searchGroup("search-accounts", "Accounts", acc.Accounts, acc.MoreAccounts, "/accounts?q="+url.QueryEscape(raw),
			func(h textsearch.Hit) string { return accountPath(h.ID) }),
		searchGroup("search-stakeholders", "Stakeholders", acc.Stakeholders, acc.MoreStakeholders, "",
			func(h textsearch.Hit) string { return accountPath(h.AccountID) + "#stakeholders" }),
		searchGroup("search-plans", "Plans", pl.Plans, pl.MorePlans, "",
			func(h textsearch.Hit) string { return "/plans/" + h.ID.String() }),
		searchGroup("search-products", "Products", pl.Products, pl.MoreProducts, "",
			func(textsearch.Hit) string { return productHref }),
	}
	v.Nothing = len(acc.Accounts)+len(acc.Stakeholders)+len(pl.Plans)+len(pl.Products) == 0
	s.show(w, r, nil, func() templ.Component { return templates.SearchPage(s.page(r, "Search", "search"), v) })
}

func searchGroup(id, label string, hits []textsearch.Hit, more bool, moreHref string, href func(textsearch.Hit) string) templates.SearchGroup {
	g := templates.SearchGroup{ID: id, Label: label, More: more}
	if more {
		g.MoreHref = moreHref
	}
	for _, h := range hits {
		g.Hits = append(g.Hits, templates.SearchHit{Title: h.Title, Detail: h.Detail, Href: href(h)})
	}
	return g
}
