//! The crate's layering, read from its source: which top-level module imports which, with no
//! cycle, so each layer can be understood and changed with only the ones below it in mind.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

type Graph = BTreeMap<String, BTreeSet<String>>;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The source a build of the library sees: comments and the unit-test module left out.
fn code_of(text: &str) -> String {
    let text = text
        .split("#[cfg(test)]\nmod tests")
        .next()
        .unwrap_or_default();
    text.lines()
        .map(|line| match line.find("//") {
            Some(at) => &line[..at],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every `crate::name` path and every name inside `use crate::{...}`, as top-level modules.
fn imported_modules(code: &str, modules: &BTreeSet<String>) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let words = |s: &str| -> Vec<String> {
        s.split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect()
    };
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let group = &group[..group.find("};").unwrap_or(group.len())];
            // The first word of each comma-separated path at the group's top level.
            let mut depth = 0;
            let mut start = true;
            let mut current = String::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        start = true;
                        current.clear();
                        continue;
                    }
                    _ => {}
                }
                if start && depth == 0 {
                    if c.is_alphanumeric() || c == '_' {
                        current.push(c);
                        continue;
                    } else if !current.is_empty() {
                        found.insert(current.clone());
                        start = false;
                    }
                }
            }
            if start && !current.is_empty() {
                found.insert(current);
            }
        } else if let Some(word) = words(rest).into_iter().next() {
            found.insert(word);
        }
    }
    found.retain(|m| modules.contains(m));
    found
}

fn import_graph() -> Graph {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut modules = BTreeSet::new();
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        if !matches!(name.as_str(), "main" | "lib") {
            modules.insert(name);
        }
    }
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut graph = Graph::new();
    for file in files {
        let relative = file.strip_prefix(&src).unwrap();
        let top = relative
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        if !modules.contains(&top) {
            continue;
        }
        let code = code_of(&std::fs::read_to_string(&file).unwrap());
        let imports = graph.entry(top.clone()).or_default();
        for module in imported_modules(&code, &modules) {
            if module != top {
                imports.insert(module);
            }
        }
    }
    graph
}

/// A path `from` → … → `from`, if there is one.
fn cycle_through(graph: &Graph, from: &str) -> Option<Vec<String>> {
    fn walk(
        graph: &Graph,
        at: &str,
        goal: &str,
        path: &mut Vec<String>,
        seen: &mut BTreeSet<String>,
    ) -> bool {
        for next in graph.get(at).into_iter().flatten() {
            if next == goal {
                path.push(next.clone());
                return true;
            }
            if seen.insert(next.clone()) {
                path.push(next.clone());
                if walk(graph, next, goal, path, seen) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    let mut path = vec![from.to_string()];
    walk(graph, from, from, &mut path, &mut BTreeSet::new()).then_some(path)
}

#[test]
fn top_level_modules_import_each_other_without_a_cycle() {
    let graph = import_graph();
    for (module, imports) in &graph {
        let list: Vec<_> = imports.iter().map(String::as_str).collect();
        println!("{module} -> {}", list.join(" "));
    }
    for module in graph.keys() {
        if let Some(cycle) = cycle_through(&graph, module) {
            panic!("import cycle: {}", cycle.join(" -> "));
        }
    }
}

#[test]
fn storage_and_formats_know_nothing_of_http_and_the_pages_and_api_not_of_each_other() {
    let graph = import_graph();
    let imports = |m: &str| graph.get(m).cloned().unwrap_or_default();
    for lower in [
        "store",
        "formats",
        "model",
        "registry",
        "catalog",
        "catalog_entities",
    ] {
        for upper in ["http", "api", "web", "auth", "server", "cli"] {
            if lower == "registry" && upper == "auth" {
                // `auth` is identity, not HTTP: who acts (a task-local), token secrets and
                // grants; it imports only `model`, which this test checks below.
                continue;
            }
            assert!(
                !imports(lower).contains(upper),
                "{lower} imports {upper}: {:?}",
                imports(lower)
            );
        }
    }
    assert!(
        imports("auth").iter().all(|m| m == "model"),
        "{:?}",
        imports("auth")
    );
    assert!(!imports("api").contains("web"));
    assert!(!imports("web").contains("api"));
}

#[test]
fn the_reader_finds_grouped_and_nested_imports() {
    let modules: BTreeSet<String> = ["a", "b", "c", "d"].map(String::from).into();
    let code = "use crate::{a::X, b::{Y, Z}, c};\nfn f() { crate::d::g(); }";
    assert_eq!(imported_modules(code, &modules), modules);
    let code = code_of("use std::io; // crate::a\n#[cfg(test)]\nmod tests { use crate::b; }");
    assert!(imported_modules(&code, &modules).is_empty());
}
