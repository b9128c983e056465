-- +goose Up
-- Global search (issue 17). Under row-level security only leakproof
-- operators become index conditions: ILIKE, pg_trgm's and full-text
-- search's are not, text comparisons and starts_with are. So names are
-- searched by their start on a stored lowercase name, as accounts already
-- are (accounts.sort_name, accounts_sort_name_idx from 00012); this adds
-- the same to stakeholders. Products (a small catalogue) need no index.
ALTER TABLE stakeholders ADD COLUMN sort_name text GENERATED ALWAYS AS (lower(name)) STORED;
CREATE INDEX stakeholders_sort_name_idx ON stakeholders (tenant_id, sort_name, id);

-- +goose Down
DROP INDEX IF EXISTS stakeholders_sort_name_idx;
ALTER TABLE stakeholders DROP COLUMN IF EXISTS sort_name;
