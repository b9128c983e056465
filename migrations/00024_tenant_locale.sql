-- +goose Up
-- How the tenant writes numbers and dates for people (issue 17): "en"
-- (1,250,000.50, 2027-03-31) or "de" (1.250.000,50, 31.03.2027). CSV
-- exports and the API stay machine-readable whatever it says. version
-- guards the admin's settings form against a stale save. The check is
-- added apart from the column: Citus refuses ADD COLUMN with a constraint
-- on a distributed table ("cannot execute ADD COLUMN command with PRIMARY
-- KEY, UNIQUE, FOREIGN and CHECK constraints"), which an upgrade of a
-- running cluster would have hit.
ALTER TABLE tenants ADD COLUMN locale text NOT NULL DEFAULT 'en';
ALTER TABLE tenants ADD CONSTRAINT tenants_locale_check CHECK (locale IN ('en', 'de'));
ALTER TABLE tenants ADD COLUMN version integer NOT NULL DEFAULT 1;

-- +goose Down
ALTER TABLE tenants DROP COLUMN version;
ALTER TABLE tenants DROP COLUMN locale;
