package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"pareto/internal/auth"
	"pareto/internal/bench"
	"pareto/internal/db"
	"pareto/internal/scoring"
	"pareto/templates"
)

// bareShortlist serves the shortlist's first page from a plain net/http
// handler in this process — the same store calls and the same templ page
// as GET /shortlist, but no router, middleware, session or per-request
// member lookup — and loads it like the real server, so the cost of those
// layers shows as the ratio of the two.
func bareShortlist(ctx context.Context, dbURL string, d data, cfg config, client *http.Client) (bench.Result, error) {
	pool, err := db.Open(ctx, dbURL, db.Options{MaxConns: 16, StatementTimeout: 30 * time.Second})
	if err != nil {
		return bench.Result{}, err
	}
	defer pool.Close()
	store := scoring.NewStore(pool)
	sc := d.admin.scope
	me := &auth.Member{UserID: sc.UserID, TenantID: sc.TenantID, TenantName: "Bench Big Co", Name: "Admin of Bench Big Co",
		Email: d.admin.email, Role: auth.RoleAdmin, Active: true}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		var f scoring.Filter
		pg, err := store.ShortlistPage(ctx, sc, f)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		v := templates.NewShortlistView(pg, f, true)
		var buf bytes.Buffer
		page := templates.Page{Title: "Shortlist", Section: "shortlist", User: me}
		if err := templates.ShortlistPage(page, v).Render(ctx, &buf); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = buf.WriteTo(w)
	})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return bench.Result{}, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			progress("bare handler: %v", err)
		}
	}()
	defer srv.Close()
	s := bench.Scenario{Name: "shortlist, bare net/http", OK: func(st int) bool { return st == http.StatusOK },
		Next: func(int) bench.Request { return bench.Get("http://"+l.Addr().String()+"/shortlist", "") }}
	bench.Run(ctx, s, client, cfg.rate, cfg.scenarioTime/5, cfg.workers)
	progress("load: %s (%.0f req/s for %v, %d clients)", s.Name, cfg.rate, cfg.scenarioTime, cfg.workers)
	res := bench.Run(ctx, s, client, cfg.rate, cfg.scenarioTime, cfg.workers)
	if res.Errors > 0 {
		return res, fmt.Errorf("bare shortlist: %d errors", res.Errors)
	}
	return res, nil
}
