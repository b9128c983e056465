package auth_test

import "context"
import "errors"
import "fmt"
import "strings"
import "testing"
import "time"

import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/db/dbtest"

// TestLoginThrottledByIP: one address cannot try every account (issue 13,
// hole 5). Before the fix only the email was counted, so 20 accounts × 4
// guesses from one IP all got checked.
func TestLoginThrottledByIP(t *testing.T) {
	s := auth.NewStore(dbtest.New(t))
	ctx := context.Background()
	signup(t, s, "Acme", "ada@acme.test")
	for i := range auth.LoginIP.Free {
		email := fmt.Sprintf("user%d@acme.test", i) // a new account each time
		if _, err := s.Login(ctx, email, "wrong-password", "203.0.113.9"); !errors.Is(err, db.ErrUnauthorized) {
			t.Fatalf("attempt %d: %v", i+1, err)
		}
	}
	var te *auth.ThrottledError
	if _, err := s.Login(ctx, "ada@acme.test", pw, "203.0.113.9"); !errors.As(err, &te) {
		t.Fatalf("after %d failures from one IP: got %v, want throttled", auth.LoginIP.Free, err)
	}
	// Another address is not affected: the victim can still sign in.
	if _, err := s.Login(ctx, "ada@acme.test", pw, "198.51.100.7"); err != nil {
		t.Fatalf("another IP: %v", err)
	}
}

// TestLoginBackoffDoubles: an account's block grows 1, 2, 4 … minutes, up
// to 15, and always ends (no permanent lock); a success clears it.
func TestLoginBackoffDoubles(t *testing.T) {
	s := auth.NewStore(dbtest.New(t))
	ctx := context.Background()
	signup(t, s, "Acme", "ada@acme.test")
	now := time.Now()
	s.Now = func() time.Time { return now }
	fail := func() error {
		_, err := s.Login(ctx, "ada@acme.test", "wrong-password", fmt.Sprint(now.UnixNano()))
		return err
	}
	for range auth.LoginAccount.Free {
		if err := fail(); !errors.Is(err, db.ErrUnauthorized) {
			t.Fatal(err)
		}
	}
	// Free failures: blocked for Base (1 min), then 2, 4, 8, 15 (the cap), 15.
	for _, want := range []time.Duration{1, 2, 4, 8, 15, 15} {
		var te *auth.ThrottledError
		if err := fail(); !errors.As(err, &te) || te.RetryAfter.Round(time.Second) != want*time.Minute {
			t.Fatalf("got %v, want blocked for %d min", err, want)
		}
		now = now.Add(te.RetryAfter) // the block ends …
		if err := fail(); !errors.Is(err, db.ErrUnauthorized) {
			t.Fatalf("after waiting %s: %v", te.RetryAfter, err) // … and one more guess is checked
		}
	}
	now = now.Add(16 * time.Minute)
	if _, err := s.Login(ctx, "ada@acme.test", pw, "x"); err != nil {
		t.Fatalf("right password after the block: %v", err)
	}
	if err := fail(); !errors.Is(err, db.ErrUnauthorized) {
		t.Fatalf("after a success the count starts over: %v", err)
	}
}

// TestLoginErrTooLong: a 3 KB email is a field error, checked before the
// database (issue 13, hole 4: it was an index row-size error, a 500).
func TestLoginErrTooLong(t *testing.T) {
	s := auth.NewStore(dbtest.New(t))
	huge := make([]byte, 3000)
	for i := range huge {
		huge[i] = 'a'
	}
	_, err := s.Login(context.Background(), string(huge)+"@x.test", pw, "")
	fieldErr(t, err, "email")
}

func TestThrottlePrune(t *testing.T) {
	d := dbtest.New(t)
	ctx := context.Background()
	now := time.Now()
	th := &auth.Throttle{DB: d, Now: func() time.Time { return now }}
	if err := th.Attempt(ctx, auth.K(auth.SignupIP, "192.0.2.1")); err != nil {
		t.Fatal(err)
	}
	if n, err := th.Prune(ctx); err != nil || n != 0 {
		t.Fatalf("fresh row pruned: %d %v", n, err)
	}
	now = now.Add(25 * time.Hour)
	if n, err := th.Prune(ctx); err != nil || n != 1 {
		t.Fatalf("old row: pruned %d, %v; want 1", n, err)
	}
}

// TestPasswordPolicy: issue 13, hole 7. The first three were accepted
// before the fix (8 characters and a 150-word list were the whole rule).
func TestPasswordPolicy(t *testing.T) {
	personal := []string{"ada@acme.test", "Ada Lovelace", "Acme Industrial"}
	for pw, want := range map[string]string{
		"aaaaaaaa":            "at least 12",
		"password123":         "at least 12",
		"12345678abc":         "at least 12",
		"aaaaaaaaaaaa":        "most common",
		"zzzzzzzzzzzzzzzq":    "Too easy to guess",
		"123456789012":        "most common", // in the 100,000 list
		"qwertyuiopasdfgh":    "most common",
		"AcmeIndustrial2026!": "organisation",
		"ada-lovelace-1815!":  "your name",
		"ada.acme@2026.acme":  "your email",
	} {
		if got := auth.PasswordProblem(pw, personal...); !strings.Contains(got, strings.TrimPrefix(want, "your ")) && !strings.Contains(got, want) {
			t.Errorf("PasswordProblem(%q) = %q, want it to mention %q", pw, got, want)
		}
	}
	for _, pw := range []string{"correct-horse-battery", "quiet-meadow-lantern-42", "Tr0ub4dor&3-plus-more", "acme-harbour-violet-lantern"} {
		if got := auth.PasswordProblem(pw, personal...); got != "" {
			t.Errorf("PasswordProblem(%q) = %q, want accepted", pw, got)
		}
	}
	st := auth.JudgePassword("password1234")
	if st.OK || st.Score != 0 || st.Label != "Very weak" {
		t.Errorf("JudgePassword(password1234) = %+v", st)
	}
}
