//! Starting and stopping `herald serve`: open the store, build the router, listen (plain HTTP, or
//! HTTPS with a certificate), and finish in-flight requests on SIGTERM or Ctrl-C.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::serve::Listener;
use futures_util::future::Either;
use tokio::sync::oneshot;
use tower::Layer;
use tower_http::normalize_path::NormalizePathLayer;

use crate::http::peer::Peer;
use crate::http::AppState;
use crate::registry::Registry;
use crate::serve_settings::ServeConfig;
use crate::tls::TlsListener;

pub async fn state(config: &ServeConfig) -> anyhow::Result<AppState> {
    let store = crate::store::open_as_sole_writer(&config.database_url).await?;
    let limits = crate::registry::Limits {
        max_references: config.max_references,
        lookup_cache_entries: config.lookup_cache_entries,
    };
    let registry = Arc::new(Registry::with_limits(store, config.dialect, limits).await?);
    Registry::watch(&registry).await?;
    if let Some(dir) = config.catalog_dir.as_deref().filter(|d| d.is_dir()) {
        if registry.load_catalog_if_empty(dir).await? {
            tracing::info!(catalog = %dir.display(), "loaded the catalog folder into the empty database");
        }
    }
    Ok(AppState {
        registry,
        max_body_bytes: config.max_body_bytes,
        max_schema_bytes: config.max_schema_bytes,
        trust_forwarded_for: config.trust_forwarded_for,
        request_timeout: config.request_timeout,
        auth: crate::http::access::AuthSettings {
            enabled: config.auth,
            anonymous_read: config.anonymous_read,
            metrics_open: config.metrics_open,
            allowed_origins: config.allowed_origins.clone(),
        },
    })
}

/// The whole application: the API's routes and the pages behind the shared middleware.
pub fn app(state: AppState) -> axum::Router {
    let routes = crate::api::router().merge(crate::web::router());
    crate::http::router(state, routes)
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
    crate::limits::set_work_limit(config.max_work);
    raise_open_file_limit();
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
            tokio::spawn(run(tls, state, ConnectionLimits::of(&config), shutdown))
        }
        None => tokio::spawn(run(
            listener,
            state,
            ConnectionLimits::of(&config),
            shutdown,
        )),
    };
    Ok(RunningServer {
        addr,
        shutdown: Some(tx),
        task: Some(task),
    })
}

/// Serves until SIGTERM or Ctrl-C, then lets in-flight requests finish.
pub async fn serve(config: ServeConfig) -> anyhow::Result<()> {
    crate::limits::set_work_limit(config.max_work);
    raise_open_file_limit();
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
            run(
                TlsListener::new(listener, tls)?,
                state,
                ConnectionLimits::of(&config),
                shutdown_signal(),
            )
            .await?;
        }
        None => {
            if !addr.ip().is_loopback() {
                tracing::warn!(%addr, "serving plain HTTP on a non-loopback address; give --tls-cert and --tls-key for HTTPS");
            }
            tracing::info!(%addr, database = %config.database_url, "herald listening");
            log_urls("http", addr);
            run(
                listener,
                state,
                ConnectionLimits::of(&config),
                shutdown_signal(),
            )
            .await?;
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
    mut listener: L,
    state: AppState,
    limits: ConnectionLimits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()>
where
    L: Listener<Addr = SocketAddr>,
{
    // Request ids, logging, metrics, authentication and the time limit are in the router's
    // one middleware (`crate::http::middleware`).
    let hot = state.clone();
    let router = app(state);
    // Trailing slashes are trimmed before routing: the Java client posts to `.../versions/`.
    let app = NormalizePathLayer::trim_trailing_slash().layer(router);

    // Connections past the limit wait in the kernel's backlog; a connection that sends no
    // complete request head within the header timeout is closed, so idle or half-open
    // connections cannot hold every slot for long.
    let slots = Arc::new(tokio::sync::Semaphore::new(limits.max_connections));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    tokio::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
            _ = &mut shutdown => break,
        };
        let (io, addr) = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = &mut shutdown => break,
        };
        let (app, hot) = (app.clone(), hot.clone());
        let service =
            tower::service_fn(move |request: axum::http::Request<hyper::body::Incoming>| {
                // The serializers' hot reads, when memory holds them, need no routing.
                if let Some(response) = crate::http::hot_reads::answer(&hot, &request) {
                    return Either::Left(std::future::ready(Ok(response)));
                }
                if crate::http::hot_reads::is_lookup(&hot, &request) {
                    let (hot, app) = (hot.clone(), app.clone());
                    return Either::Right(Either::Left(Box::pin(async move {
                        match crate::http::hot_reads::lookup(&hot, request).await {
                            Ok(response) => Ok(response),
                            Err(request) => {
                                tower::ServiceExt::oneshot(app, routed(request, addr)).await
                            }
                        }
                    })));
                }
                Either::Right(Either::Right(tower::ServiceExt::oneshot(
                    app.clone(),
                    routed(request, addr),
                )))
            });
        let connection = http.serve_connection(
            hyper_util::rt::TokioIo::new(io),
            hyper_util::service::TowerToHyperService::new(service),
        );
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let _ = connection.await;
            drop(slot);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// A request as the router takes it: with the client's address, and the path-prefix form of
/// contexts rewritten to the routes it names.
fn routed<B>(mut request: axum::http::Request<B>, addr: SocketAddr) -> axum::http::Request<B> {
    request
        .extensions_mut()
        .insert(axum::extract::ConnectInfo(Peer(addr)));
    if let Some(uri) = crate::http::contexts::rewrite(request.uri()) {
        *request.uri_mut() = uri;
    }
    request
}

/// How many connections are served at once, and how long one may take to send a request head.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    pub max_connections: usize,
    pub header_read_timeout: std::time::Duration,
}

impl ConnectionLimits {
    fn of(config: &ServeConfig) -> Self {
        ConnectionLimits {
            max_connections: config.max_connections,
            header_read_timeout: config.header_read_timeout,
        }
    }
}

/// Lets the process hold as many open files as its hard limit allows: each connection is one,
/// and the default soft limit (often 1,024) is below the connection limit plus the database's.
#[allow(unsafe_code)]
fn raise_open_file_limit() {
    #[cfg(unix)]
    // SAFETY: getrlimit/setrlimit only read and write the struct passed to them.
    unsafe {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 && limit.rlim_cur < limit.rlim_max
        {
            limit.rlim_cur = limit.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
    }
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
