//! Capacity (8.4.3): what a service needs to meet its demand — people, technical resources,
//! information, money — each as a requirement with how much of it there is (its capacity, in a
//! unit of its own) and the utilisation at which it warns and at which it is critical. Readings
//! of utilisation arrive one at a time or imported from monitoring in bulk; the capacity report
//! sets each requirement's latest and peak reading against its thresholds, beside the incidents
//! flagged as capacity-related (linked to the requirement). The capacity plan itself is a
//! controlled document (type `plan`, naming requirement 8.4.3) with its review date.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::id::{CapacityRequirementId, ConfigurationItemId, ServiceId, UserId};
use crate::patch::{nullable, set};
use crate::record::RecordKind;
use crate::validate::{Checker, NAME_MAX, TEXT_MAX, TITLE_MAX};
use crate::{named_enum, record};

/// The largest figure a capacity, a reading or a forecast may hold: far past any real count of
/// people, gigabytes or transactions, and kept (in thousandths) far from overflowing.
pub const FIGURE_MAX: f64 = 1e12;

/// A figure to the three decimals it is kept to.
pub fn three_decimals(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

/// A figure as people read it: at most three decimals, no trailing zeros (`1500`, `87.25`).
pub fn format_figure(v: f64) -> String {
    let s = format!("{v:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The most readings one import may carry.
pub const READINGS_IMPORT_MAX: usize = 5_000;

named_enum! {
    /// The four kinds of resource the standard asks capacity to be planned for.
    CapacityKind {
        /// People and their skills (agents on the desk, engineers on call).
        Human = "human",
        /// Infrastructure and applications (storage, compute, licences, bandwidth).
        Technical = "technical",
        /// Information the service needs to hold or process.
        Information = "information",
        /// Money to provide the service.
        Financial = "financial",
    }
}

named_enum! {
    /// How a reading reached Steward.
    ReadingSource {
        Recorded = "recorded",
        Imported = "imported",
    }
}

named_enum! {
    /// Where a requirement's latest reading stands against its thresholds.
    CapacityState {
        /// Below the warning threshold.
        Ok = "ok",
        /// At or past the warning threshold, below the critical one.
        Warning = "warning",
        /// At or past the critical threshold.
        Critical = "critical",
        /// No reading in the period.
        Unmeasured = "unmeasured",
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CapacityRequirement {
    pub id: CapacityRequirementId,
    pub service: ServiceId,
    pub kind: CapacityKind,
    /// What is needed, e.g. "Mailbox storage" or "Service desk agents".
    pub title: String,
    /// The unit readings and the capacity are in, e.g. "GB", "agents", "licences".
    pub unit: String,
    /// How much there is: the figure utilisation is read against.
    pub capacity: f64,
    /// Utilisation, in per cent of the capacity, at which the requirement warns.
    pub warning_percent: f64,
    /// Utilisation at which it is critical (at or above the warning threshold).
    pub critical_percent: f64,
    /// The component that provides it, if one does.
    pub configuration_item: Option<ConfigurationItemId>,
    pub owner: Option<UserId>,
    pub notes: String,
    /// Retired requirements keep their readings but leave the report and the evidence.
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

record!(
    CapacityRequirement,
    RecordKind::CapacityRequirement,
    CapacityRequirementId
);

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCapacityRequirement {
    pub service: ServiceId,
    pub kind: CapacityKind,
    pub title: String,
    pub unit: String,
    pub capacity: f64,
    /// 80 if absent.
    #[serde(default)]
    pub warning_percent: Option<f64>,
    /// 95 if absent.
    #[serde(default)]
    pub critical_percent: Option<f64>,
    #[serde(default)]
    pub configuration_item: Option<ConfigurationItemId>,
    #[serde(default)]
    pub owner: Option<UserId>,
    #[serde(default)]
    pub notes: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CapacityRequirementPatch {
    #[serde(default)]
    pub kind: Option<CapacityKind>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub unit: Option<String>,
    #[serde(default)]
    pub capacity: Option<f64>,
    #[serde(default)]
    pub warning_percent: Option<f64>,
    #[serde(default)]
    pub critical_percent: Option<f64>,
    #[serde(default, deserialize_with = "nullable")]
    pub configuration_item: Option<Option<ConfigurationItemId>>,
    #[serde(default, deserialize_with = "nullable")]
    pub owner: Option<Option<UserId>>,
    #[serde(default)]
    pub notes: Option<String>,
    #[serde(default)]
    pub active: Option<bool>,
}

impl CapacityRequirement {
    pub fn create(input: NewCapacityRequirement, at: DateTime<Utc>) -> Result<CapacityRequirement> {
        let r = CapacityRequirement {
            id: CapacityRequirementId(0),
            service: input.service,
            kind: input.kind,
            title: input.title.trim().to_string(),
            unit: input.unit.trim().to_string(),
            capacity: three_decimals(input.capacity),
            warning_percent: three_decimals(input.warning_percent.unwrap_or(80.0)),
            critical_percent: three_decimals(input.critical_percent.unwrap_or(95.0)),
            configuration_item: input.configuration_item,
            owner: input.owner,
            notes: input.notes.unwrap_or_default().trim().to_string(),
            active: true,
            created_at: at,
            updated_at: at,
        };
        let mut c = Checker::new();
        r.check(&mut c);
        c.finish()?;
        Ok(r)
    }

    fn check(&self, c: &mut Checker) {
        c.line("title", &self.title, TITLE_MAX);
        c.line("unit", &self.unit, NAME_MAX);
        c.text("notes", &self.notes, TEXT_MAX);
        if !(self.capacity.is_finite() && self.capacity >= 0.001 && self.capacity <= FIGURE_MAX) {
            c.fail("capacity", format!("must be at least 0.001 and at most {FIGURE_MAX:e}"));
        }
        let percent = |v: f64| v.is_finite() && v > 0.0 && v <= 100.0;
        if !percent(self.warning_percent) {
            c.fail("warning_percent", "must be more than 0 and at most 100");
        }
        if !percent(self.critical_percent) {
            c.fail("critical_percent", "must be more than 0 and at most 100");
        } else if percent(self.warning_percent) && self.critical_percent < self.warning_percent {
            c.fail("critical_percent", "must be at or above warning_percent");
        }
    }

    pub fn apply_patch(&mut self, p: CapacityRequirementPatch) -> Result<()> {
        let mut next = self.clone();
        set(&mut next.kind, p.kind);
        set(&mut next.title, p.title.map(|t| t.trim().to_string()));
        set(&mut next.unit, p.unit.map(|u| u.trim().to_string()));
        set(&mut next.capacity, p.capacity.map(three_decimals));
        set(&mut next.warning_percent, p.warning_percent.map(three_decimals));
        set(&mut next.critical_percent, p.critical_percent.map(three_decimals));
        set(&mut next.configuration_item, p.configuration_item);
        set(&mut next.owner, p.owner);
        set(&mut next.notes, p.notes.map(|n| n.trim().to_string()));
        set(&mut next.active, p.active);
        let mut c = Checker::new();
        next.check(&mut c);
        c.finish()?;
        *self = next;
        Ok(())
    }

    /// Where a reading of `value` stands against the thresholds.
    pub fn state_of(&self, value: f64) -> CapacityState {
        let percent = 100.0 * value / self.capacity;
        if percent >= self.critical_percent {
            CapacityState::Critical
        } else if percent >= self.warning_percent {
            CapacityState::Warning
        } else {
            CapacityState::Ok
        }
    }
}

/// One measurement of how much of a requirement's capacity was in use.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Reading {
    pub requirement: CapacityRequirementId,
    pub measured_at: DateTime<Utc>,
    /// In the requirement's unit.
    pub value: f64,
    pub source: ReadingSource,
    pub recorded_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
}

/// A reading as it is given: of the requirement in the path, or of the one it names in an
/// import.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewReading {
    /// Named in an import; taken from the path otherwise.
    #[serde(default)]
    pub requirement: Option<CapacityRequirementId>,
    /// Now if absent; never in the future.
    #[serde(default)]
    pub measured_at: Option<DateTime<Utc>>,
    pub value: f64,
}

/// The body of `POST /api/v1/capacity-requirements/readings/import`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReadingImport {
    /// At most 5,000, each naming its requirement.
    pub readings: Vec<NewReading>,
}

/// What an import wrote: readings already held (the same requirement at the same instant) are
/// skipped, so a file sent twice counts once.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ReadingsImported {
    pub created: i64,
    pub skipped: i64,
}

impl Reading {
    /// A reading of `requirement` (the path's, or the one the input names), checked.
    pub fn create(
        requirement: Option<CapacityRequirementId>,
        input: NewReading,
        source: ReadingSource,
        recorded_by: Option<UserId>,
        at: DateTime<Utc>,
    ) -> Result<Reading> {
        let mut c = Checker::new();
        let requirement = match (requirement, input.requirement) {
            (Some(path), Some(named)) if path != named => {
                c.fail(
                    "requirement",
                    format!("names {named}, but the reading is posted to {path}"),
                );
                path
            }
            (Some(r), _) | (None, Some(r)) => r,
            (None, None) => {
                c.fail("requirement", "name the capacity requirement read, e.g. CAP-3");
                CapacityRequirementId(0)
            }
        };
        let measured_at = input.measured_at.unwrap_or(at);
        // A minute's grace for a monitoring clock running a little ahead.
        if measured_at > at + Duration::minutes(1) {
            c.fail("measured_at", "must not be in the future");
        }
        if !(input.value.is_finite() && input.value >= 0.0 && input.value <= FIGURE_MAX) {
            c.fail("value", format!("must be between 0 and {FIGURE_MAX:e}"));
        }
        c.finish()?;
        Ok(Reading {
            requirement,
            measured_at,
            value: three_decimals(input.value),
            source,
            recorded_by,
            created_at: at,
        })
    }
}

impl ReadingImport {
    /// Every line checked, its errors named `readings[i].field`; all or none.
    pub fn readings(self, recorded_by: Option<UserId>, at: DateTime<Utc>) -> Result<Vec<Reading>> {
        if self.readings.is_empty() || self.readings.len() > READINGS_IMPORT_MAX {
            return Err(Error::invalid(
                "readings",
                format!("must hold 1 to {READINGS_IMPORT_MAX} readings"),
            ));
        }
        let mut out = Vec::with_capacity(self.readings.len());
        let mut fields = Vec::new();
        for (i, r) in self.readings.into_iter().enumerate() {
            match Reading::create(None, r, ReadingSource::Imported, recorded_by, at) {
                Ok(r) => out.push(r),
                Err(Error::Invalid(errors)) => fields.extend(errors.into_iter().map(|mut f| {
                    f.field = format!("readings[{i}].{}", f.field);
                    f
                })),
                Err(other) => return Err(other),
            }
        }
        if fields.is_empty() {
            Ok(out)
        } else {
            Err(Error::Invalid(fields))
        }
    }
}

/// A requirement's utilisation over a period, against its thresholds.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CapacityUse {
    pub requirement: CapacityRequirementId,
    pub title: String,
    pub service: ServiceId,
    pub service_name: String,
    pub kind: CapacityKind,
    pub unit: String,
    pub capacity: f64,
    pub warning_percent: f64,
    pub critical_percent: f64,
    /// Readings taken in the period.
    pub readings: i64,
    /// The last reading in the period, and when it was taken.
    pub latest_value: Option<f64>,
    pub latest_at: Option<DateTime<Utc>>,
    pub latest_percent: Option<f64>,
    /// The highest and the mean reading in the period.
    pub peak_value: Option<f64>,
    pub peak_percent: Option<f64>,
    pub mean_value: Option<f64>,
    /// Where the latest reading stands.
    pub state: CapacityState,
    /// Incidents raised in the period and linked to the requirement (capacity-related).
    pub incidents: i64,
}

impl CapacityUse {
    /// The row of `r` before its readings are counted.
    pub fn new(r: &CapacityRequirement, service_name: String) -> CapacityUse {
        CapacityUse {
            requirement: r.id,
            title: r.title.clone(),
            service: r.service,
            service_name,
            kind: r.kind,
            unit: r.unit.clone(),
            capacity: r.capacity,
            warning_percent: r.warning_percent,
            critical_percent: r.critical_percent,
            readings: 0,
            latest_value: None,
            latest_at: None,
            latest_percent: None,
            peak_value: None,
            peak_percent: None,
            mean_value: None,
            state: CapacityState::Unmeasured,
            incidents: 0,
        }
    }

    /// Sets the figures from the period's readings and works out the state.
    pub fn settle(&mut self, r: &CapacityRequirement) {
        let share = |v: f64| 100.0 * v / self.capacity;
        self.latest_percent = self.latest_value.map(share);
        self.peak_percent = self.peak_value.map(share);
        self.state = self
            .latest_value
            .map(|v| r.state_of(v))
            .unwrap_or(CapacityState::Unmeasured);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_790_000_000, 0).unwrap_or_default()
    }

    fn storage() -> NewCapacityRequirement {
        NewCapacityRequirement {
            service: ServiceId(1),
            kind: CapacityKind::Technical,
            title: "Mailbox storage".into(),
            unit: "GB".into(),
            capacity: 2_000.0,
            warning_percent: None,
            critical_percent: None,
            configuration_item: None,
            owner: None,
            notes: None,
        }
    }

    #[test]
    fn thresholds_are_shares_of_a_positive_capacity_and_critical_is_not_below_warning() {
        let r = CapacityRequirement::create(storage(), now()).unwrap();
        assert_eq!((r.warning_percent, r.critical_percent), (80.0, 95.0));
        assert_eq!(r.state_of(1_000.0), CapacityState::Ok);
        assert_eq!(r.state_of(1_600.0), CapacityState::Warning);
        assert_eq!(r.state_of(1_900.0), CapacityState::Critical);
        for (capacity, warning, critical, field) in [
            (0.0, None, None, "capacity"),
            (f64::NAN, None, None, "capacity"),
            (f64::INFINITY, None, None, "capacity"),
            (10.0, Some(0.0), None, "warning_percent"),
            (10.0, Some(90.0), Some(80.0), "critical_percent"),
            (10.0, None, Some(101.0), "critical_percent"),
        ] {
            let e = CapacityRequirement::create(
                NewCapacityRequirement {
                    capacity,
                    warning_percent: warning,
                    critical_percent: critical,
                    ..storage()
                },
                now(),
            )
            .unwrap_err();
            assert!(e.to_string().contains(field), "{field}: {e}");
        }
        let mut r = r;
        let e = r
            .apply_patch(CapacityRequirementPatch {
                warning_percent: Some(99.0),
                ..Default::default()
            })
            .unwrap_err();
        assert!(e.to_string().contains("critical_percent"), "{e}");
        assert_eq!(r.warning_percent, 80.0, "a refused patch changes nothing");
    }

    #[test]
    fn a_reading_is_not_negative_nor_from_the_future_and_an_import_names_its_lines() {
        let r = Reading::create(
            Some(CapacityRequirementId(3)),
            NewReading {
                requirement: None,
                measured_at: None,
                value: 12.5,
            },
            ReadingSource::Recorded,
            None,
            now(),
        )
        .unwrap();
        assert_eq!((r.requirement, r.measured_at), (CapacityRequirementId(3), now()));
        let import = ReadingImport {
            readings: vec![
                NewReading {
                    requirement: Some(CapacityRequirementId(3)),
                    measured_at: Some(now() - Duration::hours(1)),
                    value: 1.0,
                },
                NewReading {
                    requirement: None,
                    measured_at: Some(now() + Duration::hours(1)),
                    value: -1.0,
                },
            ],
        };
        let e = import.readings(None, now()).unwrap_err();
        let text = e.to_string();
        for field in [
            "readings[1].requirement",
            "readings[1].measured_at",
            "readings[1].value",
        ] {
            assert!(text.contains(field), "{field}: {text}");
        }
        assert!(!text.contains("readings[0]"), "{text}");
        let e = ReadingImport { readings: vec![] }.readings(None, now()).unwrap_err();
        assert!(e.to_string().contains("readings"), "{e}");
    }

    #[test]
    fn figures_read_without_trailing_zeros() {
        assert_eq!(
            [
                format_figure(1500.0),
                format_figure(87.25),
                format_figure(0.5),
                format_figure(12.300)
            ],
            ["1500", "87.25", "0.5", "12.3"]
        );
    }

    #[test]
    fn a_row_is_read_against_the_thresholds_of_its_latest_reading() {
        let r = CapacityRequirement::create(storage(), now()).unwrap();
        let mut row = CapacityUse::new(&r, "Email".into());
        row.settle(&r);
        assert_eq!(row.state, CapacityState::Unmeasured);
        row.latest_value = Some(1_700.0);
        row.peak_value = Some(1_950.0);
        row.settle(&r);
        assert_eq!(row.state, CapacityState::Warning);
        assert_eq!((row.latest_percent, row.peak_percent), (Some(85.0), Some(97.5)));
    }
}
