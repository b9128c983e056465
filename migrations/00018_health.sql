-- +goose Up
-- Account health, relationship risk, account teams and account managers,
-- non-monetary engagement, profitability and periodic account reviews
-- (issue 15). Every table is tenant-owned: tenant_id first in the primary
-- key, foreign keys that include tenant_id, RLS forced on the tenant
-- setting. No triggers; nothing here reads the clock in a write (the
-- application passes dates and times).

-- Stakeholders: the decision roles the health score's coverage looks for
-- (economic buyer and the client's executive sponsor join decision maker
-- and champion), and "left the company" as a dated state: the person and
-- their interactions stay, they just no longer count as a contact.
ALTER TABLE stakeholders DROP CONSTRAINT stakeholders_buying_role_check;
ALTER TABLE stakeholders ADD CONSTRAINT stakeholders_buying_role_check CHECK (buying_role IN
    ('decision_maker', 'economic_buyer', 'champion', 'executive_sponsor', 'influencer', 'user', 'blocker'));
ALTER TABLE stakeholders ADD COLUMN left_on date NULL;

-- Account managers look after accounts that are not key accounts: an
-- assignment of its own beside the KAM (accounts.kam_user_id), not a
-- level above or below it.
-- The column and its foreign key in two statements, the key named: on
-- Citus an inline REFERENCES in ADD COLUMN gets the name "accounts__fkey",
-- which a restore cannot drop before users_pkey.
ALTER TABLE accounts ADD COLUMN manager_user_id uuid NULL;
ALTER TABLE accounts ADD CONSTRAINT accounts_manager_user_id_fkey FOREIGN KEY (manager_user_id) REFERENCES users (id);
CREATE INDEX accounts_manager_idx ON accounts (tenant_id, manager_user_id) WHERE manager_user_id IS NOT NULL;

-- The internal account team beside the KAM: one role per person and account.
CREATE TABLE account_team_members (
    tenant_id  uuid NOT NULL DEFAULT app_tenant() REFERENCES tenants (id) ON DELETE CASCADE,
    account_id uuid NOT NULL,
    user_id    uuid NOT NULL,
    role       text NOT NULL CHECK (role IN ('executive_sponsor', 'solution_engineer', 'service_lead', 'finance')),
    added_by   uuid NULL REFERENCES users (id),
    added_at   timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, account_id, user_id),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, user_id) REFERENCES memberships (tenant_id, user_id) ON DELETE CASCADE
);
-- "My accounts": every account a person is on.
CREATE INDEX account_team_members_user_idx ON account_team_members (tenant_id, user_id, account_id);

-- Engagement that is not a sale: referrals, case studies, references,
-- beta tests, joint projects, events.
CREATE TABLE engagements (
    tenant_id   uuid NOT NULL DEFAULT app_tenant() REFERENCES tenants (id) ON DELETE CASCADE,
    id          uuid NOT NULL DEFAULT gen_random_uuid(),
    account_id  uuid NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('referral', 'case_study', 'reference', 'beta_test', 'joint_project', 'event')),
    occurred_on date NOT NULL,
    title       text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    notes       text NOT NULL DEFAULT '' CHECK (length(notes) <= 10000),
    created_by  uuid NULL REFERENCES users (id),
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX engagements_account_idx ON engagements (tenant_id, account_id, occurred_on DESC, id);

-- One row per tenant; missing means the defaults below.
CREATE TABLE health_settings (
    tenant_id         uuid NOT NULL DEFAULT app_tenant() REFERENCES tenants (id) ON DELETE CASCADE,
    -- The components' weights in percent; they sum to 100.
    w_coverage        smallint NOT NULL DEFAULT 20 CHECK (w_coverage BETWEEN 0 AND 100),
    w_freshness       smallint NOT NULL DEFAULT 20 CHECK (w_freshness BETWEEN 0 AND 100),
    w_plan            smallint NOT NULL DEFAULT 20 CHECK (w_plan BETWEEN 0 AND 100),
    w_satisfaction    smallint NOT NULL DEFAULT 15 CHECK (w_satisfaction BETWEEN 0 AND 100),
    w_engagement      smallint NOT NULL DEFAULT 10 CHECK (w_engagement BETWEEN 0 AND 100),
    w_margin          smallint NOT NULL DEFAULT 15 CHECK (w_margin BETWEEN 0 AND 100),
    -- A key stakeholder not contacted for more days than this is stale.
    stale_days        smallint NOT NULL DEFAULT 60 CHECK (stale_days BETWEEN 7 AND 365),
    -- Single-threaded: one stakeholder in more than this share (percent)
    -- of the last 90 days' interactions.
    single_thread_pct smallint NOT NULL DEFAULT 70 CHECK (single_thread_pct BETWEEN 50 AND 100),
    -- Key revenue of accounts whose health is below this is "at risk".
    risk_health       smallint NOT NULL DEFAULT 50 CHECK (risk_health BETWEEN 1 AND 100),
    -- The 2×2's lines: selection score in tenths, health 0–100.
    matrix_score10    smallint NOT NULL DEFAULT 60 CHECK (matrix_score10 BETWEEN 10 AND 100),
    matrix_health     smallint NOT NULL DEFAULT 60 CHECK (matrix_health BETWEEN 1 AND 100),
    -- A key account whose gross margin falls below this (basis points) is warned about.
    low_margin_bps    integer NOT NULL DEFAULT 2000 CHECK (low_margin_bps BETWEEN -10000 AND 10000),
    -- Months between a key account's reviews.
    review_months     smallint NOT NULL DEFAULT 3 CHECK (review_months IN (1, 2, 3, 4, 6, 12)),
    version           integer NOT NULL DEFAULT 1,
    updated_by        uuid NULL REFERENCES users (id),
    updated_at        timestamptz NOT NULL,
    PRIMARY KEY (tenant_id),
    CHECK (w_coverage + w_freshness + w_plan + w_satisfaction + w_engagement + w_margin = 100)
);

-- Each account's health as last computed (kept, not recomputed per page):
-- by the writes that change its inputs and, for the clock's part (stale
-- contacts, overdue dates), once a day per tenant. breakdown holds the
-- components (value or missing, weight, contribution) and the warnings.
CREATE TABLE account_health (
    tenant_id   uuid NOT NULL DEFAULT app_tenant() REFERENCES tenants (id) ON DELETE CASCADE,
    account_id  uuid NOT NULL,
    score       smallint NULL CHECK (score BETWEEN 0 AND 100),
    breakdown   jsonb NOT NULL,
    computed_on date NOT NULL,
    computed_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, account_id),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id) ON DELETE CASCADE
);

-- The score's history: one row per account and month, the month's last
-- computation (the current month's row moves until the month ends).
CREATE TABLE health_history (
    tenant_id  uuid NOT NULL DEFAULT app_tenant() REFERENCES tenants (id) ON DELETE CASCADE,
    account_id uuid NOT NULL,
    month      date NOT NULL CHECK (extract(day FROM month) = 1),
    score      smallint NULL CHECK (score BETWEEN 0 AND 100),
    breakdown  jsonb NOT NULL,
    PRIMARY KEY (tenant_id, account_id, month),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id) ON DELETE CASCADE
);

-- The relationship warnings in force, one row per account and kind, kept
-- with account_health. The risk list pages through them by account name
-- (keyset); its filters (kind, KAM, key status) each have an index in that
-- order, so a page costs the same at any portfolio size. The sort and
-- filter keys are copied from the account when the row is written.
CREATE TABLE account_risks (
    tenant_id   uuid NOT NULL DEFAULT app_tenant() REFERENCES tenants (id) ON DELETE CASCADE,
    account_id  uuid NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('single_threaded', 'stale_contact', 'no_decision_maker', 'champion_gone',
                    'overdue_actions', 'review_overdue', 'low_margin')),
    detail      text NOT NULL,
    sort_name   text COLLATE "C" NOT NULL,
    kam_user_id uuid NULL,
    key_status  text NOT NULL,
    health      smallint NULL,
    since       date NOT NULL,
    PRIMARY KEY (tenant_id, account_id, kind),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX account_risks_list_idx ON account_risks (tenant_id, sort_name, account_id, kind);
CREATE INDEX account_risks_kind_idx ON account_risks (tenant_id, kind, sort_name, account_id);
CREATE INDEX account_risks_kam_idx ON account_risks (tenant_id, kam_user_id, sort_name, account_id, kind);
CREATE INDEX account_risks_key_idx ON account_risks (tenant_id, key_status, sort_name, account_id, kind);

-- When each tenant's health was last computed for every account.
CREATE TABLE health_runs (
    tenant_id uuid NOT NULL DEFAULT app_tenant() REFERENCES tenants (id) ON DELETE CASCADE,
    ran_on    date NOT NULL,
    ran_at    timestamptz NOT NULL,
    PRIMARY KEY (tenant_id)
);

-- Profitability per account and month. Contribution = the month's KPI
-- revenue − cost to serve (computed when shown).
CREATE TABLE account_profitability (
    tenant_id     uuid NOT NULL DEFAULT app_tenant() REFERENCES tenants (id) ON DELETE CASCADE,
    account_id    uuid NOT NULL,
    month         date NOT NULL CHECK (extract(day FROM month) = 1),
    cost_to_serve numeric(15, 2) NOT NULL CHECK (cost_to_serve >= 0),
    discount      numeric(15, 2) NULL CHECK (discount >= 0),
    gross_margin  numeric(5, 2) NULL CHECK (gross_margin BETWEEN -100 AND 100),
    version       integer NOT NULL DEFAULT 1,
    updated_by    uuid NULL REFERENCES users (id),
    -- The import pipeline inserts without it (and sets it on update).
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, account_id, month),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX account_profitability_month_idx ON account_profitability (tenant_id, month);

-- The portfolio's profitability per month, key accounts and the others
-- apart, kept by the profitability writes (the months they touch) and the
-- daily health run, so the dashboard never sums over every account.
CREATE TABLE profitability_totals (
    tenant_id       uuid NOT NULL DEFAULT app_tenant() REFERENCES tenants (id) ON DELETE CASCADE,
    month           date NOT NULL CHECK (extract(day FROM month) = 1),
    key             boolean NOT NULL,
    accounts        integer NOT NULL,
    revenue         numeric NOT NULL, -- the month's KPI revenue of those accounts
    cost_to_serve   numeric NOT NULL,
    discount        numeric NOT NULL,
    margin_revenue  numeric NOT NULL, -- revenue of the accounts that gave a gross margin
    margin_weighted numeric NOT NULL, -- sum of revenue × gross margin % over them
    PRIMARY KEY (tenant_id, month, key)
);

-- Each key account's next review (a review sets it one cadence on; the
-- KAM may move it).
CREATE TABLE review_schedules (
    tenant_id      uuid NOT NULL DEFAULT app_tenant() REFERENCES tenants (id) ON DELETE CASCADE,
    account_id     uuid NOT NULL,
    next_review_on date NOT NULL,
    version        integer NOT NULL DEFAULT 1,
    updated_by     uuid NULL REFERENCES users (id),
    updated_at     timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, account_id),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX review_schedules_due_idx ON review_schedules (tenant_id, next_review_on, account_id);

-- A periodic account review: a frozen, dated snapshot (health and its
-- breakdown, KPI figures, goal progress, risks, pipeline, profitability)
-- with the review's notes. Append-only: it stays as it was.
CREATE TABLE account_reviews (
    tenant_id      uuid NOT NULL DEFAULT app_tenant() REFERENCES tenants (id) ON DELETE CASCADE,
    id             uuid NOT NULL DEFAULT gen_random_uuid(),
    account_id     uuid NOT NULL,
    held_on        date NOT NULL,
    summary        text NOT NULL DEFAULT '' CHECK (length(summary) <= 10000),
    internal_notes text NOT NULL DEFAULT '' CHECK (length(internal_notes) <= 10000),
    next_steps     text NOT NULL DEFAULT '' CHECK (length(next_steps) <= 10000),
    snapshot       jsonb NOT NULL,
    created_by     uuid NULL REFERENCES users (id),
    created_at     timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX account_reviews_account_idx ON account_reviews (tenant_id, account_id, held_on DESC, created_at DESC);

ALTER TABLE account_team_members ENABLE ROW LEVEL SECURITY;
ALTER TABLE account_team_members FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON account_team_members
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
ALTER TABLE engagements ENABLE ROW LEVEL SECURITY;
ALTER TABLE engagements FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON engagements
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
ALTER TABLE health_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE health_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON health_settings
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
ALTER TABLE account_health ENABLE ROW LEVEL SECURITY;
ALTER TABLE account_health FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON account_health
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
ALTER TABLE health_history ENABLE ROW LEVEL SECURITY;
ALTER TABLE health_history FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON health_history
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
ALTER TABLE account_risks ENABLE ROW LEVEL SECURITY;
ALTER TABLE account_risks FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON account_risks
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
ALTER TABLE health_runs ENABLE ROW LEVEL SECURITY;
ALTER TABLE health_runs FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON health_runs
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
ALTER TABLE account_profitability ENABLE ROW LEVEL SECURITY;
ALTER TABLE account_profitability FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON account_profitability
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
ALTER TABLE profitability_totals ENABLE ROW LEVEL SECURITY;
ALTER TABLE profitability_totals FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON profitability_totals
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
ALTER TABLE review_schedules ENABLE ROW LEVEL SECURITY;
ALTER TABLE review_schedules FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON review_schedules
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
ALTER TABLE account_reviews ENABLE ROW LEVEL SECURITY;
ALTER TABLE account_reviews FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON account_reviews
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

GRANT SELECT, INSERT, UPDATE, DELETE ON account_team_members, engagements, account_health, health_history,
    account_risks, account_profitability, profitability_totals, review_schedules TO pareto_app;
GRANT SELECT, INSERT, UPDATE ON health_settings, health_runs TO pareto_app;
-- Reviews are frozen: written once, never changed by the application.
GRANT SELECT, INSERT ON account_reviews TO pareto_app;

-- +goose Down
DROP TABLE account_reviews, review_schedules, profitability_totals, account_profitability, health_runs,
    account_risks, health_history, account_health, health_settings, engagements, account_team_members;
DROP INDEX accounts_manager_idx;
ALTER TABLE accounts DROP COLUMN manager_user_id;
ALTER TABLE stakeholders DROP COLUMN left_on;
UPDATE stakeholders SET buying_role = 'influencer' WHERE buying_role IN ('economic_buyer', 'executive_sponsor');
ALTER TABLE stakeholders DROP CONSTRAINT stakeholders_buying_role_check;
ALTER TABLE stakeholders ADD CONSTRAINT stakeholders_buying_role_check CHECK (buying_role IN
    ('decision_maker', 'influencer', 'champion', 'user', 'blocker'));
