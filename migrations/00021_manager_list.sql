-- +goose Up
-- "My accounts" pages the accounts a person looks after as account
-- manager by name (keyset on sort_name, id): an index that leads with the
-- manager and holds the order, so a page walks from its cursor whatever
-- the number of accounts. It replaces the plain (tenant_id,
-- manager_user_id) one, which it covers.
CREATE INDEX accounts_manager_list_idx ON accounts (tenant_id, manager_user_id, sort_name, id)
    WHERE manager_user_id IS NOT NULL AND archived_at IS NULL;
DROP INDEX accounts_manager_idx;

-- +goose Down
CREATE INDEX accounts_manager_idx ON accounts (tenant_id, manager_user_id) WHERE manager_user_id IS NOT NULL;
DROP INDEX accounts_manager_list_idx;
