//! Live evidence: indicators computed from Steward's own records over a stated period, each tied
//! to the requirement it speaks for. An indicator counts a population of records (the
//! denominator) and those that pass its test (the numerator); every record behind it can be
//! listed, so an auditor samples the facts rather than trusting the figure.
//!
//! Freshness: an indicator is fresh when the newest record behind it is no older than
//! [`FRESH_DAYS`] before the end of the period — a process that has produced no record for a
//! quarter is not shown to be operating, whatever its old figures say.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::change_report::percent;

/// How recent the newest record behind an indicator must be, in days before the period's end.
pub const FRESH_DAYS: i64 = 90;

/// What an indicator measures, independent of any period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct IndicatorDef {
    /// Stable name, used in paths: `/compliance/indicators/{id}/records`.
    pub id: &'static str,
    pub requirement: &'static str,
    pub title: &'static str,
    /// Which records make up the population, and what a record must show to pass (sent as
    /// `population_rule`, beside the computed `population` count of a figure).
    #[serde(rename = "population_rule")]
    pub population: &'static str,
    pub passes: &'static str,
    /// The share, in percent, at or above which the indicator is met.
    pub target_percent: u8,
    /// The kind of record sampled (its reference prefix names it).
    pub record_kind: crate::record::RecordKind,
}

use crate::record::RecordKind as K;

/// Every indicator Steward computes.
pub const INDICATORS: &[IndicatorDef] = &[
    IndicatorDef {
        id: "incidents_resolved_within_target",
        requirement: "8.6.1",
        title: "Incidents resolved within their service level target",
        population: "Incidents whose service level resolution clock stopped in the period as met or breached",
        passes: "The clock stopped as met",
        target_percent: 90,
        record_kind: K::Incident,
    },
    IndicatorDef {
        id: "major_incidents_reviewed",
        requirement: "8.6.1",
        title: "Major incidents with a review",
        population: "Major incidents resolved in the period",
        passes: "Linked to a problem record, where the review and its root cause are kept",
        target_percent: 100,
        record_kind: K::Incident,
    },
    IndicatorDef {
        id: "requests_fulfilled_within_target",
        requirement: "8.6.2",
        title: "Service requests fulfilled within their service level target",
        population: "Requests whose service level resolution clock stopped in the period as met or breached",
        passes: "The clock stopped as met",
        target_percent: 90,
        record_kind: K::Request,
    },
    IndicatorDef {
        id: "problems_with_root_cause",
        requirement: "8.6.3",
        title: "Resolved problems with a recorded root cause",
        population: "Problems resolved in the period",
        passes: "A root cause is recorded",
        target_percent: 90,
        record_kind: K::Problem,
    },
    IndicatorDef {
        id: "known_errors_with_workaround",
        requirement: "8.6.3",
        title: "Known errors with a workaround",
        population: "Problems marked as known errors, last changed in the period",
        passes: "A workaround is recorded",
        target_percent: 80,
        record_kind: K::Problem,
    },
    IndicatorDef {
        id: "changes_approved",
        requirement: "8.5.1.3",
        title: "Implemented changes that were approved",
        population: "Changes closed in the period with an outcome",
        passes: "A standard change (pre-approved by its template), or approved by at least one approver",
        target_percent: 100,
        record_kind: K::Change,
    },
    IndicatorDef {
        id: "changes_with_backout_plan",
        requirement: "8.5.1.3",
        title: "Implemented changes with a back-out plan",
        population: "Changes closed in the period with an outcome",
        passes: "A back-out plan is recorded",
        target_percent: 100,
        record_kind: K::Change,
    },
    IndicatorDef {
        id: "changes_reviewed",
        requirement: "8.5.1.3",
        title: "Implemented changes with a post-implementation review",
        population: "Changes closed in the period with an outcome",
        passes: "Review notes are recorded",
        target_percent: 100,
        record_kind: K::Change,
    },
    IndicatorDef {
        id: "change_success_rate",
        requirement: "8.5.1.3",
        title: "Change success rate",
        population: "Changes closed in the period with an outcome",
        passes: "The outcome is successful or successful with issues",
        target_percent: 90,
        record_kind: K::Change,
    },
    IndicatorDef {
        id: "releases_without_rollback",
        requirement: "8.5.3",
        title: "Releases deployed without rollback",
        population: "Releases whose deployment ended in the period",
        passes: "Not rolled back",
        target_percent: 90,
        record_kind: K::Release,
    },
    IndicatorDef {
        id: "sla_attainment",
        requirement: "8.3.3",
        title: "Service level targets met",
        population: "Every customer service level clock (incidents and requests, response and resolution) stopped in the period as met or breached",
        passes: "The clock stopped as met",
        target_percent: 90,
        record_kind: K::Incident,
    },
    IndicatorDef {
        id: "configuration_items_verified",
        requirement: "8.2.6",
        title: "Configuration items verified on time",
        population: "Configuration items in use whose type requires periodic verification",
        passes: "Verified within the type's interval before the end of the period",
        target_percent: 95,
        record_kind: K::ConfigurationItem,
    },
    IndicatorDef {
        id: "services_with_owner_and_agreement",
        requirement: "8.2.4",
        title: "Live services with an owner and a service level agreement",
        population: "Services in the catalogue that are live",
        passes: "An owner is named and an active service level agreement has a target for the service (or for every service)",
        target_percent: 100,
        record_kind: K::Service,
    },
    IndicatorDef {
        id: "risks_reviewed",
        requirement: "6.1",
        title: "Open risks and opportunities within their review date",
        population: "Risks and opportunities not closed, recorded before the end of the period",
        passes: "A review date is set and has not passed at the end of the period",
        target_percent: 90,
        record_kind: K::Risk,
    },
    IndicatorDef {
        id: "internal_audits_completed",
        requirement: "9.2",
        title: "Internal audits of the programme carried out",
        population: "Internal audits planned to start in the period and not cancelled",
        passes: "Completed",
        target_percent: 100,
        record_kind: K::Audit,
    },
    IndicatorDef {
        id: "management_reviews_held",
        requirement: "9.3",
        title: "Management reviews held as planned",
        population: "Management reviews planned in the period and not cancelled",
        passes: "Held (or held and closed)",
        target_percent: 100,
        record_kind: K::ManagementReview,
    },
    IndicatorDef {
        id: "nonconformities_under_control",
        requirement: "10.1",
        title: "Nonconformities analysed and under corrective action",
        population: "Nonconformities raised in the period",
        passes: "Root cause found and corrective action planned, or closed",
        target_percent: 90,
        record_kind: K::Nonconformity,
    },
    IndicatorDef {
        id: "corrective_actions_on_time",
        requirement: "10.1",
        title: "Corrective actions completed by their due date",
        population: "Actions of nonconformities completed in the period",
        passes: "Completed on or before the due date",
        target_percent: 90,
        record_kind: K::Action,
    },
    IndicatorDef {
        id: "improvements_decided",
        requirement: "10.2",
        title: "Proposed improvements evaluated and decided",
        population: "Improvements recorded in the period",
        passes: "Approved, carried out or rejected — no longer waiting for a decision",
        target_percent: 80,
        record_kind: K::Improvement,
    },
    IndicatorDef {
        id: "parties_under_control",
        requirement: "8.2.3",
        title: "Parties in the service lifecycle with an owner and an agreement",
        population: "Active suppliers, internal suppliers and customers acting as suppliers recorded before the end of the period",
        passes: "An owner manages the relationship and an active contract or agreement binds the party",
        target_percent: 100,
        record_kind: K::Supplier,
    },
    IndicatorDef {
        id: "relationships_owned",
        requirement: "8.3.2",
        title: "Customers and interested parties with a relationship owner",
        population: "Active customers and interested parties recorded before the end of the period",
        passes: "A named person manages the relationship and the party's satisfaction",
        target_percent: 100,
        record_kind: K::Organisation,
    },
    IndicatorDef {
        id: "customers_reviewed",
        requirement: "8.3.2",
        title: "Customers with a service review held in the period",
        population: "Active customer organisations recorded before the end of the period",
        passes: "A service review with them was held, with minutes, during the period",
        target_percent: 100,
        record_kind: K::Organisation,
    },
    IndicatorDef {
        id: "complaints_resolved_within_target",
        requirement: "8.3.2",
        title: "Complaints resolved within their target",
        population: "Complaints resolved during the period",
        passes: "Resolved by the date the complaint policy set when it was received",
        target_percent: 90,
        record_kind: K::Complaint,
    },
    IndicatorDef {
        id: "customer_satisfaction",
        requirement: "8.3.2",
        title: "Customers satisfied with the service",
        population: "Satisfaction surveys answered during the period",
        passes: "The customer scored 4 or 5 out of 5",
        target_percent: 80,
        record_kind: K::Survey,
    },
    IndicatorDef {
        id: "supplier_contracts_reviewed",
        requirement: "8.3.4.1",
        title: "Supplier contracts reviewed on schedule",
        population: "Active supplier contracts recorded before the end of the period",
        passes: "A next review date is set and has not passed at the end of the period",
        target_percent: 100,
        record_kind: K::Contract,
    },
    IndicatorDef {
        id: "internal_suppliers_with_agreement",
        requirement: "8.3.4.2",
        title: "Internal suppliers and customers acting as suppliers with agreed targets",
        population: "Active internal suppliers and customers acting as suppliers recorded before the end of the period",
        passes: "An active contract names the agreement that holds its service level targets",
        target_percent: 100,
        record_kind: K::Supplier,
    },
    IndicatorDef {
        id: "services_budgeted",
        requirement: "8.4.1",
        title: "Live services with an approved budget for the period",
        population: "Live services recorded before the end of the period",
        passes: "An approved (or closed) budget of the service covers part of the period",
        target_percent: 100,
        record_kind: K::Service,
    },
    IndicatorDef {
        id: "budgets_within_amount",
        requirement: "8.4.1",
        title: "Budgets not overspent",
        population: "Approved and closed budgets whose period meets the period",
        passes: "The costs of the service dated in the budget's period do not exceed its amount",
        target_percent: 90,
        record_kind: K::Budget,
    },
    IndicatorDef {
        id: "major_incidents_costed",
        requirement: "8.4.1",
        title: "Major incidents with their cost recorded",
        population: "Major incidents resolved during the period",
        passes: "Staff time or another cost is recorded against the incident",
        target_percent: 100,
        record_kind: K::Incident,
    },
    IndicatorDef {
        id: "services_with_demand_forecast",
        requirement: "8.4.2",
        title: "Live services with a demand forecast for the period",
        population: "Live services recorded before the end of the period",
        passes: "A demand forecast of the service covers part of the period",
        target_percent: 100,
        record_kind: K::Service,
    },
    IndicatorDef {
        id: "forecasts_within_tolerance",
        requirement: "8.4.2",
        title: "Demand forecasts borne out",
        population: "Forecasts of a measure counted from the records whose period ended in the period",
        passes: "The tickets raised on the service in the forecast's period are within 20% of the forecast",
        target_percent: 80,
        record_kind: K::DemandForecast,
    },
    IndicatorDef {
        id: "capacity_requirements_measured",
        requirement: "8.4.3",
        title: "Capacity requirements measured",
        population: "Active capacity requirements recorded before the end of the period",
        passes: "At least one utilisation reading was taken in the period",
        target_percent: 100,
        record_kind: K::CapacityRequirement,
    },
    IndicatorDef {
        id: "capacity_below_warning",
        requirement: "8.4.3",
        title: "Capacity requirements below their warning threshold",
        population: "Active capacity requirements with a reading in the period",
        passes: "The last reading of the period is below the requirement's warning threshold",
        target_percent: 90,
        record_kind: K::CapacityRequirement,
    },
    IndicatorDef {
        id: "capacity_plan_current",
        requirement: "8.4.3",
        title: "Capacity plans approved and within their review date",
        population: "Approved plans in the document register naming requirement 8.4.3",
        passes: "The next review is set and falls on or after the end of the period",
        target_percent: 100,
        record_kind: K::Document,
    },
    IndicatorDef {
        id: "services_with_continuity_plan",
        requirement: "8.7.2",
        title: "Live services with an approved continuity plan",
        population: "Live services recorded before the end of the period",
        passes: "An approved continuity plan of the service is in force",
        target_percent: 100,
        record_kind: K::Service,
    },
    IndicatorDef {
        id: "continuity_plans_tested",
        requirement: "8.7.2",
        title: "Continuity plans tested in the year",
        population: "Approved continuity plans recorded before the end of the period",
        passes: "A test of the plan was completed in the year before the end of the period",
        target_percent: 100,
        record_kind: K::ContinuityPlan,
    },
    IndicatorDef {
        id: "continuity_tests_met_objectives",
        requirement: "8.7.2",
        title: "Continuity tests that met their objectives",
        population: "Continuity tests completed in the period",
        passes: "Recovery took no longer than the recovery time objective and lost no more data than the recovery point objective",
        target_percent: 90,
        record_kind: K::ContinuityTest,
    },
    IndicatorDef {
        id: "continuity_plans_reviewed_after_change",
        requirement: "8.7.2",
        title: "Continuity plans reviewed after a high-risk change",
        population: "Approved plans whose service had a high-risk change closed in the period",
        passes: "The plan was reviewed on or after the day the latest such change closed",
        target_percent: 100,
        record_kind: K::ContinuityPlan,
    },
    IndicatorDef {
        id: "security_controls_reviewed_on_time",
        requirement: "8.7.3.2",
        title: "Security controls whose effectiveness review is not overdue",
        population: "Implemented security controls recorded before the end of the period",
        passes: "The next effectiveness review falls on or after the last day of the period",
        target_percent: 100,
        record_kind: K::SecurityControl,
    },
    IndicatorDef {
        id: "security_controls_effective",
        requirement: "8.7.3.2",
        title: "Security controls found effective",
        population: "Implemented security controls whose latest effectiveness review was held in the period",
        passes: "The review found the control effective",
        target_percent: 90,
        record_kind: K::SecurityControl,
    },
    IndicatorDef {
        id: "security_risks_treated",
        requirement: "8.7.3.2",
        title: "Security risks treated by a control in operation",
        population: "Security risks not closed, recorded before the end of the period",
        passes: "A treatment is chosen and an implemented security control is linked to the risk",
        target_percent: 100,
        record_kind: K::Risk,
    },
    IndicatorDef {
        id: "security_incidents_resolved_within_target",
        requirement: "8.7.3.3",
        title: "Security incidents resolved within their service level target",
        population: "Security incidents whose service level resolution clock stopped in the period as met or breached",
        passes: "The clock stopped as met",
        target_percent: 90,
        record_kind: K::Incident,
    },
    IndicatorDef {
        id: "articles_reviewed_on_time",
        requirement: "7.6",
        title: "Published articles whose review is not overdue",
        population: "Knowledge articles published and recorded before the end of the period",
        passes: "The next review falls on or after the last day of the period",
        target_percent: 95,
        record_kind: K::Article,
    },
    IndicatorDef {
        id: "known_errors_with_article",
        requirement: "7.6",
        title: "Known errors explained by a published article",
        population: "Known errors not closed or cancelled, recorded before the end of the period",
        passes: "A published article is linked to the known error",
        target_percent: 80,
        record_kind: K::Problem,
    },
    IndicatorDef {
        id: "articles_found_helpful",
        requirement: "7.6",
        title: "Articles most readers found helpful",
        population: "Articles voted on in the period",
        passes: "At least half of the votes cast in the period said the article helped",
        target_percent: 80,
        record_kind: K::Article,
    },
    IndicatorDef {
        id: "services_with_availability_target",
        requirement: "8.7.1",
        title: "Live services with an agreed availability target",
        population: "Live services recorded before the end of the period",
        passes: "An availability target is set",
        target_percent: 100,
        record_kind: K::Service,
    },
    IndicatorDef {
        id: "unplanned_outages_investigated",
        requirement: "8.7.1",
        title: "Unplanned outages investigated",
        population: "Unplanned outages restored in the period",
        passes: "Reviewed: its cause recorded or a problem raised for it",
        target_percent: 100,
        record_kind: K::Outage,
    },
    IndicatorDef {
        id: "scope_approved",
        requirement: "4.3",
        title: "Scope statements approved in their current version",
        population: "Scope statements recorded before the end of the period",
        passes: "The current version is approved",
        target_percent: 100,
        record_kind: K::SmsScope,
    },
    IndicatorDef {
        id: "documents_current",
        requirement: "7.5.3",
        title: "Approved documents within their review date",
        population: "Approved documents in the register",
        passes: "The review date has not passed at the end of the period",
        target_percent: 100,
        record_kind: K::Document,
    },
];

pub fn find(id: &str) -> Option<&'static IndicatorDef> {
    INDICATORS.iter().find(|d| d.id == id)
}

/// What the store counts for one indicator over one period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    pub population: u64,
    pub passing: u64,
    /// The instant of the newest record behind it (microseconds), if any.
    pub latest_micros: Option<i64>,
}

/// A period, as instants: from inclusive, to exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Period {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

/// One indicator's value over a period.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Indicator {
    #[serde(flatten)]
    pub def: IndicatorDef,
    pub period: Period,
    pub population: u64,
    pub passing: u64,
    /// passing / population in percent, two decimals; absent when the population is empty.
    pub value_percent: Option<f64>,
    /// Whether the value reaches the target; absent when there is nothing to measure.
    pub met: Option<bool>,
    /// The newest record behind the figure.
    pub latest_record_at: Option<DateTime<Utc>>,
    /// See the freshness rule: the newest record is at most 90 days older than the period's end.
    pub fresh: bool,
    pub computed_at: DateTime<Utc>,
}

impl Indicator {
    pub fn from_counts(def: IndicatorDef, period: Period, counts: Counts, computed_at: DateTime<Utc>) -> Indicator {
        let value_percent = percent(counts.passing, counts.population);
        let latest_record_at = counts.latest_micros.and_then(DateTime::from_timestamp_micros);
        let threshold = period.to - chrono::Duration::days(FRESH_DAYS);
        Indicator {
            def,
            period,
            population: counts.population,
            passing: counts.passing,
            value_percent,
            met: value_percent.map(|v| v >= f64::from(def.target_percent)),
            latest_record_at,
            fresh: latest_record_at.is_some_and(|t| t >= threshold),
            computed_at,
        }
    }
}

/// One record behind an indicator, for sampling.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct IndicatorRecord {
    /// The record's reference, e.g. `INC-42`.
    pub reference: String,
    pub passes: bool,
    /// The instant that put it in the period (resolved, closed, verified...).
    pub at: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn period() -> Period {
        Period {
            from: "2026-01-01T00:00:00Z".parse().unwrap(),
            to: "2026-04-01T00:00:00Z".parse().unwrap(),
        }
    }

    #[test]
    fn ids_are_unique_and_requirements_exist() {
        let cat = crate::compliance::catalogue().unwrap();
        for (i, d) in INDICATORS.iter().enumerate() {
            assert!(INDICATORS[..i].iter().all(|o| o.id != d.id), "{} twice", d.id);
            assert!(
                cat.requirements.iter().any(|r| r.clause == d.requirement),
                "{}",
                d.requirement
            );
        }
        assert!(find("sla_attainment").is_some() && find("nope").is_none());
    }

    #[test]
    fn value_target_and_freshness() {
        let def = *find("change_success_rate").unwrap();
        let now: DateTime<Utc> = "2026-04-02T00:00:00Z".parse().unwrap();
        let at = |s: &str| Some(s.parse::<DateTime<Utc>>().unwrap().timestamp_micros());
        let i = Indicator::from_counts(
            def,
            period(),
            Counts {
                population: 10,
                passing: 9,
                latest_micros: at("2026-03-30T12:00:00Z"),
            },
            now,
        );
        assert_eq!((i.value_percent, i.met, i.fresh), (Some(90.0), Some(true), true));
        let i = Indicator::from_counts(
            def,
            period(),
            Counts {
                population: 3,
                passing: 2,
                latest_micros: at("2026-01-01T00:00:00Z"),
            },
            now,
        );
        assert_eq!((i.value_percent, i.met, i.fresh), (Some(66.67), Some(false), true));
        let i = Indicator::from_counts(
            def,
            period(),
            Counts {
                population: 3,
                passing: 2,
                latest_micros: at("2025-12-31T23:59:59Z"),
            },
            now,
        );
        assert!(!i.fresh, "newest record more than 90 days before the end is stale");
        let i = Indicator::from_counts(def, period(), Counts::default(), now);
        assert_eq!((i.value_percent, i.met, i.fresh), (None, None, false));
    }
}
