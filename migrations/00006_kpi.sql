-- +goose Up
-- KPI figures per account per month, the tenant's KPI settings, a monthly
-- pre-aggregate of the whole tenant's revenue, and the CSV import staging
-- table. Every table is tenant-owned: tenant_id first in the primary key,
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
-- Dashboards read whole months across accounts; the included columns let
-- the revenue-only scans (totals, concentration) run as index-only scans.
CREATE INDEX kpi_figures_month_idx ON kpi_figures (tenant_id, month) INCLUDE (account_id, revenue);

-- Pre-aggregate: the whole tenant's revenue per month (every account, no
-- filter), kept in the same transaction as every figure write. The
-- unfiltered portfolio dashboard reads its "share of total revenue"
-- denominator from here instead of scanning every account's figures.
CREATE TABLE kpi_month_totals (
    tenant_id uuid NOT NULL DEFAULT app_tenant() REFERENCES tenants (id) ON DELETE CASCADE,
    month     date NOT NULL,
    revenue   numeric(17, 2) NOT NULL DEFAULT 0,
    accounts  integer NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, month)
);

-- Counts every change of a tenant's figures, bumped in the writing
-- transaction. Dashboards keep a memo of figures that need every account's
-- rows (the largest single account of a period) and trust it only while
-- this count is unchanged.
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

ALTER TABLE kpi_month_totals ENABLE ROW LEVEL SECURITY;
ALTER TABLE kpi_month_totals FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON kpi_month_totals
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
GRANT SELECT, INSERT, UPDATE, DELETE ON kpi_figures, kpi_month_totals, kpi_imports TO pareto_app;

-- +goose Down
DROP TABLE kpi_imports, kpi_state, kpi_month_totals, kpi_figures, kpi_settings;
