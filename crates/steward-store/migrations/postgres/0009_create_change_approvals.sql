-- Who is asked to approve each change, and what they decided.
CREATE TABLE change_approvals (
    change_id BIGINT NOT NULL REFERENCES changes (id),
    approver_id BIGINT NOT NULL REFERENCES users (id),
    role TEXT NOT NULL,
    decision TEXT NOT NULL,
    comment TEXT,
    decided_at BIGINT,
    CONSTRAINT change_approvals_pkey PRIMARY KEY (change_id, approver_id)
);
CREATE INDEX change_approvals_approver_idx ON change_approvals (approver_id, decision);
