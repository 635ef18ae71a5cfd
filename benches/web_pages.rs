//! Server-side render time of each catalog page with 10,000 subjects registered (plus the demo
//! catalog). Subjects are registered through the registry functions, pages are requested from
//! the router in process, so the numbers leave the network out.
//! Run with `cargo bench --bench web_pages`; it prints numbers, it asserts nothing.

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::Request;
use herald::serve_settings::ServeConfig;
use tower::ServiceExt;

const SUBJECTS: usize = 10_000;
const RUNS: usize = 20;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let config = ServeConfig {
        database_url: format!("sqlite://{}", dir.path().join("bench.db").display()),
        catalog_dir: Some(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("catalog")),
        ..ServeConfig::default()
    };
    let state = herald::server::state(&config).await?;
    let start = Instant::now();
    for i in 0..SUBJECTS {
        let schema = serde_json::json!({
            "type": "record", "name": format!("Thing{i}"), "namespace": "bench",
            "fields": [
                {"name": "id", "type": "string"},
                {"name": format!("field{i}"), "type": "long", "doc": "A numbered field."},
                {"name": "address", "type": {"type": "record", "name": "Address", "fields": [
                    {"name": "city", "type": "string"}]}}
            ]
        });
        let request: herald::registry::SchemaRequest =
            serde_json::from_value(serde_json::json!({"schema": schema.to_string()}))?;
        state
            .registry
            .register(&format!("bench.thing{i:05}-value"), &request, false)
            .await?;
    }
    println!(
        "registered {SUBJECTS} subjects in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    let router = herald::server::app(state);
    let message = {
        let mut m = vec![0u8, 0, 0, 0, 20];
        m.extend_from_slice(&[4, b'a', b'b']);
        hex::encode(m)
    };
    let pages = [
        "/ui".to_string(),
        "/ui/events".into(),
        "/ui/events/orders.order.placed".into(),
        "/ui/services/order-service".into(),
        "/ui/teams/checkout".into(),
        "/ui/domains/orders".into(),
        "/ui/subjects".into(),
        "/ui/subjects?page=150".into(),
        "/ui/subjects?unclaimed=true&q=thing09".into(),
        "/ui/subjects/bench.thing04242-value".into(),
        "/ui/subjects/bench.thing04242-value/versions/1".into(),
        "/ui/subjects/orders.order.placed-value/diff?from=1&to=3".into(),
        "/ui/search?q=field4242".into(),
        "/ui/search?q=city&kind=fields&page=100".into(),
        format!("/ui/decode?message={message}"),
        "/ui/audit".into(),
        "/ui/audit?page=20".into(),
    ];
    println!(
        "{:<60} {:>10} {:>10} {:>10}",
        "page", "first", "median", "max"
    );
    for path in pages {
        let mut times = Vec::new();
        for _ in 0..=RUNS {
            let request = Request::get(&path).body(Body::empty())?;
            let began = Instant::now();
            let response = router.clone().oneshot(request).await?;
            let status = response.status();
            axum::body::to_bytes(response.into_body(), usize::MAX).await?;
            times.push(began.elapsed());
            assert!(status.is_success(), "{path}: {status}");
        }
        let first = times.remove(0);
        times.sort();
        let ms = |d: Duration| format!("{:.2} ms", d.as_secs_f64() * 1000.0);
        println!(
            "{path:<60} {:>10} {:>10} {:>10}",
            ms(first),
            ms(times[times.len() / 2]),
            ms(*times.last().expect("runs"))
        );
    }
    Ok(())
}
