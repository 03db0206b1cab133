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

/// Clocks that count in the period and fall into the same report cell and the same second of
/// business time used: what the store reads instead of each clock, so a report over millions of
/// clocks reads thousands of rows. Exact: the mean comes from the summed microseconds, and the
/// 90th percentile, shown to the second, is the same whether rounded before ranking or after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClockTally {
    pub group: String,
    pub metric: Metric,
    /// Whether these clocks stopped in the period as met.
    pub met: bool,
    /// Whether they had stopped by the end of the period.
    pub stopped: bool,
    /// Business time used by each, rounded to the second (half up); only meaningful when stopped.
    pub seconds: i64,
    pub count: u64,
    /// Their business time used, summed in microseconds.
    pub elapsed_sum: i64,
}

impl ClockTally {
    /// The tally of one clock.
    pub fn of(fact: &ClockFact) -> ClockTally {
        ClockTally {
            group: fact.group.clone(),
            metric: fact.metric,
            met: fact.outcome == Some(Outcome::Met),
            stopped: fact.stopped,
            seconds: (fact.elapsed + crate::calendar::MICROS_PER_SECOND / 2) / crate::calendar::MICROS_PER_SECOND,
            count: 1,
            elapsed_sum: fact.elapsed,
        }
    }
}

/// Aggregates facts into rows, sorted by group then metric (response first), with an `all` row
/// per metric at the end.
pub fn aggregate(facts: &[ClockFact]) -> Vec<ReportRow> {
    aggregate_tallies(facts.iter().map(ClockTally::of).collect())
}

/// [`aggregate`] over tallies, in one pass.
pub fn aggregate_tallies(tallies: Vec<ClockTally>) -> Vec<ReportRow> {
    use std::collections::BTreeMap;
    // Per cell, with response before resolution, and `None` (the `all` rows) last.
    let mut cells: BTreeMap<(Option<String>, u8), Vec<ClockTally>> = BTreeMap::new();
    let order = |m: Metric| match m {
        Metric::Response => 0,
        Metric::Resolution => 1,
    };
    for t in tallies {
        cells.entry((None, order(t.metric))).or_default().push(t.clone());
        cells
            .entry((Some(t.group.clone()), order(t.metric)))
            .or_default()
            .push(t);
    }
    let mut rows: Vec<ReportRow> = Vec::with_capacity(cells.len());
    let (groups, all): (Vec<_>, Vec<_>) = cells.into_iter().partition(|((g, _), _)| g.is_some());
    for ((group, _), tallies) in groups.into_iter().chain(all) {
        rows.push(row(group.unwrap_or_else(|| "all".into()), tallies));
    }
    rows
}

fn row(group: String, mut tallies: Vec<ClockTally>) -> ReportRow {
    let metric = tallies.first().map_or(Metric::Response, |t| t.metric);
    let total: u64 = tallies.iter().map(|t| t.count).sum();
    let met: u64 = tallies.iter().filter(|t| t.met).map(|t| t.count).sum();
    tallies.retain(|t| t.stopped);
    tallies.sort_unstable_by_key(|t| t.seconds);
    let stopped: u64 = tallies.iter().map(|t| t.count).sum();
    let secs = |micros: i64| micros / crate::calendar::MICROS_PER_SECOND;
    // Shown to the second: nobody reads service levels in microseconds.
    let whole = |micros: i64| {
        (micros + crate::calendar::MICROS_PER_SECOND / 2) / crate::calendar::MICROS_PER_SECOND
            * crate::calendar::MICROS_PER_SECOND
    };
    let mean = (stopped > 0).then(|| whole(tallies.iter().map(|t| t.elapsed_sum).sum::<i64>() / stopped as i64));
    // Nearest rank: the smallest value with at least 90% of the clocks at or below it.
    let p90 = (stopped > 0).then(|| {
        let rank = (stopped * 9).div_ceil(10);
        let mut seen = 0;
        tallies
            .iter()
            .find(|t| {
                seen += t.count;
                seen >= rank
            })
            .map_or(0, |t| t.seconds * crate::calendar::MICROS_PER_SECOND)
    });
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

    #[test]
    fn tallies_merged_by_cell_and_second_give_the_rows_of_the_clocks_one_by_one() {
        use Metric::*;
        use Outcome::*;
        // Clocks with sub-second times that round up and down, repeated values, open ones.
        let mut facts = Vec::new();
        for i in 0..3000_i64 {
            let group = ["AGR-1 Gold", "AGR-2 Silver", "no service"][(i % 3) as usize];
            let metric = if i % 2 == 0 { Response } else { Resolution };
            let stopped = i % 7 != 0;
            let outcome = stopped.then_some(if i % 5 == 0 { Breached } else { Met });
            let elapsed = (i % 37) * 60_000_000 + (i % 4) * 250_000 + i % 3;
            facts.push(ClockFact {
                group: group.into(),
                metric,
                outcome,
                elapsed,
                stopped,
            });
        }
        let mut merged: Vec<ClockTally> = Vec::new();
        for t in facts.iter().map(ClockTally::of) {
            let t = if t.stopped { t } else { ClockTally { seconds: 0, ..t } };
            match merged.iter_mut().find(|m| {
                (&m.group, m.metric, m.met, m.stopped, m.seconds) == (&t.group, t.metric, t.met, t.stopped, t.seconds)
            }) {
                Some(m) => {
                    m.count += t.count;
                    m.elapsed_sum += t.elapsed_sum;
                }
                None => merged.push(t),
            }
        }
        assert!(merged.len() < facts.len() / 2, "the tallies are fewer than the clocks");
        merged.reverse();
        assert_eq!(aggregate_tallies(merged), aggregate(&facts));
    }
}
