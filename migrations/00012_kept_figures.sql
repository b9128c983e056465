-- +goose Up
-- Figures kept, not recomputed (issue 19), and the one revenue of an
-- account (issue 14).
--
-- 1. accounts.revenue_cents is THE revenue of an account everywhere (shortlist,
--    concentration warnings, dashboards, KAM loads, exports): the account's
--    recorded KPI revenue over the trailing 12 complete months
--    (revenue_recorded, kept by the KPI store whenever figures change and
--    when the window moves on; NULL when the account has no figure in the
--    window), else its annual revenue. The definition lives in
--    internal/account/revenue.go; revenue_windows holds the window each
--    tenant's revenue_recorded was computed for.
-- 2. account_tallies keeps the portfolio's counts and sums (the shortlist's
--    total and concentration, the home summary, the account list's facets,
--    the KAM loads) per tenant and per value of each filter, changed by
--    every write that changes them in the same transaction
--    (internal/account/tally.go), so no page sums over every account.
--
-- Keyset pagination compares a row's sort keys with the last row shown:
-- under row-level security PostgreSQL uses such a comparison as an index
-- condition only when every function in it is leakproof, which lower(),
-- unary minus and numeric comparisons are not. So the sort keys are stored
-- (generated) columns of leakproof types: accounts.sort_name, the revenue
-- in cents, and the ranking's rank_key1/rank_key2.
ALTER TABLE accounts
    ADD COLUMN revenue_recorded numeric(17, 2) NULL CHECK (revenue_recorded >= 0),
    ADD COLUMN revenue_cents bigint GENERATED ALWAYS AS ((coalesce(revenue_recorded, annual_revenue) * 100)::bigint) STORED,
    ADD COLUMN sort_name text GENERATED ALWAYS AS (lower(name)) STORED;
-- Top accounts by revenue (top-N share, accounts over the warning share,
-- the largest account): a walk down this index from the largest.
CREATE INDEX accounts_revenue_cents_idx ON accounts (tenant_id, revenue_cents, id) WHERE archived_at IS NULL;

CREATE TABLE revenue_windows (
    tenant_id uuid NOT NULL DEFAULT app_tenant() REFERENCES tenants (id) ON DELETE CASCADE,
    -- The last month of the trailing 12 complete months (first day).
    through   date NOT NULL CHECK (extract(day FROM through) = 1),
    PRIMARY KEY (tenant_id)
);

-- One row per tenant and dimension value: dim 'all' (value '') is every
-- active account; 'industry', 'region', 'segment', 'status', 'key_status'
-- and 'kam' (value: the KAM's user id, '' for none) the active accounts
-- with that value; 'archived' (value '') the archived accounts; 'rank'
-- (value: account_rankings.rank_key1) the ranked active accounts with that
-- rank key, a histogram that gives an account's place in the ranking
-- without counting the accounts ahead of it. Amounts in cents.
CREATE TABLE account_tallies (
    tenant_id      uuid NOT NULL DEFAULT app_tenant() REFERENCES tenants (id) ON DELETE CASCADE,
    dim            text NOT NULL CHECK (dim IN ('all', 'industry', 'region', 'segment', 'status', 'key_status', 'kam', 'archived', 'rank')),
    value          text NOT NULL,
    accounts       integer NOT NULL DEFAULT 0,
    ranked         integer NOT NULL DEFAULT 0, -- with a ranking (some score cell)
    complete       integer NOT NULL DEFAULT 0, -- with a complete score
    key_accounts   integer NOT NULL DEFAULT 0,
    from_figures   integer NOT NULL DEFAULT 0, -- whose revenue is recorded KPI revenue
    revenue        numeric NOT NULL DEFAULT 0,
    key_revenue    numeric NOT NULL DEFAULT 0,
    annual_revenue numeric NOT NULL DEFAULT 0,
    potential      numeric NOT NULL DEFAULT 0,
    headroom       numeric NOT NULL DEFAULT 0, -- sum of max(potential - revenue, 0)
    PRIMARY KEY (tenant_id, dim, value)
);

ALTER TABLE revenue_windows ENABLE ROW LEVEL SECURITY;
ALTER TABLE revenue_windows FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON revenue_windows
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
ALTER TABLE account_tallies ENABLE ROW LEVEL SECURITY;
ALTER TABLE account_tallies FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON account_tallies
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
GRANT SELECT, INSERT, UPDATE ON revenue_windows TO pareto_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON account_tallies TO pareto_app;

-- 3. Filters served by indexes, in the order each list pages in (keyset
--    pagination: no OFFSET, no count over the tenant).
--    The shortlist pages in rank order over account_rankings; its filters
--    (KAM, segment, key status) are copied into the ranking row (kept by
--    the scoring store's re-rank and by the trigger below) so each has an
--    index in rank order; "incomplete" is the complete = false half of
--    account_rankings_order_idx. Sorting by name or headroom has its own.
--    Rank order (complete first, then score, then headroom, both
--    descending, then name and id) is ascending on (rank_key1, rank_key2,
--    sort_name, account_id).
ALTER TABLE account_rankings
    ADD COLUMN kam_user_id uuid NULL,
    ADD COLUMN segment text NOT NULL DEFAULT '',
    ADD COLUMN key_status text NOT NULL DEFAULT 'candidate',
    ADD COLUMN rank_key1 integer GENERATED ALWAYS AS (CASE WHEN complete THEN 0 ELSE 1000 END - score10) STORED,
    ADD COLUMN rank_key2 bigint GENERATED ALWAYS AS (0 - headroom) STORED;
DROP INDEX account_rankings_order_idx;
CREATE INDEX account_rankings_order_idx ON account_rankings
    (tenant_id, rank_key1, rank_key2, sort_name, account_id) WHERE NOT archived;
CREATE INDEX account_rankings_kam_idx ON account_rankings
    (tenant_id, kam_user_id, rank_key1, rank_key2, sort_name, account_id) WHERE NOT archived;
CREATE INDEX account_rankings_segment_idx ON account_rankings
    (tenant_id, segment, rank_key1, rank_key2, sort_name, account_id) WHERE NOT archived;
CREATE INDEX account_rankings_key_status_idx ON account_rankings
    (tenant_id, key_status, rank_key1, rank_key2, sort_name, account_id) WHERE NOT archived;
CREATE INDEX account_rankings_name_idx ON account_rankings (tenant_id, sort_name, account_id) WHERE NOT archived;
--    The matrix's "incomplete" filter walks the incomplete accounts by name.
CREATE INDEX account_rankings_incomplete_idx ON account_rankings (tenant_id, sort_name, account_id)
    WHERE NOT archived AND NOT complete;
CREATE INDEX account_rankings_headroom_idx ON account_rankings (tenant_id, headroom, account_id) WHERE NOT archived;
--    The account list and the scoring matrix page by name; each filter of
--    theirs has an index in name order over the active accounts (these
--    replace the single-column ones), and archived accounts their own.
DROP INDEX accounts_industry_idx;
DROP INDEX accounts_region_idx;
DROP INDEX accounts_segment_idx;
DROP INDEX accounts_status_idx;
DROP INDEX accounts_key_status_idx;
DROP INDEX accounts_kam_idx;
CREATE INDEX accounts_sort_name_idx ON accounts (tenant_id, sort_name, id) WHERE archived_at IS NULL;
CREATE INDEX accounts_industry_idx ON accounts (tenant_id, industry, sort_name, id) WHERE archived_at IS NULL;
CREATE INDEX accounts_region_idx ON accounts (tenant_id, region, sort_name, id) WHERE archived_at IS NULL;
CREATE INDEX accounts_segment_idx ON accounts (tenant_id, segment, sort_name, id) WHERE archived_at IS NULL;
CREATE INDEX accounts_status_idx ON accounts (tenant_id, status, sort_name, id) WHERE archived_at IS NULL;
CREATE INDEX accounts_key_status_idx ON accounts (tenant_id, key_status, sort_name, id) WHERE archived_at IS NULL;
CREATE INDEX accounts_kam_idx ON accounts (tenant_id, kam_user_id, sort_name, id) WHERE archived_at IS NULL;
CREATE INDEX accounts_archived_name_idx ON accounts (tenant_id, sort_name, id) WHERE archived_at IS NOT NULL;
--    The audit log pages newest first by (at, id); its date range, entity
--    and actor filters each have an index in that order.
CREATE INDEX audit_events_at_idx ON audit_events (tenant_id, at, id);
CREATE INDEX audit_events_entity_at_idx ON audit_events (tenant_id, entity, at, id);
CREATE INDEX audit_events_actor_at_idx ON audit_events (tenant_id, actor_id, at, id);

-- The ranking row follows its account: headroom is potential - the one
-- revenue; name, archive flag, KAM, segment and key status are copied for
-- the indexes above. (A same-tenant, same-row trigger, as before.)
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION account_rankings_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE account_rankings
    SET headroom = (NEW.revenue_potential * 100)::bigint - NEW.revenue_cents,
        sort_name = lower(NEW.name),
        archived = NEW.archived_at IS NOT NULL,
        kam_user_id = NEW.kam_user_id,
        segment = NEW.segment,
        key_status = NEW.key_status
    WHERE tenant_id = NEW.tenant_id AND account_id = NEW.id;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
DROP TRIGGER account_rankings_sync ON accounts;
CREATE TRIGGER account_rankings_sync
    AFTER UPDATE OF name, annual_revenue, revenue_potential, revenue_recorded, archived_at, kam_user_id, segment, key_status
    ON accounts FOR EACH ROW EXECUTE FUNCTION account_rankings_sync();

-- Backfill every tenant, as the owner: lift FORCE for the owner while it
-- runs (a non-superuser owner is otherwise subject to row-level security
-- and would see no rows).
ALTER TABLE accounts NO FORCE ROW LEVEL SECURITY;
ALTER TABLE kpi_figures NO FORCE ROW LEVEL SECURITY;
ALTER TABLE account_rankings NO FORCE ROW LEVEL SECURITY;
ALTER TABLE revenue_windows NO FORCE ROW LEVEL SECURITY;
ALTER TABLE account_tallies NO FORCE ROW LEVEL SECURITY;

INSERT INTO revenue_windows (tenant_id, through)
SELECT id, (date_trunc('month', now()) - interval '1 month')::date FROM tenants;
UPDATE accounts a SET revenue_recorded = s.total
FROM (SELECT f.tenant_id, f.account_id, sum(f.revenue) AS total
      FROM kpi_figures f JOIN revenue_windows w ON w.tenant_id = f.tenant_id
      WHERE f.month BETWEEN (w.through - interval '11 months')::date AND w.through
      GROUP BY f.tenant_id, f.account_id) s
WHERE a.tenant_id = s.tenant_id AND a.id = s.account_id;
UPDATE account_rankings r SET headroom = (a.revenue_potential * 100)::bigint - a.revenue_cents,
    kam_user_id = a.kam_user_id, segment = a.segment, key_status = a.key_status
FROM accounts a WHERE a.tenant_id = r.tenant_id AND a.id = r.account_id;

INSERT INTO account_tallies (tenant_id, dim, value, accounts, ranked, complete, key_accounts, from_figures,
    revenue, key_revenue, annual_revenue, potential, headroom)
SELECT a.tenant_id, d.dim, d.value, count(*), count(r.account_id), count(*) FILTER (WHERE r.complete),
    count(*) FILTER (WHERE a.key_status = 'key'), count(*) FILTER (WHERE a.revenue_recorded IS NOT NULL),
    sum(a.revenue_cents), coalesce(sum(a.revenue_cents) FILTER (WHERE a.key_status = 'key'), 0),
    sum((a.annual_revenue * 100)::bigint), sum((a.revenue_potential * 100)::bigint),
    sum(greatest((a.revenue_potential * 100)::bigint - a.revenue_cents, 0))
FROM accounts a
LEFT JOIN account_rankings r ON r.tenant_id = a.tenant_id AND r.account_id = a.id
CROSS JOIN LATERAL (VALUES
    (CASE WHEN a.archived_at IS NULL THEN 'all' ELSE 'archived' END, ''),
    ('industry', a.industry), ('region', a.region), ('segment', a.segment), ('status', a.status),
    ('key_status', a.key_status), ('kam', coalesce(a.kam_user_id::text, '')), ('rank', r.rank_key1::text)) AS d (dim, value)
WHERE (a.archived_at IS NULL OR d.dim = 'archived') AND (d.dim <> 'rank' OR r.account_id IS NOT NULL)
GROUP BY a.tenant_id, d.dim, d.value;

ALTER TABLE accounts FORCE ROW LEVEL SECURITY;
ALTER TABLE kpi_figures FORCE ROW LEVEL SECURITY;
ALTER TABLE account_rankings FORCE ROW LEVEL SECURITY;
ALTER TABLE revenue_windows FORCE ROW LEVEL SECURITY;
ALTER TABLE account_tallies FORCE ROW LEVEL SECURITY;

-- +goose Down
-- One object per DROP: Citus refuses to drop several distributed objects
-- in one command (edited after landing for Citus; same effect).
DROP TRIGGER account_rankings_sync ON accounts;
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION account_rankings_sync() RETURNS trigger LANGUAGE plpgsql AS $$
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
DROP INDEX audit_events_at_idx;
DROP INDEX audit_events_entity_at_idx;
DROP INDEX audit_events_actor_at_idx;
DROP INDEX accounts_archived_name_idx;
DROP INDEX accounts_industry_idx;
DROP INDEX accounts_region_idx;
DROP INDEX accounts_segment_idx;
DROP INDEX accounts_status_idx;
DROP INDEX accounts_key_status_idx;
DROP INDEX accounts_kam_idx;
DROP INDEX accounts_sort_name_idx;
CREATE INDEX accounts_industry_idx ON accounts (tenant_id, industry);
CREATE INDEX accounts_region_idx ON accounts (tenant_id, region);
CREATE INDEX accounts_segment_idx ON accounts (tenant_id, segment);
CREATE INDEX accounts_status_idx ON accounts (tenant_id, status);
CREATE INDEX accounts_key_status_idx ON accounts (tenant_id, key_status);
CREATE INDEX accounts_kam_idx ON accounts (tenant_id, kam_user_id);
DROP INDEX account_rankings_order_idx;
DROP INDEX account_rankings_incomplete_idx;
ALTER TABLE account_rankings DROP COLUMN kam_user_id, DROP COLUMN segment, DROP COLUMN key_status,
    DROP COLUMN rank_key1, DROP COLUMN rank_key2;
CREATE INDEX account_rankings_order_idx ON account_rankings
    (tenant_id, complete DESC, score10 DESC, headroom DESC, sort_name, account_id) WHERE NOT archived;
DROP TABLE account_tallies;
DROP TABLE revenue_windows;
ALTER TABLE accounts DROP COLUMN revenue_cents, DROP COLUMN sort_name, DROP COLUMN revenue_recorded;
