//! `/api/v1/compliance/management-reviews`: management reviews (9.3). `inputs` compiles the
//! input pack from Steward's records for the review's period; holding the review freezes it into
//! the record. Decisions to act on become actions with the review as their source.

use steward_core::lifecycle::Lifecycle;
use steward_core::management_review::{
    ManagementReview, ManagementReviewPatch, ManagementReviewStatus, NewManagementReview, ReviewInputs,
};

use super::prelude::*;

list_query! {
    /// Filters for management reviews.
    ManagementReviewQuery {
        status: ManagementReviewStatus => "status",
    }
    sorts: ["updated_at", "created_at"]
}

record_routes! {
    record: ManagementReview, tag: "compliance", example: "e.g. MR-1",
    list: list_management_reviews(ManagementReviewQuery) at "/api/v1/compliance/management-reviews",
    create: create_management_review(NewManagementReview) as |ctx, input| ManagementReview::create(input, ctx.actor.user, ctx.now),
    get: get_management_review at "/api/v1/compliance/management-reviews/{reference}",
    update: update_management_review(ManagementReviewPatch),
    history: management_review_history at "/api/v1/compliance/management-reviews/{reference}/history",
}

pub fn routes() -> OpenApiRouter<AppState> {
    record_routes()
        .routes(routes!(review_inputs))
        .routes(routes!(transition_management_review))
}

/// The input pack: for a review not yet held, compiled now from the records of its period; for
/// one held, the pack as it was when it was held.
#[utoipa::path(get, path = "/api/v1/compliance/management-reviews/{reference}/inputs", tag = "compliance",
    params(("reference" = String, Path, description = "e.g. MR-1")),
    responses((status = 200, body = ReviewInputs), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
async fn review_inputs(ctx: Ctx, ApiPath(reference): ApiPath<String>) -> ApiResult<Json<serde_json::Value>> {
    let review: ManagementReview = read_one(&ctx, &reference).await?;
    if let Some(frozen) = review.inputs {
        return Ok(Json(frozen));
    }
    let pack = ctx.state.store.review_inputs(&review, ctx.now).await?;
    Ok(Json(
        serde_json::to_value(pack).map_err(|e| steward_core::Error::Unexpected(Box::new(e)))?,
    ))
}

/// Moves a review on: `held` compiles the input pack and freezes it into the review; `closed`
/// needs the minutes.
#[utoipa::path(post, path = "/api/v1/compliance/management-reviews/{reference}/transition", tag = "compliance",
    params(("reference" = String, Path, description = "e.g. MR-1")), request_body = StatusTransition,
    responses((status = 200, body = ManagementReview), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn transition_management_review(
    ctx: Ctx,
    _: May<Changing, ManagementReview>,
    ApiPath(reference): ApiPath<String>,
    ApiJson(t): ApiJson<StatusTransition>,
) -> ApiResult<Json<ManagementReview>> {
    authorize(&ctx.actor, RecordKind::ManagementReview, Operation::Update)?;
    let review: ManagementReview = read_one(&ctx, &reference).await?;
    let pack = if t.to == ManagementReviewStatus::Held.as_str() && review.status == ManagementReviewStatus::Planned {
        let inputs = ctx.state.store.review_inputs(&review, ctx.now).await?;
        serde_json::to_value(inputs).map_err(|e| steward_core::Error::Unexpected(Box::new(e)))?
    } else {
        serde_json::Value::Null
    };
    modify(
        &ctx,
        &reference,
        HistoryAction::Transition,
        |r: &mut ManagementReview| r.transition(t, || pack),
    )
    .await
}
