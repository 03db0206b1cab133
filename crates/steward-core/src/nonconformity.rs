//! Nonconformities and corrective action (10.1): what was found, the correction that contained
//! it, its root cause, the corrective actions (in the action register, with owners and due
//! dates) and a check that they worked before it closes.
//!
//! open -> action_planned (needs an owner, the correction and the root cause) -> verification
//! (every corrective action done or cancelled, at least one done) -> closed (needs a recorded
//! effectiveness review that found the actions effective); a review that finds them not
//! effective sends it back to action_planned.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::document::check_requirements;
use crate::error::{Error, Result};
use crate::id::{FindingId, NonconformityId, UserId};
use crate::lifecycle::Lifecycle;
use crate::patch::{nullable, set};
use crate::record::RecordKind;
use crate::service::StatusTransition;
use crate::validate::{Checker, TEXT_MAX, TITLE_MAX, blank_to_none};
use crate::{lifecycle, named_enum, record};

named_enum! {
    Severity { Major = "major", Minor = "minor" }
}

named_enum! {
    NonconformitySource {
        InternalAudit = "internal_audit",
        ExternalAudit = "external_audit",
        Incident = "incident",
        Complaint = "complaint",
        ManagementReview = "management_review",
        Monitoring = "monitoring",
        Other = "other",
    }
}

lifecycle! {
    NonconformityStatus {
        Open = "open" => [ActionPlanned],
        ActionPlanned = "action_planned" => [Verification],
        Verification = "verification" => [Closed, ActionPlanned],
        Closed = "closed" => [],
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Nonconformity {
    pub id: NonconformityId,
    pub title: String,
    pub description: String,
    pub requirement: String,
    pub severity: Severity,
    pub source: NonconformitySource,
    /// The audit finding it was raised from.
    pub finding: Option<FindingId>,
    pub raised_on: NaiveDate,
    pub owner: Option<UserId>,
    pub status: NonconformityStatus,
    /// The immediate fix that contained it.
    pub correction: Option<String>,
    pub root_cause: Option<String>,
    /// What the effectiveness review found.
    pub effectiveness_review: Option<String>,
    /// Whether the review found the corrective actions effective.
    pub effective: Option<bool>,
    pub verified_by: Option<UserId>,
    pub closed_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

record!(Nonconformity, RecordKind::Nonconformity, NonconformityId);

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewNonconformity {
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    pub requirement: String,
    pub severity: Severity,
    pub source: NonconformitySource,
    #[serde(default)]
    pub raised_on: Option<NaiveDate>,
    #[serde(default)]
    pub owner: Option<UserId>,
    #[serde(default)]
    pub correction: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NonconformityPatch {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub severity: Option<Severity>,
    #[serde(default, deserialize_with = "nullable")]
    pub owner: Option<Option<UserId>>,
    #[serde(default, deserialize_with = "nullable")]
    pub correction: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub root_cause: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub effectiveness_review: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub effective: Option<Option<bool>>,
}

impl Nonconformity {
    pub fn create(input: NewNonconformity, finding: Option<FindingId>, at: DateTime<Utc>) -> Result<Nonconformity> {
        let n = Nonconformity {
            id: NonconformityId(0),
            title: input.title.trim().to_string(),
            description: input.description.unwrap_or_default(),
            requirement: input.requirement.trim().to_string(),
            severity: input.severity,
            source: input.source,
            finding,
            raised_on: input.raised_on.unwrap_or_else(|| at.date_naive()),
            owner: input.owner,
            status: NonconformityStatus::Open,
            correction: blank_to_none(input.correction),
            root_cause: None,
            effectiveness_review: None,
            effective: None,
            verified_by: None,
            closed_on: None,
            created_at: at,
            updated_at: at,
        };
        let mut c = Checker::new();
        n.check(&mut c);
        c.finish()?;
        Ok(n)
    }

    fn check(&self, c: &mut Checker) {
        c.line("title", &self.title, TITLE_MAX);
        c.text("description", &self.description, TEXT_MAX);
        check_requirements(c, "requirement", std::slice::from_ref(&self.requirement));
        for (field, v) in [
            ("correction", &self.correction),
            ("root_cause", &self.root_cause),
            ("effectiveness_review", &self.effectiveness_review),
        ] {
            c.opt_text(field, v.as_deref(), TEXT_MAX);
        }
    }

    pub fn apply_patch(&mut self, p: NonconformityPatch) -> Result<()> {
        if self.status == NonconformityStatus::Closed {
            return Err(Error::Conflict(format!("{} is closed and no longer changes", self.id)));
        }
        let mut next = self.clone();
        set(&mut next.title, p.title.map(|t| t.trim().to_string()));
        set(&mut next.description, p.description);
        set(&mut next.severity, p.severity);
        set(&mut next.owner, p.owner);
        set(&mut next.correction, p.correction.map(blank_to_none));
        set(&mut next.root_cause, p.root_cause.map(blank_to_none));
        set(
            &mut next.effectiveness_review,
            p.effectiveness_review.map(blank_to_none),
        );
        set(&mut next.effective, p.effective);
        let mut c = Checker::new();
        next.check(&mut c);
        c.finish()?;
        *self = next;
        Ok(())
    }

    /// Moves it on, checking what each state needs. Whether its corrective actions are finished
    /// is for [`Nonconformity::check_actions`], which the store calls with the action register's
    /// counts in the same transaction.
    pub fn transition(&mut self, t: StatusTransition, by: UserId, today: NaiveDate) -> Result<()> {
        let to = self.status.check_move(&t.to)?;
        let mut c = Checker::new();
        match to {
            NonconformityStatus::ActionPlanned if self.status == NonconformityStatus::Open => {
                if self.owner.is_none() {
                    c.fail("owner", "name who answers for the nonconformity");
                }
                if self.correction.is_none() {
                    c.fail("correction", "record the correction that contained it");
                }
                if self.root_cause.is_none() {
                    c.fail("root_cause", "record the root cause before planning corrective action");
                }
            }
            NonconformityStatus::ActionPlanned => {
                // Back from verification: the review found the actions not effective.
                if self.effective != Some(false) {
                    c.fail(
                        "effective",
                        "going back to action planning follows a review that found the actions not effective",
                    );
                }
            }
            NonconformityStatus::Closed => {
                if self.effectiveness_review.is_none() {
                    c.fail("effectiveness_review", "record how the actions were checked to work");
                }
                if self.effective != Some(true) {
                    c.fail(
                        "effective",
                        "only a nonconformity whose actions proved effective closes",
                    );
                }
            }
            NonconformityStatus::Open | NonconformityStatus::Verification => {}
        }
        c.finish()?;
        match to {
            NonconformityStatus::Closed => {
                self.verified_by = Some(by);
                self.closed_on = Some(today);
            }
            NonconformityStatus::ActionPlanned => {
                self.effective = None;
            }
            _ => {}
        }
        self.status = to;
        Ok(())
    }

    /// In verification or closed, every corrective action must be finished and one done:
    /// `open` and `done` count the actions whose source is this nonconformity.
    pub fn check_actions(&self, open: i64, done: i64) -> Result<()> {
        if !matches!(
            self.status,
            NonconformityStatus::Verification | NonconformityStatus::Closed
        ) {
            return Ok(());
        }
        if open > 0 {
            return Err(Error::Conflict(format!(
                "{open} corrective actions of {} are still open; finish or cancel them first",
                self.id
            )));
        }
        if done == 0 {
            return Err(Error::Conflict(format!(
                "{} has no corrective action done; add one with source {} and complete it",
                self.id, self.id
            )));
        }
        Ok(())
    }

    pub fn is_open(&self) -> bool {
        self.status != NonconformityStatus::Closed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::assert_table;

    fn day() -> NaiveDate {
        "2026-05-01".parse().unwrap()
    }

    fn go(n: &mut Nonconformity, to: &str, actions: (i64, i64)) -> Result<()> {
        n.transition(StatusTransition { to: to.into() }, UserId(9), day())?;
        n.check_actions(actions.0, actions.1)
    }

    #[test]
    fn transition_table() {
        use NonconformityStatus::*;
        assert_table(&[
            (Open, &[ActionPlanned][..]),
            (ActionPlanned, &[Verification]),
            (Verification, &[Closed, ActionPlanned]),
            (Closed, &[]),
        ]);
    }

    #[test]
    fn it_closes_only_after_cause_actions_and_an_effective_review() {
        let mut n = Nonconformity::create(
            NewNonconformity {
                title: "Changes closed without review".into(),
                description: None,
                requirement: "8.5.1.3".into(),
                severity: Severity::Minor,
                source: NonconformitySource::InternalAudit,
                raised_on: None,
                owner: None,
                correction: None,
            },
            Some(FindingId(2)),
            "2026-04-02T10:00:00Z".parse().unwrap(),
        )
        .unwrap();
        let e = go(&mut n, "action_planned", (0, 0)).unwrap_err().to_string();
        assert!(
            e.contains("owner") && e.contains("correction") && e.contains("root_cause"),
            "{e}"
        );
        n.apply_patch(NonconformityPatch {
            owner: Some(Some(UserId(3))),
            correction: Some(Some("Reviewed the two changes".into())),
            root_cause: Some(Some("The close form did not ask for a review".into())),
            ..Default::default()
        })
        .unwrap();
        go(&mut n, "action_planned", (0, 0)).unwrap();
        assert!(matches!(
            go(&mut n.clone(), "verification", (1, 0)),
            Err(Error::Conflict(_))
        ));
        assert!(matches!(
            go(&mut n.clone(), "verification", (0, 0)),
            Err(Error::Conflict(_))
        ));
        go(&mut n, "verification", (0, 1)).unwrap();
        assert!(go(&mut n, "closed", (0, 1)).is_err(), "no review yet");
        n.apply_patch(NonconformityPatch {
            effectiveness_review: Some(Some("Sampled 20 changes: none closed without review".into())),
            effective: Some(Some(false)),
            ..Default::default()
        })
        .unwrap();
        assert!(go(&mut n, "closed", (0, 1)).is_err(), "not effective");
        go(&mut n, "action_planned", (0, 1)).unwrap();
        assert_eq!(n.effective, None);
        go(&mut n, "verification", (0, 2)).unwrap();
        n.apply_patch(NonconformityPatch {
            effective: Some(Some(true)),
            ..Default::default()
        })
        .unwrap();
        go(&mut n, "closed", (0, 2)).unwrap();
        assert_eq!((n.verified_by, n.closed_on), (Some(UserId(9)), Some(day())));
        assert!(!n.is_open());
        assert!(n.apply_patch(NonconformityPatch::default()).is_err());
    }
}
