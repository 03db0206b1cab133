-- Information security (8.7.3): an incident may be a security incident, seen only by those
-- cleared for them and by its own caller and assignee; a risk may be a security risk.
ALTER TABLE incidents ADD COLUMN security BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX incidents_security_idx ON incidents (security, updated_at, id);
CREATE INDEX incidents_security_created_idx ON incidents (security, created_at, id);
ALTER TABLE users ADD COLUMN security_cleared BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE risks ADD COLUMN security BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX risks_security_idx ON risks (security, updated_at, id);
