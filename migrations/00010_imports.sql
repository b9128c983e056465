-- +goose Up
-- One table of CSV uploads for every import (accounts, stakeholders, KPI
-- figures, and the figure imports to come), and the tenant's remembered
-- column mapping per import kind. They replace account_imports,
-- account_import_mappings and kpi_imports; remembered account mappings
-- are kept. Tenant-owned: tenant_id first in the primary key, RLS forced.

CREATE TABLE imports (
    tenant_id    uuid NOT NULL DEFAULT app_tenant() REFERENCES tenants (id) ON DELETE CASCADE,
    id           uuid NOT NULL DEFAULT gen_random_uuid(),
    kind         text NOT NULL CHECK (length(kind) BETWEEN 1 AND 50),
    user_id      uuid NOT NULL REFERENCES users (id),
    filename     text NOT NULL DEFAULT '' CHECK (length(filename) <= 255),
    -- Emptied once committed.
    data         bytea NOT NULL,
    committed_at timestamptz NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);
-- Uploads older than a day are removed at the tenant's next upload.
CREATE INDEX imports_created_idx ON imports (tenant_id, created_at);

-- Header key (lower case, see importer.HeaderKey) → field key.
CREATE TABLE import_mappings (
    tenant_id  uuid NOT NULL DEFAULT app_tenant() REFERENCES tenants (id) ON DELETE CASCADE,
    kind       text NOT NULL CHECK (length(kind) BETWEEN 1 AND 50),
    mapping    jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, kind)
);

-- The owner is subject to the forced policy: lift it to copy every
-- tenant's remembered mapping.
ALTER TABLE account_import_mappings NO FORCE ROW LEVEL SECURITY;
INSERT INTO import_mappings (tenant_id, kind, mapping, updated_at)
    SELECT tenant_id, 'accounts', mapping, updated_at FROM account_import_mappings;
DROP TABLE account_import_mappings, account_imports, kpi_imports;

ALTER TABLE imports ENABLE ROW LEVEL SECURITY;
ALTER TABLE imports FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON imports
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

ALTER TABLE import_mappings ENABLE ROW LEVEL SECURITY;
ALTER TABLE import_mappings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON import_mappings
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

GRANT SELECT, INSERT, UPDATE, DELETE ON imports, import_mappings TO pareto_app;

-- +goose Down
CREATE TABLE account_imports (
    tenant_id  uuid NOT NULL DEFAULT app_tenant() REFERENCES tenants (id) ON DELETE CASCADE,
    id         uuid NOT NULL DEFAULT gen_random_uuid(),
    user_id    uuid NOT NULL REFERENCES users (id),
    filename   text NOT NULL DEFAULT '',
    data       bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);
CREATE TABLE account_import_mappings (
    tenant_id  uuid NOT NULL DEFAULT app_tenant() REFERENCES tenants (id) ON DELETE CASCADE,
    mapping    jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id)
);
CREATE TABLE kpi_imports (
    tenant_id    uuid NOT NULL DEFAULT app_tenant() REFERENCES tenants (id) ON DELETE CASCADE,
    id           uuid NOT NULL DEFAULT gen_random_uuid(),
    user_id      uuid NOT NULL REFERENCES users (id),
    filename     text NOT NULL DEFAULT '' CHECK (length(filename) <= 255),
    data         bytea NOT NULL,
    committed_at timestamptz NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);
ALTER TABLE import_mappings NO FORCE ROW LEVEL SECURITY;
INSERT INTO account_import_mappings (tenant_id, mapping, updated_at)
    SELECT tenant_id, mapping, updated_at FROM import_mappings WHERE kind = 'accounts';
DROP TABLE import_mappings, imports;
ALTER TABLE account_imports ENABLE ROW LEVEL SECURITY;
ALTER TABLE account_imports FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON account_imports
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());
ALTER TABLE account_import_mappings ENABLE ROW LEVEL SECURITY;
ALTER TABLE account_import_mappings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON account_import_mappings
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());
ALTER TABLE kpi_imports ENABLE ROW LEVEL SECURITY;
ALTER TABLE kpi_imports FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON kpi_imports
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON account_imports, account_import_mappings, kpi_imports TO pareto_app;
