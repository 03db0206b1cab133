//! Availability (8.7.1): outages — the times a service was unavailable, planned or not, with the
//! major incident that reported it, the configuration items it affected and, for an unplanned
//! one, what the investigation found — and the availability each service reached over a period
//! against its target, with the mean time between failures and to restore service. Counted
//! round the clock: an outage is unavailability whenever it happens.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::id::{IncidentId, OutageId, ProblemId, ServiceId};
use crate::lifecycle::Lifecycle;
use crate::patch::{nullable, set};
use crate::record::{RecordKind, check_references, normalise_references};
use crate::validate::{Checker, TEXT_MAX, TITLE_MAX};
use crate::{lifecycle, record};

lifecycle! {
    /// ongoing -> restored -> reviewed; a restored outage may turn out to be ongoing again.
    OutageStatus {
        Ongoing = "ongoing" => [Restored],
        Restored = "restored" => [Reviewed, Ongoing],
        Reviewed = "reviewed" => [],
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Outage {
    pub id: OutageId,
    pub service: ServiceId,
    pub title: String,
    /// Planned unavailability (maintenance) counts against no target and needs no
    /// investigation.
    pub planned: bool,
    pub started_at: DateTime<Utc>,
    /// When service was restored; none while it is ongoing.
    pub ended_at: Option<DateTime<Utc>>,
    /// The (major) incident that reported it.
    pub incident: Option<IncidentId>,
    /// The configuration items it affected, e.g. `CI-4`.
    pub configuration_items: Vec<String>,
    /// What the investigation of an unplanned outage found.
    pub cause: String,
    /// The problem raised to remove its cause.
    pub problem: Option<ProblemId>,
    pub status: OutageStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

record!(Outage, RecordKind::Outage, OutageId);

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOutage {
    pub service: ServiceId,
    pub title: String,
    #[serde(default)]
    pub planned: Option<bool>,
    pub started_at: DateTime<Utc>,
    /// Give it for an outage recorded after the fact; it is then `restored`.
    #[serde(default)]
    pub ended_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub incident: Option<IncidentId>,
    #[serde(default)]
    pub configuration_items: Option<Vec<String>>,
    #[serde(default)]
    pub cause: Option<String>,
    #[serde(default)]
    pub problem: Option<ProblemId>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutagePatch {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub planned: Option<bool>,
    #[serde(default)]
    pub started_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "nullable")]
    pub ended_at: Option<Option<DateTime<Utc>>>,
    #[serde(default, deserialize_with = "nullable")]
    pub incident: Option<Option<IncidentId>>,
    #[serde(default)]
    pub configuration_items: Option<Vec<String>>,
    #[serde(default)]
    pub cause: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub problem: Option<Option<ProblemId>>,
}

/// The body of `POST /api/v1/outages/{ref}/transition`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutageTransition {
    pub to: String,
    /// When service was restored (for `restored`; now if absent).
    #[serde(default)]
    pub at: Option<DateTime<Utc>>,
}

impl Outage {
    pub fn create(input: NewOutage, at: DateTime<Utc>) -> Result<Outage> {
        let o = Outage {
            id: OutageId(0),
            service: input.service,
            title: input.title.trim().to_string(),
            planned: input.planned.unwrap_or(false),
            started_at: input.started_at,
            ended_at: input.ended_at,
            incident: input.incident,
            configuration_items: normalise_references(input.configuration_items.unwrap_or_default()),
            cause: input.cause.unwrap_or_default(),
            problem: input.problem,
            status: if input.ended_at.is_some() {
                OutageStatus::Restored
            } else {
                OutageStatus::Ongoing
            },
            created_at: at,
            updated_at: at,
        };
        let mut c = Checker::new();
        o.check(&mut c, Some(at));
        c.finish()?;
        Ok(o)
    }

    /// Checks the outage; with `now`, also that it did not start or end in the future.
    fn check(&self, c: &mut Checker, now: Option<DateTime<Utc>>) {
        c.line("title", &self.title, TITLE_MAX);
        c.text("cause", &self.cause, TEXT_MAX);
        check_references(c, &self.configuration_items);
        if self
            .configuration_items
            .iter()
            .any(|r| !r.starts_with(&format!("{}-", crate::id::ConfigurationItemId::PREFIX)))
        {
            c.fail("configuration_items", "must name configuration items such as CI-4");
        }
        let future = |t: DateTime<Utc>| now.is_some_and(|n| t > n + Duration::minutes(5));
        if future(self.started_at) {
            c.fail("started_at", "must not be in the future");
        }
        if let Some(end) = self.ended_at {
            if end < self.started_at {
                c.fail("ended_at", "must not be before started_at");
            }
            if future(end) {
                c.fail("ended_at", "must not be in the future");
            }
        }
        match self.status {
            OutageStatus::Ongoing if self.ended_at.is_some() => c.fail(
                "ended_at",
                "an ongoing outage has not ended; move it to restored instead",
            ),
            OutageStatus::Restored | OutageStatus::Reviewed if self.ended_at.is_none() => {
                c.fail("ended_at", "a restored outage needs the time service came back")
            }
            _ => {}
        }
    }

    pub fn apply_patch(&mut self, p: OutagePatch) -> Result<()> {
        let mut next = self.clone();
        set(&mut next.title, p.title.map(|t| t.trim().to_string()));
        set(&mut next.planned, p.planned);
        set(&mut next.started_at, p.started_at);
        set(&mut next.ended_at, p.ended_at);
        set(&mut next.incident, p.incident);
        set(
            &mut next.configuration_items,
            p.configuration_items.map(normalise_references),
        );
        set(&mut next.cause, p.cause);
        set(&mut next.problem, p.problem);
        let mut c = Checker::new();
        next.check(&mut c, None);
        c.finish()?;
        *self = next;
        Ok(())
    }

    /// Restored at `t.at` (or now); reviewed once an unplanned outage's cause is recorded or a
    /// problem is raised for it; ongoing again if service failed again before it was reviewed.
    pub fn transition(&mut self, t: OutageTransition, now: DateTime<Utc>) -> Result<()> {
        let to = self.status.check_move(&t.to)?;
        let mut next = self.clone();
        let mut c = Checker::new();
        match to {
            OutageStatus::Restored => next.ended_at = Some(t.at.unwrap_or(now)),
            OutageStatus::Ongoing => next.ended_at = None,
            OutageStatus::Reviewed => {
                if !next.planned && next.cause.trim().is_empty() && next.problem.is_none() {
                    c.fail(
                        "cause",
                        "an unplanned outage is reviewed once its cause is recorded or a problem is raised for it",
                    );
                }
            }
        }
        next.status = to;
        next.check(&mut c, Some(now));
        c.finish()?;
        *self = next;
        Ok(())
    }
}

/// An outage as the availability figures need it: when it began and ended (`None`: ongoing).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Span {
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
}

/// A service's availability over a period.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Availability {
    pub service: ServiceId,
    pub service_name: String,
    /// The agreed availability, in percent; none if the service has no target.
    pub target_percent: Option<f64>,
    /// The share of the period the service was available, in percent (three decimals).
    pub availability_percent: f64,
    /// Whether it reached its target; none without a target.
    pub met: Option<bool>,
    /// Unplanned unavailability within the period, in seconds (overlapping outages counted once).
    pub downtime_seconds: i64,
    /// Planned unavailability within the period, in seconds; not counted against the target.
    pub planned_seconds: i64,
    /// Unplanned outages that began within the period.
    pub failures: i64,
    /// Mean time between failures: the time available divided by the failures, in seconds.
    pub mtbf_seconds: Option<i64>,
    /// Mean time to restore service of the failures restored, in seconds.
    pub mtrs_seconds: Option<i64>,
    /// Unplanned outages of the period not yet reviewed (their cause not investigated).
    pub unreviewed: i64,
}

/// The length of the union of `spans` clipped to `[from, to)`, with an ongoing span lasting
/// until `now`.
pub fn covered(spans: &[Span], from: DateTime<Utc>, to: DateTime<Utc>, now: DateTime<Utc>) -> Duration {
    let mut parts: Vec<(DateTime<Utc>, DateTime<Utc>)> = spans
        .iter()
        .filter_map(|s| {
            let start = s.started_at.max(from);
            let end = s.ended_at.unwrap_or(now).min(to);
            (end > start).then_some((start, end))
        })
        .collect();
    parts.sort();
    let mut total = Duration::zero();
    let mut current: Option<(DateTime<Utc>, DateTime<Utc>)> = None;
    for (s, e) in parts {
        current = match current {
            Some((cs, ce)) if s <= ce => Some((cs, ce.max(e))),
            Some((cs, ce)) => {
                total += ce - cs;
                Some((s, e))
            }
            None => Some((s, e)),
        };
    }
    if let Some((cs, ce)) = current {
        total += ce - cs;
    }
    total
}

/// Rounds a share to a percentage with three decimals.
fn percent(part: Duration, whole: Duration) -> f64 {
    if whole <= Duration::zero() {
        return 100.0;
    }
    let share = part.num_milliseconds() as f64 / whole.num_milliseconds() as f64;
    (share * 100_000.0).round() / 1000.0
}

/// One service's availability over `[from, to)` from its outages: `(span, planned, reviewed)`.
/// The period ends at `now` if that is earlier, so a period still running is judged on what has
/// passed.
pub fn availability(
    service: ServiceId,
    service_name: &str,
    target_percent: Option<f64>,
    outages: &[(Span, bool, bool)],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Availability {
    let end = to.min(now).max(from);
    let period = end - from;
    let unplanned: Vec<Span> = outages.iter().filter(|(_, p, _)| !p).map(|(s, _, _)| *s).collect();
    let planned: Vec<Span> = outages.iter().filter(|(_, p, _)| *p).map(|(s, _, _)| *s).collect();
    let down = covered(&unplanned, from, end, now);
    let planned_down = covered(&planned, from, end, now);
    let began = |s: &Span| s.started_at >= from && s.started_at < end;
    let failures = unplanned.iter().filter(|s| began(s)).count() as i64;
    let restored: Vec<Duration> = unplanned
        .iter()
        .filter(|s| began(s))
        .filter_map(|s| s.ended_at.map(|e| e - s.started_at))
        .collect();
    let availability_percent = percent(period - down, period);
    let unreviewed = outages.iter().filter(|(s, p, r)| !p && !r && began(s)).count() as i64;
    Availability {
        service,
        service_name: service_name.to_string(),
        target_percent,
        availability_percent,
        met: target_percent.map(|t| availability_percent >= t),
        downtime_seconds: down.num_seconds(),
        planned_seconds: planned_down.num_seconds(),
        failures,
        mtbf_seconds: (failures > 0).then(|| (period - down).num_seconds() / failures),
        mtrs_seconds: (!restored.is_empty())
            .then(|| restored.iter().map(Duration::num_seconds).sum::<i64>() / restored.len() as i64),
        unreviewed,
    }
}

/// A length of time in seconds as hours and minutes, as reports show it: `3h 05m`.
pub fn hours_and_minutes(seconds: i64) -> String {
    format!("{}h {:02}m", seconds / 3600, (seconds % 3600) / 60)
}

/// Reads an availability target given in percent: above 0, at most 100, at most three decimals;
/// kept as thousandths of a percent.
pub fn target_thousandths(c: &mut Checker, field: &str, percent: f64) -> i64 {
    let thousandths = (percent * 1000.0).round();
    if !percent.is_finite() || percent <= 0.0 || percent > 100.0 {
        c.fail(field, "must be a percentage above 0 and at most 100, such as 99.9");
    } else if (thousandths - percent * 1000.0).abs() > 1e-6 {
        c.fail(field, "may have at most three decimals, such as 99.995");
    }
    thousandths as i64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::assert_table;

    fn t(h: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default() + Duration::hours(h)
    }

    fn span(a: i64, b: Option<i64>) -> Span {
        Span {
            started_at: t(a),
            ended_at: b.map(t),
        }
    }

    #[test]
    fn transition_table() {
        use OutageStatus::*;
        assert_table(&[
            (Ongoing, &[Restored][..]),
            (Restored, &[Reviewed, Ongoing]),
            (Reviewed, &[]),
        ]);
    }

    #[test]
    fn overlapping_outages_count_once_and_are_clipped_to_the_period() {
        let spans = [
            span(1, Some(3)),
            span(2, Some(4)),
            span(10, Some(11)),
            span(-5, Some(0)),
        ];
        assert_eq!(covered(&spans, t(0), t(24), t(48)), Duration::hours(4));
        assert_eq!(covered(&spans, t(3), t(24), t(48)), Duration::hours(2));
        // An ongoing outage lasts until now, and no further than the period.
        assert_eq!(covered(&[span(20, None)], t(0), t(24), t(22)), Duration::hours(2));
        assert_eq!(covered(&[span(20, None)], t(0), t(24), t(30)), Duration::hours(4));
        assert_eq!(covered(&[], t(0), t(24), t(30)), Duration::zero());
    }

    #[test]
    fn availability_is_measured_against_the_target() {
        let outages = [
            (span(1, Some(2)), false, true),
            (span(5, Some(5)), false, false),
            (span(10, Some(12)), true, true),
        ];
        let a = availability(ServiceId(1), "Mail", Some(99.0), &outages, t(0), t(100), t(200));
        assert_eq!(a.downtime_seconds, 3600);
        assert_eq!(a.planned_seconds, 7200);
        assert_eq!(a.availability_percent, 99.0);
        assert_eq!(a.met, Some(true));
        assert_eq!(a.failures, 2);
        assert_eq!(a.mtbf_seconds, Some(99 * 3600 / 2));
        assert_eq!(a.mtrs_seconds, Some(1800));
        assert_eq!(a.unreviewed, 1);
        let a = availability(ServiceId(1), "Mail", Some(99.5), &outages, t(0), t(100), t(200));
        assert_eq!(a.met, Some(false));
        // A period still running is judged on what has passed.
        let a = availability(ServiceId(1), "Mail", None, &outages, t(0), t(100), t(4));
        assert_eq!((a.availability_percent, a.met), (75.0, None));
        let none = availability(ServiceId(1), "Mail", Some(99.9), &[], t(0), t(100), t(200));
        assert_eq!(
            (none.availability_percent, none.mtbf_seconds, none.mtrs_seconds),
            (100.0, None, None)
        );
    }

    #[test]
    fn an_outage_is_restored_and_reviewed_in_order() {
        let input = NewOutage {
            service: ServiceId(1),
            title: "Mail down".into(),
            planned: None,
            started_at: t(0),
            ended_at: None,
            incident: Some(IncidentId(4)),
            configuration_items: Some(vec!["ci-3 ".into()]),
            cause: None,
            problem: None,
        };
        let mut o = Outage::create(input.clone(), t(1)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (o.status, o.configuration_items.clone()),
            (OutageStatus::Ongoing, vec!["CI-3".to_string()])
        );
        let to = |s: &str, at: Option<i64>| OutageTransition {
            to: s.into(),
            at: at.map(t),
        };
        assert!(o.transition(to("reviewed", None), t(2)).is_err());
        o.transition(to("restored", Some(2)), t(3))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(o.ended_at, Some(t(2)));
        let e = o.transition(to("reviewed", None), t(3)).unwrap_err().to_string();
        assert!(e.contains("cause"), "{e}");
        o.apply_patch(OutagePatch {
            cause: Some("A full disk on the relay.".into()),
            ..OutagePatch::default()
        })
        .unwrap_or_else(|e| panic!("{e}"));
        o.transition(to("reviewed", None), t(3))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(o.status, OutageStatus::Reviewed);

        let bad = |f: fn(&mut NewOutage), field: &str| {
            let mut i = input.clone();
            f(&mut i);
            let e = Outage::create(i, t(1)).unwrap_err().to_string();
            assert!(e.contains(field), "{field}: {e}");
        };
        bad(|i| i.ended_at = Some(t(-1)), "ended_at");
        bad(|i| i.started_at = t(10), "started_at");
        bad(
            |i| i.configuration_items = Some(vec!["INC-3".into()]),
            "configuration_items",
        );
        bad(|i| i.title = " ".into(), "title");
        let recorded = Outage::create(
            NewOutage {
                ended_at: Some(t(1)),
                ..input
            },
            t(1),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(recorded.status, OutageStatus::Restored);
    }

    #[test]
    fn targets_are_percentages_with_three_decimals() {
        let read = |p: f64| {
            let mut c = Checker::new();
            let v = target_thousandths(&mut c, "availability_target", p);
            c.finish().map(|_| v)
        };
        assert_eq!(read(99.9).ok(), Some(99_900));
        assert_eq!(read(99.995).ok(), Some(99_995));
        assert_eq!(read(100.0).ok(), Some(100_000));
        for bad in [0.0, -1.0, 100.1, 99.9999, f64::NAN] {
            assert!(read(bad).is_err(), "{bad}");
        }
    }
}
