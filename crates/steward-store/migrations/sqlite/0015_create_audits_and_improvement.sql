-- Audits and their findings, nonconformities, the one action register, management reviews,
-- the improvement, risk and objective registers, and the certification programme with its
-- certificates. Dates are ISO 8601 text; lists are JSON text; `source_kind`/`source_id` say which
-- record an action serves.
CREATE TABLE audits (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    audit_type TEXT NOT NULL,
    status TEXT NOT NULL,
    scope TEXT NOT NULL,
    requirements TEXT NOT NULL,
    audited_teams TEXT NOT NULL,
    lead_auditor_id BIGINT REFERENCES users (id),
    auditors TEXT NOT NULL,
    external_auditor TEXT,
    certificate_id BIGINT,
    planned_start TEXT NOT NULL,
    planned_end TEXT NOT NULL,
    completed_on TEXT,
    summary TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX audits_updated_idx ON audits (updated_at, id);
CREATE INDEX audits_created_idx ON audits (created_at, id);
CREATE INDEX audits_status_idx ON audits (status, updated_at, id);
CREATE INDEX audits_type_idx ON audits (audit_type, updated_at, id);
CREATE INDEX audits_start_idx ON audits (planned_start);

CREATE TABLE findings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    audit_id BIGINT NOT NULL REFERENCES audits (id),
    grade TEXT NOT NULL,
    requirement TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    records TEXT NOT NULL,
    raised_on TEXT NOT NULL,
    nonconformity_id BIGINT,
    improvement_id BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX findings_updated_idx ON findings (updated_at, id);
CREATE INDEX findings_created_idx ON findings (created_at, id);
CREATE INDEX findings_audit_idx ON findings (audit_id, updated_at, id);
CREATE INDEX findings_grade_idx ON findings (grade, updated_at, id);
CREATE INDEX findings_requirement_idx ON findings (requirement, updated_at, id);

CREATE TABLE nonconformities (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    requirement TEXT NOT NULL,
    severity TEXT NOT NULL,
    source TEXT NOT NULL,
    finding_id BIGINT REFERENCES findings (id),
    raised_on TEXT NOT NULL,
    owner_id BIGINT REFERENCES users (id),
    status TEXT NOT NULL,
    correction TEXT,
    root_cause TEXT,
    effectiveness_review TEXT,
    effective BOOLEAN,
    verified_by BIGINT REFERENCES users (id),
    closed_on TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX nonconformities_updated_idx ON nonconformities (updated_at, id);
CREATE INDEX nonconformities_created_idx ON nonconformities (created_at, id);
CREATE INDEX nonconformities_status_idx ON nonconformities (status, updated_at, id);
CREATE INDEX nonconformities_severity_idx ON nonconformities (severity, updated_at, id);
CREATE INDEX nonconformities_owner_idx ON nonconformities (owner_id, updated_at, id);
CREATE INDEX nonconformities_requirement_idx ON nonconformities (requirement, updated_at, id);

CREATE TABLE actions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    owner_id BIGINT NOT NULL REFERENCES users (id),
    due_date TEXT NOT NULL,
    status TEXT NOT NULL,
    source TEXT,
    source_kind TEXT,
    source_id BIGINT,
    step TEXT,
    completed_on TEXT,
    outcome TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX actions_updated_idx ON actions (updated_at, id);
CREATE INDEX actions_created_idx ON actions (created_at, id);
CREATE INDEX actions_status_idx ON actions (status, updated_at, id);
CREATE INDEX actions_owner_idx ON actions (owner_id, updated_at, id);
CREATE INDEX actions_source_idx ON actions (source, updated_at, id);
CREATE INDEX actions_source_kind_idx ON actions (source_kind, source_id, status);
CREATE INDEX actions_due_idx ON actions (status, due_date);

CREATE TABLE management_reviews (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    status TEXT NOT NULL,
    held_on TEXT NOT NULL,
    period_from TEXT NOT NULL,
    period_to TEXT NOT NULL,
    chair_id BIGINT NOT NULL REFERENCES users (id),
    attendees TEXT NOT NULL,
    minutes TEXT NOT NULL,
    decisions TEXT NOT NULL,
    inputs TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX management_reviews_updated_idx ON management_reviews (updated_at, id);
CREATE INDEX management_reviews_created_idx ON management_reviews (created_at, id);
CREATE INDEX management_reviews_status_idx ON management_reviews (status, updated_at, id);
CREATE INDEX management_reviews_held_idx ON management_reviews (held_on);

CREATE TABLE improvements (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    source TEXT NOT NULL,
    finding_id BIGINT REFERENCES findings (id),
    service_id BIGINT REFERENCES services (id),
    owner_id BIGINT REFERENCES users (id),
    status TEXT NOT NULL,
    expected_benefit TEXT NOT NULL,
    target_date TEXT,
    outcome TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX improvements_updated_idx ON improvements (updated_at, id);
CREATE INDEX improvements_created_idx ON improvements (created_at, id);
CREATE INDEX improvements_status_idx ON improvements (status, updated_at, id);
CREATE INDEX improvements_owner_idx ON improvements (owner_id, updated_at, id);
CREATE INDEX improvements_service_idx ON improvements (service_id, updated_at, id);

CREATE TABLE risks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    category TEXT NOT NULL,
    service_id BIGINT REFERENCES services (id),
    owner_id BIGINT NOT NULL REFERENCES users (id),
    likelihood BIGINT NOT NULL,
    impact BIGINT NOT NULL,
    rating BIGINT NOT NULL,
    treatment TEXT,
    treatment_plan TEXT NOT NULL,
    residual_likelihood BIGINT,
    residual_impact BIGINT,
    status TEXT NOT NULL,
    review_date TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX risks_updated_idx ON risks (updated_at, id);
CREATE INDEX risks_created_idx ON risks (created_at, id);
CREATE INDEX risks_status_idx ON risks (status, updated_at, id);
CREATE INDEX risks_owner_idx ON risks (owner_id, updated_at, id);
CREATE INDEX risks_service_idx ON risks (service_id, updated_at, id);
CREATE INDEX risks_category_idx ON risks (category, updated_at, id);
CREATE INDEX risks_rating_idx ON risks (rating, id);

CREATE TABLE objectives (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    measure TEXT NOT NULL,
    indicator TEXT,
    target_percent BIGINT,
    target TEXT NOT NULL,
    owner_id BIGINT NOT NULL REFERENCES users (id),
    due_date TEXT NOT NULL,
    plan TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX objectives_updated_idx ON objectives (updated_at, id);
CREATE INDEX objectives_created_idx ON objectives (created_at, id);
CREATE INDEX objectives_status_idx ON objectives (status, updated_at, id);
CREATE INDEX objectives_owner_idx ON objectives (owner_id, updated_at, id);

CREATE TABLE programmes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    goals TEXT NOT NULL,
    sponsor_id BIGINT NOT NULL REFERENCES users (id),
    manager_id BIGINT NOT NULL REFERENCES users (id),
    board TEXT NOT NULL,
    certification_body TEXT,
    external_adviser TEXT,
    start_date TEXT NOT NULL,
    target_date TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX programmes_updated_idx ON programmes (updated_at, id);
CREATE INDEX programmes_created_idx ON programmes (created_at, id);
CREATE INDEX programmes_status_idx ON programmes (status, updated_at, id);

CREATE TABLE certificates (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    number TEXT NOT NULL,
    certification_body TEXT NOT NULL,
    scope TEXT NOT NULL,
    issued_on TEXT NOT NULL,
    expires_on TEXT NOT NULL,
    owner_id BIGINT NOT NULL REFERENCES users (id),
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT certificates_number_key UNIQUE (certification_body, number)
);
CREATE INDEX certificates_updated_idx ON certificates (updated_at, id);
CREATE INDEX certificates_created_idx ON certificates (created_at, id);
CREATE INDEX certificates_status_idx ON certificates (status, updated_at, id);
