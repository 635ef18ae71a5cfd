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

/// A JSON reader and writer over Map, List, String, BigDecimal, Boolean and null.
const JSON_HELPER: &str = r#"/** JSON text to and from plain Java values (objects keep their order). */
public static final class Json {
    private Json() {}

    public static Object parse(String text) {
        Reader reader = new Reader(text);
        Object value = reader.value();
        reader.space();
        if (reader.at < text.length()) {
            throw reader.error("trailing text");
        }
        return value;
    }

    public static String write(Object value) {
        StringBuilder out = new StringBuilder();
        write(value, out);
        return out.toString();
    }

    /** The JSON form of a model value: records and enums by their toJson, lists and maps by item. */
    public static Object value(Object value) {
        if (value instanceof ToJson model) {
            return model.toJson();
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            for (Object item : list) {
                out.add(value(item));
            }
            return out;
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                out.put(String.valueOf(e.getKey()), value(e.getValue()));
            }
            return out;
        }
        return value;
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> object(Object json) {
        if (json instanceof Map<?, ?>) {
            return (Map<String, Object>) json;
        }
        throw new IllegalArgumentException("expected an object");
    }

    public static String string(Object json) {
        if (json instanceof String s) {
            return s;
        }
        throw new IllegalArgumentException("expected a string");
    }

    public static boolean bool(Object json) {
        if (json instanceof Boolean b) {
            return b;
        }
        throw new IllegalArgumentException("expected a boolean");
    }

    private static java.math.BigDecimal number(Object json) {
        if (json instanceof java.math.BigDecimal n) {
            return n;
        }
        if (json instanceof Number n) {
            return new java.math.BigDecimal(n.toString());
        }
        throw new IllegalArgumentException("expected a number");
    }

    /** Also from decimal text, as Protobuf's JSON mapping writes 64-bit integers. */
    public static long longValue(Object json) {
        if (json instanceof String text) {
            return Long.parseLong(text);
        }
        return number(json).longValueExact();
    }

    public static int intValue(Object json) {
        return number(json).intValueExact();
    }

    public static double doubleValue(Object json) {
        return number(json).doubleValue();
    }

    public static float floatValue(Object json) {
        return number(json).floatValue();
    }

    public static <T> List<T> list(Object json, Function<Object, T> item) {
        if (!(json instanceof List<?> items)) {
            throw new IllegalArgumentException("expected a list");
        }
        List<T> out = new ArrayList<>();
        for (Object value : items) {
            out.add(item.apply(value));
        }
        return out;
    }

    public static <T> Map<String, T> map(Object json, Function<Object, T> item) {
        Map<String, T> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : object(json).entrySet()) {
            out.put(e.getKey(), item.apply(e.getValue()));
        }
        return out;
    }

    public static <T> T nullable(Object json, Function<Object, T> item) {
        return json == null ? null : item.apply(json);
    }

    public static <T> Object listJson(List<T> values, Function<T, Object> item) {
        List<Object> out = new ArrayList<>();
        for (T value : values) {
            out.add(item.apply(value));
        }
        return out;
    }

    public static <T> Object mapJson(Map<String, T> values, Function<T, Object> item) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, T> e : values.entrySet()) {
            out.put(e.getKey(), item.apply(e.getValue()));
        }
        return out;
    }

    public static <T> Object nullableJson(T value, Function<T, Object> item) {
        return value == null ? null : item.apply(value);
    }

    // Logical types: read from and written back to their exact wire form.

    private static final java.time.LocalDateTime LOCAL_EPOCH = java.time.LocalDateTime.of(1970, 1, 1, 0, 0);

    /** Avro timestamp-millis: milliseconds since the Unix epoch. */
    public static java.time.Instant timestampMillis(Object json) {
        return java.time.Instant.ofEpochMilli(longValue(json));
    }

    public static Object timestampMillisJson(java.time.Instant value) {
        return value.toEpochMilli();
    }

    /** Avro timestamp-micros: microseconds since the Unix epoch. */
    public static java.time.Instant timestampMicros(Object json) {
        long micros = longValue(json);
        return java.time.Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
    }

    public static Object timestampMicrosJson(java.time.Instant value) {
        return Math.addExact(Math.multiplyExact(value.getEpochSecond(), 1_000_000L), value.getNano() / 1_000L);
    }

    /** Avro local-timestamp-millis: milliseconds since 1970-01-01T00:00, no time zone. */
    public static java.time.LocalDateTime localTimestampMillis(Object json) {
        return LOCAL_EPOCH.plus(longValue(json), java.time.temporal.ChronoUnit.MILLIS);
    }

    public static Object localTimestampMillisJson(java.time.LocalDateTime value) {
        return java.time.temporal.ChronoUnit.MILLIS.between(LOCAL_EPOCH, value);
    }

    /** Avro local-timestamp-micros: microseconds since 1970-01-01T00:00, no time zone. */
    public static java.time.LocalDateTime localTimestampMicros(Object json) {
        return LOCAL_EPOCH.plus(longValue(json), java.time.temporal.ChronoUnit.MICROS);
    }

    public static Object localTimestampMicrosJson(java.time.LocalDateTime value) {
        return java.time.temporal.ChronoUnit.MICROS.between(LOCAL_EPOCH, value);
    }

    /** Avro date: days since 1970-01-01. */
    public static java.time.LocalDate epochDate(Object json) {
        return java.time.LocalDate.ofEpochDay(intValue(json));
    }

    public static Object epochDateJson(java.time.LocalDate value) {
        return Math.toIntExact(value.toEpochDay());
    }

    /** Avro time-millis: milliseconds after midnight. */
    public static java.time.LocalTime timeMillis(Object json) {
        return java.time.LocalTime.ofNanoOfDay(intValue(json) * 1_000_000L);
    }

    public static Object timeMillisJson(java.time.LocalTime value) {
        return (int) (value.toNanoOfDay() / 1_000_000L);
    }

    /** Avro time-micros: microseconds after midnight. */
    public static java.time.LocalTime timeMicros(Object json) {
        return java.time.LocalTime.ofNanoOfDay(longValue(json) * 1_000L);
    }

    public static Object timeMicrosJson(java.time.LocalTime value) {
        return value.toNanoOfDay() / 1_000L;
    }

    /** Avro decimal: the unscaled two's-complement integer, big-endian, a character per byte. */
    public static java.math.BigDecimal decimalBytes(Object json, int scale) {
        String text = string(json);
        byte[] bytes = new byte[text.length()];
        for (int i = 0; i < bytes.length; i++) {
            char c = text.charAt(i);
            if (c > 0xff) {
                throw new IllegalArgumentException("not a byte: " + (int) c);
            }
            bytes[i] = (byte) c;
        }
        java.math.BigInteger unscaled = bytes.length == 0 ? java.math.BigInteger.ZERO : new java.math.BigInteger(bytes);
        return new java.math.BigDecimal(unscaled, scale);
    }

    /** The fewest bytes when {@code size} is negative, else sign-extended to {@code size} bytes. */
    public static Object decimalBytesJson(java.math.BigDecimal value, int scale, int size) {
        byte[] bytes = value.setScale(scale, java.math.RoundingMode.UNNECESSARY).unscaledValue().toByteArray();
        StringBuilder out = new StringBuilder();
        for (int i = bytes.length; i < size; i++) {
            out.append(bytes[0] < 0 ? (char) 0xff : (char) 0);
        }
        for (byte b : bytes) {
            out.append((char) (b & 0xff));
        }
        return out.toString();
    }

    public static java.util.UUID uuidText(Object json) {
        return java.util.UUID.fromString(string(json));
    }

    public static Object uuidTextJson(java.util.UUID value) {
        return value.toString();
    }

    private static String clock(java.time.LocalDateTime t) {
        String text = String.format(java.util.Locale.ROOT, "%04d-%02d-%02dT%02d:%02d:%02d", t.getYear(), t.getMonthValue(), t.getDayOfMonth(), t.getHour(), t.getMinute(), t.getSecond());
        return text + fraction(t.getNano());
    }

    private static String fraction(int nano) {
        if (nano == 0) {
            return "";
        }
        if (nano % 1_000_000 == 0) {
            return String.format(java.util.Locale.ROOT, ".%03d", nano / 1_000_000);
        }
        if (nano % 1_000 == 0) {
            return String.format(java.util.Locale.ROOT, ".%06d", nano / 1_000);
        }
        return String.format(java.util.Locale.ROOT, ".%09d", nano);
    }

    /** RFC 3339 date-time with its offset; a zero offset is written as Z. */
    public static java.time.OffsetDateTime dateTimeText(Object json) {
        return java.time.OffsetDateTime.parse(string(json));
    }

    public static Object dateTimeTextJson(java.time.OffsetDateTime value) {
        String offset = value.getOffset().getId();
        return clock(value.toLocalDateTime()) + offset;
    }

    /** google.protobuf.Timestamp: RFC 3339 in UTC with 0, 3, 6 or 9 fractional digits. */
    public static java.time.Instant instantText(Object json) {
        return java.time.OffsetDateTime.parse(string(json)).toInstant();
    }

    public static Object instantTextJson(java.time.Instant value) {
        return clock(java.time.LocalDateTime.ofInstant(value, java.time.ZoneOffset.UTC)) + "Z";
    }

    /** RFC 3339 full-date. */
    public static java.time.LocalDate dateText(Object json) {
        return java.time.LocalDate.parse(string(json));
    }

    public static Object dateTextJson(java.time.LocalDate value) {
        return value.toString();
    }

    /** google.protobuf.Duration: seconds with an s suffix. */
    public static java.time.Duration durationText(Object json) {
        String text = string(json);
        if (!text.endsWith("s")) {
            throw new IllegalArgumentException("not a duration: " + text);
        }
        java.math.BigDecimal seconds = new java.math.BigDecimal(text.substring(0, text.length() - 1));
        java.math.BigDecimal whole = seconds.setScale(0, java.math.RoundingMode.DOWN);
        return java.time.Duration.ofSeconds(whole.longValueExact(), seconds.subtract(whole).movePointRight(9).intValue());
    }

    public static Object durationTextJson(java.time.Duration value) {
        java.time.Duration size = value.abs();
        return (value.isNegative() ? "-" : "") + size.getSeconds() + fraction(size.getNano()) + "s";
    }

    private static void write(Object value, StringBuilder out) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof String s) {
            quote(s, out);
        } else if (value instanceof Boolean || value instanceof Number) {
            out.append(value);
        } else if (value instanceof ToJson model) {
            write(model.toJson(), out);
        } else if (value instanceof Map<?, ?> map) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                quote(String.valueOf(e.getKey()), out);
                out.append(':');
                write(e.getValue(), out);
            }
            out.append('}');
        } else if (value instanceof List<?> list) {
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                write(list.get(i), out);
            }
            out.append(']');
        } else {
            throw new IllegalArgumentException("no JSON form for " + value.getClass());
        }
    }

    private static void quote(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static final class Reader {
        private final String text;
        private int at;

        Reader(String text) {
            this.text = text;
        }

        IllegalArgumentException error(String what) {
            return new IllegalArgumentException(what + " at offset " + at);
        }

        void space() {
            while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
                at++;
            }
        }

        Object value() {
            space();
            if (at >= text.length()) {
                throw error("unexpected end");
            }
            char c = text.charAt(at);
            if (c == '{') {
                at++;
                Map<String, Object> out = new LinkedHashMap<>();
                space();
                if (text.charAt(at) == '}') {
                    at++;
                    return out;
                }
                while (true) {
                    space();
                    String key = string();
                    space();
                    expect(':');
                    out.put(key, value());
                    space();
                    if (text.charAt(at) == ',') {
                        at++;
                    } else {
                        expect('}');
                        return out;
                    }
                }
            }
            if (c == '[') {
                at++;
                List<Object> out = new ArrayList<>();
                space();
                if (text.charAt(at) == ']') {
                    at++;
                    return out;
                }
                while (true) {
                    out.add(value());
                    space();
                    if (text.charAt(at) == ',') {
                        at++;
                    } else {
                        expect(']');
                        return out;
                    }
                }
            }
            if (c == '"') {
                return string();
            }
            if (text.startsWith("true", at)) {
                at += 4;
                return Boolean.TRUE;
            }
            if (text.startsWith("false", at)) {
                at += 5;
                return Boolean.FALSE;
            }
            if (text.startsWith("null", at)) {
                at += 4;
                return null;
            }
            int start = at;
            while (at < text.length() && "+-0123456789.eE".indexOf(text.charAt(at)) >= 0) {
                at++;
            }
            if (start == at) {
                throw error("unexpected character");
            }
            return new java.math.BigDecimal(text.substring(start, at));
        }

        void expect(char c) {
            if (at >= text.length() || text.charAt(at) != c) {
                throw error("expected '" + c + "'");
            }
            at++;
        }

        String string() {
            expect('"');
            StringBuilder out = new StringBuilder();
            while (true) {
                if (at >= text.length()) {
                    throw error("unterminated string");
                }
                char c = text.charAt(at++);
                if (c == '"') {
                    return out.toString();
                }
                if (c != '\\') {
                    out.append(c);
                    continue;
                }
                char e = text.charAt(at++);
                switch (e) {
                    case 'n' -> out.append('\n');
                    case 'r' -> out.append('\r');
                    case 't' -> out.append('\t');
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'u' -> {
                        out.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
                        at += 4;
                    }
                    default -> out.append(e);
                }
            }
        }
    }
}"#;
