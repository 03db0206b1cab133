-- Demand and capacity (8.4.2, 8.4.3): what each service is expected to be asked for, what it
-- needs to meet that demand, and readings of how much of it was in use. Figures (capacity,
-- readings, forecasts) and thresholds are kept in thousandths, as whole numbers.
CREATE TABLE capacity_requirements (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    service_id BIGINT NOT NULL REFERENCES services (id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    unit TEXT NOT NULL,
    capacity BIGINT NOT NULL,
    warning_percent BIGINT NOT NULL,
    critical_percent BIGINT NOT NULL,
    configuration_item_id BIGINT REFERENCES configuration_items (id),
    owner_id BIGINT REFERENCES users (id),
    notes TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX capacity_requirements_service_idx ON capacity_requirements (service_id, updated_at, id);
CREATE INDEX capacity_requirements_kind_idx ON capacity_requirements (kind, updated_at, id);
CREATE INDEX capacity_requirements_active_idx ON capacity_requirements (active, updated_at, id);
CREATE INDEX capacity_requirements_configuration_item_idx ON capacity_requirements (configuration_item_id, updated_at, id);
CREATE INDEX capacity_requirements_owner_idx ON capacity_requirements (owner_id, updated_at, id);
CREATE INDEX capacity_requirements_updated_idx ON capacity_requirements (updated_at, id);
CREATE INDEX capacity_requirements_created_idx ON capacity_requirements (created_at, id);

-- Append-only measurements; one per requirement and instant, so an import sent twice counts
-- once. The key also pages one requirement's readings.
CREATE TABLE capacity_readings (
    requirement_id BIGINT NOT NULL REFERENCES capacity_requirements (id),
    measured_at BIGINT NOT NULL,
    value BIGINT NOT NULL,
    source TEXT NOT NULL,
    recorded_by BIGINT REFERENCES users (id),
    created_at BIGINT NOT NULL,
    CONSTRAINT capacity_readings_pkey PRIMARY KEY (requirement_id, measured_at)
);
-- The capacity report reads one period of every requirement's readings: through this index it
-- touches only the period's entries, and never the table.
CREATE INDEX capacity_readings_measured_idx ON capacity_readings (measured_at, requirement_id, value);

CREATE TABLE demand_forecasts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    service_id BIGINT NOT NULL REFERENCES services (id),
    title TEXT NOT NULL,
    measure TEXT NOT NULL,
    unit TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    -- The period as instants (UTC midnight of the first day, and of the day after the last),
    -- to count the service's tickets by their creation time.
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    forecast BIGINT NOT NULL,
    actual BIGINT,
    owner_id BIGINT REFERENCES users (id),
    notes TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX demand_forecasts_service_idx ON demand_forecasts (service_id, updated_at, id);
CREATE INDEX demand_forecasts_measure_idx ON demand_forecasts (measure, updated_at, id);
CREATE INDEX demand_forecasts_owner_idx ON demand_forecasts (owner_id, updated_at, id);
CREATE INDEX demand_forecasts_period_idx ON demand_forecasts (ends_on, starts_on);
CREATE INDEX demand_forecasts_updated_idx ON demand_forecasts (updated_at, id);
CREATE INDEX demand_forecasts_created_idx ON demand_forecasts (created_at, id);

-- The demand report counts a service's tickets raised in a forecast's period.
CREATE INDEX incidents_service_created_idx ON incidents (service_id, created_at);
CREATE INDEX requests_service_created_idx ON requests (service_id, created_at);
