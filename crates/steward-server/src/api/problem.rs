//! `/api/v1/problems`.

use axum::Json;
use axum::http::StatusCode;
use steward_core::history::{HistoryAction, HistoryEntry};
use steward_core::id::{ServiceId, TeamId, UserId};
use steward_core::priority::Priority;
use steward_core::problem::{NewProblem, Problem, ProblemPatch, ProblemStatus, ProblemTransition};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::{ListOf, PageQuery, create, history_of, list_all, list_query, modify, read_one};
use crate::AppState;
use crate::auth::{Changing, Creating, Ctx, May};
use crate::error::{ApiResult, ErrorBody};

list_query! {
    /// Filters for the problem list.
    ProblemQuery {
        status: ProblemStatus => "status",
        priority: Priority => "priority",
        service: ServiceId => "service_id",
        assignee: UserId => "assignee_id",
        team: TeamId => "team_id",
        known_error: bool => "known_error",
    }
    sorts: ["updated_at", "created_at", "priority"]
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_problems, create_problem))
        .routes(routes!(get_problem, update_problem))
        .routes(routes!(transition_problem))
        .routes(routes!(problem_history))
}

#[utoipa::path(get, path = "/api/v1/problems", tag = "problems", params(ProblemQuery),
    responses((status = 200, body = ListOf<Problem>), (status = 400, body = ErrorBody)), security(("bearer" = [])))]
async fn list_problems(ctx: Ctx, ApiQuery(q): ApiQuery<ProblemQuery>) -> ApiResult<Json<ListOf<Problem>>> {
    list_all(&ctx, q.into_list()?).await
}

#[utoipa::path(post, path = "/api/v1/problems", tag = "problems", request_body = NewProblem,
    responses((status = 201, body = Problem), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
async fn create_problem(
    ctx: Ctx,
    _: May<Creating, Problem>,
    ApiJson(input): ApiJson<NewProblem>,
) -> ApiResult<(StatusCode, Json<Problem>)> {
    let matrix = ctx.state.store.priority_matrix().await?;
    let problem = Problem::create(input, &matrix, ctx.now)?;
    create(&ctx, problem).await
}

#[utoipa::path(get, path = "/api/v1/problems/{reference}", tag = "problems",
    params(("reference" = String, Path, description = "e.g. PRB-42")),
    responses((status = 200, body = Problem), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
async fn get_problem(ctx: Ctx, ApiPath(reference): ApiPath<String>) -> ApiResult<Json<Problem>> {
    read_one(&ctx, &reference).await.map(Json)
}

#[utoipa::path(patch, path = "/api/v1/problems/{reference}", tag = "problems",
    params(("reference" = String, Path, description = "e.g. PRB-42")), request_body = ProblemPatch,
    responses((status = 200, body = Problem), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn update_problem(
    ctx: Ctx,
    _: May<Changing, Problem>,
    ApiPath(reference): ApiPath<String>,
    ApiJson(patch): ApiJson<ProblemPatch>,
) -> ApiResult<Json<Problem>> {
    let matrix = ctx.state.store.priority_matrix().await?;
    modify(&ctx, &reference, HistoryAction::Update, |p: &mut Problem| {
        p.apply_patch(patch, &matrix)
    })
    .await
}

#[utoipa::path(post, path = "/api/v1/problems/{reference}/transition", tag = "problems",
    params(("reference" = String, Path, description = "e.g. PRB-42")), request_body = ProblemTransition,
    responses((status = 200, body = Problem), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn transition_problem(
    ctx: Ctx,
    _: May<Changing, Problem>,
    ApiPath(reference): ApiPath<String>,
    ApiJson(t): ApiJson<ProblemTransition>,
) -> ApiResult<Json<Problem>> {
    let now = ctx.now;
    modify(&ctx, &reference, HistoryAction::Transition, |p: &mut Problem| {
        p.transition(t, now)
    })
    .await
}

#[utoipa::path(get, path = "/api/v1/problems/{reference}/history", tag = "problems",
    params(("reference" = String, Path, description = "e.g. PRB-42"), PageQuery),
    responses((status = 200, body = ListOf<HistoryEntry>), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
async fn problem_history(
    ctx: Ctx,
    ApiPath(reference): ApiPath<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<ListOf<HistoryEntry>>> {
    history_of::<Problem>(&ctx, &reference, q).await
}
