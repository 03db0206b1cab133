-- Service level clocks: one per ticket, scope (`sla` for the customer's agreement, `ola-<team>`
-- for a team's) and metric (response, resolution). Instants and durations are microseconds;
-- `elapsed` is the business time counted before `running_since`.
CREATE TABLE sla_clocks (
    record_kind TEXT NOT NULL,
    record_id BIGINT NOT NULL,
    scope TEXT NOT NULL,
    metric TEXT NOT NULL,
    agreement_id BIGINT NOT NULL REFERENCES agreements (id),
    target BIGINT NOT NULL,
    started_at BIGINT NOT NULL,
    elapsed BIGINT NOT NULL,
    running_since BIGINT,
    due_at BIGINT,
    breached_at BIGINT,
    stopped_at BIGINT,
    outcome TEXT,
    updated_at BIGINT NOT NULL,
    CONSTRAINT sla_clocks_pkey PRIMARY KEY (record_kind, record_id, scope, metric)
);
CREATE INDEX sla_clocks_due_idx ON sla_clocks (due_at);
CREATE INDEX sla_clocks_agreement_idx ON sla_clocks (agreement_id, outcome);
CREATE INDEX sla_clocks_stopped_idx ON sla_clocks (stopped_at);
CREATE INDEX sla_clocks_breached_idx ON sla_clocks (breached_at);
