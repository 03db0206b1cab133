//! `/api/v1/change-blackouts`: windows in which changes are not to be made.

use axum::Json;
use axum::http::StatusCode;
use steward_core::change_blackout::{ChangeBlackout, ChangeBlackoutPatch, NewChangeBlackout};
use steward_core::history::{HistoryAction, HistoryEntry};
use steward_core::id::ServiceId;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::{ListOf, PageQuery, create, history_of, list_all, list_query, modify, read_one};
use crate::AppState;
use crate::auth::{Changing, Creating, Ctx, May};
use crate::error::{ApiResult, ErrorBody};

list_query! {
    /// Filters for the blackout list.
    ChangeBlackoutQuery {
        service: ServiceId => "service_id",
    }
    sorts: ["updated_at", "created_at"]
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_change_blackouts, create_change_blackout))
        .routes(routes!(get_change_blackout, update_change_blackout))
        .routes(routes!(change_blackout_history))
}

#[utoipa::path(get, path = "/api/v1/change-blackouts", tag = "change-blackouts", params(ChangeBlackoutQuery),
    responses((status = 200, body = ListOf<ChangeBlackout>), (status = 400, body = ErrorBody)), security(("bearer" = [])))]
async fn list_change_blackouts(
    ctx: Ctx,
    ApiQuery(q): ApiQuery<ChangeBlackoutQuery>,
) -> ApiResult<Json<ListOf<ChangeBlackout>>> {
    list_all(&ctx, q.into_list()?).await
}

#[utoipa::path(post, path = "/api/v1/change-blackouts", tag = "change-blackouts", request_body = NewChangeBlackout,
    responses((status = 201, body = ChangeBlackout), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
async fn create_change_blackout(
    ctx: Ctx,
    _: May<Creating, ChangeBlackout>,
    ApiJson(input): ApiJson<NewChangeBlackout>,
) -> ApiResult<(StatusCode, Json<ChangeBlackout>)> {
    create(&ctx, ChangeBlackout::create(input, ctx.now)?).await
}

#[utoipa::path(get, path = "/api/v1/change-blackouts/{reference}", tag = "change-blackouts",
    params(("reference" = String, Path, description = "e.g. BLK-42")),
    responses((status = 200, body = ChangeBlackout), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
async fn get_change_blackout(ctx: Ctx, ApiPath(reference): ApiPath<String>) -> ApiResult<Json<ChangeBlackout>> {
    read_one(&ctx, &reference).await.map(Json)
}

#[utoipa::path(patch, path = "/api/v1/change-blackouts/{reference}", tag = "change-blackouts",
    params(("reference" = String, Path, description = "e.g. BLK-42")), request_body = ChangeBlackoutPatch,
    responses((status = 200, body = ChangeBlackout), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn update_change_blackout(
    ctx: Ctx,
    _: May<Changing, ChangeBlackout>,
    ApiPath(reference): ApiPath<String>,
    ApiJson(patch): ApiJson<ChangeBlackoutPatch>,
) -> ApiResult<Json<ChangeBlackout>> {
    modify(&ctx, &reference, HistoryAction::Update, |o: &mut ChangeBlackout| {
        o.apply_patch(patch)
    })
    .await
}

#[utoipa::path(get, path = "/api/v1/change-blackouts/{reference}/history", tag = "change-blackouts",
    params(("reference" = String, Path, description = "e.g. BLK-42"), PageQuery),
    responses((status = 200, body = ListOf<HistoryEntry>), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
async fn change_blackout_history(
    ctx: Ctx,
    ApiPath(reference): ApiPath<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<ListOf<HistoryEntry>>> {
    history_of::<ChangeBlackout>(&ctx, &reference, q).await
}
