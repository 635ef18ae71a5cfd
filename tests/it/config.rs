//! `herald serve` settings from `herald.toml`, the environment and flags, in that order of
//! precedence, read through the real binary's `--print-config`.

use std::path::Path;
use std::process::Output;

use herald::serve_settings::{Settings, SETTING_NAMES};

/// Runs `herald serve --print-config ARGS` in `dir` with only the given HERALD_* variables set.
async fn print_config(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> Output {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_herald"));
    command
        .current_dir(dir)
        .args(["serve", "--print-config"])
        .args(args);
    for (key, _) in std::env::vars() {
        if key.starts_with("HERALD_") {
            command.env_remove(key);
        }
    }
    command.envs(env.iter().copied());
    command.output().await.unwrap()
}

async fn settings(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> Settings {
    let out = print_config(dir, env, args).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Settings::from_toml(&String::from_utf8(out.stdout).unwrap()).expect("printed config parses")
}

#[tokio::test]
async fn file_then_environment_then_flags() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("custom.toml");
    std::fs::write(
        &file,
        r#"
listen = "127.0.0.1:7001"
database = "sqlite:///var/lib/herald/h.db"
request_timeout = 5
max_schema_bytes = 4096
dialect = 8
auth = true
"#,
    )
    .unwrap();
    let file = file.to_str().unwrap();

    let s = settings(dir.path(), &[], &["--config", file]).await;
    assert_eq!(s.listen, Some("127.0.0.1:7001".parse().unwrap()));
    assert_eq!(s.database.as_deref(), Some("sqlite:///var/lib/herald/h.db"));
    assert_eq!(s.request_timeout, Some(5));
    assert_eq!(s.max_schema_bytes, Some(4096));
    assert_eq!(s.dialect, Some(herald::serve_settings::Dialect::V8));
    assert_eq!(s.auth, Some(true));
    // What the file does not name keeps its default.
    assert_eq!(s.max_body_bytes, Some(8 * 1024 * 1024));

    // The environment overrides the file, only where it speaks; HERALD_CONFIG names the file.
    let env = [
        ("HERALD_CONFIG", file),
        ("HERALD_LISTEN", "127.0.0.1:7002"),
        ("HERALD_AUTH", "no"),
    ];
    let s = settings(dir.path(), &env, &[]).await;
    assert_eq!(s.listen, Some("127.0.0.1:7002".parse().unwrap()));
    assert_eq!(s.auth, Some(false));
    assert_eq!(s.request_timeout, Some(5));

    // Flags override both.
    let s = settings(
        dir.path(),
        &env,
        &[
            "--listen",
            "127.0.0.1:7003",
            "--auth",
            "--request-timeout",
            "9",
        ],
    )
    .await;
    assert_eq!(s.listen, Some("127.0.0.1:7003".parse().unwrap()));
    assert_eq!(s.auth, Some(true));
    assert_eq!(s.request_timeout, Some(9));
    assert_eq!(s.max_schema_bytes, Some(4096));
}

#[tokio::test]
async fn herald_toml_in_the_working_directory_is_read_when_no_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let s = settings(dir.path(), &[], &[]).await;
    assert_eq!(s.listen, Some("127.0.0.1:8081".parse().unwrap()));
    std::fs::write(
        dir.path().join("herald.toml"),
        "listen = \"127.0.0.1:7010\"\n",
    )
    .unwrap();
    let s = settings(dir.path(), &[], &[]).await;
    assert_eq!(s.listen, Some("127.0.0.1:7010".parse().unwrap()));
}

#[tokio::test]
async fn unknown_keys_a_missing_file_and_half_a_tls_pair_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("herald.toml"), "listen_addr = \"x\"\n").unwrap();
    let out = print_config(dir.path(), &[], &[]).await;
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("listen_addr") && stderr.contains("herald.toml"),
        "{stderr}"
    );

    let out = print_config(dir.path(), &[], &["--config", "/nonexistent/h.toml"]).await;
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/h.toml"));

    // The server refuses to start with a certificate and no key.
    std::fs::remove_file(dir.path().join("herald.toml")).unwrap();
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_herald"))
        .current_dir(dir.path())
        .args(["serve", "--listen", "127.0.0.1:0", "--tls-cert", "c.pem"])
        .args(["--database", "sqlite://h.db"])
        .env_remove("HERALD_TLS_KEY")
        .output()
        .await
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("tls_cert and tls_key"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
async fn serve_help_documents_every_setting() {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_herald"))
        .args(["serve", "--help"])
        .output()
        .await
        .unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for name in SETTING_NAMES {
        let flag = format!("--{}", name.replace('_', "-"));
        assert!(help.contains(&flag), "--help lacks {flag}:\n{help}");
        let env = if name == "database" {
            "HERALD_DATABASE_URL".to_string()
        } else {
            format!("HERALD_{}", name.to_uppercase())
        };
        assert!(help.contains(&env), "--help lacks {env}:\n{help}");
    }
    for extra in ["--config", "HERALD_CONFIG", "herald.toml", "--print-config"] {
        assert!(help.contains(extra), "--help lacks {extra}:\n{help}");
    }
}

#[test]
fn the_example_file_names_every_setting() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/herald.example.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    Settings::from_toml(&text).expect("the example parses");
    for name in SETTING_NAMES {
        assert!(
            text.lines()
                .any(|l| l.trim_start_matches("# ").starts_with(&format!("{name} ="))),
            "the example does not show {name}"
        );
    }
}
