//! Steward's HTTP surface: the web interface, the JSON API under `/api/v1`, its OpenAPI document
//! and browsable page, and the health probes. The only crate that knows HTTP and HTML.

pub mod api;
pub mod auth;
mod docs;
pub mod error;
mod ical;
pub mod request_id;
mod security;
pub mod ui;

use std::net::SocketAddr;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use steward_store::Store;
use tokio::net::TcpListener;

use crate::error::ApiError;
pub use crate::security::ClientAddress;

/// The largest request body accepted.
pub const BODY_LIMIT: usize = 1024 * 1024;

/// What every handler can reach. Nothing here is state that must agree between processes: that
/// lives in the database.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    /// Reverse proxies whose `X-Forwarded-For` is believed: a request from one of them is
    /// counted (sign-in throttling, the security log) against the address it forwarded for.
    pub trusted_proxies: std::sync::Arc<[std::net::IpAddr]>,
}

impl AppState {
    /// State for a server that trusts no proxy: every request is its peer's.
    pub fn new(store: Store) -> AppState {
        AppState {
            store,
            trusted_proxies: std::sync::Arc::from(Vec::new()),
        }
    }
}

async fn healthz() -> impl IntoResponse {
    Json(serde_json::json!({"status": "ok"}))
}

async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, Json(serde_json::json!({"status": "ready"}))),
        Err(e) => {
            tracing::warn!(error = %e, "not ready");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({"status": "database unavailable"})),
            )
        }
    }
}

/// An unknown address: a page for a browser, the JSON error for everyone else.
async fn route_not_found(headers: axum::http::HeaderMap) -> axum::response::Response {
    if ui::wants_html(&headers) {
        ui::error_page(ApiError::RouteNotFound.told())
    } else {
        ApiError::RouteNotFound.into_response()
    }
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

/// A handler that panicked: the error is logged with the request id and the client gets the
/// ordinary internal-error body, never a dropped connection. A panic is a bug all the same (the
/// API fuzzing fails on any 500).
fn panicked(panic: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into());
    ApiError::Domain(steward_core::Error::unexpected(format!("handler panicked: {what}"))).into_response()
}

/// The whole application.
pub fn app(state: AppState) -> Router {
    let (api, mut openapi) = api::routes().split_for_parts();
    api::document_errors(&mut openapi);
    let openapi_json = openapi.to_pretty_json().unwrap_or_else(|_| "{}".into());
    Router::new()
        .merge(api)
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .merge(docs::routes(openapi_json))
        .merge(ui::routes())
        .fallback(route_not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(panicked))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            security::middleware,
        ))
        .layer(axum::middleware::from_fn(request_id::middleware))
        .with_state(state)
}

/// Serves until `shutdown` completes, then finishes in-flight requests.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let addr: Option<SocketAddr> = listener.local_addr().ok();
    tracing::info!(?addr, "listening");
    let app = app(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;

    use super::*;

    async fn boom() -> &'static str {
        panic!("boom")
    }

    #[tokio::test]
    async fn a_panicking_handler_answers_the_internal_error_not_a_dropped_connection() {
        let app: Router = Router::new()
            .route("/boom", get(boom))
            .layer(tower_http::catch_panic::CatchPanicLayer::custom(panicked));
        let res = app
            .oneshot(Request::get("/boom").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = axum::body::to_bytes(res.into_body(), 10_000).await.unwrap();
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["error"]["code"], "internal", "{v}");
    }
}
