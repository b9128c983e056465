-- +goose Up
-- Selection criteria, the scoring matrix and its history, the per-tenant
-- scoring settings, and key-account reviews (snapshots of a ranking with a
-- decision per account). Every table is tenant-owned: tenant_id first in the
-- primary key, foreign keys that include tenant_id, RLS forced.

-- One row per tenant; missing means the defaults below.
CREATE TABLE scoring_settings (
    tenant_id           uuid NOT NULL DEFAULT app_tenant() REFERENCES tenants (id) ON DELETE CASCADE,
    -- How active criteria are weighted: explicit percentages or rank-order centroid.
    weight_mode         text NOT NULL DEFAULT 'rank' CHECK (weight_mode IN ('explicit', 'rank')),
    key_account_cap     integer NOT NULL DEFAULT 50 CHECK (key_account_cap BETWEEN 1 AND 10000),
    -- Warn when one account carries more than this share of total revenue (basis points).
    concentration_bps   integer NOT NULL DEFAULT 1000 CHECK (concentration_bps BETWEEN 1 AND 10000),
    top_n               integer NOT NULL DEFAULT 10 CHECK (top_n BETWEEN 1 AND 1000),
    -- Portfolio chart quadrant lines: score in tenths (60 = 6.0) and headroom
    -- in cents; NULL headroom means the median of the plotted accounts.
    quadrant_score10    integer NOT NULL DEFAULT 60 CHECK (quadrant_score10 BETWEEN 10 AND 100),
    quadrant_headroom   bigint NULL,
    -- Bumped by every change of criteria or weights, so a stale weights form
    -- (or a what-if applied after someone else changed the criteria) is refused.
    criteria_version    integer NOT NULL DEFAULT 1,
    version             integer NOT NULL DEFAULT 1,
    updated_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id)
);

CREATE TABLE scoring_criteria (
    tenant_id    uuid NOT NULL DEFAULT app_tenant() REFERENCES tenants (id) ON DELETE CASCADE,
    id           uuid NOT NULL DEFAULT gen_random_uuid(),
    -- The standard library entry this came from; NULL for custom criteria.
    code         text NULL CHECK (code ~ '^[a-z][a-z_]{1,49}$'),
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    description  text NOT NULL DEFAULT '' CHECK (length(description) <= 1000),
    rubric_1     text NOT NULL DEFAULT '' CHECK (length(rubric_1) <= 500),
    rubric_5     text NOT NULL DEFAULT '' CHECK (length(rubric_5) <= 500),
    rubric_10    text NOT NULL DEFAULT '' CHECK (length(rubric_10) <= 500),
    active       boolean NOT NULL DEFAULT false,
    -- Importance rank among the active criteria (1 = most important).
    position     integer NULL CHECK (position >= 1),
    -- Explicit weight in basis points (10000 = 100 %), used in explicit mode.
    weight_bps   integer NULL CHECK (weight_bps BETWEEN 0 AND 10000),
    version      integer NOT NULL DEFAULT 1,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT scoring_criteria_code_key UNIQUE (tenant_id, code),
    CHECK ((active AND position IS NOT NULL) OR (NOT active AND position IS NULL))
);
CREATE UNIQUE INDEX scoring_criteria_name_key ON scoring_criteria (tenant_id, lower(name));

-- The current cell of the matrix: one score per account and criterion.
CREATE TABLE account_scores (
    tenant_id    uuid NOT NULL DEFAULT app_tenant() REFERENCES tenants (id) ON DELETE CASCADE,
    account_id   uuid NOT NULL,
    criterion_id uuid NOT NULL,
    score        smallint NOT NULL CHECK (score BETWEEN 1 AND 10),
    evidence     text NOT NULL DEFAULT '' CHECK (length(evidence) <= 2000),
    scored_by    uuid NULL REFERENCES users (id),
    scored_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, account_id, criterion_id),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, criterion_id) REFERENCES scoring_criteria (tenant_id, id) ON DELETE CASCADE
);
-- Recomputing the ranking aggregates a tenant's cells: an index-only scan
-- on this covering index feeds the GROUP BY.
CREATE INDEX account_scores_agg_idx ON account_scores (tenant_id, account_id) INCLUDE (criterion_id, score);

-- The ranking's sort keys per scored account, kept current: by the store
-- when cells or weights change (recomputed with the weights in force), and
-- by the trigger below when an account's name, revenue, potential or
-- archive flag changes. The shortlist's first page is then an index scan.
CREATE TABLE account_rankings (
    tenant_id  uuid NOT NULL DEFAULT app_tenant() REFERENCES tenants (id) ON DELETE CASCADE,
    account_id uuid NOT NULL,
    score10    smallint NOT NULL,          -- weighted mean in tenths (73 = 7.3)
    scored     smallint NOT NULL,          -- active criteria with a cell
    complete   boolean NOT NULL,
    headroom   bigint NOT NULL,            -- cents: revenue_potential - annual_revenue
    sort_name  text COLLATE "C" NOT NULL,  -- lower(name)
    archived   boolean NOT NULL DEFAULT false,
    PRIMARY KEY (tenant_id, account_id),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX account_rankings_order_idx ON account_rankings
    (tenant_id, complete DESC, score10 DESC, headroom DESC, sort_name, account_id) WHERE NOT archived;

-- +goose StatementBegin
CREATE FUNCTION account_rankings_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE account_rankings
    SET headroom = ((NEW.revenue_potential - NEW.annual_revenue) * 100)::bigint,
        sort_name = lower(NEW.name),
        archived = NEW.archived_at IS NOT NULL
    WHERE tenant_id = NEW.tenant_id AND account_id = NEW.id;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER account_rankings_sync AFTER UPDATE OF name, annual_revenue, revenue_potential, archived_at ON accounts
    FOR EACH ROW EXECUTE FUNCTION account_rankings_sync();

-- Every change of a cell (append-only): who, when, old → new, evidence.
CREATE TABLE score_changes (
    tenant_id    uuid NOT NULL DEFAULT app_tenant() REFERENCES tenants (id) ON DELETE CASCADE,
    id           bigint GENERATED ALWAYS AS IDENTITY,
    account_id   uuid NOT NULL,
    criterion_id uuid NOT NULL,
    old_score    smallint NULL CHECK (old_score BETWEEN 1 AND 10),
    new_score    smallint NOT NULL CHECK (new_score BETWEEN 1 AND 10),
    evidence     text NOT NULL DEFAULT '' CHECK (length(evidence) <= 2000),
    changed_by   uuid NULL REFERENCES users (id),
    changed_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, criterion_id) REFERENCES scoring_criteria (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX score_changes_account_idx ON score_changes (tenant_id, account_id, changed_at, id);

-- A review: a snapshot of the ranking and the weights at one moment.
CREATE TABLE scoring_reviews (
    tenant_id    uuid NOT NULL DEFAULT app_tenant() REFERENCES tenants (id) ON DELETE CASCADE,
    id           uuid NOT NULL DEFAULT gen_random_uuid(),
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    weight_mode  text NOT NULL CHECK (weight_mode IN ('explicit', 'rank')),
    -- [{criterion_id, name, rank, weight_bps}] as they were when the review began.
    weights      jsonb NOT NULL,
    key_cap      integer NOT NULL,
    created_by   uuid NULL REFERENCES users (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    closed_by    uuid NULL REFERENCES users (id),
    closed_at    timestamptz NULL,
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT scoring_reviews_name_key UNIQUE (tenant_id, name)
);
-- At most one review is open at a time.
CREATE UNIQUE INDEX scoring_reviews_open_key ON scoring_reviews (tenant_id) WHERE closed_at IS NULL;
CREATE INDEX scoring_reviews_created_idx ON scoring_reviews (tenant_id, created_at DESC, id);

-- One ranked account of a review, frozen when the review began; the
-- decision columns are filled in during the review.
CREATE TABLE review_entries (
    tenant_id          uuid NOT NULL DEFAULT app_tenant() REFERENCES tenants (id) ON DELETE CASCADE,
    review_id          uuid NOT NULL,
    account_id         uuid NOT NULL,
    rank               integer NOT NULL CHECK (rank >= 1),
    account_name       text NOT NULL,
    score10            smallint NOT NULL CHECK (score10 BETWEEN 10 AND 100),
    scored             smallint NOT NULL,
    criteria_total     smallint NOT NULL,
    complete           boolean NOT NULL,
    -- {criterion_id: score} as they were.
    cells              jsonb NOT NULL,
    annual_revenue     bigint NOT NULL, -- cents
    revenue_potential  bigint NOT NULL, -- cents
    key_status_before  text NOT NULL,
    kam_name           text NOT NULL DEFAULT '',
    decision           text NULL CHECK (decision IN ('key', 'declined', 'watch')),
    reason             text NOT NULL DEFAULT '' CHECK (length(reason) <= 2000),
    decided_by         uuid NULL REFERENCES users (id),
    decided_at         timestamptz NULL,
    PRIMARY KEY (tenant_id, review_id, account_id),
    CONSTRAINT review_entries_rank_key UNIQUE (tenant_id, review_id, rank),
    FOREIGN KEY (tenant_id, review_id) REFERENCES scoring_reviews (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id) ON DELETE CASCADE,
    CHECK (decision IS NULL OR length(reason) >= 1)
);

-- Every change of an account's key status with its reason (reviews and
-- de-designations), so an account's key history can be shown.
CREATE TABLE key_status_changes (
    tenant_id   uuid NOT NULL DEFAULT app_tenant() REFERENCES tenants (id) ON DELETE CASCADE,
    id          bigint GENERATED ALWAYS AS IDENTITY,
    account_id  uuid NOT NULL,
    review_id   uuid NULL,
    old_status  text NOT NULL,
    new_status  text NOT NULL,
    reason      text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
    changed_by  uuid NULL REFERENCES users (id),
    changed_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, review_id) REFERENCES scoring_reviews (tenant_id, id) ON DELETE SET NULL (review_id)
);
CREATE INDEX key_status_changes_account_idx ON key_status_changes (tenant_id, account_id, changed_at);

ALTER TABLE scoring_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE scoring_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON scoring_settings
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

ALTER TABLE scoring_criteria ENABLE ROW LEVEL SECURITY;
ALTER TABLE scoring_criteria FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON scoring_criteria
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

ALTER TABLE account_scores ENABLE ROW LEVEL SECURITY;
ALTER TABLE account_scores FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON account_scores
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

ALTER TABLE account_rankings ENABLE ROW LEVEL SECURITY;
ALTER TABLE account_rankings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON account_rankings
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

ALTER TABLE score_changes ENABLE ROW LEVEL SECURITY;
ALTER TABLE score_changes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON score_changes
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

ALTER TABLE scoring_reviews ENABLE ROW LEVEL SECURITY;
ALTER TABLE scoring_reviews FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON scoring_reviews
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

ALTER TABLE review_entries ENABLE ROW LEVEL SECURITY;
ALTER TABLE review_entries FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON review_entries
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

ALTER TABLE key_status_changes ENABLE ROW LEVEL SECURITY;
ALTER TABLE key_status_changes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON key_status_changes
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

GRANT SELECT, INSERT, UPDATE ON scoring_settings, scoring_criteria TO pareto_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON account_scores, account_rankings TO pareto_app;
GRANT EXECUTE ON FUNCTION account_rankings_sync() TO pareto_app;
-- Histories and review snapshots are append-only; only a review's decision
-- columns and closing change (UPDATE), never its frozen figures (by code).
GRANT SELECT, INSERT ON score_changes, key_status_changes TO pareto_app;
GRANT SELECT, INSERT, UPDATE ON scoring_reviews, review_entries TO pareto_app;

-- +goose Down
DROP TRIGGER account_rankings_sync ON accounts;
DROP FUNCTION account_rankings_sync();
DROP TABLE key_status_changes, review_entries, scoring_reviews, score_changes, account_rankings, account_scores,
    scoring_criteria, scoring_settings;
