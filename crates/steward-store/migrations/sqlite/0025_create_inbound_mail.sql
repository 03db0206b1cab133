-- Email that arrives: every message is kept as received (its bytes), whatever becomes of it, so
-- nothing is lost; `state` says whether it was placed on a record, held for review, refused or
-- ignored as automatic mail. The Message-ID is unique, so a message delivered twice is placed once.
CREATE TABLE inbound_mail (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    received_at BIGINT NOT NULL,
    message_id TEXT NOT NULL,
    sender TEXT NOT NULL,
    subject TEXT NOT NULL,
    size BIGINT NOT NULL,
    raw BLOB NOT NULL,
    state TEXT NOT NULL,
    reason TEXT NOT NULL,
    record_kind TEXT,
    record_id BIGINT,
    decided_at BIGINT,
    CONSTRAINT inbound_mail_message_key UNIQUE (message_id)
);
CREATE INDEX inbound_mail_state_idx ON inbound_mail (state, id);
CREATE INDEX inbound_mail_sender_idx ON inbound_mail (sender, received_at);
CREATE INDEX inbound_mail_record_idx ON inbound_mail (record_kind, record_id);

-- Where new messages go: by the address they were sent to, or the domain they came from.
CREATE TABLE mail_rules (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    recipient TEXT,
    sender_domain TEXT,
    opens TEXT NOT NULL,
    service_id BIGINT REFERENCES services (id),
    catalogue_item_id BIGINT REFERENCES catalogue_items (id),
    team_id BIGINT REFERENCES teams (id),
    organisation_id BIGINT REFERENCES organisations (id),
    unknown_sender TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX mail_rules_service_idx ON mail_rules (service_id);
CREATE INDEX mail_rules_catalogue_item_idx ON mail_rules (catalogue_item_id);
CREATE INDEX mail_rules_team_idx ON mail_rules (team_id);
CREATE INDEX mail_rules_organisation_idx ON mail_rules (organisation_id);
