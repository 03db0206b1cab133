//! `/api/v1/capacity-requirements`: what each service needs to meet its demand (8.4.3) — people,
//! technical resources, information, money — with its capacity and thresholds; its utilisation
//! readings, recorded one at a time (`/api/v1/capacity-requirements/{ref}/readings`) or imported
//! from monitoring (`/api/v1/capacity-readings/import`); and `/api/v1/reports/capacity`, each
//! requirement's utilisation over a period against its thresholds.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use steward_core::capacity::{
    CapacityKind, CapacityRequirement, CapacityRequirementPatch, CapacityUse, NewCapacityRequirement, NewReading,
    Reading, ReadingImport, ReadingSource, ReadingsImported,
};
use steward_core::id::{CapacityRequirementId, ConfigurationItemId, ServiceId, UserId};

use super::prelude::*;
use super::report::{PeriodQuery, period, period_bound};

list_query! {
    /// Filters for capacity requirements.
    CapacityRequirementQuery {
        service: ServiceId => "service_id",
        kind: CapacityKind => "kind",
        active: bool => "active",
        configuration_item: ConfigurationItemId => "configuration_item_id",
        owner: UserId => "owner_id",
    }
    sorts: ["updated_at", "created_at"]
}

record_routes! {
    record: CapacityRequirement, tag: "capacity", example: "e.g. CAP-3",
    list: list_capacity_requirements(CapacityRequirementQuery) at "/api/v1/capacity-requirements",
    create: create_capacity_requirement(NewCapacityRequirement) as |ctx, input| CapacityRequirement::create(input, ctx.now),
    get: get_capacity_requirement at "/api/v1/capacity-requirements/{reference}",
    update: update_capacity_requirement(CapacityRequirementPatch),
    history: capacity_requirement_history at "/api/v1/capacity-requirements/{reference}/history",
}

pub fn routes() -> OpenApiRouter<AppState> {
    record_routes()
        .routes(routes!(record_reading, list_readings))
        .routes(routes!(import_readings))
        .routes(routes!(capacity_report))
}

/// Records a reading of the requirement's utilisation, in its unit; `measured_at` is now if
/// absent. A second reading at the same instant is refused (409); a retired requirement takes
/// none (409).
#[utoipa::path(post, path = "/api/v1/capacity-requirements/{reference}/readings", tag = "capacity",
    params(("reference" = String, Path, description = "e.g. CAP-3")), request_body = NewReading,
    responses((status = 201, body = Reading), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn record_reading(
    ctx: Ctx,
    _: May<Changing, CapacityRequirement>,
    ApiPath(reference): ApiPath<String>,
    ApiJson(input): ApiJson<NewReading>,
) -> ApiResult<(StatusCode, Json<Reading>)> {
    let id = CapacityRequirementId(id_from_path::<CapacityRequirement>(&reference)?);
    let reading = Reading::create(Some(id), input, ReadingSource::Recorded, Some(ctx.actor.user), ctx.now)?;
    let saved = ctx.state.store.record_reading(reading).await?;
    Ok((StatusCode::CREATED, Json(saved)))
}

/// The readings of a requirement's period.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReadingsQuery {
    /// Start of the period: a date (UTC midnight) or an RFC 3339 instant.
    pub from: String,
    /// End of the period, exclusive.
    pub to: String,
    /// The `next_before` of the page before, to read on.
    #[serde(default)]
    pub before: Option<String>,
    /// At most 1,000; 100 if absent.
    #[serde(default)]
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReadingPage {
    /// Newest first.
    pub items: Vec<Reading>,
    /// Pass as `before` for the next page; absent on the last.
    pub next_before: Option<DateTime<Utc>>,
}

/// A requirement's readings in `[from, to)`, newest first.
#[utoipa::path(get, path = "/api/v1/capacity-requirements/{reference}/readings", tag = "capacity",
    params(("reference" = String, Path, description = "e.g. CAP-3"), ReadingsQuery),
    responses((status = 200, body = ReadingPage), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn list_readings(
    ctx: Ctx,
    ApiPath(reference): ApiPath<String>,
    ApiQuery(q): ApiQuery<ReadingsQuery>,
) -> ApiResult<Json<ReadingPage>> {
    let requirement: CapacityRequirement = read_one(&ctx, &reference).await?;
    let (from, to) = period(&q.from, &q.to)?;
    let before = q
        .before
        .as_deref()
        .map(|b| period_bound("before", b).map_err(ApiError::BadQuery))
        .transpose()?;
    let limit = q.limit.unwrap_or(100);
    if !(1..=steward_store::READINGS_PAGE_MAX).contains(&limit) {
        return Err(ApiError::BadQuery(format!(
            "limit must be between 1 and {}",
            steward_store::READINGS_PAGE_MAX
        )));
    }
    let items = ctx
        .state
        .store
        .readings(requirement.id, from, to, before, limit)
        .await?;
    let next_before = (items.len() as i64 == limit)
        .then(|| items.last().map(|r| r.measured_at))
        .flatten();
    Ok(Json(ReadingPage { items, next_before }))
}

/// Readings from monitoring, all or none: a reading that is not valid, or names a requirement
/// that does not exist or is retired, refuses the import and is named (`readings[3].value`). A
/// reading already held for the same requirement and instant is skipped.
#[utoipa::path(post, path = "/api/v1/capacity-readings/import", tag = "capacity", request_body = ReadingImport,
    responses((status = 201, body = ReadingsImported), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn import_readings(
    ctx: Ctx,
    _: May<Changing, CapacityRequirement>,
    ApiJson(i): ApiJson<ReadingImport>,
) -> ApiResult<(StatusCode, Json<ReadingsImported>)> {
    let done = ctx
        .state
        .store
        .import_readings(i, Some(ctx.actor.user), ctx.now)
        .await?;
    Ok((StatusCode::CREATED, Json(done)))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CapacityReport {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// One row per active requirement, by service and title.
    pub requirements: Vec<CapacityUse>,
}

/// Each active capacity requirement over `[from, to)`: its readings, the latest, peak and mean
/// utilisation against its thresholds, and the capacity-related incidents (linked to it) raised
/// in the period.
#[utoipa::path(get, path = "/api/v1/reports/capacity", tag = "reports", params(PeriodQuery),
    responses((status = 200, body = CapacityReport), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
async fn capacity_report(ctx: Ctx, ApiQuery(q): ApiQuery<PeriodQuery>) -> ApiResult<Json<CapacityReport>> {
    authorize(&ctx.actor, RecordKind::CapacityRequirement, Operation::Read)?;
    let (from, to) = period(&q.from, &q.to)?;
    let requirements = ctx.state.store.capacity_report(from, to).await?;
    Ok(Json(CapacityReport { from, to, requirements }))
}
