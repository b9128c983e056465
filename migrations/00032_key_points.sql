-- +goose Up
-- The 2×2 reads its key accounts from their ranking rows alone (issue 19).
-- It joined each key account's ranking row and health row (two index probes
-- per account, ~400 buffer hits a page for 50 key accounts, 0.4–0.8 ms of
-- PostgreSQL's ~1.2 ms per GET /shortlist). The ranking row already keeps
-- the key status, KAM, score, completeness, sort name and archive flag; it
-- now also keeps the account's name (set with the sort name by the ranking
-- trigger on rename, and by the re-rank) and its health score (written by
-- the health refresh in the same transaction as account_health, and by the
-- re-rank). account_rankings_key_points_idx gives the key accounts in name
-- order. Neither new column is indexed, so a health write stays a HOT update.
-- TestTalliesKeptUnderRandomWrites checks the kept columns against a join.
ALTER TABLE account_rankings ADD COLUMN name text NOT NULL DEFAULT '';
ALTER TABLE account_rankings ADD COLUMN health smallint;

-- Backfill as the owner: lift FORCE while it runs (the owner is otherwise
-- subject to row-level security and would see no rows).
ALTER TABLE account_rankings NO FORCE ROW LEVEL SECURITY;
ALTER TABLE accounts NO FORCE ROW LEVEL SECURITY;
ALTER TABLE account_health NO FORCE ROW LEVEL SECURITY;
UPDATE account_rankings r SET name = a.name
FROM accounts a WHERE a.tenant_id = r.tenant_id AND a.id = r.account_id;
UPDATE account_rankings r SET health = h.score
FROM account_health h WHERE h.tenant_id = r.tenant_id AND h.account_id = r.account_id AND h.score IS NOT NULL;
ALTER TABLE account_rankings FORCE ROW LEVEL SECURITY;
ALTER TABLE accounts FORCE ROW LEVEL SECURITY;
ALTER TABLE account_health FORCE ROW LEVEL SECURITY;

CREATE INDEX account_rankings_key_points_idx ON account_rankings (tenant_id, sort_name, account_id)
    WHERE key_status = 'key' AND NOT archived;

-- The ranking trigger copies the name with the sort name (same tenant, same
-- account: co-located rows, as before; it already fires on a rename).
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION account_rankings_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE account_rankings
    SET headroom = (NEW.revenue_potential * 100)::bigint - NEW.revenue_cents,
        name = NEW.name,
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
    IF NEW.name IS DISTINCT FROM OLD.name THEN
        UPDATE account_scores SET sort_name = lower(NEW.name)
        WHERE tenant_id = NEW.tenant_id AND account_id = NEW.id;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
DROP INDEX account_rankings_key_points_idx;
ALTER TABLE account_rankings DROP COLUMN health;
ALTER TABLE account_rankings DROP COLUMN name;
