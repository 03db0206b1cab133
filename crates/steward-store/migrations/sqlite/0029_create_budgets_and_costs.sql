-- Budgeting and accounting (8.4.1): what each service may spend over a period, and every cost
-- it incurred (recorded, imported from the ledger, or staff time logged on a ticket).
CREATE TABLE budgets (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    service_id BIGINT NOT NULL REFERENCES services (id),
    title TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    amount BIGINT NOT NULL,
    owner_id BIGINT REFERENCES users (id),
    notes TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX budgets_service_idx ON budgets (service_id, updated_at, id);
CREATE INDEX budgets_status_idx ON budgets (status, updated_at, id);
CREATE INDEX budgets_owner_idx ON budgets (owner_id, updated_at, id);
CREATE INDEX budgets_period_idx ON budgets (ends_on, starts_on);
CREATE INDEX budgets_updated_idx ON budgets (updated_at, id);
CREATE INDEX budgets_created_idx ON budgets (created_at, id);

CREATE TABLE costs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    service_id BIGINT NOT NULL REFERENCES services (id),
    incurred_on TEXT NOT NULL,
    amount BIGINT NOT NULL,
    category TEXT NOT NULL,
    description TEXT NOT NULL,
    source TEXT NOT NULL,
    incident_id BIGINT REFERENCES incidents (id),
    request_id BIGINT REFERENCES requests (id),
    contract_id BIGINT REFERENCES contracts (id),
    asset_id BIGINT REFERENCES assets (id),
    minutes BIGINT,
    ledger_ref TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
-- A ledger line is counted once however often its file is imported.
CREATE UNIQUE INDEX costs_ledger_ref_key ON costs (ledger_ref);
-- The budget report sums a service's costs over each budget's period; the cost report sums
-- every service's over a period: both read these indexes alone.
CREATE INDEX costs_service_day_idx ON costs (service_id, incurred_on, category, amount);
CREATE INDEX costs_day_idx ON costs (incurred_on, service_id, category, amount, minutes, incident_id);
CREATE INDEX costs_service_idx ON costs (service_id, updated_at, id);
CREATE INDEX costs_category_idx ON costs (category, updated_at, id);
CREATE INDEX costs_source_idx ON costs (source, updated_at, id);
CREATE INDEX costs_incident_idx ON costs (incident_id, updated_at, id);
CREATE INDEX costs_request_idx ON costs (request_id, updated_at, id);
CREATE INDEX costs_contract_idx ON costs (contract_id, updated_at, id);
CREATE INDEX costs_asset_idx ON costs (asset_id, updated_at, id);
CREATE INDEX costs_updated_idx ON costs (updated_at, id);
CREATE INDEX costs_created_idx ON costs (created_at, id);
