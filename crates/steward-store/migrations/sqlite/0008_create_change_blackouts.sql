-- Windows in which changes are not to be made, for every service or one.
CREATE TABLE change_blackouts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    service_id BIGINT REFERENCES services (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX change_blackouts_window_idx ON change_blackouts (starts_at, ends_at);
CREATE INDEX change_blackouts_updated_idx ON change_blackouts (updated_at, id);
CREATE INDEX change_blackouts_created_idx ON change_blackouts (created_at, id);
CREATE INDEX changes_window_idx ON changes (status, planned_start, planned_end);
