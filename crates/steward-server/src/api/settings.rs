//! `/api/v1/settings`: settings an administrator changes at run time.

use axum::Json;
use steward_core::access::{Operation, authorize_settings};
use steward_core::approval::ChangePolicy;
use steward_core::complaint::ComplaintPolicy;
use steward_core::cost::CostRates;
use steward_core::priority::PriorityMatrix;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::ApiJson;
use crate::AppState;
use crate::auth::{Ctx, MayChangeSettings};
use crate::error::{ApiResult, ErrorBody};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_priority_matrix, update_priority_matrix))
        .routes(routes!(get_security_priority_matrix, update_security_priority_matrix))
        .routes(routes!(get_change_policy, update_change_policy))
        .routes(routes!(get_complaint_policy, update_complaint_policy))
        .routes(routes!(get_cost_rates, update_cost_rates))
}

#[utoipa::path(get, path = "/api/v1/settings/priority-matrix", tag = "settings",
    responses((status = 200, body = PriorityMatrix)), security(("bearer" = [])))]
async fn get_priority_matrix(ctx: Ctx) -> ApiResult<Json<PriorityMatrix>> {
    authorize_settings(&ctx.actor, Operation::Read)?;
    Ok(Json(ctx.state.store.priority_matrix().await?))
}

/// Replaces the impact x urgency matrix. Records keep their priority until their impact or
/// urgency next changes.
#[utoipa::path(put, path = "/api/v1/settings/priority-matrix", tag = "settings", request_body = PriorityMatrix,
    responses((status = 200, body = PriorityMatrix), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn update_priority_matrix(
    ctx: Ctx,
    _: MayChangeSettings,
    ApiJson(m): ApiJson<PriorityMatrix>,
) -> ApiResult<Json<PriorityMatrix>> {
    ctx.state.store.set_priority_matrix(&m, ctx.now).await?;
    Ok(Json(m))
}

#[utoipa::path(get, path = "/api/v1/settings/security-priority-matrix", tag = "settings",
    responses((status = 200, body = PriorityMatrix)), security(("bearer" = [])))]
async fn get_security_priority_matrix(ctx: Ctx) -> ApiResult<Json<PriorityMatrix>> {
    authorize_settings(&ctx.actor, Operation::Read)?;
    Ok(Json(ctx.state.store.security_priority_matrix().await?))
}

/// Replaces the impact x urgency matrix security incidents take their priority from (by
/// default one step more urgent than the usual one). Incidents keep their priority until their
/// impact, urgency or classification next changes.
#[utoipa::path(put, path = "/api/v1/settings/security-priority-matrix", tag = "settings", request_body = PriorityMatrix,
    responses((status = 200, body = PriorityMatrix), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn update_security_priority_matrix(
    ctx: Ctx,
    _: MayChangeSettings,
    ApiJson(m): ApiJson<PriorityMatrix>,
) -> ApiResult<Json<PriorityMatrix>> {
    ctx.state.store.set_security_priority_matrix(&m, ctx.now).await?;
    Ok(Json(m))
}

#[utoipa::path(get, path = "/api/v1/settings/change-policy", tag = "settings",
    responses((status = 200, body = ChangePolicy)), security(("bearer" = [])))]
async fn get_change_policy(ctx: Ctx) -> ApiResult<Json<ChangePolicy>> {
    authorize_settings(&ctx.actor, Operation::Read)?;
    Ok(Json(ctx.state.store.change_policy().await?))
}

/// Replaces the change policy: the advisory board's team, the quorum of normal changes and the
/// emergency approvers. Changes already in assessment keep the approvers they were given.
#[utoipa::path(put, path = "/api/v1/settings/change-policy", tag = "settings", request_body = ChangePolicy,
    responses((status = 200, body = ChangePolicy), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn update_change_policy(
    ctx: Ctx,
    _: MayChangeSettings,
    ApiJson(p): ApiJson<ChangePolicy>,
) -> ApiResult<Json<ChangePolicy>> {
    ctx.state.store.set_change_policy(&p, ctx.now).await?;
    Ok(Json(p))
}

#[utoipa::path(get, path = "/api/v1/settings/complaint-policy", tag = "settings",
    responses((status = 200, body = ComplaintPolicy)), security(("bearer" = [])))]
async fn get_complaint_policy(ctx: Ctx) -> ApiResult<Json<ComplaintPolicy>> {
    authorize_settings(&ctx.actor, Operation::Read)?;
    Ok(Json(ctx.state.store.complaint_policy().await?))
}

/// Replaces the complaint policy: the days to acknowledge and to resolve a complaint. Complaints
/// already received keep the targets they were given.
#[utoipa::path(put, path = "/api/v1/settings/complaint-policy", tag = "settings", request_body = ComplaintPolicy,
    responses((status = 200, body = ComplaintPolicy), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn update_complaint_policy(
    ctx: Ctx,
    _: MayChangeSettings,
    ApiJson(p): ApiJson<ComplaintPolicy>,
) -> ApiResult<Json<ComplaintPolicy>> {
    ctx.state.store.set_complaint_policy(&p, ctx.now).await?;
    Ok(Json(p))
}

#[utoipa::path(get, path = "/api/v1/settings/cost-rates", tag = "settings",
    responses((status = 200, body = CostRates)), security(("bearer" = [])))]
async fn get_cost_rates(ctx: Ctx) -> ApiResult<Json<CostRates>> {
    authorize_settings(&ctx.actor, Operation::Read)?;
    Ok(Json(ctx.state.store.cost_rates().await?))
}

/// Replaces the cost rates: the currency amounts are in and what an hour of staff time costs
/// (minor units). Time logged from now on is priced at the new rate; costs already recorded
/// keep their amounts.
#[utoipa::path(put, path = "/api/v1/settings/cost-rates", tag = "settings", request_body = CostRates,
    responses((status = 200, body = CostRates), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn update_cost_rates(
    ctx: Ctx,
    _: MayChangeSettings,
    ApiJson(r): ApiJson<CostRates>,
) -> ApiResult<Json<CostRates>> {
    ctx.state.store.set_cost_rates(&r, ctx.now).await?;
    Ok(Json(r))
}
