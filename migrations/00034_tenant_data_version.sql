-- +goose Up
-- The tenant's data version (issue 19): db.DB.Tx adds one to it just before
-- the COMMIT of every transaction that wrote, so a request that reads
-- version v in its transaction sees every write up to v, and a part of a
-- page kept in a server's memory under (tenant, v) is exactly what that
-- request would read (db.Kept). A column of tenants rather than a table of
-- its own: every tenant has it from its INSERT (signup, tests) with no
-- backfill and no second place creating rows, under the tenants table's
-- row-level security and Citus placement (distributed on id, so the bump
-- is one shard's row). The application role's UPDATE on tenants covers it.
ALTER TABLE tenants ADD COLUMN data_version bigint NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE tenants DROP COLUMN data_version;
