//! `/api/v1/outages`: the times services were unavailable (8.7.1), planned or not, with the
//! incident that reported one, the configuration items it affected and its investigation.

use steward_core::id::{IncidentId, ServiceId};
use steward_core::outage::{NewOutage, Outage, OutagePatch, OutageStatus, OutageTransition};

use super::prelude::*;

list_query! {
    /// Filters for outages.
    OutageQuery {
        service: ServiceId => "service_id",
        status: OutageStatus => "status",
        planned: bool => "planned",
        incident: IncidentId => "incident_id",
    }
    sorts: ["updated_at", "created_at", "started_at"]
}

record_routes! {
    record: Outage, tag: "availability", example: "e.g. OUT-3",
    list: list_outages(OutageQuery) at "/api/v1/outages",
    create: create_outage(NewOutage) as |ctx, input| Outage::create(input, ctx.now),
    get: get_outage at "/api/v1/outages/{reference}",
    update: update_outage(OutagePatch),
    history: outage_history at "/api/v1/outages/{reference}/history",
}

pub fn routes() -> OpenApiRouter<AppState> {
    record_routes().routes(routes!(transition_outage))
}

/// Moves an outage: `restored` (at `at`, or now), `reviewed` (an unplanned one needs its cause or
/// a problem), or back to `ongoing`.
#[utoipa::path(post, path = "/api/v1/outages/{reference}/transition", tag = "availability",
    params(("reference" = String, Path, description = "e.g. OUT-3")), request_body = OutageTransition,
    responses((status = 200, body = Outage), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn transition_outage(
    ctx: Ctx,
    _: May<Changing, Outage>,
    ApiPath(reference): ApiPath<String>,
    ApiJson(t): ApiJson<OutageTransition>,
) -> ApiResult<Json<Outage>> {
    let now = ctx.now;
    modify(&ctx, &reference, HistoryAction::Transition, |o: &mut Outage| {
        o.transition(t, now)
    })
    .await
}
