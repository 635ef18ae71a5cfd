//! Prometheus metrics: requests by route and status, latency, registrations, compatibility
//! failures by subject, cache hits and misses, and the database pool.

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGaugeVec, Opts, Registry,
    TextEncoder,
};

pub struct Metrics {
    registry: Registry,
    pub requests: IntCounterVec,
    pub latency: HistogramVec,
    pub registrations: IntCounter,
    pub compatibility_failures: IntCounterVec,
    pub cache: IntCounterVec,
    pub pool: IntGaugeVec,
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
        Metrics {
            registry,
            requests,
            latency,
            registrations,
            compatibility_failures,
            cache,
            pool,
        }
    }

    pub fn cache_lookup(&self, cache: &str, hit: bool) {
        self.cache
            .with_label_values(&[cache, if hit { "hit" } else { "miss" }])
            .inc();
    }

    /// The Prometheus text exposition of every metric.
    pub fn render(&self) -> String {
        let mut out = Vec::new();
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut out);
        String::from_utf8(out).unwrap_or_default()
    }
}
