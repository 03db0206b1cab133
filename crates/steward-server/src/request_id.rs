//! The request id: taken from `x-request-id` when the client sends a sane one, made otherwise;
//! returned on every response, put on every log line of the request, and in every error body.

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

tokio::task_local! {
    static REQUEST_ID: String;
}

pub const HEADER: &str = "x-request-id";

/// The id of the request being served, or `-` outside one.
pub fn current() -> String {
    REQUEST_ID.try_with(|r| r.clone()).unwrap_or_else(|_| "-".to_string())
}

fn acceptable(v: &str) -> bool {
    (1..=64).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

pub async fn middleware(req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| acceptable(v))
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    let span = tracing::info_span!("request", request_id = %id, method = %req.method(), path = %req.uri().path());
    let started = std::time::Instant::now();
    let mut resp = REQUEST_ID
        .scope(id.clone(), async move { next.run(req).await }.instrument(span.clone()))
        .await;
    span.in_scope(|| {
        tracing::info!(
            status = resp.status().as_u16(),
            micros = started.elapsed().as_micros() as u64,
            "served"
        );
    });
    if let Ok(v) = HeaderValue::from_str(&id) {
        resp.headers_mut().insert(HEADER, v);
    }
    resp
}
