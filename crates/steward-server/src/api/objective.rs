//! `/api/v1/compliance/objectives`: service management objectives and their plans (6.2).

use steward_core::id::UserId;
use steward_core::objective::{NewObjective, Objective, ObjectivePatch, ObjectiveStatus};

use super::prelude::*;

list_query! {
    /// Filters for objectives.
    ObjectiveQuery {
        status: ObjectiveStatus => "status",
        owner: UserId => "owner_id",
    }
    sorts: ["updated_at", "created_at"]
}

record_routes! {
    record: Objective, tag: "compliance", example: "e.g. OBJ-2",
    list: list_objectives(ObjectiveQuery) at "/api/v1/compliance/objectives",
    create: create_objective(NewObjective) as |ctx, input| Objective::create(input, ctx.actor.user, ctx.now),
    get: get_objective at "/api/v1/compliance/objectives/{reference}",
    update: update_objective(ObjectivePatch),
    transition: transition_objective at "/api/v1/compliance/objectives/{reference}/transition"
        as |ctx, o, t| o.transition(t),
    history: objective_history at "/api/v1/compliance/objectives/{reference}/history",
}

pub fn routes() -> OpenApiRouter<AppState> {
    record_routes()
}
