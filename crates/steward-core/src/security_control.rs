//! Information security controls (8.7.3): what the organisation does to treat its security
//! risks, each with an owner, and the reviews that judge whether it works. The policy itself is a
//! controlled document of the register (`information_security_policy`); the security risks are
//! risks of the register with `security` set, and a control treats the risks it is linked to.
//! Security incidents are incidents with `security` set.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::id::{SecurityControlId, ServiceId, UserId};
use crate::lifecycle::Lifecycle;
use crate::patch::{nullable, set};
use crate::record::RecordKind;
use crate::validate::{Checker, NAME_MAX, TEXT_MAX, TITLE_MAX, blank_to_none};
use crate::{lifecycle, named_enum, record};

lifecycle! {
    /// planned -> implemented (in operation) -> retired; an implemented control can go back to
    /// planned while it is reworked.
    SecurityControlStatus {
        Planned = "planned" => [Implemented, Retired],
        Implemented = "implemented" => [Planned, Retired],
        Retired = "retired" => [],
    }
}

named_enum! {
    /// What a control does about a threat: stops it, notices it, or limits and repairs the harm.
    ControlKind {
        Preventive = "preventive",
        Detective = "detective",
        Corrective = "corrective",
    }
}

named_enum! {
    /// What a review found the control to be.
    Effectiveness {
        Effective = "effective",
        PartlyEffective = "partly_effective",
        Ineffective = "ineffective",
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SecurityControl {
    pub id: SecurityControlId,
    pub title: String,
    pub description: String,
    /// Where the control comes from in a catalogue the organisation follows (such as an entry of
    /// ISO/IEC 27001's Annex A), in the organisation's own words.
    pub catalogue_reference: Option<String>,
    pub kind: ControlKind,
    /// The service it protects; none for a control over the whole organisation.
    pub service: Option<ServiceId>,
    pub owner: UserId,
    pub status: SecurityControlStatus,
    /// The verdict of the latest effectiveness review.
    pub effectiveness: Option<Effectiveness>,
    /// The day of the latest effectiveness review, and what it found.
    pub reviewed_on: Option<NaiveDate>,
    pub review_findings: String,
    pub next_review: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

record!(SecurityControl, RecordKind::SecurityControl, SecurityControlId);

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSecurityControl {
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub catalogue_reference: Option<String>,
    pub kind: ControlKind,
    #[serde(default)]
    pub service: Option<ServiceId>,
    /// Defaults to the person recording it.
    #[serde(default)]
    pub owner: Option<UserId>,
    #[serde(default)]
    pub next_review: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SecurityControlPatch {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub catalogue_reference: Option<Option<String>>,
    #[serde(default)]
    pub kind: Option<ControlKind>,
    #[serde(default, deserialize_with = "nullable")]
    pub service: Option<Option<ServiceId>>,
    #[serde(default)]
    pub owner: Option<UserId>,
    #[serde(default, deserialize_with = "nullable")]
    pub next_review: Option<Option<NaiveDate>>,
}

/// The body of `POST /api/v1/security-controls/{ref}/transition`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SecurityControlTransition {
    /// `implemented`, `planned` (to rework an implemented control) or `retired`.
    pub to: String,
}

/// The body of `POST /api/v1/security-controls/{ref}/review`: an effectiveness review.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ControlReview {
    /// The day it was held; today if absent, never in the future.
    #[serde(default)]
    pub held_on: Option<NaiveDate>,
    pub effectiveness: Effectiveness,
    /// What the review looked at and found.
    pub findings: String,
    /// When the control is next reviewed.
    pub next_review: NaiveDate,
}

impl SecurityControl {
    pub fn create(input: NewSecurityControl, owner: UserId, at: DateTime<Utc>) -> Result<SecurityControl> {
        let control = SecurityControl {
            id: SecurityControlId(0),
            title: input.title.trim().to_string(),
            description: input.description.unwrap_or_default().trim().to_string(),
            catalogue_reference: blank_to_none(input.catalogue_reference).map(|r| r.trim().to_string()),
            kind: input.kind,
            service: input.service,
            owner: input.owner.unwrap_or(owner),
            status: SecurityControlStatus::Planned,
            effectiveness: None,
            reviewed_on: None,
            review_findings: String::new(),
            next_review: input.next_review,
            created_at: at,
            updated_at: at,
        };
        let mut c = Checker::new();
        control.check(&mut c);
        c.finish()?;
        Ok(control)
    }

    fn check(&self, c: &mut Checker) {
        c.line("title", &self.title, TITLE_MAX);
        c.text("description", &self.description, TEXT_MAX);
        c.opt_line("catalogue_reference", self.catalogue_reference.as_deref(), NAME_MAX);
        if self.status == SecurityControlStatus::Implemented && self.next_review.is_none() {
            c.fail(
                "next_review",
                "an implemented control has its next effectiveness review set",
            );
        }
    }

    pub fn apply_patch(&mut self, p: SecurityControlPatch) -> Result<()> {
        if self.status == SecurityControlStatus::Retired {
            return Err(Error::Conflict(format!("{} is retired and no longer changes", self.id)));
        }
        let mut next = self.clone();
        set(&mut next.title, p.title.map(|t| t.trim().to_string()));
        set(&mut next.description, p.description.map(|d| d.trim().to_string()));
        set(
            &mut next.catalogue_reference,
            p.catalogue_reference
                .map(|r| blank_to_none(r).map(|r| r.trim().to_string())),
        );
        set(&mut next.kind, p.kind);
        set(&mut next.service, p.service);
        set(&mut next.owner, p.owner);
        set(&mut next.next_review, p.next_review);
        let mut c = Checker::new();
        next.check(&mut c);
        c.finish()?;
        *self = next;
        Ok(())
    }

    pub fn transition(&mut self, t: SecurityControlTransition) -> Result<()> {
        let mut next = self.clone();
        next.status = self.status.check_move(&t.to)?;
        let mut c = Checker::new();
        next.check(&mut c);
        c.finish()?;
        *self = next;
        Ok(())
    }

    /// Records an effectiveness review held on `held_on` (today if absent) and sets the next.
    pub fn review(&mut self, r: ControlReview, today: NaiveDate) -> Result<()> {
        let held = r.held_on.unwrap_or(today);
        let findings = r.findings.trim().to_string();
        let mut c = Checker::new();
        if self.status != SecurityControlStatus::Implemented {
            c.fail("status", "only an implemented control is reviewed for effectiveness");
        }
        c.review_dates(held, self.reviewed_on, Some(r.next_review), today);
        if findings.is_empty() {
            c.fail("findings", "must say what the review looked at and found");
        }
        c.text("findings", &findings, TEXT_MAX);
        c.finish()?;
        self.effectiveness = Some(r.effectiveness);
        self.reviewed_on = Some(held);
        self.review_findings = findings;
        self.next_review = Some(r.next_review);
        Ok(())
    }

    /// Whether its effectiveness review is overdue on `day`.
    pub fn review_due(&self, day: NaiveDate) -> bool {
        self.status == SecurityControlStatus::Implemented && self.next_review.is_none_or(|n| n < day)
    }
}

/// Security incidents raised in one month, for the trend report.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SecurityMonth {
    /// The month, as `2026-11`.
    pub month: String,
    pub raised: u64,
    /// Of those raised, how many were P1 or P2.
    pub urgent: u64,
    /// Of those raised, how many are resolved or closed.
    pub resolved: u64,
    /// Mean hours from raised to resolved over those resolved; absent when none is.
    pub mean_hours_to_resolve: Option<f64>,
}

/// A security control as the report shows it: where it stands and the risks it treats.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ControlStanding {
    pub control: SecurityControl,
    pub review_due: bool,
    /// The security risks linked to it, by reference.
    pub risks: Vec<String>,
}

/// A security risk as the report shows it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SecurityRiskLine {
    pub risk: String,
    pub title: String,
    pub rating: u8,
    pub status: String,
    pub treatment: Option<String>,
    /// The implemented controls linked to it.
    pub controls_in_operation: u64,
}

/// Information security over a period: the trend of security incidents month by month, the
/// security risks with their treatment, and every control not retired.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SecurityReport {
    pub from: DateTime<Utc>,
    /// The end of the period, exclusive.
    pub to: DateTime<Utc>,
    pub months: Vec<SecurityMonth>,
    /// Security incidents open at the time of the report.
    pub open_incidents: u64,
    /// Security incidents raised in the period, by category (`uncategorised` for none).
    pub by_category: Vec<(String, u64)>,
    pub risks: Vec<SecurityRiskLine>,
    pub controls: Vec<ControlStanding>,
    /// The information security policy in force: its document reference, if there is one.
    pub policy: Option<String>,
}

/// The months from `from` to `to`, both included, as `YYYY-MM`.
pub fn months_between(from: NaiveDate, to: NaiveDate) -> Vec<String> {
    use chrono::Datelike;
    let mut out = Vec::new();
    let (mut y, mut m) = (from.year(), from.month());
    while (y, m) <= (to.year(), to.month()) {
        out.push(format!("{y:04}-{m:02}"));
        (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn control() -> SecurityControl {
        let at = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).single().unwrap();
        SecurityControl::create(
            NewSecurityControl {
                title: "Multi-factor sign-in to the mail service".into(),
                description: None,
                catalogue_reference: Some("  A.8.5 ".into()),
                kind: ControlKind::Preventive,
                service: None,
                owner: None,
                next_review: None,
            },
            UserId(3),
            at,
        )
        .unwrap()
    }

    #[test]
    fn a_control_is_implemented_only_with_its_next_review_set() {
        let mut c = control();
        assert_eq!(c.owner, UserId(3));
        assert_eq!(c.catalogue_reference.as_deref(), Some("A.8.5"));
        let err = c
            .transition(SecurityControlTransition {
                to: "implemented".into(),
            })
            .unwrap_err();
        assert!(err.to_string().contains("next_review"), "{err}");
        c.apply_patch(SecurityControlPatch {
            next_review: Some(Some(day("2026-09-01"))),
            ..Default::default()
        })
        .unwrap();
        c.transition(SecurityControlTransition {
            to: "implemented".into(),
        })
        .unwrap();
        assert_eq!(c.status, SecurityControlStatus::Implemented);
    }

    #[test]
    fn a_review_keeps_its_verdict_and_refuses_what_cannot_be() {
        let mut c = control();
        let review = |held: &str, next: &str, findings: &str| ControlReview {
            held_on: Some(day(held)),
            effectiveness: Effectiveness::PartlyEffective,
            findings: findings.into(),
            next_review: day(next),
        };
        let today = day("2026-06-01");
        assert!(
            c.review(review("2026-05-01", "2026-11-01", "x"), today).is_err(),
            "planned"
        );
        c.next_review = Some(day("2026-05-01"));
        c.status = SecurityControlStatus::Implemented;
        assert!(c.review_due(today));
        for (bad, field) in [
            (review("2026-06-02", "2026-12-01", "x"), "held_on"),
            (review("2026-05-01", "2026-05-01", "x"), "next_review"),
            (review("2026-05-01", "2026-11-01", "  "), "findings"),
        ] {
            let err = c.clone().review(bad, today).unwrap_err();
            assert!(err.to_string().contains(field), "{field}: {err}");
        }
        c.review(
            review("2026-05-20", "2026-11-20", "Two accounts had no second factor"),
            today,
        )
        .unwrap();
        assert_eq!(c.effectiveness, Some(Effectiveness::PartlyEffective));
        assert_eq!(c.reviewed_on, Some(day("2026-05-20")));
        assert!(!c.review_due(today));
        let err = c
            .clone()
            .review(review("2026-05-01", "2026-12-01", "older"), today)
            .unwrap_err();
        assert!(err.to_string().contains("held_on"), "{err}");
    }

    #[test]
    fn months_run_across_the_year_end() {
        assert_eq!(
            months_between(day("2026-11-15"), day("2027-02-01")),
            ["2026-11", "2026-12", "2027-01", "2027-02"]
        );
        assert!(months_between(day("2026-02-01"), day("2026-01-01")).is_empty());
    }
}
