//! `/api/v1/tokens`: exchange a password for an API token, list a person's tokens, and revoke
//! one. A token is shown once when it is made; Steward keeps only its hash, its name, when it
//! was made, when it expires and when it was revoked.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use steward_core::Error;
use steward_core::id::{TokenId, UserId};
use steward_core::token::{ApiToken, check_token, may_revoke};
use steward_core::user::{Role, User};
use steward_store::TokenInfo;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{ApiJson, ApiPath, ApiQuery};
use crate::AppState;
use crate::auth::{Ctx, new_token, sign_in};
use crate::error::{ApiResult, ErrorBody};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_token, list_tokens))
        .routes(routes!(revoke_token))
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
    pub id: TokenId,
    pub user: User,
    pub expires_at: Option<DateTime<Utc>>,
}

#[utoipa::path(post, path = "/api/v1/tokens", tag = "session", request_body = TokenRequest,
    responses((status = 201, body = NewToken), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody, description = "too many failed sign-ins for this account or from this network address; `Retry-After` says when to try again")))]
async fn create_token(
    State(state): State<AppState>,
    address: crate::ClientAddress,
    ApiJson(req): ApiJson<TokenRequest>,
) -> ApiResult<(StatusCode, Json<NewToken>)> {
    let now = crate::auth::now();
    let name = req.name.as_deref().unwrap_or("api");
    let (name, expires_at) = check_token(name, req.expires_in_days, now)?;
    let user = sign_in(&state, &req.email, &req.password, address, now).await?;
    let (token, id) = issue(&state, user.id, name, expires_at, now).await?;
    Ok((
        StatusCode::CREATED,
        Json(NewToken {
            token,
            id,
            user,
            expires_at,
        }),
    ))
}

/// Makes a token for a user: the token (to show once) and its id.
pub(crate) async fn issue(
    state: &AppState,
    user: UserId,
    name: String,
    expires_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> ApiResult<(String, TokenId)> {
    let (token, token_hash) = new_token()?;
    let info = TokenInfo {
        name,
        created_at: now,
        expires_at,
    };
    let id = state.store.insert_token(user, &token_hash, &info).await?;
    Ok((token, id))
}

/// Whose tokens to list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TokenQuery {
    /// Another person's tokens (administrators only); the caller's own without it.
    #[serde(default)]
    pub user: Option<UserId>,
}

/// A person's tokens.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Tokens {
    pub items: Vec<ApiToken>,
}

/// The tokens of the caller, or of another person for an administrator, newest first.
pub(crate) async fn tokens_of(ctx: &Ctx, user: Option<UserId>) -> ApiResult<Vec<ApiToken>> {
    let user = user.unwrap_or(ctx.actor.user);
    if user != ctx.actor.user && ctx.actor.role != Role::Admin {
        return Err(Error::Forbidden("only an administrator may list another person's tokens".into()).into());
    }
    Ok(ctx.state.store.list_tokens(user, ctx.now).await?)
}

#[utoipa::path(get, path = "/api/v1/tokens", tag = "session", params(TokenQuery),
    responses((status = 200, body = Tokens), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
async fn list_tokens(ctx: Ctx, ApiQuery(q): ApiQuery<TokenQuery>) -> ApiResult<Json<Tokens>> {
    Ok(Json(Tokens {
        items: tokens_of(&ctx, q.user).await?,
    }))
}

/// Revokes a token of the caller's own (or anyone's, for an administrator); a token of
/// someone else's is answered as not found.
pub(crate) async fn revoke(ctx: &Ctx, reference: &str) -> ApiResult<ApiToken> {
    let id: TokenId = reference
        .parse()
        .map_err(|_| Error::not_found("API token", reference.chars().take(40).collect::<String>()))?;
    let found = ctx.state.store.get_token(id, ctx.now).await?;
    if !found.is_some_and(|t| may_revoke(&ctx.actor, t.user)) {
        return Err(Error::not_found("API token", id).into());
    }
    ctx.state
        .store
        .revoke_token(id, Some(ctx.actor.user), ctx.now)
        .await?
        .ok_or_else(|| Error::not_found("API token", id).into())
}

#[utoipa::path(delete, path = "/api/v1/tokens/{reference}", tag = "session",
    params(("reference" = String, Path, description = "e.g. TOK-3")),
    responses((status = 200, body = ApiToken), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn revoke_token(ctx: Ctx, ApiPath(reference): ApiPath<String>) -> ApiResult<Json<ApiToken>> {
    revoke(&ctx, &reference).await.map(Json)
}
