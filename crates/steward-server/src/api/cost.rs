//! `/api/v1/costs`: what providing each service cost (8.4.1) — recorded, imported from the
//! ledger in bulk, or logged as time on a ticket (`/api/v1/incidents/{ref}/time` and requests');
//! and `/api/v1/reports/costs`, each service's costs and its incidents' over a period.

use chrono::{DateTime, Utc};
use serde::Serialize;
use steward_core::cost::{
    Cost, CostCategory, CostImport, CostPatch, CostSource, CostsImported, NewCost, ServiceCost, Ticket, TimeEntry,
};
use steward_core::id::{AssetId, ContractId, IncidentId, RequestId, ServiceId};
use steward_core::incident::Incident;
use steward_core::request::Request;

use super::prelude::*;
use super::report::{PeriodQuery, period};

list_query! {
    /// Filters for costs.
    CostQuery {
        service: ServiceId => "service_id",
        category: CostCategory => "category",
        source: CostSource => "source",
        incident: IncidentId => "incident_id",
        request: RequestId => "request_id",
        contract: ContractId => "contract_id",
        asset: AssetId => "asset_id",
    }
    sorts: ["updated_at", "created_at"]
}

record_routes! {
    record: Cost, tag: "finance", example: "e.g. CST-3",
    list: list_costs(CostQuery) at "/api/v1/costs",
    create: create_cost(NewCost) as |ctx, input| Cost::create(input, CostSource::Recorded, ctx.now),
    get: get_cost at "/api/v1/costs/{reference}",
    update: update_cost(CostPatch),
    history: cost_history at "/api/v1/costs/{reference}/history",
}

pub fn routes() -> OpenApiRouter<AppState> {
    record_routes()
        .routes(routes!(import_costs))
        .routes(routes!(log_incident_time))
        .routes(routes!(log_request_time))
        .routes(routes!(cost_report))
}

/// Ledger lines written as costs, all or none: a line that is not valid, or names a record that
/// does not exist, refuses the import and is named (`costs[3].amount`). A line whose ledger
/// reference is already recorded is skipped, so a file imported twice counts once.
#[utoipa::path(post, path = "/api/v1/costs/import", tag = "finance", request_body = CostImport,
    responses((status = 201, body = CostsImported), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn import_costs(
    ctx: Ctx,
    _: May<Creating, Cost>,
    ApiJson(i): ApiJson<CostImport>,
) -> ApiResult<(StatusCode, Json<CostsImported>)> {
    let done = ctx
        .state
        .store
        .import_costs(i.costs, Some(ctx.actor.user), ctx.now)
        .await?;
    Ok((StatusCode::CREATED, Json(done)))
}

/// Time worked on an incident, recorded as a staff cost of its service at the staff hour rate.
#[utoipa::path(post, path = "/api/v1/incidents/{reference}/time", tag = "finance",
    params(("reference" = String, Path, description = "e.g. INC-3")), request_body = TimeEntry,
    responses((status = 201, body = Cost), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn log_incident_time(
    ctx: Ctx,
    _: May<Creating, Cost>,
    ApiPath(reference): ApiPath<String>,
    ApiJson(entry): ApiJson<TimeEntry>,
) -> ApiResult<(StatusCode, Json<Cost>)> {
    let id = IncidentId(id_from_path::<Incident>(&reference)?);
    log_time(&ctx, Ticket::Incident(id), entry).await
}

/// Time worked on a request, recorded as a staff cost of its service at the staff hour rate.
#[utoipa::path(post, path = "/api/v1/requests/{reference}/time", tag = "finance",
    params(("reference" = String, Path, description = "e.g. REQ-3")), request_body = TimeEntry,
    responses((status = 201, body = Cost), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn log_request_time(
    ctx: Ctx,
    _: May<Creating, Cost>,
    ApiPath(reference): ApiPath<String>,
    ApiJson(entry): ApiJson<TimeEntry>,
) -> ApiResult<(StatusCode, Json<Cost>)> {
    let id = RequestId(id_from_path::<Request>(&reference)?);
    log_time(&ctx, Ticket::Request(id), entry).await
}

/// Logs time for the API and the pages alike: the caller must be able to read the ticket.
pub(crate) async fn log_time(ctx: &Ctx, ticket: Ticket, entry: TimeEntry) -> ApiResult<(StatusCode, Json<Cost>)> {
    let kind = match ticket {
        Ticket::Incident(_) => RecordKind::Incident,
        Ticket::Request(_) => RecordKind::Request,
    };
    authorize(&ctx.actor, kind, Operation::Read)?;
    let cost = ctx
        .state
        .store
        .log_time(ticket, entry, Some(ctx.actor.user), ctx.now)
        .await?;
    Ok((StatusCode::CREATED, Json(cost)))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CostReport {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// The currency every amount is in (minor units).
    pub currency: String,
    /// One row per service with costs dated in the period, by name.
    pub services: Vec<ServiceCost>,
}

/// What each service cost over `[from, to)` (the days it touches), by category; the staff time
/// logged; and what its incidents cost, in all and per incident.
#[utoipa::path(get, path = "/api/v1/reports/costs", tag = "reports", params(PeriodQuery),
    responses((status = 200, body = CostReport), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
async fn cost_report(ctx: Ctx, ApiQuery(q): ApiQuery<PeriodQuery>) -> ApiResult<Json<CostReport>> {
    authorize(&ctx.actor, RecordKind::Cost, Operation::Read)?;
    let (from, to) = period(&q.from, &q.to)?;
    let store = &ctx.state.store;
    let services = store.service_costs(from, to).await?;
    let currency = store.cost_rates().await?.currency;
    Ok(Json(CostReport {
        from,
        to,
        currency,
        services,
    }))
}
