-- Suppliers (8.3.4, 8.2.3): the parties that provide or operate part of a service — external
-- suppliers, internal groups (a team) and customers acting as suppliers — with their contracts
-- (scope, interfaces, obligations, dates and reviews; the agreement holding their service level
-- targets) and disputes. Services, configuration items and processes are JSON lists read and
-- written whole; dates are ISO 8601 text.
CREATE TABLE suppliers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    owner_id BIGINT REFERENCES users (id),
    team_id BIGINT REFERENCES teams (id),
    organisation_id BIGINT REFERENCES organisations (id),
    contact TEXT NOT NULL,
    description TEXT NOT NULL,
    services TEXT NOT NULL,
    configuration_items TEXT NOT NULL,
    processes TEXT NOT NULL,
    review_date TEXT,
    active BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT suppliers_name_key UNIQUE (name)
);
CREATE INDEX suppliers_kind_idx ON suppliers (kind, active, updated_at, id);
CREATE INDEX suppliers_owner_idx ON suppliers (owner_id, updated_at, id);
CREATE INDEX suppliers_team_idx ON suppliers (team_id);
CREATE INDEX suppliers_organisation_idx ON suppliers (organisation_id);
CREATE INDEX suppliers_active_idx ON suppliers (active, updated_at, id);
CREATE INDEX suppliers_updated_idx ON suppliers (updated_at, id);
CREATE INDEX suppliers_created_idx ON suppliers (created_at, id);

-- An underpinning contract named its supplier as text: each name becomes a supplier (owned by
-- the owner of its oldest agreement), and the agreement points at it.
INSERT INTO suppliers (name, kind, owner_id, team_id, organisation_id, contact, description, services,
    configuration_items, processes, review_date, active, created_at, updated_at)
SELECT a.supplier, 'external',
    (SELECT o.owner_id FROM agreements o WHERE o.supplier = a.supplier ORDER BY o.id LIMIT 1),
    NULL, NULL, '', '', '[]', '[]', '[]', NULL, TRUE, MIN(a.created_at), MAX(a.updated_at)
FROM agreements a WHERE a.supplier IS NOT NULL GROUP BY a.supplier ORDER BY MIN(a.id);
ALTER TABLE agreements ADD COLUMN supplier_id BIGINT REFERENCES suppliers (id);
UPDATE agreements SET supplier_id = (SELECT s.id FROM suppliers s WHERE s.name = agreements.supplier)
WHERE supplier IS NOT NULL;
ALTER TABLE agreements DROP COLUMN supplier;
CREATE INDEX agreements_supplier_idx ON agreements (supplier_id, updated_at, id);

CREATE TABLE contracts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    supplier_id BIGINT NOT NULL REFERENCES suppliers (id),
    title TEXT NOT NULL,
    scope TEXT NOT NULL,
    services TEXT NOT NULL,
    agreement_id BIGINT REFERENCES agreements (id),
    interfaces TEXT NOT NULL,
    obligations TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT,
    review_date TEXT,
    last_reviewed_on TEXT,
    review_notes TEXT NOT NULL,
    owner_id BIGINT REFERENCES users (id),
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX contracts_supplier_idx ON contracts (supplier_id, status, updated_at, id);
CREATE INDEX contracts_status_idx ON contracts (status, updated_at, id);
CREATE INDEX contracts_agreement_idx ON contracts (agreement_id);
CREATE INDEX contracts_owner_idx ON contracts (owner_id, updated_at, id);
CREATE INDEX contracts_review_idx ON contracts (review_date, id);
CREATE INDEX contracts_ends_idx ON contracts (ends_on, id);
CREATE INDEX contracts_updated_idx ON contracts (updated_at, id);
CREATE INDEX contracts_created_idx ON contracts (created_at, id);

CREATE TABLE disputes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    supplier_id BIGINT NOT NULL REFERENCES suppliers (id),
    contract_id BIGINT REFERENCES contracts (id),
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    owner_id BIGINT REFERENCES users (id),
    resolution TEXT NOT NULL,
    status TEXT NOT NULL,
    resolved_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX disputes_supplier_idx ON disputes (supplier_id, status, updated_at, id);
CREATE INDEX disputes_status_idx ON disputes (status, updated_at, id);
CREATE INDEX disputes_contract_idx ON disputes (contract_id);
CREATE INDEX disputes_owner_idx ON disputes (owner_id, updated_at, id);
CREATE INDEX disputes_updated_idx ON disputes (updated_at, id);
CREATE INDEX disputes_created_idx ON disputes (created_at, id);

-- A ticket handed to a supplier runs the supplier's underpinning contract clocks meanwhile; the
-- supplier's performance is read from these tickets.
ALTER TABLE incidents ADD COLUMN supplier_id BIGINT REFERENCES suppliers (id);
CREATE INDEX incidents_supplier_idx ON incidents (supplier_id, status, updated_at, id);
ALTER TABLE requests ADD COLUMN supplier_id BIGINT REFERENCES suppliers (id);
CREATE INDEX requests_supplier_idx ON requests (supplier_id, status, updated_at, id);
