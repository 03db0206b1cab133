//! What every response carries for the browser's protection — a content security policy that
//! allows no inline script or style and no framing, no content sniffing, no referrer to other
//! sites — and the security log: every refused request (401, 403, 429) is written under the
//! `steward::security` target with its request id, method, path and the client's address, so
//! denied access can be followed without reading every request. Secrets never reach it: paths
//! are logged without their query (where a calendar client may carry its token) and no header
//! is logged.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

/// Only Steward's own files: no inline script, style or event handler, no plug-ins, no base
/// rewriting, forms only to Steward, and no page of Steward's inside another site's frame.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

const HEADERS: [(HeaderName, &str); 6] = [
    (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
    (header::X_FRAME_OPTIONS, "DENY"),
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::REFERRER_POLICY, "same-origin"),
    (HeaderName::from_static("cross-origin-opener-policy"), "same-origin"),
    (
        HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=(), payment=()",
    ),
];

pub async fn middleware(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path: String = req.uri().path().chars().take(200).collect();
    let address = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let mut resp = next.run(req).await;
    let headers = resp.headers_mut();
    for (name, value) in HEADERS {
        headers.insert(name, HeaderValue::from_static(value));
    }
    let status = resp.status();
    if matches!(
        status,
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::TOO_MANY_REQUESTS
    ) {
        tracing::warn!(
            target: "steward::security",
            request_id = %crate::request_id::current(),
            %method,
            path,
            status = status.as_u16(),
            address = address.map(|a| a.to_string()).unwrap_or_default(),
            "access denied"
        );
    }
    resp
}
