package auth_test

import "context"
import "errors"
import "strings"
import "sync"
import "testing"
import "time"

import "github.com/jackc/pgx/v5"

import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/db/dbtest"

func TestMain(m *testing.M) { dbtest.Main(m) }

const pw = "correct-horse-battery"

func signup(t *testing.T, s *auth.Store, org, email string) auth.Member {
	t.Helper()
	m, err := s.Signup(context.Background(), auth.SignupInput{OrgName: org, Name: "Admin " + org, Email: email, Password: pw})
	if err != nil {
		t.Fatalf("signup %s: %v", email, err)
	}
	return m
}

func fieldErr(t *testing.T, err error, field string) {
	t.Helper()
	var fe db.FieldErrors
	if !errors.As(err, &fe) {
		t.Fatalf("got %v, want a field error on %q", err, field)
	}
	if fe[field] == "" {
		t.Fatalf("got field errors %v, want one on %q", fe, field)
	}
}

func TestSignup(t *testing.T) {
	s := auth.NewStore(dbtest.New(t))
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		m := signup(t, s, "Acme", "Ada@Acme.test ")
		if m.Role != auth.RoleAdmin || m.Email != "ada@acme.test" {
			t.Fatalf("got %+v", m)
		}
		got, err := s.Member(ctx, m.TenantID, m.UserID)
		if err != nil || got.TenantName != "Acme" || !got.Active {
			t.Fatalf("member: %+v, %v", got, err)
		}
	})
	t.Run("ErrEmailTaken", func(t *testing.T) {
		_, err := s.Signup(ctx, auth.SignupInput{OrgName: "Other", Name: "X", Email: "ADA@acme.test", Password: pw})
		fieldErr(t, err, "email")
	})
	for name, in := range map[string]auth.SignupInput{
		"org_name": {Name: "X", Email: "x@y.test", Password: pw},
		"name":     {OrgName: "O", Email: "x@y.test", Password: pw},
		"email":    {OrgName: "O", Name: "X", Email: "not-an-email", Password: pw},
		"password": {OrgName: "O", Name: "X", Email: "x@y.test", Password: "short"},
	} {
		t.Run("ErrInvalid_"+name, func(t *testing.T) {
			_, err := s.Signup(ctx, in)
			fieldErr(t, err, name)
		})
	}
}

func TestCheckPassword(t *testing.T) {
	for pw, ok := range map[string]bool{
		"1234567":                   false,
		"password123":               false, // common
		"Password123":               false, // common, any case
		"a-long-unusual-passphrase": true,
		string(make([]byte, 129)):   false,
	} {
		if got := auth.CheckPassword(pw) == ""; got != ok {
			t.Errorf("CheckPassword(%q) ok=%v, want %v", pw, got, ok)
		}
	}
	h, err := auth.HashPassword("a-long-unusual-passphrase")
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := auth.VerifyPassword(h, "a-long-unusual-passphrase"); !ok {
		t.Fatal("right password rejected")
	}
	if ok, _ := auth.VerifyPassword(h, "a-long-unusual-passphrasE"); ok {
		t.Fatal("wrong password accepted")
	}
}

func TestLogin(t *testing.T) {
	s := auth.NewStore(dbtest.New(t))
	ctx := context.Background()
	m := signup(t, s, "Acme", "ada@acme.test")

	t.Run("OK", func(t *testing.T) {
		got, err := s.Login(ctx, "ADA@acme.test", pw, "1.2.3.4")
		if err != nil || got.UserID != m.UserID || got.TenantID != m.TenantID || got.Role != auth.RoleAdmin {
			t.Fatalf("login: %+v, %v", got, err)
		}
	})
	t.Run("ErrWrongPassword", func(t *testing.T) {
		if _, err := s.Login(ctx, "ada@acme.test", "wrong-password", ""); !errors.Is(err, db.ErrUnauthorized) {
			t.Fatalf("got %v, want ErrUnauthorized", err)
		}
	})
	t.Run("ErrUnknownEmailLooksTheSame", func(t *testing.T) {
		if _, err := s.Login(ctx, "nobody@acme.test", pw, ""); !errors.Is(err, db.ErrUnauthorized) {
			t.Fatalf("got %v, want ErrUnauthorized", err)
		}
	})
}

func TestLoginThrottling(t *testing.T) {
	s := auth.NewStore(dbtest.New(t))
	ctx := context.Background()
	signup(t, s, "Acme", "ada@acme.test")
	now := time.Now()
	s.Now = func() time.Time { return now }

	for _, email := range []string{"ada@acme.test", "ghost@acme.test"} {
		t.Run(email, func(t *testing.T) {
			for i := range 5 {
				if _, err := s.Login(ctx, email, "wrong-password", ""); !errors.Is(err, db.ErrUnauthorized) {
					t.Fatalf("attempt %d: %v", i+1, err)
				}
			}
			// Even the right password is refused now, and an unknown
			// email is refused the same way.
			var te *auth.ThrottledError
			if _, err := s.Login(ctx, email, pw, ""); !errors.As(err, &te) {
				t.Fatalf("6th attempt: got %v, want throttled", err)
			}
			if te.RetryAfter <= 0 || te.RetryAfter > auth.LoginAccount.Max {
				t.Fatalf("retry after %v", te.RetryAfter)
			}
		})
	}
	t.Run("WindowPasses", func(t *testing.T) {
		now = now.Add(auth.LoginAccount.Max + time.Second)
		if _, err := s.Login(ctx, "ada@acme.test", pw, ""); err != nil {
			t.Fatalf("after the window: %v", err)
		}
	})
}

func TestLoginThrottlingHoldsUnderParallelAttempts(t *testing.T) {
	s := auth.NewStore(dbtest.New(t))
	ctx := context.Background()
	signup(t, s, "Acme", "ada@acme.test")
	var wg sync.WaitGroup
	var mu sync.Mutex
	wrong, throttled := 0, 0
	for range 12 {
		wg.Go(func() {
			_, err := s.Login(ctx, "ada@acme.test", "wrong-password", "")
			mu.Lock()
			defer mu.Unlock()
			var te *auth.ThrottledError
			switch {
			case errors.Is(err, db.ErrUnauthorized):
				wrong++
			case errors.As(err, &te):
				throttled++
			default:
				t.Errorf("unexpected %v", err)
			}
		})
	}
	wg.Wait()
	if wrong != 5 || throttled != 7 {
		t.Fatalf("got %d password checks and %d throttled, want exactly 5 and 7", wrong, throttled)
	}
}

func TestInvites(t *testing.T) {
	s := auth.NewStore(dbtest.New(t))
	ctx := context.Background()
	admin := signup(t, s, "Acme", "ada@acme.test")
	sc := db.Scope{TenantID: admin.TenantID, UserID: admin.UserID}

	t.Run("OKSingleUse", func(t *testing.T) {
		token, _, err := s.CreateInvite(ctx, sc, "kim@acme.test", auth.RoleKAM)
		if err != nil {
			t.Fatal(err)
		}
		m, err := s.AcceptInvite(ctx, token, "Kim", pw)
		if err != nil {
			t.Fatal(err)
		}
		if m.Role != auth.RoleKAM || m.TenantID != admin.TenantID {
			t.Fatalf("got %+v", m)
		}
		if _, err := s.AcceptInvite(ctx, token, "Kim again", pw); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("second use: got %v, want not found", err)
		}
	})
	t.Run("ErrAlreadyMember", func(t *testing.T) {
		_, _, err := s.CreateInvite(ctx, sc, "kim@acme.test", auth.RoleLeader)
		fieldErr(t, err, "email")
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		_, _, err := s.CreateInvite(ctx, sc, "nope", auth.Role("boss"))
		fieldErr(t, err, "email")
		fieldErr(t, err, "role")
	})
	t.Run("ErrExpired", func(t *testing.T) {
		token, _, err := s.CreateInvite(ctx, sc, "late@acme.test", auth.RoleLeader)
		if err != nil {
			t.Fatal(err)
		}
		s.Now = func() time.Time { return time.Now().Add(8 * 24 * time.Hour) }
		defer func() { s.Now = time.Now }()
		if _, err := s.AcceptInvite(ctx, token, "Late", pw); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("got %v, want not found", err)
		}
	})
	t.Run("ErrTamperedToken", func(t *testing.T) {
		token, _, _ := s.CreateInvite(ctx, sc, "tamper@acme.test", auth.RoleLeader)
		if _, err := s.InviteByToken(ctx, token+"x"); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("got %v, want not found", err)
		}
	})
	// An invitation never takes an existing account's password (issue 13,
	// hole 1: it used to check it, unthrottled): the person signs in, then
	// joins.
	t.Run("ExistingUserJoinsAfterSignIn", func(t *testing.T) {
		other := signup(t, s, "Globex", "gus@globex.test")
		token, _, err := s.CreateInvite(ctx, db.Scope{TenantID: other.TenantID, UserID: other.UserID}, "ada@acme.test", auth.RoleLeader)
		if err != nil {
			t.Fatal(err)
		}
		for _, guess := range []string{"wrong-password-x", pw} {
			if _, err := s.AcceptInvite(ctx, token, "Ada", guess); !errors.Is(err, auth.ErrAccountExists) {
				t.Fatalf("accepting for an existing account with %q: %v, want ErrAccountExists", guess, err)
			}
		}
		if _, err := s.JoinInvite(ctx, token, other.UserID); !errors.Is(err, auth.ErrInviteOtherEmail) {
			t.Fatalf("joining with someone else's invitation: %v", err)
		}
		if _, err := s.JoinInvite(ctx, token, admin.UserID); err != nil {
			t.Fatal(err)
		}
		ms, err := s.Memberships(ctx, admin.UserID)
		if err != nil || len(ms) != 2 {
			t.Fatalf("memberships: %+v, %v", ms, err)
		}
	})
}

func TestUpdateMember(t *testing.T) {
	s := auth.NewStore(dbtest.New(t))
	ctx := context.Background()
	admin := signup(t, s, "Acme", "ada@acme.test")
	sc := db.Scope{TenantID: admin.TenantID, UserID: admin.UserID}
	token, _, _ := s.CreateInvite(ctx, sc, "kim@acme.test", auth.RoleKAM)
	kim, err := s.AcceptInvite(ctx, token, "Kim", pw)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("OKRoleChange", func(t *testing.T) {
		m, err := s.UpdateMember(ctx, sc, kim.UserID, auth.RoleLeader, true, 1)
		if err != nil || m.Role != auth.RoleLeader || m.Version != 2 {
			t.Fatalf("got %+v, %v", m, err)
		}
	})
	t.Run("ErrStaleVersion", func(t *testing.T) {
		if _, err := s.UpdateMember(ctx, sc, kim.UserID, auth.RoleKAM, true, 1); !errors.Is(err, db.ErrConflict) {
			t.Fatalf("got %v, want conflict", err)
		}
	})
	t.Run("DeactivatedCannotLogIn", func(t *testing.T) {
		if _, err := s.UpdateMember(ctx, sc, kim.UserID, auth.RoleLeader, false, 2); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Login(ctx, "kim@acme.test", pw, ""); !errors.Is(err, db.ErrUnauthorized) {
			t.Fatalf("got %v, want unauthorized", err)
		}
	})
	t.Run("ErrLastAdmin", func(t *testing.T) {
		_, err := s.UpdateMember(ctx, sc, admin.UserID, auth.RoleKAM, true, 1)
		fieldErr(t, err, "role")
	})
	t.Run("OtherTenant", func(t *testing.T) {
		other := signup(t, s, "Globex", "gus@globex.test")
		_, err := s.UpdateMember(ctx, sc, other.UserID, auth.RoleKAM, true, 1)
		if !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("got %v, want not found", err)
		}
	})
	t.Run("Audited", func(t *testing.T) {
		var n int
		err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
			return tx.QueryRow(ctx, "SELECT count(*) FROM audit_events WHERE entity = 'membership' AND action IN ('role_change','deactivate')").Scan(&n)
		})
		if err != nil || n != 2 {
			t.Fatalf("audit events %d, %v; want 2", n, err)
		}
	})
}

// TestCreateToken: an API token's name is checked like every text field;
// the secret carries the prefix and the tenant, and only its hash is kept
// (the secret itself authenticates).
func TestCreateToken(t *testing.T) {
	s := auth.NewStore(dbtest.New(t))
	ctx := context.Background()
	admin := signup(t, s, "Acme", "ada@acme.test")
	sc := db.Scope{TenantID: admin.TenantID, UserID: admin.UserID}
	for name, in := range map[string]auth.TokenInput{
		"":              {Name: "  ", Scope: auth.TokenRead},
		"too long":      {Name: strings.Repeat("x", 101), Scope: auth.TokenRead},
		"control chars": {Name: "Sync\x07", Scope: auth.TokenRead},
	} {
		if _, _, err := s.CreateToken(ctx, sc, in); err == nil {
			t.Errorf("%s: created", name)
		} else {
			fieldErr(t, err, "name")
		}
	}
	_, _, err := s.CreateToken(ctx, sc, auth.TokenInput{Name: "Sync", Scope: "admin"})
	fieldErr(t, err, "scope")
	secret, tok, err := s.CreateToken(ctx, sc, auth.TokenInput{Name: " Sync ", Scope: auth.TokenWrite})
	if err != nil {
		t.Fatal(err)
	}
	if tok.Name != "Sync" || !strings.HasPrefix(secret, "pareto_"+admin.TenantID.String()+".") {
		t.Errorf("token %q, secret %q", tok.Name, secret)
	}
	got, err := s.Authenticate(ctx, secret)
	if err != nil || !got.CanWrite() || got.Member.UserID != admin.UserID {
		t.Errorf("authenticate: %+v %v", got, err)
	}
	if _, err := s.Authenticate(ctx, secret+"x"); !errors.Is(err, db.ErrUnauthorized) {
		t.Errorf("a changed secret: %v, want unauthorized", err)
	}
}
