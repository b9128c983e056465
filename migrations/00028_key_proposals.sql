-- +goose Up
-- A leader proposes an account as a key candidate outside a review (issue
-- 17). The proposal waits for the next review started, which lists the
-- account (scored or not) marked with who proposed it and when; it is
-- closed when that review decides the account, or withdrawn before a
-- review takes it up. At most one open proposal per account.
-- Tenant-owned: tenant_id first in every key, foreign keys with
-- tenant_id, RLS forced.
CREATE TABLE key_proposals (
    tenant_id   uuid NOT NULL DEFAULT app_tenant() REFERENCES tenants (id) ON DELETE CASCADE,
    id          uuid NOT NULL DEFAULT gen_random_uuid(),
    account_id  uuid NOT NULL,
    reason      text NOT NULL DEFAULT '' CHECK (length(reason) <= 2000),
    proposed_by uuid NULL REFERENCES users (id),
    proposed_at timestamptz NOT NULL,
    state       text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'withdrawn', 'decided')),
    -- The review that took the proposal up (set when it starts).
    review_id   uuid NULL,
    closed_by   uuid NULL REFERENCES users (id),
    closed_at   timestamptz NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, review_id) REFERENCES scoring_reviews (tenant_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX key_proposals_open_key ON key_proposals (tenant_id, account_id) WHERE state = 'open';
CREATE INDEX key_proposals_review_idx ON key_proposals (tenant_id, review_id) WHERE review_id IS NOT NULL;

ALTER TABLE key_proposals ENABLE ROW LEVEL SECURITY;
ALTER TABLE key_proposals FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON key_proposals
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());
GRANT SELECT, INSERT, UPDATE ON key_proposals TO pareto_app;

-- A review entry remembers the proposal that brought the account in,
-- frozen like the rest of the entry. A proposed account without a score
-- enters the review unscored (score10 0, scored 0).
ALTER TABLE review_entries ADD COLUMN proposed_by text NOT NULL DEFAULT '';
ALTER TABLE review_entries ADD COLUMN proposed_at timestamptz NULL;
ALTER TABLE review_entries ADD COLUMN proposal_reason text NOT NULL DEFAULT '';
ALTER TABLE review_entries DROP CONSTRAINT review_entries_score10_check;
ALTER TABLE review_entries ADD CONSTRAINT review_entries_score10_check
    CHECK (score10 BETWEEN 10 AND 100 OR (score10 = 0 AND scored = 0));

-- +goose Down
DELETE FROM review_entries WHERE score10 = 0;
ALTER TABLE review_entries DROP CONSTRAINT review_entries_score10_check;
ALTER TABLE review_entries ADD CONSTRAINT review_entries_score10_check CHECK (score10 BETWEEN 10 AND 100);
ALTER TABLE review_entries DROP COLUMN proposal_reason;
ALTER TABLE review_entries DROP COLUMN proposed_at;
ALTER TABLE review_entries DROP COLUMN proposed_by;
DROP TABLE key_proposals;
