-- +goose Up
-- "My accounts" pages the accounts a person looks after as account
-- manager by name (keyset on sort_name, id): an index that leads with the
-- manager and holds the order, so a page walks from its cursor whatever
-- the number of accounts. It replaces the plain (tenant_id,
-- manager_user_id) one, which it covers.
CREATE INDEX accounts_manager_list_idx ON accounts (tenant_id, manager_user_id, sort_name, id)
    WHERE manager_user_id IS NOT NULL AND archived_at IS NULL;
DROP INDEX accounts_manager_idx;

-- The risk list's counts, kept: how many warnings are in force per kind,
-- KAM (the nil uuid for none) and key or not, moved by every write of
-- account_risks (the health keeper, internal/health/keep.go) and counted
-- again by each tenant run. The list adds up a few of these rows instead
-- of counting the warnings on each view.
CREATE TABLE risk_tallies (
    tenant_id   uuid NOT NULL DEFAULT app_tenant() REFERENCES tenants (id) ON DELETE CASCADE,
    kind        text NOT NULL,
    kam_user_id uuid NOT NULL,
    is_key      boolean NOT NULL,
    n           integer NOT NULL,
    PRIMARY KEY (tenant_id, kind, kam_user_id, is_key)
);
ALTER TABLE risk_tallies ENABLE ROW LEVEL SECURITY;
ALTER TABLE risk_tallies FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON risk_tallies
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
GRANT SELECT, INSERT, UPDATE, DELETE ON risk_tallies TO pareto_app;
-- Backfilled as the owner, outside row-level security for the statement
-- (like 00017).
ALTER TABLE account_risks NO FORCE ROW LEVEL SECURITY;
ALTER TABLE risk_tallies NO FORCE ROW LEVEL SECURITY;
INSERT INTO risk_tallies (tenant_id, kind, kam_user_id, is_key, n)
    SELECT tenant_id, kind, coalesce(kam_user_id, '00000000-0000-0000-0000-000000000000'), key_status = 'key', count(*)
    FROM account_risks GROUP BY tenant_id, kind, coalesce(kam_user_id, '00000000-0000-0000-0000-000000000000'), key_status = 'key';
ALTER TABLE account_risks FORCE ROW LEVEL SECURITY;
ALTER TABLE risk_tallies FORCE ROW LEVEL SECURITY;

-- +goose Down
DROP TABLE risk_tallies;
CREATE INDEX accounts_manager_idx ON accounts (tenant_id, manager_user_id) WHERE manager_user_id IS NOT NULL;
DROP INDEX accounts_manager_list_idx;
