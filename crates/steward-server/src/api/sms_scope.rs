//! `/api/v1/compliance/scopes`: the SMS scope statement, versioned, with its warnings.

use axum::Json;
use axum::http::StatusCode;
use serde::Serialize;
use steward_core::history::{HistoryAction, HistoryEntry};
use steward_core::sms_scope::{NewSmsScope, ScopeWarning, SmsScope, SmsScopePatch};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::{ListOf, PageQuery, create, history_of, list_all, list_query, modify, read_one};
use crate::AppState;
use crate::auth::{Changing, Creating, Ctx, May};
use crate::error::{ApiResult, ErrorBody};

list_query! {
    /// Filters for the scope list (there is usually one statement, in many versions).
    SmsScopeQuery {}
    sorts: ["updated_at", "created_at"]
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_scopes, create_scope))
        .routes(routes!(get_scope, update_scope))
        .routes(routes!(scope_history))
}

/// A scope with what the SMS manager should act on.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ScopeView {
    #[serde(flatten)]
    pub scope: SmsScope,
    pub warnings: Vec<ScopeWarning>,
}

fn view(scope: SmsScope) -> ScopeView {
    ScopeView {
        warnings: scope.warnings(),
        scope,
    }
}

#[utoipa::path(get, path = "/api/v1/compliance/scopes", tag = "compliance", params(SmsScopeQuery),
    responses((status = 200, body = ListOf<SmsScope>), (status = 400, body = ErrorBody)), security(("bearer" = [])))]
async fn list_scopes(ctx: Ctx, ApiQuery(q): ApiQuery<SmsScopeQuery>) -> ApiResult<Json<ListOf<SmsScope>>> {
    list_all(&ctx, q.into_list()?).await
}

/// Records a scope statement. Exclusions may name services, sites or customers but never a
/// requirement of clauses 4 to 10.
#[utoipa::path(post, path = "/api/v1/compliance/scopes", tag = "compliance", request_body = NewSmsScope,
    responses((status = 201, body = ScopeView), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
async fn create_scope(
    ctx: Ctx,
    _: May<Creating, SmsScope>,
    ApiJson(input): ApiJson<NewSmsScope>,
) -> ApiResult<(StatusCode, Json<ScopeView>)> {
    let (status, Json(scope)) = create(&ctx, SmsScope::create(input, ctx.now)?).await?;
    Ok((status, Json(view(scope))))
}

#[utoipa::path(get, path = "/api/v1/compliance/scopes/{reference}", tag = "compliance",
    params(("reference" = String, Path, description = "e.g. SCOPE-1")),
    responses((status = 200, body = ScopeView), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
async fn get_scope(ctx: Ctx, ApiPath(reference): ApiPath<String>) -> ApiResult<Json<ScopeView>> {
    read_one(&ctx, &reference).await.map(|s| Json(view(s)))
}

/// Changes the statement: any change of content raises its version and, unless the same
/// change approves it, withdraws the approval. Earlier versions are in its history.
#[utoipa::path(patch, path = "/api/v1/compliance/scopes/{reference}", tag = "compliance",
    params(("reference" = String, Path, description = "e.g. SCOPE-1")), request_body = SmsScopePatch,
    responses((status = 200, body = ScopeView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn update_scope(
    ctx: Ctx,
    _: May<Changing, SmsScope>,
    ApiPath(reference): ApiPath<String>,
    ApiJson(patch): ApiJson<SmsScopePatch>,
) -> ApiResult<Json<ScopeView>> {
    let Json(scope) = modify(&ctx, &reference, HistoryAction::Update, |s: &mut SmsScope| {
        s.apply_patch(patch)
    })
    .await?;
    Ok(Json(view(scope)))
}

#[utoipa::path(get, path = "/api/v1/compliance/scopes/{reference}/history", tag = "compliance",
    params(("reference" = String, Path, description = "e.g. SCOPE-1"), PageQuery),
    responses((status = 200, body = ListOf<HistoryEntry>), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
async fn scope_history(
    ctx: Ctx,
    ApiPath(reference): ApiPath<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<ListOf<HistoryEntry>>> {
    history_of::<SmsScope>(&ctx, &reference, q).await
}
