//! `/api/v1/demand-forecasts`: the demand each service is expected to meet over a period (8.4.2);
//! and `/api/v1/reports/demand`, each forecast against the demand met — the service's tickets
//! counted from the records, or the actual recorded for any other measure.

use chrono::{DateTime, Utc};
use serde::Serialize;
use steward_core::demand::{DemandForecast, DemandForecastPatch, DemandLine, DemandMeasure, NewDemandForecast};
use steward_core::id::{ServiceId, UserId};

use super::prelude::*;
use super::report::{PeriodQuery, period};

list_query! {
    /// Filters for demand forecasts.
    DemandForecastQuery {
        service: ServiceId => "service_id",
        measure: DemandMeasure => "measure",
        owner: UserId => "owner_id",
    }
    sorts: ["updated_at", "created_at"]
}

record_routes! {
    record: DemandForecast, tag: "capacity", example: "e.g. DEM-3",
    list: list_demand_forecasts(DemandForecastQuery) at "/api/v1/demand-forecasts",
    create: create_demand_forecast(NewDemandForecast) as |ctx, input| DemandForecast::create(input, ctx.now),
    get: get_demand_forecast at "/api/v1/demand-forecasts/{reference}",
    update: update_demand_forecast(DemandForecastPatch),
    history: demand_forecast_history at "/api/v1/demand-forecasts/{reference}/history",
}

pub fn routes() -> OpenApiRouter<AppState> {
    record_routes().routes(routes!(demand_report))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DemandReport {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Every forecast whose period meets the report's, by service and start.
    pub forecasts: Vec<DemandLine>,
}

/// Each forecast whose period meets `[from, to)`, beside the demand its service met in the
/// forecast's period, the variance, and whether it is within 20% of the forecast.
#[utoipa::path(get, path = "/api/v1/reports/demand", tag = "reports", params(PeriodQuery),
    responses((status = 200, body = DemandReport), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
async fn demand_report(ctx: Ctx, ApiQuery(q): ApiQuery<PeriodQuery>) -> ApiResult<Json<DemandReport>> {
    authorize(&ctx.actor, RecordKind::DemandForecast, Operation::Read)?;
    let (from, to) = period(&q.from, &q.to)?;
    let forecasts = ctx.state.store.demand_report(from, to, ctx.now.date_naive()).await?;
    Ok(Json(DemandReport { from, to, forecasts }))
}
