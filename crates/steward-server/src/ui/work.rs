//! Problems and changes in the console: raising one, editing it, moving it through its
//! lifecycle with what each state needs (a root cause to resolve a problem; a window to schedule
//! a change, an outcome and review to close it), and an approver's decision on a change. Every
//! form goes through the API's own calls, so a change is still approved only by its approvers, a
//! colliding window still needs to be accepted and an edited change's risk is assessed again.

use axum::http::Uri;
use axum::response::Response;
use serde::Deserialize;
use steward_core::Error;
use steward_core::approval::Decision;
use steward_core::change::{Change, ChangeOutcome, ChangePatch, ChangeStatus, ChangeTransition, TransitionPlan};
use steward_core::history::HistoryAction;
use steward_core::id::UserId;
use steward_core::problem::{Problem, ProblemPatch, ProblemStatus, ProblemTransition};
use steward_core::record::RecordKind;

use super::form::{FormErrors, instant, named, reference, text};
use super::session::Posted;
use super::ticket::{Choice, Names, Options, levels, next_states};
use super::{UiResult, see_other, when};
use crate::api::modify;
use crate::auth::Ctx;
use crate::error::ApiError;

/// One approver's say on a change, as the change's page shows it.
pub struct ApprovalLine {
    pub approver: String,
    pub role: String,
    pub decision: String,
    pub comment: String,
    pub decided: String,
}

/// A change's approvers and their decisions, shown to everyone who reads the change, with the
/// decision form for an approver whose say is still pending.
pub struct ApprovalsPanel {
    pub base: String,
    pub lines: Vec<ApprovalLine>,
    pub may_decide: bool,
}

impl ApprovalsPanel {
    pub async fn of(ctx: &Ctx, c: &Change) -> Result<ApprovalsPanel, ApiError> {
        let approvals = ctx.state.store.approvals(c.id).await?;
        let me = ctx.actor.user;
        let may_decide = ctx.actor.role != steward_core::user::Role::Auditor
            && approvals
                .iter()
                .any(|a| a.approver == me && a.decision == Decision::Pending);
        let people: Vec<i64> = approvals.iter().map(|a| a.approver.0).collect();
        let names = Names::load(ctx, &people, &[], &[]).await?;
        Ok(ApprovalsPanel {
            base: super::record_href(RecordKind::Change, c.id.0),
            lines: approvals
                .into_iter()
                .map(|a| ApprovalLine {
                    approver: names.user(Some(a.approver)),
                    role: a.role.as_str().replace('_', " "),
                    decision: a.decision.to_string(),
                    comment: a.comment.unwrap_or_default(),
                    decided: a.decided_at.map(when).unwrap_or_default(),
                })
                .collect(),
            may_decide,
        })
    }
}

/// The forms of a problem or a change on its page: edit and move.
pub struct MovePanel {
    pub base: String,
    pub is_change: bool,
    pub next: Vec<Choice>,
    pub outcomes: Vec<Choice>,
    pub assigned_to_me: bool,
    /// The edit form, filled with the record as it is.
    pub form: WorkForm,
    pub options: Options,
    pub levels: Vec<Choice>,
    /// Whether the record can still be edited (closed and cancelled ones cannot).
    pub editable: bool,
}

impl MovePanel {
    pub async fn problem(ctx: &Ctx, p: &Problem) -> Result<MovePanel, ApiError> {
        let form = WorkForm {
            title: p.title.clone(),
            description: p.description.clone(),
            service: p.service.map(|s| s.to_string()).unwrap_or_default(),
            impact: p.impact.to_string(),
            urgency: p.urgency.to_string(),
            category: p.category.clone().unwrap_or_default(),
            root_cause: p.root_cause.clone().unwrap_or_default(),
            workaround: p.workaround.clone().unwrap_or_default(),
            known_error: p.known_error.then(|| "yes".into()),
            team: p.team.map(|s| s.to_string()).unwrap_or_default(),
            assignee: p.assignee.map(|s| s.to_string()).unwrap_or_default(),
            ..WorkForm::default()
        };
        Ok(MovePanel {
            base: super::record_href(RecordKind::Problem, p.id.0),
            is_change: false,
            next: next_states(p.status),
            outcomes: vec![],
            assigned_to_me: p.assignee == Some(ctx.actor.user),
            form,
            options: Options::load(ctx).await?,
            levels: levels(),
            editable: !matches!(p.status, ProblemStatus::Closed | ProblemStatus::Cancelled),
        })
    }

    pub async fn change(ctx: &Ctx, c: &Change) -> Result<MovePanel, ApiError> {
        let plan = c.transition_plan.clone();
        let form = WorkForm {
            title: c.title.clone(),
            description: c.description.clone(),
            service: c.service.map(|s| s.to_string()).unwrap_or_default(),
            impact: c.impact.map(|i| i.to_string()).unwrap_or_default(),
            likelihood: c.likelihood.map(|l| l.to_string()).unwrap_or_default(),
            change_type: c.change_type.to_string(),
            risk: c.risk.to_string(),
            implementation_plan: c.implementation_plan.clone().unwrap_or_default(),
            backout_plan: c.backout_plan.clone().unwrap_or_default(),
            activities: plan.as_ref().map(|p| p.activities.clone()).unwrap_or_default(),
            acceptance_criteria: plan.as_ref().map(|p| p.acceptance_criteria.clone()).unwrap_or_default(),
            expected_outcomes: plan.map(|p| p.expected_outcomes).unwrap_or_default(),
            category: c.category.clone().unwrap_or_default(),
            team: c.team.map(|s| s.to_string()).unwrap_or_default(),
            assignee: c.assignee.map(|s| s.to_string()).unwrap_or_default(),
            ..WorkForm::default()
        };
        Ok(MovePanel {
            base: super::record_href(RecordKind::Change, c.id.0),
            is_change: true,
            next: next_states(c.status),
            outcomes: ChangeOutcome::ALL
                .iter()
                .map(|o| Choice {
                    value: o.as_str().into(),
                    label: o.as_str().replace('_', " "),
                })
                .collect(),
            assigned_to_me: c.assignee == Some(ctx.actor.user),
            form,
            options: Options::load(ctx).await?,
            levels: levels(),
            editable: !matches!(c.status, ChangeStatus::Closed | ChangeStatus::Cancelled),
        })
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct MoveForm {
    #[serde(default)]
    to: String,
    #[serde(default)]
    root_cause: String,
    #[serde(default)]
    planned_start: String,
    #[serde(default)]
    planned_end: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    review_notes: String,
    #[serde(default)]
    accept_conflicts: Option<String>,
}

pub async fn move_record(uri: Uri, posted: Posted<MoveForm>) -> UiResult<Response> {
    let (kind, reference) = super::posted_to(uri.path(), &[RecordKind::Problem, RecordKind::Change])?;
    let Posted { viewer, form } = posted;
    let ctx = &viewer.ctx;
    let now = ctx.now;
    if kind == RecordKind::Problem {
        let t = ProblemTransition {
            to: form.to,
            root_cause: text(&form.root_cause),
        };
        modify(ctx, &reference, HistoryAction::Transition, |p: &mut Problem| {
            p.transition(t, now)
        })
        .await
        .map(drop)?;
    } else {
        let mut e = FormErrors::default();
        let planned_start = instant(&mut e, "planned_start", &form.planned_start);
        let planned_end = instant(&mut e, "planned_end", &form.planned_end);
        let outcome = named(&mut e, "outcome", &form.outcome);
        if e.any() {
            return Err(Error::Invalid(e.0).into());
        }
        let t = ChangeTransition {
            to: form.to,
            planned_start,
            planned_end,
            outcome,
            review_notes: text(&form.review_notes),
            accept_conflicts: form.accept_conflicts.is_some(),
        };
        crate::api::change::move_change(ctx, &reference, t).await.map(drop)?;
    }
    Ok(see_other(uri.path().trim_end_matches("/transition")))
}

/// The values of a new problem or change as typed, so a refused form comes back as it was.
#[derive(Debug, Default, Deserialize)]
pub struct WorkForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub service: String,
    #[serde(default)]
    pub impact: String,
    #[serde(default)]
    pub urgency: String,
    #[serde(default)]
    pub change_type: String,
    #[serde(default)]
    pub risk: String,
    #[serde(default)]
    pub implementation_plan: String,
    #[serde(default)]
    pub backout_plan: String,
    #[serde(default)]
    pub team: String,
    #[serde(default)]
    pub assignee: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub likelihood: String,
    #[serde(default)]
    pub activities: String,
    #[serde(default)]
    pub acceptance_criteria: String,
    #[serde(default)]
    pub expected_outcomes: String,
    #[serde(default)]
    pub root_cause: String,
    #[serde(default)]
    pub workaround: String,
    /// A checkbox: present when ticked.
    #[serde(default)]
    pub known_error: Option<String>,
}

#[derive(askama::Template)]
#[template(path = "work/new.html")]
struct NewWorkPage {
    chrome: super::Chrome,
    is_change: bool,
    form: WorkForm,
    errors: FormErrors,
    options: super::ticket::Options,
    levels: Vec<Choice>,
}

async fn new_work_page(
    viewer: &super::Viewer,
    is_change: bool,
    form: WorkForm,
    errors: FormErrors,
) -> UiResult<Response> {
    use axum::response::IntoResponse;
    steward_core::access::authorize(
        &viewer.ctx.actor,
        if is_change {
            RecordKind::Change
        } else {
            RecordKind::Problem
        },
        steward_core::access::Operation::Create,
    )?;
    let status = errors.status();
    let page = NewWorkPage {
        chrome: viewer.chrome("new"),
        is_change,
        form,
        errors,
        options: super::ticket::Options::load(&viewer.ctx).await?,
        levels: super::ticket::levels(),
    };
    Ok((status, super::render(&page)).into_response())
}

pub async fn new_problem_page(viewer: super::Viewer) -> UiResult<Response> {
    let form = WorkForm {
        impact: "medium".into(),
        urgency: "medium".into(),
        ..WorkForm::default()
    };
    new_work_page(&viewer, false, form, FormErrors::default()).await
}

pub async fn new_change_page(viewer: super::Viewer) -> UiResult<Response> {
    let form = WorkForm {
        change_type: "normal".into(),
        risk: "medium".into(),
        ..WorkForm::default()
    };
    new_work_page(&viewer, true, form, FormErrors::default()).await
}

async fn create_work(posted: Posted<WorkForm>, is_change: bool) -> UiResult<Response> {
    let Posted { viewer, form } = posted;
    let ctx = &viewer.ctx;
    let mut e = FormErrors::default();
    let impact = named(&mut e, "impact", &form.impact);
    let urgency = named(&mut e, "urgency", &form.urgency);
    let service = reference(&mut e, "service", &form.service, RecordKind::Service);
    let team = reference(&mut e, "team", &form.team, RecordKind::Team);
    let assignee = reference(&mut e, "assignee", &form.assignee, RecordKind::User);
    let change_type = named(&mut e, "change_type", &form.change_type);
    let risk = named(&mut e, "risk", &form.risk);
    if e.any() {
        return new_work_page(&viewer, is_change, form, e).await;
    }
    let outcome: Result<String, ApiError> = async {
        if is_change {
            let input = steward_core::change::NewChange {
                title: form.title.clone(),
                description: text(&form.description),
                change_type,
                risk,
                impact,
                likelihood: None,
                transition_plan: None,
                template: None,
                service,
                planned_start: None,
                planned_end: None,
                implementation_plan: text(&form.implementation_plan),
                backout_plan: text(&form.backout_plan),
                category: None,
                subcategory: None,
                assignee,
                team,
            };
            let change = crate::api::change::raise_change(ctx, input).await?;
            let (_, axum::Json(saved)) = crate::api::create(ctx, change).await?;
            Ok(super::record_href(RecordKind::Change, saved.id.0))
        } else {
            let input = steward_core::problem::NewProblem {
                title: form.title.clone(),
                description: text(&form.description),
                service,
                configuration_item: None,
                impact,
                urgency,
                root_cause: None,
                known_error: None,
                workaround: None,
                category: None,
                subcategory: None,
                assignee,
                team,
            };
            let matrix = ctx.state.store.priority_matrix().await?;
            let problem = Problem::create(input, &matrix, ctx.now)?;
            let (_, axum::Json(saved)) = crate::api::create(ctx, problem).await?;
            Ok(super::record_href(RecordKind::Problem, saved.id.0))
        }
    }
    .await;
    match outcome {
        Ok(href) => Ok(see_other(&href)),
        Err(ApiError::Domain(Error::Invalid(fields))) => {
            new_work_page(&viewer, is_change, form, FormErrors(fields)).await
        }
        Err(other) => Err(other.into()),
    }
}

pub async fn create_problem(posted: Posted<WorkForm>) -> UiResult<Response> {
    create_work(posted, false).await
}

pub async fn create_change(posted: Posted<WorkForm>) -> UiResult<Response> {
    create_work(posted, true).await
}

/// Edits a problem or a change from the edit form on its page.
pub async fn update(uri: Uri, posted: Posted<WorkForm>) -> UiResult<Response> {
    let (kind, target) = super::posted_to(uri.path(), &[RecordKind::Problem, RecordKind::Change])?;
    let Posted { viewer, form } = posted;
    let ctx = &viewer.ctx;
    let mut e = FormErrors::default();
    let service = reference(&mut e, "service", &form.service, RecordKind::Service);
    let team = reference(&mut e, "team", &form.team, RecordKind::Team);
    let assignee: Option<UserId> = reference(&mut e, "assignee", &form.assignee, RecordKind::User);
    let impact = named(&mut e, "impact", &form.impact);
    if kind == RecordKind::Problem {
        let urgency = named(&mut e, "urgency", &form.urgency);
        e.finish()?;
        let patch = ProblemPatch {
            title: Some(form.title),
            description: Some(form.description),
            service: Some(service),
            impact,
            urgency,
            root_cause: Some(text(&form.root_cause)),
            known_error: Some(form.known_error.is_some()),
            workaround: Some(text(&form.workaround)),
            category: Some(text(&form.category)),
            assignee: Some(assignee),
            team: Some(team),
            ..ProblemPatch::default()
        };
        let matrix = ctx.state.store.priority_matrix().await?;
        modify(ctx, &target, HistoryAction::Update, |p: &mut Problem| {
            p.apply_patch(patch, &matrix)
        })
        .await
        .map(drop)?;
    } else {
        let risk = named(&mut e, "risk", &form.risk);
        let likelihood = named(&mut e, "likelihood", &form.likelihood);
        let plan = [&form.activities, &form.acceptance_criteria, &form.expected_outcomes];
        let transition_plan = if plan.iter().all(|p| p.trim().is_empty()) {
            None
        } else {
            for (field, value) in ["activities", "acceptance_criteria", "expected_outcomes"]
                .iter()
                .zip(plan)
            {
                if value.trim().is_empty() {
                    e.fail(
                        field,
                        "a transition plan needs its activities, acceptance criteria and expected outcomes",
                    );
                }
            }
            Some(TransitionPlan {
                activities: form.activities.trim().to_string(),
                acceptance_criteria: form.acceptance_criteria.trim().to_string(),
                expected_outcomes: form.expected_outcomes.trim().to_string(),
            })
        };
        e.finish()?;
        let patch = ChangePatch {
            title: Some(form.title),
            description: Some(form.description),
            risk,
            impact: Some(impact),
            likelihood: Some(likelihood),
            transition_plan: Some(transition_plan),
            service: Some(service),
            implementation_plan: Some(text(&form.implementation_plan)),
            backout_plan: Some(text(&form.backout_plan)),
            category: Some(text(&form.category)),
            assignee: Some(assignee),
            team: Some(team),
            ..ChangePatch::default()
        };
        crate::api::change::edit_change(ctx, &target, patch).await.map(drop)?;
    }
    Ok(see_other(&format!("{}#fields", uri.path().trim_end_matches("/edit"))))
}

#[derive(Debug, Default, Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    comment: String,
}

/// An approver's decision on a change, from the approvals panel on its page.
pub async fn decide(uri: Uri, posted: Posted<DecisionForm>) -> UiResult<Response> {
    let (_, reference) = super::posted_to(uri.path(), &[RecordKind::Change])?;
    let Posted { viewer, form } = posted;
    let mut e = FormErrors::default();
    let decision: Option<Decision> = named(&mut e, "decision", &form.decision);
    e.finish()?;
    let decision = decision.ok_or_else(|| Error::invalid("decision", "choose approve or reject"))?;
    let input = crate::api::change::DecisionInput {
        decision,
        comment: text(&form.comment),
    };
    crate::api::change::decide(&viewer.ctx, &reference, input).await?;
    Ok(see_other(&format!(
        "{}#approvals",
        uri.path().trim_end_matches("/approvals")
    )))
}
