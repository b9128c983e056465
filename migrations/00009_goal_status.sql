-- +goose Up
-- Goal status is derived (issue 14): from a goal's progress against the
-- time elapsed between its plan's start and its due date, with a tolerance
-- per tenant (plan.DeriveStatus). What a person types is no longer the
-- status but an override with a required reason, shown beside the derived
-- status and audited. The statuses typed before were often wrong (a goal at
-- 88 % "off track", an overdue one "on track"), so they are not carried
-- over as overrides; the audit log keeps them.

-- Points of progress a goal may lag the linear expectation and still be on
-- track (twice that: at risk; more: off track).
ALTER TABLE plan_settings ADD COLUMN goal_tolerance smallint NOT NULL DEFAULT 10;
ALTER TABLE plan_settings ADD CONSTRAINT plan_settings_goal_tolerance_check CHECK (goal_tolerance BETWEEN 1 AND 50);

-- One ALTER per change: Citus refuses ADD CONSTRAINT beside other subcommands.
ALTER TABLE plan_goals ADD COLUMN status_override text NULL;
ALTER TABLE plan_goals ADD COLUMN override_reason text NOT NULL DEFAULT '';
ALTER TABLE plan_goals ADD COLUMN override_by uuid NULL REFERENCES users (id);
ALTER TABLE plan_goals ADD COLUMN override_at timestamptz NULL;
ALTER TABLE plan_goals ADD CONSTRAINT plan_goals_status_override_check
    CHECK (status_override IN ('achieved', 'on_track', 'at_risk', 'off_track', 'overdue'));
ALTER TABLE plan_goals ADD CONSTRAINT plan_goals_override_reason_check
    CHECK ((status_override IS NULL) = (override_reason = '') AND length(override_reason) <= 2000);
ALTER TABLE plan_goals DROP COLUMN status;

-- +goose Down
ALTER TABLE plan_goals ADD COLUMN status text NOT NULL DEFAULT 'on_track';
ALTER TABLE plan_goals ADD CONSTRAINT plan_goals_status_check CHECK (status IN ('on_track', 'at_risk', 'off_track', 'achieved'));
ALTER TABLE plan_goals DROP COLUMN status_override;
ALTER TABLE plan_goals DROP COLUMN override_reason;
ALTER TABLE plan_goals DROP COLUMN override_by;
ALTER TABLE plan_goals DROP COLUMN override_at;
ALTER TABLE plan_settings DROP COLUMN goal_tolerance;
