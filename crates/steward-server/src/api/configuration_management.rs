//! Configuration management beyond the items themselves: item types, relationships between
//! items, impact analysis and verification.

use axum::Json;
use axum::http::StatusCode;
use steward_core::Error;
use steward_core::access::{Operation, authorize};
use steward_core::configuration_item::ConfigurationItem;
use steward_core::configuration_item_type::{ConfigurationItemType, NewConfigurationItemType};
use steward_core::history::HistoryAction;
use steward_core::id::ConfigurationItemId;
use steward_core::record::RecordKind;
use steward_core::relationship::{Impact, NewRelationship, Relationship, RelationshipKind};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::{ListOf, check_limit, modify, read_one};
use crate::AppState;
use crate::auth::{Changing, Creating, Ctx, May};
use crate::error::{ApiResult, ErrorBody};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_configuration_item_types, create_configuration_item_type))
        .routes(routes!(get_configuration_item_type, put_configuration_item_type))
        .routes(routes!(list_relationships, create_relationship))
        .routes(routes!(delete_relationship))
        .routes(routes!(configuration_item_impact))
        .routes(routes!(verify_configuration_item))
        .routes(routes!(overdue_configuration_items))
}

#[utoipa::path(get, path = "/api/v1/configuration-item-types", tag = "configuration-items",
    responses((status = 200, body = ListOf<ConfigurationItemType>)), security(("bearer" = [])))]
async fn list_configuration_item_types(ctx: Ctx) -> ApiResult<Json<ListOf<ConfigurationItemType>>> {
    authorize(&ctx.actor, RecordKind::ConfigurationItem, Operation::Read)?;
    Ok(Json(ListOf {
        items: ctx.state.store.configuration_item_types().await?,
        next_cursor: None,
    }))
}

/// Types are configuration of the configuration database: managers and administrators set them
/// (those who may add services), asked before the body is read.
type DefinesTypes = May<Creating, steward_core::service::Service>;

#[utoipa::path(post, path = "/api/v1/configuration-item-types", tag = "configuration-items", request_body = NewConfigurationItemType,
    responses((status = 201, body = ConfigurationItemType), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn create_configuration_item_type(
    ctx: Ctx,
    _: DefinesTypes,
    ApiJson(input): ApiJson<NewConfigurationItemType>,
) -> ApiResult<(StatusCode, Json<ConfigurationItemType>)> {
    let t = ConfigurationItemType::create(input, ctx.now)?;
    if ctx.state.store.configuration_item_type(&t.name).await?.is_some() {
        return Err(Error::Conflict(format!("the type {} already exists; PUT it to change it", t.name)).into());
    }
    ctx.state.store.put_configuration_item_type(&t, ctx.now).await?;
    Ok((StatusCode::CREATED, Json(t)))
}

async fn type_named(ctx: &Ctx, name: &str) -> ApiResult<ConfigurationItemType> {
    authorize(&ctx.actor, RecordKind::ConfigurationItem, Operation::Read)?;
    ctx.state
        .store
        .configuration_item_type(name)
        .await?
        .ok_or_else(|| Error::not_found("configuration item type", name.chars().take(40).collect::<String>()).into())
}

#[utoipa::path(get, path = "/api/v1/configuration-item-types/{name}", tag = "configuration-items",
    params(("name" = String, Path, description = "e.g. server")),
    responses((status = 200, body = ConfigurationItemType), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
async fn get_configuration_item_type(
    ctx: Ctx,
    ApiPath(name): ApiPath<String>,
) -> ApiResult<Json<ConfigurationItemType>> {
    type_named(&ctx, &name).await.map(Json)
}

/// Replaces a type's definition (its name stays).
#[utoipa::path(put, path = "/api/v1/configuration-item-types/{name}", tag = "configuration-items",
    params(("name" = String, Path, description = "e.g. server")), request_body = NewConfigurationItemType,
    responses((status = 200, body = ConfigurationItemType), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn put_configuration_item_type(
    ctx: Ctx,
    _: DefinesTypes,
    ApiPath(name): ApiPath<String>,
    ApiJson(input): ApiJson<NewConfigurationItemType>,
) -> ApiResult<Json<ConfigurationItemType>> {
    let old = type_named(&ctx, &name).await?;
    if input.name != old.name {
        return Err(Error::invalid("name", "a type keeps its name; create a new type instead").into());
    }
    let mut t = ConfigurationItemType::create(input, old.created_at)?;
    t.updated_at = ctx.now;
    ctx.state.store.put_configuration_item_type(&t, ctx.now).await?;
    Ok(Json(t))
}

#[utoipa::path(get, path = "/api/v1/configuration-items/{reference}/relationships", tag = "configuration-items",
    params(("reference" = String, Path, description = "e.g. CI-42")),
    responses((status = 200, body = ListOf<Relationship>), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
async fn list_relationships(ctx: Ctx, ApiPath(reference): ApiPath<String>) -> ApiResult<Json<ListOf<Relationship>>> {
    let item: ConfigurationItem = read_one(&ctx, &reference).await?;
    Ok(Json(ListOf {
        items: ctx.state.store.relationships_of(item.id).await?,
        next_cursor: None,
    }))
}

#[utoipa::path(post, path = "/api/v1/configuration-items/{reference}/relationships", tag = "configuration-items",
    params(("reference" = String, Path, description = "e.g. CI-42")), request_body = NewRelationship,
    responses((status = 201, body = Relationship), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn create_relationship(
    ctx: Ctx,
    _: May<Changing, ConfigurationItem>,
    ApiPath(reference): ApiPath<String>,
    ApiJson(input): ApiJson<NewRelationship>,
) -> ApiResult<(StatusCode, Json<Relationship>)> {
    authorize(&ctx.actor, RecordKind::ConfigurationItem, Operation::Update)?;
    let item: ConfigurationItem = read_one(&ctx, &reference).await?;
    let r = Relationship {
        from: item.id,
        kind: input.kind,
        to: input.to,
        created_by: Some(ctx.actor.user),
        created_at: ctx.now,
    };
    ctx.state.store.relate(&r).await?;
    Ok((StatusCode::CREATED, Json(r)))
}

#[utoipa::path(delete, path = "/api/v1/configuration-items/{reference}/relationships/{kind}/{to}", tag = "configuration-items",
    params(("reference" = String, Path, description = "e.g. CI-42"), ("kind" = String, Path, description = "e.g. runs_on"), ("to" = String, Path, description = "e.g. CI-7")),
    responses((status = 204), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
async fn delete_relationship(
    ctx: Ctx,
    ApiPath((reference, kind, to)): ApiPath<(String, String, String)>,
) -> ApiResult<StatusCode> {
    authorize(&ctx.actor, RecordKind::ConfigurationItem, Operation::Update)?;
    let item: ConfigurationItem = read_one(&ctx, &reference).await?;
    let missing = || {
        Error::not_found(
            "relationship",
            format!("{reference} {kind} {to}").chars().take(80).collect::<String>(),
        )
    };
    let kind = RelationshipKind::parse(&kind).ok_or_else(missing)?;
    let to: ConfigurationItemId = to.parse().map_err(|_| missing())?;
    let r = Relationship {
        from: item.id,
        kind,
        to,
        created_by: Some(ctx.actor.user),
        created_at: ctx.now,
    };
    ctx.state.store.unrelate(&r).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/configuration-items/{reference}/impact", tag = "configuration-items",
    params(("reference" = String, Path, description = "e.g. CI-42")),
    responses((status = 200, body = Impact), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
async fn configuration_item_impact(ctx: Ctx, ApiPath(reference): ApiPath<String>) -> ApiResult<Json<Impact>> {
    let item: ConfigurationItem = read_one(&ctx, &reference).await?;
    Ok(Json(ctx.state.store.impact(item.id).await?))
}

#[utoipa::path(post, path = "/api/v1/configuration-items/{reference}/verify", tag = "configuration-items",
    params(("reference" = String, Path, description = "e.g. CI-42")),
    responses((status = 200, body = ConfigurationItem), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
async fn verify_configuration_item(
    ctx: Ctx,
    ApiPath(reference): ApiPath<String>,
) -> ApiResult<Json<ConfigurationItem>> {
    let (by, at) = (ctx.actor.user, ctx.now);
    modify(&ctx, &reference, HistoryAction::Update, |c: &mut ConfigurationItem| {
        c.verify(by, at);
        Ok(())
    })
    .await
}

/// Query of the overdue list.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OverdueQuery {
    /// 1 to 500; 100 by default.
    #[serde(default)]
    pub limit: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/configuration-items/overdue-verification", tag = "configuration-items", params(OverdueQuery),
    responses((status = 200, body = ListOf<ConfigurationItem>)), security(("bearer" = [])))]
async fn overdue_configuration_items(
    ctx: Ctx,
    ApiQuery(q): ApiQuery<OverdueQuery>,
) -> ApiResult<Json<ListOf<ConfigurationItem>>> {
    authorize(&ctx.actor, RecordKind::ConfigurationItem, Operation::Read)?;
    let limit = check_limit(q.limit, 100)?;
    Ok(Json(ListOf {
        items: ctx.state.store.overdue_verification(ctx.now, limit).await?,
        next_cursor: None,
    }))
}
