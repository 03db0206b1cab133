//! Authentication: argon2id password hashes, API tokens (32 random bytes; only their SHA-256 is
//! stored), and the extractor that turns `Authorization: Bearer <token>` into an [`Actor`].

use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::request::Parts;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use steward_core::Error;
use steward_core::access::{Actor, Operation, authorize};
use steward_core::user::User;
use steward_store::SignInFrom;

use crate::AppState;
use crate::error::ApiError;
use crate::security::ClientAddress;

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

/// The current instant at the precision Steward stores (microseconds), so what a write returns
/// is exactly what a later read shows.
pub fn now() -> DateTime<Utc> {
    let t = Utc::now();
    DateTime::from_timestamp_micros(t.timestamp_micros()).unwrap_or(t)
}

/// Checks an email address and password, for the sign-in page and the token endpoint alike.
/// Failures are counted per account and per network address in the database; past a few in a row
/// the account is locked for a growing delay and refused without looking at the password, and
/// past many more so is the address (one address guessing across many accounts). A success
/// clears the account's count but not the address's, so a guesser cannot reset it with an account
/// of its own. An unknown address costs the same hashing as a known one, so the answer's timing
/// does not tell which addresses exist.
pub async fn sign_in(
    state: &AppState,
    email: &str,
    password: &str,
    address: ClientAddress,
    now: DateTime<Utc>,
) -> Result<User, ApiError> {
    use steward_core::user::{SIGN_IN_WINDOW_MINUTES, address_sign_in_delay, sign_in_delay};
    let email = email.trim().to_lowercase();
    let account = SignInFrom::Account(&email);
    let network = address.0.map(|a| a.to_string());
    let network = network.as_deref().map(SignInFrom::Address);
    if let Some(from) = network
        && let Some(until) = state.store.sign_in_locked_until(from, now).await?
    {
        return Err(locked("from this network address", until, now));
    }
    if let Some(until) = state.store.sign_in_locked_until(account, now).await? {
        return Err(locked("for this account", until, now));
    }
    let creds = state.store.credentials_by_email(&email).await?;
    let (hash, active) = match creds
        .as_ref()
        .and_then(|c| c.password_hash.clone().map(|h| (h, c.user.active)))
    {
        Some((hash, active)) => (hash, active),
        None => (decoy_hash()?.to_string(), false),
    };
    // Hashing takes tens of milliseconds of one core: off the threads that serve requests.
    let password = password.to_string();
    let matches = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .map_err(|e| Error::unexpected(format!("password check did not finish: {e}")))??;
    let ok = matches && active;
    match creds {
        Some(c) if ok => {
            state.store.clear_sign_in_failures(account).await?;
            Ok(c.user)
        }
        _ => {
            let window = chrono::Duration::minutes(SIGN_IN_WINDOW_MINUTES);
            let (_, account_until) = state
                .store
                .record_sign_in_failure(account, now, window, sign_in_delay)
                .await?;
            let network_until = match network {
                Some(from) => {
                    state
                        .store
                        .record_sign_in_failure(from, now, window, address_sign_in_delay)
                        .await?
                        .1
                }
                None => 0,
            };
            if network_until > now.timestamp_micros() {
                Err(locked("from this network address", network_until, now))
            } else if account_until > now.timestamp_micros() {
                Err(locked("for this account", account_until, now))
            } else {
                Err(ApiError::Unauthenticated("wrong email or password".into()))
            }
        }
    }
}

fn locked(whose: &str, until: i64, now: DateTime<Utc>) -> ApiError {
    let seconds = ((until - now.timestamp_micros() + 999_999) / 1_000_000).max(1);
    ApiError::TooManyAttempts {
        message: format!("too many failed sign-ins {whose}; try again in {seconds} seconds"),
        retry_after: seconds,
    }
}

/// A hash to check a password against when the address has none, so both cost the same.
fn decoy_hash() -> Result<&'static str, Error> {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    if let Some(h) = DECOY.get() {
        return Ok(h);
    }
    let h = hash_password("steward decoy password")?;
    Ok(DECOY.get_or_init(|| h))
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
        let ctx = Ctx::from_token(state, &parts.headers, None).await?;
        // For `May`, which asks the access table before the body is read.
        parts.extensions.insert(ctx.actor.clone());
        Ok(ctx)
    }
}

/// An operation, as a type, for [`May`].
pub trait OperationMarker {
    const OPERATION: Operation;
}

/// Creating a record, for [`May`].
pub struct Creating;
/// Changing a record, for [`May`].
pub struct Changing;

impl OperationMarker for Creating {
    const OPERATION: Operation = Operation::Create;
}
impl OperationMarker for Changing {
    const OPERATION: Operation = Operation::Update;
}

/// The caller's actor as `Ctx` left it, for the extractors that ask before the body is read.
pub(crate) fn actor_in(parts: &Parts) -> Result<Actor, ApiError> {
    parts
        .extensions
        .get::<Actor>()
        .cloned()
        .ok_or_else(|| ApiError::Unauthenticated("authentication required: send Authorization: Bearer <token>".into()))
}

/// Proof that the caller may change system settings (administrators), asked before the body is
/// read, like [`May`].
pub struct MayChangeSettings;

impl FromRequestParts<AppState> for MayChangeSettings {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        steward_core::access::authorize_settings(&actor_in(parts)?, Operation::Update)?;
        Ok(MayChangeSettings)
    }
}

/// Proof that the caller may do `O` to records of type `T`, asked of the access table before
/// the request's body is read: a caller refused is told 403, never what the body should have
/// held. Put it after `Ctx` (which authenticates) and before the body among a handler's
/// arguments.
pub struct May<O, T>(std::marker::PhantomData<(O, T)>);

impl<O: OperationMarker, T: steward_store::Table> FromRequestParts<AppState> for May<O, T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        authorize(&actor_in(parts)?, T::KIND, O::OPERATION)?;
        Ok(May(std::marker::PhantomData))
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
            actor: Actor::of(&user),
            user,
            now,
            state: state.clone(),
        })
    }
}
