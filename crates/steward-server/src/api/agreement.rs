//! `/api/v1/agreements`: service level agreements, operational level agreements and underpinning
//! contracts.

use axum::Json;
use axum::http::StatusCode;
use steward_core::agreement::{Agreement, AgreementKind, AgreementPatch, NewAgreement};
use steward_core::history::{HistoryAction, HistoryEntry};
use steward_core::id::{CalendarId, OrganisationId, TeamId, UserId};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::{ListOf, PageQuery, create, history_of, list_all, list_query, modify, read_one};
use crate::AppState;
use crate::auth::{Changing, Creating, Ctx, May};
use crate::error::{ApiResult, ErrorBody};

list_query! {
    /// Filters for the agreement list.
    AgreementQuery {
        kind: AgreementKind => "kind",
        active: bool => "active",
        organisation: OrganisationId => "organisation_id",
        team: TeamId => "team_id",
        supplier: steward_core::id::SupplierId => "supplier_id",
        calendar: CalendarId => "calendar_id",
        owner: UserId => "owner_id",
    }
    sorts: ["updated_at", "created_at"]
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_agreements, create_agreement))
        .routes(routes!(get_agreement, update_agreement))
        .routes(routes!(agreement_history))
}

#[utoipa::path(get, path = "/api/v1/agreements", tag = "agreements", params(AgreementQuery),
    responses((status = 200, body = ListOf<Agreement>), (status = 400, body = ErrorBody)), security(("bearer" = [])))]
async fn list_agreements(ctx: Ctx, ApiQuery(q): ApiQuery<AgreementQuery>) -> ApiResult<Json<ListOf<Agreement>>> {
    list_all(&ctx, q.into_list()?).await
}

#[utoipa::path(post, path = "/api/v1/agreements", tag = "agreements", request_body = NewAgreement,
    responses((status = 201, body = Agreement), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
async fn create_agreement(
    ctx: Ctx,
    _: May<Creating, Agreement>,
    ApiJson(input): ApiJson<NewAgreement>,
) -> ApiResult<(StatusCode, Json<Agreement>)> {
    create(&ctx, Agreement::create(input, ctx.now)?).await
}

#[utoipa::path(get, path = "/api/v1/agreements/{reference}", tag = "agreements",
    params(("reference" = String, Path, description = "e.g. AGR-42")),
    responses((status = 200, body = Agreement), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
async fn get_agreement(ctx: Ctx, ApiPath(reference): ApiPath<String>) -> ApiResult<Json<Agreement>> {
    read_one(&ctx, &reference).await.map(Json)
}

#[utoipa::path(patch, path = "/api/v1/agreements/{reference}", tag = "agreements",
    params(("reference" = String, Path, description = "e.g. AGR-42")), request_body = AgreementPatch,
    responses((status = 200, body = Agreement), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn update_agreement(
    ctx: Ctx,
    _: May<Changing, Agreement>,
    ApiPath(reference): ApiPath<String>,
    ApiJson(patch): ApiJson<AgreementPatch>,
) -> ApiResult<Json<Agreement>> {
    modify(&ctx, &reference, HistoryAction::Update, |o: &mut Agreement| {
        o.apply_patch(patch)
    })
    .await
}

#[utoipa::path(get, path = "/api/v1/agreements/{reference}/history", tag = "agreements",
    params(("reference" = String, Path, description = "e.g. AGR-42"), PageQuery),
    responses((status = 200, body = ListOf<HistoryEntry>), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
async fn agreement_history(
    ctx: Ctx,
    ApiPath(reference): ApiPath<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<ListOf<HistoryEntry>>> {
    history_of::<Agreement>(&ctx, &reference, q).await
}
