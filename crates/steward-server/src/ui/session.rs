//! Signing in and out of the web interface, the session behind every page ([`Viewer`]), and
//! the check every posted form passes ([`Posted`]): the session's CSRF token in the form, and no
//! cross-site origin.
//!
//! A session is a random token in an `HttpOnly`, `SameSite=Lax` cookie (and `Secure` unless the
//! browser reached Steward on a loopback address, where there is no TLS to require); only its
//! SHA-256 is stored, with the user and the CSRF token, and it ends after twelve hours or at
//! sign-out.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::{UiError, UiResult, render, see_other};
use crate::AppState;
use crate::auth::{Ctx, now, sign_in, token_hash};
use crate::error::ApiError;

const SESSION_COOKIE: &str = "steward_session";
/// The sign-in form's own token, before there is a session (against login CSRF).
const SIGN_IN_COOKIE: &str = "steward_sign_in";
const SESSION_HOURS: i64 = 12;

/// The signed-in person behind a page, with the context the API helpers take.
pub struct Viewer {
    pub ctx: Ctx,
    pub csrf: String,
}

impl Viewer {
    pub fn chrome(&self, section: &'static str) -> super::Chrome {
        super::Chrome {
            user_name: self.ctx.user.name.clone(),
            role: self.ctx.actor.role,
            csrf: self.csrf.clone(),
            section,
        }
    }
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
        .filter(|v| !v.is_empty())
}

/// Whether the browser addressed us by a loopback name, where cookies cannot ask for TLS.
fn loopback(headers: &HeaderMap) -> bool {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or(""),
        None => host.split(':').next().unwrap_or(""),
    };
    name == "localhost" || name == "::1" || name.starts_with("127.")
}

fn set_cookie(headers: &HeaderMap, name: &str, value: &str, max_age: i64) -> Option<HeaderValue> {
    let secure = if loopback(headers) { "" } else { "; Secure" };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    ))
    .ok()
}

fn random_token() -> Result<String, ApiError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| ApiError::Domain(steward_core::Error::unexpected(format!("no randomness: {e}"))))?;
    Ok(hex::encode(bytes))
}

/// Compares two tokens in time independent of where they differ.
pub(crate) fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = UiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let next = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into());
        let sign_in = || UiError::SignIn { next: next.clone() };
        let token = cookie(&parts.headers, SESSION_COOKIE).ok_or_else(sign_in)?;
        let now = now();
        let session = state
            .store
            .web_session(&token_hash(token), now)
            .await?
            .filter(|s| s.user.active)
            .ok_or_else(sign_in)?;
        Ok(Viewer {
            ctx: Ctx {
                actor: steward_core::access::Actor::of(&session.user),
                user: session.user,
                now,
                state: state.clone(),
            },
            csrf: session.csrf_token,
        })
    }
}

/// A form posted by a signed-in person from one of Steward's pages, parsed into `T`.
pub struct Posted<T> {
    pub viewer: Viewer,
    pub form: T,
}

/// Refuses a write that a browser says came from another site.
pub(crate) fn cross_site(headers: &HeaderMap) -> bool {
    headers
        .get("Sec-Fetch-Site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == "cross-site")
}

/// The value of `csrf` in a form body.
fn csrf_field(body: &[u8]) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v)
}

impl<T: DeserializeOwned> FromRequest<AppState> for Posted<T> {
    type Rejection = UiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let viewer = Viewer::from_request_parts(&mut parts, state).await?;
        if cross_site(&parts.headers) {
            return Err(UiError::Csrf);
        }
        let bytes = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|e| ApiError::MalformedBody(format!("the form could not be read: {e}")))?;
        match csrf_field(&bytes) {
            Some(t) if same_token(&t, &viewer.csrf) => {}
            _ => return Err(UiError::Csrf),
        }
        let form = serde_urlencoded::from_bytes::<T>(&bytes)
            .map_err(|e| ApiError::MalformedBody(format!("the form is not one of Steward's: {e}")))?;
        Ok(Posted { viewer, form })
    }
}

#[derive(Deserialize)]
pub struct SignInQuery {
    #[serde(default)]
    next: Option<String>,
}

#[derive(Template)]
#[template(path = "session/sign_in.html")]
struct SignInPage {
    csrf: String,
    next: String,
    email: String,
    error: Option<String>,
}

/// Only a path on this site may follow a sign-in, never another site.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") => n.to_string(),
        _ => "/".into(),
    }
}

fn sign_in_response(headers: &HeaderMap, page: SignInPage, status: axum::http::StatusCode) -> Response {
    let mut resp = (status, render(&page)).into_response();
    if let Some(c) = set_cookie(headers, SIGN_IN_COOKIE, &page.csrf, 3600) {
        resp.headers_mut().append(header::SET_COOKIE, c);
    }
    resp
}

pub async fn sign_in_page(headers: HeaderMap, Query(q): Query<SignInQuery>) -> UiResult<Response> {
    let csrf = match cookie(&headers, SIGN_IN_COOKIE) {
        Some(t) if t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()) => t.to_string(),
        _ => random_token()?,
    };
    let page = SignInPage {
        csrf,
        next: safe_next(q.next.as_deref()),
        email: String::new(),
        error: None,
    };
    Ok(sign_in_response(&headers, page, axum::http::StatusCode::OK))
}

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: Option<String>,
    #[serde(default)]
    csrf: String,
}

pub async fn submit_sign_in(
    State(state): State<AppState>,
    address: crate::ClientAddress,
    headers: HeaderMap,
    body: Bytes,
) -> UiResult<Response> {
    let form: SignInForm = serde_urlencoded::from_bytes(&body)
        .map_err(|e| ApiError::MalformedBody(format!("the sign-in form could not be read: {e}")))?;
    let expected = cookie(&headers, SIGN_IN_COOKIE).unwrap_or("");
    if cross_site(&headers) || expected.is_empty() || !same_token(&form.csrf, expected) {
        return Err(UiError::Csrf);
    }
    let next = safe_next(form.next.as_deref());
    let again = |error: String| SignInPage {
        csrf: expected.to_string(),
        next: next.clone(),
        email: form.email.clone(),
        error: Some(error),
    };
    if form.email.trim().is_empty() || form.password.is_empty() {
        let page = again("Enter your email address and your password.".into());
        return Ok(sign_in_response(
            &headers,
            page,
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        ));
    }
    let now = now();
    let user = match sign_in(&state, &form.email, &form.password, address, now).await {
        Ok(u) => u,
        Err(ApiError::Unauthenticated(_)) => {
            let page = again("Wrong email or password.".into());
            return Ok(sign_in_response(&headers, page, axum::http::StatusCode::UNAUTHORIZED));
        }
        Err(ApiError::TooManyAttempts { message, .. }) => {
            let mut m = message;
            if let Some(first) = m.get(..1) {
                m = format!("{}{}.", first.to_uppercase(), &m[1..]);
            }
            let page = again(m);
            return Ok(sign_in_response(
                &headers,
                page,
                axum::http::StatusCode::TOO_MANY_REQUESTS,
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let token = random_token()?;
    let csrf = random_token()?;
    state
        .store
        .insert_web_session(
            user.id,
            &token_hash(&token),
            &csrf,
            now,
            now + chrono::Duration::hours(SESSION_HOURS),
        )
        .await?;
    let mut resp = see_other(&next);
    if let Some(c) = set_cookie(&headers, SESSION_COOKIE, &token, SESSION_HOURS * 3600) {
        resp.headers_mut().append(header::SET_COOKIE, c);
    }
    if let Some(c) = set_cookie(&headers, SIGN_IN_COOKIE, "", 0) {
        resp.headers_mut().append(header::SET_COOKIE, c);
    }
    Ok(resp)
}

#[derive(Deserialize)]
pub struct SignOutForm {}

pub async fn sign_out(headers: HeaderMap, posted: Posted<SignOutForm>) -> UiResult<Response> {
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        posted
            .viewer
            .ctx
            .state
            .store
            .delete_web_session(&token_hash(token))
            .await?;
    }
    let mut resp = see_other("/sign-in");
    if let Some(c) = set_cookie(&headers, SESSION_COOKIE, "", 0) {
        resp.headers_mut().append(header::SET_COOKIE, c);
    }
    resp.headers_mut()
        .insert("HX-Redirect", HeaderValue::from_static("/sign-in"));
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_follow_a_sign_in() {
        assert_eq!(safe_next(Some("/incidents/INC-1")), "/incidents/INC-1");
        for bad in [
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example",
            "queue",
            "",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad}");
        }
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn cookies_are_read_and_loopback_is_recognised() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; steward_session=abc; b=2"),
        );
        h.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8080"));
        assert_eq!(cookie(&h, SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie(&h, "c"), None);
        assert!(loopback(&h));
        h.insert(header::HOST, HeaderValue::from_static("steward.example.com"));
        assert!(!loopback(&h));
        let c = set_cookie(&h, SESSION_COOKIE, "x", 60).unwrap();
        let c = c.to_str().unwrap();
        assert!(
            c.contains("HttpOnly") && c.contains("SameSite=Lax") && c.contains("Secure"),
            "{c}"
        );
        assert!(same_token("abc", "abc") && !same_token("abc", "abd") && !same_token("abc", "ab"));
    }
}
