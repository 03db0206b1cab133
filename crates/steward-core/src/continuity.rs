//! Service continuity (8.7.2): a continuity plan per service states its continuity requirements —
//! how soon the service must be back (the recovery time objective) and how much data it may
//! lose (the recovery point objective) — when the plan is invoked, how the service is recovered
//! and how it returns to normal. Continuity risks are risks of the register linked to the plan.
//! A plan is tested on a schedule; a test's result is set against the objectives in force when
//! it was held. A plan is reviewed at its review date and after every high-risk change to its
//! service.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::id::{ContinuityPlanId, ContinuityTestId, ServiceId, UserId};
use crate::lifecycle::Lifecycle;
use crate::patch::{nullable, set};
use crate::record::RecordKind;
use crate::validate::{Checker, TEXT_MAX, TITLE_MAX};
use crate::{lifecycle, named_enum, record};

/// The longest objective, in minutes: a year.
pub const OBJECTIVE_MAX_MINUTES: i64 = 366 * 24 * 60;

lifecycle! {
    /// draft -> approved (in force) -> retired; an approved plan goes back to draft to be
    /// rewritten.
    ContinuityPlanStatus {
        Draft = "draft" => [Approved, Retired],
        Approved = "approved" => [Draft, Retired],
        Retired = "retired" => [],
    }
}

lifecycle! {
    /// scheduled -> completed (with its result) | cancelled.
    ContinuityTestStatus {
        Scheduled = "scheduled" => [Completed, Cancelled],
        Completed = "completed" => [],
        Cancelled = "cancelled" => [],
    }
}

named_enum! {
    /// How a plan is exercised, from a discussion round a table to switching the service off.
    ContinuityTestKind {
        Tabletop = "tabletop",
        Walkthrough = "walkthrough",
        Simulation = "simulation",
        Failover = "failover",
        FullInterruption = "full_interruption",
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ContinuityPlan {
    pub id: ContinuityPlanId,
    pub service: ServiceId,
    pub title: String,
    /// How soon, in minutes, the service must be available again after the plan is invoked.
    pub recovery_time_minutes: i64,
    /// How much data, in minutes of work before the disruption, may be lost.
    pub recovery_point_minutes: i64,
    /// When the plan is invoked, and who decides.
    pub invocation_criteria: String,
    /// How the service is recovered.
    pub recovery_steps: String,
    /// How the service returns to its normal working once the disruption is over.
    pub return_to_normal: String,
    pub owner: Option<UserId>,
    pub status: ContinuityPlanStatus,
    /// The day the plan was last reviewed.
    pub reviewed_on: Option<NaiveDate>,
    pub next_review: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

record!(ContinuityPlan, RecordKind::ContinuityPlan, ContinuityPlanId);

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewContinuityPlan {
    pub service: ServiceId,
    pub title: String,
    pub recovery_time_minutes: i64,
    pub recovery_point_minutes: i64,
    #[serde(default)]
    pub invocation_criteria: Option<String>,
    #[serde(default)]
    pub recovery_steps: Option<String>,
    #[serde(default)]
    pub return_to_normal: Option<String>,
    #[serde(default)]
    pub owner: Option<UserId>,
    #[serde(default)]
    pub next_review: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContinuityPlanPatch {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub recovery_time_minutes: Option<i64>,
    #[serde(default)]
    pub recovery_point_minutes: Option<i64>,
    #[serde(default)]
    pub invocation_criteria: Option<String>,
    #[serde(default)]
    pub recovery_steps: Option<String>,
    #[serde(default)]
    pub return_to_normal: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub owner: Option<Option<UserId>>,
    #[serde(default, deserialize_with = "nullable")]
    pub next_review: Option<Option<NaiveDate>>,
}

/// The body of `POST /api/v1/continuity-plans/{ref}/transition`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContinuityPlanTransition {
    /// `approved`, `draft` (to rewrite an approved plan) or `retired`.
    pub to: String,
}

/// The body of `POST /api/v1/continuity-plans/{ref}/review`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanReview {
    /// The day it was held; today if absent.
    #[serde(default)]
    pub held_on: Option<NaiveDate>,
    /// When the plan is next reviewed.
    pub next_review: NaiveDate,
}

fn check_objective(c: &mut Checker, field: &str, minutes: i64, least: i64) {
    if !(least..=OBJECTIVE_MAX_MINUTES).contains(&minutes) {
        c.fail(
            field,
            format!("must be between {least} and {OBJECTIVE_MAX_MINUTES} minutes"),
        );
    }
}

impl ContinuityPlan {
    pub fn create(input: NewContinuityPlan, at: DateTime<Utc>) -> Result<ContinuityPlan> {
        let text = |v: Option<String>| v.unwrap_or_default().trim().to_string();
        let p = ContinuityPlan {
            id: ContinuityPlanId(0),
            service: input.service,
            title: input.title.trim().to_string(),
            recovery_time_minutes: input.recovery_time_minutes,
            recovery_point_minutes: input.recovery_point_minutes,
            invocation_criteria: text(input.invocation_criteria),
            recovery_steps: text(input.recovery_steps),
            return_to_normal: text(input.return_to_normal),
            owner: input.owner,
            status: ContinuityPlanStatus::Draft,
            reviewed_on: None,
            next_review: input.next_review,
            created_at: at,
            updated_at: at,
        };
        let mut c = Checker::new();
        p.check(&mut c);
        c.finish()?;
        Ok(p)
    }

    fn check(&self, c: &mut Checker) {
        c.line("title", &self.title, TITLE_MAX);
        check_objective(c, "recovery_time_minutes", self.recovery_time_minutes, 1);
        check_objective(c, "recovery_point_minutes", self.recovery_point_minutes, 0);
        c.text("invocation_criteria", &self.invocation_criteria, TEXT_MAX);
        c.text("recovery_steps", &self.recovery_steps, TEXT_MAX);
        c.text("return_to_normal", &self.return_to_normal, TEXT_MAX);
        if self.status == ContinuityPlanStatus::Approved {
            for (field, value) in [
                ("invocation_criteria", &self.invocation_criteria),
                ("recovery_steps", &self.recovery_steps),
                ("return_to_normal", &self.return_to_normal),
            ] {
                if value.is_empty() {
                    c.fail(field, "an approved plan says this");
                }
            }
            if self.next_review.is_none() {
                c.fail("next_review", "an approved plan has its next review set");
            }
        }
    }

    pub fn apply_patch(&mut self, p: ContinuityPlanPatch) -> Result<()> {
        if self.status == ContinuityPlanStatus::Retired {
            return Err(Error::Conflict(format!("{} is retired and no longer changes", self.id)));
        }
        let mut next = self.clone();
        let trim = |v: Option<String>| v.map(|s| s.trim().to_string());
        set(&mut next.title, trim(p.title));
        set(&mut next.recovery_time_minutes, p.recovery_time_minutes);
        set(&mut next.recovery_point_minutes, p.recovery_point_minutes);
        set(&mut next.invocation_criteria, trim(p.invocation_criteria));
        set(&mut next.recovery_steps, trim(p.recovery_steps));
        set(&mut next.return_to_normal, trim(p.return_to_normal));
        set(&mut next.owner, p.owner);
        set(&mut next.next_review, p.next_review);
        let mut c = Checker::new();
        next.check(&mut c);
        c.finish()?;
        *self = next;
        Ok(())
    }

    pub fn transition(&mut self, t: ContinuityPlanTransition) -> Result<()> {
        let mut next = self.clone();
        next.status = self.status.check_move(&t.to)?;
        let mut c = Checker::new();
        next.check(&mut c);
        c.finish()?;
        *self = next;
        Ok(())
    }

    /// Records a review held on `held_on` (today if absent) and sets the next one.
    pub fn review(&mut self, r: PlanReview, today: NaiveDate) -> Result<()> {
        let held = r.held_on.unwrap_or(today);
        let mut c = Checker::new();
        if self.status == ContinuityPlanStatus::Retired {
            c.fail("status", "a retired plan is not reviewed");
        }
        c.review_dates(held, self.reviewed_on, Some(r.next_review), today);
        c.finish()?;
        self.reviewed_on = Some(held);
        self.next_review = Some(r.next_review);
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ContinuityTest {
    pub id: ContinuityTestId,
    pub plan: ContinuityPlanId,
    pub kind: ContinuityTestKind,
    pub title: String,
    pub scheduled_on: NaiveDate,
    pub status: ContinuityTestStatus,
    /// The day it was held.
    pub held_on: Option<NaiveDate>,
    /// How long recovery took in the test, and how much data was lost, in minutes.
    pub recovery_minutes: Option<i64>,
    pub data_loss_minutes: Option<i64>,
    /// The plan's objectives when the test was held, and whether the test met them.
    pub recovery_time_objective: Option<i64>,
    pub recovery_point_objective: Option<i64>,
    pub met_objectives: Option<bool>,
    pub findings: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

record!(ContinuityTest, RecordKind::ContinuityTest, ContinuityTestId);

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewContinuityTest {
    pub plan: ContinuityPlanId,
    pub kind: ContinuityTestKind,
    /// "Failover test" and the like, from the kind, if absent.
    #[serde(default)]
    pub title: Option<String>,
    pub scheduled_on: NaiveDate,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContinuityTestPatch {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub kind: Option<ContinuityTestKind>,
    /// Only while the test is scheduled.
    #[serde(default)]
    pub scheduled_on: Option<NaiveDate>,
    #[serde(default)]
    pub findings: Option<String>,
}

/// The body of `POST /api/v1/continuity-tests/{ref}/complete`: what the test found.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TestResult {
    /// Today if absent; never in the future.
    #[serde(default)]
    pub held_on: Option<NaiveDate>,
    /// How long recovery took, in minutes.
    pub recovery_minutes: i64,
    /// How much data was lost, in minutes of work.
    pub data_loss_minutes: i64,
    pub findings: String,
}

/// The body of `POST /api/v1/continuity-tests/{ref}/cancel`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TestCancellation {
    pub reason: String,
}

fn test_title(kind: ContinuityTestKind) -> String {
    let words = match kind {
        ContinuityTestKind::Tabletop => "Tabletop exercise",
        ContinuityTestKind::Walkthrough => "Walkthrough",
        ContinuityTestKind::Simulation => "Simulation",
        ContinuityTestKind::Failover => "Failover test",
        ContinuityTestKind::FullInterruption => "Full interruption test",
    };
    words.to_string()
}

impl ContinuityTest {
    pub fn create(input: NewContinuityTest, at: DateTime<Utc>) -> Result<ContinuityTest> {
        let title = input.title.map(|t| t.trim().to_string()).unwrap_or_default();
        let t = ContinuityTest {
            id: ContinuityTestId(0),
            plan: input.plan,
            kind: input.kind,
            title: if title.is_empty() {
                test_title(input.kind)
            } else {
                title
            },
            scheduled_on: input.scheduled_on,
            status: ContinuityTestStatus::Scheduled,
            held_on: None,
            recovery_minutes: None,
            data_loss_minutes: None,
            recovery_time_objective: None,
            recovery_point_objective: None,
            met_objectives: None,
            findings: String::new(),
            created_at: at,
            updated_at: at,
        };
        let mut c = Checker::new();
        c.line("title", &t.title, TITLE_MAX);
        c.finish()?;
        Ok(t)
    }

    pub fn apply_patch(&mut self, p: ContinuityTestPatch) -> Result<()> {
        let mut c = Checker::new();
        if p.scheduled_on.is_some() && self.status != ContinuityTestStatus::Scheduled {
            c.fail("scheduled_on", "the test has been held or cancelled");
        }
        let mut next = self.clone();
        set(&mut next.title, p.title.map(|t| t.trim().to_string()));
        set(&mut next.kind, p.kind);
        set(&mut next.scheduled_on, p.scheduled_on);
        set(&mut next.findings, p.findings.map(|f| f.trim().to_string()));
        c.line("title", &next.title, TITLE_MAX);
        c.text("findings", &next.findings, TEXT_MAX);
        c.finish()?;
        *self = next;
        Ok(())
    }

    /// Records what the test found, against the objectives of `plan` as they stand now.
    pub fn complete(&mut self, r: TestResult, plan: &ContinuityPlan, today: NaiveDate) -> Result<()> {
        let to = self.status.check_move(ContinuityTestStatus::Completed.as_str())?;
        let held = r.held_on.unwrap_or(today);
        let mut c = Checker::new();
        if held > today {
            c.fail("held_on", "must not be in the future");
        }
        check_objective(&mut c, "recovery_minutes", r.recovery_minutes, 0);
        check_objective(&mut c, "data_loss_minutes", r.data_loss_minutes, 0);
        let findings = r.findings.trim().to_string();
        if findings.is_empty() {
            c.fail("findings", "must say what the test found");
        }
        c.text("findings", &findings, TEXT_MAX);
        c.finish()?;
        self.status = to;
        self.held_on = Some(held);
        self.recovery_minutes = Some(r.recovery_minutes);
        self.data_loss_minutes = Some(r.data_loss_minutes);
        self.recovery_time_objective = Some(plan.recovery_time_minutes);
        self.recovery_point_objective = Some(plan.recovery_point_minutes);
        self.met_objectives = Some(
            r.recovery_minutes <= plan.recovery_time_minutes && r.data_loss_minutes <= plan.recovery_point_minutes,
        );
        self.findings = findings;
        Ok(())
    }

    pub fn cancel(&mut self, c: TestCancellation) -> Result<()> {
        let to = self.status.check_move(ContinuityTestStatus::Cancelled.as_str())?;
        let reason = c.reason.trim().to_string();
        if reason.is_empty() {
            return Err(Error::invalid("reason", "must say why the test was cancelled"));
        }
        self.status = to;
        self.findings = reason;
        Ok(())
    }
}

/// Where a plan stands on a day: its objectives, its review, its tests and the changes since.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ContinuityStanding {
    pub plan: ContinuityPlanId,
    pub title: String,
    pub service: ServiceId,
    pub service_name: String,
    pub status: ContinuityPlanStatus,
    pub recovery_time_minutes: i64,
    pub recovery_point_minutes: i64,
    pub reviewed_on: Option<NaiveDate>,
    pub next_review: Option<NaiveDate>,
    /// The next review is unset or past.
    pub review_due: bool,
    /// The last completed test, and whether it met the objectives.
    pub last_test_on: Option<NaiveDate>,
    pub last_test_met: Option<bool>,
    /// The next test scheduled.
    pub next_test_on: Option<NaiveDate>,
    /// The latest high-risk change to the service closed after the plan's last review (or ever,
    /// for a plan never reviewed): the plan is due a review because of it.
    pub changed_since_review: Option<DateTime<Utc>>,
    /// Continuity risks of the register linked to the plan.
    pub risks: i64,
}

impl ContinuityStanding {
    /// The row of `p` before its tests and changes are read.
    pub fn new(p: &ContinuityPlan, service_name: String, today: NaiveDate) -> ContinuityStanding {
        ContinuityStanding {
            plan: p.id,
            title: p.title.clone(),
            service: p.service,
            service_name,
            status: p.status,
            recovery_time_minutes: p.recovery_time_minutes,
            recovery_point_minutes: p.recovery_point_minutes,
            reviewed_on: p.reviewed_on,
            next_review: p.next_review,
            review_due: p.next_review.is_none_or(|d| d < today),
            last_test_on: None,
            last_test_met: None,
            next_test_on: None,
            changed_since_review: None,
            risks: 0,
        }
    }

    /// Notes the latest high-risk change closed on the service, if it came after the review.
    pub fn changed(&mut self, closed_at: DateTime<Utc>) {
        let since = self.reviewed_on.is_none_or(|r| closed_at.date_naive() > r);
        if since {
            self.changed_since_review = Some(closed_at);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::assert_table;

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_790_000_000, 0).unwrap_or_default()
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn plan() -> ContinuityPlan {
        ContinuityPlan::create(
            NewContinuityPlan {
                service: ServiceId(1),
                title: "Mail continuity plan".into(),
                recovery_time_minutes: 240,
                recovery_point_minutes: 15,
                invocation_criteria: None,
                recovery_steps: Some("Fail over to the second site.".into()),
                return_to_normal: Some("Fail back once the first site is sound.".into()),
                owner: None,
                next_review: None,
            },
            now(),
        )
        .unwrap()
    }

    #[test]
    fn transition_tables() {
        use ContinuityPlanStatus::*;
        assert_table(&[
            (Draft, &[Approved, Retired][..]),
            (Approved, &[Draft, Retired]),
            (Retired, &[]),
        ]);
        use ContinuityTestStatus::*;
        assert_table(&[
            (Scheduled, &[Completed, Cancelled][..]),
            (Completed, &[]),
            (Cancelled, &[]),
        ]);
    }

    #[test]
    fn a_plan_is_approved_only_when_it_says_when_how_and_how_back() {
        let mut p = plan();
        let e = p
            .transition(ContinuityPlanTransition { to: "approved".into() })
            .unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains("invocation_criteria") && text.contains("next_review"),
            "{text}"
        );
        assert_eq!(p.status, ContinuityPlanStatus::Draft, "a refused move changes nothing");
        p.apply_patch(ContinuityPlanPatch {
            invocation_criteria: Some("The service is down for an hour with no fix in sight.".into()),
            next_review: Some(Some(day(2027, 6, 1))),
            ..Default::default()
        })
        .unwrap();
        p.transition(ContinuityPlanTransition { to: "approved".into() })
            .unwrap();
        let e = p
            .apply_patch(ContinuityPlanPatch {
                recovery_steps: Some(" ".into()),
                ..Default::default()
            })
            .unwrap_err();
        assert!(e.to_string().contains("recovery_steps"), "{e}");
        let e = ContinuityPlan::create(
            NewContinuityPlan {
                recovery_time_minutes: 0,
                recovery_point_minutes: -1,
                ..NewContinuityPlan {
                    service: ServiceId(1),
                    title: "x".into(),
                    recovery_time_minutes: 1,
                    recovery_point_minutes: 0,
                    invocation_criteria: None,
                    recovery_steps: None,
                    return_to_normal: None,
                    owner: None,
                    next_review: None,
                }
            },
            now(),
        )
        .unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains("recovery_time_minutes") && text.contains("recovery_point_minutes"),
            "{text}"
        );
        let today = now().date_naive();
        let e = p
            .review(
                PlanReview {
                    held_on: None,
                    next_review: today,
                },
                today,
            )
            .unwrap_err();
        assert!(e.to_string().contains("next_review"), "{e}");
        p.review(
            PlanReview {
                held_on: None,
                next_review: today + chrono::Duration::days(365),
            },
            today,
        )
        .unwrap();
        assert_eq!(p.reviewed_on, Some(today));
    }

    #[test]
    fn a_standing_marks_a_change_closed_after_the_review() {
        let mut p = plan();
        let today = now().date_naive();
        p.reviewed_on = Some(today - chrono::Duration::days(10));
        let mut s = ContinuityStanding::new(&p, "Mail".into(), today);
        assert!(s.review_due, "no next review is set");
        s.changed(now() - chrono::Duration::days(20));
        assert_eq!(s.changed_since_review, None, "the change closed before the review");
        s.changed(now() - chrono::Duration::days(2));
        assert!(s.changed_since_review.is_some());
    }

    #[test]
    fn a_test_is_set_against_the_objectives_in_force_when_held() {
        let p = plan();
        let today = now().date_naive();
        let mut t = ContinuityTest::create(
            NewContinuityTest {
                plan: p.id,
                kind: ContinuityTestKind::Failover,
                title: None,
                scheduled_on: today,
            },
            now(),
        )
        .unwrap();
        assert_eq!(t.title, "Failover test");
        let result = |recovery, loss| TestResult {
            held_on: None,
            recovery_minutes: recovery,
            data_loss_minutes: loss,
            findings: "Recovered on the second site.".into(),
        };
        let e = t
            .complete(
                TestResult {
                    findings: " ".into(),
                    ..result(10, 0)
                },
                &p,
                today,
            )
            .unwrap_err();
        assert!(e.to_string().contains("findings"), "{e}");
        t.complete(result(250, 5), &p, today).unwrap();
        assert_eq!(
            (t.status, t.met_objectives, t.recovery_time_objective),
            (ContinuityTestStatus::Completed, Some(false), Some(240))
        );
        assert!(
            t.complete(result(10, 0), &p, today).is_err(),
            "a test is completed once"
        );
        assert!(t.cancel(TestCancellation { reason: "x".into() }).is_err());
    }
}
