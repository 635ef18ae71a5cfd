//! Java 17 models: one holder class per version with a record per record type, an enum per
//! enum, a sealed interface per union, and a small JSON reader and writer so the models need no
//! library. Wire names are kept by the `@WireName` annotation on each component.

use std::fmt::Write;

use super::model::{Body, Field, Logical, Module, Presence, Ty};
use super::names::{camel, doc_lines, pascal, quoted, unique, upper_snake};
use super::Generated;

const KEYWORDS: &[&str] = &[
    "abstract",
    "assert",
    "boolean",
    "break",
    "byte",
    "case",
    "catch",
    "char",
    "class",
    "const",
    "continue",
    "default",
    "do",
    "double",
    "else",
    "enum",
    "extends",
    "final",
    "finally",
    "float",
    "for",
    "goto",
    "if",
    "implements",
    "import",
    "instanceof",
    "int",
    "interface",
    "long",
    "native",
    "new",
    "package",
    "private",
    "protected",
    "public",
    "return",
    "short",
    "static",
    "strictfp",
    "super",
    "switch",
    "synchronized",
    "this",
    "throw",
    "throws",
    "transient",
    "try",
    "void",
    "volatile",
    "while",
    "true",
    "false",
    "null",
    "var",
    "yield",
    "record",
    "sealed",
    "permits",
    "non",
    "_",
    // Methods every record has or this file adds.
    "toJson",
    "fromJson",
    "hashCode",
    "toString",
    "equals",
    "getClass",
    "wait",
    "notify",
    "notifyAll",
    "clone",
    "finalize",
    "parse",
    "toJsonText",
    // A component named `java` would obscure the `java.time` and `java.math` packages the
    // logical types are written with.
    "java",
];

fn ident(name: String) -> String {
    if KEYWORDS.contains(&name.as_str()) {
        format!("{name}_")
    } else {
        name
    }
}

/// Names the file defines besides the model types.
const HELPERS: &[&str] = &[
    "Json", "ToJson", "WireName", "Object", "String", "List", "Map",
];

struct Names {
    holder: String,
    types: Vec<String>,
}

fn names(module: &Module) -> Names {
    let holder = pascal(&module.label);
    let mut taken: Vec<String> = HELPERS.iter().map(|s| s.to_string()).collect();
    taken.push(holder.clone());
    let types = module
        .types
        .iter()
        .map(|t| unique(t.name.clone(), &mut taken))
        .collect();
    Names { holder, types }
}

fn package(module: &Module) -> Vec<String> {
    module
        .package
        .iter()
        .map(|p| {
            ident(
                p.to_ascii_lowercase()
                    .replace(|c: char| !c.is_ascii_alphanumeric(), "_"),
            )
        })
        .collect()
}

/// The fully qualified name of the root type (`shop.orders.OrderPlacedV3.OrderPlaced`).
pub fn root_class(module: &Module) -> String {
    let names = names(module);
    let mut parts = package(module);
    parts.push(names.holder);
    parts.push(names.types[module.root].clone());
    parts.join(".")
}

pub fn generate(module: &Module) -> Generated {
    let names = names(module);
    let package = package(module);
    let mut out = String::new();
    let _ = writeln!(out, "// {}", super::header(module));
    if !package.is_empty() {
        let _ = writeln!(out, "package {};", package.join("."));
    }
    out.push_str("\nimport java.util.ArrayList;\nimport java.util.LinkedHashMap;\nimport java.util.List;\nimport java.util.Map;\nimport java.util.function.Function;\n\n");
    let _ = writeln!(
        out,
        "/** Models of the decoded data: {{@code fromJson}} reads parsed JSON, {{@code toJson}} writes it back. */\npublic final class {} {{\n    private {}() {{}}\n",
        names.holder, names.holder
    );
    out.push_str(
        "    /** The JSON property a record component is read from and written to. */\n    @java.lang.annotation.Retention(java.lang.annotation.RetentionPolicy.RUNTIME)\n    @java.lang.annotation.Target(java.lang.annotation.ElementType.RECORD_COMPONENT)\n    public @interface WireName {\n        String value();\n    }\n\n    /** A model value that has a JSON form. */\n    public interface ToJson {\n        Object toJson();\n    }\n",
    );
    for index in 0..module.types.len() {
        out.push('\n');
        let mut text = String::new();
        type_def(module, &names, index, &mut text);
        for line in text.lines() {
            if line.is_empty() {
                out.push('\n');
            } else {
                let _ = writeln!(out, "    {line}");
            }
        }
    }
    out.push('\n');
    for line in JSON_HELPER.lines() {
        if line.is_empty() {
            out.push('\n');
        } else {
            let _ = writeln!(out, "    {line}");
        }
    }
    out.push_str("}\n");
    let mut path: Vec<String> = package.clone();
    path.push(format!("{}.java", names.holder));
    Generated {
        path: path.join("/"),
        text: out,
    }
}

fn javadoc(doc: Option<&str>, params: &[(String, String)], out: &mut String) {
    // User text may hold `@` (a tag to javadoc) or HTML; neither should be read as markup.
    let escape = |line: String| {
        line.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('@', "&#64;")
    };
    let mut lines: Vec<String> = doc
        .map(doc_lines)
        .unwrap_or_default()
        .into_iter()
        .map(escape)
        .collect();
    for (name, text) in params {
        for (i, line) in doc_lines(text).into_iter().enumerate() {
            lines.push(if i == 0 {
                format!("@param {name} {}", escape(line))
            } else {
                format!("    {}", escape(line))
            });
        }
    }
    if lines.is_empty() {
        return;
    }
    out.push_str("/**\n");
    for line in lines {
        if line.is_empty() {
            out.push_str(" *\n");
        } else {
            let _ = writeln!(out, " * {line}");
        }
    }
    out.push_str(" */\n");
}

/// Single-member unions are plain aliases: Java has none, so uses print the member.
fn resolved<'a>(module: &'a Module, t: &'a Ty) -> &'a Ty {
    match t {
        Ty::Named(i) => match &module.types[*i].body {
            Body::Union(m) if m.len() == 1 => resolved(module, &m[0]),
            _ => t,
        },
        _ => t,
    }
}

fn java_type(module: &Module, names: &Names, t: &Ty, boxed: bool) -> String {
    let t = resolved(module, t);
    let prim = |p: &str, b: &str| if boxed { b.to_string() } else { p.to_string() };
    match t {
        Ty::Bool => prim("boolean", "Boolean"),
        Ty::Int => prim("int", "Integer"),
        Ty::Long | Ty::Int64 => prim("long", "Long"),
        Ty::Float => prim("float", "Float"),
        Ty::Double => prim("double", "Double"),
        Ty::String => "String".into(),
        Ty::Any => "Object".into(),
        Ty::Named(i) => names.types[*i].clone(),
        Ty::Array(t) => format!("List<{}>", java_type(module, names, t, true)),
        Ty::Map(t) => format!("Map<String, {}>", java_type(module, names, t, true)),
        Ty::Nullable(t) => java_type(module, names, t, true),
        Ty::Logical(l) => match l {
            Logical::TimestampMillis | Logical::TimestampMicros | Logical::Instant => {
                "java.time.Instant"
            }
            Logical::LocalTimestampMillis | Logical::LocalTimestampMicros => {
                "java.time.LocalDateTime"
            }
            Logical::EpochDate | Logical::Date => "java.time.LocalDate",
            Logical::TimeMillis | Logical::TimeMicros => "java.time.LocalTime",
            Logical::Decimal { .. } => "java.math.BigDecimal",
            Logical::Uuid => "java.util.UUID",
            Logical::DateTime => "java.time.OffsetDateTime",
            Logical::Duration => "java.time.Duration",
        }
        .into(),
    }
}

/// The `Json` method that reads a logical type; the writer is the same name with `Json` after.
fn logical_method(l: Logical) -> &'static str {
    match l {
        Logical::TimestampMillis => "timestampMillis",
        Logical::TimestampMicros => "timestampMicros",
        Logical::LocalTimestampMillis => "localTimestampMillis",
        Logical::LocalTimestampMicros => "localTimestampMicros",
        Logical::EpochDate => "epochDate",
        Logical::TimeMillis => "timeMillis",
        Logical::TimeMicros => "timeMicros",
        Logical::Decimal { .. } => "decimalBytes",
        Logical::Uuid => "uuidText",
        Logical::DateTime => "dateTimeText",
        Logical::Instant => "instantText",
        Logical::Date => "dateText",
        Logical::Duration => "durationText",
    }
}

/// An expression writing `value` (of the Java type of `t`) in its JSON form.
fn encode(module: &Module, names: &Names, t: &Ty, value: &str, depth: usize) -> String {
    let t = resolved(module, t);
    let mut found = Vec::new();
    t.logicals(&mut found);
    if found.is_empty() {
        return format!("Json.value({value})");
    }
    let v = format!("v{depth}");
    let lambda = |inner: &Ty| format!("{v} -> {}", encode(module, names, inner, &v, depth + 1));
    let of = |inner: &Ty| java_type(module, names, inner, true);
    match t {
        Ty::Logical(Logical::Decimal { scale, size, .. }) => format!(
            "Json.decimalBytesJson({value}, {scale}, {})",
            size.map_or(-1, i64::from)
        ),
        Ty::Logical(l) => format!("Json.{}Json({value})", logical_method(*l)),
        Ty::Array(inner) => format!("Json.<{}>listJson({value}, {})", of(inner), lambda(inner)),
        Ty::Map(inner) => format!("Json.<{}>mapJson({value}, {})", of(inner), lambda(inner)),
        Ty::Nullable(inner) => format!(
            "Json.<{}>nullableJson({value}, {})",
            of(inner),
            lambda(inner)
        ),
        _ => format!("Json.value({value})"),
    }
}

/// An expression reading `value` (an expression of type Object) as `t`.
fn decode(module: &Module, names: &Names, t: &Ty, value: &str, depth: usize) -> String {
    let t = resolved(module, t);
    let v = format!("v{depth}");
    let lambda = |inner: &Ty| format!("{v} -> {}", decode(module, names, inner, &v, depth + 1));
    match t {
        Ty::Bool => format!("Json.bool({value})"),
        Ty::Int => format!("Json.intValue({value})"),
        Ty::Long | Ty::Int64 => format!("Json.longValue({value})"),
        Ty::Float => format!("Json.floatValue({value})"),
        Ty::Double => format!("Json.doubleValue({value})"),
        Ty::String => format!("Json.string({value})"),
        Ty::Any => value.to_string(),
        Ty::Named(i) => format!("{}.fromJson({value})", names.types[*i]),
        Ty::Array(inner) => format!("Json.list({value}, {})", lambda(inner)),
        Ty::Map(inner) => format!("Json.map({value}, {})", lambda(inner)),
        Ty::Nullable(inner) => format!(
            "Json.<{}>nullable({value}, {})",
            java_type(module, names, inner, true),
            lambda(inner)
        ),
        Ty::Logical(Logical::Decimal { scale, .. }) => {
            format!("Json.decimalBytes({value}, {scale})")
        }
        Ty::Logical(l) => format!("Json.{}({value})", logical_method(*l)),
    }
}

fn zero(module: &Module, names: &Names, t: &Ty) -> String {
    match resolved(module, t) {
        Ty::Bool => "false".into(),
        Ty::Int => "0".into(),
        Ty::Long | Ty::Int64 => "0L".into(),
        Ty::Float => "0.0f".into(),
        Ty::Double => "0.0".into(),
        Ty::String => "\"\"".into(),
        Ty::Array(_) => "List.of()".into(),
        Ty::Map(_) => "Map.of()".into(),
        Ty::Named(i) if matches!(module.types[*i].body, Body::Enum(_)) => {
            format!("{}.values()[0]", names.types[*i])
        }
        _ => "null".into(),
    }
}

fn type_def(module: &Module, names: &Names, index: usize, out: &mut String) {
    let def = &module.types[index];
    let name = &names.types[index];
    match &def.body {
        Body::Enum(symbols) => {
            javadoc(def.doc.as_deref(), &[], out);
            let _ = writeln!(out, "public enum {name} implements ToJson {{");
            let mut taken = Vec::new();
            let constants: Vec<String> = symbols
                .iter()
                .map(|s| {
                    format!(
                        "    {}({})",
                        unique(ident(upper_snake(s)), &mut taken),
                        quoted(s)
                    )
                })
                .collect();
            let _ = writeln!(out, "{};\n", constants.join(",\n"));
            let _ = writeln!(
                out,
                "    private final String wire;\n\n    {name}(String wire) {{\n        this.wire = wire;\n    }}\n\n    /** The symbol as the data spells it. */\n    public String wire() {{\n        return wire;\n    }}\n\n    public static {name} fromJson(Object json) {{\n        String text = Json.string(json);\n        for ({name} value : values()) {{\n            if (value.wire.equals(text)) {{\n                return value;\n            }}\n        }}\n        throw new IllegalArgumentException(\"not a {name}: \" + text);\n    }}\n\n    @Override\n    public Object toJson() {{\n        return wire;\n    }}\n}}"
            );
        }
        Body::Union(members) if members.len() == 1 => {
            // Printed where used (see `resolved`); only the doc is kept here.
            let _ = writeln!(
                out,
                "// {name}: {}",
                java_type(module, names, &members[0], true)
            );
        }
        Body::Union(members) => {
            javadoc(def.doc.as_deref(), &[], out);
            let _ = writeln!(out, "public sealed interface {name} extends ToJson {{");
            let mut taken = Vec::new();
            let mut cases = Vec::new();
            for member in members {
                let variant = unique(
                    format!("Of{}", super::rust::variant_name(module, member)),
                    &mut taken,
                );
                let ty = java_type(module, names, member, true);
                let _ = writeln!(
                    out,
                    "    /** The {ty} member. */\n    record {variant}({ty} value) implements {name} {{\n        @Override\n        public Object toJson() {{\n            return Json.value(value);\n        }}\n    }}\n"
                );
                cases.push((variant, member));
            }
            let _ = writeln!(
                out,
                "    /** Reads the first member the value fits, in declaration order. */\n    static {name} fromJson(Object json) {{"
            );
            for (variant, member) in cases {
                let _ = writeln!(
                    out,
                    "        try {{\n            return new {variant}({});\n        }} catch (RuntimeException e) {{\n            // Not this member; try the next.\n        }}",
                    decode(module, names, member, "json", 0)
                );
            }
            let _ = writeln!(
                out,
                "        throw new IllegalArgumentException(\"no member of {name} fits the value\");\n    }}\n}}"
            );
        }
        Body::Record(fields) => record(module, names, index, fields, out),
    }
}

fn record(module: &Module, names: &Names, index: usize, fields: &[Field], out: &mut String) {
    let def = &module.types[index];
    let name = &names.types[index];
    let mut taken = Vec::new();
    let attrs: Vec<String> = fields
        .iter()
        .map(|f| unique(ident(camel(&f.wire)), &mut taken))
        .collect();
    let params: Vec<(String, String)> = fields
        .iter()
        .zip(&attrs)
        .map(|(f, a)| {
            let mut text = f
                .doc
                .clone()
                .unwrap_or_else(|| format!("the {} field", f.wire));
            if let Presence::Defaulted(Some(v)) = &f.presence {
                let _ = write!(text, "\nDefault when missing: {v}.");
            }
            (a.clone(), text)
        })
        .collect();
    javadoc(def.doc.as_deref(), &params, out);
    let components: Vec<String> = fields
        .iter()
        .zip(&attrs)
        .map(|(f, a)| {
            let boxed = f.ty.is_nullable() || matches!(f.presence, Presence::Optional);
            format!(
                "        @WireName({}) {} {a}",
                quoted(&f.wire),
                java_type(module, names, &f.ty, boxed)
            )
        })
        .collect();
    if components.is_empty() {
        let _ = writeln!(out, "public record {name}() implements ToJson {{");
    } else {
        let _ = writeln!(
            out,
            "public record {name}(\n{}) implements ToJson {{",
            components.join(",\n")
        );
    }
    let _ = writeln!(out, "    public static {name} fromJson(Object json) {{");
    if fields.is_empty() {
        let _ = writeln!(
            out,
            "        Json.object(json);\n        return new {name}();\n    }}"
        );
    } else {
        out.push_str("        Map<String, Object> o$ = Json.object(json);\n");
        let values: Vec<String> = fields
            .iter()
            .map(|f| {
                let wire = quoted(&f.wire);
                let get = format!("o$.get({wire})");
                let read = decode(module, names, &f.ty, &get, 0);
                match &f.presence {
                    Presence::Required => read,
                    Presence::Optional if f.ty.is_nullable() => read,
                    Presence::Optional => format!("o$.containsKey({wire}) ? {read} : null"),
                    Presence::Defaulted(None) => {
                        format!("{get} == null ? {} : {read}", zero(module, names, &f.ty))
                    }
                    Presence::Defaulted(Some(v)) => format!(
                        "o$.containsKey({wire}) ? {read} : {}",
                        decode(
                            module,
                            names,
                            &f.ty,
                            &format!("Json.parse({})", quoted(&v.to_string())),
                            0
                        )
                    ),
                }
            })
            .collect();
        let _ = writeln!(
            out,
            "        return new {name}(\n            {});\n    }}",
            values.join(",\n            ")
        );
    }
    let _ = writeln!(
        out,
        "\n    public static {name} parse(String text) {{\n        return fromJson(Json.parse(text));\n    }}\n\n    @Override\n    public Object toJson() {{\n        Map<String, Object> o$ = new LinkedHashMap<>();"
    );
    for (f, a) in fields.iter().zip(&attrs) {
        let wire = quoted(&f.wire);
        if f.omitted_when_empty() {
            let _ = writeln!(
                out,
                "        if ({a} != null) {{\n            o$.put({wire}, {});\n        }}",
                encode(module, names, &f.ty, a, 0)
            );
        } else {
            let _ = writeln!(
                out,
                "        o$.put({wire}, {});",
                encode(module, names, &f.ty, a, 0)
            );
        }
    }
    out.push_str("        return o$;\n    }\n\n    public String toJsonText() {\n        return Json.write(toJson());\n    }\n}\n");
}

/// A JSON reader and writer over Map, List, String, BigDecimal, Boolean and null, printed into
/// every generated file (kept as Java source so it reads and diffs as Java).
const JSON_HELPER: &str = include_str!("java_json.java");
