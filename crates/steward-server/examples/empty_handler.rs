//! The ceiling `scripts/bench-rt` measures Steward's HTTP figures against: an axum server whose
//! only route answers an empty 200, on the same runtime settings as Steward.
//! `cargo run --release -p steward-server --example empty_handler -- 127.0.0.1:8099`

use axum::Router;
use axum::routing::get;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let listen = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:8099".into());
    let app = Router::new().route("/", get(|| async {}));
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    axum::serve(listener, app).await
}
