//! The OpenAPI document and a browsable API page, both served from the binary (no network).

use axum::Router;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::routing::get;

use crate::AppState;

const PAGE: &str = include_str!("docs.html");

pub fn routes(openapi_json: String) -> Router<AppState> {
    let json = std::sync::Arc::new(openapi_json);
    Router::new()
        .route(
            "/api/v1/openapi.json",
            get(move || {
                let json = json.clone();
                async move { ([(CONTENT_TYPE, "application/json")], (*json).clone()) }
            }),
        )
        .route(
            "/api/v1/docs",
            get(|| async { ([(CONTENT_TYPE, "text/html; charset=utf-8")], PAGE).into_response() }),
        )
}
