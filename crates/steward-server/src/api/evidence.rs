//! `/api/v1/compliance/evidence`: registered evidence for a requirement, with the date it speaks
//! for and how long it stays fresh.

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use steward_core::evidence::{Evidence, EvidencePatch, NewEvidence};
use steward_core::history::{HistoryAction, HistoryEntry};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{ApiJson, ApiQuery};
use super::{ListOf, PageQuery, create, history_of, list_all, list_query, modify, read_one};
use crate::AppState;
use crate::auth::Ctx;
use crate::error::{ApiResult, ErrorBody};

list_query! {
    /// Filters for the evidence list.
    EvidenceQuery {
        /// Only evidence for this clause, e.g. `8.7.2`.
        requirement: String => "requirement",
    }
    sorts: ["updated_at", "created_at"]
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_evidence, create_evidence))
        .routes(routes!(get_evidence, update_evidence))
        .routes(routes!(evidence_history))
}

#[utoipa::path(get, path = "/api/v1/compliance/evidence", tag = "compliance", params(EvidenceQuery),
    responses((status = 200, body = ListOf<Evidence>), (status = 400, body = ErrorBody)), security(("bearer" = [])))]
async fn list_evidence(ctx: Ctx, ApiQuery(q): ApiQuery<EvidenceQuery>) -> ApiResult<Json<ListOf<Evidence>>> {
    list_all(&ctx, q.into_list()?).await
}

/// Registers evidence; `effective_date` is the day it speaks for, and freshness runs from it,
/// not from the day it was registered.
#[utoipa::path(post, path = "/api/v1/compliance/evidence", tag = "compliance", request_body = NewEvidence,
    responses((status = 201, body = Evidence), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
async fn create_evidence(ctx: Ctx, ApiJson(input): ApiJson<NewEvidence>) -> ApiResult<(StatusCode, Json<Evidence>)> {
    create(&ctx, Evidence::create(input, ctx.now)?).await
}

#[utoipa::path(get, path = "/api/v1/compliance/evidence/{reference}", tag = "compliance",
    params(("reference" = String, Path, description = "e.g. EVD-3")),
    responses((status = 200, body = Evidence), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
async fn get_evidence(ctx: Ctx, Path(reference): Path<String>) -> ApiResult<Json<Evidence>> {
    read_one(&ctx, &reference).await.map(Json)
}

#[utoipa::path(patch, path = "/api/v1/compliance/evidence/{reference}", tag = "compliance",
    params(("reference" = String, Path, description = "e.g. EVD-3")), request_body = EvidencePatch,
    responses((status = 200, body = Evidence), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn update_evidence(
    ctx: Ctx,
    Path(reference): Path<String>,
    ApiJson(patch): ApiJson<EvidencePatch>,
) -> ApiResult<Json<Evidence>> {
    modify(&ctx, &reference, HistoryAction::Update, |e: &mut Evidence| {
        e.apply_patch(patch)
    })
    .await
}

#[utoipa::path(get, path = "/api/v1/compliance/evidence/{reference}/history", tag = "compliance",
    params(("reference" = String, Path, description = "e.g. EVD-3"), PageQuery),
    responses((status = 200, body = ListOf<HistoryEntry>), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
async fn evidence_history(
    ctx: Ctx,
    Path(reference): Path<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<ListOf<HistoryEntry>>> {
    history_of::<Evidence>(&ctx, &reference, q).await
}
