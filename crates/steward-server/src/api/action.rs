//! `/api/v1/compliance/actions`: the one action register — corrective actions, review decisions,
//! improvement steps, risk treatments, objective plans and certification tasks, each naming the
//! record it serves.

use steward_core::action::{Action, ActionPatch, ActionStatus, CertificationStep, NewAction};
use steward_core::id::UserId;

use super::prelude::*;

list_query! {
    /// Filters for the action register.
    ActionQuery {
        status: ActionStatus => "status",
        owner: UserId => "owner_id",
        /// Only the actions of this record, e.g. `NC-3`.
        source: String => "source",
        step: CertificationStep => "step",
    }
    sorts: ["updated_at", "created_at"]
}

record_routes! {
    record: Action, tag: "compliance", example: "e.g. ACT-12",
    list: list_actions(ActionQuery) at "/api/v1/compliance/actions",
    create: create_action(NewAction) as |ctx, input| Action::create(input, ctx.actor.user, ctx.now),
    get: get_action at "/api/v1/compliance/actions/{reference}",
    update: update_action(ActionPatch),
    transition: transition_action at "/api/v1/compliance/actions/{reference}/transition"
        as |ctx, a, t| a.transition(t, ctx.now.date_naive()),
    history: action_history at "/api/v1/compliance/actions/{reference}/history",
}

pub fn routes() -> OpenApiRouter<AppState> {
    record_routes()
}
