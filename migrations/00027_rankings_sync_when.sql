-- +goose Up
-- account_rankings_sync copies an account's name, revenue, potential,
-- archive flag, KAM, segment and key status into its ranking row. It fired
-- for every row an UPDATE named one of those columns, changed or not: an
-- import's UPDATE sets every mapped column, so re-importing 200,000
-- accounts to change their notes ran it 200,000 times (a PL/pgSQL call and
-- an UPDATE of the ranking row each, new row versions included). The WHEN
-- condition, evaluated without calling the function, lets it run only for
-- rows where one of them changed. (The same same-tenant, same-row trigger;
-- revenue_cents is generated from revenue_recorded and annual_revenue,
-- which are compared.)
DROP TRIGGER account_rankings_sync ON accounts;
CREATE TRIGGER account_rankings_sync
    AFTER UPDATE OF name, annual_revenue, revenue_potential, revenue_recorded, archived_at, kam_user_id, segment, key_status
    ON accounts FOR EACH ROW
    WHEN (OLD.name IS DISTINCT FROM NEW.name
        OR OLD.annual_revenue IS DISTINCT FROM NEW.annual_revenue
        OR OLD.revenue_potential IS DISTINCT FROM NEW.revenue_potential
        OR OLD.revenue_recorded IS DISTINCT FROM NEW.revenue_recorded
        OR OLD.archived_at IS DISTINCT FROM NEW.archived_at
        OR OLD.kam_user_id IS DISTINCT FROM NEW.kam_user_id
        OR OLD.segment IS DISTINCT FROM NEW.segment
        OR OLD.key_status IS DISTINCT FROM NEW.key_status)
    EXECUTE FUNCTION account_rankings_sync();

-- +goose Down
DROP TRIGGER account_rankings_sync ON accounts;
CREATE TRIGGER account_rankings_sync
    AFTER UPDATE OF name, annual_revenue, revenue_potential, revenue_recorded, archived_at, kam_user_id, segment, key_status
    ON accounts FOR EACH ROW EXECUTE FUNCTION account_rankings_sync();
