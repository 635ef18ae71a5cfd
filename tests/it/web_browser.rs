//! The catalog in a real browser: headless Chromium opens the home page, searches a field name,
//! opens an event, follows a consumer, opens a diff, and screenshots each step (desktop and
//! phone widths) into `target/web-screenshots/`. A missing element fails the test. A second
//! test drives Chromium from node (`tests/web/audit.cjs`): no page type overflows a 390 px
//! phone, axe-core finds no serious or critical violation, and every demo service's AsyncAPI
//! document parses with no error in `@asyncapi/parser`.

use crate::common::*;
use std::path::{Path, PathBuf};
use std::time::Duration;

const CHROMIUM: &str = "/usr/bin/chromium";

/// Debian's chromium, installed when missing so the test runs on a fresh machine too.
fn ensure_chromium() {
    if Path::new(CHROMIUM).exists() {
        return;
    }
    let run = |args: &[&str]| {
        let status = std::process::Command::new("apt-get")
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .expect("apt-get runs");
        assert!(status.success(), "apt-get {args:?} failed");
    };
    run(&["update", "-qq"]);
    run(&["install", "-y", "-qq", "chromium"]);
    assert!(Path::new(CHROMIUM).exists(), "chromium is installed");
}

fn screenshot_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("the target directory")
        .join("web-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

struct Browser {
    profile: tempfile::TempDir,
}

impl Browser {
    async fn run(&self, args: &[String]) -> String {
        let mut command = tokio::process::Command::new(CHROMIUM);
        command
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
            ])
            .arg(format!("--user-data-dir={}", self.profile.path().display()))
            .args(args)
            .kill_on_drop(true);
        let out = tokio::time::timeout(Duration::from_secs(120), command.output())
            .await
            .expect("chromium finishes within two minutes")
            .expect("chromium runs");
        assert!(
            out.status.success(),
            "chromium {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// The DOM Chromium built for `url`.
    async fn dom(&self, url: &str) -> String {
        self.run(&["--dump-dom".into(), url.into()]).await
    }

    /// Screenshots `url` at a desktop and a phone width as `NAME-desktop.png`, `NAME-phone.png`.
    async fn screenshots(&self, url: &str, name: &str) {
        for (kind, size) in [("desktop", "1280,1000"), ("phone", "390,844")] {
            let file = screenshot_dir().join(format!("{name}-{kind}.png"));
            let _ = std::fs::remove_file(&file);
            self.run(&[
                format!("--screenshot={}", file.display()),
                format!("--window-size={size}"),
                url.into(),
            ])
            .await;
            let png = std::fs::read(&file).unwrap_or_default();
            assert!(
                png.len() > 1000 && png.starts_with(b"\x89PNG"),
                "{} is a PNG",
                file.display()
            );
        }
    }
}

/// The `href` of every `<a>` whose opening tag contains `marker`, in document order.
fn links(dom: &str, marker: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = dom;
    while let Some(start) = rest.find("<a ") {
        let tag_end = rest[start..]
            .find('>')
            .map(|e| start + e)
            .unwrap_or(rest.len());
        let tag = &rest[start..tag_end];
        if tag.contains(marker) {
            if let Some(h) = tag.find("href=\"") {
                let value = &tag[h + 6..];
                let value = &value[..value.find('"').unwrap_or(value.len())];
                out.push(value.replace("&amp;", "&"));
            }
        }
        rest = &rest[tag_end..];
    }
    out
}

/// The DOM from the element with `id` to the end of its section.
fn section<'a>(dom: &'a str, id: &str) -> &'a str {
    let start = dom
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("the page has no #{id}:\n{dom}"));
    let rest = &dom[start..];
    &rest[..rest.find("</section>").unwrap_or(rest.len())]
}

fn expect(dom: &str, needle: &str) {
    assert!(dom.contains(needle), "expected {needle:?} in:\n{dom}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browse_from_home_to_a_diff() {
    ensure_chromium();
    let server = TestServer::start_with(|c| c.catalog_dir = Some(demo_dir())).await;
    let browser = Browser {
        profile: tempfile::tempdir().unwrap(),
    };

    // The address the server prints, opened in a browser, is the catalog.
    let root = browser.dom(&server.url("/")).await;
    expect(&root, "<h1>Event catalog</h1>");

    // Home: the search form is there, labelled, and says where it goes.
    let home_url = server.url("/ui");
    let home = browser.dom(&home_url).await;
    expect(&home, r#"action="/ui/search""#);
    expect(&home, r#"<label for="home-q">"#);
    expect(&home, r#"id="home-q" name="q""#);
    expect(&home, "<strong>15</strong> events");
    browser.screenshots(&home_url, "1-home").await;

    // Search a field name, as the form would send it.
    let search_url = server.url("/ui/search?q=coupon");
    let results = browser.dom(&search_url).await;
    let fields = section(&results, "group-fields");
    let event_path = links(fields, "class=\"hit\"")
        .into_iter()
        .find(|h| h.starts_with("/ui/events/"))
        .unwrap_or_else(|| panic!("an event among the field hits:\n{fields}"));
    browser.screenshots(&search_url, "2-search").await;

    // The event: owner, flow graph, fields, examples, warnings, consumers, versions.
    let event_url = server.url(&event_path);
    let event = browser.dom(&event_url).await;
    expect(&event, "id=\"owner\"");
    expect(&event, "<svg class=\"graph\"");
    expect(section(&event, "fields-h"), "<details open=\"\"><summary>");
    expect(
        section(&event, "examples-h"),
        "<span class=\"badge active verdict\">valid</span>",
    );
    expect(
        section(&event, "warnings-h"),
        "inventory-service pins 1.0.0 but order-service writes 1.2.0",
    );
    let consumers = links(section(&event, "consumers-h"), "/ui/services/");
    assert!(!consumers.is_empty(), "the event has consumers:\n{event}");
    let diff_path = links(&event, "class=\"diff-link\"")
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("the event links a diff:\n{event}"));
    browser.screenshots(&event_url, "3-event").await;

    // A consumer: it lists the event among what it consumes.
    let service_url = server.url(&consumers[0]);
    let service = browser.dom(&service_url).await;
    expect(&service, "id=\"consumes-h\"");
    expect(section(&service, "consumes-h"), &event_path);
    browser.screenshots(&service_url, "4-consumer").await;

    // The diff: what changed first, then the verdict per level, the field changes, both texts.
    let diff_url = server.url(&diff_path);
    let diff = browser.dom(&diff_url).await;
    let changes = diff
        .find("id=\"changes-h\"")
        .expect("a What changed section");
    assert!(changes < diff.find("id=\"verdict-h\"").unwrap(), "{diff}");
    expect(section(&diff, "changes-h"), "version bump");
    expect(&diff, "id=\"verdicts\"");
    expect(section(&diff, "verdict-h"), "BACKWARD");
    expect(section(&diff, "verdict-h"), ">compatible</td>");
    expect(&diff, "id=\"field-changes\"");
    expect(&diff, "class=\"side-by-side\"");
    browser.screenshots(&diff_url, "5-diff").await;
}

/// The npm packages of `tests/web/install.sh`, installed once into a cache folder.
fn node_modules() -> PathBuf {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/web/install.sh");
    let status = std::process::Command::new("bash")
        .arg(&script)
        .status()
        .expect("bash runs");
    assert!(status.success(), "{} failed", script.display());
    let home = std::env::var("HERALD_NODE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            Path::new(&std::env::var("HOME").expect("HOME")).join(".cache/herald-node")
        });
    home.join("node_modules")
}

/// One page of each type, and the odd ones (an error page, a deprecated event, a search).
const PAGE_TYPES: &[&str] = &[
    "/ui",
    "/ui/events",
    "/ui/events/orders.order.placed",
    "/ui/events/payments.payment.processed",
    "/ui/services",
    "/ui/services/payment-service",
    "/ui/teams",
    "/ui/teams/checkout",
    "/ui/domains",
    "/ui/domains/orders",
    "/ui/subjects",
    "/ui/subjects/orders.order.placed-value",
    "/ui/subjects/orders.order.placed-value/versions/3",
    "/ui/subjects/orders.order.placed-value/diff?from=1&to=3",
    "/ui/search?q=orderId",
    "/ui/decode",
    "/ui/audit",
    "/ui/no-such-page",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_fits_a_phone_passes_axe_and_asyncapi_documents_parse() {
    // The suite runs twice (SQLite, then PostgreSQL); the pages are the same both times.
    if std::env::var_os("HERALD_TEST_POSTGRES").is_some() {
        eprintln!("skipped: checked in the SQLite run");
        return;
    }
    ensure_chromium();
    let modules = node_modules();
    let server = TestServer::start_with(|c| c.catalog_dir = Some(demo_dir())).await;
    let dir = tempfile::tempdir().unwrap();
    let urls: Vec<String> = PAGE_TYPES.iter().map(|p| server.url(p)).collect();
    let pages = dir.path().join("pages.txt");
    std::fs::write(&pages, urls.join("\n")).unwrap();
    let (_, services) = server.get("/herald/v1/services").await;
    let mut docs = Vec::new();
    for s in services.as_array().expect("a list of services") {
        let name = s["name"].as_str().unwrap();
        let resp = server
            .client
            .get(server.url(&format!("/herald/v1/services/{name}/asyncapi.yaml")))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 200, "{name}");
        let file = dir.path().join(format!("{name}.yaml"));
        std::fs::write(&file, resp.text().await.unwrap()).unwrap();
        docs.push(file);
    }
    assert_eq!(docs.len(), 7, "every demo service");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/web/audit.cjs");
    let out = tokio::time::timeout(
        Duration::from_secs(300),
        tokio::process::Command::new("node")
            .arg(&script)
            .arg(&pages)
            .args(&docs)
            .env("NODE_PATH", &modules)
            .kill_on_drop(true)
            .output(),
    )
    .await
    .expect("the checks finish within five minutes")
    .expect("node runs");
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{report}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        report.matches("checked ").count(),
        PAGE_TYPES.len(),
        "{report}"
    );
    assert_eq!(report.matches(": 0 errors").count(), docs.len(), "{report}");
}
