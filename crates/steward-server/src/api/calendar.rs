//! `/api/v1/calendars`: business-hours calendars, and previews of their arithmetic so an
//! administrator can check a calendar before agreements count in it.

use axum::Json;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use steward_core::Error;
use steward_core::calendar::{
    Calendar, CalendarPatch, MICROS_PER_SECOND, NewCalendar, format_duration, parse_duration,
};
use steward_core::history::{HistoryAction, HistoryEntry};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::{ListOf, PageQuery, create, history_of, list_all, list_query, modify, read_one};
use crate::AppState;
use crate::auth::{Changing, Creating, Ctx, May};
use crate::error::{ApiError, ApiResult, ErrorBody};

list_query! {
    /// Filters for the calendar list.
    CalendarQuery {
        time_zone: String => "time_zone",
    }
    sorts: ["updated_at", "created_at"]
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_calendars, create_calendar))
        .routes(routes!(get_calendar, update_calendar))
        .routes(routes!(calendar_history))
        .routes(routes!(add_business_time))
        .routes(routes!(measure_business_time))
}

#[utoipa::path(get, path = "/api/v1/calendars", tag = "calendars", params(CalendarQuery),
    responses((status = 200, body = ListOf<Calendar>), (status = 400, body = ErrorBody)), security(("bearer" = [])))]
async fn list_calendars(ctx: Ctx, ApiQuery(q): ApiQuery<CalendarQuery>) -> ApiResult<Json<ListOf<Calendar>>> {
    list_all(&ctx, q.into_list()?).await
}

#[utoipa::path(post, path = "/api/v1/calendars", tag = "calendars", request_body = NewCalendar,
    responses((status = 201, body = Calendar), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn create_calendar(
    ctx: Ctx,
    _: May<Creating, Calendar>,
    ApiJson(input): ApiJson<NewCalendar>,
) -> ApiResult<(StatusCode, Json<Calendar>)> {
    create(&ctx, Calendar::create(input, ctx.now)?).await
}

#[utoipa::path(get, path = "/api/v1/calendars/{reference}", tag = "calendars",
    params(("reference" = String, Path, description = "e.g. CAL-1")),
    responses((status = 200, body = Calendar), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
async fn get_calendar(ctx: Ctx, ApiPath(reference): ApiPath<String>) -> ApiResult<Json<Calendar>> {
    read_one(&ctx, &reference).await.map(Json)
}

#[utoipa::path(patch, path = "/api/v1/calendars/{reference}", tag = "calendars",
    params(("reference" = String, Path, description = "e.g. CAL-1")), request_body = CalendarPatch,
    responses((status = 200, body = Calendar), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn update_calendar(
    ctx: Ctx,
    _: May<Changing, Calendar>,
    ApiPath(reference): ApiPath<String>,
    ApiJson(patch): ApiJson<CalendarPatch>,
) -> ApiResult<Json<Calendar>> {
    modify(&ctx, &reference, HistoryAction::Update, |c: &mut Calendar| {
        c.apply_patch(patch)
    })
    .await
}

#[utoipa::path(get, path = "/api/v1/calendars/{reference}/history", tag = "calendars",
    params(("reference" = String, Path, description = "e.g. CAL-1"), PageQuery),
    responses((status = 200, body = ListOf<HistoryEntry>), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
async fn calendar_history(
    ctx: Ctx,
    ApiPath(reference): ApiPath<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<ListOf<HistoryEntry>>> {
    history_of::<Calendar>(&ctx, &reference, q).await
}

/// A business duration: whole seconds, or ISO 8601 hours, minutes and seconds.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum DurationInput {
    Seconds(i64),
    #[schema(example = "PT8H30M")]
    Text(String),
}

impl DurationInput {
    fn micros(&self, field: &str) -> Result<i64, Error> {
        match self {
            DurationInput::Seconds(s) => parse_duration(field, &s.to_string()),
            DurationInput::Text(t) => parse_duration(field, t),
        }
    }
}

/// The body of `POST /api/v1/calendars/{reference}/add`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddBusinessTime {
    pub start: DateTime<Utc>,
    pub duration: DurationInput,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AddedBusinessTime {
    pub start: DateTime<Utc>,
    /// The business duration added, as ISO 8601.
    pub duration: String,
    /// The earliest instant by which that much business time has passed.
    pub due: DateTime<Utc>,
}

fn instant(field: &str, micros: i64) -> Result<DateTime<Utc>, Error> {
    DateTime::from_timestamp_micros(micros).ok_or_else(|| Error::invalid(field, "is out of range"))
}

#[utoipa::path(post, path = "/api/v1/calendars/{reference}/add", tag = "calendars",
    params(("reference" = String, Path, description = "e.g. CAL-1")), request_body = AddBusinessTime,
    responses((status = 200, body = AddedBusinessTime), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn add_business_time(
    ctx: Ctx,
    ApiPath(reference): ApiPath<String>,
    ApiJson(body): ApiJson<AddBusinessTime>,
) -> ApiResult<Json<AddedBusinessTime>> {
    let cal: Calendar = read_one(&ctx, &reference).await?;
    let duration = body.duration.micros("duration")?;
    let due = cal.schedule()?.add(body.start.timestamp_micros(), duration)?;
    Ok(Json(AddedBusinessTime {
        start: body.start,
        duration: format_duration(duration),
        due: instant("duration", due)?,
    }))
}

/// Query of `GET /api/v1/calendars/{reference}/business-time`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct BusinessTimeQuery {
    /// RFC 3339 instant, e.g. 2026-11-27T16:00:00Z.
    pub from: String,
    /// RFC 3339 instant.
    pub to: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BusinessTime {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Business time between them, as ISO 8601.
    pub business_time: String,
    /// The same in seconds (fractions for sub-second instants).
    pub business_seconds: f64,
}

fn rfc3339(field: &str, s: &str) -> ApiResult<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            ApiError::BadQuery(format!(
                "{field} must be an RFC 3339 instant such as 2026-11-27T16:00:00Z"
            ))
        })
}

#[utoipa::path(get, path = "/api/v1/calendars/{reference}/business-time", tag = "calendars",
    params(("reference" = String, Path, description = "e.g. CAL-1"), BusinessTimeQuery),
    responses((status = 200, body = BusinessTime), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn measure_business_time(
    ctx: Ctx,
    ApiPath(reference): ApiPath<String>,
    ApiQuery(q): ApiQuery<BusinessTimeQuery>,
) -> ApiResult<Json<BusinessTime>> {
    let (from, to) = (rfc3339("from", &q.from)?, rfc3339("to", &q.to)?);
    if to < from {
        return Err(ApiError::BadQuery("to must not be before from".into()));
    }
    if (to - from).num_days() > 3660 {
        return Err(ApiError::BadQuery("from and to may be at most ten years apart".into()));
    }
    let cal: Calendar = read_one(&ctx, &reference).await?;
    let micros = cal
        .schedule()?
        .business_time(from.timestamp_micros(), to.timestamp_micros())?;
    Ok(Json(BusinessTime {
        from,
        to,
        business_time: format_duration(micros),
        business_seconds: micros as f64 / MICROS_PER_SECOND as f64,
    }))
}
