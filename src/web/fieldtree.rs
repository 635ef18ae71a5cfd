//! A schema's field table as a nested list: each field with sub-fields is a `<details>` that
//! opens and closes without script, its children indented beneath it.

use std::fmt::Write;

use super::markup::escape;
use crate::formats::FieldRow;

/// One field's line: name, type, required, default and doc. `id` lets search hits and the
/// version page's rows be linked to.
fn line(out: &mut String, f: &FieldRow) {
    let _ = write!(
        out,
        r#"<span class="field-name"><code>{name}</code></span> <code class="field-type">{t}</code>{req}{def}{doc}"#,
        name = escape(&f.name),
        t = escape(&f.type_name),
        req = if f.required {
            r#" <span class="badge required">required</span>"#
        } else {
            ""
        },
        def = f
            .default
            .as_ref()
            .map(|d| format!(
                r#" <span class="muted">default <code>{}</code></span>"#,
                escape(d)
            ))
            .unwrap_or_default(),
        doc = f
            .doc
            .as_ref()
            .map(|d| format!(r#"<span class="field-doc">{}</span>"#, escape(d)))
            .unwrap_or_default(),
    );
}

/// The rows (in the table's pre-order, children right after their parent with a greater
/// depth) as nested lists. The walk keeps its own stack, so a deep schema costs no recursion.
pub fn render(rows: &[FieldRow]) -> String {
    let mut out = String::from(r#"<ul class="field-tree">"#);
    // Depths of the fields whose `<li>` is open, innermost last; `true` when it is a `<details>`.
    let mut open: Vec<(usize, bool)> = Vec::new();
    for (i, f) in rows.iter().enumerate() {
        while let Some(&(depth, details)) = open.last() {
            if depth < f.depth {
                break;
            }
            out.push_str(if details {
                "</ul></details></li>"
            } else {
                "</li>"
            });
            open.pop();
        }
        let has_children = rows.get(i + 1).is_some_and(|next| next.depth > f.depth);
        let _ = write!(out, r#"<li id="field-{}">"#, escape(&f.path));
        if has_children {
            out.push_str("<details open><summary>");
            line(&mut out, f);
            out.push_str("</summary><ul>");
        } else {
            out.push_str(r#"<div class="field-line">"#);
            line(&mut out, f);
            out.push_str("</div>");
        }
        open.push((f.depth, has_children));
    }
    while let Some((_, details)) = open.pop() {
        out.push_str(if details {
            "</ul></details></li>"
        } else {
            "</li>"
        });
    }
    out.push_str("</ul>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(path: &str, depth: usize) -> FieldRow {
        FieldRow {
            depth,
            type_name: "string".into(),
            ..FieldRow::named(path)
        }
    }

    #[test]
    fn children_nest_inside_their_parent_and_every_tag_closes() {
        let html = render(&[
            row("a", 0),
            row("b", 0),
            row("b.c", 1),
            row("b.c.d", 2),
            row("b.e", 1),
            row("f", 0),
        ]);
        assert_eq!(html.matches("<details open>").count(), 2);
        assert_eq!(html.matches("<li").count(), html.matches("</li>").count());
        assert_eq!(html.matches("<ul").count(), html.matches("</ul>").count());
        let b = html.find(r#"id="field-b""#).unwrap();
        let d = html.find(r#"id="field-b.c.d""#).unwrap();
        let f = html.find(r#"id="field-f""#).unwrap();
        let closes = html[d..f].matches("</details>").count();
        assert!(b < d && closes == 2, "{html}");
    }

    #[test]
    fn text_is_escaped() {
        let mut r = row("x", 0);
        r.doc = Some("<b>".into());
        assert!(render(&[r]).contains("&lt;b&gt;"));
    }
}
