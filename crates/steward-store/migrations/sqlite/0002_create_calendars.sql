-- Business-hours calendars. Opening hours and holidays are kept as JSON documents: they are
-- always read and written whole, and never filtered on.
CREATE TABLE calendars (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    always_open BOOLEAN NOT NULL,
    hours TEXT NOT NULL,
    holidays TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT calendars_name_key UNIQUE (name)
);
CREATE INDEX calendars_updated_idx ON calendars (updated_at, id);
CREATE INDEX calendars_created_idx ON calendars (created_at, id);
