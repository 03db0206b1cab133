//! Demand (8.4.2): what a service is expected to be asked for over a period, set beside what it
//! was. Tickets, incidents and requests are counted from the live records of the service, so
//! that consumption needs no one to record it; any other measure (active users, transactions,
//! mailboxes) has its actual recorded on the forecast.

use chrono::{DateTime, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::capacity::{FIGURE_MAX, three_decimals};
use crate::error::Result;
use crate::id::{DemandForecastId, ServiceId, UserId};
use crate::patch::{nullable, set};
use crate::record::RecordKind;
use crate::validate::{Checker, NAME_MAX, TEXT_MAX, TITLE_MAX};
use crate::{named_enum, record};

/// The longest period one forecast may cover, in months.
const PERIOD_MAX_MONTHS: u32 = 60;

/// How far an actual may stray from its forecast, either way, for the forecast to count as
/// accurate in the live evidence, in per cent.
pub const TOLERANCE_PERCENT: f64 = 20.0;

named_enum! {
    /// What a forecast counts.
    DemandMeasure {
        /// Incidents and requests raised on the service (counted from the records).
        Tickets = "tickets",
        /// Incidents raised on the service (counted).
        Incidents = "incidents",
        /// Service requests raised on the service (counted).
        Requests = "requests",
        /// Anything else, in the forecast's own unit, with its actual recorded.
        Other = "other",
    }
}

impl DemandMeasure {
    /// Whether the actual is counted from the records rather than recorded.
    pub fn counted(self) -> bool {
        self != DemandMeasure::Other
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct DemandForecast {
    pub id: DemandForecastId,
    pub service: ServiceId,
    pub title: String,
    pub measure: DemandMeasure,
    /// The unit of the forecast: the measure's name for counted measures.
    pub unit: String,
    /// The first and the last day of the period (inclusive).
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// What the service is expected to be asked for over the period.
    pub forecast: f64,
    /// What it was, for a measure that is not counted from the records.
    pub actual: Option<f64>,
    pub owner: Option<UserId>,
    pub notes: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

record!(DemandForecast, RecordKind::DemandForecast, DemandForecastId);

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDemandForecast {
    pub service: ServiceId,
    /// Made from the measure and the period if absent.
    #[serde(default)]
    pub title: Option<String>,
    pub measure: DemandMeasure,
    /// Required for `other`; the measure's name otherwise.
    #[serde(default)]
    pub unit: Option<String>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub forecast: f64,
    /// Only for `other`.
    #[serde(default)]
    pub actual: Option<f64>,
    #[serde(default)]
    pub owner: Option<UserId>,
    #[serde(default)]
    pub notes: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DemandForecastPatch {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub unit: Option<String>,
    #[serde(default)]
    pub starts_on: Option<NaiveDate>,
    #[serde(default)]
    pub ends_on: Option<NaiveDate>,
    #[serde(default)]
    pub forecast: Option<f64>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "nullable")]
    pub actual: Option<Option<f64>>,
    #[serde(default, deserialize_with = "nullable")]
    pub owner: Option<Option<UserId>>,
    #[serde(default)]
    pub notes: Option<String>,
}

impl DemandForecast {
    pub fn create(input: NewDemandForecast, at: DateTime<Utc>) -> Result<DemandForecast> {
        let unit = match input.measure {
            DemandMeasure::Other => input.unit.unwrap_or_default().trim().to_string(),
            counted => input
                .unit
                .map(|u| u.trim().to_string())
                .filter(|u| !u.is_empty())
                .unwrap_or_else(|| counted.as_str().to_string()),
        };
        let title = input.title.map(|t| t.trim().to_string()).unwrap_or_default();
        let f = DemandForecast {
            id: DemandForecastId(0),
            service: input.service,
            title: if title.is_empty() {
                format!("{} from {} to {}", unit, input.starts_on, input.ends_on)
            } else {
                title
            },
            measure: input.measure,
            unit,
            starts_on: input.starts_on,
            ends_on: input.ends_on,
            forecast: three_decimals(input.forecast),
            actual: input.actual.map(three_decimals),
            owner: input.owner,
            notes: input.notes.unwrap_or_default().trim().to_string(),
            created_at: at,
            updated_at: at,
        };
        let mut c = Checker::new();
        f.check(&mut c);
        c.finish()?;
        Ok(f)
    }

    fn check(&self, c: &mut Checker) {
        c.line("title", &self.title, TITLE_MAX);
        c.line("unit", &self.unit, NAME_MAX);
        c.text("notes", &self.notes, TEXT_MAX);
        if self.ends_on < self.starts_on {
            c.fail("ends_on", "must be on or after starts_on");
        } else if self
            .starts_on
            .checked_add_months(Months::new(PERIOD_MAX_MONTHS))
            .is_none_or(|limit| self.ends_on >= limit)
        {
            c.fail("ends_on", "a forecast covers at most five years");
        }
        let figure = |v: f64| v.is_finite() && (0.0..=FIGURE_MAX).contains(&v);
        if !figure(self.forecast) {
            c.fail("forecast", format!("must be between 0 and {FIGURE_MAX:e}"));
        }
        match self.actual {
            Some(_) if self.measure.counted() => c.fail(
                "actual",
                format!("{} are counted from the service's records, not recorded", self.measure),
            ),
            Some(a) if !figure(a) => c.fail("actual", format!("must be between 0 and {FIGURE_MAX:e}")),
            _ => {}
        }
    }

    pub fn apply_patch(&mut self, p: DemandForecastPatch) -> Result<()> {
        let mut next = self.clone();
        set(&mut next.title, p.title.map(|t| t.trim().to_string()));
        if !self.measure.counted() {
            set(&mut next.unit, p.unit.map(|u| u.trim().to_string()));
        }
        set(&mut next.starts_on, p.starts_on);
        set(&mut next.ends_on, p.ends_on);
        set(&mut next.forecast, p.forecast.map(three_decimals));
        set(&mut next.actual, p.actual.map(|a| a.map(three_decimals)));
        set(&mut next.owner, p.owner);
        set(&mut next.notes, p.notes.map(|n| n.trim().to_string()));
        let mut c = Checker::new();
        next.check(&mut c);
        c.finish()?;
        *self = next;
        Ok(())
    }
}

/// A forecast set beside what its service was asked for.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct DemandLine {
    pub forecast_id: DemandForecastId,
    pub title: String,
    pub service: ServiceId,
    pub service_name: String,
    pub measure: DemandMeasure,
    pub unit: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub forecast: f64,
    /// Counted from the records (to the report's day) or as recorded; none when not recorded.
    pub actual: Option<f64>,
    /// `(actual - forecast) / forecast`, in per cent: positive when demand ran above forecast.
    pub variance_percent: Option<f64>,
    /// Whether the period has ended by the report's day.
    pub ended: bool,
    /// Whether the actual is within the tolerance of the forecast.
    pub within_tolerance: Option<bool>,
}

impl DemandLine {
    /// The line in a word: `running` until the period ends, then `borne out` (within the
    /// tolerance), `missed`, or `no actual` (none recorded).
    pub fn verdict(&self) -> &'static str {
        match (self.ended, self.within_tolerance) {
            (false, _) => "running",
            (true, Some(true)) => "borne out",
            (true, Some(false)) => "missed",
            (true, None) => "no actual",
        }
    }

    pub fn new(f: &DemandForecast, service_name: String, actual: Option<f64>, today: NaiveDate) -> DemandLine {
        let variance_percent = actual
            .filter(|_| f.forecast > 0.0)
            .map(|a| 100.0 * (a - f.forecast) / f.forecast);
        DemandLine {
            forecast_id: f.id,
            title: f.title.clone(),
            service: f.service,
            service_name,
            measure: f.measure,
            unit: f.unit.clone(),
            starts_on: f.starts_on,
            ends_on: f.ends_on,
            forecast: f.forecast,
            actual,
            variance_percent,
            ended: f.ends_on < today,
            within_tolerance: variance_percent.map(|v| v.abs() <= TOLERANCE_PERCENT),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_790_000_000, 0).unwrap_or_default()
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn forecast(measure: DemandMeasure, unit: Option<&str>, actual: Option<f64>) -> Result<DemandForecast> {
        DemandForecast::create(
            NewDemandForecast {
                service: ServiceId(1),
                title: None,
                measure,
                unit: unit.map(str::to_string),
                starts_on: day(2027, 1, 1),
                ends_on: day(2027, 3, 31),
                forecast: 1_200.0,
                actual,
                owner: None,
                notes: None,
            },
            now(),
        )
    }

    #[test]
    fn counted_measures_take_no_recorded_actual_and_other_measures_name_their_unit() {
        let f = forecast(DemandMeasure::Tickets, None, None).unwrap();
        assert_eq!(f.unit, "tickets");
        assert_eq!(f.title, "tickets from 2027-01-01 to 2027-03-31");
        let e = forecast(DemandMeasure::Incidents, None, Some(3.0)).unwrap_err();
        assert!(e.to_string().contains("actual"), "{e}");
        let e = forecast(DemandMeasure::Other, None, None).unwrap_err();
        assert!(e.to_string().contains("unit"), "{e}");
        let mut f = forecast(DemandMeasure::Other, Some("active users"), Some(1_300.0)).unwrap();
        assert!(forecast(DemandMeasure::Other, Some("users"), Some(-1.0)).is_err());
        f.apply_patch(DemandForecastPatch {
            actual: Some(None),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(f.actual, None);
        let e = f
            .apply_patch(DemandForecastPatch {
                ends_on: Some(day(2026, 12, 31)),
                ..Default::default()
            })
            .unwrap_err();
        assert!(e.to_string().contains("ends_on"), "{e}");
    }

    #[test]
    fn a_line_reads_the_variance_against_the_tolerance() {
        let f = forecast(DemandMeasure::Tickets, None, None).unwrap();
        let line = DemandLine::new(&f, "Email".into(), Some(1_500.0), day(2027, 4, 1));
        assert_eq!(line.variance_percent, Some(25.0));
        assert_eq!(
            (line.ended, line.within_tolerance, line.verdict()),
            (true, Some(false), "missed")
        );
        let line = DemandLine::new(&f, "Email".into(), Some(1_100.0), day(2027, 3, 1));
        assert_eq!((line.ended, line.within_tolerance), (false, Some(true)));
        let line = DemandLine::new(&f, "Email".into(), None, day(2027, 3, 1));
        assert_eq!(line.within_tolerance, None);
    }
}
