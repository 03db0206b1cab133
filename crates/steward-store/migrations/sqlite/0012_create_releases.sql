-- Releases: changes grouped for deployment (linked through `links`), with their acceptance
-- criteria as a JSON document.
CREATE TABLE releases (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    status TEXT NOT NULL,
    release_type TEXT NOT NULL,
    planned_deployment BIGINT,
    acceptance_criteria TEXT NOT NULL,
    deployment_notes TEXT,
    rolled_back BOOLEAN NOT NULL,
    assignee_id BIGINT REFERENCES users (id),
    team_id BIGINT REFERENCES teams (id),
    deployed_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX releases_updated_idx ON releases (updated_at, id);
CREATE INDEX releases_created_idx ON releases (created_at, id);
CREATE INDEX releases_status_idx ON releases (status, updated_at, id);
CREATE INDEX releases_assignee_idx ON releases (assignee_id, updated_at, id);
CREATE INDEX releases_team_idx ON releases (team_id, status, updated_at, id);
CREATE INDEX releases_deployed_idx ON releases (deployed_at);
