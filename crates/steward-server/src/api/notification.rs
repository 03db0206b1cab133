//! `/api/v1/notifications`: the signed-in user's in-app notifications.

use axum::Json;
use axum::http::StatusCode;
use steward_core::notification::Notification;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{ApiPath, ApiQuery};
use super::{ListOf, check_limit};
use crate::AppState;
use crate::auth::Ctx;
use crate::error::{ApiError, ApiResult, ErrorBody};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_notifications))
        .routes(routes!(read_notification))
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
