-- +goose Up
-- The shortlist's rows read from their ranking rows alone (issue 19). The
-- first page joined each of its 51 ranking rows to its account (an index
-- probe each: 204 of the read's ~280 buffer hits) only for the revenue and
-- whether it comes from recorded figures: the name, key status, KAM and
-- headroom were already kept there (the potential is headroom + revenue).
-- The ranking row now keeps both, set by the ranking trigger (which already
-- fires when the annual revenue, the recorded revenue or the potential
-- change: revenue_cents is generated from them) and by the re-rank. The
-- shortlist LEFT JOINs the account, which PostgreSQL leaves out of the plan
-- unless a filter or a sort names one of its columns. Neither column is
-- indexed. TestTalliesKeptUnderRandomWrites checks the kept columns
-- against the accounts after every random write.
ALTER TABLE account_rankings ADD COLUMN revenue_cents bigint NOT NULL DEFAULT 0;
ALTER TABLE account_rankings ADD COLUMN from_figures boolean NOT NULL DEFAULT false;

-- Backfill as the owner: lift FORCE while it runs (the owner is otherwise
-- subject to row-level security and would see no rows). One UPDATE, so one
-- new version of each ranking row.
ALTER TABLE account_rankings NO FORCE ROW LEVEL SECURITY;
ALTER TABLE accounts NO FORCE ROW LEVEL SECURITY;
UPDATE account_rankings r SET revenue_cents = a.revenue_cents, from_figures = a.revenue_recorded IS NOT NULL
FROM accounts a WHERE a.tenant_id = r.tenant_id AND a.id = r.account_id;
ALTER TABLE account_rankings FORCE ROW LEVEL SECURITY;
ALTER TABLE accounts FORCE ROW LEVEL SECURITY;

-- The ranking trigger copies them with the headroom (same tenant, same
-- account: co-located rows, as before).
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION account_rankings_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE account_rankings
    SET headroom = (NEW.revenue_potential * 100)::bigint - NEW.revenue_cents,
        revenue_cents = NEW.revenue_cents,
        from_figures = NEW.revenue_recorded IS NOT NULL,
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
ALTER TABLE account_rankings DROP COLUMN from_figures;
ALTER TABLE account_rankings DROP COLUMN revenue_cents;
