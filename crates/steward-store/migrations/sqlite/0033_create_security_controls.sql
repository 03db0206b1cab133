-- Information security controls (8.7.3): what treats the security risks, with an owner and the
-- latest effectiveness review.
CREATE TABLE security_controls (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    catalogue_reference TEXT,
    kind TEXT NOT NULL,
    service_id BIGINT REFERENCES services (id),
    owner_id BIGINT NOT NULL REFERENCES users (id),
    status TEXT NOT NULL,
    effectiveness TEXT,
    reviewed_on TEXT,
    review_findings TEXT NOT NULL,
    next_review TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX security_controls_updated_idx ON security_controls (updated_at, id);
CREATE INDEX security_controls_created_idx ON security_controls (created_at, id);
CREATE INDEX security_controls_status_idx ON security_controls (status, updated_at, id);
CREATE INDEX security_controls_owner_idx ON security_controls (owner_id, updated_at, id);
CREATE INDEX security_controls_service_idx ON security_controls (service_id, updated_at, id);
CREATE INDEX security_controls_kind_idx ON security_controls (kind, updated_at, id);
CREATE INDEX security_controls_effectiveness_idx ON security_controls (effectiveness, updated_at, id);
