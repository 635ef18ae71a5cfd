//! `herald serve --tls-cert --tls-key`: HTTPS with a certificate made at test time.

use crate::common::*;
use herald::serve_settings::{ServeConfig, TlsFiles};

struct SelfSigned {
    _dir: tempfile::TempDir,
    files: TlsFiles,
    cert_pem: String,
}

fn self_signed() -> SelfSigned {
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let files = TlsFiles {
        cert: dir.path().join("cert.pem"),
        key: dir.path().join("key.pem"),
    };
    let cert_pem = certified.cert.pem();
    std::fs::write(&files.cert, &cert_pem).unwrap();
    std::fs::write(&files.key, certified.key_pair.serialize_pem()).unwrap();
    SelfSigned {
        _dir: dir,
        files,
        cert_pem,
    }
}

#[tokio::test]
async fn serves_https_with_the_given_certificate_and_refuses_plain_http() {
    let cert = self_signed();
    let dir = tempfile::tempdir().unwrap();
    let server = herald::server::spawn(ServeConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        database_url: fresh_database(dir.path()).await,
        tls: Some(cert.files.clone()),
        ..ServeConfig::default()
    })
    .await
    .expect("server starts with TLS");
    let port = server.addr.port();
    let client = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(cert.cert_pem.as_bytes()).unwrap())
        .tls_built_in_root_certs(false)
        .resolve("localhost", server.addr)
        .build()
        .unwrap();
    let resp = client
        .get(format!("https://localhost:{port}/schemas/types"))
        .send()
        .await
        .expect("HTTPS request");
    assert_eq!(resp.status(), 200);
    let types: Vec<String> = resp.json().await.unwrap();
    assert!(types.contains(&"AVRO".to_string()), "{types:?}");

    // A write over HTTPS, and its audit line carries the client address.
    let resp = client
        .post(format!(
            "https://localhost:{port}/subjects/tls-value/versions"
        ))
        .header("content-type", CT)
        .body(r#"{"schema": "\"string\""}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let audit: serde_json::Value = client
        .get(format!(
            "https://localhost:{port}/herald/v1/audit?target=subject/tls-value"
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(audit[0]["source"], "127.0.0.1", "{audit}");

    // A client that does not trust the certificate is refused by its own TLS check.
    let untrusting = reqwest::Client::builder()
        .resolve("localhost", server.addr)
        .build()
        .unwrap();
    assert!(untrusting
        .get(format!("https://localhost:{port}/schemas/types"))
        .send()
        .await
        .is_err());

    let plain = reqwest::Client::new()
        .get(format!("http://127.0.0.1:{port}/schemas/types"))
        .send()
        .await;
    assert!(
        plain.is_err(),
        "plain HTTP to the TLS port must fail: {plain:?}"
    );

    // The server still answers after the failed handshakes, and stops cleanly.
    assert_eq!(
        client
            .get(format!("https://localhost:{port}/health/live"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    server.stop().await.expect("graceful stop");
}

/// A client that offers HTTP/2 first (curl, browsers) is told HTTP/1.1, which the server speaks.
#[tokio::test]
async fn alpn_settles_on_http_1_1_for_a_client_that_prefers_h2() {
    use std::sync::Arc;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio_rustls::rustls::pki_types::{pem::PemObject, CertificateDer, ServerName};
    use tokio_rustls::rustls::{self, ClientConfig, RootCertStore};

    let cert = self_signed();
    let dir = tempfile::tempdir().unwrap();
    let server = herald::server::spawn(ServeConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        database_url: fresh_database(dir.path()).await,
        tls: Some(cert.files.clone()),
        ..ServeConfig::default()
    })
    .await
    .unwrap();
    let mut roots = RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_slice(cert.cert_pem.as_bytes()).unwrap())
        .unwrap();
    let mut config =
        ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let tcp = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let mut tls = tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .unwrap();
    assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"http/1.1"[..]));
    tls.write_all(b"GET /schemas/types HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = String::new();
    tls.read_to_string(&mut answer).await.ok();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("AVRO"), "{answer}");
}

#[tokio::test]
async fn a_missing_or_mismatched_key_is_refused_at_start() {
    let cert = self_signed();
    let other = self_signed();
    let dir = tempfile::tempdir().unwrap();
    let start = |files: TlsFiles| {
        let database_url = format!("sqlite://{}", dir.path().join("h.db").display());
        herald::server::spawn(ServeConfig {
            listen: "127.0.0.1:0".parse().unwrap(),
            database_url,
            tls: Some(files),
            ..ServeConfig::default()
        })
    };
    let err = start(TlsFiles {
        cert: cert.files.cert.clone(),
        key: other.files.key.clone(),
    })
    .await
    .err()
    .expect("a key of another certificate is refused");
    assert!(err.to_string().contains("do not fit"), "{err:#}");
    let err = start(TlsFiles {
        cert: cert.files.cert.clone(),
        key: dir.path().join("missing.pem"),
    })
    .await
    .err()
    .expect("a missing key file is refused");
    assert!(err.to_string().contains("missing.pem"), "{err:#}");
}
