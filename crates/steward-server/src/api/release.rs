//! `/api/v1/releases`: changes grouped for deployment, their acceptance criteria and outcome.

use axum::Json;
use axum::http::StatusCode;
use steward_core::history::{HistoryAction, HistoryEntry};
use steward_core::id::{TeamId, UserId};
use steward_core::release::{NewRelease, Release, ReleasePatch, ReleaseStatus, ReleaseTransition, ReleaseType};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::{ListOf, PageQuery, create, history_of, list_all, list_query, modify, read_one};
use crate::AppState;
use crate::auth::{Changing, Creating, Ctx, May};
use crate::error::{ApiResult, ErrorBody};

list_query! {
    /// Filters for the release list.
    ReleaseQuery {
        status: ReleaseStatus => "status",
        release_type: ReleaseType => "release_type",
        assignee: UserId => "assignee_id",
        team: TeamId => "team_id",
    }
    sorts: ["updated_at", "created_at"]
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_releases, create_release))
        .routes(routes!(get_release, update_release))
        .routes(routes!(transition_release))
        .routes(routes!(verify_release_criterion))
        .routes(routes!(release_history))
}

#[utoipa::path(get, path = "/api/v1/releases", tag = "releases", params(ReleaseQuery),
    responses((status = 200, body = ListOf<Release>), (status = 400, body = ErrorBody)), security(("bearer" = [])))]
async fn list_releases(ctx: Ctx, ApiQuery(q): ApiQuery<ReleaseQuery>) -> ApiResult<Json<ListOf<Release>>> {
    list_all(&ctx, q.into_list()?).await
}

#[utoipa::path(post, path = "/api/v1/releases", tag = "releases", request_body = NewRelease,
    responses((status = 201, body = Release), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
async fn create_release(
    ctx: Ctx,
    _: May<Creating, Release>,
    ApiJson(input): ApiJson<NewRelease>,
) -> ApiResult<(StatusCode, Json<Release>)> {
    create(&ctx, Release::create(input, ctx.now)?).await
}

#[utoipa::path(get, path = "/api/v1/releases/{reference}", tag = "releases",
    params(("reference" = String, Path, description = "e.g. REL-3")),
    responses((status = 200, body = Release), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
async fn get_release(ctx: Ctx, ApiPath(reference): ApiPath<String>) -> ApiResult<Json<Release>> {
    read_one(&ctx, &reference).await.map(Json)
}

#[utoipa::path(patch, path = "/api/v1/releases/{reference}", tag = "releases",
    params(("reference" = String, Path, description = "e.g. REL-3")), request_body = ReleasePatch,
    responses((status = 200, body = Release), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn update_release(
    ctx: Ctx,
    _: May<Changing, Release>,
    ApiPath(reference): ApiPath<String>,
    ApiJson(patch): ApiJson<ReleasePatch>,
) -> ApiResult<Json<Release>> {
    modify(&ctx, &reference, HistoryAction::Update, |r: &mut Release| {
        r.apply_patch(patch)
    })
    .await
}

#[utoipa::path(post, path = "/api/v1/releases/{reference}/transition", tag = "releases",
    params(("reference" = String, Path, description = "e.g. REL-3")), request_body = ReleaseTransition,
    responses((status = 200, body = Release), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn transition_release(
    ctx: Ctx,
    _: May<Changing, Release>,
    ApiPath(reference): ApiPath<String>,
    ApiJson(t): ApiJson<ReleaseTransition>,
) -> ApiResult<Json<Release>> {
    let now = ctx.now;
    modify(&ctx, &reference, HistoryAction::Transition, |r: &mut Release| {
        r.transition(t, now)
    })
    .await
}

/// Records that the signed-in user verified acceptance criterion `index` (counting from 0).
#[utoipa::path(post, path = "/api/v1/releases/{reference}/acceptance-criteria/{index}/verify", tag = "releases",
    params(("reference" = String, Path, description = "e.g. REL-3"), ("index" = usize, Path, description = "0 for the first criterion")),
    responses((status = 200, body = Release), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
async fn verify_release_criterion(
    ctx: Ctx,
    ApiPath((reference, index)): ApiPath<(String, String)>,
) -> ApiResult<Json<Release>> {
    let index: usize = index.parse().map_err(|_| {
        steward_core::Error::not_found("acceptance criterion", index.chars().take(20).collect::<String>())
    })?;
    let (by, at) = (ctx.actor.user, ctx.now);
    modify(&ctx, &reference, HistoryAction::Update, |r: &mut Release| {
        r.verify_criterion(index, by, at)
    })
    .await
}

#[utoipa::path(get, path = "/api/v1/releases/{reference}/history", tag = "releases",
    params(("reference" = String, Path, description = "e.g. REL-3"), PageQuery),
    responses((status = 200, body = ListOf<HistoryEntry>), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
async fn release_history(
    ctx: Ctx,
    ApiPath(reference): ApiPath<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<ListOf<HistoryEntry>>> {
    history_of::<Release>(&ctx, &reference, q).await
}
