//! `/api/v1/changes`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use steward_core::Error;
use steward_core::access::{Operation, authorize};
use steward_core::approval::{Approval, Decision};
use steward_core::change::{Change, ChangePatch, ChangeStatus, ChangeTransition, ChangeType, NewChange};
use steward_core::change_template::ChangeTemplate;
use steward_core::history::{HistoryAction, HistoryEntry};
use steward_core::id::{ServiceId, TeamId, UserId};
use steward_core::record::RecordKind;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::{ListOf, PageQuery, create, history_of, list_all, list_query, modify, read_one};
use crate::AppState;
use crate::auth::{Changing, Creating, Ctx, May};
use crate::error::{ApiResult, ErrorBody};

list_query! {
    /// Filters for the change list.
    ChangeQuery {
        status: ChangeStatus => "status",
        change_type: ChangeType => "change_type",
        service: ServiceId => "service_id",
        assignee: UserId => "assignee_id",
        team: TeamId => "team_id",
    }
    sorts: ["updated_at", "created_at"]
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_changes, create_change))
        .routes(routes!(get_change, update_change))
        .routes(routes!(transition_change))
        .routes(routes!(change_schedule))
        .routes(routes!(list_approvals, decide_change))
        .routes(routes!(change_history))
}

#[utoipa::path(get, path = "/api/v1/changes", tag = "changes", params(ChangeQuery),
    responses((status = 200, body = ListOf<Change>), (status = 400, body = ErrorBody)), security(("bearer" = [])))]
async fn list_changes(ctx: Ctx, ApiQuery(q): ApiQuery<ChangeQuery>) -> ApiResult<Json<ListOf<Change>>> {
    list_all(&ctx, q.into_list()?).await
}

#[utoipa::path(post, path = "/api/v1/changes", tag = "changes", request_body = NewChange,
    responses((status = 201, body = Change), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
async fn create_change(
    ctx: Ctx,
    _: May<Creating, Change>,
    ApiJson(input): ApiJson<NewChange>,
) -> ApiResult<(StatusCode, Json<Change>)> {
    let change = raise_change(&ctx, input).await?;
    create(&ctx, change).await
}

/// Builds a change from its input: from its template when it names one (a standard change must),
/// assessed against the criticality of its service (the API and the web interface both ask this).
pub(crate) async fn raise_change(ctx: &Ctx, input: NewChange) -> ApiResult<Change> {
    let mut change = match input.template {
        Some(t) => {
            let template: Option<ChangeTemplate> = ctx.state.store.get(t.0).await?;
            let template = template.ok_or_else(|| Error::invalid("template", format!("{t} does not exist")))?;
            Change::from_template(input, &template, ctx.now)?
        }
        None if input.change_type == Some(ChangeType::Standard) => {
            return Err(Error::invalid(
                "change_type",
                "standard changes are raised from a template: give template",
            )
            .into());
        }
        None => Change::create(input, ctx.now)?,
    };
    change.assess(critical(ctx, change.service).await?);
    Ok(change)
}

/// Whether a service is critical, which raises a change's risk and makes its impact potentially
/// major.
async fn critical(ctx: &Ctx, service: Option<steward_core::id::ServiceId>) -> ApiResult<bool> {
    let Some(id) = service else {
        return Ok(false);
    };
    let found: Option<steward_core::service::Service> = ctx.state.store.get(id.0).await?;
    Ok(found.is_some_and(|s| s.criticality == steward_core::service::Criticality::Critical))
}

#[utoipa::path(get, path = "/api/v1/changes/{reference}", tag = "changes",
    params(("reference" = String, Path, description = "e.g. CHG-42")),
    responses((status = 200, body = Change), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
async fn get_change(ctx: Ctx, ApiPath(reference): ApiPath<String>) -> ApiResult<Json<Change>> {
    read_one(&ctx, &reference).await.map(Json)
}

#[utoipa::path(patch, path = "/api/v1/changes/{reference}", tag = "changes",
    params(("reference" = String, Path, description = "e.g. CHG-42")), request_body = ChangePatch,
    responses((status = 200, body = Change), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn update_change(
    ctx: Ctx,
    _: May<Changing, Change>,
    ApiPath(reference): ApiPath<String>,
    ApiJson(patch): ApiJson<ChangePatch>,
) -> ApiResult<Json<Change>> {
    edit_change(&ctx, &reference, patch).await
}

/// Edits a change and assesses its risk again against its (perhaps new) service's criticality
/// (the API and the web interface both ask this).
pub(crate) async fn edit_change(ctx: &Ctx, reference: &str, patch: ChangePatch) -> ApiResult<Json<Change>> {
    let current: Change = read_one(ctx, reference).await?;
    let critical = critical(ctx, patch.service.unwrap_or(current.service)).await?;
    modify(ctx, reference, HistoryAction::Update, |c: &mut Change| {
        c.apply_patch(patch)?;
        c.assess(critical);
        Ok(())
    })
    .await
}

#[utoipa::path(post, path = "/api/v1/changes/{reference}/transition", tag = "changes",
    params(("reference" = String, Path, description = "e.g. CHG-42")), request_body = ChangeTransition,
    responses((status = 200, body = Change), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn transition_change(
    ctx: Ctx,
    _: May<Changing, Change>,
    ApiPath(reference): ApiPath<String>,
    ApiJson(t): ApiJson<ChangeTransition>,
) -> ApiResult<Json<Change>> {
    move_change(&ctx, &reference, t).await
}

/// Moves a change, refusing approval by hand where approvers decide and a window that collides
/// with others unless the caller accepts it (the API and the web interface both ask this).
pub(crate) async fn move_change(ctx: &Ctx, reference: &str, t: ChangeTransition) -> ApiResult<Json<Change>> {
    if matches!(t.to.as_str(), "approved" | "rejected") {
        let current: Change = read_one(ctx, reference).await?;
        if current.change_type != ChangeType::Standard {
            return Err(Error::Conflict(format!(
                "a {} change is approved or rejected by its approvers: POST /api/v1/changes/{}/approvals",
                current.change_type, current.id
            ))
            .into());
        }
    }
    if t.to == "scheduled" && !t.accept_conflicts {
        let current: Change = read_one(ctx, reference).await?;
        if let (Some(start), Some(end)) = (
            t.planned_start.or(current.planned_start),
            t.planned_end.or(current.planned_end),
        ) {
            let conflicts = ctx
                .state
                .store
                .schedule_conflicts(current.id, current.service, start, end)
                .await?;
            if !conflicts.is_empty() {
                let list: Vec<String> = conflicts.iter().map(ToString::to_string).collect();
                return Err(Error::Conflict(format!(
                    "the window collides with {}; send accept_conflicts: true to schedule it anyway",
                    list.join(", ")
                ))
                .into());
            }
        }
    }
    let now = ctx.now;
    modify(ctx, reference, HistoryAction::Transition, |c: &mut Change| {
        c.transition(t, now)
    })
    .await
}

/// Query of the forward schedule feed.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ScheduleQuery {
    /// An API token, for calendar clients that cannot send an Authorization header.
    #[serde(default)]
    pub token: Option<String>,
}

/// The forward schedule of change as an iCalendar feed: every change with a planned window from
/// thirty days ago on, that is approved, scheduled, being implemented or in review.
#[utoipa::path(get, path = "/api/v1/changes/schedule.ics", tag = "changes", params(ScheduleQuery),
    responses((status = 200, content_type = "text/calendar", body = String), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
async fn change_schedule(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    ApiQuery(q): ApiQuery<ScheduleQuery>,
) -> ApiResult<([(axum::http::header::HeaderName, &'static str); 1], String)> {
    let ctx = crate::auth::Ctx::from_token(&state, &headers, q.token.as_deref()).await?;
    authorize(&ctx.actor, RecordKind::Change, Operation::Read)?;
    let since = ctx.now - chrono::Duration::days(30);
    let changes = ctx.state.store.change_schedule(since, 5000).await?;
    Ok((
        [(axum::http::header::CONTENT_TYPE, "text/calendar; charset=utf-8")],
        crate::ical::schedule(&changes, ctx.now),
    ))
}

#[utoipa::path(get, path = "/api/v1/changes/{reference}/history", tag = "changes",
    params(("reference" = String, Path, description = "e.g. CHG-42"), PageQuery),
    responses((status = 200, body = ListOf<HistoryEntry>), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
async fn change_history(
    ctx: Ctx,
    ApiPath(reference): ApiPath<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<ListOf<HistoryEntry>>> {
    history_of::<Change>(&ctx, &reference, q).await
}

/// A change's approvers and their decisions.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Approvals {
    pub change: steward_core::id::ChangeId,
    pub status: steward_core::change::ChangeStatus,
    pub approvals: Vec<Approval>,
}

#[utoipa::path(get, path = "/api/v1/changes/{reference}/approvals", tag = "changes",
    params(("reference" = String, Path, description = "e.g. CHG-42")),
    responses((status = 200, body = Approvals), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
async fn list_approvals(ctx: Ctx, ApiPath(reference): ApiPath<String>) -> ApiResult<Json<Approvals>> {
    let change: Change = read_one(&ctx, &reference).await?;
    let approvals = ctx.state.store.approvals(change.id).await?;
    Ok(Json(Approvals {
        change: change.id,
        status: change.status,
        approvals,
    }))
}

/// The body of a decision on a change.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    /// `approved` or `rejected`.
    pub decision: Decision,
    #[serde(default)]
    pub comment: Option<String>,
}

/// Records the signed-in approver's decision; the change is approved at the policy's quorum (one
/// emergency approver for an emergency) and rejected by any rejection.
#[utoipa::path(post, path = "/api/v1/changes/{reference}/approvals", tag = "changes",
    params(("reference" = String, Path, description = "e.g. CHG-42")), request_body = DecisionInput,
    responses((status = 200, body = Approvals), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn decide_change(
    ctx: Ctx,
    ApiPath(reference): ApiPath<String>,
    ApiJson(input): ApiJson<DecisionInput>,
) -> ApiResult<Json<Approvals>> {
    decide(&ctx, &reference, input).await.map(Json)
}

/// Records the caller's decision on a change (the API and the web interface both ask this); a
/// rejection must say why.
pub(crate) async fn decide(ctx: &Ctx, reference: &str, input: DecisionInput) -> ApiResult<Approvals> {
    let change: Change = read_one(ctx, reference).await?;
    let approve = match input.decision {
        Decision::Approved => true,
        Decision::Rejected => false,
        Decision::Pending => return Err(Error::invalid("decision", "must be approved or rejected").into()),
    };
    let mut c = steward_core::validate::Checker::new();
    c.opt_text("comment", input.comment.as_deref(), steward_core::validate::TEXT_MAX);
    if !approve && input.comment.as_deref().is_none_or(|s| s.trim().is_empty()) {
        c.fail("comment", "say why the change is rejected");
    }
    c.finish()?;
    let (saved, approvals) = ctx
        .state
        .store
        .decide(change.id, ctx.actor.user, approve, input.comment, ctx.now)
        .await?;
    Ok(Approvals {
        change: saved.id,
        status: saved.status,
        approvals,
    })
}
