-- +goose Up
-- +goose StatementBegin
DO $$
BEGIN
    -- Roles are cluster-wide: several databases (tests) share this one.
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pareto_app') THEN
        CREATE ROLE pareto_app NOLOGIN NOBYPASSRLS;
    END IF;
END
$$;
-- +goose StatementEnd
-- The login role must be able to SET ROLE pareto_app; pareto_app must never
-- be a member of the login role (it would inherit ownership and skip RLS).
-- Granting needs ADMIN OPTION on pareto_app (or CREATEROLE before
-- PostgreSQL 16), so skip it when a DBA has already granted the role.
-- +goose StatementBegin
DO $$
BEGIN
    IF NOT pg_has_role(current_user, 'pareto_app', 'MEMBER') THEN
        GRANT pareto_app TO CURRENT_USER;
    END IF;
END
$$;
-- +goose StatementEnd
CREATE EXTENSION IF NOT EXISTS citext;

CREATE FUNCTION app_tenant() RETURNS uuid LANGUAGE sql STABLE AS
$$ SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid $$;
CREATE FUNCTION app_user() RETURNS uuid LANGUAGE sql STABLE AS
$$ SELECT NULLIF(current_setting('app.user_id', true), '')::uuid $$;

CREATE TABLE tenants (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    currency   text NOT NULL DEFAULT 'EUR' CHECK (currency ~ '^[A-Z]{3}$'),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email         citext NOT NULL UNIQUE CHECK (length(email) BETWEEN 3 AND 254),
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    password_hash text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE memberships (
    tenant_id  uuid NOT NULL DEFAULT app_tenant() REFERENCES tenants (id) ON DELETE CASCADE,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       text NOT NULL CHECK (role IN ('admin', 'leader', 'kam')),
    active     boolean NOT NULL DEFAULT true,
    version    integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, user_id)
);
CREATE INDEX memberships_user_idx ON memberships (user_id);

CREATE TABLE invites (
    tenant_id   uuid NOT NULL DEFAULT app_tenant() REFERENCES tenants (id) ON DELETE CASCADE,
    id          uuid NOT NULL DEFAULT gen_random_uuid(),
    email       citext NOT NULL,
    role        text NOT NULL CHECK (role IN ('admin', 'leader', 'kam')),
    token_hash  bytea NOT NULL,
    invited_by  uuid NOT NULL REFERENCES users (id),
    expires_at  timestamptz NOT NULL,
    accepted_at timestamptz,
    accepted_by uuid REFERENCES users (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, token_hash)
);

CREATE TABLE audit_events (
    tenant_id uuid NOT NULL DEFAULT app_tenant() REFERENCES tenants (id) ON DELETE CASCADE,
    id        bigint GENERATED ALWAYS AS IDENTITY,
    at        timestamptz NOT NULL DEFAULT now(),
    actor_id  uuid REFERENCES users (id),
    action    text NOT NULL,
    entity    text NOT NULL,
    entity_id text NOT NULL DEFAULT '',
    before    jsonb,
    after     jsonb,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX audit_events_entity_idx ON audit_events (tenant_id, entity, entity_id);

-- Global tables, outside RLS: sessions (scs pgxstore) and login attempts are
-- looked up before any tenant is known.
CREATE TABLE sessions (
    token  text PRIMARY KEY,
    data   bytea NOT NULL,
    expiry timestamptz NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);

CREATE TABLE login_attempts (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email     citext NOT NULL,
    ip        text NOT NULL DEFAULT '',
    succeeded boolean NOT NULL,
    at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_attempts_email_idx ON login_attempts (email, at);

-- Row-level security: the second lock on every tenant-owned table.
ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_self ON tenants
    USING (id = app_tenant() OR id IN (SELECT m.tenant_id FROM memberships m WHERE m.user_id = app_user()));
CREATE POLICY tenant_create ON tenants FOR INSERT WITH CHECK (true);

ALTER TABLE memberships ENABLE ROW LEVEL SECURITY;
ALTER TABLE memberships FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON memberships
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());
-- A signed-in person may list their own memberships in every tenant (for
-- the switcher and at login), and nothing else across tenants.
CREATE POLICY own_memberships ON memberships FOR SELECT USING (user_id = app_user());

ALTER TABLE invites ENABLE ROW LEVEL SECURITY;
ALTER TABLE invites FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON invites
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

ALTER TABLE audit_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_events
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

GRANT USAGE ON SCHEMA public TO pareto_app;
GRANT SELECT, INSERT, UPDATE ON tenants TO pareto_app;
GRANT SELECT, INSERT, UPDATE ON users TO pareto_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON memberships, invites TO pareto_app;
-- The audit log is append-only for the application.
GRANT SELECT, INSERT ON audit_events TO pareto_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON sessions, login_attempts TO pareto_app;
GRANT EXECUTE ON FUNCTION app_tenant(), app_user() TO pareto_app;

-- +goose Down
-- One statement: the tenants policy refers to memberships.
DROP TABLE login_attempts, sessions, audit_events, invites, memberships, users, tenants;
DROP FUNCTION app_user();
DROP FUNCTION app_tenant();
REVOKE USAGE ON SCHEMA public FROM pareto_app;
-- The pareto_app role itself stays: it is cluster-wide and other databases
-- on the same server may still use it.
