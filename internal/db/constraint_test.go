package db

import "testing"

import "github.com/jackc/pgx/v5/pgconn"

func TestConstraintIs(t *testing.T) {
	for _, c := range []struct {
		name, want string
		ok         bool
	}{
		{"users_email_key", "users_email_key", true},
		{"users_email_key_102008", "users_email_key", true}, // a Citus shard's copy
		{"users_email_key_x102008", "users_email_key", false},
		{"users_email_key_", "users_email_key", false},
		{"accounts_external_ref_key_102034", "users_email_key", false},
		{"users_email_key2", "users_email_key", false},
		// A long name is clipped and hashed before the shard id.
		{"stakeholders_tenant_id_account_id_reports_to_id_fke_1a2b3c4d_102400", "stakeholders_tenant_id_account_id_reports_to_id_fkey", true},
		{"stakeholders_tenant_id_account_id_reports_to_id_fke_1a2b3c4_102400", "stakeholders_tenant_id_account_id_reports_to_id_fkey", false},
		{"other_tenant_id_account_id_reports_to_id_fke_1a2b3c4d_102400", "stakeholders_tenant_id_account_id_reports_to_id_fkey", false},
	} {
		if got := constraintIs(c.name, c.want); got != c.ok {
			t.Errorf("constraintIs(%q, %q) = %v, want %v", c.name, c.want, got, c.ok)
		}
	}
}

func TestConstraintNameFromCitusMessage(t *testing.T) {
	// Citus relays a worker's error with the message but not the field.
	pe := &pgconn.PgError{Code: "23505", Message: `duplicate key value violates unique constraint "users_email_key_102008"`}
	if !IsUniqueViolation(pe, "users_email_key") || IsUniqueViolation(pe, "accounts_external_ref_key") {
		t.Fatal("the constraint is not read from the message")
	}
	if got := constraintName(&pgconn.PgError{ConstraintName: "a_key", Message: `constraint "b_key"`}); got != "a_key" {
		t.Fatalf("the field loses to the message: %q", got)
	}
}
