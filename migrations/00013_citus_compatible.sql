-- +goose Up
-- Makes the schema distributable on Citus (docs/scaling.md), which refuses
-- two constructs of the earlier migrations. Plain PostgreSQL behaves the
-- same before and after (the application does what the database did).

-- 1. Citus refuses sub-selects in row-level security policies, and the
-- tenants policy used one to show a person the tenants they belong to (the
-- switcher and login). The tenant's name now sits on each membership, so
-- that listing reads memberships alone, under their own_memberships policy,
-- and a tenants row is visible only inside its own tenant. Signup and
-- invitation acceptance write the name; a tenant rename must update
-- memberships.tenant_name in the same transaction.
ALTER TABLE memberships ADD COLUMN tenant_name text;
-- The owner is subject to the forced policies too: lift them for the copy.
ALTER TABLE memberships NO FORCE ROW LEVEL SECURITY;
ALTER TABLE tenants NO FORCE ROW LEVEL SECURITY;
UPDATE memberships m SET tenant_name = t.name FROM tenants t WHERE t.id = m.tenant_id;
ALTER TABLE memberships FORCE ROW LEVEL SECURITY;
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;
ALTER TABLE memberships ALTER COLUMN tenant_name SET NOT NULL,
    ADD CONSTRAINT memberships_tenant_name_check CHECK (length(tenant_name) BETWEEN 1 AND 200);
DROP POLICY tenant_self ON tenants;
CREATE POLICY tenant_self ON tenants USING (id = app_tenant());

-- 2. Citus refuses ON DELETE SET NULL (column) on a foreign key that holds
-- the distribution column (tenant_id). The application now clears the
-- reference before it deletes: a stakeholder's reports (DeleteStakeholder)
-- and a goal's actions (DeleteGoal). Reviews are never deleted but with
-- their tenant, which removes the status changes too. (One subcommand per
-- ALTER TABLE: Citus refuses ADD CONSTRAINT beside others.)
ALTER TABLE stakeholders DROP CONSTRAINT stakeholders_tenant_id_account_id_reports_to_id_fkey;
ALTER TABLE stakeholders ADD CONSTRAINT stakeholders_tenant_id_account_id_reports_to_id_fkey
    FOREIGN KEY (tenant_id, account_id, reports_to_id) REFERENCES stakeholders (tenant_id, account_id, id);
ALTER TABLE key_status_changes DROP CONSTRAINT key_status_changes_tenant_id_review_id_fkey;
ALTER TABLE key_status_changes ADD CONSTRAINT key_status_changes_tenant_id_review_id_fkey
    FOREIGN KEY (tenant_id, review_id) REFERENCES scoring_reviews (tenant_id, id);
ALTER TABLE plan_actions DROP CONSTRAINT plan_actions_tenant_id_plan_id_goal_id_fkey;
ALTER TABLE plan_actions ADD CONSTRAINT plan_actions_tenant_id_plan_id_goal_id_fkey
    FOREIGN KEY (tenant_id, plan_id, goal_id) REFERENCES plan_goals (tenant_id, plan_id, id);

-- +goose Down
-- On Citus the constructs of before cannot exist: the foreign keys and the
-- tenants policy stay as they are (the earlier migrations' Down drops them).
-- +goose StatementBegin
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') THEN
        RAISE NOTICE 'citus: keeping the Citus-compatible foreign keys and tenants policy';
        RETURN;
    END IF;
    ALTER TABLE plan_actions DROP CONSTRAINT plan_actions_tenant_id_plan_id_goal_id_fkey;
    ALTER TABLE plan_actions ADD CONSTRAINT plan_actions_tenant_id_plan_id_goal_id_fkey
        FOREIGN KEY (tenant_id, plan_id, goal_id) REFERENCES plan_goals (tenant_id, plan_id, id) ON DELETE SET NULL (goal_id);
    ALTER TABLE key_status_changes DROP CONSTRAINT key_status_changes_tenant_id_review_id_fkey;
    ALTER TABLE key_status_changes ADD CONSTRAINT key_status_changes_tenant_id_review_id_fkey
        FOREIGN KEY (tenant_id, review_id) REFERENCES scoring_reviews (tenant_id, id) ON DELETE SET NULL (review_id);
    ALTER TABLE stakeholders DROP CONSTRAINT stakeholders_tenant_id_account_id_reports_to_id_fkey;
    ALTER TABLE stakeholders ADD CONSTRAINT stakeholders_tenant_id_account_id_reports_to_id_fkey
        FOREIGN KEY (tenant_id, account_id, reports_to_id) REFERENCES stakeholders (tenant_id, account_id, id)
        ON DELETE SET NULL (reports_to_id);
    DROP POLICY tenant_self ON tenants;
    CREATE POLICY tenant_self ON tenants
        USING (id = app_tenant() OR id IN (SELECT m.tenant_id FROM memberships m WHERE m.user_id = app_user()));
END
$$;
-- +goose StatementEnd
ALTER TABLE memberships DROP COLUMN tenant_name;
