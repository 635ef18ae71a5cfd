//! Flow graphs laid out on the server as inline SVG: producers on the left, events in the
//! middle, consumers on the right, each node a link, each edge an arrow. No script, no assets.

use std::fmt::Write;

use super::text::escape;

/// A box in the graph: its label, where it links, and its kind (a CSS class).
#[derive(Debug, Clone)]
pub struct Node {
    pub label: String,
    pub href: String,
    pub kind: &'static str,
}

/// Which column an edge leaves and enters: producer → event, or event → consumer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edge {
    Produces { producer: usize, event: usize },
    Consumes { event: usize, consumer: usize },
}

const NODE_W: usize = 220;
const NODE_H: usize = 34;
const ROW_GAP: usize = 14;
const COL_GAP: usize = 90;
const PAD: usize = 10;

/// Longer labels are cut so every box keeps its width.
fn fit(label: &str) -> String {
    const MAX: usize = 28;
    if label.chars().count() <= MAX {
        label.to_string()
    } else {
        let cut: String = label.chars().take(MAX - 1).collect();
        format!("{cut}…")
    }
}

fn row_y(index: usize, count: usize, height: usize) -> usize {
    let column = count * NODE_H + count.saturating_sub(1) * ROW_GAP;
    (height - column) / 2 + index * (NODE_H + ROW_GAP)
}

/// The SVG for three columns and their edges; `title` labels it for screen readers.
pub fn flow(
    title: &str,
    producers: &[Node],
    events: &[Node],
    consumers: &[Node],
    edges: &[Edge],
) -> String {
    let rows = producers
        .len()
        .max(events.len())
        .max(consumers.len())
        .max(1);
    let height = rows * NODE_H + (rows - 1) * ROW_GAP + 2 * PAD;
    let width = 3 * NODE_W + 2 * COL_GAP + 2 * PAD;
    let x = |col: usize| PAD + col * (NODE_W + COL_GAP);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="graph" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-labelledby="graph-title" xmlns="http://www.w3.org/2000/svg"><title id="graph-title">{}</title>"#,
        escape(title)
    );
    svg.push_str(r#"<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" class="arrowhead"/></marker></defs>"#);
    let columns = [producers, events, consumers];
    let center = |col: usize, index: usize| {
        let count = columns[col].len();
        row_y(index, count, height - 2 * PAD) + PAD + NODE_H / 2
    };
    for edge in edges {
        let (from_col, from, to_col, to, class) = match *edge {
            Edge::Produces { producer, event } => (0, producer, 1, event, "edge produces"),
            Edge::Consumes { event, consumer } => (1, event, 2, consumer, "edge consumes"),
        };
        if from >= columns[from_col].len() || to >= columns[to_col].len() {
            continue;
        }
        let (x1, y1) = (x(from_col) + NODE_W, center(from_col, from));
        let (x2, y2) = (x(to_col), center(to_col, to));
        let mid = (x1 + x2) / 2;
        let _ = write!(
            svg,
            r#"<path class="{class}" d="M {x1} {y1} C {mid} {y1}, {mid} {y2}, {x2} {y2}" marker-end="url(#arrow)"/>"#
        );
    }
    for (col, nodes) in columns.iter().enumerate() {
        for (i, node) in nodes.iter().enumerate() {
            let top = center(col, i) - NODE_H / 2;
            let _ = write!(
                svg,
                r#"<a href="{href}" class="node {kind}"><title>{full}</title><rect x="{x}" y="{top}" width="{NODE_W}" height="{NODE_H}" rx="6"/><text x="{tx}" y="{ty}" text-anchor="middle">{label}</text></a>"#,
                href = escape(&node.href),
                kind = node.kind,
                full = escape(&node.label),
                x = x(col),
                tx = x(col) + NODE_W / 2,
                ty = top + NODE_H / 2 + 5,
                label = escape(&fit(&node.label)),
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(label: &str) -> Node {
        Node {
            label: label.into(),
            href: format!("/ui/x/{label}"),
            kind: "service",
        }
    }

    #[test]
    fn nodes_and_edges_are_drawn_and_escaped() {
        let svg = flow(
            "flow of <e>",
            &[node("p")],
            &[node("e&v")],
            &[node("c1"), node("c2")],
            &[
                Edge::Produces {
                    producer: 0,
                    event: 0,
                },
                Edge::Consumes {
                    event: 0,
                    consumer: 1,
                },
            ],
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert_eq!(svg.matches("<rect").count(), 4);
        assert_eq!(svg.matches("class=\"edge").count(), 2);
        assert!(svg.contains("flow of &lt;e&gt;") && svg.contains("e&amp;v"));
        assert!(svg.contains(r#"href="/ui/x/c2""#));
    }
}
