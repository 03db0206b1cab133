//! `/api/v1/requests`.

use axum::Json;
use axum::http::StatusCode;
use steward_core::Error;
use steward_core::history::{HistoryAction, HistoryEntry};
use steward_core::id::{CatalogueItemId, ServiceId, TeamId, UserId};
use steward_core::priority::Priority;
use steward_core::request::{NewRequest, Request, RequestPatch, RequestStatus, RequestTransition};
use steward_core::service::CatalogueItem;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::incident::{organisation_of, requester_limits};
use super::{Clocked, ListOf, PageQuery, clocked, create, history_of, list_clocked, list_query, modify, read_one};
use crate::AppState;
use crate::auth::{Changing, Creating, Ctx, May};
use crate::error::{ApiResult, ErrorBody};

list_query! {
    /// Filters for the request list.
    RequestQuery {
        status: RequestStatus => "status",
        priority: Priority => "priority",
        service: ServiceId => "service_id",
        catalogue_item: CatalogueItemId => "catalogue_item_id",
        assignee: UserId => "assignee_id",
        team: TeamId => "team_id",
        supplier: steward_core::id::SupplierId => "supplier_id",
        requested_for: UserId => "requested_for_id",
    }
    sorts: ["updated_at", "created_at", "priority", "sla_due_at"]
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_requests, create_request))
        .routes(routes!(get_request, update_request))
        .routes(routes!(transition_request))
        .routes(routes!(request_history))
}

#[utoipa::path(get, path = "/api/v1/requests", tag = "requests", params(RequestQuery),
    responses((status = 200, body = ListOf<Clocked<Request>>), (status = 400, body = ErrorBody)), security(("bearer" = [])))]
async fn list_requests(ctx: Ctx, ApiQuery(q): ApiQuery<RequestQuery>) -> ApiResult<Json<ListOf<Clocked<Request>>>> {
    list_clocked(&ctx, q.into_list()?).await
}

#[utoipa::path(post, path = "/api/v1/requests", tag = "requests", request_body = NewRequest,
    responses((status = 201, body = Clocked<Request>), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
async fn create_request(
    ctx: Ctx,
    _: May<Creating, Request>,
    ApiJson(mut input): ApiJson<NewRequest>,
) -> ApiResult<(StatusCode, Json<Clocked<Request>>)> {
    let triage = [("assignee", input.assignee.is_some()), ("team", input.team.is_some())];
    requester_limits(&ctx, &mut input.requested_for, "requested_for", &triage)?;
    let item: CatalogueItem = ctx
        .state
        .store
        .get(input.catalogue_item.0)
        .await?
        .filter(|i: &CatalogueItem| i.active)
        .ok_or_else(|| {
            Error::invalid(
                "catalogue_item",
                format!("{} is not an active catalogue item", input.catalogue_item),
            )
        })?;
    let organisation = organisation_of(&ctx, "requested_for", input.requested_for).await?;
    let matrix = ctx.state.store.priority_matrix().await?;
    let request = Request::create(input, item.service, organisation, &matrix, ctx.now)?;
    let (status, Json(saved)) = create(&ctx, request).await?;
    Ok((status, clocked(&ctx, saved).await?))
}

#[utoipa::path(get, path = "/api/v1/requests/{reference}", tag = "requests",
    params(("reference" = String, Path, description = "e.g. REQ-42")),
    responses((status = 200, body = Clocked<Request>), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
async fn get_request(ctx: Ctx, ApiPath(reference): ApiPath<String>) -> ApiResult<Json<Clocked<Request>>> {
    let request: Request = read_one(&ctx, &reference).await?;
    clocked(&ctx, request).await
}

#[utoipa::path(patch, path = "/api/v1/requests/{reference}", tag = "requests",
    params(("reference" = String, Path, description = "e.g. REQ-42")), request_body = RequestPatch,
    responses((status = 200, body = Clocked<Request>), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn update_request(
    ctx: Ctx,
    _: May<Changing, Request>,
    ApiPath(reference): ApiPath<String>,
    ApiJson(patch): ApiJson<RequestPatch>,
) -> ApiResult<Json<Clocked<Request>>> {
    let organisation = match patch.requested_for {
        Some(person) => Some(organisation_of(&ctx, "requested_for", person).await?),
        None => None,
    };
    let matrix = ctx.state.store.priority_matrix().await?;
    let Json(saved) = modify(&ctx, &reference, HistoryAction::Update, |r: &mut Request| {
        r.apply_patch(patch, &matrix)?;
        if let Some(o) = organisation {
            r.organisation = o;
        }
        Ok(())
    })
    .await?;
    clocked(&ctx, saved).await
}

#[utoipa::path(post, path = "/api/v1/requests/{reference}/transition", tag = "requests",
    params(("reference" = String, Path, description = "e.g. REQ-42")), request_body = RequestTransition,
    responses((status = 200, body = Clocked<Request>), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn transition_request(
    ctx: Ctx,
    _: May<Changing, Request>,
    ApiPath(reference): ApiPath<String>,
    ApiJson(t): ApiJson<RequestTransition>,
) -> ApiResult<Json<Clocked<Request>>> {
    let now = ctx.now;
    let Json(saved) = modify(&ctx, &reference, HistoryAction::Transition, |r: &mut Request| {
        r.transition(t, now)
    })
    .await?;
    clocked(&ctx, saved).await
}

#[utoipa::path(get, path = "/api/v1/requests/{reference}/history", tag = "requests",
    params(("reference" = String, Path, description = "e.g. REQ-42"), PageQuery),
    responses((status = 200, body = ListOf<HistoryEntry>), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
async fn request_history(
    ctx: Ctx,
    ApiPath(reference): ApiPath<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<ListOf<HistoryEntry>>> {
    history_of::<Request>(&ctx, &reference, q).await
}
