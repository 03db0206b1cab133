-- Queues read one state at a time in order of SLA due or priority (the open states merged
-- afterwards), for everyone, one assignee or the unassigned: each an index range, however many
-- tickets are closed.
CREATE INDEX incidents_status_due_idx ON incidents (status, sla_due_at, id);
CREATE INDEX incidents_assignee_due_idx ON incidents (assignee_id, status, sla_due_at, id);
CREATE INDEX requests_status_due_idx ON requests (status, sla_due_at, id);
CREATE INDEX requests_assignee_due_idx ON requests (assignee_id, status, sla_due_at, id);
CREATE INDEX incidents_status_priority_idx ON incidents (status, priority, id);
CREATE INDEX requests_status_priority_idx ON requests (status, priority, id);
