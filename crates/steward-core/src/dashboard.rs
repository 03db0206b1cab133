//! The figures behind the dashboards: the open backlog by priority and age, and weekly series
//! (service level attainment, mean time to resolve, incidents by service, change outcomes) over
//! a period that ends now. The store counts; this module names the buckets and turns counts into
//! rates.

use serde::Serialize;

use crate::priority::Priority;

/// Age bands of an open ticket, by how long ago it was raised: upper bounds in hours.
pub const AGE_BANDS: [(&str, i64); 5] = [
    ("under a day", 24),
    ("1-3 days", 72),
    ("3-7 days", 168),
    ("1-4 weeks", 672),
    ("over 4 weeks", i64::MAX),
];

/// Open tickets (incidents and requests) of one priority and age band.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BacklogCell {
    pub priority: Priority,
    /// Index into [`AGE_BANDS`].
    pub band: usize,
    pub count: i64,
}

/// One week's counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Week {
    /// Service level clocks that stopped this week within their target, and past it.
    pub clocks_met: i64,
    pub clocks_breached: i64,
    /// Incidents resolved this week, and the sum of their times from raised to resolved (µs).
    pub resolved: i64,
    pub resolve_micros: i64,
}

impl Week {
    /// The share of stopped clocks that met their target, in percent; `None` with none stopped.
    pub fn attainment(&self) -> Option<f64> {
        let all = self.clocks_met + self.clocks_breached;
        (all > 0).then(|| 100.0 * self.clocks_met as f64 / all as f64)
    }

    /// Mean time from raised to resolved, in hours; `None` with nothing resolved.
    pub fn mean_hours_to_resolve(&self) -> Option<f64> {
        (self.resolved > 0).then(|| self.resolve_micros as f64 / self.resolved as f64 / 3_600_000_000.0)
    }
}

/// Everything the service dashboard shows.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Dashboard {
    pub backlog: Vec<BacklogCell>,
    /// The oldest first; the last one ends now.
    pub weeks: Vec<Week>,
    /// Incidents raised in the period per service (`None`: no service given), most first.
    pub incidents_by_service: Vec<(Option<i64>, i64)>,
    /// Changes closed in the period with each recorded outcome.
    pub change_outcomes: Vec<(String, i64)>,
}

impl Dashboard {
    /// The share of changes closed in the period that were successful (with or without issues).
    pub fn change_success_rate(&self) -> Option<f64> {
        let all: i64 = self.change_outcomes.iter().map(|(_, n)| n).sum();
        let good: i64 = self
            .change_outcomes
            .iter()
            .filter(|(o, _)| o == "successful" || o == "successful_with_issues")
            .map(|(_, n)| n)
            .sum();
        (all > 0).then(|| 100.0 * good as f64 / all as f64)
    }

    pub fn backlog_total(&self) -> i64 {
        self.backlog.iter().map(|c| c.count).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_and_means() {
        let w = Week {
            clocks_met: 3,
            clocks_breached: 1,
            resolved: 2,
            resolve_micros: 2 * 3 * 3_600_000_000,
        };
        assert_eq!(w.attainment(), Some(75.0));
        assert_eq!(w.mean_hours_to_resolve(), Some(3.0));
        assert_eq!(Week::default().attainment(), None);
        assert_eq!(Week::default().mean_hours_to_resolve(), None);
        let d = Dashboard {
            change_outcomes: vec![
                ("successful".into(), 6),
                ("successful_with_issues".into(), 1),
                ("failed".into(), 2),
                ("backed_out".into(), 1),
            ],
            ..Dashboard::default()
        };
        assert_eq!(d.change_success_rate(), Some(70.0));
        assert_eq!(Dashboard::default().change_success_rate(), None);
    }
}
