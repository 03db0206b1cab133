//! `/api/v1/services`.

use axum::Json;
use axum::http::StatusCode;
use steward_core::history::{HistoryAction, HistoryEntry};
use steward_core::id::{TeamId, UserId};
use steward_core::service::{NewService, Service, ServicePatch, ServiceStatus, StatusTransition};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::{ListOf, PageQuery, create, history_of, list_all, list_query, modify, read_one};
use crate::AppState;
use crate::auth::{Changing, Creating, Ctx, May};
use crate::error::{ApiResult, ErrorBody};

list_query! {
    /// Filters for the service list.
    ServiceQuery {
        status: ServiceStatus => "status",
        owner: UserId => "owner_id",
        team: TeamId => "team_id",
    }
    sorts: ["updated_at", "created_at"]
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_services, create_service))
        .routes(routes!(get_service, update_service))
        .routes(routes!(transition_service))
        .routes(routes!(service_history))
}

#[utoipa::path(get, path = "/api/v1/services", tag = "services", params(ServiceQuery),
    responses((status = 200, body = ListOf<Service>), (status = 400, body = ErrorBody)), security(("bearer" = [])))]
async fn list_services(ctx: Ctx, ApiQuery(q): ApiQuery<ServiceQuery>) -> ApiResult<Json<ListOf<Service>>> {
    list_all(&ctx, q.into_list()?).await
}

#[utoipa::path(post, path = "/api/v1/services", tag = "services", request_body = NewService,
    responses((status = 201, body = Service), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
async fn create_service(
    ctx: Ctx,
    _: May<Creating, Service>,
    ApiJson(input): ApiJson<NewService>,
) -> ApiResult<(StatusCode, Json<Service>)> {
    create(&ctx, Service::create(input, ctx.now)?).await
}

#[utoipa::path(get, path = "/api/v1/services/{reference}", tag = "services",
    params(("reference" = String, Path, description = "e.g. SVC-42")),
    responses((status = 200, body = Service), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
async fn get_service(ctx: Ctx, ApiPath(reference): ApiPath<String>) -> ApiResult<Json<Service>> {
    read_one(&ctx, &reference).await.map(Json)
}

#[utoipa::path(patch, path = "/api/v1/services/{reference}", tag = "services",
    params(("reference" = String, Path, description = "e.g. SVC-42")), request_body = ServicePatch,
    responses((status = 200, body = Service), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn update_service(
    ctx: Ctx,
    _: May<Changing, Service>,
    ApiPath(reference): ApiPath<String>,
    ApiJson(patch): ApiJson<ServicePatch>,
) -> ApiResult<Json<Service>> {
    modify(&ctx, &reference, HistoryAction::Update, |s: &mut Service| {
        s.apply_patch(patch)
    })
    .await
}

#[utoipa::path(post, path = "/api/v1/services/{reference}/transition", tag = "services",
    params(("reference" = String, Path, description = "e.g. SVC-42")), request_body = StatusTransition,
    responses((status = 200, body = Service), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn transition_service(
    ctx: Ctx,
    _: May<Changing, Service>,
    ApiPath(reference): ApiPath<String>,
    ApiJson(t): ApiJson<StatusTransition>,
) -> ApiResult<Json<Service>> {
    modify(&ctx, &reference, HistoryAction::Transition, |s: &mut Service| {
        s.transition(t)
    })
    .await
}

#[utoipa::path(get, path = "/api/v1/services/{reference}/history", tag = "services",
    params(("reference" = String, Path, description = "e.g. SVC-42"), PageQuery),
    responses((status = 200, body = ListOf<HistoryEntry>), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
async fn service_history(
    ctx: Ctx,
    ApiPath(reference): ApiPath<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<ListOf<HistoryEntry>>> {
    history_of::<Service>(&ctx, &reference, q).await
}
