//! Flow graphs laid out on the server as inline SVG, with no script: services and events each
//! drawn once, in layers from left to right along the flow (producer → event → consumer),
//! each layer ordered by the barycenter of its neighbours so that edges cross less.

use std::collections::HashMap;
use std::fmt::Write;

use super::markup::escape;
use crate::limits;

/// A box in the graph: its full name, where it links, and its CSS classes.
#[derive(Debug, Clone)]
pub struct Node {
    pub label: String,
    pub href: String,
    pub kind: String,
}

/// Nodes (each once, keyed by their link) and directed edges, each with a CSS class.
#[derive(Debug, Default)]
pub struct Graph {
    nodes: Vec<Node>,
    index: HashMap<String, usize>,
    edges: Vec<(usize, usize, &'static str)>,
}

impl Graph {
    /// The node's index, adding it the first time its link is seen.
    pub fn node(&mut self, node: Node) -> usize {
        if let Some(&i) = self.index.get(&node.href) {
            return i;
        }
        self.index.insert(node.href.clone(), self.nodes.len());
        self.nodes.push(node);
        self.nodes.len() - 1
    }

    pub fn edge(&mut self, from: usize, to: usize, class: &'static str) {
        if from != to && !self.edges.iter().any(|&(f, t, _)| f == from && t == to) {
            self.edges.push((from, to, class));
        }
    }
}

const NODE_W: usize = 200;
const LINE_H: usize = 15;
const ROW_GAP: usize = 16;
const COL_GAP: usize = 70;
const PAD: usize = 10;
/// The height a waypoint of a long edge takes in its column.
const WAYPOINT_H: usize = 6;
/// Characters per line of a label; a name is wrapped, never cut.
const LINE_CHARS: usize = 24;
/// Barycenter sweeps, down and up; a few settle small graphs.
const SWEEPS: usize = 4;

/// A name broken into lines of at most `LINE_CHARS`, after `.`, `-` or `_` where it can.
pub fn wrap(label: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut piece = String::new();
    let flush_piece = |line: &mut String, piece: &mut String, lines: &mut Vec<String>| {
        if line.chars().count() + piece.chars().count() > LINE_CHARS && !line.is_empty() {
            lines.push(std::mem::take(line));
        }
        line.push_str(piece);
        piece.clear();
        while line.chars().count() > LINE_CHARS {
            let head: String = line.chars().take(LINE_CHARS).collect();
            let tail: String = line.chars().skip(LINE_CHARS).collect();
            lines.push(head);
            *line = tail;
        }
    };
    for c in label.chars() {
        piece.push(c);
        if matches!(c, '.' | '-' | '_') {
            flush_piece(&mut line, &mut piece, &mut lines);
        }
    }
    flush_piece(&mut line, &mut piece, &mut lines);
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Each node's layer: the longest path reaching it, with the edges that close a cycle left out
/// (a service may consume what a later service produces from its own events).
fn layers(count: usize, edges: &[(usize, usize, &'static str)]) -> Vec<usize> {
    let mut out_edges = vec![Vec::new(); count];
    for &(f, t, _) in edges {
        out_edges[f].push(t);
    }
    // Depth-first from each node in order; an edge to a node still on the stack is a back edge.
    let mut state = vec![0u8; count]; // 0 unseen, 1 on the stack, 2 done
    let mut order = Vec::with_capacity(count);
    let mut kept: Vec<(usize, usize)> = Vec::new();
    for root in 0..count {
        if state[root] != 0 {
            continue;
        }
        let mut stack = vec![(root, 0usize)];
        state[root] = 1;
        while let Some((n, i)) = stack.pop() {
            if !limits::spend(1) {
                break;
            }
            if let Some(&next) = out_edges[n].get(i) {
                stack.push((n, i + 1));
                match state[next] {
                    0 => {
                        kept.push((n, next));
                        state[next] = 1;
                        stack.push((next, 0));
                    }
                    2 => kept.push((n, next)),
                    _ => {}
                }
            } else {
                state[n] = 2;
                order.push(n);
            }
        }
    }
    // Reverse post-order is a topological order of the kept edges.
    let mut layer = vec![0usize; count];
    let mut incoming = vec![Vec::new(); count];
    for &(f, t) in &kept {
        incoming[t].push(f);
    }
    for &n in order.iter().rev() {
        layer[n] = incoming[n].iter().map(|&f| layer[f] + 1).max().unwrap_or(0);
    }
    // Topological order can see a node before a predecessor only across a removed edge, so a
    // second pass settles what the first left short.
    for &n in order.iter().rev() {
        for &f in &incoming[n] {
            layer[n] = layer[n].max(layer[f] + 1);
        }
    }
    layer
}

/// Nodes per layer, ordered by the mean position of their neighbours in the layers before
/// (sweeping down) and after (sweeping up).
fn order(layer: &[usize], edges: &[(usize, usize, &'static str)]) -> Vec<Vec<usize>> {
    let depth = layer.iter().max().map_or(0, |m| m + 1);
    let mut rows: Vec<Vec<usize>> = vec![Vec::new(); depth];
    for (n, &l) in layer.iter().enumerate() {
        rows[l].push(n);
    }
    let mut neighbours = vec![Vec::new(); layer.len()];
    for &(f, t, _) in edges {
        neighbours[f].push(t);
        neighbours[t].push(f);
    }
    let mut position = vec![0f64; layer.len()];
    let place = |rows: &Vec<Vec<usize>>, position: &mut Vec<f64>| {
        for row in rows {
            for (i, &n) in row.iter().enumerate() {
                position[n] = i as f64;
            }
        }
    };
    place(&rows, &mut position);
    for sweep in 0..SWEEPS * 2 {
        let down = sweep % 2 == 0;
        for l in 0..depth {
            let l = if down { l } else { depth - 1 - l };
            if !limits::spend(rows[l].len() as u64 + 1) {
                return rows;
            }
            let mut keyed: Vec<(f64, usize)> = rows[l]
                .iter()
                .map(|&n| {
                    let (sum, count) = neighbours[n]
                        .iter()
                        .filter(|&&o| if down { layer[o] < l } else { layer[o] > l })
                        .fold((0f64, 0usize), |(s, c), &o| (s + position[o], c + 1));
                    let key = if count == 0 {
                        position[n]
                    } else {
                        sum / count as f64
                    };
                    (key, n)
                })
                .collect();
            // Stable on ties, so the first order (the catalog's) breaks them.
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
            rows[l] = keyed.into_iter().map(|(_, n)| n).collect();
            place(&rows, &mut position);
        }
    }
    rows
}

/// Layers and their order, with a waypoint in each layer an edge passes over, so that long
/// edges take part in the ordering and run between boxes rather than through them.
struct Layout {
    rows: Vec<Vec<usize>>,
    /// The graph's nodes first, then the waypoints.
    layer: Vec<usize>,
    /// Each edge as the points it runs through (node, waypoints…, node), with its class.
    chains: Vec<(Vec<usize>, &'static str)>,
    /// The edges between adjacent layers the ordering saw, for counting crossings.
    #[cfg(test)]
    edges: Vec<(usize, usize, &'static str)>,
}

fn layout(graph: &Graph) -> Layout {
    let mut layer = layers(graph.nodes.len(), &graph.edges);
    let mut edges = Vec::new();
    let mut chains = Vec::new();
    for &(f, t, class) in &graph.edges {
        let mut chain = vec![f];
        if layer[t] > layer[f] + 1 {
            for l in layer[f] + 1..layer[t] {
                let waypoint = layer.len();
                layer.push(l);
                edges.push((chain[chain.len() - 1], waypoint, class));
                chain.push(waypoint);
            }
        }
        edges.push((chain[chain.len() - 1], t, class));
        chain.push(t);
        chains.push((chain, class));
    }
    let rows = order(&layer, &edges);
    Layout {
        rows,
        layer,
        chains,
        #[cfg(test)]
        edges,
    }
}

/// How many pairs of edges cross between adjacent columns, for tests of the ordering.
#[cfg(test)]
fn crossings(graph: &Graph) -> usize {
    let l = layout(graph);
    count_crossings(&l.rows, &l.edges)
}

#[cfg(test)]
fn count_crossings(rows: &[Vec<usize>], edges: &[(usize, usize, &'static str)]) -> usize {
    let mut at = HashMap::new();
    for row in rows {
        for (i, &n) in row.iter().enumerate() {
            at.insert(n, i);
        }
    }
    let mut count = 0;
    for (a, &(f1, t1, _)) in edges.iter().enumerate() {
        for &(f2, t2, _) in &edges[a + 1..] {
            let (p1, q1, p2, q2) = (at[&f1], at[&t1], at[&f2], at[&t2]);
            if (p1 < p2 && q1 > q2) || (p1 > p2 && q1 < q2) {
                count += 1;
            }
        }
    }
    count
}

/// The SVG, with a legend after it; `title` labels it for screen readers.
pub fn render(title: &str, graph: &Graph) -> String {
    let Layout {
        rows,
        layer,
        chains,
        ..
    } = layout(graph);
    let real = graph.nodes.len();
    let wrapped: Vec<Vec<String>> = graph.nodes.iter().map(|n| wrap(&n.label)).collect();
    let lines = wrapped.iter().map(Vec::len).max().unwrap_or(1);
    let node_h = lines * LINE_H + 14;
    // A waypoint needs only room for its line to pass.
    let slot = |n: usize| if n < real { node_h } else { WAYPOINT_H };
    let column_h = |row: &Vec<usize>| {
        row.iter().map(|&n| slot(n)).sum::<usize>() + row.len().saturating_sub(1) * ROW_GAP
    };
    let inner = rows
        .iter()
        .map(column_h)
        .max()
        .unwrap_or(node_h)
        .max(node_h);
    let height = inner + 2 * PAD;
    let columns = rows.len().max(1);
    let width = columns * NODE_W + (columns - 1) * COL_GAP + 2 * PAD;
    let mut top = vec![0usize; layer.len()];
    let mut left = vec![0usize; layer.len()];
    for (l, row) in rows.iter().enumerate() {
        let mut y = PAD + (inner - column_h(row)) / 2;
        for &n in row {
            top[n] = y;
            left[n] = PAD + l * (NODE_W + COL_GAP);
            y += slot(n) + ROW_GAP;
        }
    }
    let middle = |n: usize| top[n] + slot(n) / 2;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="graph" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="group" aria-labelledby="graph-title" xmlns="http://www.w3.org/2000/svg"><title id="graph-title">{}</title>"#,
        escape(title)
    );
    svg.push_str(r#"<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" class="arrowhead"/></marker></defs>"#);
    for (chain, class) in &chains {
        let (f, t) = (chain[0], chain[chain.len() - 1]);
        let (mut x, mut y) = (left[f] + NODE_W, middle(f));
        let mut d = format!("M {x} {y}");
        if left[t] <= left[f] {
            // An edge back against the flow leaves and enters on the same sides, looping around.
            let (x2, y2) = (left[t], middle(t));
            let _ = write!(
                d,
                " C {} {y}, {} {y2}, {x2} {y2}",
                x + COL_GAP / 2,
                x2.saturating_sub(COL_GAP / 2)
            );
        } else {
            for &n in &chain[1..] {
                let (x2, y2) = (left[n], middle(n));
                let mid = (x + x2) / 2;
                let _ = write!(d, " C {mid} {y}, {mid} {y2}, {x2} {y2}");
                (x, y) = (x2, y2);
                if n >= real {
                    // Straight across the column the waypoint holds.
                    x += NODE_W;
                    let _ = write!(d, " L {x} {y}");
                }
            }
        }
        let _ = write!(
            svg,
            r#"<path class="edge {class}" d="{d}" marker-end="url(#arrow)"/>"#
        );
    }
    for (n, node) in graph.nodes.iter().enumerate() {
        let _ = write!(
            svg,
            r#"<a href="{href}" class="node {kind}"><title>{full}</title><rect x="{x}" y="{y}" width="{NODE_W}" height="{node_h}" rx="6"/><text x="{tx}" y="{ty}" text-anchor="middle">"#,
            href = escape(&node.href),
            kind = escape(&node.kind),
            full = escape(&node.label),
            x = left[n],
            y = top[n],
            tx = left[n] + NODE_W / 2,
            ty = top[n] + (node_h - wrapped[n].len() * LINE_H) / 2 + LINE_H - 3,
        );
        for (i, line) in wrapped[n].iter().enumerate() {
            let _ = write!(
                svg,
                r#"<tspan x="{x}" dy="{dy}">{text}</tspan>"#,
                x = left[n] + NODE_W / 2,
                dy = if i == 0 { 0 } else { LINE_H },
                text = escape(line)
            );
        }
        svg.push_str("</text></a>");
    }
    svg.push_str("</svg>");
    svg.push_str(LEGEND);
    svg
}

const LEGEND: &str = r#"<ul class="legend" aria-label="Legend"><li><span class="swatch"></span>service</li><li><span class="swatch event"></span>event of this domain or page</li><li><span class="swatch foreign"></span>event of another domain</li><li><span class="swatch deprecated"></span>deprecated event</li><li><span class="line"></span>produces</li><li><span class="line dashed"></span>consumes</li></ul>"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn node(g: &mut Graph, label: &str) -> usize {
        g.node(Node {
            label: label.into(),
            href: format!("/ui/x/{label}"),
            kind: "service".into(),
        })
    }

    #[test]
    fn nodes_are_drawn_once_and_escaped() {
        let mut g = Graph::default();
        let p = node(&mut g, "p");
        let e = node(&mut g, "e&v");
        let c = node(&mut g, "c");
        g.edge(p, e, "produces");
        g.edge(e, c, "consumes");
        // The same service again, and a service that both consumes and produces.
        let p_again = node(&mut g, "p");
        assert_eq!(p, p_again);
        let e2 = node(&mut g, "e2");
        g.edge(c, e2, "produces");
        g.edge(e2, p, "consumes");
        let svg = render("flow of <e>", &g);
        assert!(svg.starts_with("<svg") && svg.contains("</svg><ul class=\"legend\""));
        assert_eq!(svg.matches("<rect").count(), 4);
        assert_eq!(svg.matches("class=\"edge").count(), 4);
        assert!(svg.contains("flow of &lt;e&gt;") && svg.contains("e&amp;v"));
    }

    #[test]
    fn long_names_wrap_without_losing_a_character() {
        let name = "payments.payment.processed.v2";
        let lines = wrap(name);
        assert!(lines.len() > 1 && lines.iter().all(|l| l.chars().count() <= LINE_CHARS));
        assert_eq!(lines.concat(), name);
        assert_eq!(wrap("short"), ["short"]);
        assert_eq!(wrap("x".repeat(50).as_str()).concat(), "x".repeat(50));
    }

    #[test]
    fn a_long_edge_runs_through_a_waypoint_in_each_layer_it_crosses() {
        let mut g = Graph::default();
        let a = node(&mut g, "a");
        let b = node(&mut g, "b");
        let c = node(&mut g, "c");
        g.edge(a, b, "produces");
        g.edge(b, c, "consumes");
        g.edge(a, c, "consumes");
        let l = layout(&g);
        assert_eq!(l.layer.len(), 4, "one waypoint");
        assert_eq!(l.layer[3], 1);
        assert_eq!(l.chains[2].0, [a, 3, c]);
        let svg = render("t", &g);
        // The arrowhead's path holds two; the long edge one more, across the waypoint.
        assert_eq!(svg.matches(" L ").count(), 3, "{svg}");
        assert_eq!(svg.matches("<rect").count(), 3);
    }

    #[test]
    fn barycenter_ordering_removes_crossings() {
        // Two producers each with their own event and consumer, given in crossing order.
        let mut g = Graph::default();
        let p1 = node(&mut g, "p1");
        let p2 = node(&mut g, "p2");
        let e2 = node(&mut g, "e2");
        let e1 = node(&mut g, "e1");
        let c1 = node(&mut g, "c1");
        let c2 = node(&mut g, "c2");
        g.edge(p1, e1, "produces");
        g.edge(p2, e2, "produces");
        g.edge(e2, c2, "consumes");
        g.edge(e1, c1, "consumes");
        let given = vec![vec![p1, p2], vec![e2, e1], vec![c1, c2]];
        assert!(count_crossings(&given, &g.edges) > 0);
        assert_eq!(crossings(&g), 0);
    }
}
