//! Service level reports: for a period, how many clocks met or breached their targets, and how
//! long responding and resolving took in business time, grouped as the reader asks.

use serde::{Deserialize, Serialize};

use crate::calendar::format_duration;
use crate::clock::{Metric, Outcome};
use crate::named_enum;

named_enum! {
    /// How report rows are grouped.
    GroupBy { Agreement = "agreement", Service = "service", Priority = "priority" }
}

/// One clock that counts in the period: it stopped in it (met or breached), or it is still open
/// and its target ran out in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClockFact {
    /// The group's label: an agreement or service reference, or a priority.
    pub group: String,
    pub metric: Metric,
    pub outcome: Option<Outcome>,
    /// Business time used, in microseconds (for open clocks, up to the end of the period).
    pub elapsed: i64,
    /// Whether the clock had stopped by the end of the period.
    pub stopped: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReportRow {
    pub group: String,
    pub metric: Metric,
    /// Clocks counted: met plus breached.
    pub total: u64,
    pub met: u64,
    pub breached: u64,
    /// met / total, in percent with two decimals; absent when nothing was counted.
    pub attainment_percent: Option<f64>,
    /// Over the clocks that stopped in the period: the mean and the 90th percentile (nearest
    /// rank) of business time used, as ISO 8601.
    pub mean_time: Option<String>,
    pub p90_time: Option<String>,
    pub mean_seconds: Option<i64>,
    pub p90_seconds: Option<i64>,
}

/// Aggregates facts into rows, sorted by group then metric (response first), with an `all` row
/// per metric at the end.
pub fn aggregate(facts: &[ClockFact]) -> Vec<ReportRow> {
    let mut groups: Vec<String> = facts.iter().map(|f| f.group.clone()).collect();
    groups.sort();
    groups.dedup();
    let mut rows = Vec::new();
    for group in groups.iter().map(Some).chain(std::iter::once(None)) {
        for metric in [Metric::Response, Metric::Resolution] {
            let selected: Vec<&ClockFact> = facts
                .iter()
                .filter(|f| f.metric == metric && group.is_none_or(|g| &f.group == g))
                .collect();
            if selected.is_empty() {
                continue;
            }
            rows.push(row(group.cloned().unwrap_or_else(|| "all".into()), metric, &selected));
        }
    }
    rows
}

fn row(group: String, metric: Metric, facts: &[&ClockFact]) -> ReportRow {
    let met = facts.iter().filter(|f| f.outcome == Some(Outcome::Met)).count() as u64;
    let total = facts.len() as u64;
    let mut times: Vec<i64> = facts.iter().filter(|f| f.stopped).map(|f| f.elapsed).collect();
    times.sort_unstable();
    let secs = |micros: i64| micros / crate::calendar::MICROS_PER_SECOND;
    // Shown to the second: nobody reads service levels in microseconds.
    let whole = |micros: i64| {
        (micros + crate::calendar::MICROS_PER_SECOND / 2) / crate::calendar::MICROS_PER_SECOND
            * crate::calendar::MICROS_PER_SECOND
    };
    let mean = (!times.is_empty()).then(|| whole(times.iter().sum::<i64>() / times.len() as i64));
    let p90 = (!times.is_empty()).then(|| whole(times[(times.len() * 9).div_ceil(10) - 1]));
    ReportRow {
        group,
        metric,
        total,
        met,
        breached: total - met,
        attainment_percent: (total > 0).then(|| (met as f64 * 10_000.0 / total as f64).round() / 100.0),
        mean_time: mean.map(format_duration),
        p90_time: p90.map(format_duration),
        mean_seconds: mean.map(secs),
        p90_seconds: p90.map(secs),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fact(group: &str, metric: Metric, outcome: Option<Outcome>, minutes: i64, stopped: bool) -> ClockFact {
        ClockFact {
            group: group.into(),
            metric,
            outcome,
            elapsed: minutes * 60_000_000,
            stopped,
        }
    }

    #[test]
    fn attainment_means_and_percentiles_by_hand() {
        use Metric::*;
        use Outcome::*;
        let mut facts = Vec::new();
        // P1: ten resolutions taking 10..=100 minutes; the last two breached.
        for m in 1..=10 {
            facts.push(fact(
                "P1",
                Resolution,
                Some(if m <= 8 { Met } else { Breached }),
                m * 10,
                true,
            ));
        }
        // P2: one open clock already breached, one met response.
        facts.push(fact("P2", Resolution, None, 500, false));
        facts.push(fact("P2", Response, Some(Met), 30, true));
        let rows = aggregate(&facts);
        let p1 = rows.iter().find(|r| r.group == "P1" && r.metric == Resolution).unwrap();
        assert_eq!((p1.total, p1.met, p1.breached), (10, 8, 2));
        assert_eq!(p1.attainment_percent, Some(80.0));
        assert_eq!(p1.mean_time.as_deref(), Some("PT55M"));
        assert_eq!(p1.p90_time.as_deref(), Some("PT1H30M"), "nearest rank: the 9th of 10");
        let p2 = rows.iter().find(|r| r.group == "P2" && r.metric == Resolution).unwrap();
        assert_eq!((p2.total, p2.met, p2.breached, p2.mean_time.clone()), (1, 0, 1, None));
        let all = rows
            .iter()
            .find(|r| r.group == "all" && r.metric == Resolution)
            .unwrap();
        assert_eq!((all.total, all.met), (11, 8));
        assert_eq!(all.attainment_percent, Some(72.73));
        assert_eq!(rows.last().unwrap().group, "all");
    }
}
