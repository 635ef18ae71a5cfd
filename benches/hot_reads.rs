//! Requests per second for the two reads serializers hit on every new message type:
//! `GET /schemas/ids/{id}` and re-registering a schema that is already registered.
//! Run with `cargo bench --bench hot_reads`; it prints numbers, it asserts nothing.

use std::sync::Arc;
use std::time::Instant;

use herald::serve_settings::ServeConfig;

const REQUESTS: usize = 20_000;
const CONCURRENCY: usize = 32;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let server = herald::server::spawn(ServeConfig {
        listen: "127.0.0.1:0".parse()?,
        database_url: format!("sqlite://{}", dir.path().join("bench.db").display()),
        ..ServeConfig::default()
    })
    .await?;
    let base = format!("http://{}", server.addr);
    let client = reqwest::Client::new();
    let body = serde_json::json!({
        "schema": r#"{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"id","type":"string"},{"name":"amount","type":"double","default":0.0}]}"#
    })
    .to_string();
    let register_url = format!("{base}/subjects/orders-value/versions");
    let id = client
        .post(&register_url)
        .header("content-type", "application/vnd.schemaregistry.v1+json")
        .body(body.clone())
        .send()
        .await?
        .json::<serde_json::Value>()
        .await?["id"]
        .as_i64()
        .expect("id");

    let by_id = format!("{base}/schemas/ids/{id}");
    measure("GET /schemas/ids/{id}", &client, move |c| c.get(&by_id)).await;
    measure(
        "POST /subjects/{s}/versions (already registered)",
        &client,
        move |c| {
            c.post(&register_url)
                .header("content-type", "application/vnd.schemaregistry.v1+json")
                .body(body.clone())
        },
    )
    .await;
    server.stop().await
}

async fn measure(
    name: &str,
    client: &reqwest::Client,
    request: impl Fn(&reqwest::Client) -> reqwest::RequestBuilder + Send + Sync + 'static,
) {
    let request = Arc::new(request);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CONCURRENCY {
        let client = client.clone();
        let request = request.clone();
        tasks.push(tokio::spawn(async move {
            for _ in 0..REQUESTS / CONCURRENCY {
                let resp = request(&client).send().await.expect("request");
                assert!(resp.status().is_success());
                resp.bytes().await.expect("body");
            }
        }));
    }
    for t in tasks {
        t.await.expect("worker");
    }
    let elapsed = start.elapsed();
    let done = (REQUESTS / CONCURRENCY) * CONCURRENCY;
    println!(
        "{name:<52} {done} requests, {CONCURRENCY} concurrent: {:>9.0} req/s",
        done as f64 / elapsed.as_secs_f64()
    );
}
