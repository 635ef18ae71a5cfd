//! Starting and stopping `herald serve`: open the store, build the router, listen (plain HTTP, or
//! HTTPS with a certificate), and finish in-flight requests on SIGTERM or Ctrl-C.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::connect_info::Connected;
use axum::extract::Request;
use axum::serve::{IncomingStream, Listener};
use axum::ServiceExt;
use tokio::sync::oneshot;
use tower::Layer;
use tower_http::normalize_path::NormalizePathLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use crate::api::peer::Peer;
use crate::api::{self, AppState};
use crate::config::ServeConfig;
use crate::registry::Registry;
use crate::tls::TlsListener;

pub async fn state(config: &ServeConfig) -> anyhow::Result<AppState> {
    let store = crate::store::open(&config.database_url).await?;
    let registry = Registry::new(store, config.dialect).await?;
    if let Some(dir) = config.catalog_dir.as_deref().filter(|d| d.is_dir()) {
        if registry.load_catalog_if_empty(dir).await? {
            tracing::info!(catalog = %dir.display(), "loaded the catalog folder into the empty database");
        }
    }
    Ok(AppState {
        registry: Arc::new(registry),
        max_body_bytes: config.max_body_bytes,
        max_schema_bytes: config.max_schema_bytes,
        trust_forwarded_for: config.trust_forwarded_for,
        request_timeout: config.request_timeout,
        auth: api::auth::AuthSettings {
            enabled: config.auth,
            anonymous_read: config.anonymous_read,
        },
    })
}

/// A running server; dropping it (or calling `stop`) shuts it down gracefully.
pub struct RunningServer {
    pub addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl RunningServer {
    pub async fn stop(mut self) -> anyhow::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.await??;
        }
        Ok(())
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Binds `config.listen` (port 0 picks a free one) and serves in the background.
pub async fn spawn(config: ServeConfig) -> anyhow::Result<RunningServer> {
    let state = state(&config).await?;
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    let addr = listener.local_addr()?;
    let (tx, rx) = oneshot::channel::<()>();
    let shutdown = async {
        let _ = rx.await;
    };
    let task = match &config.tls {
        Some(files) => {
            let tls = TlsListener::new(listener, crate::tls::server_config(files)?)?;
            tokio::spawn(run(tls, state, shutdown))
        }
        None => tokio::spawn(run(listener, state, shutdown)),
    };
    Ok(RunningServer {
        addr,
        shutdown: Some(tx),
        task: Some(task),
    })
}

/// Serves until SIGTERM or Ctrl-C, then lets in-flight requests finish.
pub async fn serve(config: ServeConfig) -> anyhow::Result<()> {
    let state = state(&config).await?;
    // Checked before binding, so a bad certificate fails at once rather than on first connect.
    let tls = config
        .tls
        .as_ref()
        .map(crate::tls::server_config)
        .transpose()?;
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    let addr = listener.local_addr()?;
    match tls {
        Some(tls) => {
            tracing::info!(%addr, database = %config.database_url, "herald listening (HTTPS)");
            log_urls("https", addr);
            run(TlsListener::new(listener, tls)?, state, shutdown_signal()).await?;
        }
        None => {
            if !addr.ip().is_loopback() {
                tracing::warn!(%addr, "serving plain HTTP on a non-loopback address; give --tls-cert and --tls-key for HTTPS");
            }
            tracing::info!(%addr, database = %config.database_url, "herald listening");
            log_urls("http", addr);
            run(listener, state, shutdown_signal()).await?;
        }
    }
    tracing::info!("herald stopped");
    Ok(())
}

/// Where a person goes next: the catalog pages and the API documentation.
fn log_urls(scheme: &str, addr: SocketAddr) {
    // An unspecified address is not one a browser can open; loopback reaches it from this host.
    let host = if addr.ip().is_unspecified() {
        SocketAddr::new(std::net::Ipv4Addr::LOCALHOST.into(), addr.port())
    } else {
        addr
    };
    tracing::info!(
        catalog = %format!("{scheme}://{host}/ui"),
        docs = %format!("{scheme}://{host}/docs"),
        "open the catalog in a browser"
    );
}

async fn run<L>(
    listener: L,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()>
where
    L: Listener,
    L::Addr: std::fmt::Debug,
    Peer: for<'a> Connected<IncomingStream<'a, L>>,
{
    let timeout = state.request_timeout;
    let router = api::router(state)
        .layer(
            tower::ServiceBuilder::new()
                .layer(axum::error_handling::HandleErrorLayer::new(|_: tower::BoxError| async {
                    crate::error::Error::Timeout("the request took too long".into())
                }))
                .layer(tower::timeout::TimeoutLayer::new(timeout)),
        )
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request| {
                let id = request
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default();
                tracing::info_span!("request", method = %request.method(), uri = %request.uri(), request_id = %id)
            }),
        )
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid));
    // Trailing slashes are trimmed before routing: the Java client posts to `.../versions/`.
    let app = NormalizePathLayer::trim_trailing_slash().layer(router);
    axum::serve(
        listener,
        ServiceExt::<Request>::into_make_service_with_connect_info::<Peer>(app),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
