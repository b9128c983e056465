-- +goose Up
-- The scoring matrix sorts by any criterion, by total and by coverage
-- (issue 17), in keyset pages with ties broken by name then id:
--
-- * by a criterion: the cells of that criterion in score order, then name.
--   A cell carries its account's sort name (lower(name), kept by the
--   store on save and by the ranking trigger on rename) so one index walk
--   gives the order: account_scores_sort_idx.
-- * by total and by coverage: the ranking rows (score10, scored) in that
--   order, then name: account_rankings_score_idx and
--   account_rankings_scored_idx.
--
-- Accounts without a cell (or without any) follow, by name, from the
-- accounts' name index (an anti-join, as the "unscored" filter).
ALTER TABLE account_scores ADD COLUMN sort_name text COLLATE "C";

-- Backfill as the owner: lift FORCE while it runs (the owner is otherwise
-- subject to row-level security and would see no rows).
ALTER TABLE account_scores NO FORCE ROW LEVEL SECURITY;
ALTER TABLE accounts NO FORCE ROW LEVEL SECURITY;
UPDATE account_scores s SET sort_name = lower(a.name)
FROM accounts a WHERE a.tenant_id = s.tenant_id AND a.id = s.account_id;
ALTER TABLE account_scores FORCE ROW LEVEL SECURITY;
ALTER TABLE accounts FORCE ROW LEVEL SECURITY;

ALTER TABLE account_scores ALTER COLUMN sort_name SET NOT NULL;
CREATE INDEX account_scores_sort_idx ON account_scores (tenant_id, criterion_id, score, sort_name, account_id);
CREATE INDEX account_rankings_score_idx ON account_rankings (tenant_id, score10, sort_name, account_id) WHERE NOT archived;
CREATE INDEX account_rankings_scored_idx ON account_rankings (tenant_id, scored, sort_name, account_id) WHERE NOT archived;

-- The ranking trigger also renames the account's cells (same tenant, same
-- account: co-located rows, as before), only when the name changed.
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
    IF NEW.name IS DISTINCT FROM OLD.name THEN
        UPDATE account_scores SET sort_name = lower(NEW.name)
        WHERE tenant_id = NEW.tenant_id AND account_id = NEW.id;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose Down
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
DROP INDEX account_rankings_scored_idx;
DROP INDEX account_rankings_score_idx;
DROP INDEX account_scores_sort_idx;
ALTER TABLE account_scores DROP COLUMN sort_name;
