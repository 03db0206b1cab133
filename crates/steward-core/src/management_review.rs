//! Management reviews (9.3): top management's look at the system at planned intervals. Its input
//! pack is compiled from Steward's records for the period under review and frozen into the
//! review when it is held, so the record shows what management saw; its decisions become
//! actions in the action register (source `MR-n`).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::id::{ManagementReviewId, UserId};
use crate::lifecycle::Lifecycle;
use crate::patch::set;
use crate::record::RecordKind;
use crate::service::StatusTransition;
use crate::validate::{Checker, TEXT_MAX, TITLE_MAX};
use crate::{lifecycle, record};

lifecycle! {
    /// planned -> held (the input pack is frozen) -> closed (minutes approved); planned ones can
    /// be cancelled.
    ManagementReviewStatus {
        Planned = "planned" => [Held, Cancelled],
        Held = "held" => [Closed],
        Closed = "closed" => [],
        Cancelled = "cancelled" => [],
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ManagementReview {
    pub id: ManagementReviewId,
    pub title: String,
    pub status: ManagementReviewStatus,
    /// The day of the meeting.
    pub held_on: NaiveDate,
    /// The period its inputs cover.
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub chair: UserId,
    pub attendees: Vec<UserId>,
    pub minutes: String,
    /// The decisions taken, in words; each one to act on becomes an action.
    pub decisions: Vec<String>,
    /// The input pack as compiled when the review was held.
    #[schema(value_type = Option<Object>)]
    pub inputs: Option<serde_json::Value>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

record!(ManagementReview, RecordKind::ManagementReview, ManagementReviewId);

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewManagementReview {
    pub title: String,
    pub held_on: NaiveDate,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    /// Defaults to the person creating it.
    #[serde(default)]
    pub chair: Option<UserId>,
    #[serde(default)]
    pub attendees: Vec<UserId>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ManagementReviewPatch {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub held_on: Option<NaiveDate>,
    #[serde(default)]
    pub period_from: Option<NaiveDate>,
    #[serde(default)]
    pub period_to: Option<NaiveDate>,
    #[serde(default)]
    pub chair: Option<UserId>,
    #[serde(default)]
    pub attendees: Option<Vec<UserId>>,
    #[serde(default)]
    pub minutes: Option<String>,
    #[serde(default)]
    pub decisions: Option<Vec<String>>,
}

impl ManagementReview {
    pub fn create(input: NewManagementReview, chair: UserId, at: DateTime<Utc>) -> Result<ManagementReview> {
        let mut attendees = input.attendees;
        attendees.sort();
        attendees.dedup();
        let r = ManagementReview {
            id: ManagementReviewId(0),
            title: input.title.trim().to_string(),
            status: ManagementReviewStatus::Planned,
            held_on: input.held_on,
            period_from: input.period_from,
            period_to: input.period_to,
            chair: input.chair.unwrap_or(chair),
            attendees,
            minutes: String::new(),
            decisions: Vec::new(),
            inputs: None,
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
        c.text("minutes", &self.minutes, TEXT_MAX);
        if self.period_to <= self.period_from {
            c.fail("period_to", "must be after period_from");
        }
        if self.decisions.len() > 200 || self.attendees.len() > 200 {
            c.fail("decisions", "at most 200 decisions and 200 attendees");
        }
        for d in &self.decisions {
            c.line("decisions", d, 2_000);
        }
    }

    pub fn apply_patch(&mut self, p: ManagementReviewPatch) -> Result<()> {
        if matches!(
            self.status,
            ManagementReviewStatus::Closed | ManagementReviewStatus::Cancelled
        ) {
            return Err(Error::Conflict(format!(
                "{} is {} and no longer changes",
                self.id,
                self.status.as_str()
            )));
        }
        let inputs_frozen = self.status != ManagementReviewStatus::Planned;
        if inputs_frozen && (p.period_from.is_some() || p.period_to.is_some()) {
            return Err(Error::invalid(
                "period_from",
                "the review was held: its period and input pack are fixed",
            ));
        }
        let mut next = self.clone();
        set(&mut next.title, p.title.map(|t| t.trim().to_string()));
        set(&mut next.held_on, p.held_on);
        set(&mut next.period_from, p.period_from);
        set(&mut next.period_to, p.period_to);
        set(&mut next.chair, p.chair);
        set(
            &mut next.attendees,
            p.attendees.map(|mut a| {
                a.sort();
                a.dedup();
                a
            }),
        );
        set(&mut next.minutes, p.minutes);
        set(
            &mut next.decisions,
            p.decisions
                .map(|d| d.into_iter().map(|s| s.trim().to_string()).collect()),
        );
        let mut c = Checker::new();
        next.check(&mut c);
        c.finish()?;
        *self = next;
        Ok(())
    }

    /// Holding it freezes `inputs` (compiled by the caller for the review's period); closing
    /// needs minutes.
    pub fn transition(&mut self, t: StatusTransition, inputs: impl FnOnce() -> serde_json::Value) -> Result<()> {
        let to = self.status.check_move(&t.to)?;
        match to {
            ManagementReviewStatus::Held => self.inputs = Some(inputs()),
            ManagementReviewStatus::Closed if self.minutes.trim().is_empty() => {
                return Err(Error::invalid(
                    "minutes",
                    "record the minutes before closing the review",
                ));
            }
            _ => {}
        }
        self.status = to;
        Ok(())
    }
}

/// What a management review looks at, compiled from Steward's records for its period.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ReviewInputs {
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub compiled_at: DateTime<Utc>,
    /// The actions decided at the previous review, and how far they have got.
    pub previous_review: Option<PreviousReview>,
    /// Audits completed in the period and their findings by grade.
    pub audits_completed: i64,
    pub findings: Vec<Count>,
    /// Nonconformities still open (major, minor), raised and closed in the period.
    pub nonconformities_open_major: i64,
    pub nonconformities_open_minor: i64,
    pub nonconformities_raised: i64,
    pub nonconformities_closed: i64,
    /// Every open action, and those past their due date.
    pub actions_open: i64,
    pub actions_overdue: i64,
    /// Service performance over the period: the live indicators, with their values.
    pub performance: Vec<Measure>,
    /// Active underpinning contracts with suppliers.
    pub supplier_contracts: i64,
    /// Risks and opportunities not closed, and the highest-rated of them.
    pub risks_open: i64,
    pub top_risks: Vec<Named>,
    /// Improvements by state.
    pub improvements: Vec<Count>,
    /// Active objectives with their progress where an indicator measures them.
    pub objectives: Vec<ObjectiveProgress>,
    /// Certification readiness overall, and its three weakest clauses.
    pub readiness_percent: f64,
    pub weakest_clauses: Vec<Measure>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PreviousReview {
    pub review: ManagementReviewId,
    pub held_on: NaiveDate,
    pub actions: i64,
    pub actions_done: i64,
    pub actions_overdue: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Count {
    pub name: String,
    pub count: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Measure {
    pub name: String,
    pub value_percent: Option<f64>,
    pub target_percent: Option<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Named {
    pub reference: String,
    pub title: String,
    pub rating: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ObjectiveProgress {
    pub objective: crate::id::ObjectiveId,
    pub title: String,
    pub due_date: NaiveDate,
    pub indicator: Option<String>,
    pub value_percent: Option<f64>,
    pub target_percent: Option<u8>,
    /// Whether the indicator reaches the target now; absent without an indicator or data.
    pub on_target: Option<bool>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::assert_table;

    #[test]
    fn transition_table() {
        use ManagementReviewStatus::*;
        assert_table(&[
            (Planned, &[Held, Cancelled][..]),
            (Held, &[Closed]),
            (Closed, &[]),
            (Cancelled, &[]),
        ]);
    }

    #[test]
    fn holding_freezes_the_inputs_and_closing_needs_minutes() {
        let mut r = ManagementReview::create(
            NewManagementReview {
                title: "Management review Q1".into(),
                held_on: "2026-04-10".parse().unwrap(),
                period_from: "2026-01-01".parse().unwrap(),
                period_to: "2026-04-01".parse().unwrap(),
                chair: None,
                attendees: vec![UserId(3), UserId(2), UserId(3)],
            },
            UserId(1),
            Utc::now(),
        )
        .unwrap();
        assert_eq!((r.chair, r.attendees.clone()), (UserId(1), vec![UserId(2), UserId(3)]));
        r.transition(
            StatusTransition { to: "held".into() },
            || serde_json::json!({"sla": 97.5}),
        )
        .unwrap();
        assert_eq!(r.inputs, Some(serde_json::json!({"sla": 97.5})));
        let e = r
            .apply_patch(ManagementReviewPatch {
                period_to: Some("2026-05-01".parse().unwrap()),
                ..Default::default()
            })
            .unwrap_err();
        assert!(e.to_string().contains("fixed"));
        assert!(
            r.clone()
                .transition(StatusTransition { to: "closed".into() }, || serde_json::Value::Null)
                .is_err()
        );
        r.apply_patch(ManagementReviewPatch {
            minutes: Some("Attainment reviewed; continuity test to be run.".into()),
            decisions: Some(vec!["Run a continuity test before Stage 2".into()]),
            ..Default::default()
        })
        .unwrap();
        r.transition(StatusTransition { to: "closed".into() }, || serde_json::Value::Null)
            .unwrap();
        assert_eq!(
            r.inputs,
            Some(serde_json::json!({"sla": 97.5})),
            "the frozen pack stays"
        );
    }
}
