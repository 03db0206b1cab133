//! The one place errors become HTTP: an exhaustive mapping from domain errors (and the few
//! errors only HTTP has) to a status and a JSON body `{"error":{"code","message","fields"}}`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use steward_core::{Error, FieldError};

use crate::request_id;

/// An error as a handler returns it.
#[derive(Debug)]
pub enum ApiError {
    Domain(Error),
    /// No credentials, or credentials that are wrong, revoked or expired.
    Unauthenticated(String),
    /// The body is not JSON, not UTF-8, or not well-formed.
    MalformedBody(String),
    PayloadTooLarge(String),
    UnsupportedMediaType(String),
    /// A query string that does not parse.
    BadQuery(String),
    /// A path parameter that cannot be read (not UTF-8, or not of its shape).
    BadPath(String),
    RouteNotFound,
    MethodNotAllowed,
    /// Too many failed sign-ins for one address: refused for `retry_after` seconds.
    TooManyAttempts {
        message: String,
        retry_after: i64,
    },
}

pub type ApiResult<T> = Result<T, ApiError>;

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        ApiError::Domain(e)
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// A stable, machine-readable code such as `not_found` or `invalid_transition`.
    pub code: &'static str,
    pub message: String,
    /// The fields at fault, when the input was invalid.
    pub fields: Vec<FieldError>,
    /// For an invalid transition, the states that may follow the current one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed: Option<Vec<String>>,
    /// Quote this when reporting a problem: the server's log has the details under it.
    pub request_id: String,
}

/// An error as the client is told it, whether as JSON or as a web page.
pub struct Told {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub fields: Vec<FieldError>,
    pub allowed: Option<Vec<String>>,
    pub request_id: String,
}

impl ApiError {
    /// The status, code and message for this error; an unexpected one is logged here, once,
    /// under the request id, and the client is told only that id.
    pub fn told(self) -> Told {
        let rid = request_id::current();
        let (status, code, message, fields, allowed) = match self {
            ApiError::Domain(e) => match e {
                Error::NotFound { .. } => (StatusCode::NOT_FOUND, "not_found", e.to_string(), vec![], None),
                Error::Conflict(m) => (StatusCode::CONFLICT, "conflict", m, vec![], None),
                Error::Invalid(ref f) => {
                    let f = f.clone();
                    (StatusCode::UNPROCESSABLE_ENTITY, "invalid", e.to_string(), f, None)
                }
                Error::Forbidden(m) => (StatusCode::FORBIDDEN, "forbidden", m, vec![], None),
                Error::InvalidTransition { ref allowed, .. } => {
                    let allowed = allowed.clone();
                    (
                        StatusCode::CONFLICT,
                        "invalid_transition",
                        e.to_string(),
                        vec![],
                        Some(allowed),
                    )
                }
                Error::Unexpected(source) => {
                    tracing::error!(request_id = %rid, error = %source, cause = ?source, "unexpected error");
                    (
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "internal",
                        format!("something went wrong on the server; quote request id {rid} when reporting it"),
                        vec![],
                        None,
                    )
                }
            },
            ApiError::Unauthenticated(m) => (StatusCode::UNAUTHORIZED, "unauthenticated", m, vec![], None),
            ApiError::MalformedBody(m) => (StatusCode::BAD_REQUEST, "malformed_body", m, vec![], None),
            ApiError::PayloadTooLarge(m) => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", m, vec![], None),
            ApiError::UnsupportedMediaType(m) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                m,
                vec![],
                None,
            ),
            ApiError::BadQuery(m) => (StatusCode::BAD_REQUEST, "bad_query", m, vec![], None),
            ApiError::BadPath(m) => (StatusCode::BAD_REQUEST, "bad_path", m, vec![], None),
            ApiError::TooManyAttempts { message, .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_attempts",
                message,
                vec![],
                None,
            ),
            ApiError::RouteNotFound => (
                StatusCode::NOT_FOUND,
                "not_found",
                "there is no such route; see /api/v1/docs".into(),
                vec![],
                None,
            ),
            ApiError::MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "this route does not take this method; see /api/v1/docs".into(),
                vec![],
                None,
            ),
        };
        Told {
            status,
            code,
            message,
            fields,
            allowed,
            request_id: rid,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let retry_after = match &self {
            ApiError::TooManyAttempts { retry_after, .. } => Some(*retry_after),
            _ => None,
        };
        let Told {
            status,
            code,
            message,
            fields,
            allowed,
            request_id: rid,
        } = self.told();
        let mut resp = (
            status,
            Json(ErrorBody {
                error: ErrorDetail {
                    code,
                    message,
                    fields,
                    allowed,
                    request_id: rid.clone(),
                },
            }),
        )
            .into_response();
        if status == StatusCode::UNAUTHORIZED {
            resp.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        if let Some(seconds) = retry_after {
            resp.headers_mut()
                .insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from(seconds));
        }
        resp
    }
}
