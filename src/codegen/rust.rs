//! Rust models: serde structs and enums, one module per package, wire names kept by `rename`.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde_json::Value;

use super::model::{logicals_of, reaches, Body, Field, Module, Presence, Ty, TypeDef};
use super::names::{doc_lines, pascal, quoted, snake, unique};
use super::Generated;

const KEYWORDS: &[&str] = &[
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for",
    "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return",
    "self", "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where",
    "while", "async", "await", "dyn", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
];

fn ident(name: String) -> String {
    if KEYWORDS.contains(&name.as_str()) {
        format!("{name}_")
    } else {
        name
    }
}

fn module_path(package: &[String]) -> Vec<String> {
    package.iter().map(|p| ident(snake(p))).collect()
}

pub fn generate(module: &Module) -> Generated {
    let mut out = String::new();
    let _ = writeln!(out, "//! {}", super::header(module));
    let _ = writeln!(
        out,
        "//! Models of the decoded data (serde + serde_json); wire names are kept by `rename`."
    );
    if module.types.iter().any(uses_int64) {
        out.push_str(INT64);
    }
    for logical in logicals_of(&module.types) {
        // The wire form under a name that says what it holds: no date, decimal or UUID crate
        // is needed to build the models, and serde reads and writes the data unchanged.
        out.push('\n');
        docs(Some(&logical.encoding()), &mut out);
        let _ = writeln!(
            out,
            "pub type {} = {};",
            logical.alias(),
            ty(module, &logical.wire(), &[], None)
        );
    }
    // Types grouped by module, the tree printed depth first in a stable order.
    let mut by_module: BTreeMap<Vec<String>, Vec<usize>> = BTreeMap::new();
    for (i, def) in module.types.iter().enumerate() {
        by_module
            .entry(module_path(&def.package))
            .or_default()
            .push(i);
    }
    print_tree(module, &by_module, &[], &mut out, 0);
    Generated {
        path: format!("{}.rs", snake(&module.label)),
        text: out,
    }
}

/// The path of the root type from the generated file's top (`shop::orders::OrderPlaced`).
pub fn root_path(module: &Module) -> String {
    type_path(module, module.root, &[])
}

fn uses_int64(def: &TypeDef) -> bool {
    fn has(t: &Ty) -> bool {
        match t {
            Ty::Int64 => true,
            Ty::Array(t) | Ty::Map(t) | Ty::Nullable(t) => has(t),
            _ => false,
        }
    }
    match &def.body {
        Body::Record(fields) => fields.iter().any(|f| has(&f.ty)),
        Body::Union(members) => members.iter().any(has),
        Body::Enum(_) => false,
    }
}

/// The file's one helper type, when a 64-bit Protobuf integer needs it.
const INT64: &str = r#"
/// A 64-bit integer that Protobuf's JSON mapping writes as decimal text: read from text or a
/// number, written as a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, serde::Serialize)]
#[serde(transparent)]
pub struct Int64(pub i64);

impl<'de> serde::Deserialize<'de> for Int64 {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        #[serde(untagged)]
        enum Either {
            Number(i64),
            Text(String),
        }
        match Either::deserialize(d)? {
            Either::Number(n) => Ok(Int64(n)),
            Either::Text(t) => t.parse().map(Int64).map_err(serde::de::Error::custom),
        }
    }
}
"#;

fn print_tree(
    module: &Module,
    by_module: &BTreeMap<Vec<String>, Vec<usize>>,
    here: &[String],
    out: &mut String,
    indent: usize,
) {
    let pad = "    ".repeat(indent);
    for &i in by_module.get(here).map(Vec::as_slice).unwrap_or(&[]) {
        out.push('\n');
        let text = type_def(module, i, here);
        for line in text.lines() {
            if line.is_empty() {
                out.push('\n');
            } else {
                let _ = writeln!(out, "{pad}{line}");
            }
        }
    }
    let mut children: Vec<&String> = by_module
        .keys()
        .filter(|k| k.len() > here.len() && k.starts_with(here))
        .map(|k| &k[here.len()])
        .collect();
    children.dedup();
    for child in children {
        let mut path = here.to_vec();
        path.push(child.clone());
        let _ = writeln!(out, "\n{pad}pub mod {child} {{");
        print_tree(module, by_module, &path, out, indent + 1);
        let _ = writeln!(out, "{pad}}}");
    }
}

fn docs(doc: Option<&str>, out: &mut String) {
    if let Some(doc) = doc {
        for line in doc_lines(doc) {
            if line.is_empty() {
                out.push_str("///\n");
            } else {
                let _ = writeln!(out, "/// {line}");
            }
        }
    }
}

fn type_path(module: &Module, index: usize, from: &[String]) -> String {
    let def = &module.types[index];
    let to = module_path(&def.package);
    if to == from {
        return def.name.clone();
    }
    let mut path = "super::".repeat(from.len());
    for part in &to {
        path.push_str(part);
        path.push_str("::");
    }
    path + &def.name
}

/// `boxed_for`: the type holding this one, to box references that close a cycle.
fn ty(module: &Module, t: &Ty, from: &[String], boxed_for: Option<usize>) -> String {
    match t {
        Ty::Bool => "bool".into(),
        Ty::Int => "i32".into(),
        Ty::Long => "i64".into(),
        Ty::Int64 => format!("{}Int64", "super::".repeat(from.len())),
        Ty::Float => "f32".into(),
        Ty::Double => "f64".into(),
        Ty::String => "String".into(),
        Ty::Any => "serde_json::Value".into(),
        Ty::Named(i) => {
            let path = type_path(module, *i, from);
            match boxed_for {
                Some(holder) if *i == holder || reaches(&module.types, *i, holder) => {
                    format!("Box<{path}>")
                }
                _ => path,
            }
        }
        Ty::Array(t) => format!("Vec<{}>", ty(module, t, from, None)),
        Ty::Map(t) => format!(
            "std::collections::BTreeMap<String, {}>",
            ty(module, t, from, None)
        ),
        Ty::Nullable(t) => format!("Option<{}>", ty(module, t, from, boxed_for)),
        Ty::Logical(l) => format!("{}{}", "super::".repeat(from.len()), l.alias()),
    }
}

fn type_def(module: &Module, index: usize, here: &[String]) -> String {
    let def = &module.types[index];
    let mut out = String::new();
    docs(def.doc.as_deref(), &mut out);
    match &def.body {
        Body::Record(fields) => record(module, index, def, fields, here, &mut out),
        Body::Enum(symbols) => {
            let _ = writeln!(
                out,
                "#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]\npub enum {} {{",
                def.name
            );
            let mut taken = Vec::new();
            for (i, symbol) in symbols.iter().enumerate() {
                let variant = unique(pascal(symbol), &mut taken);
                if i == 0 {
                    out.push_str("    #[default]\n");
                }
                let _ = writeln!(
                    out,
                    "    #[serde(rename = {})]\n    {variant},",
                    quoted(symbol)
                );
            }
            out.push_str("}\n");
        }
        Body::Union(members) if members.len() == 1 => {
            let _ = writeln!(
                out,
                "pub type {} = {};",
                def.name,
                ty(module, &members[0], here, None)
            );
        }
        Body::Union(members) => {
            let _ = writeln!(
                out,
                "#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]\n#[serde(untagged)]\npub enum {} {{",
                def.name
            );
            let mut taken = Vec::new();
            for member in members {
                let variant = unique(variant_name(module, member), &mut taken);
                let _ = writeln!(
                    out,
                    "    {variant}({}),",
                    ty(module, member, here, Some(index))
                );
            }
            out.push_str("}\n");
        }
    }
    out
}

/// A variant name for a union member, after its type.
pub fn variant_name(module: &Module, t: &Ty) -> String {
    match t {
        Ty::Bool => "Bool".into(),
        Ty::Int => "Int".into(),
        Ty::Long => "Long".into(),
        Ty::Int64 => "Int64".into(),
        Ty::Float => "Float".into(),
        Ty::Double => "Double".into(),
        Ty::String => "String".into(),
        Ty::Any => "Any".into(),
        Ty::Named(i) => module.types[*i].name.clone(),
        Ty::Array(t) => format!("{}List", variant_name(module, t)),
        Ty::Map(t) => format!("{}Map", variant_name(module, t)),
        Ty::Nullable(t) => format!("Optional{}", variant_name(module, t)),
        Ty::Logical(l) => l.alias(),
    }
}

fn record(
    module: &Module,
    index: usize,
    def: &TypeDef,
    fields: &[Field],
    here: &[String],
    out: &mut String,
) {
    let mut defaults = String::new();
    let _ = writeln!(
        out,
        "#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]\npub struct {} {{",
        def.name
    );
    let mut taken = Vec::new();
    for field in fields {
        let name = unique(ident(snake(&field.wire)), &mut taken);
        let rust_ty = ty(module, &field.ty, here, Some(index));
        let mut attrs = Vec::new();
        if name != field.wire {
            attrs.push(format!("rename = {}", quoted(&field.wire)));
        }
        let mut doc = field.doc.clone();
        let field_ty = match &field.presence {
            Presence::Required => rust_ty,
            Presence::Optional if matches!(field.ty, Ty::Nullable(_)) => {
                attrs.push("default".into());
                rust_ty
            }
            Presence::Optional if field.ty == Ty::Any => {
                attrs.push("default".into());
                attrs.push("skip_serializing_if = \"serde_json::Value::is_null\"".into());
                rust_ty
            }
            Presence::Optional => {
                attrs.push("default".into());
                attrs.push("skip_serializing_if = \"Option::is_none\"".into());
                format!("Option<{rust_ty}>")
            }
            Presence::Defaulted(None) => {
                attrs.push("default".into());
                rust_ty
            }
            Presence::Defaulted(Some(value)) => {
                match default_expr(module, &field.ty, value, here) {
                    Some(DefaultExpr::Derived) => attrs.push("default".into()),
                    Some(DefaultExpr::Expr(expr)) => {
                        let fn_name = format!(
                            "default_{}_{}",
                            snake(&def.name),
                            name.trim_end_matches('_')
                        );
                        let _ =
                            writeln!(defaults, "\nfn {fn_name}() -> {rust_ty} {{\n    {expr}\n}}");
                        attrs.push(format!("default = {}", quoted(&fn_name)));
                    }
                    None => {
                        let line = format!("Default (not applied when reading): {value}.");
                        doc = Some(match doc {
                            Some(d) => format!("{d}\n{line}"),
                            None => line,
                        });
                    }
                }
                rust_ty
            }
        };
        let mut text = String::new();
        docs(doc.as_deref(), &mut text);
        for line in text.lines() {
            let _ = writeln!(out, "    {line}");
        }
        if !attrs.is_empty() {
            let _ = writeln!(out, "    #[serde({})]", attrs.join(", "));
        }
        let _ = writeln!(out, "    pub {name}: {field_ty},");
    }
    out.push_str("}\n");
    out.push_str(&defaults);
}

enum DefaultExpr {
    /// `Default::default()` is the value.
    Derived,
    Expr(String),
}

fn default_expr(module: &Module, t: &Ty, value: &Value, here: &[String]) -> Option<DefaultExpr> {
    use DefaultExpr::*;
    Some(match (t, value) {
        (Ty::Logical(l), v) => return default_expr(module, &l.wire(), v, here),
        (Ty::Nullable(_), Value::Null) => Derived,
        (Ty::Nullable(inner), v) => match default_expr(module, inner, v, here)? {
            Derived => Expr("Some(Default::default())".into()),
            Expr(e) => Expr(format!("Some({e})")),
        },
        (Ty::Bool, Value::Bool(b)) => Expr(b.to_string()),
        (Ty::Int | Ty::Long, Value::Number(n)) if n.is_i64() => Expr(n.to_string()),
        (Ty::Float | Ty::Double, Value::Number(n)) => Expr(format!("{:?}", n.as_f64()?)),
        (Ty::String, Value::String(s)) => Expr(format!("{}.to_string()", quoted(s))),
        (Ty::Array(_), Value::Array(a)) if a.is_empty() => Derived,
        (Ty::Map(_), Value::Object(o)) if o.is_empty() => Derived,
        (Ty::Any, v) => Expr(format!(
            "serde_json::from_str({}).unwrap_or(serde_json::Value::Null)",
            quoted(&v.to_string())
        )),
        (Ty::Named(i), Value::String(s)) => match &module.types[*i].body {
            Body::Enum(symbols) => {
                let mut taken = Vec::new();
                let variants: Vec<String> = symbols
                    .iter()
                    .map(|s| unique(pascal(s), &mut taken))
                    .collect();
                let at = symbols.iter().position(|x| x == s)?;
                if at == 0 {
                    Derived
                } else {
                    Expr(format!("{}::{}", type_path(module, *i, here), variants[at]))
                }
            }
            _ => return None,
        },
        _ => return None,
    })
}
