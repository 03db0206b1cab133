-- Assets (hardware and software) and software licences; a software asset that uses a licence is
-- an installation counted against its entitlements.
CREATE TABLE licences (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    vendor TEXT,
    entitlements BIGINT NOT NULL,
    expires TEXT,
    owner_id BIGINT REFERENCES users (id),
    description TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX licences_updated_idx ON licences (updated_at, id);
CREATE INDEX licences_created_idx ON licences (created_at, id);
CREATE INDEX licences_owner_idx ON licences (owner_id, updated_at, id);

CREATE TABLE assets (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    asset_type TEXT NOT NULL,
    tag TEXT,
    status TEXT NOT NULL,
    owner_id BIGINT REFERENCES users (id),
    location TEXT,
    configuration_item_id BIGINT REFERENCES configuration_items (id),
    licence_id BIGINT REFERENCES licences (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX assets_updated_idx ON assets (updated_at, id);
CREATE INDEX assets_created_idx ON assets (created_at, id);
CREATE INDEX assets_status_idx ON assets (status, updated_at, id);
CREATE INDEX assets_type_idx ON assets (asset_type, updated_at, id);
CREATE INDEX assets_owner_idx ON assets (owner_id, updated_at, id);
CREATE INDEX assets_licence_idx ON assets (licence_id, status);
CREATE INDEX assets_location_idx ON assets (location, updated_at, id);
