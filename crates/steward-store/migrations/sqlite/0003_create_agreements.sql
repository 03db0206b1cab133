-- Agreements (SLA, OLA, underpinning contracts). Targets, pause reasons, warning thresholds and
-- escalation actions
-- are JSON documents read and written whole; dates are ISO 8601 text ('YYYY-MM-DD'), which sorts
-- as dates.
CREATE TABLE agreements (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    description TEXT NOT NULL,
    organisation_id BIGINT REFERENCES organisations (id),
    team_id BIGINT REFERENCES teams (id),
    supplier TEXT,
    calendar_id BIGINT NOT NULL REFERENCES calendars (id),
    targets TEXT NOT NULL,
    pause_on TEXT NOT NULL,
    warning_percent TEXT NOT NULL,
    actions TEXT NOT NULL,
    resume_on_reopen BOOLEAN NOT NULL,
    owner_id BIGINT REFERENCES users (id),
    valid_from TEXT NOT NULL,
    valid_to TEXT,
    review_date TEXT,
    active BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT agreements_name_key UNIQUE (name)
);
CREATE INDEX agreements_updated_idx ON agreements (updated_at, id);
CREATE INDEX agreements_created_idx ON agreements (created_at, id);
CREATE INDEX agreements_kind_idx ON agreements (kind, active, updated_at, id);
CREATE INDEX agreements_organisation_idx ON agreements (organisation_id, updated_at, id);
CREATE INDEX agreements_team_idx ON agreements (team_id, updated_at, id);
CREATE INDEX agreements_calendar_idx ON agreements (calendar_id, updated_at, id);
CREATE INDEX agreements_owner_idx ON agreements (owner_id, updated_at, id);
CREATE INDEX agreements_review_idx ON agreements (review_date);
