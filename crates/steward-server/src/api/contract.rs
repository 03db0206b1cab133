//! `/api/v1/contracts`: contracts and agreements with suppliers (8.3.4.1, 8.3.4.2) — scope,
//! services, interfaces, obligations, dates, the agreement holding their targets — and their
//! reviews.

use steward_core::contract::{Contract, ContractPatch, ContractReview, ContractStatus, NewContract};
use steward_core::id::{SupplierId, UserId};

use super::prelude::*;

list_query! {
    /// Filters for contracts.
    ContractQuery {
        supplier: SupplierId => "supplier_id",
        status: ContractStatus => "status",
        owner: UserId => "owner_id",
        agreement: steward_core::id::AgreementId => "agreement_id",
    }
    sorts: ["updated_at", "created_at"]
}

record_routes! {
    record: Contract, tag: "suppliers", example: "e.g. CTR-3",
    list: list_contracts(ContractQuery) at "/api/v1/contracts",
    create: create_contract(NewContract) as |ctx, input| Contract::create(input, ctx.now),
    get: get_contract at "/api/v1/contracts/{reference}",
    update: update_contract(ContractPatch),
    transition: transition_contract at "/api/v1/contracts/{reference}/transition"
        as |ctx, k, t| k.transition(t),
    history: contract_history at "/api/v1/contracts/{reference}/history",
}

pub fn routes() -> OpenApiRouter<AppState> {
    record_routes().routes(routes!(review_contract))
}

/// Records a review of a contract: when it was held (today if absent), what it found, and when
/// the next is due. The history keeps every review.
#[utoipa::path(post, path = "/api/v1/contracts/{reference}/review", tag = "suppliers",
    params(("reference" = String, Path, description = "e.g. CTR-3")), request_body = ContractReview,
    responses((status = 200, body = Contract), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn review_contract(
    ctx: Ctx,
    _: May<Changing, Contract>,
    ApiPath(reference): ApiPath<String>,
    ApiJson(r): ApiJson<ContractReview>,
) -> ApiResult<Json<Contract>> {
    let today = ctx.now.date_naive();
    modify(&ctx, &reference, HistoryAction::Update, |k: &mut Contract| {
        k.review(r, today)
    })
    .await
}
