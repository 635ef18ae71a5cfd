//! Prometheus metrics: requests by route and status, latency, registrations, compatibility
//! failures by subject, cache hits and misses, and the database pool.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::Duration;

use axum::http::{Method, StatusCode};
use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGaugeVec, Opts,
    Registry, TextEncoder,
};

pub struct Metrics {
    registry: Registry,
    pub requests: IntCounterVec,
    pub latency: HistogramVec,
    pub registrations: IntCounter,
    pub compatibility_failures: IntCounterVec,
    pub cache: IntCounterVec,
    pub pool: IntGaugeVec,
    /// The series of each route and method, looked up by label once rather than per request.
    routes: RwLock<HashMap<String, Vec<RouteSeries>>>,
    /// Hits and misses of the caches the hot reads go through.
    cache_series: [(&'static str, IntCounter, IntCounter); 2],
}

/// One route and method's latency histogram and its request counter per status seen so far.
struct RouteSeries {
    method: Method,
    latency: Histogram,
    by_status: Vec<(StatusCode, IntCounter)>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new(
                "herald_http_requests_total",
                "HTTP requests by route, method and status.",
            ),
            &["route", "method", "status"],
        )
        .expect("valid metric");
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "herald_http_request_duration_seconds",
                "HTTP request latency by route.",
            )
            .buckets(vec![
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
            ]),
            &["route", "method"],
        )
        .expect("valid metric");
        let registrations = IntCounter::new(
            "herald_schema_registrations_total",
            "New schema versions registered.",
        )
        .expect("valid metric");
        let compatibility_failures = IntCounterVec::new(
            Opts::new(
                "herald_compatibility_failures_total",
                "Registrations refused as incompatible, by subject.",
            ),
            &["subject"],
        )
        .expect("valid metric");
        let cache = IntCounterVec::new(
            Opts::new(
                "herald_cache_lookups_total",
                "In-memory cache lookups by cache and result.",
            ),
            &["cache", "result"],
        )
        .expect("valid metric");
        let pool = IntGaugeVec::new(
            Opts::new(
                "herald_db_pool_connections",
                "Database pool connections by state.",
            ),
            &["state"],
        )
        .expect("valid metric");
        for c in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(latency.clone()),
            Box::new(registrations.clone()),
            Box::new(compatibility_failures.clone()),
            Box::new(cache.clone()),
            Box::new(pool.clone()),
        ] {
            registry.register(c).expect("unique metric");
        }
        let cache_series = ["schema_by_id", "registration"].map(|name| {
            (
                name,
                cache.with_label_values(&[name, "hit"]),
                cache.with_label_values(&[name, "miss"]),
            )
        });
        Metrics {
            registry,
            requests,
            latency,
            registrations,
            compatibility_failures,
            cache,
            pool,
            routes: RwLock::default(),
            cache_series,
        }
    }

    pub fn cache_lookup(&self, cache: &str, hit: bool) {
        match self.cache_series.iter().find(|(name, _, _)| *name == cache) {
            Some((_, hits, misses)) => if hit { hits } else { misses }.inc(),
            None => self
                .cache
                .with_label_values(&[cache, if hit { "hit" } else { "miss" }])
                .inc(),
        }
    }

    /// Counts a request by its route pattern (not its concrete path, so subjects do not
    /// explode the label set), method and status, and records its latency.
    pub fn record_request(&self, route: &str, method: &Method, status: StatusCode, took: Duration) {
        let seconds = took.as_secs_f64();
        {
            let routes = self.routes.read().unwrap_or_else(|e| e.into_inner());
            let series = routes
                .get(route)
                .and_then(|all| all.iter().find(|s| s.method == *method));
            if let Some(series) = series {
                if let Some((_, counter)) = series.by_status.iter().find(|(s, _)| *s == status) {
                    series.latency.observe(seconds);
                    counter.inc();
                    return;
                }
            }
        }
        let mut routes = self.routes.write().unwrap_or_else(|e| e.into_inner());
        let all = routes.entry(route.to_string()).or_default();
        let index = match all.iter().position(|s| s.method == *method) {
            Some(i) => i,
            None => {
                all.push(RouteSeries {
                    method: method.clone(),
                    latency: self.latency.with_label_values(&[route, method.as_str()]),
                    by_status: Vec::new(),
                });
                all.len() - 1
            }
        };
        let series = &mut all[index];
        let counter = match series.by_status.iter().find(|(s, _)| *s == status) {
            Some((_, counter)) => counter.clone(),
            None => {
                let counter =
                    self.requests
                        .with_label_values(&[route, method.as_str(), status.as_str()]);
                series.by_status.push((status, counter.clone()));
                counter
            }
        };
        series.latency.observe(seconds);
        counter.inc();
    }

    /// The Prometheus text exposition of every metric.
    pub fn render(&self) -> String {
        let mut out = Vec::new();
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut out);
        String::from_utf8(out).unwrap_or_default()
    }
}
