-- The service level report and the attainment indicators read clocks by kind and the instant
-- they stopped (or breached); with every column they need in the index, a quarter of a million
-- tickets is read from the index alone.
CREATE INDEX sla_clocks_report_idx ON sla_clocks (record_kind, stopped_at, outcome, metric, scope, agreement_id, elapsed);
CREATE INDEX sla_clocks_kind_breached_idx ON sla_clocks (record_kind, breached_at);
