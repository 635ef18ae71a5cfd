//! Typed models of a schema version's decoded data in TypeScript, Python, Java and Rust:
//! each format's parsed schema becomes one [`model::Module`], which each language prints.
//! Output depends only on the schema and the label, so it can be committed and diffed.

pub mod avro;
pub mod catalog;
pub mod java;
pub mod json;
pub mod model;
pub mod names;
pub mod protobuf;
pub mod python;
pub mod rust;
pub mod typescript;

use crate::error::{Error, Result};
use crate::formats::Parsed;
use model::{Builder, Module, Ty};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    TypeScript,
    Python,
    Java,
    Rust,
}

impl Lang {
    pub const ALL: [Lang; 4] = [Lang::TypeScript, Lang::Python, Lang::Java, Lang::Rust];

    pub fn parse(name: &str) -> Option<Lang> {
        match name.to_ascii_lowercase().as_str() {
            "typescript" | "ts" => Some(Lang::TypeScript),
            "python" | "py" => Some(Lang::Python),
            "java" => Some(Lang::Java),
            "rust" | "rs" => Some(Lang::Rust),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Lang::TypeScript => "typescript",
            Lang::Python => "python",
            Lang::Java => "java",
            Lang::Rust => "rust",
        }
    }

    /// What the download link and the CLI call the language.
    pub fn title(self) -> &'static str {
        match self {
            Lang::TypeScript => "TypeScript",
            Lang::Python => "Python",
            Lang::Java => "Java",
            Lang::Rust => "Rust",
        }
    }
}

/// One generated source file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    /// The file name the language expects (`OrderPlacedV3.java` for class `OrderPlacedV3`),
    /// with a package directory for Java (`shop/orders/OrderPlacedV3.java`).
    pub path: String,
    pub text: String,
}

impl Generated {
    /// The last part of [`Generated::path`].
    pub fn file_name(&self) -> &str {
        self.path.rsplit('/').next().unwrap_or(&self.path)
    }
}

/// The model of a parsed schema. `label` names the file and holder (the subject and version,
/// or the event and its semver); `source` is said in the header comment.
pub fn model_of(parsed: &Parsed, label: &str, source: &str) -> Result<Module> {
    let mut builder = Builder::default();
    let any = parsed.as_any();
    let root = if let Some(s) = any.downcast_ref::<crate::formats::avro::AvroSchema>() {
        avro::build(&s.schema, &mut builder)
    } else if let Some(s) = any.downcast_ref::<crate::formats::json::JsonSchema>() {
        json::build(s.documents(), label, &mut builder)
    } else if let Some(s) = any.downcast_ref::<crate::formats::protobuf::ProtobufSchema>() {
        match s.first_message() {
            Some(m) => protobuf::build(&m, &mut builder),
            None => {
                return Err(Error::InvalidSchema(
                    "the Protobuf schema declares no message to generate a model for".into(),
                ))
            }
        }
    } else {
        None
    };
    let Some(root_ty) = root else {
        return Err(Error::TooComplex(
            "the schema nests too deeply to generate code for".into(),
        ));
    };
    // A root that is not a named type (a list, a scalar) gets a named wrapper alias.
    let root = match root_ty {
        Ty::Named(i) => i,
        other => {
            let i = builder.reserve("", Vec::new(), label);
            builder.types[i].body = model::Body::Union(vec![other]);
            i
        }
    };
    let package = builder.types[root].package.clone();
    // The root first, so readers meet the type they asked for at the top.
    let mut order: Vec<usize> = (0..builder.types.len()).collect();
    order.sort_by_key(|&i| i != root);
    let mut types = reorder(builder.types, &order);
    for def in &mut types {
        if let model::Body::Union(members) = &mut def.body {
            if members.len() > 1 {
                // The data carries no branch name, so a reader could not tell a logical
                // member from its wire type: members keep the wire form.
                let mut found = Vec::new();
                members.iter().for_each(|m| m.logicals(&mut found));
                *members = members.iter().map(Ty::plain).collect();
                if !found.is_empty() {
                    let lines: Vec<String> = found.iter().map(|l| l.encoding()).collect();
                    let doc = def.doc.get_or_insert_with(String::new);
                    if !doc.is_empty() {
                        doc.push('\n');
                    }
                    doc.push_str(&format!(
                        "Members with a logical type keep their wire form here: {}",
                        lines.join(" ")
                    ));
                }
            }
        }
        if let model::Body::Record(fields) = &mut def.body {
            for f in fields.iter_mut() {
                let mut found = Vec::new();
                f.ty.logicals(&mut found);
                found.dedup();
                if !found.is_empty() {
                    let lines: Vec<String> = found.iter().map(|l| l.encoding()).collect();
                    let note = lines.join("\n");
                    f.doc = Some(match f.doc.take() {
                        Some(d) => format!("{d}\n{note}"),
                        None => note,
                    });
                }
                if f.presence == model::Presence::Optional && matches!(f.ty, Ty::Nullable(_)) {
                    let note = "May be missing: reads as null then, and is written back as null.";
                    f.doc = Some(match f.doc.take() {
                        Some(d) => format!("{d}\n{note}"),
                        None => note.to_string(),
                    });
                }
            }
        }
    }
    Ok(Module {
        label: label.to_string(),
        source: source.to_string(),
        package,
        root: 0,
        types,
    })
}

/// The types in `order`, with every `Named` index renumbered to match.
fn reorder(types: Vec<model::TypeDef>, order: &[usize]) -> Vec<model::TypeDef> {
    let mut new_index = vec![0; types.len()];
    for (new, &old) in order.iter().enumerate() {
        new_index[old] = new;
    }
    fn fix(ty: &mut Ty, map: &[usize]) {
        match ty {
            Ty::Named(i) => *i = map[*i],
            Ty::Array(t) | Ty::Map(t) | Ty::Nullable(t) => fix(t, map),
            _ => {}
        }
    }
    let mut out: Vec<model::TypeDef> = order.iter().map(|&i| types[i].clone()).collect();
    for def in &mut out {
        match &mut def.body {
            model::Body::Record(fields) => {
                fields.iter_mut().for_each(|f| fix(&mut f.ty, &new_index))
            }
            model::Body::Union(members) => members.iter_mut().for_each(|m| fix(m, &new_index)),
            model::Body::Enum(_) => {}
        }
    }
    out
}

pub fn generate(lang: Lang, module: &Module) -> Generated {
    match lang {
        Lang::TypeScript => typescript::generate(module),
        Lang::Python => python::generate(module),
        Lang::Java => java::generate(module),
        Lang::Rust => rust::generate(module),
    }
}

/// Model and code in one step.
pub fn code(lang: Lang, parsed: &Parsed, label: &str, source: &str) -> Result<Generated> {
    Ok(generate(lang, &model_of(parsed, label, source)?))
}

/// The first line of every generated file.
pub fn header(module: &Module) -> String {
    format!(
        "Generated by Herald from {}. Do not edit: regenerate instead.",
        module.source
    )
}

/// The label of a registered version: the subject and the version number.
pub fn version_label(subject: &str, version: i32) -> String {
    format!("{subject} v{version}")
}

/// Code for a registered version, generated off the async workers under the work budget.
/// The stored text is parsed afresh rather than taken from the cache: a cached parse may come
/// from the text as registered (Protobuf comments included), and the same version must give
/// the same bytes before and after a restart, and as `herald codegen` gives them.
pub async fn for_version(
    registry: &crate::registry::Registry,
    subject: &str,
    spec: crate::model::VersionSpec,
    lang: Lang,
) -> Result<Generated> {
    let version = registry.get_version(subject, spec, false).await?;
    let deps = registry
        .resolve_references(
            &crate::model::context::of(&version.subject),
            &version.schema.references,
            true,
        )
        .await?;
    let label = version_label(&version.subject, version.version);
    let source = format!("subject {} version {}", version.subject, version.version);
    let (schema_type, text) = (version.schema.schema_type, version.schema.schema.clone());
    crate::limits::offload(move || {
        let parsed = crate::formats::parse(schema_type, &text, &deps, false)?;
        code(lang, parsed.as_ref(), &label, &source)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::json::refs::Documents;

    /// `$ref`s that only point at each other never reach a type: the walk stops at the
    /// nesting budget instead of recursing forever, and the budget's error is what answers.
    #[test]
    fn a_reference_cycle_stops_at_the_nesting_budget() {
        let job = std::thread::Builder::new()
            .stack_size(256 * 1024 * 1024)
            .spawn(|| {
                let schema = serde_json::json!({
                    "$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}},
                    "$ref": "#/$defs/a"
                });
                let docs = Documents::new(schema, Vec::new());
                crate::limits::bounded(|| {
                    let mut builder = Builder::default();
                    Ok(json::build(&docs, "cycle", &mut builder))
                })
            })
            .unwrap();
        assert!(matches!(job.join().unwrap(), Err(Error::TooComplex(_))));
    }

    /// Each logical type reads as the language's natural type (TypeScript keeps the wire form
    /// under a branded alias that names the encoding); a union member keeps its wire form.
    #[test]
    fn logical_types_get_natural_types() {
        let text = r#"{"type":"record","name":"R","fields":[
            {"name":"at","type":{"type":"long","logicalType":"timestamp-millis"}},
            {"name":"day","type":{"type":"int","logicalType":"date"}},
            {"name":"clock","type":{"type":"int","logicalType":"time-millis"}},
            {"name":"local","type":{"type":"long","logicalType":"local-timestamp-micros"}},
            {"name":"price","type":{"type":"bytes","logicalType":"decimal","precision":9,"scale":2}},
            {"name":"id","type":{"type":"string","logicalType":"uuid"}},
            {"name":"either","type":["string",{"type":"int","logicalType":"date"}]}]}"#;
        let parsed =
            crate::formats::parse(crate::model::SchemaType::Avro, text, &[], false).unwrap();
        let of = |lang| code(lang, parsed.as_ref(), "r v1", "a test").unwrap().text;
        let python = of(Lang::Python);
        for needle in [
            "at: _dt.datetime",
            "day: _dt.date",
            "clock: _dt.time",
            "local: _dt.datetime",
            "price: _decimal.Decimal",
            "id: _uuid.UUID",
            "StringOrDateUnion: TypeAlias = \"str | int\"",
            "_decimal_bytes_enc(self.price, 2, None)",
        ] {
            assert!(python.contains(needle), "{needle}:\n{python}");
        }
        let java = of(Lang::Java);
        for needle in [
            "java.time.Instant at",
            "java.time.LocalDate day",
            "java.time.LocalTime clock",
            "java.time.LocalDateTime local",
            "java.math.BigDecimal price",
            "java.util.UUID id",
        ] {
            assert!(java.contains(needle), "{needle}:\n{java}");
        }
        let ts = of(Lang::TypeScript);
        assert!(
            ts.contains(
                "export type TimestampMillis = number & { readonly __encoding?: \"TimestampMillis\" };"
            ),
            "{ts}"
        );
        assert!(ts.contains("at: TimestampMillis;"), "{ts}");
        assert!(
            ts.contains("milliseconds since 1970-01-01T00:00:00Z"),
            "{ts}"
        );
        let rust = of(Lang::Rust);
        for needle in [
            "pub struct TimestampMillis(pub chrono::DateTime<chrono::Utc>);",
            "pub struct EpochDays(pub chrono::NaiveDate);",
            "pub struct TimeMillis(pub chrono::NaiveTime);",
            "pub struct LocalTimestampMicros(pub chrono::NaiveDateTime);",
            "pub struct DecimalBytes9x2(pub rust_decimal::Decimal);",
            "pub struct UuidText(pub uuid::Uuid);",
            "pub price: DecimalBytes9x2,",
        ] {
            assert!(rust.contains(needle), "{needle}:\n{rust}");
        }
        // Past rust_decimal's 28 digits a decimal keeps its wire text.
        let wide = r#"{"type":"record","name":"W","fields":[{"name":"d","type":
            {"type":"bytes","logicalType":"decimal","precision":38,"scale":2}}]}"#;
        let parsed =
            crate::formats::parse(crate::model::SchemaType::Avro, wide, &[], false).unwrap();
        let rust = code(Lang::Rust, parsed.as_ref(), "w v1", "a test")
            .unwrap()
            .text;
        assert!(
            rust.contains("pub type DecimalBytes38x2 = String;"),
            "{rust}"
        );
    }

    #[test]
    fn the_same_schema_gives_the_same_bytes() {
        let text = r#"{"type":"record","name":"R","namespace":"a.b","fields":[
            {"name":"u","type":["string","long",{"type":"record","name":"S","fields":[]}]},
            {"name":"e","type":{"type":"enum","name":"E","symbols":["X","Y"]},"default":"Y"}]}"#;
        let parsed =
            crate::formats::parse(crate::model::SchemaType::Avro, text, &[], false).unwrap();
        for lang in Lang::ALL {
            let once = code(lang, parsed.as_ref(), "r v1", "a test").unwrap();
            let again = code(lang, parsed.as_ref(), "r v1", "a test").unwrap();
            assert_eq!(once, again, "{lang:?}");
        }
    }
}
