-- +goose Up
-- Goal plans (why / what / how), the product catalogue and the whitespace
-- grid. Every table is tenant-owned: tenant_id first in the primary key,
-- foreign keys that include tenant_id, unique keys scoped by tenant, RLS
-- forced.

-- One row per tenant; a missing row means the defaults.
CREATE TABLE plan_settings (
    tenant_id               uuid NOT NULL DEFAULT app_tenant() REFERENCES tenants (id) ON DELETE CASCADE,
    fiscal_year_start_month smallint NOT NULL DEFAULT 1 CHECK (fiscal_year_start_month BETWEEN 1 AND 12),
    version                 integer NOT NULL DEFAULT 1,
    updated_at              timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id)
);

-- One plan per account per fiscal year ("FY2027" names the fiscal year that
-- ends in 2027).
CREATE TABLE goal_plans (
    tenant_id  uuid NOT NULL DEFAULT app_tenant() REFERENCES tenants (id) ON DELETE CASCADE,
    id         uuid NOT NULL DEFAULT gen_random_uuid(),
    account_id uuid NOT NULL,
    period     text NOT NULL CHECK (period ~ '^FY[0-9]{4}$'),
    status     text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'active', 'closed')),
    why        text NOT NULL DEFAULT '' CHECK (length(why) <= 2000),
    version    integer NOT NULL DEFAULT 1,
    created_by uuid NULL REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT goal_plans_period_key UNIQUE (tenant_id, account_id, period),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX goal_plans_status_idx ON goal_plans (tenant_id, status, period);

-- The "what": measurable goals. manual_progress is the measure's current
-- value typed by hand (in the KPI's unit, not a percentage); it stands in
-- for the latest KPI figure until one exists.
CREATE TABLE plan_goals (
    tenant_id       uuid NOT NULL DEFAULT app_tenant() REFERENCES tenants (id) ON DELETE CASCADE,
    id              uuid NOT NULL DEFAULT gen_random_uuid(),
    plan_id         uuid NOT NULL,
    title           text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    kpi             text NOT NULL CHECK (kpi IN ('revenue', 'csat', 'nps', 'adoption', 'upsell_revenue', 'cross_sell_count', 'custom')),
    custom_measure  text NOT NULL DEFAULT '' CHECK (length(custom_measure) <= 100),
    baseline        numeric(15, 2) NOT NULL,
    target          numeric(15, 2) NOT NULL,
    due_date        date NOT NULL,
    status          text NOT NULL DEFAULT 'on_track' CHECK (status IN ('on_track', 'at_risk', 'off_track', 'achieved')),
    manual_progress numeric(15, 2) NULL,
    position        integer NOT NULL DEFAULT 0,
    version         integer NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    -- Lets actions require a goal of the same plan.
    CONSTRAINT plan_goals_plan_id_key UNIQUE (tenant_id, plan_id, id),
    -- The direction is derived from target vs baseline, so they must differ.
    CONSTRAINT plan_goals_direction_check CHECK (target <> baseline),
    CONSTRAINT plan_goals_custom_check CHECK ((kpi = 'custom') = (custom_measure <> '')),
    FOREIGN KEY (tenant_id, plan_id) REFERENCES goal_plans (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX plan_goals_plan_idx ON plan_goals (tenant_id, plan_id, position, due_date);

-- The "how": actions under a goal or under the plan itself.
CREATE TABLE plan_actions (
    tenant_id     uuid NOT NULL DEFAULT app_tenant() REFERENCES tenants (id) ON DELETE CASCADE,
    id            uuid NOT NULL DEFAULT gen_random_uuid(),
    plan_id       uuid NOT NULL,
    goal_id       uuid NULL,
    description   text NOT NULL CHECK (length(description) BETWEEN 1 AND 500),
    owner_user_id uuid NOT NULL REFERENCES users (id),
    due_date      date NOT NULL,
    done_at       timestamptz NULL,
    done_by       uuid NULL REFERENCES users (id),
    version       integer NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, plan_id) REFERENCES goal_plans (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, plan_id, goal_id) REFERENCES plan_goals (tenant_id, plan_id, id) ON DELETE SET NULL (goal_id)
);
CREATE INDEX plan_actions_plan_idx ON plan_actions (tenant_id, plan_id, due_date);
-- "My overdue actions" for one person.
CREATE INDEX plan_actions_open_idx ON plan_actions (tenant_id, owner_user_id, due_date) WHERE done_at IS NULL;

-- The tenant's product catalogue (admin-managed). Products are retired
-- (active = false), not deleted, so whitespace history stays readable.
CREATE TABLE products (
    tenant_id   uuid NOT NULL DEFAULT app_tenant() REFERENCES tenants (id) ON DELETE CASCADE,
    id          uuid NOT NULL DEFAULT gen_random_uuid(),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    description text NOT NULL DEFAULT '' CHECK (length(description) <= 500),
    active      boolean NOT NULL DEFAULT true,
    version     integer NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX products_name_key ON products (tenant_id, lower(name));

-- Whitespace: account × product. No row means "not assessed yet".
CREATE TABLE whitespace_cells (
    tenant_id       uuid NOT NULL DEFAULT app_tenant() REFERENCES tenants (id) ON DELETE CASCADE,
    account_id      uuid NOT NULL,
    product_id      uuid NOT NULL,
    state           text NOT NULL CHECK (state IN ('owned', 'opportunity', 'not_fit')),
    estimated_value numeric(15, 2) NULL CHECK (estimated_value >= 0),
    expected_close  date NULL,
    version         integer NOT NULL DEFAULT 1,
    updated_by      uuid NULL REFERENCES users (id),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, account_id, product_id),
    -- An opportunity has a value; the other states carry neither field.
    CONSTRAINT whitespace_cells_value_check CHECK (
        (state = 'opportunity' AND estimated_value IS NOT NULL)
        OR (state <> 'opportunity' AND estimated_value IS NULL AND expected_close IS NULL)),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, product_id) REFERENCES products (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX whitespace_cells_product_idx ON whitespace_cells (tenant_id, product_id, state);

ALTER TABLE plan_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE plan_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON plan_settings
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

ALTER TABLE goal_plans ENABLE ROW LEVEL SECURITY;
ALTER TABLE goal_plans FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON goal_plans
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

ALTER TABLE plan_goals ENABLE ROW LEVEL SECURITY;
ALTER TABLE plan_goals FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON plan_goals
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

ALTER TABLE plan_actions ENABLE ROW LEVEL SECURITY;
ALTER TABLE plan_actions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON plan_actions
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

ALTER TABLE products ENABLE ROW LEVEL SECURITY;
ALTER TABLE products FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON products
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

ALTER TABLE whitespace_cells ENABLE ROW LEVEL SECURITY;
ALTER TABLE whitespace_cells FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON whitespace_cells
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

GRANT SELECT, INSERT, UPDATE ON plan_settings, goal_plans, products TO pareto_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON plan_goals, plan_actions, whitespace_cells TO pareto_app;

-- +goose Down
DROP TABLE whitespace_cells, products, plan_actions, plan_goals, goal_plans, plan_settings;
