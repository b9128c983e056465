-- +goose Up
-- KAM assignment: each key account manager's capacity and expertise, and
-- the history of who managed which account. The current KAM of an account
-- is accounts.kam_user_id (00002); this history records every change of it.

-- One profile per membership with role kam. A KAM without a row has the
-- defaults (capacity 8, no regions or industries); the row is made the
-- first time a leader saves the profile.
CREATE TABLE kam_profiles (
    tenant_id  uuid NOT NULL DEFAULT app_tenant() REFERENCES tenants (id) ON DELETE CASCADE,
    user_id    uuid NOT NULL,
    capacity   integer NOT NULL DEFAULT 8 CHECK (capacity BETWEEN 1 AND 200),
    regions    text[] NOT NULL DEFAULT '{}' CHECK (cardinality(regions) <= 20),
    industries text[] NOT NULL DEFAULT '{}' CHECK (cardinality(industries) <= 20),
    notes      text NOT NULL DEFAULT '' CHECK (length(notes) <= 2000),
    version    integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, user_id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES memberships (tenant_id, user_id) ON DELETE CASCADE
);

-- Append-only: who moved an account from whom to whom, when and why.
-- People are referenced by user id (like accounts.kam_user_id) so the
-- history outlives a membership.
CREATE TABLE account_assignments (
    tenant_id              uuid NOT NULL DEFAULT app_tenant() REFERENCES tenants (id) ON DELETE CASCADE,
    id                     uuid NOT NULL DEFAULT gen_random_uuid(),
    account_id             uuid NOT NULL,
    from_user_id           uuid NULL REFERENCES users (id),
    to_user_id             uuid NULL REFERENCES users (id),
    assigned_by            uuid NULL REFERENCES users (id),
    reason                 text NOT NULL DEFAULT '' CHECK (length(reason) <= 1000),
    over_capacity_override boolean NOT NULL DEFAULT false,
    at                     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id) ON DELETE CASCADE,
    -- Going over capacity always needs a reason.
    CONSTRAINT account_assignments_override_reason CHECK (NOT over_capacity_override OR length(reason) > 0)
);
CREATE INDEX account_assignments_account_idx ON account_assignments (tenant_id, account_id, at DESC);

ALTER TABLE kam_profiles ENABLE ROW LEVEL SECURITY;
ALTER TABLE kam_profiles FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON kam_profiles
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

ALTER TABLE account_assignments ENABLE ROW LEVEL SECURITY;
ALTER TABLE account_assignments FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON account_assignments
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

GRANT SELECT, INSERT, UPDATE, DELETE ON kam_profiles TO pareto_app;
-- The history is append-only for the application.
GRANT SELECT, INSERT ON account_assignments TO pareto_app;

-- +goose Down
DROP TABLE account_assignments, kam_profiles;
