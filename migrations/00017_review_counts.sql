-- +goose Up
-- A review copies the whole ranking (200,000 entries at 200,000 accounts),
-- and its page and the reviews list counted those entries on every view
-- (issue 19). The counts are now kept on the review by the writes that
-- change them, in their own transaction (StartReview: entries; Decide:
-- decided and designated), and a review's entries are keyset-paged by rank.
ALTER TABLE scoring_reviews ADD COLUMN entries integer NOT NULL DEFAULT 0;
ALTER TABLE scoring_reviews ADD COLUMN decided integer NOT NULL DEFAULT 0;
ALTER TABLE scoring_reviews ADD COLUMN designated integer NOT NULL DEFAULT 0;

-- Backfill as the owner: lift FORCE for the owner while it runs.
ALTER TABLE scoring_reviews NO FORCE ROW LEVEL SECURITY;
ALTER TABLE review_entries NO FORCE ROW LEVEL SECURITY;
UPDATE scoring_reviews r SET entries = c.entries, decided = c.decided, designated = c.designated
FROM (SELECT e.tenant_id, e.review_id, count(*)::int AS entries, count(e.decision)::int AS decided,
        (count(*) FILTER (WHERE e.decision = 'key'))::int AS designated
      FROM review_entries e GROUP BY e.tenant_id, e.review_id) c
WHERE c.tenant_id = r.tenant_id AND c.review_id = r.id;
ALTER TABLE scoring_reviews FORCE ROW LEVEL SECURITY;
ALTER TABLE review_entries FORCE ROW LEVEL SECURITY;

-- A review's entries with one decision, in rank order (its Key, Watch and
-- Declined tabs; the others walk review_entries_rank_key).
CREATE INDEX review_entries_decision_idx ON review_entries (tenant_id, review_id, decision, rank) WHERE decision IS NOT NULL;

-- +goose Down
DROP INDEX review_entries_decision_idx;
ALTER TABLE scoring_reviews DROP COLUMN designated;
ALTER TABLE scoring_reviews DROP COLUMN decided;
ALTER TABLE scoring_reviews DROP COLUMN entries;
