//! Problems and changes in the console: raising one, and moving it through its lifecycle with
//! what each state needs (a root cause to resolve a problem; a window to schedule a change, an
//! outcome and review to close it). Moves go through the API's own calls, so a change is still
//! approved only by its approvers and a colliding window still needs to be accepted.

use axum::http::Uri;
use axum::response::Response;
use serde::Deserialize;
use steward_core::Error;
use steward_core::change::{Change, ChangeOutcome, ChangeTransition};
use steward_core::history::HistoryAction;
use steward_core::problem::{Problem, ProblemTransition};
use steward_core::record::RecordKind;

use super::form::{FormErrors, instant, named, reference, text};
use super::session::Posted;
use super::ticket::{Choice, next_states};
use super::{UiResult, see_other};
use crate::api::modify;
use crate::error::ApiError;

/// The move form of a problem or a change on its page.
pub struct MovePanel {
    pub base: String,
    pub is_change: bool,
    pub next: Vec<Choice>,
    pub outcomes: Vec<Choice>,
    pub assigned_to_me: bool,
}

impl MovePanel {
    pub fn problem(p: &Problem, me: steward_core::id::UserId) -> MovePanel {
        MovePanel {
            base: super::record_href(RecordKind::Problem, p.id.0),
            is_change: false,
            next: next_states(p.status),
            outcomes: vec![],
            assigned_to_me: p.assignee == Some(me),
        }
    }

    pub fn change(c: &Change, me: steward_core::id::UserId) -> MovePanel {
        MovePanel {
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
            assigned_to_me: c.assignee == Some(me),
        }
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
    let status = if errors.any() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
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
