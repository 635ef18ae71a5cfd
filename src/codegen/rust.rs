//! Rust models: serde structs and enums, one module per package, wire names kept by `rename`.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde_json::Value;

use super::model::{logicals_of, reaches, Body, Field, Logical, Module, Presence, Ty, TypeDef};
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
    let logicals = logicals_of(&module.types);
    let decimals = logicals
        .iter()
        .any(|l| matches!(l, Logical::Decimal { .. }) && natural(*l).is_some());
    if decimals {
        out.push_str(DECIMAL_SUPPORT);
    }
    if logicals.contains(&Logical::Duration) {
        out.push_str(DURATION_SUPPORT);
    }
    for logical in logicals {
        out.push('\n');
        out.push_str(&logical_type(logical));
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

/// A logical type's natural Rust type, its wire type, and the expressions that write it
/// (from `v`, a reference to the natural value) and read it (from `w`, the wire value, to an
/// `Option` of the natural value). `None` when no crate type holds every value (decimals past
/// rust_decimal's 28 digits).
struct Natural {
    inner: String,
    wire: &'static str,
    write: String,
    read: String,
}

fn natural(l: Logical) -> Option<Natural> {
    let n = |inner: &str, wire: &'static str, write: &str, read: &str| Natural {
        inner: inner.to_string(),
        wire,
        write: write.to_string(),
        read: read.to_string(),
    };
    Some(match l {
        Logical::TimestampMillis => n(
            "chrono::DateTime<chrono::Utc>",
            "i64",
            "v.timestamp_millis()",
            "chrono::DateTime::from_timestamp_millis(w)",
        ),
        Logical::TimestampMicros => n(
            "chrono::DateTime<chrono::Utc>",
            "i64",
            "v.timestamp_micros()",
            "chrono::DateTime::from_timestamp_micros(w)",
        ),
        Logical::LocalTimestampMillis => n(
            "chrono::NaiveDateTime",
            "i64",
            "v.and_utc().timestamp_millis()",
            "chrono::DateTime::from_timestamp_millis(w).map(|t| t.naive_utc())",
        ),
        Logical::LocalTimestampMicros => n(
            "chrono::NaiveDateTime",
            "i64",
            "v.and_utc().timestamp_micros()",
            "chrono::DateTime::from_timestamp_micros(w).map(|t| t.naive_utc())",
        ),
        Logical::EpochDate => n(
            "chrono::NaiveDate",
            "i32",
            "i32::try_from(v.signed_duration_since(chrono::NaiveDate::default()).num_days()).map_err(<S::Error as serde::ser::Error>::custom)?",
            "chrono::TimeDelta::try_days(i64::from(w)).and_then(|d| chrono::NaiveDate::default().checked_add_signed(d))",
        ),
        Logical::TimeMillis => n(
            "chrono::NaiveTime",
            "i32",
            "(chrono::Timelike::num_seconds_from_midnight(v) * 1000 + chrono::Timelike::nanosecond(v) / 1_000_000) as i32",
            "u32::try_from(w).ok().and_then(|w| chrono::NaiveTime::from_num_seconds_from_midnight_opt(w / 1000, w % 1000 * 1_000_000))",
        ),
        Logical::TimeMicros => n(
            "chrono::NaiveTime",
            "i64",
            "i64::from(chrono::Timelike::num_seconds_from_midnight(v)) * 1_000_000 + i64::from(chrono::Timelike::nanosecond(v) / 1000)",
            "u64::try_from(w).ok().and_then(|w| chrono::NaiveTime::from_num_seconds_from_midnight_opt(u32::try_from(w / 1_000_000).ok()?, (w % 1_000_000 * 1000) as u32))",
        ),
        Logical::Decimal {
            precision,
            scale,
            size,
        } => {
            if precision > 28 || scale > 28 {
                return None;
            }
            let size = size.map_or("None".to_string(), |s| format!("Some({s})"));
            n(
                "rust_decimal::Decimal",
                "String",
                &format!("decimal_to_wire(v, {scale}, {size}).map_err(<S::Error as serde::ser::Error>::custom)?"),
                &format!("decimal_from_wire(&w, {scale})"),
            )
        }
        Logical::Uuid => n(
            "uuid::Uuid",
            "String",
            "v.hyphenated().to_string()",
            "uuid::Uuid::parse_str(&w).ok()",
        ),
        Logical::DateTime => n(
            "chrono::DateTime<chrono::FixedOffset>",
            "String",
            "v.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)",
            "chrono::DateTime::parse_from_rfc3339(&w).ok()",
        ),
        Logical::Instant => n(
            "chrono::DateTime<chrono::Utc>",
            "String",
            "v.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)",
            "chrono::DateTime::parse_from_rfc3339(&w).ok().map(|t| t.with_timezone(&chrono::Utc))",
        ),
        Logical::Date => n(
            "chrono::NaiveDate",
            "String",
            "v.format(\"%Y-%m-%d\").to_string()",
            "chrono::NaiveDate::parse_from_str(&w, \"%Y-%m-%d\").ok()",
        ),
        Logical::Duration => n(
            "chrono::TimeDelta",
            "String",
            "duration_to_wire(v)",
            "duration_from_wire(&w)",
        ),
    })
}

/// The newtype of a logical type over its natural type, with serde reading and writing the wire
/// form; or an alias of the wire type where no natural type holds every value.
fn logical_type(l: Logical) -> String {
    let mut out = String::new();
    let Some(nat) = natural(l) else {
        docs(Some(&l.encoding()), &mut out);
        let _ = writeln!(out, "pub type {} = String;", l.alias());
        return out;
    };
    docs(
        Some(&format!("{}\nHeld as `{}`.", l.encoding(), nat.inner)),
        &mut out,
    );
    let name = l.alias();
    let _ = writeln!(
        out,
        r#"#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct {name}(pub {inner});

impl std::ops::Deref for {name} {{
    type Target = {inner};
    fn deref(&self) -> &{inner} {{
        &self.0
    }}
}}

impl From<{inner}> for {name} {{
    fn from(value: {inner}) -> Self {{
        Self(value)
    }}
}}

impl serde::Serialize for {name} {{
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {{
        let v = &self.0;
        let w: {wire} = {write};
        serde::Serialize::serialize(&w, s)
    }}
}}

impl<'de> serde::Deserialize<'de> for {name} {{
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {{
        let w = <{wire} as serde::Deserialize>::deserialize(d)?;
        let read: Option<{inner}> = {read};
        read.map(Self).ok_or_else(|| serde::de::Error::custom(concat!("not a valid ", stringify!({name}))))
    }}
}}"#,
        inner = nat.inner,
        wire = nat.wire,
        write = nat.write,
        read = nat.read,
    );
    out
}

/// The conversions of the Avro decimal newtypes.
const DECIMAL_SUPPORT: &str = r#"
/// The decimal an Avro decimal's bytes hold: the unscaled two's-complement integer, big-endian,
/// one character (U+0000 to U+00FF) per byte.
pub fn decimal_from_wire(text: &str, scale: u32) -> Option<rust_decimal::Decimal> {
    let bytes: Vec<u8> = text.chars().map(|c| u8::try_from(u32::from(c)).ok()).collect::<Option<_>>()?;
    if bytes.len() > 16 {
        return None;
    }
    let fill = if bytes.first().is_some_and(|b| b & 0x80 != 0) { 0xff } else { 0 };
    let mut full = [fill; 16];
    full[16 - bytes.len()..].copy_from_slice(&bytes);
    rust_decimal::Decimal::try_from_i128_with_scale(i128::from_be_bytes(full), scale).ok()
}

/// An Avro decimal's bytes: the fewest that hold the value, or `size` (a fixed's) sign-extended.
pub fn decimal_to_wire(value: &rust_decimal::Decimal, scale: u32, size: Option<usize>) -> Result<String, String> {
    let mut scaled = *value;
    scaled.rescale(scale);
    if scaled.scale() != scale {
        return Err(format!("{value} does not fit scale {scale}"));
    }
    let full = scaled.mantissa().to_be_bytes();
    let mut start = 0;
    while start < 15
        && ((full[start] == 0 && full[start + 1] & 0x80 == 0)
            || (full[start] == 0xff && full[start + 1] & 0x80 != 0))
    {
        start += 1;
    }
    let mut bytes = full[start..].to_vec();
    if let Some(size) = size {
        if bytes.len() > size {
            return Err(format!("{value} needs more than {size} bytes"));
        }
        let fill = if full[0] & 0x80 != 0 { 0xff } else { 0 };
        bytes.splice(0..0, std::iter::repeat(fill).take(size - bytes.len()));
    }
    Ok(bytes.into_iter().map(char::from).collect())
}
"#;

/// The conversions of the Protobuf Duration newtype.
const DURATION_SUPPORT: &str = r#"
fn fraction(nanos: u32) -> String {
    match nanos {
        0 => String::new(),
        n if n % 1_000_000 == 0 => format!(".{:03}", n / 1_000_000),
        n if n % 1_000 == 0 => format!(".{:06}", n / 1_000),
        n => format!(".{n:09}"),
    }
}

/// google.protobuf.Duration's text: seconds with 0, 3, 6 or 9 fractional digits and an `s`.
pub fn duration_to_wire(value: &chrono::TimeDelta) -> String {
    let sign = if *value < chrono::TimeDelta::zero() { "-" } else { "" };
    let size = value.abs();
    format!("{sign}{}{}s", size.num_seconds(), fraction(size.subsec_nanos().unsigned_abs()))
}

pub fn duration_from_wire(text: &str) -> Option<chrono::TimeDelta> {
    let number = text.strip_suffix('s')?;
    let (negative, number) = match number.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, number),
    };
    let (whole, frac) = number.split_once('.').unwrap_or((number, ""));
    if frac.len() > 9 || !frac.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let seconds: i64 = whole.parse().ok()?;
    let nanos: u32 = if frac.is_empty() { 0 } else { format!("{frac:0<9}").parse().ok()? };
    let size = chrono::TimeDelta::new(seconds, nanos)?;
    Some(if negative { -size } else { size })
}
"#;

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
        (Ty::Logical(l), v) if natural(*l).is_none() => {
            return default_expr(module, &l.wire(), v, here)
        }
        (Ty::Logical(_), v) => Expr(format!(
            "serde_json::from_str({}).expect(\"the schema's default\")",
            quoted(&v.to_string())
        )),
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
