//! `/api/v1/compliance/risks`: the register of risks and opportunities (6.1); sort by `-rating`
//! for the highest first.

use steward_core::id::{ServiceId, UserId};
use steward_core::risk::{NewRisk, Risk, RiskCategory, RiskPatch, RiskStatus};

use super::prelude::*;

list_query! {
    /// Filters for the risk register.
    RiskQuery {
        status: RiskStatus => "status",
        category: RiskCategory => "category",
        security: bool => "security",
        owner: UserId => "owner_id",
        service: ServiceId => "service_id",
    }
    sorts: ["updated_at", "created_at", "rating"]
}

record_routes! {
    record: Risk, tag: "compliance", example: "e.g. RSK-4",
    list: list_risks(RiskQuery) at "/api/v1/compliance/risks",
    create: create_risk(NewRisk) as |ctx, input| Risk::create(input, ctx.actor.user, ctx.now),
    get: get_risk at "/api/v1/compliance/risks/{reference}",
    update: update_risk(RiskPatch),
    transition: transition_risk at "/api/v1/compliance/risks/{reference}/transition"
        as |ctx, r, t| r.transition(t),
    history: risk_history at "/api/v1/compliance/risks/{reference}/history",
}

pub fn routes() -> OpenApiRouter<AppState> {
    record_routes()
}
