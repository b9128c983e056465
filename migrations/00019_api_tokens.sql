-- +goose Up
-- The JSON API (issue 18): tokens an admin creates for a tenant, and the
-- responses of bulk writes kept by idempotency key so a client that
-- retries gets the first answer again. Tenant-owned: tenant_id first in
-- the primary key, foreign keys with tenant_id, RLS forced.

CREATE TABLE api_tokens (
    tenant_id    uuid NOT NULL DEFAULT app_tenant() REFERENCES tenants (id) ON DELETE CASCADE,
    id           uuid NOT NULL DEFAULT gen_random_uuid(),
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    scope        text NOT NULL CHECK (scope IN ('read', 'write')),
    -- SHA-256 of the whole token; the token itself is shown once.
    token_hash   bytea NOT NULL CHECK (length(token_hash) = 32),
    -- The token acts as this person, with their current role.
    created_by   uuid NOT NULL REFERENCES users (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz NULL,
    expires_at   timestamptz NULL,
    revoked_at   timestamptz NULL,
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT api_tokens_hash_key UNIQUE (tenant_id, token_hash)
);

CREATE TABLE api_idempotency (
    tenant_id    uuid NOT NULL DEFAULT app_tenant() REFERENCES tenants (id) ON DELETE CASCADE,
    key          text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
    -- SHA-256 of method, path and body: the same key with another request is refused.
    request_hash bytea NOT NULL,
    status       integer NOT NULL,
    body         bytea NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, key)
);
CREATE INDEX api_idempotency_created_idx ON api_idempotency (tenant_id, created_at);

ALTER TABLE api_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON api_tokens
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

ALTER TABLE api_idempotency ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_idempotency FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON api_idempotency
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

GRANT SELECT, INSERT, UPDATE, DELETE ON api_tokens, api_idempotency TO pareto_app;

-- +goose Down
DROP TABLE api_idempotency, api_tokens;
