//! `/api/v1/compliance/nonconformities`: nonconformities under corrective action (10.1), with
//! their corrective actions in the action register (source `NC-n`).

use steward_core::id::UserId;
use steward_core::nonconformity::{
    NewNonconformity, Nonconformity, NonconformityPatch, NonconformitySource, NonconformityStatus, Severity,
};

use super::prelude::*;

list_query! {
    /// Filters for nonconformities.
    NonconformityQuery {
        status: NonconformityStatus => "status",
        severity: Severity => "severity",
        source: NonconformitySource => "source",
        owner: UserId => "owner_id",
        /// Only those against this clause, e.g. `8.5.1.3`.
        requirement: String => "requirement",
    }
    sorts: ["updated_at", "created_at"]
}

record_routes! {
    record: Nonconformity, tag: "compliance", example: "e.g. NC-3",
    list: list_nonconformities(NonconformityQuery) at "/api/v1/compliance/nonconformities",
    create: create_nonconformity(NewNonconformity) as |ctx, input| Nonconformity::create(input, None, ctx.now),
    get: get_nonconformity at "/api/v1/compliance/nonconformities/{reference}",
    update: update_nonconformity(NonconformityPatch),
    transition: transition_nonconformity at "/api/v1/compliance/nonconformities/{reference}/transition"
        as |ctx, n, t| n.transition(t, ctx.actor.user, ctx.now.date_naive()),
    history: nonconformity_history at "/api/v1/compliance/nonconformities/{reference}/history",
}

pub fn routes() -> OpenApiRouter<AppState> {
    record_routes()
}
