package main

import "bytes"
import "context"
import "errors"
import "fmt"
import "html/template"
import "io"
import "net"
import "net/http"
import "regexp"
import "slices"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5/pgxpool"

import "pareto/internal/bench"
import "pareto/internal/db"

// bareSQL is the shortlist's first page in one statement: the same 50
// rows in the same order as GET /shortlist, read through the same index
// (account_rankings_order_idx). It reads what the ranking row keeps
// (name, revenue, headroom, key status, KAM; the potential is headroom +
// revenue) as the app's read does since migration 00033: the bare handler
// is the minimum for the same result, so it gets every shortcut the
// schema gives the app. The tenant is written in as a literal (%s), as
// the app's read does (db.TenantLiteral): with "$1" PostgreSQL planned it
// again on every execution at 200,000 accounts (0.56 ms of planning for a
// 0.5 ms read), a handicap of the yardstick, not its cost.
const bareSQL = `SELECT r.account_id, r.name, r.score10, r.complete, r.revenue_cents,
	r.headroom + r.revenue_cents, r.headroom, r.key_status, coalesce(u.name, '')
FROM account_rankings r LEFT JOIN users u ON u.id = r.kam_user_id
WHERE r.tenant_id = %s AND NOT r.archived
ORDER BY r.rank_key1, r.rank_key2, r.sort_name, r.account_id
LIMIT 50`

var bareTemplate = template.Must(template.New("shortlist").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Shortlist</title></head><body>
<table><thead><tr><th>Rank</th><th>Account</th><th>Score</th><th>Revenue</th><th>Potential</th><th>Headroom</th><th>Status</th><th>KAM</th></tr></thead>
<tbody>{{range $i, $r := .}}<tr><td>{{$i}}</td><td><a href="/scoring/accounts/{{$r.ID}}">{{$r.Name}}</a></td><td>{{$r.Score10}}{{if not $r.Complete}}*{{end}}</td>
<td>{{$r.Revenue}}</td><td>{{$r.Potential}}</td><td>{{$r.Headroom}}</td><td>{{$r.KeyStatus}}</td><td>{{$r.KAM}}</td></tr>
{{end}}</tbody></table></body></html>`))

type bareRow struct {
	ID                           uuid.UUID
	Name                         string
	Score10                      int16
	Complete                     bool
	Revenue, Potential, Headroom int64
	KeyStatus, KAM               string
}

// bareServer is the truly bare comparison for the shortlist's first page:
// net/http, a pgx pool, html/template and one SQL statement; no router,
// middleware, session, member lookup, tenant transaction or aggregates.
// It connects as the owner (no row-level security, so no transaction is
// needed to set a tenant) and filters by the tenant explicitly.
type bareServer struct {
	URL  string
	pool *pgxpool.Pool
	srv  *http.Server
}

func startBare(ctx context.Context, ownerURL string, tenant uuid.UUID) (*bareServer, error) {
	cfg, err := pgxpool.ParseConfig(ownerURL)
	if err != nil {
		return nil, err
	}
	cfg.MaxConns = 16
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	sql := fmt.Sprintf(bareSQL, db.TenantLiteral(tenant))
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rows, _ := pool.Query(r.Context(), sql)
		var list []bareRow
		var x bareRow
		for rows.Next() {
			if err := rows.Scan(&x.ID, &x.Name, &x.Score10, &x.Complete, &x.Revenue, &x.Potential, &x.Headroom, &x.KeyStatus, &x.KAM); err != nil {
				break
			}
			list = append(list, x)
		}
		if err := rows.Err(); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		var buf bytes.Buffer
		if err := bareTemplate.Execute(&buf, list); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = buf.WriteTo(w)
	})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		pool.Close()
		return nil, err
	}
	b := &bareServer{URL: "http://" + l.Addr().String() + "/shortlist", pool: pool,
		srv: &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}}
	go func() {
		if err := b.srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			progress("bare handler: %v", err)
		}
	}()
	return b, nil
}

func (b *bareServer) Close() {
	_ = b.srv.Close()
	b.pool.Close()
}

// shortlistRowRe finds the account of each row of a shortlist table (the
// app's and the bare handler's pages link each row's name alike).
var shortlistRowRe = regexp.MustCompile(`<td><a href="/scoring/accounts/([0-9a-f-]{36})">`)

// shortlistIDs fetches url with cookie and returns the accounts of its
// shortlist rows, in order.
func shortlistIDs(ctx context.Context, c *http.Client, url, cookie string) ([]string, error) {
	body, err := fetch(ctx, c, url, cookie)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, m := range shortlistRowRe.FindAllStringSubmatch(body, -1) {
		ids = append(ids, m[1])
	}
	return ids, nil
}

// sameShortlist checks that the app and the bare handler list the same
// accounts in the same order (and a full first page of them).
func sameShortlist(ctx context.Context, c *http.Client, appURL, cookie, bareURL string, want int) error {
	app, err := shortlistIDs(ctx, c, appURL, cookie)
	if err != nil {
		return err
	}
	bare, err := shortlistIDs(ctx, c, bareURL, "")
	if err != nil {
		return err
	}
	if len(app) != want || !slices.Equal(app, bare) {
		return fmt.Errorf("the app's shortlist (%d rows) and the bare handler's (%d rows) differ; want the same %d rows", len(app), len(bare), want)
	}
	return nil
}

// fetch GETs url with cookie and returns the body of a 200 answer.
func fetch(ctx context.Context, c *http.Client, url, cookie string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	res, err := c.Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return "", err
	}
	if res.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET %s: %d", url, res.StatusCode)
	}
	return string(b), nil
}

// bareShortlist loads the bare handler like the real server (open loop),
// for `make bench`'s framework-cost line.
func bareShortlist(ctx context.Context, ownerURL string, d data, cfg config, client *http.Client) (bench.Result, error) {
	b, err := startBare(ctx, ownerURL, d.big)
	if err != nil {
		return bench.Result{}, err
	}
	defer b.Close()
	s := bench.Scenario{Name: "shortlist, bare net/http", OK: func(st int) bool { return st == http.StatusOK },
		Next: func(int) bench.Request { return bench.Get(b.URL, "") }}
	bench.Run(ctx, s, client, cfg.rate, cfg.scenarioTime/5, cfg.workers)
	progress("load: %s (%.0f req/s for %v, %d clients)", s.Name, cfg.rate, cfg.scenarioTime, cfg.workers)
	res := bench.Run(ctx, s, client, cfg.rate, cfg.scenarioTime, cfg.workers)
	if res.Errors > 0 {
		return res, fmt.Errorf("bare shortlist: %d errors", res.Errors)
	}
	return res, nil
}
