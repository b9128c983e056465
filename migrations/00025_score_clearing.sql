-- +goose Up
-- A matrix cell can be cleared back to unscored (issue 17); the history
-- keeps the clearing as a change to no score (new_score NULL).
ALTER TABLE score_changes ALTER COLUMN new_score DROP NOT NULL;

-- +goose Down
DELETE FROM score_changes WHERE new_score IS NULL;
ALTER TABLE score_changes ALTER COLUMN new_score SET NOT NULL;
