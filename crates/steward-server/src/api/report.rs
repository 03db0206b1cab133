//! `/api/v1/reports/sla` (service level attainment), `/api/v1/reports/changes` (change
//! management figures) and `/api/v1/reports/availability` (each service's availability against
//! its target) for a period.

use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use steward_core::access::{Operation, authorize};
use steward_core::change_report::ChangeFigures;
use steward_core::record::RecordKind;
use steward_core::report::{GroupBy, ReportRow, aggregate_tallies};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::ApiQuery;
use crate::AppState;
use crate::auth::Ctx;
use crate::error::{ApiError, ApiResult, ErrorBody};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(sla_report))
        .routes(routes!(change_report))
        .routes(routes!(availability_report))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AvailabilityReport {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Every service with an availability target or an outage in the period, by name.
    pub services: Vec<steward_core::outage::Availability>,
}

/// Each service's availability over a period, counted round the clock from its unplanned
/// outages (overlaps once), against its target, with mean time between failures and to restore.
#[utoipa::path(get, path = "/api/v1/reports/availability", tag = "reports", params(PeriodQuery),
    responses((status = 200, body = AvailabilityReport), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
async fn availability_report(ctx: Ctx, ApiQuery(q): ApiQuery<PeriodQuery>) -> ApiResult<Json<AvailabilityReport>> {
    authorize(&ctx.actor, RecordKind::Outage, Operation::Read)?;
    let (from, to) = period(&q.from, &q.to)?;
    let services = ctx.state.store.availability(from, to, ctx.now).await?;
    Ok(Json(AvailabilityReport { from, to, services }))
}

/// Query of the service level report.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SlaReportQuery {
    /// Start of the period: a date (UTC midnight) or an RFC 3339 instant.
    pub from: String,
    /// End of the period, exclusive: a date or an instant.
    pub to: String,
    /// `agreement` (default), `service` or `priority`.
    #[serde(default)]
    pub group_by: Option<GroupBy>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SlaReport {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub group_by: GroupBy,
    /// One row per group and metric, then an `all` row per metric.
    pub rows: Vec<ReportRow>,
}

/// The period `[from, to)` a report's query names; `to` must come after `from`.
pub fn period(from: &str, to: &str) -> ApiResult<(DateTime<Utc>, DateTime<Utc>)> {
    let from = period_bound("from", from).map_err(ApiError::BadQuery)?;
    let to = period_bound("to", to).map_err(ApiError::BadQuery)?;
    if to <= from {
        return Err(ApiError::BadQuery("to must be after from".into()));
    }
    Ok((from, to))
}

/// A date (taken as UTC midnight) or an RFC 3339 instant.
pub fn period_bound(field: &str, s: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(d) = s.parse::<NaiveDate>() {
        return Ok(d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc());
    }
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| format!("{field} must be a date such as 2026-10-01 or an RFC 3339 instant"))
}

#[utoipa::path(get, path = "/api/v1/reports/sla", tag = "reports", params(SlaReportQuery),
    responses((status = 200, body = SlaReport), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
async fn sla_report(ctx: Ctx, ApiQuery(q): ApiQuery<SlaReportQuery>) -> ApiResult<Json<SlaReport>> {
    authorize(&ctx.actor, RecordKind::Agreement, Operation::Read)?;
    let (from, to) = period(&q.from, &q.to)?;
    let group_by = q.group_by.unwrap_or(GroupBy::Agreement);
    let tallies = ctx
        .state
        .store
        .sla_tallies(from.timestamp_micros(), to.timestamp_micros(), group_by)
        .await?;
    Ok(Json(SlaReport {
        from,
        to,
        group_by,
        rows: aggregate_tallies(tallies),
    }))
}

/// The period of a report: the change figures, availability, suppliers.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// Start of the period: a date (UTC midnight) or an RFC 3339 instant.
    pub from: String,
    /// End of the period, exclusive.
    pub to: String,
}

#[utoipa::path(get, path = "/api/v1/reports/changes", tag = "reports", params(PeriodQuery),
    responses((status = 200, body = ChangeFigures), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
async fn change_report(ctx: Ctx, ApiQuery(q): ApiQuery<PeriodQuery>) -> ApiResult<Json<ChangeFigures>> {
    authorize(&ctx.actor, RecordKind::Change, Operation::Read)?;
    let (from, to) = period(&q.from, &q.to)?;
    Ok(Json(ctx.state.store.change_figures(from, to).await?))
}
