//! Problems and changes in the console: taking one, and moving it through its lifecycle with
//! what each state needs (a root cause to resolve a problem; a window to schedule a change, an
//! outcome and review to close it). Moves go through the API's own calls, so a change is still
//! approved only by its approvers and a colliding window still needs to be accepted.

use axum::http::Uri;
use axum::response::Response;
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Deserialize;
use steward_core::Error;
use steward_core::change::{Change, ChangeOutcome, ChangePatch, ChangeTransition};
use steward_core::history::HistoryAction;
use steward_core::problem::{Problem, ProblemPatch, ProblemTransition};
use steward_core::record::RecordKind;

use super::session::Posted;
use super::ticket::{Choice, FormErrors, next_states};
use super::{UiResult, see_other};
use crate::api::modify;

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

/// A `datetime-local` value, read as UTC (the form says so).
fn instant(e: &mut FormErrors, field: &str, v: &str) -> Option<DateTime<Utc>> {
    let v = v.trim();
    if v.is_empty() {
        return None;
    }
    let parsed = NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S"));
    match parsed {
        Ok(t) => Some(t.and_utc()),
        Err(_) => {
            e.0.push(steward_core::FieldError::new(
                field,
                "must be a date and time such as 2026-12-01T22:00",
            ));
            None
        }
    }
}

fn text(v: &str) -> Option<String> {
    let t = v.trim();
    (!t.is_empty()).then(|| t.to_string())
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
        let outcome = match form.outcome.as_str() {
            "" => None,
            o => ChangeOutcome::parse(o).or_else(|| {
                e.0.push(steward_core::FieldError::new(
                    "outcome",
                    "choose one of the listed outcomes",
                ));
                None
            }),
        };
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

#[derive(Deserialize)]
pub struct TakeForm {}

/// Takes a problem or a change: the person becomes its assignee.
pub async fn assign_to_me(uri: Uri, posted: Posted<TakeForm>) -> UiResult<Response> {
    let (kind, reference) = super::posted_to(uri.path(), &[RecordKind::Problem, RecordKind::Change])?;
    let ctx = &posted.viewer.ctx;
    let me = Some(ctx.actor.user);
    if kind == RecordKind::Problem {
        let matrix = ctx.state.store.priority_matrix().await?;
        let patch = ProblemPatch {
            assignee: Some(me),
            ..ProblemPatch::default()
        };
        modify(ctx, &reference, HistoryAction::Update, |p: &mut Problem| {
            p.apply_patch(patch, &matrix)
        })
        .await
        .map(drop)?;
    } else {
        let patch = ChangePatch {
            assignee: Some(me),
            ..ChangePatch::default()
        };
        modify(ctx, &reference, HistoryAction::Update, |c: &mut Change| {
            c.apply_patch(patch)
        })
        .await
        .map(drop)?;
    }
    Ok(see_other(uri.path().trim_end_matches("/assign-to-me")))
}
