// Package server is Pareto's HTTP layer: the router (every route in one
// place), middleware, handlers and the one place errors become statuses.
package server

import "context"
import "fmt"
import "log/slog"
import "net/http"
import "net/netip"
import "os"
import "sync"
import "time"

import "github.com/alexedwards/scs/v2"
import "github.com/go-chi/chi/v5"
import "github.com/google/uuid"

import "pareto/internal/api"
import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/kpi"
import "pareto/internal/mail"
import "pareto/internal/notify"
import "pareto/internal/webhook"

// Config is what the server needs to know about its surroundings.
type Config struct {
	// BaseURL is where people reach the app, e.g. https://pareto.example.com;
	// used for invitation links and, when https, Secure cookies.
	BaseURL         string
	SecureCookies   bool
	IdleTimeout     time.Duration // session idle timeout
	SessionLifetime time.Duration // absolute session lifetime
	// Mail delivers email: mail.SMTP, or a *mail.Outbox (the demo's mail,
	// readable at /admin/outbox, a page that exists only then). nil keeps
	// an outbox in a new temporary folder (tests).
	Mail mail.Sender
	// TrustedProxies are the reverse proxies whose X-Forwarded-For is
	// believed; the client IP is otherwise the socket's.
	TrustedProxies []netip.Prefix
	// API tunes the JSON API (its rate limit).
	API api.Config
	// Webhooks: the key that seals endpoints' signing secrets (nil: a
	// random key, for tests) and the development flag that allows plain
	// http to localhost.
	WebhookKey         *webhook.Key
	WebhooksAllowLocal bool
}

// Server holds the dependencies of every handler.
type Server struct {
	cfg      Config
	db       *db.DB
	log      *slog.Logger
	sessions *scs.SessionManager
	store    *db.SessionStore
	mail     *mail.Queue
	outbox   *mail.Outbox // nil unless mail goes to the outbox
	auth     *auth.Store
	kpi      *kpi.Store
	handler  http.Handler
	stop     chan struct{}
	revenue  revenueRefresher
	// Background work (health runs) stops when bg is cancelled (Stop).
	bg         context.Context
	stopBG     context.CancelFunc
	healthRuns healthRuns
	api        *api.API
	hooks      *webhook.Store
	hookRun    sync.WaitGroup
	notify     *notify.Store
}

// StartWebhooks starts the process's one webhook worker (pareto serve
// calls it once); Stop stops it, leaving an attempt in flight pending.
func (s *Server) StartWebhooks() {
	w := &webhook.Worker{DB: s.db, Key: s.cfg.WebhookKey, Log: s.log, Client: webhook.NewClient(s.cfg.WebhooksAllowLocal)}
	s.hookRun.Add(1)
	go func() {
		defer s.hookRun.Done()
		w.Run(s.bg)
	}()
}

// New wires the server. The session store cleans expired sessions every
// five minutes until stop is called.
func New(cfg Config, d *db.DB, log *slog.Logger) *Server {
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = 30 * time.Minute
	}
	if cfg.SessionLifetime == 0 {
		cfg.SessionLifetime = 12 * time.Hour
	}
	sm := scs.New()
	sm.Codec = sessionCodec{}
	// The store enforces the idle timeout from a stored last-seen time;
	// scs's own IdleTimeout would mark every loaded session modified and
	// rewrite its row on every request.
	store := db.NewSessionStore(d, cfg.IdleTimeout)
	store.UserOf = func(b []byte) uuid.UUID {
		_, values, err := sm.Codec.Decode(b)
		if err != nil {
			return uuid.Nil
		}
		id, _ := values[sessUserID].(string)
		u, _ := uuid.Parse(id)
		return u
	}
	sm.Store = store
	sm.Lifetime = cfg.SessionLifetime
	sm.Cookie.Name = "pareto_session"
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = cfg.SecureCookies
	sm.Cookie.Persist = false
	if cfg.Mail == nil {
		dir, err := os.MkdirTemp("", "pareto-outbox")
		if err == nil {
			cfg.Mail, err = mail.NewOutbox(dir, log)
		}
		if err != nil {
			panic(fmt.Sprintf("server: temporary outbox: %v", err))
		}
	}
	s := &Server{cfg: cfg, db: d, log: log, sessions: sm, store: store, mail: mail.NewQueue(cfg.Mail, log), auth: auth.NewStore(d), kpi: kpi.NewStore(d), stop: make(chan struct{})}
	s.bg, s.stopBG = context.WithCancel(context.Background())
	s.outbox, _ = cfg.Mail.(*mail.Outbox)
	apiCfg := cfg.API
	apiCfg.Written = s.keepAfterWrite
	s.api = api.New(d, s.auth, log, apiCfg)
	s.notify = notify.NewStore(d)
	if s.cfg.WebhookKey == nil {
		s.cfg.WebhookKey = webhook.RandomKey()
	}
	s.hooks = &webhook.Store{DB: d, Key: s.cfg.WebhookKey, AllowHTTPLocalhost: cfg.WebhooksAllowLocal}
	sm.ErrorFunc = s.fail
	s.handler = s.routes()
	go s.cleanSessions(store, 5*time.Minute)
	return s
}

// ServeHTTP makes the Server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Webhooks exposes the webhook store (tests use it).
func (s *Server) Webhooks() *webhook.Store { return s.hooks }

// Auth exposes the auth store (seed and tests use it).
func (s *Server) Auth() *auth.Store { return s.auth }

// Stop ends the session cleanup goroutine, waits for revenue refreshes
// still running and delivers the queued mail.
func (s *Server) Stop() {
	close(s.stop)
	s.revenue.wg.Wait()
	s.stopBG()
	s.healthRuns.wg.Wait()
	s.hookRun.Wait()
	s.mail.Close()
}

// Outbox is where mail goes when no SMTP server is configured (nil
// otherwise); tests read it.
func (s *Server) Outbox() *mail.Outbox { return s.outbox }

func (s *Server) cleanSessions(store *db.SessionStore, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			if err := store.DeleteExpired(context.Background()); err != nil {
				s.log.Warn("delete expired sessions", "err", err)
			}
			if _, err := s.auth.Throttle.Prune(context.Background()); err != nil {
				s.log.Warn("prune throttles", "err", err)
			}
			if err := s.auth.PruneSignups(context.Background()); err != nil {
				s.log.Warn("prune signups", "err", err)
			}
		}
	}
}

// KPI exposes the KPI store (tests and benchmarks use it).
func (s *Server) KPI() *kpi.Store { return s.kpi }

// Router exposes the chi router so tests can walk every route.
func (s *Server) Router() chi.Routes { return s.handler.(chi.Routes) }
