-- +goose Up
-- KPI figures per account per month, the tenant's KPI settings, a count
-- of figure changes (for the dashboards' in-memory pre-aggregates), and
-- the CSV import staging table. Every table is tenant-owned: tenant_id first in the primary key,
-- foreign keys that include tenant_id, RLS forced.

-- One row per tenant; absent means the defaults (CSAT 1–5, fiscal year
-- starting in January).
CREATE TABLE kpi_settings (
    tenant_id               uuid NOT NULL DEFAULT app_tenant() REFERENCES tenants (id) ON DELETE CASCADE,
    csat_scale              text NOT NULL DEFAULT '5' CHECK (csat_scale IN ('5', 'percent')),
    fiscal_year_start_month smallint NOT NULL DEFAULT 1 CHECK (fiscal_year_start_month BETWEEN 1 AND 12),
    version                 integer NOT NULL DEFAULT 1,
    updated_by              uuid NULL REFERENCES users (id),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id)
);

-- The figures of one account for one month (month is the first day).
-- Ranges that do not depend on tenant settings are checked here too; the
-- CSAT range depends on the tenant's scale and is checked by the app.
CREATE TABLE kpi_figures (
    tenant_id        uuid NOT NULL DEFAULT app_tenant() REFERENCES tenants (id) ON DELETE CASCADE,
    account_id       uuid NOT NULL,
    month            date NOT NULL CHECK (extract(day FROM month) = 1),
    revenue          numeric(15, 2) NOT NULL CHECK (revenue >= 0),
    csat             numeric(5, 2) NULL CHECK (csat BETWEEN 0 AND 100),
    nps              integer NULL CHECK (nps BETWEEN -100 AND 100),
    promoters        integer NULL CHECK (promoters >= 0),
    passives         integer NULL CHECK (passives >= 0),
    detractors       integer NULL CHECK (detractors >= 0),
    adoption_pct     numeric(5, 2) NULL CHECK (adoption_pct BETWEEN 0 AND 100),
    upsell_revenue   numeric(15, 2) NULL CHECK (upsell_revenue >= 0),
    cross_sell_count integer NULL CHECK (cross_sell_count >= 0),
    version          integer NOT NULL DEFAULT 1,
    updated_by       uuid NULL REFERENCES users (id),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, account_id, month),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id) ON DELETE CASCADE,
    -- Survey counts come as a set or not at all.
    CHECK ((promoters IS NULL) = (passives IS NULL) AND (passives IS NULL) = (detractors IS NULL))
);
-- Dashboards read whole months across accounts (every account's revenue
-- in a period, the latest month with figures); the included columns let
-- those scans run index-only.
CREATE INDEX kpi_figures_month_idx ON kpi_figures (tenant_id, month) INCLUDE (account_id, revenue);

-- Counts every change of a tenant's figures, bumped first thing in every
-- writing transaction (so it also serialises a tenant's figure writers).
-- Figures change only through the KPI store; the dashboards keep their
-- pre-aggregates (each account's figures and each account's revenue per
-- period) in memory and trust them only while this count is unchanged.
CREATE TABLE kpi_state (
    tenant_id       uuid NOT NULL DEFAULT app_tenant() REFERENCES tenants (id) ON DELETE CASCADE,
    figures_version bigint NOT NULL DEFAULT 0,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id)
);

-- A CSV upload waiting to be previewed and committed.
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

ALTER TABLE kpi_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE kpi_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON kpi_settings
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

ALTER TABLE kpi_figures ENABLE ROW LEVEL SECURITY;
ALTER TABLE kpi_figures FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON kpi_figures
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

ALTER TABLE kpi_state ENABLE ROW LEVEL SECURITY;
ALTER TABLE kpi_state FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON kpi_state
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

ALTER TABLE kpi_imports ENABLE ROW LEVEL SECURITY;
ALTER TABLE kpi_imports FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON kpi_imports
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

GRANT SELECT, INSERT, UPDATE ON kpi_settings, kpi_state TO pareto_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON kpi_figures, kpi_imports TO pareto_app;

-- +goose Down
DROP TABLE kpi_imports, kpi_state, kpi_figures, kpi_settings;
