-- Background jobs: each has a unique key, so scheduling the same work twice is one job, and a job
-- that has run is never armed again. Claimed in the transaction that runs it.
CREATE TABLE jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    queue TEXT NOT NULL,
    subject TEXT NOT NULL,
    job_key TEXT NOT NULL,
    payload TEXT NOT NULL,
    run_at BIGINT NOT NULL,
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT jobs_key_key UNIQUE (job_key)
);
CREATE INDEX jobs_due_idx ON jobs (state, run_at, id);
CREATE INDEX jobs_subject_idx ON jobs (subject, state);

-- In-app notifications (email comes later).
CREATE TABLE notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users (id),
    record_kind TEXT NOT NULL,
    record_id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    message TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    read_at BIGINT
);
CREATE INDEX notifications_user_idx ON notifications (user_id, id);
