//! Actions: the one register of things someone must do by a date — the corrective actions of a
//! nonconformity, the decisions of a management review, the steps of an improvement, a risk's
//! treatment, the plan of an objective, and the tasks of the certification programme. Each names
//! the record it serves (`source`), so every register can show its open and overdue actions.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::id::{ActionId, UserId};
use crate::lifecycle::Lifecycle;
use crate::patch::{nullable, set};
use crate::record::RecordKind;
use crate::service::StatusTransition;
use crate::validate::{Checker, TEXT_MAX, TITLE_MAX, blank_to_none};
use crate::{lifecycle, named_enum, record};

lifecycle! {
    /// open -> in_progress -> done; a done action can be reopened; cancelled is final.
    ActionStatus {
        Open = "open" => [InProgress, Done, Cancelled],
        InProgress = "in_progress" => [Done, Open, Cancelled],
        Done = "done" => [Open],
        Cancelled = "cancelled" => [],
    }
}

named_enum! {
    /// The typical steps toward certification, in order.
    CertificationStep {
        CommunicateGoals = "communicate_goals",
        DecideScope = "decide_scope",
        GapAnalysis = "gap_analysis",
        Implementation = "implementation",
        InternalAudit = "internal_audit",
        ManagementReview = "management_review",
        Stage1Audit = "stage1_audit",
        Stage2Audit = "stage2_audit",
        SurveillanceYear1 = "surveillance_year1",
        SurveillanceYear2 = "surveillance_year2",
        Recertification = "recertification",
    }
}

impl CertificationStep {
    /// What the step is, in Steward's words.
    pub fn describe(self) -> &'static str {
        use CertificationStep::*;
        match self {
            CommunicateGoals => "Communicate the goals and benefits of certification to staff and management",
            DecideScope => "Decide and approve the scope of the service management system",
            GapAnalysis => "Assess every requirement and agree the gaps to close",
            Implementation => "Put the missing processes, documents and records in place",
            InternalAudit => "Audit the whole system internally and act on the findings",
            ManagementReview => "Hold a management review of the system's performance",
            Stage1Audit => "Stage 1 audit: the certification body reviews documentation and readiness",
            Stage2Audit => "Stage 2 audit: the certification body assesses the system in operation",
            SurveillanceYear1 => "First surveillance audit, about a year after certification",
            SurveillanceYear2 => "Second surveillance audit, about two years after certification",
            Recertification => "Recertification audit before the three-year certificate expires",
        }
    }
}

/// The kinds of record an action can serve.
pub const SOURCES: &[RecordKind] = &[
    RecordKind::Nonconformity,
    RecordKind::ManagementReview,
    RecordKind::Improvement,
    RecordKind::Risk,
    RecordKind::Objective,
    RecordKind::Programme,
    RecordKind::Audit,
    RecordKind::ServiceReview,
];

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Action {
    pub id: ActionId,
    pub title: String,
    pub description: String,
    pub owner: UserId,
    pub due_date: NaiveDate,
    pub status: ActionStatus,
    /// The record it serves, e.g. `NC-3` or `MR-1`.
    pub source: Option<String>,
    /// For a certification programme's task, the step it belongs to.
    pub step: Option<CertificationStep>,
    pub completed_on: Option<NaiveDate>,
    /// What was done, recorded when it is done.
    pub outcome: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

record!(Action, RecordKind::Action, ActionId);

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAction {
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    /// Defaults to the person creating it.
    #[serde(default)]
    pub owner: Option<UserId>,
    pub due_date: NaiveDate,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub step: Option<CertificationStep>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionPatch {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub owner: Option<UserId>,
    #[serde(default)]
    pub due_date: Option<NaiveDate>,
    #[serde(default, deserialize_with = "nullable")]
    pub outcome: Option<Option<String>>,
}

impl Action {
    pub fn create(input: NewAction, owner: UserId, at: DateTime<Utc>) -> Result<Action> {
        let a = Action {
            id: ActionId(0),
            title: input.title.trim().to_string(),
            description: input.description.unwrap_or_default(),
            owner: input.owner.unwrap_or(owner),
            due_date: input.due_date,
            status: ActionStatus::Open,
            source: blank_to_none(input.source).map(|s| s.trim().to_uppercase()),
            step: input.step,
            completed_on: None,
            outcome: None,
            created_at: at,
            updated_at: at,
        };
        let mut c = Checker::new();
        a.check(&mut c);
        c.finish()?;
        Ok(a)
    }

    fn check(&self, c: &mut Checker) {
        c.line("title", &self.title, TITLE_MAX);
        c.text("description", &self.description, TEXT_MAX);
        c.opt_text("outcome", self.outcome.as_deref(), TEXT_MAX);
        if let Some(s) = &self.source {
            match RecordKind::parse_reference(s) {
                Some((k, _)) if SOURCES.contains(&k) => {}
                _ => c.fail(
                    "source",
                    format!(
                        "'{}' is not a reference to a nonconformity, management review, improvement, risk, objective, programme or audit",
                        s.chars().take(40).collect::<String>()
                    ),
                ),
            }
        }
    }

    pub fn apply_patch(&mut self, p: ActionPatch) -> Result<()> {
        let mut next = self.clone();
        set(&mut next.title, p.title.map(|t| t.trim().to_string()));
        set(&mut next.description, p.description);
        set(&mut next.owner, p.owner);
        set(&mut next.due_date, p.due_date);
        set(&mut next.outcome, p.outcome.map(blank_to_none));
        let mut c = Checker::new();
        next.check(&mut c);
        c.finish()?;
        *self = next;
        Ok(())
    }

    /// Moves the action on; done records `today` as its completion, reopening clears it.
    pub fn transition(&mut self, t: StatusTransition, today: NaiveDate) -> Result<()> {
        let to = self.status.check_move(&t.to)?;
        self.completed_on = (to == ActionStatus::Done).then_some(today);
        self.status = to;
        Ok(())
    }

    /// Still to do and past its due date.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        matches!(self.status, ActionStatus::Open | ActionStatus::InProgress) && self.due_date < today
    }

    /// The source record as (kind, id).
    pub fn source_ref(&self) -> Option<(RecordKind, i64)> {
        self.source.as_deref().and_then(RecordKind::parse_reference)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::assert_table;

    #[test]
    fn transition_table() {
        use ActionStatus::*;
        assert_table(&[
            (Open, &[InProgress, Done, Cancelled][..]),
            (InProgress, &[Done, Open, Cancelled]),
            (Done, &[Open]),
            (Cancelled, &[]),
        ]);
    }

    #[test]
    fn sources_are_checked_and_completion_is_dated() {
        let input = |source: &str| NewAction {
            title: "Fix the backup schedule".into(),
            description: None,
            owner: None,
            due_date: "2026-05-01".parse().unwrap(),
            source: Some(source.into()),
            step: None,
        };
        let at = Utc::now();
        assert!(
            Action::create(input("INC-4"), UserId(1), at).is_err(),
            "incidents have their own work"
        );
        assert!(Action::create(input("nonsense"), UserId(1), at).is_err());
        let mut a = Action::create(input("nc-3"), UserId(1), at).unwrap();
        assert_eq!(a.source.as_deref(), Some("NC-3"));
        assert_eq!(a.source_ref(), Some((RecordKind::Nonconformity, 3)));
        assert!(a.is_overdue("2026-05-02".parse().unwrap()));
        assert!(!a.is_overdue("2026-05-01".parse().unwrap()));
        a.transition(StatusTransition { to: "done".into() }, "2026-05-03".parse().unwrap())
            .unwrap();
        assert_eq!(a.completed_on, Some("2026-05-03".parse().unwrap()));
        assert!(!a.is_overdue("2026-06-01".parse().unwrap()));
        a.transition(StatusTransition { to: "open".into() }, "2026-05-04".parse().unwrap())
            .unwrap();
        assert_eq!(a.completed_on, None);
    }
}
