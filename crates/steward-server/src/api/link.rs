//! `/api/v1/links`: links between incidents, problems, changes, configuration items and services.

use axum::Json;
use axum::http::StatusCode;
use steward_core::Error;
use steward_core::access::{Operation, Scope, authorize};
use steward_core::link::{Endpoint, Link, LinkInput, canonical};
use steward_core::record::RecordKind;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{ApiJson, ApiPath, ApiQuery};
use crate::AppState;
use crate::auth::Ctx;
use crate::error::{ApiError, ApiResult, ErrorBody};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_links, create_link))
        .routes(routes!(delete_link))
}

/// Fails unless the caller may see the record at `e` (existing, and within their reach).
async fn ensure_visible(ctx: &Ctx, e: Endpoint, field: &str) -> ApiResult<()> {
    let scope = authorize(&ctx.actor, e.kind, Operation::Read)?;
    let located = ctx.state.store.locate(e.kind, e.id).await?;
    match located {
        Some(l) if super::conversation::within_reach(&ctx.actor, scope, &l) => Ok(()),
        _ if field == "record" => Err(Error::not_found(e.kind.as_str(), e.reference()).into()),
        _ => Err(Error::invalid(field, format!("{} does not exist", e.reference())).into()),
    }
}

/// Query of the link list.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LinkQuery {
    /// The record whose links to list, e.g. INC-42.
    pub record: String,
}

#[utoipa::path(get, path = "/api/v1/links", tag = "links", params(LinkQuery),
    responses((status = 200, body = super::ListOf<Link>), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
async fn list_links(ctx: Ctx, ApiQuery(q): ApiQuery<LinkQuery>) -> ApiResult<Json<super::ListOf<Link>>> {
    let e = Endpoint::parse("record", &q.record)?;
    ensure_visible(&ctx, e, "record").await?;
    let me = e.reference();
    let links = ctx.state.store.links_of(e).await?;
    // Only links whose other end the caller may read at all.
    let items = links
        .into_iter()
        .filter(|l| {
            let other = if l.from == me { &l.to } else { &l.from };
            RecordKind::parse_reference(other)
                .map(|(k, _)| matches!(authorize(&ctx.actor, k, Operation::Read), Ok(Scope::All)))
                .unwrap_or(false)
        })
        .collect();
    Ok(Json(super::ListOf {
        items,
        next_cursor: None,
    }))
}

pub(crate) async fn endpoints(ctx: &Ctx, from: &str, to: &str) -> ApiResult<(Endpoint, Endpoint)> {
    let a = Endpoint::parse("from", from)?;
    let b = Endpoint::parse("to", to)?;
    let (from, to) = canonical(a, b)?;
    authorize(&ctx.actor, from.kind, Operation::Update)?;
    ensure_visible(ctx, from, "from").await?;
    ensure_visible(ctx, to, "to").await?;
    Ok((from, to))
}

/// Links two records for a web form whose fields name them (`incident` and `requirement`, say):
/// a reference that is malformed, out of reach or missing is a message on that form's field, and
/// a link already there is a conflict left to the caller to word.
pub(crate) async fn link_as(
    ctx: &Ctx,
    (from, from_field): (Endpoint, &str),
    (to, to_field): (Endpoint, &str),
) -> ApiResult<Link> {
    let field_of = |f: &str| if f == "from" { from_field } else { to_field };
    let (from, to) = endpoints(ctx, &from.reference(), &to.reference())
        .await
        .map_err(|err| match err {
            ApiError::Domain(Error::Invalid(fields)) => Error::Invalid(
                fields
                    .into_iter()
                    .map(|mut f| {
                        f.field = field_of(&f.field).into();
                        f
                    })
                    .collect(),
            )
            .into(),
            ApiError::Domain(Error::NotFound { kind, id }) => Error::invalid(
                if kind == from.kind.as_str() {
                    from_field
                } else {
                    to_field
                },
                format!("there is no {kind} {id}"),
            )
            .into(),
            other => other,
        })?;
    Ok(ctx.state.store.link(from, to, Some(ctx.actor.user), ctx.now).await?)
}

#[utoipa::path(post, path = "/api/v1/links", tag = "links", request_body = LinkInput,
    responses((status = 201, body = Link), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
async fn create_link(ctx: Ctx, ApiJson(input): ApiJson<LinkInput>) -> ApiResult<(StatusCode, Json<Link>)> {
    let (from, to) = endpoints(&ctx, &input.from, &input.to).await?;
    let link = ctx.state.store.link(from, to, Some(ctx.actor.user), ctx.now).await?;
    Ok((StatusCode::CREATED, Json(link)))
}

#[utoipa::path(delete, path = "/api/v1/links/{from}/{to}", tag = "links",
    params(("from" = String, Path, description = "e.g. INC-42"), ("to" = String, Path, description = "e.g. PRB-7")),
    responses((status = 204), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
async fn delete_link(ctx: Ctx, ApiPath((from, to)): ApiPath<(String, String)>) -> ApiResult<StatusCode> {
    let (from, to) = endpoints(&ctx, &from, &to).await?;
    ctx.state.store.unlink(from, to, Some(ctx.actor.user), ctx.now).await?;
    Ok(StatusCode::NO_CONTENT)
}
