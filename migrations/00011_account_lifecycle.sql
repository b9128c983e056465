-- Account lifecycle (issue 13): password resets by email, signups confirmed
-- by email (so the signup form answers the same whether or not an address
-- is registered), revocable invitations.
-- +goose Up
-- Global like users: a reset or a signup happens before any tenant is known.
CREATE TABLE password_resets (
    token_hash bytea PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);
CREATE INDEX password_resets_user_idx ON password_resets (user_id);

CREATE TABLE signup_requests (
    token_hash    bytea PRIMARY KEY,
    email         citext NOT NULL CHECK (length(email) <= 254),
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    org_name      text NOT NULL CHECK (length(org_name) BETWEEN 1 AND 200),
    password_hash text NOT NULL,
    created_at    timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL,
    used_at       timestamptz
);
CREATE INDEX signup_requests_expires_idx ON signup_requests (expires_at);

ALTER TABLE invites ADD COLUMN revoked_at timestamptz;
ALTER TABLE invites ADD COLUMN revoked_by uuid REFERENCES users (id);

GRANT SELECT, INSERT, UPDATE, DELETE ON password_resets, signup_requests TO pareto_app;

-- +goose Down
ALTER TABLE invites DROP COLUMN revoked_by;
ALTER TABLE invites DROP COLUMN revoked_at;
DROP TABLE signup_requests;
DROP TABLE password_resets;
