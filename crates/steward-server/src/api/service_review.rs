//! `/api/v1/service-reviews`: the reviews held with customers and other interested parties
//! (8.3.2), planned, held with their minutes, or cancelled. What they decide to do is recorded
//! as actions whose source is the review.

use steward_core::id::{OrganisationId, UserId};
use steward_core::service_review::{
    NewServiceReview, ServiceReview, ServiceReviewPatch, ServiceReviewStatus, ServiceReviewTransition,
};

use super::prelude::*;

list_query! {
    /// Filters for service reviews.
    ServiceReviewQuery {
        organisation: OrganisationId => "organisation_id",
        status: ServiceReviewStatus => "status",
        owner: UserId => "owner_id",
    }
    sorts: ["updated_at", "created_at"]
}

record_routes! {
    record: ServiceReview, tag: "relationships", example: "e.g. SR-3",
    list: list_service_reviews(ServiceReviewQuery) at "/api/v1/service-reviews",
    create: create_service_review(NewServiceReview) as |ctx, input| ServiceReview::create(input, ctx.now),
    get: get_service_review at "/api/v1/service-reviews/{reference}",
    update: update_service_review(ServiceReviewPatch),
    history: service_review_history at "/api/v1/service-reviews/{reference}/history",
}

pub fn routes() -> OpenApiRouter<AppState> {
    record_routes().routes(routes!(transition_service_review))
}

/// Records the review as `held` (on the day given, today if absent, with its minutes) or
/// `cancelled`.
#[utoipa::path(post, path = "/api/v1/service-reviews/{reference}/transition", tag = "relationships",
    params(("reference" = String, Path, description = "e.g. SR-3")), request_body = ServiceReviewTransition,
    responses((status = 200, body = ServiceReview), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn transition_service_review(
    ctx: Ctx,
    _: May<Changing, ServiceReview>,
    ApiPath(reference): ApiPath<String>,
    ApiJson(t): ApiJson<ServiceReviewTransition>,
) -> ApiResult<Json<ServiceReview>> {
    let today = ctx.now.date_naive();
    modify(&ctx, &reference, HistoryAction::Transition, |r: &mut ServiceReview| {
        r.transition(t, today)
    })
    .await
}
