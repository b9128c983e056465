-- +goose Up
-- Growth measured by the criteria that chose the account (issue 14).

-- Orders placed and units bought per account and month, beside the other
-- monthly figures: average transaction size (revenue ÷ orders) and units
-- per order are derived from them, never typed. One ALTER per change:
-- Citus refuses ADD CONSTRAINT beside other subcommands.
ALTER TABLE kpi_figures ADD COLUMN orders integer NULL;
ALTER TABLE kpi_figures ADD CONSTRAINT kpi_figures_orders_check CHECK (orders >= 0);
ALTER TABLE kpi_figures ADD COLUMN units bigint NULL;
ALTER TABLE kpi_figures ADD CONSTRAINT kpi_figures_units_check CHECK (units >= 0);

-- The measurable metric an admin links to a selection criterion: an
-- account's growth is followed on the metrics of the criteria that chose
-- it. No row: the criterion is not linked. Owned by the KPI area (the
-- metrics are its figures); removed with its criterion.
CREATE TABLE criterion_metrics (
    tenant_id    uuid NOT NULL DEFAULT app_tenant() REFERENCES tenants (id) ON DELETE CASCADE,
    criterion_id uuid NOT NULL,
    metric       text NOT NULL CHECK (metric IN ('revenue', 'revenue_vs_potential', 'avg_transaction', 'units_per_order',
                     'orders', 'units', 'adoption', 'csat', 'nps', 'upsell_revenue', 'cross_sells')),
    version      integer NOT NULL DEFAULT 1,
    updated_by   uuid NULL REFERENCES users (id),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, criterion_id),
    FOREIGN KEY (tenant_id, criterion_id) REFERENCES scoring_criteria (tenant_id, id) ON DELETE CASCADE
);

ALTER TABLE criterion_metrics ENABLE ROW LEVEL SECURITY;
ALTER TABLE criterion_metrics FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON criterion_metrics
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

GRANT SELECT, INSERT, UPDATE, DELETE ON criterion_metrics TO pareto_app;

-- +goose Down
DROP TABLE criterion_metrics;
ALTER TABLE kpi_figures DROP COLUMN units;
ALTER TABLE kpi_figures DROP COLUMN orders;
