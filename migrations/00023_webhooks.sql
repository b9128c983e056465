-- +goose Up
-- Outbound webhooks (issue 18): the endpoints an admin registers, the
-- outbox of events written in the same transaction as the change, and one
-- delivery per event and subscribed endpoint, which the worker claims
-- (FOR UPDATE SKIP LOCKED), sends, retries and logs. Tenant-owned:
-- tenant_id first in every key, foreign keys with tenant_id, RLS forced.

CREATE TABLE webhook_endpoints (
    tenant_id   uuid NOT NULL DEFAULT app_tenant() REFERENCES tenants (id) ON DELETE CASCADE,
    id          uuid NOT NULL DEFAULT gen_random_uuid(),
    url         text NOT NULL CHECK (length(url) BETWEEN 1 AND 2000),
    description text NOT NULL DEFAULT '' CHECK (length(description) <= 200),
    events      text[] NOT NULL CHECK (cardinality(events) > 0),
    -- The signing secret, sealed with the server's webhook key (AES-256-GCM,
    -- nonce first, the tenant and endpoint ids as associated data): the
    -- server must read it to sign, so it is encrypted, not hashed.
    secret_sealed bytea NOT NULL,
    enabled     boolean NOT NULL DEFAULT true,
    version     integer NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);

-- The outbox: one row per change, its body the exact bytes every delivery
-- of it sends (and signs).
CREATE TABLE webhook_events (
    tenant_id  uuid NOT NULL DEFAULT app_tenant() REFERENCES tenants (id) ON DELETE CASCADE,
    id         uuid NOT NULL,
    type       text NOT NULL,
    body       text NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE webhook_deliveries (
    tenant_id       uuid NOT NULL DEFAULT app_tenant() REFERENCES tenants (id) ON DELETE CASCADE,
    id              uuid NOT NULL,
    event_id        uuid NOT NULL,
    endpoint_id     uuid NOT NULL,
    state           text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    -- Retries stop 24 hours after this: the event's creation, or a replay.
    window_start    timestamptz NOT NULL,
    last_attempt_at timestamptz NULL,
    last_status     integer NULL,
    last_duration_ms integer NULL,
    last_error      text NOT NULL DEFAULT '',
    delivered_at    timestamptz NULL,
    created_at      timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT webhook_deliveries_event_fk FOREIGN KEY (tenant_id, event_id)
        REFERENCES webhook_events (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT webhook_deliveries_endpoint_fk FOREIGN KEY (tenant_id, endpoint_id)
        REFERENCES webhook_endpoints (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT webhook_deliveries_once UNIQUE (tenant_id, event_id, endpoint_id)
);
-- The worker's claim: due pending deliveries of a tenant, oldest first.
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (tenant_id, next_attempt_at) WHERE state = 'pending';
-- The admin's log, newest first, keyset-paged.
CREATE INDEX webhook_deliveries_log_idx ON webhook_deliveries (tenant_id, created_at DESC, id DESC);
CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (tenant_id, endpoint_id);

-- The tenants that have (or had) an endpoint: the worker runs for no
-- tenant, so it finds whom to poll here, then works inside each tenant's
-- row-level security. It holds nothing but the fact, so it has no policy.
CREATE TABLE webhook_tenants (
    tenant_id uuid NOT NULL PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE
);

ALTER TABLE webhook_endpoints ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_endpoints FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON webhook_endpoints
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

ALTER TABLE webhook_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON webhook_events
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

ALTER TABLE webhook_deliveries ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_deliveries FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON webhook_deliveries
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

GRANT SELECT, INSERT, UPDATE, DELETE ON webhook_endpoints, webhook_events, webhook_deliveries TO pareto_app;
GRANT SELECT, INSERT ON webhook_tenants TO pareto_app;

-- +goose Down
DROP TABLE webhook_tenants, webhook_deliveries, webhook_events, webhook_endpoints;
