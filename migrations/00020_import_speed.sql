-- +goose Up
-- Every index of accounts is paid on each row an import writes (about
-- 4 µs a row each for a btree). Three served no query:
--   accounts_revenue_idx (annual_revenue): the list sorts revenue by
--     revenue_cents (accounts_revenue_cents_idx); nothing orders or
--     filters by annual_revenue.
--   accounts_headroom_idx (revenue_potential - annual_revenue): the list's
--     headroom is (revenue_potential * 100)::bigint - revenue_cents, an
--     expression this index does not match; nothing else uses it.
--   accounts_name_idx (lower(name)): the queries that ordered by
--     lower(a.name) now order by a.sort_name (the stored lower(name)),
--     which accounts_sort_name_idx, accounts_archived_name_idx and the
--     filter indexes (…, sort_name, id) serve: the key-account reads
--     (plans without a plan, whitespace, health matrix) now walk
--     accounts_key_status_idx in order instead of sorting or scanning the
--     tenant by name (EXPLAIN at 200,000 accounts in docs/performance.md).
DROP INDEX accounts_revenue_idx;
DROP INDEX accounts_headroom_idx;
DROP INDEX accounts_name_idx;

-- After a large import the planner's statistics of the table it wrote
-- are stale until autovacuum's next ANALYZE (a minute or more later):
-- the pages read right after a 200,000-row load are planned for an almost
-- empty tenant. Only the owner may ANALYZE, and the serving login owns
-- nothing, so the import calls this: ANALYZE of one table the serving
-- role may write (nothing else), as the owner.
-- +goose StatementBegin
CREATE FUNCTION app_analyze(tbl text) RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public AS $$
DECLARE
    rel regclass := to_regclass(quote_ident(tbl));
BEGIN
    IF rel IS NULL OR NOT has_table_privilege('pareto_app', rel, 'INSERT') THEN
        RAISE EXCEPTION 'app_analyze: % is not a table the application writes', tbl;
    END IF;
    EXECUTE format('ANALYZE %s', rel);
END
$$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION app_analyze(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_analyze(text) TO pareto_app;

-- +goose Down
DROP FUNCTION app_analyze(text);
CREATE INDEX accounts_name_idx ON accounts (tenant_id, lower(name), id);
CREATE INDEX accounts_revenue_idx ON accounts (tenant_id, annual_revenue, id);
CREATE INDEX accounts_headroom_idx ON accounts (tenant_id, (revenue_potential - annual_revenue), id);
