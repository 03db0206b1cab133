//! `/api/v1/tokens` (exchange a password for an API token) and `/api/v1/me`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use steward_core::id::TeamId;
use steward_core::user::User;
use steward_core::validate::{Checker, NAME_MAX};
use steward_store::TokenInfo;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::ApiJson;
use crate::AppState;
use crate::auth::{Ctx, new_token, sign_in};
use crate::error::{ApiResult, ErrorBody};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_token))
        .routes(routes!(get_me))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    pub email: String,
    pub password: String,
    /// A label to recognise the token by, e.g. "laptop script".
    #[serde(default)]
    pub name: Option<String>,
    /// 1 to 365; without it the token lasts until revoked.
    #[serde(default)]
    pub expires_in_days: Option<u32>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct NewToken {
    /// Shown once; only its hash is kept.
    pub token: String,
    pub user: User,
    pub expires_at: Option<DateTime<Utc>>,
}

#[utoipa::path(post, path = "/api/v1/tokens", tag = "session", request_body = TokenRequest,
    responses((status = 201, body = NewToken), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody, description = "too many failed sign-ins for this address; `Retry-After` says when to try again")))]
async fn create_token(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<TokenRequest>,
) -> ApiResult<(StatusCode, Json<NewToken>)> {
    let mut c = Checker::new();
    let name = req.name.clone().unwrap_or_else(|| "api".into());
    c.line("name", &name, NAME_MAX);
    if req.expires_in_days.is_some_and(|d| !(1..=365).contains(&d)) {
        c.fail("expires_in_days", "must be between 1 and 365");
    }
    c.finish()?;
    let now = crate::auth::now();
    let user = sign_in(&state, &req.email, &req.password, now).await?;
    let expires_at = req.expires_in_days.map(|d| now + Duration::days(i64::from(d)));
    let (token, token_hash) = new_token()?;
    state
        .store
        .insert_token(
            user.id,
            &token_hash,
            &TokenInfo {
                name,
                created_at: now,
                expires_at,
            },
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(NewToken {
            token,
            user,
            expires_at,
        }),
    ))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Me {
    pub user: User,
    pub teams: Vec<TeamId>,
}

#[utoipa::path(get, path = "/api/v1/me", tag = "session",
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)), security(("bearer" = [])))]
async fn get_me(ctx: Ctx) -> ApiResult<Json<Me>> {
    let teams = ctx.state.store.teams_of(ctx.user.id).await?;
    Ok(Json(Me { user: ctx.user, teams }))
}
