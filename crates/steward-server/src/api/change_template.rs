//! `/api/v1/change-templates`: pre-approved templates of standard changes.

use axum::Json;
use axum::http::StatusCode;
use steward_core::change_template::{ChangeTemplate, ChangeTemplatePatch, NewChangeTemplate};
use steward_core::history::{HistoryAction, HistoryEntry};
use steward_core::id::ServiceId;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::{ListOf, PageQuery, create, history_of, list_all, list_query, modify, read_one};
use crate::AppState;
use crate::auth::{Changing, Creating, Ctx, May};
use crate::error::{ApiResult, ErrorBody};

list_query! {
    /// Filters for the template list.
    ChangeTemplateQuery {
        service: ServiceId => "service_id",
        active: bool => "active",
    }
    sorts: ["updated_at", "created_at"]
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_change_templates, create_change_template))
        .routes(routes!(get_change_template, update_change_template))
        .routes(routes!(change_template_history))
}

#[utoipa::path(get, path = "/api/v1/change-templates", tag = "change-templates", params(ChangeTemplateQuery),
    responses((status = 200, body = ListOf<ChangeTemplate>), (status = 400, body = ErrorBody)), security(("bearer" = [])))]
async fn list_change_templates(
    ctx: Ctx,
    ApiQuery(q): ApiQuery<ChangeTemplateQuery>,
) -> ApiResult<Json<ListOf<ChangeTemplate>>> {
    list_all(&ctx, q.into_list()?).await
}

#[utoipa::path(post, path = "/api/v1/change-templates", tag = "change-templates", request_body = NewChangeTemplate,
    responses((status = 201, body = ChangeTemplate), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
async fn create_change_template(
    ctx: Ctx,
    _: May<Creating, ChangeTemplate>,
    ApiJson(input): ApiJson<NewChangeTemplate>,
) -> ApiResult<(StatusCode, Json<ChangeTemplate>)> {
    create(&ctx, ChangeTemplate::create(input, ctx.now)?).await
}

#[utoipa::path(get, path = "/api/v1/change-templates/{reference}", tag = "change-templates",
    params(("reference" = String, Path, description = "e.g. TPL-42")),
    responses((status = 200, body = ChangeTemplate), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
async fn get_change_template(ctx: Ctx, ApiPath(reference): ApiPath<String>) -> ApiResult<Json<ChangeTemplate>> {
    read_one(&ctx, &reference).await.map(Json)
}

#[utoipa::path(patch, path = "/api/v1/change-templates/{reference}", tag = "change-templates",
    params(("reference" = String, Path, description = "e.g. TPL-42")), request_body = ChangeTemplatePatch,
    responses((status = 200, body = ChangeTemplate), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn update_change_template(
    ctx: Ctx,
    _: May<Changing, ChangeTemplate>,
    ApiPath(reference): ApiPath<String>,
    ApiJson(patch): ApiJson<ChangeTemplatePatch>,
) -> ApiResult<Json<ChangeTemplate>> {
    modify(&ctx, &reference, HistoryAction::Update, |o: &mut ChangeTemplate| {
        o.apply_patch(patch)
    })
    .await
}

#[utoipa::path(get, path = "/api/v1/change-templates/{reference}/history", tag = "change-templates",
    params(("reference" = String, Path, description = "e.g. TPL-42"), PageQuery),
    responses((status = 200, body = ListOf<HistoryEntry>), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
async fn change_template_history(
    ctx: Ctx,
    ApiPath(reference): ApiPath<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<ListOf<HistoryEntry>>> {
    history_of::<ChangeTemplate>(&ctx, &reference, q).await
}
