-- Configuration management: item types with their attributes and verification interval, item
-- attributes and verification, and typed relationships between items.
CREATE TABLE configuration_item_types (
    name TEXT PRIMARY KEY,
    description TEXT NOT NULL,
    attributes TEXT NOT NULL,
    verification_interval_days BIGINT,
    under_change_control BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
INSERT INTO configuration_item_types (name, description, attributes, verification_interval_days, under_change_control, created_at, updated_at) VALUES
    ('server', 'A physical or virtual server.', '[{"name":"hostname","kind":"text","required":false},{"name":"ip_address","kind":"text","required":false},{"name":"operating_system","kind":"text","required":false},{"name":"cpu_cores","kind":"number","required":false},{"name":"memory_gb","kind":"number","required":false}]', 180, TRUE, 0, 0),
    ('application', 'A software application or service component in production.', '[{"name":"version","kind":"text","required":false},{"name":"vendor","kind":"text","required":false},{"name":"url","kind":"text","required":false}]', 365, TRUE, 0, 0),
    ('database', 'A database instance.', '[{"name":"engine","kind":"text","required":false},{"name":"version","kind":"text","required":false},{"name":"size_gb","kind":"number","required":false}]', 180, TRUE, 0, 0),
    ('network_device', 'A router, switch, firewall, access point or load balancer.', '[{"name":"model","kind":"text","required":false},{"name":"ip_address","kind":"text","required":false},{"name":"firmware","kind":"text","required":false}]', 365, TRUE, 0, 0),
    ('service_component', 'A part of a service that is not one of the other types.', '[]', 365, TRUE, 0, 0),
    ('document', 'A controlled document, such as a design or a procedure.', '[{"name":"version","kind":"text","required":false},{"name":"review_date","kind":"date","required":false}]', 365, FALSE, 0, 0),
    ('licence', 'A software licence or entitlement.', '[{"name":"entitlements","kind":"number","required":false},{"name":"expires","kind":"date","required":false}]', 365, FALSE, 0, 0);

ALTER TABLE configuration_items ADD COLUMN attributes TEXT NOT NULL DEFAULT '{}';
ALTER TABLE configuration_items ADD COLUMN last_verified_at BIGINT;
ALTER TABLE configuration_items ADD COLUMN last_verified_by BIGINT REFERENCES users (id);
CREATE INDEX configuration_items_verified_idx ON configuration_items (ci_type, last_verified_at);

CREATE TABLE ci_relationships (
    from_id BIGINT NOT NULL REFERENCES configuration_items (id),
    kind TEXT NOT NULL,
    to_id BIGINT NOT NULL REFERENCES configuration_items (id),
    created_by BIGINT REFERENCES users (id),
    created_at BIGINT NOT NULL,
    CONSTRAINT ci_relationships_pkey PRIMARY KEY (from_id, kind, to_id)
);
CREATE INDEX ci_relationships_to_idx ON ci_relationships (to_id);
