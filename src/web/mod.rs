//! The browsable catalog: server-rendered HTML pages under `/ui`, read through the registry
//! and catalog functions, with one hand-written stylesheet and no script.

mod audit;
mod dates;
mod decoder;
mod diff;
mod domains;
mod events;
mod fieldtree;
mod graph;
mod home;
mod maps;
mod markdown;
mod markup;
mod rows;
mod schemas;
mod search;
mod services;
mod teams;
mod warnings;

use askama::Template;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::error::Error;
use crate::http::error::Failure;
use crate::http::AppState;

const STYLESHEET: &str = include_str!("../../templates/herald.css");
const FAVICON: &str = include_str!("../../assets/favicon.svg");

/// The stylesheet's address carries a digest of its text, so browsers may keep it for a year
/// and still fetch the new one the moment an upgrade changes it.
pub fn stylesheet_href() -> &'static str {
    static HREF: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        use sha2::Digest;
        let digest = hex::encode(sha2::Sha256::digest(STYLESHEET.as_bytes()));
        format!("/ui/static/herald.css?v={}", &digest[..12])
    });
    &HREF
}

/// Rows per page in every list.
pub const PAGE_SIZE: usize = 50;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/ui", get(home::home))
        .route("/ui/static/herald.css", get(stylesheet))
        .route("/ui/static/favicon.svg", get(favicon))
        .route("/favicon.ico", get(favicon))
        .route("/ui/search", get(search::search))
        .route("/ui/domains", get(domains::domains))
        .route("/ui/domains/{name}", get(domains::domain))
        .route("/ui/teams", get(teams::teams))
        .route("/ui/teams/{name}", get(teams::team))
        .route("/ui/services", get(services::services))
        .route("/ui/services/{name}", get(services::service))
        .route("/ui/events", get(events::events))
        .route("/ui/events/{name}", get(events::event))
        .route("/ui/subjects", get(schemas::subjects))
        .route("/ui/subjects/{subject}", get(schemas::subject))
        .route(
            "/ui/subjects/{subject}/versions/{version}",
            get(schemas::version),
        )
        .route("/ui/subjects/{subject}/diff", get(diff::diff))
        .route("/ui/decode", get(decoder::decode))
        .route("/ui/audit", get(audit::audit))
        .route("/ui/{*rest}", get(not_found))
        // Pages are text that shrinks tenfold; clients that do not ask get them as they are.
        .layer(tower_http::compression::CompressionLayer::new().gzip(true))
}

/// A static asset answered with its content type and how long browsers may keep it.
fn asset(body: &'static str, content_type: &'static str, cache: &'static str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}

async fn stylesheet() -> Response {
    asset(
        STYLESHEET,
        "text/css; charset=utf-8",
        "public, max-age=31536000, immutable",
    )
}

async fn favicon() -> Response {
    // Its address never changes, so a day rather than a year.
    asset(FAVICON, "image/svg+xml", "public, max-age=86400")
}

/// A rendered page.
pub struct Page(pub StatusCode, pub String);

impl Page {
    pub fn render(template: &impl Template) -> Result<Page, PageError> {
        template
            .render()
            .map(|html| Page(StatusCode::OK, html))
            .map_err(|e| PageError(Error::store(format!("page rendering failed: {e}"))))
    }
}

impl IntoResponse for Page {
    fn into_response(self) -> Response {
        let mut response = (self.0, self.1).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        response
    }
}

/// A registry error, answered as an HTML page with the status the JSON API would give.
#[derive(Debug)]
pub struct PageError(pub Error);

impl From<Error> for PageError {
    fn from(e: Error) -> Self {
        PageError(e)
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    title: String,
    status: u16,
    message: String,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        let page = ErrorPage {
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            status: status.as_u16(),
            message: self.0.to_string(),
        };
        let mut response = match page.render() {
            Ok(html) => Page(status, html).into_response(),
            Err(_) => (status, self.0.to_string()).into_response(),
        };
        Failure::attach(&mut response, self.0);
        response
    }
}

pub type PageResult = Result<Page, PageError>;

async fn not_found() -> PageError {
    PageError(Error::NotFound)
}

/// Where a list is: which page of how many, with the links to its neighbours.
#[derive(Debug, Clone)]
pub struct Pager {
    pub page: usize,
    pub pages: usize,
    pub total: usize,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    /// `base` is the page's path with its query string minus `page`.
    pub fn new(page: usize, total: usize, base: &str) -> Pager {
        let pages = total.div_ceil(PAGE_SIZE).max(1);
        let page = page.clamp(1, pages);
        let sep = if base.contains('?') { '&' } else { '?' };
        let link = |p: usize| format!("{base}{sep}page={p}");
        Pager {
            page,
            pages,
            total,
            prev: (page > 1).then(|| link(page - 1)),
            next: (page < pages).then(|| link(page + 1)),
        }
    }

    /// For lists whose length is not counted: whether a page follows is all that is known.
    pub fn open_ended(page: usize, has_next: bool, base: &str) -> Pager {
        let mut pager = Pager::new(page, (page + usize::from(has_next)) * PAGE_SIZE, base);
        pager.total = 0;
        pager
    }

    pub fn offset(&self) -> usize {
        (self.page - 1) * PAGE_SIZE
    }

    /// This page's slice of a whole list.
    pub fn slice<T: Clone>(&self, items: &[T]) -> Vec<T> {
        items
            .iter()
            .skip(self.offset())
            .take(PAGE_SIZE)
            .cloned()
            .collect()
    }
}

/// The requested page number (1 when absent or not a number).
pub fn page_param(params: &crate::http::wire::Params) -> usize {
    params.count("page", 1).max(1)
}

/// A path with query parameters, the empty ones left out.
pub fn with_query(path: &str, pairs: &[(&str, &str)]) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs.iter().filter(|(_, v)| !v.is_empty()) {
        query.append_pair(k, v);
    }
    let query = query.finish();
    if query.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{query}")
    }
}

/// What a path segment must encode: everything but the unreserved characters of RFC 3986.
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'.')
    .remove(b'-')
    .remove(b'_')
    .remove(b'~');

/// One path segment, percent-encoded (subjects may hold `/` or spaces).
pub fn segment(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, SEGMENT).to_string()
}
