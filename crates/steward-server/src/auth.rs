//! Authentication: argon2id password hashes, API tokens (32 random bytes; only their SHA-256 is
//! stored), and the extractor that turns `Authorization: Bearer <token>` into an [`Actor`].

use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::request::Parts;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use steward_core::Error;
use steward_core::access::Actor;
use steward_core::user::User;

use crate::AppState;
use crate::error::ApiError;

/// Hashes a password with argon2id and a random salt.
pub fn hash_password(password: &str) -> Result<String, Error> {
    PasswordHasher::<PasswordHash>::hash_password(&Argon2::default(), password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| Error::unexpected(format!("cannot hash password: {e}")))
}

/// Whether `password` matches a stored hash. A malformed stored hash is an error, not a "no".
pub fn verify_password(password: &str, stored: &str) -> Result<bool, Error> {
    let parsed =
        PasswordHash::new(stored).map_err(|e| Error::unexpected(format!("stored password hash is malformed: {e}")))?;
    Ok(PasswordVerifier::<PasswordHash>::verify_password(&Argon2::default(), password.as_bytes(), &parsed).is_ok())
}

/// A new API token to hand to the user, and the hash to store.
pub fn new_token() -> Result<(String, String), Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| Error::unexpected(format!("no randomness: {e}")))?;
    let token = format!("stw_{}", hex::encode(bytes));
    let hash = token_hash(&token);
    Ok((token, hash))
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A random password for the first administrator.
pub fn random_password() -> Result<String, Error> {
    let mut bytes = [0u8; 18];
    getrandom::fill(&mut bytes).map_err(|e| Error::unexpected(format!("no randomness: {e}")))?;
    Ok(hex::encode(bytes))
}

pub fn actor_of(u: &User) -> Actor {
    Actor {
        user: u.id,
        role: u.role,
        organisation: u.organisation,
    }
}

/// The current instant at the precision Steward stores (microseconds), so what a write returns
/// is exactly what a later read shows.
pub fn now() -> DateTime<Utc> {
    let t = Utc::now();
    DateTime::from_timestamp_micros(t.timestamp_micros()).unwrap_or(t)
}

/// The context of an authenticated API call: who, when, and the application state.
pub struct Ctx {
    pub actor: Actor,
    pub user: User,
    pub now: DateTime<Utc>,
    pub state: AppState,
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ctx::from_token(state, &parts.headers, None).await
    }
}

impl Ctx {
    /// Authenticates from the Authorization header or, on the few routes that allow it (feeds
    /// read by calendar clients, which cannot send headers), a token from the query string.
    pub async fn from_token(state: &AppState, headers: &HeaderMap, query_token: Option<&str>) -> Result<Ctx, ApiError> {
        let header = match (headers.get(axum::http::header::AUTHORIZATION), query_token) {
            (None, Some(token)) => return Ctx::for_token(state, token).await,
            (h, _) => h,
        };
        let header = header.ok_or_else(|| {
            ApiError::Unauthenticated("authentication required: send Authorization: Bearer <token>".into())
        })?;
        let value = header
            .to_str()
            .map_err(|_| ApiError::Unauthenticated("the Authorization header is not valid text".into()))?;
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| ApiError::Unauthenticated("the Authorization header must be 'Bearer <token>'".into()))?;
        Ctx::for_token(state, token).await
    }

    async fn for_token(state: &AppState, token: &str) -> Result<Ctx, ApiError> {
        let now = now();
        let user = state
            .store
            .user_by_token(&token_hash(token), now)
            .await?
            .ok_or_else(|| ApiError::Unauthenticated("this token is unknown, revoked or expired".into()))?;
        if !user.active {
            return Err(ApiError::Unauthenticated("this user has been deactivated".into()));
        }
        Ok(Ctx {
            actor: actor_of(&user),
            user,
            now,
            state: state.clone(),
        })
    }
}
