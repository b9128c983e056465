package server_test

import "context"
import "github.com/jackc/pgx/v5"
import "html"
import "io"
import "log/slog"
import "net/http"
import "net/http/cookiejar"
import "net/http/httptest"
import "net/url"
import "pareto/internal/account"
import "regexp"
import "strings"
import "testing"
import "time"

import "github.com/google/uuid"

import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/db/dbtest"
import "pareto/internal/mail"
import "pareto/internal/server"

func TestMain(m *testing.M) { dbtest.Main(m) }

// nextLink is the page's rel="next" link (keyset pagination), unescaped.
func nextLink(t testing.TB, body string) string {
	t.Helper()
	m := regexp.MustCompile(`<a href="([^"]+)" rel="next"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no next page link")
	}
	return html.UnescapeString(m[1])
}

// recounted wraps a fixture that writes accounts in plain SQL: after it,
// the tenant's kept tallies are counted again, as bulk writers do
// (account.Recount), so pages that read them see the fixture's accounts.
func recounted(tenantID uuid.UUID, fn func(pgx.Tx) error) func(pgx.Tx) error {
	return func(tx pgx.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return account.Recount(context.Background(), tx, tenantID)
	}
}

// testApp is the real server on a fresh database, reached over HTTP.
type testApp struct {
	t     testing.TB
	DB    *db.DB
	DBURL string // as the login role, for tools like pg_dump
	Srv   *server.Server
	URL   string
	Trips *dbtest.RoundTrips // what the app's pool sends the database
}

func newTestApp(t testing.TB) *testApp {
	t.Helper()
	dbURL := dbtest.URL(t)
	trips := &dbtest.RoundTrips{}
	d := dbtest.Open(t, dbURL, db.Options{MaxConns: 8, Tracer: trips})
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := server.New(server.Config{BaseURL: "http://pareto.test"}, d, log)
	ts := httptest.NewServer(srv)
	t.Cleanup(func() { ts.Close(); srv.Stop() })
	return &testApp{t: t, DB: d, DBURL: dbURL, Srv: srv, URL: ts.URL, Trips: trips}
}

// client is one browser: its own cookie jar, redirects not followed.
type client struct {
	t    testing.TB
	app  *testApp
	http *http.Client
}

func (a *testApp) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: a.t, app: a, http: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// response is what a test looks at.
type response struct {
	Status   int
	Body     string
	Location string
	Header   http.Header
}

func (c *client) do(req *http.Request) response {
	c.t.Helper()
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{Status: res.StatusCode, Body: string(b), Location: res.Header.Get("Location"), Header: res.Header}
}

func (c *client) get(path string) response {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.app.URL+path, nil)
	return c.do(req)
}

func (c *client) postForm(path string, form url.Values) response {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.app.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// cookie returns the session cookie's value, or "".
func (c *client) cookie() string {
	u, _ := url.Parse(c.app.URL)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == "pareto_session" {
			return ck.Value
		}
	}
	return ""
}

const testPassword = "correct-horse-battery"

// signup creates a tenant through the real forms (signup, then the link
// of the confirmation mail) and returns its admin's signed-in client.
func (a *testApp) signup(org, email string) (*client, auth.Member) {
	a.t.Helper()
	c := a.client()
	res := c.postForm("/signup", url.Values{"org_name": {org}, "name": {"Admin of " + org}, "email": {email}, "password": {testPassword}})
	if res.Status != http.StatusOK || !strings.Contains(res.Body, "Check your email") {
		a.t.Fatalf("signup %s: status %d\n%s", org, res.Status, res.Body)
	}
	link := a.mailLink(email, "Confirm your email", "/signup/")
	if res := c.postForm(link, nil); res.Status != http.StatusSeeOther || res.Location != "/" {
		a.t.Fatalf("confirm signup %s: status %d\n%s", org, res.Status, res.Body)
	}
	m, err := a.Srv.Auth().Login(context.Background(), email, testPassword, "test")
	if err != nil {
		a.t.Fatal(err)
	}
	return c, m
}

// mail waits (the queue sends in the background) for the newest outbox
// message to email whose subject contains subject.
func (a *testApp) mail(email, subject string) mail.Message {
	a.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		msgs, err := a.Srv.Outbox().Messages(func(m mail.Message) bool {
			return strings.EqualFold(m.To, email) && strings.Contains(m.Subject, subject)
		})
		if err != nil {
			a.t.Fatal(err)
		}
		if len(msgs) > 0 {
			return msgs[0]
		}
		if time.Now().After(deadline) {
			a.t.Fatalf("no mail to %s about %q in the outbox", email, subject)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

var mailLinkRe = regexp.MustCompile(`https?://[^/\s]+(/\S+)`)

// mailLink is the path of the link in the newest mail to email about
// subject; the link must start with prefix.
func (a *testApp) mailLink(email, subject, prefix string) string {
	a.t.Helper()
	m := a.mail(email, subject)
	for _, match := range mailLinkRe.FindAllStringSubmatch(m.Text, -1) {
		if strings.HasPrefix(match[1], prefix) {
			return match[1]
		}
	}
	a.t.Fatalf("no %s link in the mail to %s:\n%s", prefix, email, m.Text)
	return ""
}

// addMember invites email into admin's tenant with role and accepts it.
func (a *testApp) addMember(admin auth.Member, email, name string, role auth.Role) auth.Member {
	a.t.Helper()
	ctx := context.Background()
	s := a.Srv.Auth()
	token, _, err := s.CreateInvite(ctx, db.Scope{TenantID: admin.TenantID, UserID: admin.UserID}, email, role)
	if err != nil {
		a.t.Fatal(err)
	}
	m, err := s.AcceptInvite(ctx, token, name, testPassword)
	if err != nil {
		a.t.Fatal(err)
	}
	return m
}

// login signs a new client in as email.
func (a *testApp) login(email string) *client {
	a.t.Helper()
	c := a.client()
	res := c.postForm("/login", url.Values{"email": {email}, "password": {testPassword}})
	if res.Status != http.StatusSeeOther || res.Location != "/" {
		a.t.Fatalf("login %s: status %d location %q", email, res.Status, res.Location)
	}
	return c
}

// tenantFixture is one tenant with a member of every role and the ids of
// records the area set-ups made, keyed by the route parameter name that
// takes them (e.g. "accountID").
type tenantFixture struct {
	ID      uuid.UUID
	Members map[auth.Role]auth.Member
	Clients map[auth.Role]*client
	IDs     map[string]string
}

// fixtureSetups add area records to each tenant of the access matrix; each
// area registers one in an init function beside its own tests.
var fixtureSetups []func(t *testing.T, a *testApp, tf *tenantFixture)

func (a *testApp) tenantFixture(org string) *tenantFixture {
	a.t.Helper()
	slug := strings.ToLower(strings.ReplaceAll(org, " ", ""))
	adminClient, admin := a.signup(org, "admin@"+slug+".test")
	tf := &tenantFixture{ID: admin.TenantID, Members: map[auth.Role]auth.Member{auth.RoleAdmin: admin},
		Clients: map[auth.Role]*client{auth.RoleAdmin: adminClient}, IDs: map[string]string{}}
	for _, role := range []auth.Role{auth.RoleLeader, auth.RoleKAM} {
		email := string(role) + "@" + slug + ".test"
		tf.Members[role] = a.addMember(admin, email, string(role)+" of "+org, role)
		tf.Clients[role] = a.login(email)
	}
	for _, setup := range fixtureSetups {
		setup(a.t.(*testing.T), a, tf)
	}
	return tf
}

func (tf *tenantFixture) scope(role auth.Role) db.Scope {
	return db.Scope{TenantID: tf.ID, UserID: tf.Members[role].UserID}
}
