-- +goose Up
-- In-app notifications and the weekly email digest (issue 18;
-- internal/notify, docs/notifications.md). Tenant-owned: tenant_id first
-- in every key, foreign keys with tenant_id, RLS forced, no triggers.

-- One row per event and person. The unique key is the event: who, what
-- kind, which record, and the period that makes it one occurrence (an
-- action's due date, the day a warning came into force, the day a goal
-- turned): writers insert with ON CONFLICT DO NOTHING, so the same event
-- never notifies twice, whichever write or daily run finds it first.
CREATE TABLE notifications (
    tenant_id  uuid NOT NULL DEFAULT app_tenant() REFERENCES tenants (id) ON DELETE CASCADE,
    id         uuid NOT NULL DEFAULT gen_random_uuid(),
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       text NOT NULL CHECK (kind IN ('action_due', 'action_overdue', 'risk', 'review_due', 'goal_status',
                   'assigned', 'team_added')),
    record_id  uuid NOT NULL,
    period     text NOT NULL CHECK (length(period) <= 100),
    account_id uuid NULL,
    title      text NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
    link       text NOT NULL CHECK (link LIKE '/%' AND length(link) <= 500),
    created_at timestamptz NOT NULL,
    read_at    timestamptz NULL,
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT notifications_event_key UNIQUE (tenant_id, user_id, kind, record_id, period),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id) ON DELETE CASCADE
);
-- A person's list, newest first, keyset-paged.
CREATE INDEX notifications_user_idx ON notifications (tenant_id, user_id, created_at DESC, id DESC);
-- The bell's count and the digest read only the person's unread rows.
CREATE INDEX notifications_unread_idx ON notifications (tenant_id, user_id, created_at DESC, id DESC) WHERE read_at IS NULL;

-- A person's notification settings in a tenant; no row means the
-- defaults (digest on). digest_week is the ISO week ("2026-W49") of the
-- last digest sent: at most one a week.
CREATE TABLE notification_settings (
    tenant_id      uuid NOT NULL DEFAULT app_tenant() REFERENCES tenants (id) ON DELETE CASCADE,
    user_id        uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    digest         boolean NOT NULL DEFAULT true,
    digest_week    text NULL CHECK (digest_week ~ '^[0-9]{4}-W[0-9]{2}$'),
    digest_sent_at timestamptz NULL,
    updated_at     timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, user_id)
);

-- The status each open goal last showed (its override, else its derived
-- status), so the keeper sees a goal turn at risk or off track once.
CREATE TABLE goal_status_seen (
    tenant_id uuid NOT NULL DEFAULT app_tenant() REFERENCES tenants (id) ON DELETE CASCADE,
    goal_id   uuid NOT NULL,
    status    text NOT NULL,
    seen_on   date NOT NULL,
    PRIMARY KEY (tenant_id, goal_id),
    FOREIGN KEY (tenant_id, goal_id) REFERENCES plan_goals (tenant_id, id) ON DELETE CASCADE
);

ALTER TABLE notifications ENABLE ROW LEVEL SECURITY;
ALTER TABLE notifications FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON notifications
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

ALTER TABLE notification_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE notification_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON notification_settings
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

ALTER TABLE goal_status_seen ENABLE ROW LEVEL SECURITY;
ALTER TABLE goal_status_seen FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON goal_status_seen
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

GRANT SELECT, INSERT, UPDATE, DELETE ON notifications, notification_settings, goal_status_seen TO pareto_app;

-- +goose Down
DROP TABLE goal_status_seen, notification_settings, notifications;
