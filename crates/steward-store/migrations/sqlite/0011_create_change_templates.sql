-- Pre-approved templates of standard changes, and the template each standard change came from.
CREATE TABLE change_templates (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    service_id BIGINT REFERENCES services (id),
    risk TEXT NOT NULL,
    implementation_plan TEXT NOT NULL,
    backout_plan TEXT NOT NULL,
    category TEXT,
    active BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT change_templates_name_key UNIQUE (name)
);
CREATE INDEX change_templates_updated_idx ON change_templates (updated_at, id);
CREATE INDEX change_templates_created_idx ON change_templates (created_at, id);
CREATE INDEX change_templates_service_idx ON change_templates (service_id, updated_at, id);
ALTER TABLE changes ADD COLUMN template_id BIGINT REFERENCES change_templates (id);
