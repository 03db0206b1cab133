//! `/api/v1/notifications`: the signed-in user's in-app notifications;
//! `/api/v1/notification-preferences`: how they are told of each event;
//! `/api/v1/notification-templates`: the email templates (administrators); and
//! `/api/v1/mail/outbox`: outgoing email and its dead letters (administrators).

use axum::Json;
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use steward_core::access::authorize_mail_administration;
use steward_core::mail::{MailState, OutboxMessage};
use steward_core::notification::{
    Event, Notification, Preference, PreferencePatch, Template, TemplateInput, TemplateName,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::{ListOf, check_limit};
use crate::AppState;
use crate::auth::{Ctx, actor_in};
use crate::error::{ApiError, ApiResult, ErrorBody};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_notifications))
        .routes(routes!(read_notification))
        .routes(routes!(list_preferences))
        .routes(routes!(set_preference))
        .routes(routes!(list_templates))
        .routes(routes!(set_template, reset_template))
        .routes(routes!(list_outbox))
        .routes(routes!(retry_outbox))
}

/// Proof that the caller is an administrator, asked before the body is read.
pub(crate) struct MayAdministerMail;

impl FromRequestParts<AppState> for MayAdministerMail {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        authorize_mail_administration(&actor_in(parts)?)?;
        Ok(MayAdministerMail)
    }
}

pub(crate) fn not_found(what: &'static str, name: &str) -> ApiError {
    ApiError::Domain(steward_core::Error::not_found(
        what,
        name.chars().take(40).collect::<String>(),
    ))
}

/// How the signed-in person is told of each event: in the app or not, and by email at once, in
/// the daily digest, or not at all.
#[utoipa::path(get, path = "/api/v1/notification-preferences", tag = "notifications",
    responses((status = 200, body = Vec<Preference>), (status = 401, body = ErrorBody)), security(("bearer" = [])))]
async fn list_preferences(ctx: Ctx) -> ApiResult<Json<Vec<Preference>>> {
    Ok(Json(ctx.state.store.notification_preferences(ctx.actor.user).await?))
}

/// Changes how the signed-in person is told of one event; what the body leaves out stays.
#[utoipa::path(put, path = "/api/v1/notification-preferences/{event}", tag = "notifications",
    params(("event" = String, Path, description = "e.g. assignment, customer_reply, sla_breach")),
    request_body = PreferencePatch,
    responses((status = 200, body = Preference), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn set_preference(
    ctx: Ctx,
    ApiPath(event): ApiPath<String>,
    ApiJson(patch): ApiJson<PreferencePatch>,
) -> ApiResult<Json<Preference>> {
    let event = Event::parse(&event).ok_or_else(|| not_found("notification event", &event))?;
    let all = ctx.state.store.notification_preferences(ctx.actor.user).await?;
    let current = all
        .into_iter()
        .find(|p| p.event == event)
        .unwrap_or_else(|| event.default_preference());
    let next = patch.apply(&current);
    ctx.state
        .store
        .set_notification_preferences(ctx.actor.user, std::slice::from_ref(&next), ctx.now)
        .await?;
    Ok(Json(next))
}

/// Every email template, rewritten or Steward's own, with the placeholders each may use.
#[utoipa::path(get, path = "/api/v1/notification-templates", tag = "notifications",
    responses((status = 200, body = Vec<Template>), (status = 403, body = ErrorBody)), security(("bearer" = [])))]
async fn list_templates(ctx: Ctx, _: MayAdministerMail) -> ApiResult<Json<Vec<Template>>> {
    Ok(Json(ctx.state.store.notification_templates().await?))
}

/// Rewrites an email template: a one-line subject and a body, using only its placeholders.
#[utoipa::path(put, path = "/api/v1/notification-templates/{name}", tag = "notifications",
    params(("name" = String, Path, description = "e.g. reply, assignment, digest")),
    request_body = TemplateInput,
    responses((status = 200, body = Template), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn set_template(
    ctx: Ctx,
    _: MayAdministerMail,
    ApiPath(name): ApiPath<String>,
    ApiJson(input): ApiJson<TemplateInput>,
) -> ApiResult<Json<Template>> {
    let name = TemplateName::parse(&name).ok_or_else(|| not_found("notification template", &name))?;
    let (subject, body) = input.check(name)?;
    Ok(Json(
        ctx.state
            .store
            .set_notification_template(name, &subject, &body, ctx.actor.user, ctx.now)
            .await?,
    ))
}

/// Puts Steward's own words back in a template.
#[utoipa::path(delete, path = "/api/v1/notification-templates/{name}", tag = "notifications",
    params(("name" = String, Path, description = "e.g. reply")),
    responses((status = 200, body = Template), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn reset_template(ctx: Ctx, _: MayAdministerMail, ApiPath(name): ApiPath<String>) -> ApiResult<Json<Template>> {
    let name = TemplateName::parse(&name).ok_or_else(|| not_found("notification template", &name))?;
    Ok(Json(ctx.state.store.reset_notification_template(name).await?))
}

/// Query of the outbox.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct OutboxQuery {
    /// `pending`, `sending`, `sent` or `dead` (the dead letters); `pending` by default.
    #[serde(default)]
    state: Option<MailState>,
    #[serde(default)]
    cursor: Option<String>,
    /// 1 to 500; 50 by default.
    #[serde(default)]
    limit: Option<u32>,
}

/// Outgoing email in one state, newest first.
#[utoipa::path(get, path = "/api/v1/mail/outbox", tag = "notifications", params(OutboxQuery),
    responses((status = 200, body = ListOf<OutboxMessage>), (status = 403, body = ErrorBody)), security(("bearer" = [])))]
async fn list_outbox(
    ctx: Ctx,
    _: MayAdministerMail,
    ApiQuery(q): ApiQuery<OutboxQuery>,
) -> ApiResult<Json<ListOf<OutboxMessage>>> {
    let limit = check_limit(q.limit, 50)?;
    let page = ctx
        .state
        .store
        .outbox(q.state.unwrap_or(MailState::Pending), q.cursor.as_deref(), limit)
        .await?;
    Ok(Json(page.into()))
}

/// Sends a dead letter again, with its tries counted afresh.
#[utoipa::path(post, path = "/api/v1/mail/outbox/{id}/retry", tag = "notifications",
    params(("id" = i64, Path, description = "The message's id in the outbox")),
    responses((status = 200, body = OutboxMessage), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
async fn retry_outbox(ctx: Ctx, _: MayAdministerMail, ApiPath(id): ApiPath<String>) -> ApiResult<Json<OutboxMessage>> {
    let id: i64 = id.parse().map_err(|_| not_found("outbox message", &id))?;
    Ok(Json(ctx.state.store.retry_mail(id, ctx.now).await?))
}

/// Query of the notification list.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct NotificationQuery {
    /// Only those not yet read.
    #[serde(default)]
    pub unread: Option<bool>,
    #[serde(default)]
    pub cursor: Option<String>,
    /// 1 to 500; 50 by default.
    #[serde(default)]
    pub limit: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications", params(NotificationQuery),
    responses((status = 200, body = ListOf<Notification>), (status = 401, body = ErrorBody)), security(("bearer" = [])))]
async fn list_notifications(
    ctx: Ctx,
    ApiQuery(q): ApiQuery<NotificationQuery>,
) -> ApiResult<Json<ListOf<Notification>>> {
    let limit = check_limit(q.limit, 50)?;
    let page = ctx
        .state
        .store
        .notifications(ctx.actor.user, q.unread.unwrap_or(false), q.cursor.as_deref(), limit)
        .await?;
    Ok(Json(page.into()))
}

#[utoipa::path(post, path = "/api/v1/notifications/{id}/read", tag = "notifications",
    params(("id" = i64, Path, description = "The notification's id")),
    responses((status = 204), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
async fn read_notification(ctx: Ctx, ApiPath(id): ApiPath<String>) -> ApiResult<StatusCode> {
    let id: i64 = id
        .parse()
        .map_err(|_| ApiError::Domain(steward_core::Error::not_found("notification", &id)))?;
    ctx.state
        .store
        .mark_notification_read(ctx.actor.user, id, ctx.now)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
