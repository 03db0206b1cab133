-- The web interface's sign-in: sessions live in the database (so any Steward process serving
-- the same database knows them), with the token kept only as its SHA-256 and the CSRF token
-- every form must carry.
CREATE TABLE web_sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash TEXT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id),
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    CONSTRAINT web_sessions_hash_key UNIQUE (token_hash)
);
CREATE INDEX web_sessions_user_idx ON web_sessions (user_id);
CREATE INDEX web_sessions_expires_idx ON web_sessions (expires_at);

-- Failed sign-ins per email address (known or not), for the lock-out delay; a success removes
-- the row. Shared by every process, so spreading guesses over processes gains nothing.
CREATE TABLE sign_in_failures (
    email TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    last_failure_at BIGINT NOT NULL,
    locked_until BIGINT NOT NULL
);

-- A person's saved queue views: a name and the query string of the queue page.
CREATE TABLE saved_views (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users (id),
    name TEXT NOT NULL,
    query TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    CONSTRAINT saved_views_name_key UNIQUE (user_id, name)
);

-- The dashboard reads tickets by the instant they were created (with their service) and
-- resolved or fulfilled (with their creation), from the index alone.
CREATE INDEX incidents_created_service_idx ON incidents (created_at, service_id);
CREATE INDEX incidents_resolved_idx ON incidents (resolved_at, created_at);
CREATE INDEX requests_fulfilled_idx ON requests (fulfilled_at, created_at);
