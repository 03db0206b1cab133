//! Request parsing at the edge: JSON bodies and query strings become typed values, and every way
//! they can be wrong becomes a 4xx naming what was wrong.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use steward_core::{Error, FieldError};

use crate::error::ApiError;

/// A JSON body. Unknown, missing and mistyped fields are a 422 naming the field; a body that is
/// not JSON at all is a 400; one over the size limit a 413; a wrong content type a 415.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let json_type = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                let mime = v.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
                mime == "application/json" || mime.ends_with("+json")
            })
            .unwrap_or(false);
        if !json_type {
            return Err(ApiError::UnsupportedMediaType(
                "send the body as JSON with Content-Type: application/json".into(),
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge(format!(
                    "the body is larger than the {} KiB this server accepts",
                    crate::BODY_LIMIT / 1024
                ))
            } else {
                ApiError::MalformedBody(format!("the body could not be read: {e}"))
            }
        })?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// A route's path parameters. One that cannot be read (not UTF-8, or not of the parameter's
/// shape) is a 400 naming it, in the same error body as every other refusal.
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(ApiPath(v)),
            Err(e) => Err(ApiError::BadPath(e.body_text())),
        }
    }
}

/// Parses JSON, telling syntax errors (400) from shape errors (422, with the field's path).
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.is_empty() {
        return Err(ApiError::MalformedBody("the body is empty; send a JSON object".into()));
    }
    let value: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| ApiError::MalformedBody(format!("the body is not valid JSON: {e}")))?;
    if !value.is_object() {
        return Err(ApiError::Domain(Error::invalid("body", "must be a JSON object")));
    }
    if let Some(path) = find_nul(&value, String::new()) {
        return Err(ApiError::Domain(Error::invalid(
            path,
            "text must not contain NUL characters",
        )));
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let message = e.into_inner().to_string();
        let field = field_of(&path, &message);
        ApiError::Domain(Error::Invalid(vec![FieldError::new(field, message)]))
    })
}

/// The path of the first string (or key) holding a NUL, which no text column can store.
fn find_nul(v: &serde_json::Value, path: String) -> Option<String> {
    match v {
        serde_json::Value::String(s) if s.contains('\0') => Some(if path.is_empty() { "body".into() } else { path }),
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, x)| find_nul(x, format!("{path}[{i}]"))),
        serde_json::Value::Object(map) => map.iter().find_map(|(k, x)| {
            let here = if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            };
            if k.contains('\0') {
                Some(here)
            } else {
                find_nul(x, here)
            }
        }),
        _ => None,
    }
}

/// The field a shape error is about: its path, or for "missing field `x`"/"unknown field `x`"
/// at the top level, `x`.
fn field_of(path: &str, message: &str) -> String {
    let named = message
        .split('`')
        .nth(1)
        .filter(|_| message.starts_with("missing field") || message.starts_with("unknown field"));
    match (path, named) {
        (".", Some(n)) => n.to_string(),
        (".", None) => "body".to_string(),
        (p, Some(n)) if message.starts_with("missing field") => format!("{p}.{n}"),
        (p, _) => p.to_string(),
    }
}

/// A query string; anything unknown or unparsable is a 400 naming it.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parse_query(parts.uri.query().unwrap_or("")).map(ApiQuery)
    }
}

/// Reads a query string as [`ApiQuery`] does: anything unknown or unparsable is a 400 naming it.
pub fn parse_query<T: DeserializeOwned>(q: &str) -> Result<T, ApiError> {
    if q.to_ascii_lowercase().contains("%00") {
        return Err(ApiError::BadQuery(
            "the query string must not contain NUL characters".into(),
        ));
    }
    serde_urlencoded::from_str(q).map_err(|e| ApiError::BadQuery(format!("the query string is not valid: {e}")))
}
