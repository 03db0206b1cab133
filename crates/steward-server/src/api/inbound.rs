//! `/api/v1/mail/inbound`: email that arrived and what became of it — placed, held for review,
//! refused or ignored as automatic — with the message itself as it came; and
//! `/api/v1/mail/rules`: where new messages go. Administrators only: a held message may be
//! anyone's private mail.

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use steward_core::inbound::{InboundMail, InboundState, MailRule, NewMailRule};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::notification::{MayAdministerMail, not_found};
use super::{ListOf, check_limit};
use crate::AppState;
use crate::auth::Ctx;
use crate::error::{ApiResult, ErrorBody};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_inbound_mail))
        .routes(routes!(get_inbound_mail))
        .routes(routes!(inbound_message))
        .routes(routes!(discard_inbound_mail))
        .routes(routes!(reconsider_inbound_mail))
        .routes(routes!(list_mail_rules, create_mail_rule))
        .routes(routes!(delete_mail_rule))
}

/// The number a path names, or not found (for the API and the email page alike).
pub(crate) fn id_of(what: &'static str, id: &str) -> ApiResult<i64> {
    id.parse::<i64>().map_err(|_| not_found(what, id))
}

/// Query of the inbound mail.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct InboundQuery {
    /// `received`, `placed`, `held`, `rejected`, `ignored` or `discarded`; every state if absent.
    #[serde(default)]
    state: Option<InboundState>,
    #[serde(default)]
    cursor: Option<String>,
    /// 1 to 500; 50 by default.
    #[serde(default)]
    limit: Option<u32>,
}

/// Messages that arrived, newest first: `?state=held` is what waits for review.
#[utoipa::path(get, path = "/api/v1/mail/inbound", tag = "mail", params(InboundQuery),
    responses((status = 200, body = ListOf<InboundMail>), (status = 403, body = ErrorBody)), security(("bearer" = [])))]
async fn list_inbound_mail(
    ctx: Ctx,
    _: MayAdministerMail,
    ApiQuery(q): ApiQuery<InboundQuery>,
) -> ApiResult<Json<ListOf<InboundMail>>> {
    let limit = check_limit(q.limit, 50)?;
    let page = ctx
        .state
        .store
        .inbound_mail(q.state, q.cursor.as_deref(), limit)
        .await?;
    Ok(Json(page.into()))
}

#[utoipa::path(get, path = "/api/v1/mail/inbound/{id}", tag = "mail",
    params(("id" = i64, Path, description = "The message's id in the inbound mail")),
    responses((status = 200, body = InboundMail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn get_inbound_mail(
    ctx: Ctx,
    _: MayAdministerMail,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<InboundMail>> {
    let n = id_of("inbound mail", &id)?;
    Ok(Json(
        ctx.state
            .store
            .get_inbound_mail(n)
            .await?
            .ok_or_else(|| not_found("inbound mail", &id))?,
    ))
}

/// The message exactly as it arrived, as a download (`message/rfc822`, never shown inline).
#[utoipa::path(get, path = "/api/v1/mail/inbound/{id}/message", tag = "mail",
    params(("id" = i64, Path, description = "The message's id in the inbound mail")),
    responses((status = 200, description = "the message as it arrived", content_type = "message/rfc822", body = Vec<u8>),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn inbound_message(ctx: Ctx, _: MayAdministerMail, ApiPath(id): ApiPath<String>) -> ApiResult<Response> {
    message_download(&ctx, &id).await
}

/// A kept message exactly as it arrived, as a download, for the API and the email page alike
/// (the caller has checked the reader administers mail).
pub(crate) async fn message_download(ctx: &Ctx, id: &str) -> ApiResult<Response> {
    let n = id_of("inbound mail", id)?;
    let raw = ctx
        .state
        .store
        .inbound_raw(n)
        .await?
        .ok_or_else(|| not_found("inbound mail", id))?;
    Ok((
        [
            (header::CONTENT_TYPE, "message/rfc822".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"inbound-{n}.eml\""),
            ),
        ],
        raw,
    )
        .into_response())
}

/// Marks a held message as looked at and not to be placed; it stays kept.
#[utoipa::path(post, path = "/api/v1/mail/inbound/{id}/discard", tag = "mail",
    params(("id" = i64, Path, description = "The message's id in the inbound mail")),
    responses((status = 200, body = InboundMail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "not held")),
    security(("bearer" = [])))]
async fn discard_inbound_mail(
    ctx: Ctx,
    _: MayAdministerMail,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<InboundMail>> {
    let n = id_of("inbound mail", &id)?;
    Ok(Json(ctx.state.store.discard_mail(n, ctx.now).await?))
}

/// Puts a held message back to be decided on again — after adding the user or the rule it
/// lacked; the job runner places it within a minute.
#[utoipa::path(post, path = "/api/v1/mail/inbound/{id}/reconsider", tag = "mail",
    params(("id" = i64, Path, description = "The message's id in the inbound mail")),
    responses((status = 202, body = InboundMail, description = "back in line; `state` is `received`"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "not held")),
    security(("bearer" = [])))]
async fn reconsider_inbound_mail(
    ctx: Ctx,
    _: MayAdministerMail,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<(StatusCode, Json<InboundMail>)> {
    let n = id_of("inbound mail", &id)?;
    Ok((StatusCode::ACCEPTED, Json(ctx.state.store.reconsider_mail(n).await?)))
}

/// The mail rules, in the order they are tried (recipient rules before sender-domain rules).
#[utoipa::path(get, path = "/api/v1/mail/rules", tag = "mail",
    responses((status = 200, body = Vec<MailRule>), (status = 403, body = ErrorBody)), security(("bearer" = [])))]
async fn list_mail_rules(ctx: Ctx, _: MayAdministerMail) -> ApiResult<Json<Vec<MailRule>>> {
    Ok(Json(ctx.state.store.mail_rules().await?))
}

/// Adds a rule: messages to an address, or from a domain, open incidents or requests with the
/// service, team and customer organisation it names; `unknown_sender` says what a message from
/// an address no user has does.
#[utoipa::path(post, path = "/api/v1/mail/rules", tag = "mail", request_body = NewMailRule,
    responses((status = 201, body = MailRule), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn create_mail_rule(
    ctx: Ctx,
    _: MayAdministerMail,
    ApiJson(input): ApiJson<NewMailRule>,
) -> ApiResult<(StatusCode, Json<MailRule>)> {
    let rule = input.check(ctx.now)?;
    Ok((StatusCode::CREATED, Json(ctx.state.store.add_mail_rule(rule).await?)))
}

#[utoipa::path(delete, path = "/api/v1/mail/rules/{id}", tag = "mail",
    params(("id" = i64, Path, description = "The rule's id")),
    responses((status = 204, description = "removed"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn delete_mail_rule(ctx: Ctx, _: MayAdministerMail, ApiPath(id): ApiPath<String>) -> ApiResult<StatusCode> {
    let n = id_of("mail rule", &id)?;
    ctx.state.store.delete_mail_rule(n).await?;
    Ok(StatusCode::NO_CONTENT)
}
