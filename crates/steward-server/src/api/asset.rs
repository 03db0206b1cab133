//! `/api/v1/assets` and `/api/v1/licences`: hardware and software assets, licences, and the
//! licences used beyond their entitlements.

use axum::Json;
use axum::http::StatusCode;
use steward_core::access::{Operation, authorize};
use steward_core::asset::{
    Asset, AssetPatch, AssetStatus, AssetType, Licence, LicencePatch, NewAsset, NewLicence, OverUse,
};
use steward_core::history::{HistoryAction, HistoryEntry};
use steward_core::id::{LicenceId, UserId};
use steward_core::record::RecordKind;
use steward_core::service::StatusTransition;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::{ListOf, PageQuery, create, history_of, list_all, list_query, modify, read_one};
use crate::AppState;
use crate::auth::{Changing, Creating, Ctx, May};
use crate::error::{ApiResult, ErrorBody};

list_query! {
    /// Filters for the asset list.
    AssetQuery {
        status: AssetStatus => "status",
        asset_type: AssetType => "asset_type",
        owner: UserId => "owner_id",
        licence: LicenceId => "licence_id",
        location: String => "location",
    }
    sorts: ["updated_at", "created_at"]
}

list_query! {
    /// Filters for the licence list.
    LicenceQuery {
        owner: UserId => "owner_id",
    }
    sorts: ["updated_at", "created_at"]
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_assets, create_asset))
        .routes(routes!(get_asset, update_asset))
        .routes(routes!(transition_asset))
        .routes(routes!(asset_history))
        .routes(routes!(list_licences, create_licence))
        .routes(routes!(licence_over_use))
        .routes(routes!(get_licence, update_licence))
        .routes(routes!(licence_history))
}

#[utoipa::path(get, path = "/api/v1/assets", tag = "assets", params(AssetQuery),
    responses((status = 200, body = ListOf<Asset>), (status = 400, body = ErrorBody)), security(("bearer" = [])))]
async fn list_assets(ctx: Ctx, ApiQuery(q): ApiQuery<AssetQuery>) -> ApiResult<Json<ListOf<Asset>>> {
    list_all(&ctx, q.into_list()?).await
}

#[utoipa::path(post, path = "/api/v1/assets", tag = "assets", request_body = NewAsset,
    responses((status = 201, body = Asset), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
async fn create_asset(
    ctx: Ctx,
    _: May<Creating, Asset>,
    ApiJson(input): ApiJson<NewAsset>,
) -> ApiResult<(StatusCode, Json<Asset>)> {
    create(&ctx, Asset::create(input, ctx.now)?).await
}

#[utoipa::path(get, path = "/api/v1/assets/{reference}", tag = "assets",
    params(("reference" = String, Path, description = "e.g. AST-42")),
    responses((status = 200, body = Asset), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
async fn get_asset(ctx: Ctx, ApiPath(reference): ApiPath<String>) -> ApiResult<Json<Asset>> {
    read_one(&ctx, &reference).await.map(Json)
}

#[utoipa::path(patch, path = "/api/v1/assets/{reference}", tag = "assets",
    params(("reference" = String, Path, description = "e.g. AST-42")), request_body = AssetPatch,
    responses((status = 200, body = Asset), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn update_asset(
    ctx: Ctx,
    _: May<Changing, Asset>,
    ApiPath(reference): ApiPath<String>,
    ApiJson(patch): ApiJson<AssetPatch>,
) -> ApiResult<Json<Asset>> {
    modify(&ctx, &reference, HistoryAction::Update, |a: &mut Asset| {
        a.apply_patch(patch)
    })
    .await
}

#[utoipa::path(post, path = "/api/v1/assets/{reference}/transition", tag = "assets",
    params(("reference" = String, Path, description = "e.g. AST-42")), request_body = StatusTransition,
    responses((status = 200, body = Asset), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn transition_asset(
    ctx: Ctx,
    _: May<Changing, Asset>,
    ApiPath(reference): ApiPath<String>,
    ApiJson(t): ApiJson<StatusTransition>,
) -> ApiResult<Json<Asset>> {
    modify(&ctx, &reference, HistoryAction::Transition, |a: &mut Asset| {
        a.transition(t)
    })
    .await
}

#[utoipa::path(get, path = "/api/v1/assets/{reference}/history", tag = "assets",
    params(("reference" = String, Path, description = "e.g. AST-42"), PageQuery),
    responses((status = 200, body = ListOf<HistoryEntry>), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
async fn asset_history(
    ctx: Ctx,
    ApiPath(reference): ApiPath<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<ListOf<HistoryEntry>>> {
    history_of::<Asset>(&ctx, &reference, q).await
}

#[utoipa::path(get, path = "/api/v1/licences", tag = "assets", params(LicenceQuery),
    responses((status = 200, body = ListOf<Licence>), (status = 400, body = ErrorBody)), security(("bearer" = [])))]
async fn list_licences(ctx: Ctx, ApiQuery(q): ApiQuery<LicenceQuery>) -> ApiResult<Json<ListOf<Licence>>> {
    list_all(&ctx, q.into_list()?).await
}

#[utoipa::path(post, path = "/api/v1/licences", tag = "assets", request_body = NewLicence,
    responses((status = 201, body = Licence), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
async fn create_licence(
    ctx: Ctx,
    _: May<Creating, Licence>,
    ApiJson(input): ApiJson<NewLicence>,
) -> ApiResult<(StatusCode, Json<Licence>)> {
    create(&ctx, Licence::create(input, ctx.now)?).await
}

/// Licences with more installations (software assets in use or in repair) than entitlements.
#[utoipa::path(get, path = "/api/v1/licences/over-use", tag = "assets",
    responses((status = 200, body = ListOf<OverUse>)), security(("bearer" = [])))]
async fn licence_over_use(ctx: Ctx) -> ApiResult<Json<ListOf<OverUse>>> {
    authorize(&ctx.actor, RecordKind::Licence, Operation::Read)?;
    Ok(Json(ListOf {
        items: ctx.state.store.licence_over_use().await?,
        next_cursor: None,
    }))
}

#[utoipa::path(get, path = "/api/v1/licences/{reference}", tag = "assets",
    params(("reference" = String, Path, description = "e.g. LIC-3")),
    responses((status = 200, body = Licence), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
async fn get_licence(ctx: Ctx, ApiPath(reference): ApiPath<String>) -> ApiResult<Json<Licence>> {
    read_one(&ctx, &reference).await.map(Json)
}

#[utoipa::path(patch, path = "/api/v1/licences/{reference}", tag = "assets",
    params(("reference" = String, Path, description = "e.g. LIC-3")), request_body = LicencePatch,
    responses((status = 200, body = Licence), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn update_licence(
    ctx: Ctx,
    _: May<Changing, Licence>,
    ApiPath(reference): ApiPath<String>,
    ApiJson(patch): ApiJson<LicencePatch>,
) -> ApiResult<Json<Licence>> {
    modify(&ctx, &reference, HistoryAction::Update, |l: &mut Licence| {
        l.apply_patch(patch)
    })
    .await
}

#[utoipa::path(get, path = "/api/v1/licences/{reference}/history", tag = "assets",
    params(("reference" = String, Path, description = "e.g. LIC-3"), PageQuery),
    responses((status = 200, body = ListOf<HistoryEntry>), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
async fn licence_history(
    ctx: Ctx,
    ApiPath(reference): ApiPath<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<ListOf<HistoryEntry>>> {
    history_of::<Licence>(&ctx, &reference, q).await
}
