//! The continuity page (`/continuity`, 8.7.2): every plan in force or in draft with its
//! objectives, review, last and next test, linked risks and the high-risk changes since its
//! review; the tests recent and to come; and, for whoever may write them, the forms to write and
//! approve a plan, record its review, schedule a test and record what a test found.

use askama::Template;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use steward_core::Error;
use steward_core::access::{Operation, authorize};
use steward_core::continuity::{
    ContinuityPlan, ContinuityPlanStatus, ContinuityPlanTransition, ContinuityStanding, ContinuityTest,
    ContinuityTestKind, ContinuityTestStatus, NewContinuityPlan, NewContinuityTest, PlanReview, TestResult,
};
use steward_core::history::HistoryAction;
use steward_core::id::{ContinuityPlanId, ContinuityTestId, ServiceId};
use steward_core::outage::hours_and_minutes;
use steward_core::record::RecordKind;
use steward_store::{ListQuery, Sort};

use super::form::{FormErrors, date, required, required_date, required_named, text, written_or_redisplay};
use super::session::Posted;
use super::ticket::{Choice, Options};
use super::{Chrome, UiResult, Viewer, record_href, render};
use crate::api::{create, list_all, modify};
use crate::error::ApiError;

/// The forms of the page, as typed.
#[derive(Deserialize, Default)]
pub struct PlanForm {
    #[serde(default)]
    service: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    recovery_time_minutes: String,
    #[serde(default)]
    recovery_point_minutes: String,
    #[serde(default)]
    invocation_criteria: String,
    #[serde(default)]
    recovery_steps: String,
    #[serde(default)]
    return_to_normal: String,
    #[serde(default)]
    next_review: String,
}

#[derive(Deserialize, Default)]
pub struct ApprovalForm {
    #[serde(default)]
    plan: String,
}

#[derive(Deserialize, Default)]
pub struct ReviewForm {
    #[serde(default)]
    plan: String,
    #[serde(default)]
    next_review: String,
}

#[derive(Deserialize, Default)]
pub struct ScheduleForm {
    #[serde(default)]
    plan: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    scheduled_on: String,
}

#[derive(Deserialize, Default)]
pub struct ResultForm {
    #[serde(default)]
    test: String,
    #[serde(default)]
    held_on: String,
    #[serde(default)]
    recovery_minutes: String,
    #[serde(default)]
    data_loss_minutes: String,
    #[serde(default)]
    findings: String,
}

#[derive(Default)]
struct Typed {
    plan: PlanForm,
    approval: ApprovalForm,
    review: ReviewForm,
    schedule: ScheduleForm,
    result: ResultForm,
}

/// A plan's row, in words.
struct Standing {
    href: String,
    title: String,
    service: String,
    objectives: String,
    status: String,
    reviewed: String,
    next_review: String,
    review_due: bool,
    last_test: String,
    missed: bool,
    next_test: String,
    changed: Option<String>,
    risks: i64,
}

/// A test in the list.
struct Listed {
    reference: String,
    href: String,
    title: String,
    plan: String,
    day: String,
    status: String,
    result: String,
}

#[derive(Template)]
#[template(path = "continuity/index.html")]
struct ContinuityPage {
    chrome: Chrome,
    plans: Vec<Standing>,
    tests: Vec<Listed>,
    may_write: bool,
    drafts: Vec<Choice>,
    approved: Vec<Choice>,
    scheduled: Vec<Choice>,
    kinds: Vec<Choice>,
    options: Options,
    plan_form: PlanForm,
    approval_form: ApprovalForm,
    review_form: ReviewForm,
    schedule_form: ScheduleForm,
    result_form: ResultForm,
    errors: FormErrors,
}

fn day(d: Option<chrono::NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_else(|| "—".into())
}

fn standing(s: ContinuityStanding) -> Standing {
    Standing {
        href: record_href(RecordKind::ContinuityPlan, s.plan.0),
        objectives: format!(
            "back within {}, losing at most {}",
            hours_and_minutes(s.recovery_time_minutes * 60),
            hours_and_minutes(s.recovery_point_minutes * 60)
        ),
        status: s.status.to_string(),
        reviewed: day(s.reviewed_on),
        next_review: day(s.next_review),
        review_due: s.review_due,
        last_test: match (s.last_test_on, s.last_test_met) {
            (Some(d), Some(true)) => format!("{d}, met the objectives"),
            (Some(d), _) => format!("{d}, missed the objectives"),
            (None, _) => "never tested".into(),
        },
        missed: s.last_test_met == Some(false) || s.last_test_on.is_none(),
        next_test: day(s.next_test_on),
        changed: s.changed_since_review.map(|c| c.format("%Y-%m-%d").to_string()),
        risks: s.risks,
        title: s.title,
        service: s.service_name,
    }
}

fn kind_words(k: ContinuityTestKind) -> &'static str {
    match k {
        ContinuityTestKind::Tabletop => "tabletop exercise",
        ContinuityTestKind::Walkthrough => "walkthrough",
        ContinuityTestKind::Simulation => "simulation",
        ContinuityTestKind::Failover => "failover",
        ContinuityTestKind::FullInterruption => "full interruption",
    }
}

async fn show(viewer: &Viewer, typed: Typed, errors: FormErrors) -> UiResult<Response> {
    let ctx = &viewer.ctx;
    authorize(&ctx.actor, RecordKind::ContinuityPlan, Operation::Read)?;
    let today = ctx.now.date_naive();
    let report = ctx.state.store.continuity_report(today).await?;
    let pick = |status: ContinuityPlanStatus| -> Vec<Choice> {
        report
            .iter()
            .filter(|s| s.status == status)
            .map(|s| Choice::new(s.plan.to_string(), format!("{} ({})", s.title, s.service_name)))
            .collect()
    };
    let (drafts, approved) = (pick(ContinuityPlanStatus::Draft), pick(ContinuityPlanStatus::Approved));
    let title_of = |id: ContinuityPlanId| {
        report
            .iter()
            .find(|s| s.plan == id)
            .map(|s| s.title.clone())
            .unwrap_or_else(|| id.to_string())
    };
    let q = ListQuery {
        sort: Sort {
            column: "updated_at",
            descending: true,
        },
        limit: 25,
        ..ListQuery::default()
    };
    let recent: Vec<ContinuityTest> = list_all::<ContinuityTest>(ctx, q).await?.0.items;
    let scheduled = recent
        .iter()
        .filter(|t| t.status == ContinuityTestStatus::Scheduled)
        .map(|t| Choice::new(t.id.to_string(), format!("{} {} ({})", t.id, t.title, t.scheduled_on)))
        .collect();
    let tests = recent
        .iter()
        .map(|t| Listed {
            reference: t.id.to_string(),
            href: record_href(RecordKind::ContinuityTest, t.id.0),
            title: format!("{} ({})", t.title, kind_words(t.kind)),
            plan: title_of(t.plan),
            day: t.held_on.unwrap_or(t.scheduled_on).to_string(),
            status: t.status.to_string(),
            result: match (t.met_objectives, t.recovery_minutes) {
                (Some(met), Some(m)) => format!(
                    "recovered in {} — {}",
                    hours_and_minutes(m * 60),
                    if met {
                        "met the objectives"
                    } else {
                        "missed the objectives"
                    }
                ),
                _ => "—".into(),
            },
        })
        .collect();
    let status = errors.status();
    let page = ContinuityPage {
        chrome: viewer.chrome("dashboard"),
        plans: report.into_iter().map(standing).collect(),
        tests,
        may_write: authorize(&ctx.actor, RecordKind::ContinuityPlan, Operation::Create).is_ok(),
        drafts,
        approved,
        scheduled,
        kinds: ContinuityTestKind::ALL
            .iter()
            .map(|k| Choice::new(k.as_str(), kind_words(*k)))
            .collect(),
        options: Options::load(ctx).await?,
        plan_form: typed.plan,
        approval_form: typed.approval,
        review_form: typed.review,
        schedule_form: typed.schedule,
        result_form: typed.result,
        errors,
    };
    Ok((status, render(&page)).into_response())
}

pub async fn continuity_page(viewer: Viewer) -> UiResult<Response> {
    show(&viewer, Typed::default(), FormErrors::default()).await
}

/// What became of a form: the page of the record written, or this page again with its errors.
async fn outcome(viewer: &Viewer, typed: Typed, written: Result<String, ApiError>) -> UiResult<Response> {
    written_or_redisplay(written, |errors| show(viewer, typed, errors)).await
}

/// The forms naming a plan: a message about it is said beside the form's own select.
fn on_form(written: Result<String, ApiError>, form: &str) -> Result<String, ApiError> {
    super::form::beside(written, form, &["plan"], "plan")
}

/// Whole minutes as typed; empty is refused with `missing`.
fn minutes(e: &mut FormErrors, field: &str, typed: &str, missing: &str) -> Option<i64> {
    let t = typed.trim();
    if t.is_empty() {
        e.fail(field, missing);
        return None;
    }
    t.parse::<i64>()
        .map_err(|_| e.fail(field, "must be a whole number of minutes, such as 240"))
        .ok()
}

/// Writes a plan (a draft), then shows it.
pub async fn write_plan(posted: Posted<PlanForm>) -> UiResult<Response> {
    let Posted { viewer, form } = posted;
    let ctx = &viewer.ctx;
    authorize(&ctx.actor, RecordKind::ContinuityPlan, Operation::Create)?;
    let mut e = FormErrors::default();
    let service: Option<ServiceId> = required(
        &mut e,
        "service",
        &form.service,
        RecordKind::Service,
        "choose the service the plan keeps going",
    );
    let rto = minutes(
        &mut e,
        "recovery_time_minutes",
        &form.recovery_time_minutes,
        "say how soon the service must be back",
    );
    let rpo = minutes(
        &mut e,
        "recovery_point_minutes",
        &form.recovery_point_minutes,
        "say how much data it may lose",
    );
    let next_review = date(&mut e, "next_review", &form.next_review);
    let written = async {
        let (Some(service), Some(rto), Some(rpo), false) = (service, rto, rpo, e.any()) else {
            return Err(Error::Invalid(e.0).into());
        };
        let p = ContinuityPlan::create(
            NewContinuityPlan {
                service,
                title: form.title.clone(),
                recovery_time_minutes: rto,
                recovery_point_minutes: rpo,
                invocation_criteria: text(&form.invocation_criteria),
                recovery_steps: text(&form.recovery_steps),
                return_to_normal: text(&form.return_to_normal),
                owner: Some(ctx.actor.user),
                next_review,
            },
            ctx.now,
        )?;
        let (_, axum::Json(saved)) = create(ctx, p).await?;
        Ok(record_href(RecordKind::ContinuityPlan, saved.id.0))
    }
    .await;
    let typed = Typed {
        plan: form,
        ..Typed::default()
    };
    outcome(&viewer, typed, written).await
}

/// Approves a draft plan, then shows it.
pub async fn approve_plan(posted: Posted<ApprovalForm>) -> UiResult<Response> {
    let Posted { viewer, form } = posted;
    let ctx = &viewer.ctx;
    authorize(&ctx.actor, RecordKind::ContinuityPlan, Operation::Update)?;
    let mut e = FormErrors::default();
    let plan: Option<ContinuityPlanId> = required(
        &mut e,
        "plan",
        &form.plan,
        RecordKind::ContinuityPlan,
        "choose the plan to approve",
    );
    let written = async {
        let (Some(plan), false) = (plan, e.any()) else {
            return Err(Error::Invalid(e.0).into());
        };
        let saved = modify(
            ctx,
            &plan.to_string(),
            HistoryAction::Transition,
            |p: &mut ContinuityPlan| p.transition(ContinuityPlanTransition { to: "approved".into() }),
        )
        .await?;
        Ok(record_href(RecordKind::ContinuityPlan, saved.0.id.0))
    }
    .await;
    let typed = Typed {
        approval: form,
        ..Typed::default()
    };
    outcome(&viewer, typed, on_form(written, "approve")).await
}

/// Records a review of a plan held today, then shows the plan.
pub async fn review_plan(posted: Posted<ReviewForm>) -> UiResult<Response> {
    let Posted { viewer, form } = posted;
    let ctx = &viewer.ctx;
    authorize(&ctx.actor, RecordKind::ContinuityPlan, Operation::Update)?;
    let mut e = FormErrors::default();
    let plan: Option<ContinuityPlanId> = required(
        &mut e,
        "plan",
        &form.plan,
        RecordKind::ContinuityPlan,
        "choose the plan reviewed",
    );
    let next_review = required_date(
        &mut e,
        "next_review",
        &form.next_review,
        "say when the plan is next reviewed",
    );
    let written = async {
        let (Some(plan), Some(next_review), false) = (plan, next_review, e.any()) else {
            return Err(Error::Invalid(e.0).into());
        };
        let today = ctx.now.date_naive();
        let saved = modify(
            ctx,
            &plan.to_string(),
            HistoryAction::Update,
            |p: &mut ContinuityPlan| {
                p.review(
                    PlanReview {
                        held_on: None,
                        next_review,
                    },
                    today,
                )
            },
        )
        .await?;
        Ok(record_href(RecordKind::ContinuityPlan, saved.0.id.0))
    }
    .await;
    let typed = Typed {
        review: form,
        ..Typed::default()
    };
    outcome(&viewer, typed, on_form(written, "review")).await
}

/// Schedules a test of a plan, then shows it.
pub async fn schedule_test(posted: Posted<ScheduleForm>) -> UiResult<Response> {
    let Posted { viewer, form } = posted;
    let ctx = &viewer.ctx;
    authorize(&ctx.actor, RecordKind::ContinuityTest, Operation::Create)?;
    let mut e = FormErrors::default();
    let plan: Option<ContinuityPlanId> = required(
        &mut e,
        "plan",
        &form.plan,
        RecordKind::ContinuityPlan,
        "choose the plan to test",
    );
    let kind: Option<ContinuityTestKind> =
        required_named(&mut e, "kind", &form.kind, "choose how the plan is exercised");
    let scheduled_on = required_date(&mut e, "scheduled_on", &form.scheduled_on, "say when the test is held");
    let written = async {
        let (Some(plan), Some(kind), Some(scheduled_on), false) = (plan, kind, scheduled_on, e.any()) else {
            return Err(Error::Invalid(e.0).into());
        };
        let t = ContinuityTest::create(
            NewContinuityTest {
                plan,
                kind,
                title: None,
                scheduled_on,
            },
            ctx.now,
        )?;
        let (_, axum::Json(saved)) = create(ctx, t).await?;
        Ok(record_href(RecordKind::ContinuityTest, saved.id.0))
    }
    .await;
    let typed = Typed {
        schedule: form,
        ..Typed::default()
    };
    outcome(&viewer, typed, on_form(written, "schedule")).await
}

/// Records what a scheduled test found, then shows it.
pub async fn record_result(posted: Posted<ResultForm>) -> UiResult<Response> {
    let Posted { viewer, form } = posted;
    let ctx = &viewer.ctx;
    authorize(&ctx.actor, RecordKind::ContinuityTest, Operation::Update)?;
    let mut e = FormErrors::default();
    let test: Option<ContinuityTestId> = required(
        &mut e,
        "test",
        &form.test,
        RecordKind::ContinuityTest,
        "choose the test held",
    );
    let held_on = date(&mut e, "held_on", &form.held_on);
    let recovery = minutes(
        &mut e,
        "recovery_minutes",
        &form.recovery_minutes,
        "say how long recovery took",
    );
    let loss = minutes(
        &mut e,
        "data_loss_minutes",
        &form.data_loss_minutes,
        "say how much data was lost (0 for none)",
    );
    let written = async {
        let (Some(test), Some(recovery_minutes), Some(data_loss_minutes), false) = (test, recovery, loss, e.any())
        else {
            return Err(Error::Invalid(e.0).into());
        };
        let result = TestResult {
            held_on,
            recovery_minutes,
            data_loss_minutes,
            findings: form.findings.clone(),
        };
        let saved = crate::api::continuity::complete_test(ctx, &test.to_string(), result).await?;
        Ok(record_href(RecordKind::ContinuityTest, saved.0.id.0))
    }
    .await;
    let typed = Typed {
        result: form,
        ..Typed::default()
    };
    outcome(&viewer, typed, written).await
}
