//! Changes: planned additions, modifications or removals that could affect a service.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::id::{ChangeId, ServiceId, TeamId, UserId};
use crate::lifecycle::Lifecycle;
use crate::patch::{nullable, set};
use crate::record::RecordKind;
use crate::validate::{Checker, NAME_MAX, TEXT_MAX, TITLE_MAX, blank_to_none};
use crate::{lifecycle, named_enum, record};

lifecycle! {
    /// draft -> assessment -> approved or rejected -> scheduled -> implementing -> review -> closed.
    /// A rejected change can be reworked (back to draft) or closed; an assessment can be sent
    /// back to draft; anything not yet implementing can be cancelled.
    ChangeStatus {
        Draft = "draft" => [Assessment, Cancelled],
        Assessment = "assessment" => [Approved, Rejected, Draft, Cancelled],
        Approved = "approved" => [Scheduled, Cancelled],
        Rejected = "rejected" => [Draft, Closed],
        Scheduled = "scheduled" => [Implementing, Cancelled],
        Implementing = "implementing" => [Review],
        Review = "review" => [Closed],
        Closed = "closed" => [],
        Cancelled = "cancelled" => [],
    }
}

named_enum! {
    /// Standard changes follow a pre-approved template; emergency changes cannot wait.
    ChangeType { Standard = "standard", Normal = "normal", Emergency = "emergency" }
}

named_enum! {
    ChangeRisk { Low = "low", Medium = "medium", High = "high" }
}

named_enum! {
    /// How likely the change is to go wrong.
    Likelihood { Low = "low", Medium = "medium", High = "high" }
}

/// The service design and transition plan a change with potentially major impact must carry
/// before approval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionPlan {
    pub activities: String,
    pub acceptance_criteria: String,
    pub expected_outcomes: String,
}

/// Risk from the impact if it goes wrong and the likelihood that it does, one step higher when
/// the service is critical: low x low is low, high x high is high.
pub fn assess_risk(impact: crate::priority::Impact, likelihood: Likelihood, critical_service: bool) -> ChangeRisk {
    use crate::priority::Impact as I;
    let i = match impact {
        I::Low => 1,
        I::Medium => 2,
        I::High => 3,
    };
    let l = match likelihood {
        Likelihood::Low => 1,
        Likelihood::Medium => 2,
        Likelihood::High => 3,
    };
    let score = i * l + if critical_service { 3 } else { 0 };
    match score {
        0..=2 => ChangeRisk::Low,
        3..=5 => ChangeRisk::Medium,
        _ => ChangeRisk::High,
    }
}

named_enum! {
    /// How an implemented change turned out, recorded at review.
    ChangeOutcome {
        Successful = "successful",
        SuccessfulWithIssues = "successful_with_issues",
        Failed = "failed",
        BackedOut = "backed_out",
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Change {
    pub id: ChangeId,
    pub title: String,
    pub description: String,
    pub status: ChangeStatus,
    pub change_type: ChangeType,
    /// Set by hand, or assessed from `impact` and `likelihood` (and the service's criticality).
    pub risk: ChangeRisk,
    /// The impact on the service if the change goes wrong.
    pub impact: Option<crate::priority::Impact>,
    pub likelihood: Option<Likelihood>,
    /// Potentially major impact (high risk, or a critical service): approval then needs a
    /// transition plan.
    pub major: bool,
    pub transition_plan: Option<TransitionPlan>,
    /// The template a standard change was raised from.
    pub template: Option<crate::id::ChangeTemplateId>,
    pub service: Option<ServiceId>,
    pub planned_start: Option<DateTime<Utc>>,
    pub planned_end: Option<DateTime<Utc>>,
    pub implementation_plan: Option<String>,
    pub backout_plan: Option<String>,
    pub outcome: Option<ChangeOutcome>,
    /// The post-implementation review: what happened and what was learnt. Required to close an
    /// implemented change.
    pub review_notes: Option<String>,
    pub category: Option<String>,
    pub subcategory: Option<String>,
    pub assignee: Option<UserId>,
    pub team: Option<TeamId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
}

record!(Change, RecordKind::Change, ChangeId);

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewChange {
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    /// Defaults to normal.
    #[serde(default)]
    pub change_type: Option<ChangeType>,
    /// Defaults to medium; assessed instead when `impact` and `likelihood` are given.
    #[serde(default)]
    pub risk: Option<ChangeRisk>,
    #[serde(default)]
    pub impact: Option<crate::priority::Impact>,
    #[serde(default)]
    pub likelihood: Option<Likelihood>,
    #[serde(default)]
    pub transition_plan: Option<TransitionPlan>,
    /// Raise a standard change from this pre-approved template; its plans, risk and service
    /// fill whatever the body leaves out. Standard changes come only from templates.
    #[serde(default)]
    pub template: Option<crate::id::ChangeTemplateId>,
    #[serde(default)]
    pub service: Option<ServiceId>,
    #[serde(default)]
    pub planned_start: Option<DateTime<Utc>>,
    #[serde(default)]
    pub planned_end: Option<DateTime<Utc>>,
    #[serde(default)]
    pub implementation_plan: Option<String>,
    #[serde(default)]
    pub backout_plan: Option<String>,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub subcategory: Option<String>,
    #[serde(default)]
    pub assignee: Option<UserId>,
    #[serde(default)]
    pub team: Option<TeamId>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePatch {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub change_type: Option<ChangeType>,
    #[serde(default)]
    pub risk: Option<ChangeRisk>,
    #[serde(default, deserialize_with = "nullable")]
    pub impact: Option<Option<crate::priority::Impact>>,
    #[serde(default, deserialize_with = "nullable")]
    pub likelihood: Option<Option<Likelihood>>,
    #[serde(default, deserialize_with = "nullable")]
    pub transition_plan: Option<Option<TransitionPlan>>,
    #[serde(default, deserialize_with = "nullable")]
    pub service: Option<Option<ServiceId>>,
    #[serde(default, deserialize_with = "nullable")]
    pub planned_start: Option<Option<DateTime<Utc>>>,
    #[serde(default, deserialize_with = "nullable")]
    pub planned_end: Option<Option<DateTime<Utc>>>,
    #[serde(default, deserialize_with = "nullable")]
    pub implementation_plan: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub backout_plan: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub category: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub subcategory: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub assignee: Option<Option<UserId>>,
    #[serde(default, deserialize_with = "nullable")]
    pub team: Option<Option<TeamId>>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeTransition {
    pub to: String,
    /// Sets the planned window on the way to `scheduled`, which needs one.
    #[serde(default)]
    pub planned_start: Option<DateTime<Utc>>,
    #[serde(default)]
    pub planned_end: Option<DateTime<Utc>>,
    /// Required when moving from review to `closed`.
    #[serde(default)]
    pub outcome: Option<ChangeOutcome>,
    /// The post-implementation review; required (here or already on the change) to close a
    /// change after review.
    #[serde(default)]
    pub review_notes: Option<String>,
    /// Schedule even though the window overlaps other changes on the same items or services, or
    /// a blackout window.
    #[serde(default)]
    pub accept_conflicts: bool,
}

impl Change {
    pub fn create(input: NewChange, at: DateTime<Utc>) -> Result<Change> {
        let mut c = Checker::new();
        c.line("title", &input.title, TITLE_MAX);
        let ch = Change {
            id: ChangeId(0),
            title: input.title.trim().to_string(),
            description: input.description.unwrap_or_default(),
            status: ChangeStatus::Draft,
            change_type: input.change_type.unwrap_or(ChangeType::Normal),
            risk: input.risk.unwrap_or(ChangeRisk::Medium),
            impact: input.impact,
            likelihood: input.likelihood,
            major: false,
            transition_plan: input.transition_plan,
            template: input.template,
            service: input.service,
            planned_start: input.planned_start,
            planned_end: input.planned_end,
            implementation_plan: blank_to_none(input.implementation_plan),
            backout_plan: blank_to_none(input.backout_plan),
            outcome: None,
            review_notes: None,
            category: blank_to_none(input.category),
            subcategory: blank_to_none(input.subcategory),
            assignee: input.assignee,
            team: input.team,
            created_at: at,
            updated_at: at,
            closed_at: None,
        };
        ch.check(&mut c);
        c.finish()?;
        Ok(ch)
    }

    /// Builds a standard change from a template, the body's own values winning.
    pub fn from_template(
        mut input: NewChange,
        t: &crate::change_template::ChangeTemplate,
        at: DateTime<Utc>,
    ) -> Result<Change> {
        if !t.active {
            return Err(Error::invalid("template", format!("{} is no longer active", t.id)));
        }
        if input.change_type.is_some_and(|k| k != ChangeType::Standard) {
            return Err(Error::invalid(
                "change_type",
                "a change raised from a template is a standard change",
            ));
        }
        input.change_type = Some(ChangeType::Standard);
        input.template = Some(t.id);
        input.risk = input.risk.or(Some(t.risk));
        input.service = input.service.or(t.service);
        input.implementation_plan = input.implementation_plan.or(Some(t.implementation_plan.clone()));
        input.backout_plan = input.backout_plan.or(Some(t.backout_plan.clone()));
        input.category = input.category.or(t.category.clone());
        if input.description.is_none() {
            input.description = Some(t.description.clone());
        }
        Change::create(input, at)
    }

    /// Assesses risk from impact and likelihood when both are known, and decides whether the
    /// change has potentially major impact. `critical_service`: its service is critical.
    pub fn assess(&mut self, critical_service: bool) {
        if let (Some(i), Some(l)) = (self.impact, self.likelihood) {
            self.risk = assess_risk(i, l, critical_service);
        }
        self.major = self.risk == ChangeRisk::High || critical_service;
    }

    fn check(&self, c: &mut Checker) {
        c.text("description", &self.description, TEXT_MAX);
        if let Some(p) = &self.transition_plan {
            for (field, v) in [
                ("transition_plan.activities", &p.activities),
                ("transition_plan.acceptance_criteria", &p.acceptance_criteria),
                ("transition_plan.expected_outcomes", &p.expected_outcomes),
            ] {
                if v.trim().is_empty() {
                    c.fail(field, "must not be blank");
                }
                c.text(field, v, TEXT_MAX);
            }
        }
        c.opt_text("implementation_plan", self.implementation_plan.as_deref(), TEXT_MAX);
        c.opt_text("backout_plan", self.backout_plan.as_deref(), TEXT_MAX);
        c.opt_line("category", self.category.as_deref(), NAME_MAX);
        c.opt_line("subcategory", self.subcategory.as_deref(), NAME_MAX);
        match (self.planned_start, self.planned_end) {
            (Some(s), Some(e)) if e <= s => c.fail("planned_end", "must be after planned_start"),
            (Some(_), None) => c.fail("planned_end", "is needed with planned_start"),
            (None, Some(_)) => c.fail("planned_start", "is needed with planned_end"),
            _ => {}
        }
    }

    pub fn apply_patch(&mut self, p: ChangePatch) -> Result<()> {
        if matches!(self.status, ChangeStatus::Closed | ChangeStatus::Cancelled) {
            return Err(Error::Conflict(format!(
                "{} is {} and can no longer be edited",
                self.id, self.status
            )));
        }
        let mut c = Checker::new();
        if let Some(t) = &p.title {
            c.line("title", t, TITLE_MAX);
        }
        let mut next = self.clone();
        set(&mut next.title, p.title.map(|t| t.trim().to_string()));
        set(&mut next.description, p.description);
        set(&mut next.change_type, p.change_type);
        set(&mut next.risk, p.risk);
        set(&mut next.impact, p.impact);
        set(&mut next.likelihood, p.likelihood);
        set(&mut next.transition_plan, p.transition_plan);
        set(&mut next.service, p.service);
        set(&mut next.planned_start, p.planned_start);
        set(&mut next.planned_end, p.planned_end);
        set(&mut next.implementation_plan, p.implementation_plan.map(blank_to_none));
        set(&mut next.backout_plan, p.backout_plan.map(blank_to_none));
        set(&mut next.category, p.category.map(blank_to_none));
        set(&mut next.subcategory, p.subcategory.map(blank_to_none));
        set(&mut next.assignee, p.assignee);
        set(&mut next.team, p.team);
        next.check(&mut c);
        c.finish()?;
        *self = next;
        Ok(())
    }

    pub fn transition(&mut self, t: ChangeTransition, at: DateTime<Utc>) -> Result<()> {
        let to = self.status.check_move(&t.to)?;
        let mut next = self.clone();
        let mut c = Checker::new();
        if t.planned_start.is_some() || t.planned_end.is_some() {
            if to != ChangeStatus::Scheduled {
                c.fail("planned_start", "a window is only taken when moving to scheduled");
            }
            set(&mut next.planned_start, t.planned_start.map(Some));
            set(&mut next.planned_end, t.planned_end.map(Some));
        }
        if to == ChangeStatus::Scheduled && (next.planned_start.is_none() || next.planned_end.is_none()) {
            c.fail("planned_start", "scheduling needs planned_start and planned_end");
        }
        let closing_after_review = to == ChangeStatus::Closed && self.status == ChangeStatus::Review;
        match (closing_after_review, t.outcome) {
            (true, None) => c.fail("outcome", "is required to close a reviewed change"),
            (false, Some(_)) => c.fail("outcome", "is only taken when closing after review"),
            _ => {}
        }
        let review_notes = blank_to_none(t.review_notes);
        match (closing_after_review, &review_notes) {
            (true, None) if next.review_notes.is_none() => c.fail(
                "review_notes",
                "a post-implementation review is required to close an implemented change",
            ),
            (false, Some(_)) => c.fail("review_notes", "is only taken when closing after review"),
            _ => {}
        }
        c.opt_text("review_notes", review_notes.as_deref(), TEXT_MAX);
        if review_notes.is_some() {
            next.review_notes = review_notes;
        }
        if to == ChangeStatus::Approved && next.change_type != ChangeType::Standard && next.backout_plan.is_none() {
            c.fail(
                "backout_plan",
                "a normal or emergency change needs a back-out plan before approval",
            );
        }
        if to == ChangeStatus::Approved && next.major && next.transition_plan.is_none() {
            c.fail(
                "transition_plan",
                "a change with potentially major impact needs a service design and transition plan before approval",
            );
        }
        next.check(&mut c);
        c.finish()?;
        next.status = to;
        if t.outcome.is_some() {
            next.outcome = t.outcome;
        }
        if matches!(to, ChangeStatus::Closed | ChangeStatus::Cancelled) {
            next.closed_at = Some(at);
        }
        *self = next;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::assert_table;
    use chrono::TimeZone;

    #[test]
    fn transition_table() {
        use ChangeStatus::*;
        assert_table(&[
            (Draft, &[Assessment, Cancelled][..]),
            (Assessment, &[Approved, Rejected, Draft, Cancelled]),
            (Approved, &[Scheduled, Cancelled]),
            (Rejected, &[Draft, Closed]),
            (Scheduled, &[Implementing, Cancelled]),
            (Implementing, &[Review]),
            (Review, &[Closed]),
            (Closed, &[]),
            (Cancelled, &[]),
        ]);
    }

    #[test]
    fn approval_needs_a_backout_plan_scheduling_a_window_and_closing_an_outcome_and_a_review() {
        let t0 = Utc.with_ymd_and_hms(2026, 5, 1, 20, 0, 0).single().unwrap();
        let new = NewChange {
            title: "Patch mail servers".into(),
            description: None,
            change_type: None,
            risk: None,
            service: None,
            planned_start: None,
            planned_end: None,
            impact: None,
            likelihood: None,
            transition_plan: None,
            template: None,
            implementation_plan: None,
            backout_plan: None,
            category: None,
            subcategory: None,
            assignee: None,
            team: None,
        };
        let mut ch = Change::create(new, t0).unwrap();
        ch.status = ChangeStatus::Assessment;
        let mv = |to: &str| ChangeTransition {
            to: to.into(),
            planned_start: None,
            planned_end: None,
            outcome: None,
            review_notes: None,
            accept_conflicts: false,
        };
        // A normal change is not approved without a back-out plan.
        match ch.transition(mv("approved"), t0) {
            Err(Error::Invalid(f)) => assert_eq!(f[0].field, "backout_plan"),
            other => panic!("{other:?}"),
        }
        ch.backout_plan = Some("Restore the snapshot.".into());
        ch.transition(mv("approved"), t0).unwrap();
        assert!(matches!(ch.transition(mv("scheduled"), t0), Err(Error::Invalid(_))));
        let backwards = ChangeTransition {
            planned_start: Some(t0),
            planned_end: Some(t0 - chrono::Duration::hours(1)),
            ..mv("scheduled")
        };
        assert!(matches!(ch.transition(backwards, t0), Err(Error::Invalid(_))));
        let window = ChangeTransition {
            planned_start: Some(t0),
            planned_end: Some(t0 + chrono::Duration::hours(2)),
            ..mv("scheduled")
        };
        ch.transition(window, t0).unwrap();
        ch.transition(mv("implementing"), t0).unwrap();
        ch.transition(mv("review"), t0).unwrap();
        assert!(matches!(ch.transition(mv("closed"), t0), Err(Error::Invalid(_))));
        let no_review = ChangeTransition {
            outcome: Some(ChangeOutcome::Successful),
            ..mv("closed")
        };
        match ch.transition(no_review, t0) {
            Err(Error::Invalid(f)) => assert_eq!(f[0].field, "review_notes"),
            other => panic!("{other:?}"),
        }
        let done = ChangeTransition {
            outcome: Some(ChangeOutcome::Successful),
            review_notes: Some("Went to plan; no incidents.".into()),
            ..mv("closed")
        };
        ch.transition(done, t0).unwrap();
        assert_eq!(ch.review_notes.as_deref(), Some("Went to plan; no incidents."));
        assert_eq!(ch.outcome, Some(ChangeOutcome::Successful));
        assert_eq!(ch.closed_at, Some(t0));
    }

    #[test]
    fn risk_from_impact_likelihood_and_criticality() {
        use crate::priority::Impact as I;
        use Likelihood as L;
        let cases = [
            (I::Low, L::Low, false, ChangeRisk::Low),
            (I::Low, L::High, false, ChangeRisk::Medium),
            (I::Medium, L::Medium, false, ChangeRisk::Medium),
            (I::High, L::Medium, false, ChangeRisk::High),
            (I::Low, L::Low, true, ChangeRisk::Medium),
            (I::Medium, L::Medium, true, ChangeRisk::High),
        ];
        for (i, l, critical, want) in cases {
            assert_eq!(assess_risk(i, l, critical), want, "{i} x {l}, critical {critical}");
        }
    }
}
