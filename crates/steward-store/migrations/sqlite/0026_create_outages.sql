-- Availability (8.7.1): each service's agreed availability, in thousandths of a percent
-- (99.9% is 99900), and its outages — planned or not, with the incident that reported one, the
-- configuration items it affected (a JSON list of references) and what its investigation found.
ALTER TABLE services ADD COLUMN availability_target BIGINT;

CREATE TABLE outages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    service_id BIGINT NOT NULL REFERENCES services (id),
    title TEXT NOT NULL,
    planned BOOLEAN NOT NULL,
    started_at BIGINT NOT NULL,
    ended_at BIGINT,
    incident_id BIGINT REFERENCES incidents (id),
    configuration_items TEXT NOT NULL,
    cause TEXT NOT NULL,
    problem_id BIGINT REFERENCES problems (id),
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX outages_service_idx ON outages (service_id, started_at);
CREATE INDEX outages_started_idx ON outages (started_at, id);
CREATE INDEX outages_ended_idx ON outages (ended_at, id);
CREATE INDEX outages_status_idx ON outages (status, updated_at, id);
CREATE INDEX outages_incident_idx ON outages (incident_id);
CREATE INDEX outages_problem_idx ON outages (problem_id);
CREATE INDEX outages_updated_idx ON outages (updated_at, id);
CREATE INDEX outages_created_idx ON outages (created_at, id);
