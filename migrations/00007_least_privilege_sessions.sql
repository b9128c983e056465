-- Least privilege and sessions at rest (issue 13, holes 8 and 9).
--
-- The serving pool logs in as pareto_app itself (no SET ROLE from the
-- owner), so pareto_app needs LOGIN. Changing a role needs CREATEROLE (or a
-- superuser); when the migrating login lacks it, a DBA runs the ALTER ROLE
-- shown in the error (and README) once, then the migration goes through.
-- +goose Up
-- +goose StatementBegin
DO $$
BEGIN
    IF NOT (SELECT rolcanlogin FROM pg_roles WHERE rolname = 'pareto_app') THEN
        ALTER ROLE pareto_app LOGIN;
    END IF;
EXCEPTION WHEN insufficient_privilege THEN
    RAISE EXCEPTION 'pareto_app must be able to log in: as a superuser run ALTER ROLE pareto_app LOGIN PASSWORD ''...''; (see README, "Running against your own PostgreSQL")';
END
$$;
-- +goose StatementEnd

-- Session tokens are stored only as SHA-256 hashes, so a dump of the table
-- hands out no live session. Existing sessions are dropped rather than
-- hashed in place, so tokens copied from any earlier dump die too: everyone
-- signs in again once (see CHANGELOG.md).
DROP TABLE sessions;
CREATE TABLE sessions (
    token_hash bytea PRIMARY KEY,
    -- id names a session on the sessions page (revoke) without exposing
    -- anything that could be replayed.
    id         uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE,
    user_id    uuid,
    data       bytea NOT NULL,
    expiry     timestamptz NOT NULL,
    created_at timestamptz NOT NULL,
    last_seen  timestamptz NOT NULL,
    ip         text NOT NULL DEFAULT '',
    user_agent text NOT NULL DEFAULT '',
    -- A revoked session stays until it expires, so a request that loaded it
    -- before the revocation cannot write it back.
    revoked    boolean NOT NULL DEFAULT false
);
CREATE INDEX sessions_user_idx ON sessions (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX sessions_expiry_idx ON sessions (expiry);
GRANT SELECT, INSERT, UPDATE, DELETE ON sessions TO pareto_app;

-- +goose Down
DROP TABLE sessions;
CREATE TABLE sessions (
    token  text PRIMARY KEY,
    data   bytea NOT NULL,
    expiry timestamptz NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);
GRANT SELECT, INSERT, UPDATE, DELETE ON sessions TO pareto_app;
-- pareto_app keeps LOGIN: it is cluster-wide and other databases may rely on it.
