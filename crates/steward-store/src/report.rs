//! The facts behind service level reports, tallied by the database in one query.

use std::collections::HashMap;

use steward_core::Result;
use steward_core::clock::Metric;
use steward_core::report::{ClockTally, GroupBy};

use crate::{Store, args, parse_stored, priority_from_stored};

#[derive(sqlx::FromRow)]
struct TallyRow {
    grp: Option<i64>,
    metric: String,
    met: bool,
    stopped: bool,
    seconds: i64,
    count: i64,
    elapsed_sum: i64,
}

impl Store {
    /// The clocks that count in `[from, to)` (microseconds) — stopped in it as met or breached,
    /// or still open at its end with its target run out within it — tallied by report cell,
    /// outcome and second of business time used (see [`ClockTally`]), by the database.
    pub async fn sla_tallies(&self, from: i64, to: i64, group_by: GroupBy) -> Result<Vec<ClockTally>> {
        let one = |table: &str, kind: &str| {
            // Only a grouping by the ticket's own fields needs the ticket.
            let (grp, join) = match group_by {
                GroupBy::Agreement => ("c.agreement_id".to_string(), String::new()),
                GroupBy::Service => ("t.service_id".into(), format!(" JOIN {table} t ON t.id = c.record_id")),
                GroupBy::Priority => ("t.priority".into(), format!(" JOIN {table} t ON t.id = c.record_id")),
            };
            // Two disjoint halves, each read through its own index: clocks stopped in the
            // period, and clocks still open at its end whose target ran out in it.
            let select = format!(
                "SELECT {grp} AS grp, c.metric, c.outcome, c.elapsed, \
                 (c.stopped_at IS NOT NULL AND c.stopped_at < $2) AS stopped FROM sla_clocks c{join}"
            );
            format!(
                "{select} WHERE c.record_kind = '{kind}' AND c.stopped_at >= $1 AND c.stopped_at < $2 \
                   AND c.outcome IN ('met', 'breached') \
                 UNION ALL {select} WHERE c.record_kind = '{kind}' AND c.breached_at >= $1 AND c.breached_at < $2 \
                   AND (c.stopped_at IS NULL OR c.stopped_at >= $2) AND (c.outcome IS NULL OR c.outcome IN ('met', 'breached'))"
            )
        };
        let sql = format!(
            "SELECT grp, metric, met, stopped, seconds, COUNT(*) AS count, CAST(SUM(elapsed) AS BIGINT) AS elapsed_sum \
             FROM (SELECT grp, metric, elapsed, stopped, \
                     (stopped AND outcome IS NOT NULL AND outcome = 'met') AS met, \
                     CASE WHEN stopped THEN (elapsed + $3) / $4 ELSE 0 END AS seconds \
                   FROM ({} UNION ALL {}) f) g \
             GROUP BY grp, metric, met, stopped, seconds",
            one("incidents", "incident"),
            one("requests", "request")
        );
        let second = steward_core::calendar::MICROS_PER_SECOND;
        let mut c = self.read().await?;
        let rows: Vec<TallyRow> = c.fetch_all(&sql, args![from, to, second / 2, second]).await?;
        let names: HashMap<i64, String> = if group_by == GroupBy::Agreement {
            let named: Vec<(i64, String)> = c.fetch_all("SELECT id, name FROM agreements", vec![]).await?;
            named.into_iter().collect()
        } else {
            HashMap::new()
        };
        rows.into_iter()
            .map(|r| {
                let group = match (group_by, r.grp) {
                    (GroupBy::Agreement, Some(a)) => match names.get(&a) {
                        Some(n) => format!("AGR-{a} {n}"),
                        None => format!("AGR-{a}"),
                    },
                    (GroupBy::Service, Some(s)) => format!("SVC-{s}"),
                    (GroupBy::Service, None) => "no service".into(),
                    (GroupBy::Priority, Some(p)) => priority_from_stored(p)?.to_string(),
                    (_, None) => {
                        return Err(steward_core::Error::unexpected(
                            "a clock without its agreement or priority",
                        ));
                    }
                };
                Ok(ClockTally {
                    group,
                    metric: parse_stored("metric", &r.metric, Metric::parse)?,
                    met: r.met,
                    stopped: r.stopped,
                    seconds: r.seconds,
                    count: u64::try_from(r.count).unwrap_or(0),
                    elapsed_sum: r.elapsed_sum,
                })
            })
            .collect()
    }
}
