//! The client's address, recorded with every audited change.

use std::net::{IpAddr, SocketAddr};

use axum::extract::connect_info::ConnectInfo;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use super::AppState;

/// The remote end of a connection, plain or TLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Peer(pub SocketAddr);

/// The address a request comes from: the first `X-Forwarded-For` entry when the proxy in front
/// is trusted to write it (its own address is the peer then), else the connection's peer.
fn source_of(request: &Request, trust_forwarded_for: bool) -> Option<String> {
    if trust_forwarded_for {
        let forwarded = request
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|first| first.trim().parse::<IpAddr>().ok());
        if let Some(ip) = forwarded {
            return Some(ip.to_string());
        }
    }
    request
        .extensions()
        .get::<ConnectInfo<Peer>>()
        .map(|ConnectInfo(Peer(addr))| addr.ip().to_string())
}

/// Runs the request with its source address known to the audit trail.
pub async fn record(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let source = source_of(&request, state.trust_forwarded_for);
    crate::auth::from_source(source, next.run(request)).await
}
