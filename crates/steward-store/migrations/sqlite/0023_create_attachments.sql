-- Files attached to records. The row holds what the file is (name, type read from its bytes,
-- size, SHA-256, who may see it); its bytes are in attachment_chunks, 1 MiB a row, so a record's
-- listing never reads them and a download reads only its own. Being tables of the database, they
-- are in every backup and move with migrate-store.
CREATE TABLE attachments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    record_kind TEXT NOT NULL,
    record_id BIGINT NOT NULL,
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    visibility TEXT NOT NULL,
    uploaded_by BIGINT REFERENCES users (id),
    uploaded_at BIGINT NOT NULL
);
CREATE INDEX attachments_record_idx ON attachments (record_kind, record_id, id);

CREATE TABLE attachment_chunks (
    attachment_id BIGINT NOT NULL REFERENCES attachments (id),
    n BIGINT NOT NULL,
    bytes BLOB NOT NULL,
    PRIMARY KEY (attachment_id, n)
);
