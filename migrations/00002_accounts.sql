-- +goose Up
-- Accounts, stakeholders, interactions and the CSV import staging tables.
-- Every table is tenant-owned: tenant_id first in the primary key, foreign
-- keys that include tenant_id, unique keys scoped by tenant, RLS forced.

-- Trigram indexes make the list's "contains" search fast. pg_trgm is a
-- trusted extension: the database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE accounts (
    tenant_id         uuid NOT NULL DEFAULT app_tenant() REFERENCES tenants (id) ON DELETE CASCADE,
    id                uuid NOT NULL DEFAULT gen_random_uuid(),
    name              text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    external_ref      text NULL CHECK (length(external_ref) BETWEEN 1 AND 100),
    industry          text NOT NULL DEFAULT '' CHECK (length(industry) <= 100),
    region            text NOT NULL DEFAULT '' CHECK (length(region) <= 100),
    country           text NOT NULL DEFAULT '' CHECK (length(country) <= 100),
    segment           text NOT NULL DEFAULT '' CHECK (length(segment) <= 100),
    status            text NOT NULL DEFAULT 'prospect' CHECK (status IN ('prospect', 'customer', 'former')),
    customer_since    date NULL,
    annual_revenue    numeric(15, 2) NOT NULL DEFAULT 0 CHECK (annual_revenue >= 0),
    revenue_potential numeric(15, 2) NOT NULL DEFAULT 0 CHECK (revenue_potential >= 0),
    notes             text NOT NULL DEFAULT '' CHECK (length(notes) <= 10000),
    key_status        text NOT NULL DEFAULT 'candidate' CHECK (key_status IN ('candidate', 'key', 'declined', 'watch', 'former')),
    kam_user_id       uuid NULL REFERENCES users (id),
    archived_at       timestamptz NULL,
    version           integer NOT NULL DEFAULT 1,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT accounts_external_ref_key UNIQUE (tenant_id, external_ref)
);
-- The list: filters and sort columns, each led by tenant_id; id breaks ties
-- so paging is stable.
CREATE INDEX accounts_name_idx ON accounts (tenant_id, lower(name), id);
CREATE INDEX accounts_industry_idx ON accounts (tenant_id, industry);
CREATE INDEX accounts_region_idx ON accounts (tenant_id, region);
CREATE INDEX accounts_segment_idx ON accounts (tenant_id, segment);
CREATE INDEX accounts_status_idx ON accounts (tenant_id, status);
CREATE INDEX accounts_key_status_idx ON accounts (tenant_id, key_status);
CREATE INDEX accounts_kam_idx ON accounts (tenant_id, kam_user_id);
CREATE INDEX accounts_revenue_idx ON accounts (tenant_id, annual_revenue, id);
CREATE INDEX accounts_potential_idx ON accounts (tenant_id, revenue_potential, id);
CREATE INDEX accounts_headroom_idx ON accounts (tenant_id, (revenue_potential - annual_revenue), id);
CREATE INDEX accounts_updated_idx ON accounts (tenant_id, updated_at, id);
CREATE INDEX accounts_name_trgm_idx ON accounts USING gin (name gin_trgm_ops);
CREATE INDEX accounts_ref_trgm_idx ON accounts USING gin (external_ref gin_trgm_ops);

CREATE TABLE stakeholders (
    tenant_id     uuid NOT NULL DEFAULT app_tenant() REFERENCES tenants (id) ON DELETE CASCADE,
    id            uuid NOT NULL DEFAULT gen_random_uuid(),
    account_id    uuid NOT NULL,
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    title         text NOT NULL DEFAULT '' CHECK (length(title) <= 200),
    email         text NOT NULL DEFAULT '' CHECK (length(email) <= 254),
    phone         text NOT NULL DEFAULT '' CHECK (length(phone) <= 50),
    buying_role   text NOT NULL DEFAULT 'user' CHECK (buying_role IN ('decision_maker', 'influencer', 'champion', 'user', 'blocker')),
    strength      text NOT NULL DEFAULT 'none' CHECK (strength IN ('strong', 'neutral', 'weak', 'none')),
    reports_to_id uuid NULL CHECK (reports_to_id <> id),
    notes         text NOT NULL DEFAULT '' CHECK (length(notes) <= 10000),
    version       integer NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    -- Lets reports-to and interaction participants require the same account.
    CONSTRAINT stakeholders_account_id_key UNIQUE (tenant_id, account_id, id),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, account_id, reports_to_id) REFERENCES stakeholders (tenant_id, account_id, id)
        ON DELETE SET NULL (reports_to_id)
);
CREATE INDEX stakeholders_reports_to_idx ON stakeholders (tenant_id, account_id, reports_to_id);

CREATE TABLE interactions (
    tenant_id          uuid NOT NULL DEFAULT app_tenant() REFERENCES tenants (id) ON DELETE CASCADE,
    id                 uuid NOT NULL DEFAULT gen_random_uuid(),
    account_id         uuid NOT NULL,
    occurred_on        date NOT NULL,
    kind               text NOT NULL CHECK (kind IN ('meeting', 'call', 'email', 'note')),
    summary            text NOT NULL CHECK (length(summary) BETWEEN 1 AND 10000),
    next_step          text NOT NULL DEFAULT '' CHECK (length(next_step) <= 1000),
    next_step_due      date NULL,
    next_step_owner_id uuid NULL REFERENCES users (id),
    next_step_done_at  timestamptz NULL,
    created_by         uuid NULL REFERENCES users (id),
    version            integer NOT NULL DEFAULT 1,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT interactions_account_id_key UNIQUE (tenant_id, account_id, id),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX interactions_timeline_idx ON interactions (tenant_id, account_id, occurred_on DESC, created_at DESC);
-- The dashboard's "overdue next steps" for one person.
CREATE INDEX interactions_open_steps_idx ON interactions (tenant_id, next_step_owner_id, next_step_due)
    WHERE next_step_done_at IS NULL AND next_step_due IS NOT NULL;

CREATE TABLE interaction_participants (
    tenant_id      uuid NOT NULL DEFAULT app_tenant() REFERENCES tenants (id) ON DELETE CASCADE,
    account_id     uuid NOT NULL,
    interaction_id uuid NOT NULL,
    stakeholder_id uuid NOT NULL,
    PRIMARY KEY (tenant_id, interaction_id, stakeholder_id),
    FOREIGN KEY (tenant_id, account_id, interaction_id) REFERENCES interactions (tenant_id, account_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, account_id, stakeholder_id) REFERENCES stakeholders (tenant_id, account_id, id) ON DELETE CASCADE
);
CREATE INDEX interaction_participants_stakeholder_idx ON interaction_participants (tenant_id, stakeholder_id);

-- A CSV upload waiting to be mapped, previewed and committed.
CREATE TABLE account_imports (
    tenant_id  uuid NOT NULL DEFAULT app_tenant() REFERENCES tenants (id) ON DELETE CASCADE,
    id         uuid NOT NULL DEFAULT gen_random_uuid(),
    user_id    uuid NOT NULL REFERENCES users (id),
    filename   text NOT NULL DEFAULT '',
    data       bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);

-- The last column mapping used, per tenant: CSV header (lower case) → field.
CREATE TABLE account_import_mappings (
    tenant_id  uuid NOT NULL DEFAULT app_tenant() REFERENCES tenants (id) ON DELETE CASCADE,
    mapping    jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id)
);

ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;
ALTER TABLE accounts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON accounts
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

ALTER TABLE stakeholders ENABLE ROW LEVEL SECURITY;
ALTER TABLE stakeholders FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON stakeholders
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

ALTER TABLE interactions ENABLE ROW LEVEL SECURITY;
ALTER TABLE interactions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON interactions
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

ALTER TABLE interaction_participants ENABLE ROW LEVEL SECURITY;
ALTER TABLE interaction_participants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON interaction_participants
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

ALTER TABLE account_imports ENABLE ROW LEVEL SECURITY;
ALTER TABLE account_imports FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON account_imports
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

ALTER TABLE account_import_mappings ENABLE ROW LEVEL SECURITY;
ALTER TABLE account_import_mappings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON account_import_mappings
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

-- Accounts are archived, never deleted, by the application.
GRANT SELECT, INSERT, UPDATE ON accounts TO pareto_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON stakeholders, interactions, interaction_participants,
    account_imports, account_import_mappings TO pareto_app;

-- +goose Down
DROP TABLE account_import_mappings, account_imports, interaction_participants, interactions, stakeholders, accounts;
-- pg_trgm stays: other objects may use it, and dropping needs ownership.
