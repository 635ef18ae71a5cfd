//! Descriptions are Markdown written by people; they are rendered without any raw HTML, so a
//! `<script>` in a description shows as text, and without links that run script.

use pulldown_cmark::{html, CowStr, Event, Options, Parser, Tag};

/// Link targets that would run in the page rather than lead somewhere.
fn runs_script(url: &str) -> bool {
    let url: String = url
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase();
    ["javascript:", "vbscript:", "data:"]
        .iter()
        .any(|scheme| url.starts_with(scheme))
}

fn defuse(url: CowStr<'_>) -> CowStr<'_> {
    if runs_script(&url) {
        CowStr::Borrowed("#")
    } else {
        url
    }
}

/// The text of the first paragraph, without markup or link targets: a page's meta description.
pub fn first_paragraph_text(text: &str) -> String {
    let mut out = String::new();
    for event in Parser::new(text) {
        match event {
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => {
                out.push_str(&t)
            }
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(pulldown_cmark::TagEnd::Paragraph) if !out.is_empty() => break,
            _ => {}
        }
    }
    out.trim().to_string()
}

/// Markdown to HTML with raw HTML turned into text.
pub fn render(text: &str) -> String {
    let parser = Parser::new_ext(text, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH).map(
        |event| match event {
            Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => Event::Start(Tag::Link {
                link_type,
                dest_url: defuse(dest_url),
                title,
                id,
            }),
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => Event::Start(Tag::Image {
                link_type,
                dest_url: defuse(dest_url),
                title,
                id,
            }),
            other => other,
        },
    );
    let mut out = String::new();
    html::push_html(&mut out, parser);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn raw_html_is_text() {
        let html = super::render(
            "Hello <script>alert(1)</script> **bold**\n\n<div onclick=x>block</div>\n",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<div"), "{html}");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{html}"
        );
        assert!(html.contains("<strong>bold</strong>"), "{html}");
    }

    #[test]
    fn links_with_script_urls_are_dropped() {
        let html = super::render("[x](javascript:alert(1))");
        assert!(!html.contains("javascript:"), "{html}");
    }
}
