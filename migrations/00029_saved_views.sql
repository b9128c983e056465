-- +goose Up
-- Saved views (issue 17): a person's own filters and sort of a list page,
-- kept under a name as the page's query. Tenant-owned like every table
-- (tenant_id first in the key, the membership as foreign key, distributed
-- by tenant on Citus); the policy also checks the person, so a member sees
-- only their own views (app_user(), set with SET LOCAL like the tenant; no
-- sub-select).
CREATE TABLE saved_views (
    tenant_id  uuid NOT NULL DEFAULT app_tenant() REFERENCES tenants (id) ON DELETE CASCADE,
    id         uuid NOT NULL DEFAULT gen_random_uuid(),
    user_id    uuid NOT NULL,
    page       text NOT NULL CHECK (length(page) BETWEEN 1 AND 40),
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 60),
    query      text NOT NULL CHECK (length(query) <= 2000),
    version    integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT saved_views_name_key UNIQUE (tenant_id, user_id, page, name),
    FOREIGN KEY (tenant_id, user_id) REFERENCES memberships (tenant_id, user_id) ON DELETE CASCADE
);

ALTER TABLE saved_views ENABLE ROW LEVEL SECURITY;
ALTER TABLE saved_views FORCE ROW LEVEL SECURITY;
CREATE POLICY own_views ON saved_views
    USING (tenant_id = app_tenant() AND user_id = app_user())
    WITH CHECK (tenant_id = app_tenant() AND user_id = app_user());

GRANT SELECT, INSERT, UPDATE, DELETE ON saved_views TO pareto_app;

-- +goose Down
DROP TABLE saved_views;
