//! `/api/v1/organisations`: customers and the other interested parties of the services, each
//! with its relationship owner, and `/api/v1/reports/relationships`, how each relationship
//! stands (8.3.2).

use axum::Json;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::Serialize;
use steward_core::access::{Operation, authorize};
use steward_core::history::{HistoryAction, HistoryEntry};
use steward_core::id::UserId;
use steward_core::organisation::{NewOrganisation, Organisation, OrganisationKind, OrganisationPatch, Relationship};
use steward_core::record::RecordKind;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::report::{PeriodQuery, period};
use super::{ListOf, PageQuery, create, history_of, list_all, list_query, modify, read_one};
use crate::AppState;
use crate::auth::{Changing, Creating, Ctx, May};
use crate::error::{ApiResult, ErrorBody};

list_query! {
    /// Filters for the organisation list.
    OrganisationQuery {
        active: bool => "active",
        kind: OrganisationKind => "kind",
        relationship_owner: UserId => "relationship_owner_id",
    }
    sorts: ["updated_at", "created_at"]
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_organisations, create_organisation))
        .routes(routes!(get_organisation, update_organisation))
        .routes(routes!(organisation_history))
        .routes(routes!(relationship_report))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RelationshipReport {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Every active organisation, by name.
    pub relationships: Vec<Relationship>,
}

/// How the relationship with each active customer and interested party stands: its owner, the
/// last service review held and the next planned, reviews held in the period, and its
/// complaints (received and resolved in the period, resolved on time, open, overdue).
#[utoipa::path(get, path = "/api/v1/reports/relationships", tag = "reports", params(PeriodQuery),
    responses((status = 200, body = RelationshipReport), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
async fn relationship_report(ctx: Ctx, ApiQuery(q): ApiQuery<PeriodQuery>) -> ApiResult<Json<RelationshipReport>> {
    authorize(&ctx.actor, RecordKind::ServiceReview, Operation::Read)?;
    let (from, to) = period(&q.from, &q.to)?;
    let relationships = ctx.state.store.relationships(from, to, ctx.now).await?;
    Ok(Json(RelationshipReport {
        from,
        to,
        relationships,
    }))
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
