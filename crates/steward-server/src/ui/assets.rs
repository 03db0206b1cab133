//! The front-end files, vendored in `assets/` and embedded in the binary: nothing is fetched
//! from the network, at build time or at run time.

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// (name, content type, bytes). htmx 2.0.11 is the upstream `dist/htmx.min.js` (licence in
/// `assets/htmx.LICENSE`); the rest are Steward's own.
const FILES: &[(&str, &str, &[u8])] = &[
    (
        "htmx.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/htmx.min.js"),
    ),
    (
        "steward.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/steward.js"),
    ),
    (
        "steward.css",
        "text/css; charset=utf-8",
        include_bytes!("../../assets/steward.css"),
    ),
    (
        "docs.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/docs.js"),
    ),
    (
        "docs.css",
        "text/css; charset=utf-8",
        include_bytes!("../../assets/docs.css"),
    ),
    (
        "favicon.svg",
        "image/svg+xml",
        include_bytes!("../../assets/favicon.svg"),
    ),
];

pub async fn serve(Path(file): Path<String>) -> Response {
    match FILES.iter().find(|(name, _, _)| *name == file) {
        Some((_, content_type, bytes)) => (
            [
                (header::CONTENT_TYPE, *content_type),
                // Pages ask for `?v=<version>`, so a new release is fetched afresh.
                (header::CACHE_CONTROL, "public, max-age=86400"),
            ],
            *bytes,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "no such file").into_response(),
    }
}
