-- Who watches a record: told of its replies, notes and changes of state as its assignee is.
CREATE TABLE watchers (
    record_kind TEXT NOT NULL,
    record_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id),
    added_by BIGINT REFERENCES users (id),
    created_at BIGINT NOT NULL,
    CONSTRAINT watchers_pkey PRIMARY KEY (record_kind, record_id, user_id)
);
CREATE INDEX watchers_user_idx ON watchers (user_id, record_kind, record_id);

-- What a person chose for an event; an event with no row is told as core's default says.
CREATE TABLE notification_preferences (
    user_id BIGINT NOT NULL REFERENCES users (id),
    event TEXT NOT NULL,
    in_app BOOLEAN NOT NULL,
    email TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT notification_preferences_pkey PRIMARY KEY (user_id, event)
);

-- Email templates an administrator rewrote; a template with no row is Steward's own.
CREATE TABLE notification_templates (
    name TEXT PRIMARY KEY,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    updated_by BIGINT REFERENCES users (id),
    updated_at BIGINT NOT NULL
);

-- How far the notifier has read the history chain: it tells people of every entry after this
-- one, and moves it in the transaction that writes what it told. It starts at the chain's end, so
-- what happened before notifications existed is not told again.
CREATE TABLE notifier_cursor (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL
);
INSERT INTO notifier_cursor (id, seq) SELECT 1, seq FROM history_head;

-- A notification is shown in the app, or kept only for the daily digest, or both.
ALTER TABLE notifications ADD COLUMN in_app BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE notifications ADD COLUMN digest_state TEXT;
-- The inbox's index leads with the person, so the older one on (user_id, id) has no reader left.
CREATE INDEX notifications_inbox_idx ON notifications (user_id, in_app, id);
DROP INDEX notifications_user_idx;
CREATE INDEX notifications_digest_idx ON notifications (created_at, user_id) WHERE digest_state = 'pending';

-- Email waiting to go, gone, or given up on. The job runner sends what is due, outside any
-- transaction; a message being sent has next_attempt_at at the end of its lease, so one whose
-- sender died is due again. Its Message-ID is unique, so nothing is queued twice.
CREATE TABLE mail_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT REFERENCES users (id),
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    message_id TEXT NOT NULL,
    in_reply_to TEXT,
    thread_refs TEXT,
    record_kind TEXT,
    record_id BIGINT,
    event TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    sent_at BIGINT,
    CONSTRAINT mail_outbox_message_key UNIQUE (message_id)
);
CREATE INDEX mail_outbox_due_idx ON mail_outbox (state, next_attempt_at, id);
CREATE INDEX mail_outbox_state_idx ON mail_outbox (state, id);
CREATE INDEX mail_outbox_record_idx ON mail_outbox (record_kind, record_id, id);
