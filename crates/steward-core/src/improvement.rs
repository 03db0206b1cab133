//! The improvement register (10.2): opportunities to improve the services and the system, from
//! audits, reviews, incidents, customers or staff, each evaluated, approved or rejected, carried
//! out and judged against the benefit expected of it.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::id::{FindingId, ImprovementId, ServiceId, UserId};
use crate::lifecycle::Lifecycle;
use crate::patch::{nullable, set};
use crate::record::RecordKind;
use crate::service::StatusTransition;
use crate::validate::{Checker, TEXT_MAX, TITLE_MAX, blank_to_none};
use crate::{lifecycle, named_enum, record};

named_enum! {
    ImprovementSource {
        Audit = "audit",
        ManagementReview = "management_review",
        Incident = "incident",
        Problem = "problem",
        Customer = "customer",
        Staff = "staff",
        Measurement = "measurement",
        Other = "other",
    }
}

lifecycle! {
    /// proposed -> approved -> in_progress -> implemented -> evaluated; proposed or approved ones
    /// may be rejected.
    ImprovementStatus {
        Proposed = "proposed" => [Approved, Rejected],
        Approved = "approved" => [InProgress, Rejected],
        InProgress = "in_progress" => [Implemented],
        Implemented = "implemented" => [Evaluated],
        Evaluated = "evaluated" => [],
        Rejected = "rejected" => [],
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Improvement {
    pub id: ImprovementId,
    pub title: String,
    pub description: String,
    pub source: ImprovementSource,
    /// The audit finding it came from, if any.
    pub finding: Option<FindingId>,
    pub service: Option<ServiceId>,
    pub owner: Option<UserId>,
    pub status: ImprovementStatus,
    /// The benefit expected, stated so it can be checked afterwards.
    pub expected_benefit: String,
    pub target_date: Option<NaiveDate>,
    /// What the evaluation found against the expected benefit.
    pub outcome: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

record!(Improvement, RecordKind::Improvement, ImprovementId);

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewImprovement {
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    pub source: ImprovementSource,
    #[serde(default)]
    pub service: Option<ServiceId>,
    #[serde(default)]
    pub owner: Option<UserId>,
    #[serde(default)]
    pub expected_benefit: Option<String>,
    #[serde(default)]
    pub target_date: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImprovementPatch {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub service: Option<Option<ServiceId>>,
    #[serde(default, deserialize_with = "nullable")]
    pub owner: Option<Option<UserId>>,
    #[serde(default)]
    pub expected_benefit: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub target_date: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "nullable")]
    pub outcome: Option<Option<String>>,
}

impl Improvement {
    pub fn create(input: NewImprovement, finding: Option<FindingId>, at: DateTime<Utc>) -> Result<Improvement> {
        let i = Improvement {
            id: ImprovementId(0),
            title: input.title.trim().to_string(),
            description: input.description.unwrap_or_default(),
            source: input.source,
            finding,
            service: input.service,
            owner: input.owner,
            status: ImprovementStatus::Proposed,
            expected_benefit: input.expected_benefit.unwrap_or_default(),
            target_date: input.target_date,
            outcome: None,
            created_at: at,
            updated_at: at,
        };
        let mut c = Checker::new();
        i.check(&mut c);
        c.finish()?;
        Ok(i)
    }

    fn check(&self, c: &mut Checker) {
        c.line("title", &self.title, TITLE_MAX);
        c.text("description", &self.description, TEXT_MAX);
        c.text("expected_benefit", &self.expected_benefit, TEXT_MAX);
        c.opt_text("outcome", self.outcome.as_deref(), TEXT_MAX);
    }

    pub fn apply_patch(&mut self, p: ImprovementPatch) -> Result<()> {
        let mut next = self.clone();
        set(&mut next.title, p.title.map(|t| t.trim().to_string()));
        set(&mut next.description, p.description);
        set(&mut next.service, p.service);
        set(&mut next.owner, p.owner);
        set(&mut next.expected_benefit, p.expected_benefit);
        set(&mut next.target_date, p.target_date);
        set(&mut next.outcome, p.outcome.map(blank_to_none));
        let mut c = Checker::new();
        next.check(&mut c);
        c.finish()?;
        *self = next;
        Ok(())
    }

    /// Approval needs an owner and an expected benefit; evaluation needs the outcome.
    pub fn transition(&mut self, t: StatusTransition) -> Result<()> {
        let to = self.status.check_move(&t.to)?;
        let mut c = Checker::new();
        match to {
            ImprovementStatus::Approved => {
                if self.owner.is_none() {
                    c.fail("owner", "name who carries the improvement out");
                }
                if self.expected_benefit.trim().is_empty() {
                    c.fail("expected_benefit", "state the benefit expected, so it can be checked");
                }
            }
            ImprovementStatus::Evaluated if self.outcome.is_none() => {
                c.fail(
                    "outcome",
                    "record what the improvement achieved against its expected benefit",
                );
            }
            _ => {}
        }
        c.finish()?;
        self.status = to;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::assert_table;

    #[test]
    fn transition_table() {
        use ImprovementStatus::*;
        assert_table(&[
            (Proposed, &[Approved, Rejected][..]),
            (Approved, &[InProgress, Rejected]),
            (InProgress, &[Implemented]),
            (Implemented, &[Evaluated]),
            (Evaluated, &[]),
            (Rejected, &[]),
        ]);
    }

    #[test]
    fn approval_and_evaluation_need_their_facts() {
        let mut i = Improvement::create(
            NewImprovement {
                title: "Self-service password reset".into(),
                description: None,
                source: ImprovementSource::Incident,
                service: None,
                owner: None,
                expected_benefit: None,
                target_date: None,
            },
            None,
            Utc::now(),
        )
        .unwrap();
        let e = i
            .clone()
            .transition(StatusTransition { to: "approved".into() })
            .unwrap_err()
            .to_string();
        assert!(e.contains("owner") && e.contains("expected_benefit"), "{e}");
        i.apply_patch(ImprovementPatch {
            owner: Some(Some(UserId(2))),
            expected_benefit: Some("A third fewer password incidents".into()),
            ..Default::default()
        })
        .unwrap();
        for to in ["approved", "in_progress", "implemented"] {
            i.transition(StatusTransition { to: to.into() }).unwrap();
        }
        assert!(
            i.clone()
                .transition(StatusTransition { to: "evaluated".into() })
                .is_err()
        );
        i.apply_patch(ImprovementPatch {
            outcome: Some(Some("Password incidents fell by 41%".into())),
            ..Default::default()
        })
        .unwrap();
        i.transition(StatusTransition { to: "evaluated".into() }).unwrap();
    }
}
