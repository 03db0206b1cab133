-- Business relationship (8.3.2): what each organisation is to the services (a customer or
-- another interested party) and who owns the relationship; the service reviews held with them;
-- their complaints, each with the targets the complaint policy set when it was received.
ALTER TABLE organisations ADD COLUMN kind TEXT NOT NULL DEFAULT 'customer';
-- No foreign key: users already refer to organisations, and a cycle would leave no order to copy
-- the tables in (steward migrate-store); the store checks the owner exists on every write.
ALTER TABLE organisations ADD COLUMN relationship_owner_id BIGINT;
CREATE INDEX organisations_kind_idx ON organisations (kind, active, updated_at, id);
CREATE INDEX organisations_relationship_owner_idx ON organisations (relationship_owner_id, updated_at, id);

CREATE TABLE service_reviews (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id BIGINT NOT NULL REFERENCES organisations (id),
    services TEXT NOT NULL,
    title TEXT NOT NULL,
    scheduled_on TEXT NOT NULL,
    held_on TEXT,
    owner_id BIGINT REFERENCES users (id),
    attendees TEXT NOT NULL,
    minutes TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX service_reviews_organisation_idx ON service_reviews (organisation_id, status, scheduled_on);
CREATE INDEX service_reviews_status_idx ON service_reviews (status, updated_at, id);
CREATE INDEX service_reviews_owner_idx ON service_reviews (owner_id, updated_at, id);
CREATE INDEX service_reviews_scheduled_idx ON service_reviews (scheduled_on, id);
CREATE INDEX service_reviews_updated_idx ON service_reviews (updated_at, id);
CREATE INDEX service_reviews_created_idx ON service_reviews (created_at, id);

CREATE TABLE complaints (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id BIGINT REFERENCES organisations (id),
    service_id BIGINT REFERENCES services (id),
    complainant TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    owner_id BIGINT REFERENCES users (id),
    resolution TEXT NOT NULL,
    status TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    acknowledge_by BIGINT NOT NULL,
    resolve_by BIGINT NOT NULL,
    acknowledged_at BIGINT,
    resolved_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX complaints_organisation_idx ON complaints (organisation_id, updated_at, id);
CREATE INDEX complaints_service_idx ON complaints (service_id, received_at);
CREATE INDEX complaints_status_idx ON complaints (status, updated_at, id);
CREATE INDEX complaints_owner_idx ON complaints (owner_id, updated_at, id);
CREATE INDEX complaints_received_idx ON complaints (received_at, id);
CREATE INDEX complaints_resolved_idx ON complaints (resolved_at, id);
CREATE INDEX complaints_updated_idx ON complaints (updated_at, id);
CREATE INDEX complaints_created_idx ON complaints (created_at, id);

-- Satisfaction surveys: one question to one customer, sent when a ticket of theirs is resolved
-- (at most one per ticket) or in a periodic round on a service, answered once with a score.
CREATE TABLE surveys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    recipient_id BIGINT NOT NULL REFERENCES users (id),
    organisation_id BIGINT REFERENCES organisations (id),
    service_id BIGINT REFERENCES services (id),
    incident_id BIGINT REFERENCES incidents (id),
    request_id BIGINT REFERENCES requests (id),
    status TEXT NOT NULL,
    score BIGINT,
    comment TEXT NOT NULL,
    sent_at BIGINT NOT NULL,
    answered_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX surveys_incident_key ON surveys (incident_id);
CREATE UNIQUE INDEX surveys_request_key ON surveys (request_id);
CREATE INDEX surveys_recipient_idx ON surveys (recipient_id, status, updated_at, id);
CREATE INDEX surveys_organisation_idx ON surveys (organisation_id, updated_at, id);
CREATE INDEX surveys_service_idx ON surveys (service_id, sent_at);
CREATE INDEX surveys_status_idx ON surveys (status, updated_at, id);
CREATE INDEX surveys_kind_idx ON surveys (kind, updated_at, id);
CREATE INDEX surveys_sent_idx ON surveys (sent_at, id);
CREATE INDEX surveys_answered_idx ON surveys (answered_at, id);
CREATE INDEX surveys_updated_idx ON surveys (updated_at, id);
CREATE INDEX surveys_created_idx ON surveys (created_at, id);
