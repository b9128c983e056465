-- Throttles by source IP and by account with exponential backoff (issue 13,
-- hole 5), replacing the per-email login_attempts log. Global (keys are
-- known before any tenant is), outside RLS like sessions.
-- +goose Up
CREATE TABLE throttles (
    kind          text NOT NULL,
    key           text NOT NULL CHECK (length(key) <= 300),
    hits          integer NOT NULL,
    last_at       timestamptz NOT NULL,
    blocked_until timestamptz NOT NULL,
    PRIMARY KEY (kind, key)
);
CREATE INDEX throttles_last_at_idx ON throttles (last_at);
GRANT SELECT, INSERT, UPDATE, DELETE ON throttles TO pareto_app;
DROP TABLE login_attempts;

-- +goose Down
DROP TABLE throttles;
CREATE TABLE login_attempts (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email     citext NOT NULL,
    ip        text NOT NULL DEFAULT '',
    succeeded boolean NOT NULL,
    at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_attempts_email_idx ON login_attempts (email, at);
GRANT SELECT, INSERT, UPDATE, DELETE ON login_attempts TO pareto_app;
