-- Steward's first schema. Timestamps are microseconds since the Unix epoch (BIGINT) on both
-- backends, so comparisons, sorting and keyset cursors behave identically everywhere.

CREATE TABLE organisations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT organisations_name_key UNIQUE (name)
);
CREATE INDEX organisations_updated_idx ON organisations (updated_at, id);

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    organisation_id BIGINT REFERENCES organisations (id),
    active BOOLEAN NOT NULL,
    password_hash TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT users_email_key UNIQUE (email)
);
CREATE INDEX users_updated_idx ON users (updated_at, id);
CREATE INDEX users_role_idx ON users (role, updated_at, id);
CREATE INDEX users_organisation_idx ON users (organisation_id, updated_at, id);

CREATE TABLE teams (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT teams_name_key UNIQUE (name)
);
CREATE INDEX teams_updated_idx ON teams (updated_at, id);

CREATE TABLE team_members (
    team_id BIGINT NOT NULL REFERENCES teams (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    CONSTRAINT team_members_pkey PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user_idx ON team_members (user_id);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users (id),
    token_hash TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT,
    revoked_at BIGINT,
    CONSTRAINT api_tokens_hash_key UNIQUE (token_hash)
);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);

CREATE TABLE services (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    status TEXT NOT NULL,
    criticality TEXT NOT NULL,
    owner_id BIGINT REFERENCES users (id),
    team_id BIGINT REFERENCES teams (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT services_code_key UNIQUE (code)
);
CREATE INDEX services_updated_idx ON services (updated_at, id);
CREATE INDEX services_status_idx ON services (status, updated_at, id);
CREATE INDEX services_owner_idx ON services (owner_id, updated_at, id);
CREATE INDEX services_team_idx ON services (team_id, updated_at, id);

CREATE TABLE catalogue_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    service_id BIGINT NOT NULL REFERENCES services (id),
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT catalogue_items_service_name_key UNIQUE (service_id, name)
);
CREATE INDEX catalogue_items_updated_idx ON catalogue_items (updated_at, id);
CREATE INDEX catalogue_items_service_idx ON catalogue_items (service_id, updated_at, id);

CREATE TABLE configuration_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    ci_type TEXT NOT NULL,
    description TEXT NOT NULL,
    status TEXT NOT NULL,
    owner_id BIGINT REFERENCES users (id),
    team_id BIGINT REFERENCES teams (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX configuration_items_updated_idx ON configuration_items (updated_at, id);
CREATE INDEX configuration_items_created_idx ON configuration_items (created_at, id);
CREATE INDEX configuration_items_status_idx ON configuration_items (status, updated_at, id);
CREATE INDEX configuration_items_type_idx ON configuration_items (ci_type, updated_at, id);
CREATE INDEX configuration_items_owner_idx ON configuration_items (owner_id, updated_at, id);
CREATE INDEX configuration_items_team_idx ON configuration_items (team_id, updated_at, id);

CREATE TABLE incidents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    status TEXT NOT NULL,
    pending_reason TEXT,
    service_id BIGINT REFERENCES services (id),
    configuration_item_id BIGINT REFERENCES configuration_items (id),
    caller_id BIGINT REFERENCES users (id),
    organisation_id BIGINT REFERENCES organisations (id),
    impact TEXT NOT NULL,
    urgency TEXT NOT NULL,
    priority BIGINT NOT NULL,
    major BOOLEAN NOT NULL,
    category TEXT,
    subcategory TEXT,
    assignee_id BIGINT REFERENCES users (id),
    team_id BIGINT REFERENCES teams (id),
    resolution_code TEXT,
    resolution_notes TEXT,
    reopen_count BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    resolved_at BIGINT,
    closed_at BIGINT
);
CREATE INDEX incidents_updated_idx ON incidents (updated_at, id);
CREATE INDEX incidents_created_idx ON incidents (created_at, id);
CREATE INDEX incidents_priority_sort_idx ON incidents (priority, id);
CREATE INDEX incidents_status_idx ON incidents (status, updated_at, id);
CREATE INDEX incidents_priority_idx ON incidents (priority, updated_at, id);
CREATE INDEX incidents_service_idx ON incidents (service_id, updated_at, id);
CREATE INDEX incidents_assignee_idx ON incidents (assignee_id, updated_at, id);
CREATE INDEX incidents_team_idx ON incidents (team_id, status, updated_at, id);
CREATE INDEX incidents_organisation_idx ON incidents (organisation_id, updated_at, id);
CREATE INDEX incidents_configuration_item_idx ON incidents (configuration_item_id);
CREATE INDEX incidents_caller_idx ON incidents (caller_id);

CREATE TABLE requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    status TEXT NOT NULL,
    pending_reason TEXT,
    catalogue_item_id BIGINT NOT NULL REFERENCES catalogue_items (id),
    service_id BIGINT NOT NULL REFERENCES services (id),
    requested_for_id BIGINT REFERENCES users (id),
    organisation_id BIGINT REFERENCES organisations (id),
    impact TEXT NOT NULL,
    urgency TEXT NOT NULL,
    priority BIGINT NOT NULL,
    category TEXT,
    subcategory TEXT,
    assignee_id BIGINT REFERENCES users (id),
    team_id BIGINT REFERENCES teams (id),
    fulfilment_notes TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    fulfilled_at BIGINT,
    closed_at BIGINT
);
CREATE INDEX requests_updated_idx ON requests (updated_at, id);
CREATE INDEX requests_created_idx ON requests (created_at, id);
CREATE INDEX requests_priority_sort_idx ON requests (priority, id);
CREATE INDEX requests_status_idx ON requests (status, updated_at, id);
CREATE INDEX requests_priority_idx ON requests (priority, updated_at, id);
CREATE INDEX requests_service_idx ON requests (service_id, updated_at, id);
CREATE INDEX requests_catalogue_item_idx ON requests (catalogue_item_id, updated_at, id);
CREATE INDEX requests_assignee_idx ON requests (assignee_id, updated_at, id);
CREATE INDEX requests_team_idx ON requests (team_id, status, updated_at, id);
CREATE INDEX requests_organisation_idx ON requests (organisation_id, updated_at, id);
CREATE INDEX requests_requested_for_idx ON requests (requested_for_id);

CREATE TABLE problems (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    status TEXT NOT NULL,
    service_id BIGINT REFERENCES services (id),
    configuration_item_id BIGINT REFERENCES configuration_items (id),
    impact TEXT NOT NULL,
    urgency TEXT NOT NULL,
    priority BIGINT NOT NULL,
    root_cause TEXT,
    known_error BOOLEAN NOT NULL,
    workaround TEXT,
    category TEXT,
    subcategory TEXT,
    assignee_id BIGINT REFERENCES users (id),
    team_id BIGINT REFERENCES teams (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    resolved_at BIGINT,
    closed_at BIGINT
);
CREATE INDEX problems_updated_idx ON problems (updated_at, id);
CREATE INDEX problems_created_idx ON problems (created_at, id);
CREATE INDEX problems_priority_sort_idx ON problems (priority, id);
CREATE INDEX problems_status_idx ON problems (status, updated_at, id);
CREATE INDEX problems_priority_idx ON problems (priority, updated_at, id);
CREATE INDEX problems_service_idx ON problems (service_id, updated_at, id);
CREATE INDEX problems_assignee_idx ON problems (assignee_id, updated_at, id);
CREATE INDEX problems_team_idx ON problems (team_id, status, updated_at, id);
CREATE INDEX problems_known_error_idx ON problems (known_error, updated_at, id);

CREATE TABLE changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    status TEXT NOT NULL,
    change_type TEXT NOT NULL,
    risk TEXT NOT NULL,
    service_id BIGINT REFERENCES services (id),
    planned_start BIGINT,
    planned_end BIGINT,
    implementation_plan TEXT,
    backout_plan TEXT,
    outcome TEXT,
    category TEXT,
    subcategory TEXT,
    assignee_id BIGINT REFERENCES users (id),
    team_id BIGINT REFERENCES teams (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    closed_at BIGINT
);
CREATE INDEX changes_updated_idx ON changes (updated_at, id);
CREATE INDEX changes_created_idx ON changes (created_at, id);
CREATE INDEX changes_status_idx ON changes (status, updated_at, id);
CREATE INDEX changes_type_idx ON changes (change_type, updated_at, id);
CREATE INDEX changes_service_idx ON changes (service_id, updated_at, id);
CREATE INDEX changes_assignee_idx ON changes (assignee_id, updated_at, id);
CREATE INDEX changes_team_idx ON changes (team_id, status, updated_at, id);
CREATE INDEX changes_planned_start_idx ON changes (planned_start);

CREATE TABLE links (
    from_kind TEXT NOT NULL,
    from_id BIGINT NOT NULL,
    to_kind TEXT NOT NULL,
    to_id BIGINT NOT NULL,
    created_by BIGINT REFERENCES users (id),
    created_at BIGINT NOT NULL,
    CONSTRAINT links_pkey PRIMARY KEY (from_kind, from_id, to_kind, to_id)
);
CREATE INDEX links_to_idx ON links (to_kind, to_id);

-- Append-only, hash-chained history of every record; `seq` is contiguous from 1.
CREATE TABLE history (
    seq BIGINT PRIMARY KEY,
    record_kind TEXT NOT NULL,
    record_id BIGINT NOT NULL,
    actor_id BIGINT,
    at BIGINT NOT NULL,
    action TEXT NOT NULL,
    field TEXT,
    old_value TEXT,
    new_value TEXT,
    digest TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX history_record_idx ON history (record_kind, record_id, seq);

-- The end of the chain: every writer takes this row's lock to append.
CREATE TABLE history_head (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO history_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
