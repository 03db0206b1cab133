//! `/api/v1/organisations`.

use axum::Json;
use axum::http::StatusCode;
use steward_core::history::{HistoryAction, HistoryEntry};
use steward_core::organisation::{NewOrganisation, Organisation, OrganisationPatch};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::{ListOf, PageQuery, create, history_of, list_all, list_query, modify, read_one};
use crate::AppState;
use crate::auth::{Changing, Creating, Ctx, May};
use crate::error::{ApiResult, ErrorBody};

list_query! {
    /// Filters for the organisation list.
    OrganisationQuery {
        active: bool => "active",
    }
    sorts: ["updated_at", "created_at"]
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_organisations, create_organisation))
        .routes(routes!(get_organisation, update_organisation))
        .routes(routes!(organisation_history))
}

#[utoipa::path(get, path = "/api/v1/organisations", tag = "organisations", params(OrganisationQuery),
    responses((status = 200, body = ListOf<Organisation>), (status = 400, body = ErrorBody)), security(("bearer" = [])))]
async fn list_organisations(
    ctx: Ctx,
    ApiQuery(q): ApiQuery<OrganisationQuery>,
) -> ApiResult<Json<ListOf<Organisation>>> {
    list_all(&ctx, q.into_list()?).await
}

#[utoipa::path(post, path = "/api/v1/organisations", tag = "organisations", request_body = NewOrganisation,
    responses((status = 201, body = Organisation), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
async fn create_organisation(
    ctx: Ctx,
    _: May<Creating, Organisation>,
    ApiJson(input): ApiJson<NewOrganisation>,
) -> ApiResult<(StatusCode, Json<Organisation>)> {
    create(&ctx, Organisation::create(input, ctx.now)?).await
}

#[utoipa::path(get, path = "/api/v1/organisations/{reference}", tag = "organisations",
    params(("reference" = String, Path, description = "e.g. ORG-42")),
    responses((status = 200, body = Organisation), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
async fn get_organisation(ctx: Ctx, ApiPath(reference): ApiPath<String>) -> ApiResult<Json<Organisation>> {
    read_one(&ctx, &reference).await.map(Json)
}

#[utoipa::path(patch, path = "/api/v1/organisations/{reference}", tag = "organisations",
    params(("reference" = String, Path, description = "e.g. ORG-42")), request_body = OrganisationPatch,
    responses((status = 200, body = Organisation), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn update_organisation(
    ctx: Ctx,
    _: May<Changing, Organisation>,
    ApiPath(reference): ApiPath<String>,
    ApiJson(patch): ApiJson<OrganisationPatch>,
) -> ApiResult<Json<Organisation>> {
    modify(&ctx, &reference, HistoryAction::Update, |o: &mut Organisation| {
        o.apply_patch(patch)
    })
    .await
}

#[utoipa::path(get, path = "/api/v1/organisations/{reference}/history", tag = "organisations",
    params(("reference" = String, Path, description = "e.g. ORG-42"), PageQuery),
    responses((status = 200, body = ListOf<HistoryEntry>), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
async fn organisation_history(
    ctx: Ctx,
    ApiPath(reference): ApiPath<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<ListOf<HistoryEntry>>> {
    history_of::<Organisation>(&ctx, &reference, q).await
}
