//! The facts behind service level reports, read in one query per ticket kind.

use std::collections::HashMap;

use steward_core::Result;
use steward_core::clock::{Metric, Outcome};
use steward_core::report::{ClockFact, GroupBy};

use crate::{Store, args, parse_stored, priority_from_stored};

#[derive(sqlx::FromRow)]
struct FactRow {
    metric: String,
    outcome: Option<String>,
    elapsed: i64,
    stopped_in_period: bool,
    agreement_id: i64,
    service_id: Option<i64>,
    priority: i64,
}

impl Store {
    /// Every clock that counts in `[from, to)` (microseconds): stopped in it as met or breached,
    /// or still open at its end with its target run out within it.
    pub async fn sla_facts(&self, from: i64, to: i64, group_by: GroupBy) -> Result<Vec<ClockFact>> {
        let one = |table: &str, kind: &str| {
            format!(
                "SELECT c.metric, c.outcome, c.elapsed, \
                 (c.stopped_at IS NOT NULL AND c.stopped_at < $2) AS stopped_in_period, \
                 c.agreement_id, t.service_id, t.priority \
                 FROM sla_clocks c JOIN {table} t ON t.id = c.record_id \
                 WHERE c.record_kind = '{kind}' AND ( \
                   (c.stopped_at >= $1 AND c.stopped_at < $2 AND c.outcome IN ('met', 'breached')) \
                   OR (c.breached_at >= $1 AND c.breached_at < $2 AND (c.stopped_at IS NULL OR c.stopped_at >= $2) \
                       AND (c.outcome IS NULL OR c.outcome IN ('met', 'breached'))))"
            )
        };
        let sql = format!(
            "{} UNION ALL {}",
            one("incidents", "incident"),
            one("requests", "request")
        );
        let mut c = self.read().await?;
        let rows: Vec<FactRow> = c.fetch_all(&sql, args![from, to]).await?;
        let names: HashMap<i64, String> = if group_by == GroupBy::Agreement {
            let named: Vec<(i64, String)> = c.fetch_all("SELECT id, name FROM agreements", vec![]).await?;
            named.into_iter().collect()
        } else {
            HashMap::new()
        };
        rows.into_iter()
            .map(|r| {
                let group = match group_by {
                    GroupBy::Agreement => match names.get(&r.agreement_id) {
                        Some(n) => format!("AGR-{} {n}", r.agreement_id),
                        None => format!("AGR-{}", r.agreement_id),
                    },
                    GroupBy::Service => r
                        .service_id
                        .map(|s| format!("SVC-{s}"))
                        .unwrap_or_else(|| "no service".into()),
                    GroupBy::Priority => priority_from_stored(r.priority)?.to_string(),
                };
                let outcome = match (&r.outcome, r.stopped_in_period) {
                    (Some(o), true) => Some(parse_stored("outcome", o, Outcome::parse)?),
                    _ => None,
                };
                Ok(ClockFact {
                    group,
                    metric: parse_stored("metric", &r.metric, Metric::parse)?,
                    outcome,
                    elapsed: r.elapsed,
                    stopped: r.stopped_in_period,
                })
            })
            .collect()
    }
}
