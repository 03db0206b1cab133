//! The JSON API under `/api/v1`: one module per noun, the shared list, read and write helpers,
//! and the OpenAPI document assembled from the handlers themselves.

pub mod extract;
mod prelude;

mod action;
mod agreement;
pub(crate) mod article;
mod assessment;
mod asset;
mod audit;
pub(crate) mod budget;
mod calendar;
mod capacity;
mod catalogue_item;
mod certification;
pub(crate) mod change;
mod change_blackout;
mod change_template;
pub(crate) mod complaint;
mod compliance;
mod configuration_item;
mod configuration_management;
pub(crate) mod continuity;
mod contract;
pub(crate) mod conversation;
pub(crate) mod cost;
mod demand;
mod dispute;
mod document;
mod evidence;
mod improvement;
pub(crate) mod inbound;
pub mod incident;
pub(crate) mod link;
mod management_review;
mod nonconformity;
mod notification;
mod objective;
mod organisation;
mod outage;
mod problem;
mod release;
pub mod report;
mod request;
mod risk;
pub(crate) mod search;
pub(crate) mod security_control;
mod service;
mod service_review;
mod session;
mod settings;
mod sms_scope;
mod supplier;
pub(crate) mod survey;
mod team;
pub(crate) mod token;
mod user;
pub(crate) mod watcher;

use axum::Json;
use serde::Serialize;
use steward_core::Error;
use steward_core::access::{Operation, Scope, authorize};
use steward_core::history::{HistoryAction, HistoryEntry};
use steward_core::record::Record;
use steward_store::exec::Arg;
use steward_store::{ListQuery, Page, Sort, Table};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

use crate::AppState;
use crate::auth::Ctx;
use crate::error::{ApiError, ApiResult};

/// A page of records.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ListOf<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to fetch the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

impl<T> From<Page<T>> for ListOf<T> {
    fn from(p: Page<T>) -> Self {
        ListOf {
            items: p.items,
            next_cursor: p.next_cursor,
        }
    }
}

/// A ticket with its service level clocks as they stand now.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Clocked<T> {
    #[serde(flatten)]
    pub record: T,
    /// The response and resolution clocks of the agreement that governs it, if any.
    pub sla: Vec<steward_core::clock::ClockView>,
}

/// Adds their clocks to tickets, in one query for all of them.
pub(crate) async fn with_clocks<T: Table>(ctx: &Ctx, items: Vec<T>) -> ApiResult<Vec<Clocked<T>>> {
    let ids: Vec<i64> = items.iter().map(|r| r.id()).collect();
    let mut clocks = ctx
        .state
        .store
        .clock_views(T::KIND, &ids, ctx.now.timestamp_micros())
        .await?;
    Ok(items
        .into_iter()
        .map(|record| {
            let sla = clocks.remove(&record.id()).unwrap_or_default();
            Clocked { record, sla }
        })
        .collect())
}

pub(crate) async fn clocked<T: Table>(ctx: &Ctx, record: T) -> ApiResult<Json<Clocked<T>>> {
    let mut v = with_clocks(ctx, vec![record]).await?;
    v.pop()
        .map(Json)
        .ok_or_else(|| ApiError::Domain(Error::unexpected("a ticket went missing")))
}

pub(crate) async fn list_clocked<T: Table>(ctx: &Ctx, q: ListQuery) -> ApiResult<Json<ListOf<Clocked<T>>>> {
    let Json(page) = list_all::<T>(ctx, q).await?;
    Ok(Json(ListOf {
        items: with_clocks(ctx, page.items).await?,
        next_cursor: page.next_cursor,
    }))
}

/// Query parameters of a history listing.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// The `next_cursor` of the previous page.
    #[serde(default)]
    pub cursor: Option<String>,
    /// 1 to 500; 100 by default.
    #[serde(default)]
    pub limit: Option<u32>,
}

pub(crate) fn check_limit(limit: Option<u32>, default: u32) -> ApiResult<u32> {
    match limit {
        None => Ok(default),
        Some(n) if (1..=steward_store::MAX_LIMIT).contains(&n) => Ok(n),
        Some(_) => Err(ApiError::BadQuery(format!(
            "limit must be between 1 and {}",
            steward_store::MAX_LIMIT
        ))),
    }
}

/// A value a list can be filtered on, as the store binds it.
pub(crate) trait FilterValue {
    fn arg(&self) -> Arg;
}

macro_rules! id_filters {
    ($($t:ty),*) => {$(
        impl FilterValue for $t {
            fn arg(&self) -> Arg { Arg::from(self.0) }
        }
    )*};
}
id_filters!(
    steward_core::id::ServiceId,
    steward_core::id::UserId,
    steward_core::id::TeamId,
    steward_core::id::OrganisationId,
    steward_core::id::CatalogueItemId,
    steward_core::id::CalendarId,
    steward_core::id::LicenceId,
    steward_core::id::AuditId,
    steward_core::id::IncidentId,
    steward_core::id::SupplierId,
    steward_core::id::ContractId,
    steward_core::id::AgreementId,
    steward_core::id::AssetId,
    steward_core::id::RequestId,
    steward_core::id::ConfigurationItemId,
    steward_core::id::ContinuityPlanId
);

macro_rules! text_filters {
    ($($t:ty),*) => {$(
        impl FilterValue for $t {
            fn arg(&self) -> Arg { Arg::from(self.to_string()) }
        }
    )*};
}
text_filters!(
    steward_core::incident::IncidentStatus,
    steward_core::request::RequestStatus,
    steward_core::problem::ProblemStatus,
    steward_core::change::ChangeStatus,
    steward_core::change::ChangeType,
    steward_core::service::ServiceStatus,
    steward_core::configuration_item::ConfigurationItemStatus,
    steward_core::user::Role,
    steward_core::agreement::AgreementKind,
    steward_core::release::ReleaseStatus,
    steward_core::release::ReleaseType,
    steward_core::asset::AssetStatus,
    steward_core::asset::AssetType,
    steward_core::assessment::AssessmentStatus,
    steward_core::document::DocumentStatus,
    steward_core::document::DocumentType,
    steward_core::document::MandatoryDocument,
    steward_core::audit::AuditStatus,
    steward_core::audit::AuditType,
    steward_core::audit::FindingGrade,
    steward_core::nonconformity::NonconformityStatus,
    steward_core::nonconformity::Severity,
    steward_core::nonconformity::NonconformitySource,
    steward_core::action::ActionStatus,
    steward_core::action::CertificationStep,
    steward_core::management_review::ManagementReviewStatus,
    steward_core::improvement::ImprovementStatus,
    steward_core::improvement::ImprovementSource,
    steward_core::risk::RiskStatus,
    steward_core::risk::RiskCategory,
    steward_core::objective::ObjectiveStatus,
    steward_core::outage::OutageStatus,
    steward_core::supplier::SupplierKind,
    steward_core::contract::ContractStatus,
    steward_core::dispute::DisputeStatus,
    steward_core::service_review::ServiceReviewStatus,
    steward_core::complaint::ComplaintStatus,
    steward_core::organisation::OrganisationKind,
    steward_core::survey::SurveyKind,
    steward_core::survey::SurveyStatus,
    steward_core::budget::BudgetStatus,
    steward_core::cost::CostCategory,
    steward_core::cost::CostSource,
    steward_core::capacity::CapacityKind,
    steward_core::demand::DemandMeasure,
    steward_core::continuity::ContinuityPlanStatus,
    steward_core::continuity::ContinuityTestStatus,
    steward_core::continuity::ContinuityTestKind,
    steward_core::security_control::SecurityControlStatus,
    steward_core::security_control::ControlKind,
    steward_core::security_control::Effectiveness,
    steward_core::article::ArticleStatus,
    steward_core::article::Audience,
    steward_core::certification::ProgrammeStatus,
    steward_core::certification::CertificateStatus,
    String
);

impl FilterValue for steward_core::priority::Priority {
    fn arg(&self) -> Arg {
        Arg::from(*self as i64 + 1)
    }
}

impl FilterValue for bool {
    fn arg(&self) -> Arg {
        Arg::from(*self)
    }
}

/// Declares a list's query parameters: its filters (each mapped to a column) plus the common
/// `updated_since`, `sort`, `cursor` and `limit`, with unknown parameters refused.
macro_rules! list_query {
    ($(#[$doc:meta])* $name:ident { $($(#[$fdoc:meta])* $field:ident : $ty:ty => $column:literal),* $(,)? } sorts: [$($sort:literal),+]) => {
        $(#[$doc])*
        #[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
        #[serde(deny_unknown_fields)]
        #[into_params(parameter_in = Query)]
        pub struct $name {
            $($(#[$fdoc])* #[serde(default)] pub $field: Option<$ty>,)*
            /// Only records updated at or after this instant (RFC 3339, e.g. 2026-01-31T00:00:00Z).
            #[serde(default)]
            pub updated_since: Option<String>,
            #[doc = concat!("Sort column, `-` first for descending: one of ", $("`", $sort, "` "),+, "; default `-updated_at`.")]
            #[serde(default)]
            pub sort: Option<String>,
            /// The `next_cursor` of the previous page.
            #[serde(default)]
            pub cursor: Option<String>,
            /// 1 to 500; 50 by default.
            #[serde(default)]
            pub limit: Option<u32>,
        }

        impl $name {
            pub fn into_list(self) -> $crate::error::ApiResult<steward_store::ListQuery> {
                #[allow(unused_mut)]
                let mut filters: Vec<(&'static str, steward_store::exec::Arg)> = Vec::new();
                $(if let Some(v) = &self.$field {
                    filters.push(($column, $crate::api::FilterValue::arg(v)));
                })*
                $crate::api::build_list_query(filters, self.updated_since, self.sort, self.cursor, self.limit, &[$($sort),+])
            }
        }
    };
}
pub(crate) use list_query;

/// The routes every record has — list, read, patch, history, and optionally create and a
/// lifecycle transition — with their OpenAPI entries, as `record_routes()`. The calling module
/// imports `super::prelude::*`; `create` and `transition` take the expression that builds or
/// moves the record, written with the names given for the context and input.
macro_rules! record_routes {
    (
        record: $ty:ident, tag: $tag:literal, example: $example:literal,
        list: $list:ident($query:ident) at $collection:literal,
        $(create: $create:ident($new:ident) as |$cctx:ident, $cin:ident| $cbody:expr,)?
        get: $get:ident at $item:literal,
        update: $update:ident($patch:ident),
        $(transition: $transition:ident at $tpath:literal as |$tctx:ident, $trec:ident, $tin:ident| $tbody:expr,)?
        history: $history:ident at $hpath:literal $(,)?
    ) => {
        fn record_routes() -> OpenApiRouter<AppState> {
            OpenApiRouter::new()
                .routes(routes!($list $(, $create)?))
                .routes(routes!($get, $update))
                $(.routes(routes!($transition)))?
                .routes(routes!($history))
        }

        #[utoipa::path(get, path = $collection, tag = $tag, params($query),
            responses((status = 200, body = ListOf<$ty>), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)),
            security(("bearer" = [])))]
        async fn $list(ctx: Ctx, ApiQuery(q): ApiQuery<$query>) -> ApiResult<Json<ListOf<$ty>>> {
            list_all(&ctx, q.into_list()?).await
        }

        $(
        #[utoipa::path(post, path = $collection, tag = $tag, request_body = $new,
            responses((status = 201, body = $ty), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
            security(("bearer" = [])))]
        async fn $create($cctx: Ctx, _: May<Creating, $ty>, ApiJson($cin): ApiJson<$new>) -> ApiResult<(StatusCode, Json<$ty>)> {
            let record: $ty = $cbody?;
            create(&$cctx, record).await
        }
        )?

        #[utoipa::path(get, path = $item, tag = $tag,
            params(("reference" = String, Path, description = $example)),
            responses((status = 200, body = $ty), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
        async fn $get(ctx: Ctx, ApiPath(reference): ApiPath<String>) -> ApiResult<Json<$ty>> {
            read_one(&ctx, &reference).await.map(Json)
        }

        #[utoipa::path(patch, path = $item, tag = $tag,
            params(("reference" = String, Path, description = $example)), request_body = $patch,
            responses((status = 200, body = $ty), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
            security(("bearer" = [])))]
        async fn $update(ctx: Ctx, _: May<Changing, $ty>, ApiPath(reference): ApiPath<String>, ApiJson(patch): ApiJson<$patch>) -> ApiResult<Json<$ty>> {
            modify(&ctx, &reference, HistoryAction::Update, |r: &mut $ty| r.apply_patch(patch)).await
        }

        $(
        #[utoipa::path(post, path = $tpath, tag = $tag,
            params(("reference" = String, Path, description = $example)), request_body = StatusTransition,
            responses((status = 200, body = $ty), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
            security(("bearer" = [])))]
        async fn $transition($tctx: Ctx, _: May<Changing, $ty>, ApiPath(reference): ApiPath<String>, ApiJson($tin): ApiJson<StatusTransition>) -> ApiResult<Json<$ty>> {
            modify(&$tctx, &reference, HistoryAction::Transition, |$trec: &mut $ty| $tbody).await
        }
        )?

        #[utoipa::path(get, path = $hpath, tag = $tag,
            params(("reference" = String, Path, description = $example), PageQuery),
            responses((status = 200, body = ListOf<HistoryEntry>), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
        async fn $history(ctx: Ctx, ApiPath(reference): ApiPath<String>, ApiQuery(q): ApiQuery<PageQuery>) -> ApiResult<Json<ListOf<HistoryEntry>>> {
            history_of::<$ty>(&ctx, &reference, q).await
        }
    };
}
pub(crate) use record_routes;

pub(crate) fn build_list_query(
    filters: Vec<(&'static str, Arg)>,
    updated_since: Option<String>,
    sort: Option<String>,
    cursor: Option<String>,
    limit: Option<u32>,
    sorts: &[&'static str],
) -> ApiResult<ListQuery> {
    let updated_since = updated_since
        .map(|s| {
            chrono::DateTime::parse_from_rfc3339(&s)
                .map(|t| t.timestamp_micros())
                .map_err(|_| {
                    ApiError::BadQuery("updated_since must be an RFC 3339 instant such as 2026-01-31T00:00:00Z".into())
                })
        })
        .transpose()?;
    let sort = match sort.as_deref() {
        None => Sort::default(),
        Some(s) => {
            let (descending, name) = match s.strip_prefix('-') {
                Some(n) => (true, n),
                None => (false, s),
            };
            let column = sorts.iter().copied().find(|c| *c == name).ok_or_else(|| {
                ApiError::BadQuery(format!(
                    "sort must be one of {} (prefix - for descending)",
                    sorts.join(", ")
                ))
            })?;
            Sort { column, descending }
        }
    };
    Ok(ListQuery {
        filters,
        any_of: Vec::new(),
        absent: Vec::new(),
        below: None,
        updated_since,
        organisation: None,
        uncleared_viewer: None,
        published_only: false,
        sort,
        cursor,
        limit: check_limit(limit, 50)?,
    })
}

/// Parses a path reference; a malformed one names no record, so it is a 404.
pub(crate) fn id_from_path<T: Record>(reference: &str) -> ApiResult<i64> {
    steward_core::record::RecordKind::parse_reference(reference)
        .filter(|(k, _)| *k == T::KIND)
        .map(|(_, id)| id)
        .ok_or_else(|| not_found::<T>(reference))
}

pub(crate) fn not_found<T: Record>(reference: &str) -> ApiError {
    ApiError::Domain(Error::not_found(
        T::KIND.as_str(),
        reference.chars().take(40).collect::<String>(),
    ))
}

/// Reads one record the caller may see; one they may not see is reported as not found.
pub(crate) async fn read_one<T: Table>(ctx: &Ctx, reference: &str) -> ApiResult<T> {
    let scope = authorize(&ctx.actor, T::KIND, Operation::Read)?;
    let id = id_from_path::<T>(reference)?;
    ctx.state
        .store
        .get::<T>(id)
        .await?
        .filter(|r| scope.admits(r) && ctx.actor.knows(r.need_to_know().as_ref()))
        .ok_or_else(|| not_found::<T>(reference))
}

pub(crate) async fn list_all<T: Table>(ctx: &Ctx, mut q: ListQuery) -> ApiResult<Json<ListOf<T>>> {
    match authorize(&ctx.actor, T::KIND, Operation::Read)? {
        Scope::Organisation(o) => q.organisation = Some(o.0),
        Scope::Published => q.published_only = true,
        Scope::All => {}
    }
    if !ctx.actor.cleared {
        q.uncleared_viewer = Some(ctx.actor.user.0);
    }
    Ok(Json(ctx.state.store.list::<T>(&q).await?.into()))
}

pub(crate) async fn history_of<T: Table>(
    ctx: &Ctx,
    reference: &str,
    q: PageQuery,
) -> ApiResult<Json<ListOf<HistoryEntry>>> {
    let limit = check_limit(q.limit, 100)?;
    let rec = read_one::<T>(ctx, reference).await?;
    Ok(Json(
        ctx.state
            .store
            .history_seen_by(
                T::KIND,
                rec.id(),
                q.cursor.as_deref(),
                limit,
                ctx.actor.role != steward_core::user::Role::Requester,
            )
            .await?
            .into(),
    ))
}

pub(crate) async fn create<T: Table>(ctx: &Ctx, rec: T) -> ApiResult<(axum::http::StatusCode, Json<T>)> {
    let scope = authorize(&ctx.actor, T::KIND, Operation::Create)?;
    if !scope.covers(rec.organisation()) {
        return Err(Error::Forbidden("you may only create records for your own organisation".into()).into());
    }
    let saved = ctx.state.store.insert(rec, Some(ctx.actor.user)).await?;
    Ok((axum::http::StatusCode::CREATED, Json(saved)))
}

/// Applies `change` to a record under its row lock, if the caller may change it.
pub(crate) async fn modify<T: Table>(
    ctx: &Ctx,
    reference: &str,
    action: HistoryAction,
    change: impl FnOnce(&mut T) -> Result<(), Error>,
) -> ApiResult<Json<T>> {
    let scope = authorize(&ctx.actor, T::KIND, Operation::Update)?;
    let id = id_from_path::<T>(reference)?;
    let saved = ctx
        .state
        .store
        .update::<T>(
            id,
            Some(ctx.actor.user),
            ctx.now,
            action,
            |r| scope.admits(r) && ctx.actor.knows(r.need_to_know().as_ref()),
            change,
        )
        .await?;
    Ok(Json(saved))
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("stw_...")
                    .build(),
            ),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Steward API",
        description = "IT service management for ISO/IEC 20000-1:2018: services, incidents, requests, problems, changes, configuration items, their links and their hash-chained history. Authenticate with `Authorization: Bearer <token>`.",
        version = "1"
    ),
    modifiers(&BearerAuth),
    components(schemas(crate::error::ErrorBody))
)]
struct ApiDoc;

/// Adds to every operation of the document the error answers any route can give, each with the
/// one error body: a malformed request (400), a refused caller (403), a record not found (404),
/// a request that does not validate (422) and an unexpected failure (500); on routes that need a
/// token, 401; on routes with a body, 409, 413 and 415. What a handler documents itself stays.
pub fn document_errors(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
    let answer = |description: &str| {
        RefOr::T(
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ErrorBody")))
                        .build(),
                )
                .build(),
        )
    };
    for item in doc.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for op in operations.into_iter().flatten() {
            let mut codes = vec![
                ("400", "the request is malformed: a bad query, path or body"),
                ("403", "the caller's role may not do this"),
                ("404", "no such record within the caller's reach"),
                ("422", "the request does not validate; `fields` names what is wrong"),
                ("500", "an unexpected failure; the body carries only the request id"),
            ];
            if op.security.as_ref().is_some_and(|s| !s.is_empty()) {
                codes.push(("401", "no valid token"));
            }
            if op.request_body.is_some() {
                codes.push(("409", "the record's state or another record is in the way"));
                codes.push(("413", "the body is larger than the server accepts"));
                codes.push(("415", "the body is not sent as application/json"));
            }
            for (code, description) in codes {
                op.responses
                    .responses
                    .entry(code.to_string())
                    .or_insert_with(|| answer(description));
            }
        }
    }
}

/// Every API route, with the OpenAPI document built from the same handlers.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(incident::routes())
        .merge(request::routes())
        .merge(problem::routes())
        .merge(change::routes())
        .merge(change_blackout::routes())
        .merge(change_template::routes())
        .merge(release::routes())
        .merge(asset::routes())
        .merge(configuration_item::routes())
        .merge(configuration_management::routes())
        .merge(service::routes())
        .merge(catalogue_item::routes())
        .merge(calendar::routes())
        .merge(agreement::routes())
        .merge(organisation::routes())
        .merge(team::routes())
        .merge(user::routes())
        .merge(link::routes())
        .merge(notification::routes())
        .merge(inbound::routes())
        .merge(outage::routes())
        .merge(supplier::routes())
        .merge(contract::routes())
        .merge(dispute::routes())
        .merge(service_review::routes())
        .merge(complaint::routes())
        .merge(survey::routes())
        .merge(budget::routes())
        .merge(cost::routes())
        .merge(capacity::routes())
        .merge(demand::routes())
        .merge(continuity::routes())
        .merge(security_control::routes())
        .merge(article::routes())
        .merge(watcher::routes())
        .merge(settings::routes())
        .merge(report::routes())
        .merge(compliance::routes())
        .merge(sms_scope::routes())
        .merge(assessment::routes())
        .merge(document::routes())
        .merge(evidence::routes())
        .merge(audit::routes())
        .merge(nonconformity::routes())
        .merge(action::routes())
        .merge(management_review::routes())
        .merge(improvement::routes())
        .merge(risk::routes())
        .merge(objective::routes())
        .merge(certification::routes())
        .merge(search::routes())
        .merge(session::routes())
        .merge(token::routes())
        .merge(conversation::routes())
}
