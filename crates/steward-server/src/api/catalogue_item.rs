//! `/api/v1/catalogue-items`.

use axum::Json;
use axum::http::StatusCode;
use steward_core::history::{HistoryAction, HistoryEntry};
use steward_core::id::ServiceId;
use steward_core::service::{CatalogueItem, CatalogueItemPatch, NewCatalogueItem};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::{ListOf, PageQuery, create, history_of, list_all, list_query, modify, read_one};
use crate::AppState;
use crate::auth::{Changing, Creating, Ctx, May};
use crate::error::{ApiResult, ErrorBody};

list_query! {
    /// Filters for the catalogue item list.
    CatalogueItemQuery {
        service: ServiceId => "service_id",
        active: bool => "active",
    }
    sorts: ["updated_at", "created_at"]
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_catalogue_items, create_catalogue_item))
        .routes(routes!(get_catalogue_item, update_catalogue_item))
        .routes(routes!(catalogue_item_history))
}

#[utoipa::path(get, path = "/api/v1/catalogue-items", tag = "catalogue-items", params(CatalogueItemQuery),
    responses((status = 200, body = ListOf<CatalogueItem>), (status = 400, body = ErrorBody)), security(("bearer" = [])))]
async fn list_catalogue_items(
    ctx: Ctx,
    ApiQuery(q): ApiQuery<CatalogueItemQuery>,
) -> ApiResult<Json<ListOf<CatalogueItem>>> {
    list_all(&ctx, q.into_list()?).await
}

#[utoipa::path(post, path = "/api/v1/catalogue-items", tag = "catalogue-items", request_body = NewCatalogueItem,
    responses((status = 201, body = CatalogueItem), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
async fn create_catalogue_item(
    ctx: Ctx,
    _: May<Creating, CatalogueItem>,
    ApiJson(input): ApiJson<NewCatalogueItem>,
) -> ApiResult<(StatusCode, Json<CatalogueItem>)> {
    create(&ctx, CatalogueItem::create(input, ctx.now)?).await
}

#[utoipa::path(get, path = "/api/v1/catalogue-items/{reference}", tag = "catalogue-items",
    params(("reference" = String, Path, description = "e.g. CAT-42")),
    responses((status = 200, body = CatalogueItem), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
async fn get_catalogue_item(ctx: Ctx, ApiPath(reference): ApiPath<String>) -> ApiResult<Json<CatalogueItem>> {
    read_one(&ctx, &reference).await.map(Json)
}

#[utoipa::path(patch, path = "/api/v1/catalogue-items/{reference}", tag = "catalogue-items",
    params(("reference" = String, Path, description = "e.g. CAT-42")), request_body = CatalogueItemPatch,
    responses((status = 200, body = CatalogueItem), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn update_catalogue_item(
    ctx: Ctx,
    _: May<Changing, CatalogueItem>,
    ApiPath(reference): ApiPath<String>,
    ApiJson(patch): ApiJson<CatalogueItemPatch>,
) -> ApiResult<Json<CatalogueItem>> {
    modify(&ctx, &reference, HistoryAction::Update, |c: &mut CatalogueItem| {
        c.apply_patch(patch)
    })
    .await
}

#[utoipa::path(get, path = "/api/v1/catalogue-items/{reference}/history", tag = "catalogue-items",
    params(("reference" = String, Path, description = "e.g. CAT-42"), PageQuery),
    responses((status = 200, body = ListOf<HistoryEntry>), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
async fn catalogue_item_history(
    ctx: Ctx,
    ApiPath(reference): ApiPath<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<ListOf<HistoryEntry>>> {
    history_of::<CatalogueItem>(&ctx, &reference, q).await
}
