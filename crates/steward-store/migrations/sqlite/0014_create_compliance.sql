-- The conformity side: the SMS scope (a versioned statement), self-assessments with one score per
-- requirement, the register of documented information (each document listing the requirements
-- it serves), and registered evidence with the date it speaks for. Dates are ISO 8601 text;
-- lists are JSON text.
CREATE TABLE sms_scopes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    statement TEXT NOT NULL,
    services TEXT NOT NULL,
    customers TEXT NOT NULL,
    organisational_units TEXT NOT NULL,
    locations TEXT NOT NULL,
    exclusions TEXT NOT NULL,
    other_parties TEXT NOT NULL,
    version BIGINT NOT NULL,
    approved_by BIGINT REFERENCES users (id),
    approved_on TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX sms_scopes_updated_idx ON sms_scopes (updated_at, id);
CREATE INDEX sms_scopes_created_idx ON sms_scopes (created_at, id);

CREATE TABLE assessments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    assessor_id BIGINT NOT NULL REFERENCES users (id),
    assessed_on TEXT NOT NULL,
    target_score BIGINT NOT NULL,
    status TEXT NOT NULL,
    baseline_id BIGINT REFERENCES assessments (id),
    notes TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX assessments_updated_idx ON assessments (updated_at, id);
CREATE INDEX assessments_created_idx ON assessments (created_at, id);
CREATE INDEX assessments_status_idx ON assessments (status, updated_at, id);
CREATE INDEX assessments_assessor_idx ON assessments (assessor_id, updated_at, id);

CREATE TABLE assessment_scores (
    assessment_id BIGINT NOT NULL REFERENCES assessments (id),
    requirement TEXT NOT NULL,
    score BIGINT NOT NULL,
    owner_id BIGINT REFERENCES users (id),
    notes TEXT NOT NULL,
    target_date TEXT,
    scored_by BIGINT REFERENCES users (id),
    scored_at BIGINT NOT NULL,
    CONSTRAINT assessment_scores_pkey PRIMARY KEY (assessment_id, requirement)
);
CREATE INDEX assessment_scores_owner_idx ON assessment_scores (owner_id);

CREATE TABLE documents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    identifier TEXT NOT NULL,
    title TEXT NOT NULL,
    document_type TEXT NOT NULL,
    version TEXT NOT NULL,
    status TEXT NOT NULL,
    owner_id BIGINT NOT NULL REFERENCES users (id),
    approved_by BIGINT REFERENCES users (id),
    approved_on TEXT,
    effective_date TEXT,
    next_review TEXT,
    retention TEXT,
    disposal TEXT,
    location TEXT,
    mandatory TEXT,
    requirements TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT documents_identifier_key UNIQUE (identifier)
);
CREATE INDEX documents_updated_idx ON documents (updated_at, id);
CREATE INDEX documents_created_idx ON documents (created_at, id);
CREATE INDEX documents_status_idx ON documents (status, updated_at, id);
CREATE INDEX documents_type_idx ON documents (document_type, updated_at, id);
CREATE INDEX documents_owner_idx ON documents (owner_id, updated_at, id);
CREATE INDEX documents_mandatory_idx ON documents (mandatory, updated_at, id);
CREATE INDEX documents_review_idx ON documents (next_review);

CREATE TABLE evidence (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    requirement TEXT NOT NULL,
    description TEXT NOT NULL,
    location TEXT,
    records TEXT NOT NULL,
    effective_date TEXT NOT NULL,
    valid_days BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX evidence_updated_idx ON evidence (updated_at, id);
CREATE INDEX evidence_created_idx ON evidence (created_at, id);
CREATE INDEX evidence_requirement_idx ON evidence (requirement, updated_at, id);
CREATE INDEX evidence_effective_idx ON evidence (effective_date);

-- For the live indicators, which count records by the instant that puts them in a period.
CREATE INDEX incidents_major_resolved_idx ON incidents (major, resolved_at);
CREATE INDEX problems_resolved_idx ON problems (resolved_at);
CREATE INDEX changes_closed_idx ON changes (closed_at);
