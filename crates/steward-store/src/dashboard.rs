//! The dashboard's counts: a handful of grouped statements, each read through an index.

use steward_core::Result;
use steward_core::dashboard::{AGE_BANDS, BacklogCell, Dashboard, Week};

use crate::{Store, args, priority_from_stored};

const HOUR: i64 = 3_600_000_000;
const WEEK: i64 = 7 * 24 * HOUR;

impl Store {
    /// The dashboard for the `weeks` weeks ending at `now` (microseconds).
    pub async fn dashboard(&self, now: i64, weeks: u32) -> Result<Dashboard> {
        let weeks = weeks.clamp(1, 104);
        let from = now - i64::from(weeks) * WEEK;
        let mut c = self.read().await?;

        // Cast, since PostgreSQL types a CASE of integer literals as a 4-byte integer.
        let mut band = String::from("CAST(CASE");
        for (i, (_, hours)) in AGE_BANDS.iter().enumerate().take(AGE_BANDS.len() - 1) {
            band.push_str(&format!(" WHEN created_at > $1 - {} THEN {i}", hours * HOUR));
        }
        band.push_str(&format!(" ELSE {} END AS BIGINT)", AGE_BANDS.len() - 1));
        let open = "status IN ('new', 'in_progress', 'pending')";
        let sql = format!(
            "SELECT priority, band, COUNT(*) FROM (\
               SELECT priority, {band} AS band FROM incidents WHERE {open} \
               UNION ALL SELECT priority, {band} AS band FROM requests WHERE {open}) t \
             GROUP BY priority, band ORDER BY priority, band"
        );
        let rows: Vec<(i64, i64, i64)> = c.fetch_all(&sql, args![now]).await?;
        let mut backlog = Vec::with_capacity(rows.len());
        for (priority, band, count) in rows {
            backlog.push(BacklogCell {
                priority: priority_from_stored(priority)?,
                band: usize::try_from(band).unwrap_or(0).min(AGE_BANDS.len() - 1),
                count,
            });
        }

        let mut series = vec![Week::default(); weeks as usize];
        let n = series.len();
        let week_of = |bucket: i64| usize::try_from(bucket).ok().filter(|b| *b < n);
        let rows: Vec<(i64, String, i64)> = c
            .fetch_all(
                "SELECT (stopped_at - $1) / $2 AS week, outcome, COUNT(*) FROM sla_clocks \
                 WHERE record_kind IN ('incident', 'request') AND stopped_at >= $1 AND stopped_at < $3 \
                   AND outcome IN ('met', 'breached') AND scope = 'sla' \
                 GROUP BY week, outcome",
                args![from, WEEK, now],
            )
            .await?;
        for (bucket, outcome, count) in rows {
            if let Some(w) = week_of(bucket) {
                if outcome == "met" {
                    series[w].clocks_met += count;
                } else {
                    series[w].clocks_breached += count;
                }
            }
        }
        let rows: Vec<(i64, i64, i64)> = c
            .fetch_all(
                "SELECT (resolved_at - $1) / $2 AS week, COUNT(*), CAST(SUM(resolved_at - created_at) AS BIGINT) \
                 FROM incidents WHERE resolved_at >= $1 AND resolved_at < $3 GROUP BY week",
                args![from, WEEK, now],
            )
            .await?;
        for (bucket, count, sum) in rows {
            if let Some(w) = week_of(bucket) {
                series[w].resolved += count;
                series[w].resolve_micros += sum;
            }
        }

        let incidents_by_service: Vec<(Option<i64>, i64)> = c
            .fetch_all(
                "SELECT service_id, COUNT(*) AS n FROM incidents WHERE created_at >= $1 AND created_at < $2 \
                 GROUP BY service_id ORDER BY n DESC, service_id",
                args![from, now],
            )
            .await?;
        let change_outcomes: Vec<(String, i64)> = c
            .fetch_all(
                "SELECT outcome, COUNT(*) FROM changes WHERE closed_at >= $1 AND closed_at < $2 \
                 AND outcome IS NOT NULL GROUP BY outcome ORDER BY outcome",
                args![from, now],
            )
            .await?;
        Ok(Dashboard {
            backlog,
            weeks: series,
            incidents_by_service,
            change_outcomes,
        })
    }
}
