//! `/api/v1/disputes`: disputes with suppliers (8.3.4.1), from raised to closed.

use steward_core::dispute::{Dispute, DisputePatch, DisputeStatus, DisputeTransition, NewDispute};
use steward_core::id::{ContractId, SupplierId, UserId};

use super::prelude::*;

list_query! {
    /// Filters for disputes.
    DisputeQuery {
        supplier: SupplierId => "supplier_id",
        contract: ContractId => "contract_id",
        status: DisputeStatus => "status",
        owner: UserId => "owner_id",
    }
    sorts: ["updated_at", "created_at"]
}

record_routes! {
    record: Dispute, tag: "suppliers", example: "e.g. DSP-3",
    list: list_disputes(DisputeQuery) at "/api/v1/disputes",
    create: create_dispute(NewDispute) as |ctx, input| Dispute::create(input, ctx.now),
    get: get_dispute at "/api/v1/disputes/{reference}",
    update: update_dispute(DisputePatch),
    history: dispute_history at "/api/v1/disputes/{reference}/history",
}

pub fn routes() -> OpenApiRouter<AppState> {
    record_routes().routes(routes!(transition_dispute))
}

/// Moves a dispute: `escalated`, `resolved` (with how it was settled), `closed`, or back to
/// `open` when the supplier does not accept the resolution.
#[utoipa::path(post, path = "/api/v1/disputes/{reference}/transition", tag = "suppliers",
    params(("reference" = String, Path, description = "e.g. DSP-3")), request_body = DisputeTransition,
    responses((status = 200, body = Dispute), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn transition_dispute(
    ctx: Ctx,
    _: May<Changing, Dispute>,
    ApiPath(reference): ApiPath<String>,
    ApiJson(t): ApiJson<DisputeTransition>,
) -> ApiResult<Json<Dispute>> {
    let now = ctx.now;
    modify(&ctx, &reference, HistoryAction::Transition, |d: &mut Dispute| {
        d.transition(t, now)
    })
    .await
}
