//! `/api/v1/compliance/improvements`: the improvement register (10.2).

use steward_core::id::{ServiceId, UserId};
use steward_core::improvement::{Improvement, ImprovementPatch, ImprovementSource, ImprovementStatus, NewImprovement};

use super::prelude::*;

list_query! {
    /// Filters for the improvement register.
    ImprovementQuery {
        status: ImprovementStatus => "status",
        source: ImprovementSource => "source",
        owner: UserId => "owner_id",
        service: ServiceId => "service_id",
    }
    sorts: ["updated_at", "created_at"]
}

record_routes! {
    record: Improvement, tag: "compliance", example: "e.g. IMP-7",
    list: list_improvements(ImprovementQuery) at "/api/v1/compliance/improvements",
    create: create_improvement(NewImprovement) as |ctx, input| Improvement::create(input, None, ctx.now),
    get: get_improvement at "/api/v1/compliance/improvements/{reference}",
    update: update_improvement(ImprovementPatch),
    transition: transition_improvement at "/api/v1/compliance/improvements/{reference}/transition"
        as |ctx, i, t| i.transition(t),
    history: improvement_history at "/api/v1/compliance/improvements/{reference}/history",
}

pub fn routes() -> OpenApiRouter<AppState> {
    record_routes()
}
