-- When the first running service level clock of a ticket runs out (microseconds), kept by the
-- store whenever a ticket's clocks are written; 9223372036854775807 (the largest BIGINT) when no
-- clock is running, so that a queue sorted by it lists those last on both backends.
ALTER TABLE incidents ADD COLUMN sla_due_at BIGINT NOT NULL DEFAULT 9223372036854775807;
ALTER TABLE requests ADD COLUMN sla_due_at BIGINT NOT NULL DEFAULT 9223372036854775807;

UPDATE incidents SET sla_due_at = COALESCE((SELECT MIN(c.due_at) FROM sla_clocks c
    WHERE c.record_kind = 'incident' AND c.record_id = incidents.id AND c.outcome IS NULL AND c.due_at IS NOT NULL),
    9223372036854775807);
UPDATE requests SET sla_due_at = COALESCE((SELECT MIN(c.due_at) FROM sla_clocks c
    WHERE c.record_kind = 'request' AND c.record_id = requests.id AND c.outcome IS NULL AND c.due_at IS NOT NULL),
    9223372036854775807);

-- A team's queue by status, most urgent first; and every ticket by urgency.
CREATE INDEX incidents_queue_idx ON incidents (team_id, status, sla_due_at, id);
CREATE INDEX incidents_sla_due_idx ON incidents (sla_due_at, id);
CREATE INDEX requests_queue_idx ON requests (team_id, status, sla_due_at, id);
CREATE INDEX requests_sla_due_idx ON requests (sla_due_at, id);
