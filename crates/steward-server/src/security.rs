//! What every response carries for the browser's protection — a content security policy that
//! allows no inline script or style and no framing, no content sniffing, no referrer to other
//! sites — and the security log: every refused request (401, 403, 429) is written under the
//! `steward::security` target with its request id, method, path and the client's address, so
//! denied access can be followed without reading every request. Secrets never reach it: paths
//! are logged without their query (where a calendar client may carry its token) and no header
//! is logged. The client's address is the connection's peer or, when the peer is a trusted
//! reverse proxy, the nearest untrusted address in its `X-Forwarded-For` ([`ClientAddress`]).

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::AppState;

/// Where a request came from, if the server knows (a request handed to the router without a
/// connection, as in tests, has no address).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub Option<IpAddr>);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        Ok(ClientAddress(client_address(
            peer,
            &parts.headers,
            &state.trusted_proxies,
        )))
    }
}

/// The peer, unless it is a trusted proxy: then the right-most address of `X-Forwarded-For` that
/// is not a trusted proxy (each proxy appends the address it heard from, so anything to the left
/// of the first untrusted one may have been written by the client itself). A header that cannot
/// be read leaves the peer.
pub fn client_address(peer: Option<IpAddr>, headers: &HeaderMap, trusted: &[IpAddr]) -> Option<IpAddr> {
    let peer = peer?;
    if !trusted.contains(&peer) {
        return Some(peer);
    }
    let mut forwarded: Vec<IpAddr> = Vec::new();
    for value in headers.get_all("x-forwarded-for") {
        let Ok(text) = value.to_str() else {
            return Some(peer);
        };
        for part in text.split(',') {
            match part.trim().parse::<IpAddr>() {
                Ok(ip) => forwarded.push(ip),
                Err(_) => return Some(peer),
            }
        }
    }
    Some(
        forwarded
            .iter()
            .rev()
            .find(|ip| !trusted.contains(ip))
            .copied()
            .unwrap_or(peer),
    )
}

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

pub async fn middleware(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path: String = req.uri().path().chars().take(200).collect();
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let address = client_address(peer, req.headers(), &state.trusted_proxies);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or(IpAddr::from([0, 0, 0, 0]))
    }

    fn forwarded(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Ok(v) = HeaderValue::from_str(v) {
            h.insert("x-forwarded-for", v);
        }
        h
    }

    #[test]
    fn only_a_trusted_proxy_is_believed_and_only_for_the_address_it_heard_from() {
        let proxy = ip("10.0.0.2");
        let trusted = [proxy, ip("10.0.0.3")];
        let client = Some(ip("203.0.113.9"));
        // Not from a proxy: the header is whatever the client wrote, and ignored.
        assert_eq!(client_address(client, &forwarded("198.51.100.1"), &trusted), client);
        // From the proxy: the address it appended.
        assert_eq!(client_address(Some(proxy), &forwarded("203.0.113.9"), &trusted), client);
        // A client that writes its own header cannot hide behind what it wrote.
        assert_eq!(
            client_address(Some(proxy), &forwarded("198.51.100.1, 203.0.113.9"), &trusted),
            client
        );
        // Two trusted proxies in a row are both passed over.
        assert_eq!(
            client_address(Some(proxy), &forwarded("203.0.113.9, 10.0.0.3"), &trusted),
            client
        );
        // Nothing readable: the proxy itself.
        assert_eq!(
            client_address(Some(proxy), &forwarded("not an address"), &trusted),
            Some(proxy)
        );
        assert_eq!(client_address(Some(proxy), &HeaderMap::new(), &trusted), Some(proxy));
        assert_eq!(client_address(None, &forwarded("203.0.113.9"), &trusted), None);
    }
}
