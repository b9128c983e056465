-- +goose Up
-- The dashboards read the programme's accounts by key status, archived
-- ones included (their history counts in retention): the key status index
-- of 00012 was partial (active accounts only), so that read scanned every
-- account. Over all accounts it serves both that read and the account
-- list's key status filter (which skips the few archived ones).
DROP INDEX accounts_key_status_idx;
CREATE INDEX accounts_key_status_idx ON accounts (tenant_id, key_status, sort_name, id);

-- +goose Down
DROP INDEX accounts_key_status_idx;
CREATE INDEX accounts_key_status_idx ON accounts (tenant_id, key_status, sort_name, id) WHERE archived_at IS NULL;
