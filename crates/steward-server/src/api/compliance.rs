//! `/api/v1/compliance/requirements` (the requirement catalogue of ISO/IEC 20000-1),
//! `/api/v1/compliance/indicators` (live evidence computed from Steward's records, and the records
//! behind each figure) and `/api/v1/compliance/readiness` (the readiness report).

use axum::Json;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use steward_core::access::{Operation, authorize};
use steward_core::compliance::{EditionMapping, Requirement, amended, amendment_2024, catalogue, mapping_2011, under};
use steward_core::indicator::{Indicator, IndicatorRecord, Period};
use steward_core::readiness::ReadinessReport;
use steward_core::record::RecordKind;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{ApiPath, ApiQuery};
use super::report::period_bound;
use super::{ListOf, check_limit};
use crate::AppState;
use crate::auth::Ctx;
use crate::error::{ApiError, ApiResult, ErrorBody};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_requirements))
        .routes(routes!(requirements_mapping_2011))
        .routes(routes!(list_indicators))
        .routes(routes!(indicator_records))
        .routes(routes!(get_readiness))
}

/// Where each clause of the 2011 edition went in the 2018 edition, and the requirements that are
/// new in 2018 — for moving an older system's evidence across.
#[utoipa::path(get, path = "/api/v1/compliance/requirements/mapping-2011", tag = "compliance",
    responses((status = 200, body = EditionMapping), (status = 401, body = ErrorBody)), security(("bearer" = [])))]
async fn requirements_mapping_2011(_ctx: Ctx) -> ApiResult<Json<EditionMapping>> {
    Ok(Json(mapping_2011()?.clone()))
}

/// The live evidence period when none is given: the 90 days up to now.
pub const DEFAULT_PERIOD_DAYS: i64 = 90;

/// A period from optional `from` and `to` (dates or instants): by default the 90 days to now.
pub fn period_of(from: Option<&str>, to: Option<&str>, now: DateTime<Utc>) -> Result<Period, ApiError> {
    let to = match to {
        Some(t) => period_bound("to", t).map_err(ApiError::BadQuery)?,
        None => now,
    };
    let from = match from {
        Some(f) => period_bound("from", f).map_err(ApiError::BadQuery)?,
        None => to - Duration::days(DEFAULT_PERIOD_DAYS),
    };
    if to <= from {
        return Err(ApiError::BadQuery("to must be after from".into()));
    }
    if to - from > Duration::days(3660) {
        return Err(ApiError::BadQuery("the period may be at most ten years long".into()));
    }
    Ok(Period { from, to })
}

/// Query of a compliance figure: the period the live evidence covers.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// Start of the period (a date, UTC midnight, or an RFC 3339 instant); default 90 days before `to`.
    #[serde(default)]
    pub from: Option<String>,
    /// End of the period, exclusive; default now.
    #[serde(default)]
    pub to: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Indicators {
    pub period: Period,
    /// How freshness is judged.
    pub freshness_rule: String,
    pub items: Vec<Indicator>,
}

/// Every live indicator over the period: its population, how many pass, the value against its
/// target, the newest record behind it and whether it is fresh.
#[utoipa::path(get, path = "/api/v1/compliance/indicators", tag = "compliance", params(PeriodQuery),
    responses((status = 200, body = Indicators), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
async fn list_indicators(ctx: Ctx, ApiQuery(q): ApiQuery<PeriodQuery>) -> ApiResult<Json<Indicators>> {
    authorize(&ctx.actor, RecordKind::Assessment, Operation::Read)?;
    let period = period_of(q.from.as_deref(), q.to.as_deref(), ctx.now)?;
    Ok(Json(Indicators {
        period,
        freshness_rule: format!(
            "fresh when the newest record behind the figure is at most {} days older than the end of the period",
            steward_core::indicator::FRESH_DAYS
        ),
        items: ctx.state.store.indicators(period, ctx.now).await?,
    }))
}

/// Query of the records behind an indicator.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct IndicatorRecordsQuery {
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
    /// Only the records that pass (`true`) or fail (`false`) the indicator's test.
    #[serde(default)]
    pub passes: Option<bool>,
    /// The `next_cursor` of the previous page.
    #[serde(default)]
    pub cursor: Option<String>,
    /// 1 to 500; 50 by default.
    #[serde(default)]
    pub limit: Option<u32>,
}

/// The records behind an indicator's figure, newest first, so an auditor can sample them.
#[utoipa::path(get, path = "/api/v1/compliance/indicators/{id}/records", tag = "compliance",
    params(("id" = String, Path, description = "e.g. changes_approved"), IndicatorRecordsQuery),
    responses((status = 200, body = ListOf<IndicatorRecord>), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn indicator_records(
    ctx: Ctx,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<IndicatorRecordsQuery>,
) -> ApiResult<Json<ListOf<IndicatorRecord>>> {
    authorize(&ctx.actor, RecordKind::Assessment, Operation::Read)?;
    let period = period_of(q.from.as_deref(), q.to.as_deref(), ctx.now)?;
    let limit = check_limit(q.limit, 50)?;
    Ok(Json(
        ctx.state
            .store
            .indicator_records(&id, period, q.passes, q.cursor.as_deref(), limit)
            .await?
            .into(),
    ))
}

/// Certification readiness: per requirement the self-assessment score, documents, live and
/// registered evidence with freshness, and open nonconformities, rolled up per clause and
/// overall, with the rule and the reasons shown.
#[utoipa::path(get, path = "/api/v1/compliance/readiness", tag = "compliance", params(PeriodQuery),
    responses((status = 200, body = ReadinessReport), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
async fn get_readiness(ctx: Ctx, ApiQuery(q): ApiQuery<PeriodQuery>) -> ApiResult<Json<ReadinessReport>> {
    authorize(&ctx.actor, RecordKind::Assessment, Operation::Read)?;
    let period = period_of(q.from.as_deref(), q.to.as_deref(), ctx.now)?;
    Ok(Json(ctx.state.store.readiness(period, ctx.now).await?))
}

/// Query of the requirement catalogue.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RequirementQuery {
    /// Only this clause and those under it, e.g. `8.5`.
    #[serde(default)]
    pub clause: Option<String>,
    /// `amd1-2024` applies the 2024 climate action amendment (to 4.1 and 4.2).
    #[serde(default)]
    pub amendment: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Requirements {
    pub edition: String,
    /// How the summaries were written.
    pub note: String,
    pub items: Vec<Requirement>,
}

/// The requirement catalogue: every clause and sub-clause from 4 to 10.2, summarised in Steward's
/// own words, with the documented information and evidence each asks for.
#[utoipa::path(get, path = "/api/v1/compliance/requirements", tag = "compliance", params(RequirementQuery),
    responses((status = 200, body = Requirements), (status = 401, body = ErrorBody)), security(("bearer" = [])))]
async fn list_requirements(_ctx: Ctx, ApiQuery(q): ApiQuery<RequirementQuery>) -> ApiResult<Json<Requirements>> {
    let base = catalogue()?;
    let with_amendment;
    let c = match q.amendment.as_deref() {
        None => base,
        Some("amd1-2024") => {
            with_amendment = amended(base, amendment_2024()?);
            &with_amendment
        }
        Some(_) => return Err(ApiError::BadQuery("amendment must be amd1-2024".into())),
    };
    let items = c
        .requirements
        .iter()
        .filter(|r| q.clause.as_deref().is_none_or(|p| under(&r.clause, p)))
        .cloned()
        .collect();
    Ok(Json(Requirements {
        edition: c.edition.clone(),
        note: c.note.clone(),
        items,
    }))
}
