-- +goose Up
-- The audit log filters by record (issue 17: a record's history, or the
-- records a name finds): newest first per record, like the entity and
-- actor filters of 00012.
CREATE INDEX audit_events_record_at_idx ON audit_events (tenant_id, entity_id, at, id);

-- +goose Down
DROP INDEX audit_events_record_at_idx;
