//! `/api/v1/configuration-items`.

use axum::Json;
use axum::http::StatusCode;
use steward_core::Error;
use steward_core::configuration_item::{
    ConfigurationItem, ConfigurationItemPatch, ConfigurationItemStatus, NewConfigurationItem,
};
use steward_core::configuration_item_type::ConfigurationItemType;
use steward_core::history::{HistoryAction, HistoryEntry};
use steward_core::id::{TeamId, UserId};
use steward_core::service::StatusTransition;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::{ListOf, PageQuery, create, history_of, list_all, list_query, modify, read_one};
use crate::AppState;
use crate::auth::{Changing, Creating, Ctx, May};
use crate::error::{ApiResult, ErrorBody};

list_query! {
    /// Filters for the configuration item list.
    ConfigurationItemQuery {
        status: ConfigurationItemStatus => "status",
        ci_type: String => "ci_type",
        owner: UserId => "owner_id",
        team: TeamId => "team_id",
    }
    sorts: ["updated_at", "created_at"]
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_configuration_items, create_configuration_item))
        .routes(routes!(get_configuration_item, update_configuration_item))
        .routes(routes!(transition_configuration_item))
        .routes(routes!(configuration_item_history))
}

#[utoipa::path(get, path = "/api/v1/configuration-items", tag = "configuration-items", params(ConfigurationItemQuery),
    responses((status = 200, body = ListOf<ConfigurationItem>), (status = 400, body = ErrorBody)), security(("bearer" = [])))]
async fn list_configuration_items(
    ctx: Ctx,
    ApiQuery(q): ApiQuery<ConfigurationItemQuery>,
) -> ApiResult<Json<ListOf<ConfigurationItem>>> {
    list_all(&ctx, q.into_list()?).await
}

#[utoipa::path(post, path = "/api/v1/configuration-items", tag = "configuration-items", request_body = NewConfigurationItem,
    responses((status = 201, body = ConfigurationItem), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
async fn create_configuration_item(
    ctx: Ctx,
    _: May<Creating, ConfigurationItem>,
    ApiJson(input): ApiJson<NewConfigurationItem>,
) -> ApiResult<(StatusCode, Json<ConfigurationItem>)> {
    let item = ConfigurationItem::create(input, ctx.now)?;
    let types = ctx.state.store.configuration_item_types().await?;
    check_type_and_attributes(&types, &item)?;
    create(&ctx, item).await
}

/// An item's type must exist, and its attributes must suit the type.
fn check_type_and_attributes(types: &[ConfigurationItemType], item: &ConfigurationItem) -> Result<(), Error> {
    let Some(t) = types.iter().find(|t| t.name == item.ci_type) else {
        let names: Vec<&str> = types.iter().map(|t| t.name.as_str()).collect();
        return Err(Error::invalid(
            "ci_type",
            format!("'{}' is not a type; the types are {}", item.ci_type, names.join(", ")),
        ));
    };
    t.check_attributes(&item.attributes)
}

#[utoipa::path(get, path = "/api/v1/configuration-items/{reference}", tag = "configuration-items",
    params(("reference" = String, Path, description = "e.g. CI-42")),
    responses((status = 200, body = ConfigurationItem), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
async fn get_configuration_item(ctx: Ctx, ApiPath(reference): ApiPath<String>) -> ApiResult<Json<ConfigurationItem>> {
    read_one(&ctx, &reference).await.map(Json)
}

#[utoipa::path(patch, path = "/api/v1/configuration-items/{reference}", tag = "configuration-items",
    params(("reference" = String, Path, description = "e.g. CI-42")), request_body = ConfigurationItemPatch,
    responses((status = 200, body = ConfigurationItem), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn update_configuration_item(
    ctx: Ctx,
    _: May<Changing, ConfigurationItem>,
    ApiPath(reference): ApiPath<String>,
    ApiJson(patch): ApiJson<ConfigurationItemPatch>,
) -> ApiResult<Json<ConfigurationItem>> {
    let types = ctx.state.store.configuration_item_types().await?;
    modify(&ctx, &reference, HistoryAction::Update, |c: &mut ConfigurationItem| {
        c.apply_patch(patch)?;
        check_type_and_attributes(&types, c)
    })
    .await
}

#[utoipa::path(post, path = "/api/v1/configuration-items/{reference}/transition", tag = "configuration-items",
    params(("reference" = String, Path, description = "e.g. CI-42")), request_body = StatusTransition,
    responses((status = 200, body = ConfigurationItem), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn transition_configuration_item(
    ctx: Ctx,
    _: May<Changing, ConfigurationItem>,
    ApiPath(reference): ApiPath<String>,
    ApiJson(t): ApiJson<StatusTransition>,
) -> ApiResult<Json<ConfigurationItem>> {
    modify(
        &ctx,
        &reference,
        HistoryAction::Transition,
        |c: &mut ConfigurationItem| c.transition(t),
    )
    .await
}

#[utoipa::path(get, path = "/api/v1/configuration-items/{reference}/history", tag = "configuration-items",
    params(("reference" = String, Path, description = "e.g. CI-42"), PageQuery),
    responses((status = 200, body = ListOf<HistoryEntry>), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
async fn configuration_item_history(
    ctx: Ctx,
    ApiPath(reference): ApiPath<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<ListOf<HistoryEntry>>> {
    history_of::<ConfigurationItem>(&ctx, &reference, q).await
}
