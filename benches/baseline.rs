//! The ceiling Herald's hot reads are measured against: a bare axum handler answering a fixed
//! body, on the same runtime and HTTP stack, with no middleware. `scripts/bench` starts it next
//! to a release Herald and loads both with the same wrk run.
//!
//! Usage: baseline --listen 127.0.0.1:PORT [--body-file FILE]
//! Every GET or POST to any path answers 200 with the file's bytes (or a small JSON object) in
//! the registry's content type.

use axum::http::{header, HeaderValue};
use axum::response::IntoResponse;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut listen = "127.0.0.1:8089".to_string();
    let mut body: Vec<u8> = br#"{"schema":"\"string\""}"#.to_vec();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--listen" => listen = args.next().expect("--listen ADDR"),
            "--body-file" => body = std::fs::read(args.next().expect("--body-file FILE"))?,
            // `cargo bench` passes `--bench`; anything else is a mistake worth hearing about.
            "--bench" => {}
            other => anyhow::bail!("unknown argument {other}"),
        }
    }
    let body = axum::body::Bytes::from(body);
    let answer = move || {
        let body = body.clone();
        async move {
            (
                [(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/vnd.schemaregistry.v1+json"),
                )],
                body,
            )
                .into_response()
        }
    };
    let app = axum::Router::new().fallback(answer);
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    println!("listening on {}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}
