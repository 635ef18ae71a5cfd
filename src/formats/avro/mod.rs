//! Avro: parsing through `apache-avro`, Herald's canonical text, and the reader/writer checker.

pub mod canonical;
pub mod compat;
pub mod fields;
pub mod payload;

use std::collections::{HashMap, HashSet};

use apache_avro::schema::{Name, UnionSchema};
use apache_avro::Schema;

use crate::error::{Error, Result};

#[derive(Debug)]
pub struct AvroSchema {
    pub schema: Schema,
    pub canonical: String,
}

/// Parses and validates an Avro schema (names, default values) with its referenced schemas in scope.
pub fn parse(text: &str, deps: &[&str], normalize: bool) -> Result<AvroSchema> {
    let value: serde_json::Value = crate::limits::parse_json(text).map_err(|e| match e {
        crate::limits::JsonError::Syntax(e) => {
            Error::InvalidSchema(format!("schema is not valid JSON: {e}"))
        }
        too_deep => too_deep.into(),
    })?;
    check_names(&value, 0)?;
    // apache-avro unwraps on some inputs it considers impossible; a schema must never take the
    // connection down with it.
    let parsed = std::panic::catch_unwind(|| {
        if deps.is_empty() {
            Schema::parse(&value)
        } else {
            Schema::parse_str_with_list(text, deps.iter().copied())
                .map(|(schema, parsed_deps)| inline_references(schema, &parsed_deps))
        }
    })
    .map_err(|_| Error::InvalidSchema("the Avro parser could not read this schema".into()))?;
    let schema = parsed.map_err(|e| Error::InvalidSchema(describe_parse_error(&e)))?;
    let canonical = canonical::canonical_text(&value, normalize);
    Ok(AvroSchema { schema, canonical })
}

/// Avro spec: a name starts with `[A-Za-z_]` and continues with `[A-Za-z0-9_]`; a full name joins
/// such names with dots. apache-avro panics on some names that break this, so they are checked
/// first, with the offending name in the answer.
fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn valid_full_name(name: &str) -> bool {
    name.split('.').all(valid_name)
}

fn check_names(value: &serde_json::Value, depth: usize) -> Result<()> {
    if !crate::limits::deeper(depth) {
        return Ok(());
    }
    match value {
        serde_json::Value::Array(items) => items.iter().try_for_each(|v| check_names(v, depth + 1)),
        serde_json::Value::Object(map) => {
            let kind = map.get("type").and_then(|t| t.as_str());
            if matches!(kind, Some("record" | "error" | "enum" | "fixed")) {
                match map.get("name") {
                    Some(serde_json::Value::String(name)) if valid_full_name(name) => {}
                    Some(serde_json::Value::String(name)) => {
                        return Err(Error::InvalidSchema(format!(
                            "Invalid {} name '{name}': a name starts with a letter or '_' and holds only letters, digits and '_'",
                            kind.unwrap_or_default()
                        )))
                    }
                    _ => {}
                }
                if let Some(serde_json::Value::String(ns)) = map.get("namespace") {
                    if !ns.is_empty() && !valid_full_name(ns) {
                        return Err(Error::InvalidSchema(format!(
                            "Invalid namespace '{ns}': each dotted part starts with a letter or '_' and holds only letters, digits and '_'"
                        )));
                    }
                }
            }
            // Defaults are data, not schemas.
            map.iter()
                .filter(|(k, _)| k.as_str() != "default")
                .try_for_each(|(_, v)| check_names(v, depth + 1))
        }
        _ => Ok(()),
    }
}

fn describe_parse_error(err: &apache_avro::Error) -> String {
    // apache-avro's Display is terse; its Debug carries the details (which name, which default).
    let display = err.to_string();
    let debug = format!("{:?}", err.details());
    if debug.contains(&display) || display.is_empty() {
        debug
    } else {
        format!("{display} ({debug})")
    }
}

/// Avro as a [`Format`](crate::formats::Format).
pub struct AvroFormat;

impl crate::formats::Format for AvroFormat {
    fn schema_type(&self) -> crate::model::SchemaType {
        crate::model::SchemaType::Avro
    }

    fn parse(
        &self,
        text: &str,
        deps: &[crate::formats::Dependency],
        normalize: bool,
    ) -> Result<Box<crate::formats::Parsed>> {
        let dep_texts: Vec<&str> = deps.iter().map(|d| d.schema.as_str()).collect();
        Ok(Box::new(parse(text, &dep_texts, normalize)?))
    }

    fn normalized(&self, canonical: &str) -> String {
        serde_json::from_str(canonical)
            .map(|v| canonical::canonical_text(&v, true))
            .unwrap_or_else(|_| canonical.to_string())
    }
}

impl crate::formats::ParsedSchema for AvroSchema {
    fn schema_type(&self) -> crate::model::SchemaType {
        crate::model::SchemaType::Avro
    }

    fn canonical(&self) -> &str {
        &self.canonical
    }

    fn differences(
        &self,
        writer: &crate::formats::Parsed,
        reader_is_new: bool,
    ) -> Vec<crate::formats::Difference> {
        match writer.as_any().downcast_ref::<AvroSchema>() {
            Some(w) => differences(self, w, reader_is_new),
            None => Vec::new(),
        }
    }

    fn field_names(&self) -> Vec<String> {
        field_names(self)
    }

    fn field_table(&self) -> Vec<crate::formats::FieldRow> {
        fields::field_table(&self.schema)
    }

    fn validate_payload(&self, payload: &serde_json::Value) -> Vec<crate::formats::PayloadError> {
        validate_payload(self, payload)
    }

    fn without_docs(&self) -> String {
        without_docs(self)
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// Replaces each first use of a type defined by a referenced schema with its definition, so the
/// schema stands alone (as a resolved schema would) and the checker can follow every name.
fn inline_references(schema: Schema, deps: &[Schema]) -> Schema {
    let mut definitions: HashMap<Name, Schema> = HashMap::new();
    for dep in deps {
        collect_definitions(dep, &mut definitions);
    }
    let mut defined = HashSet::new();
    inline(schema, &definitions, &mut defined)
}

fn collect_definitions(schema: &Schema, out: &mut HashMap<Name, Schema>) {
    match schema {
        Schema::Record(r) => {
            out.entry(r.name.clone()).or_insert_with(|| schema.clone());
            for f in &r.fields {
                collect_definitions(&f.schema, out);
            }
        }
        Schema::Enum(e) => {
            out.entry(e.name.clone()).or_insert_with(|| schema.clone());
        }
        Schema::Fixed(f) => {
            out.entry(f.name.clone()).or_insert_with(|| schema.clone());
        }
        Schema::Array(a) => collect_definitions(&a.items, out),
        Schema::Map(m) => collect_definitions(&m.types, out),
        Schema::Union(u) => u
            .variants()
            .iter()
            .for_each(|v| collect_definitions(v, out)),
        Schema::Decimal(d) => collect_definitions(&d.inner, out),
        _ => {}
    }
}

fn inline(
    schema: Schema,
    definitions: &HashMap<Name, Schema>,
    defined: &mut HashSet<Name>,
) -> Schema {
    match schema {
        Schema::Ref { name } => match definitions.get(&name) {
            Some(def) if !defined.contains(&name) => inline(def.clone(), definitions, defined),
            _ => Schema::Ref { name },
        },
        Schema::Record(mut r) => {
            defined.insert(r.name.clone());
            r.fields = r
                .fields
                .into_iter()
                .map(|mut f| {
                    f.schema = inline(f.schema, definitions, defined);
                    f
                })
                .collect();
            Schema::Record(r)
        }
        Schema::Enum(e) => {
            defined.insert(e.name.clone());
            Schema::Enum(e)
        }
        Schema::Fixed(f) => {
            defined.insert(f.name.clone());
            Schema::Fixed(f)
        }
        Schema::Array(mut a) => {
            a.items = Box::new(inline(*a.items, definitions, defined));
            Schema::Array(a)
        }
        Schema::Map(mut m) => {
            m.types = Box::new(inline(*m.types, definitions, defined));
            Schema::Map(m)
        }
        Schema::Union(u) => {
            let variants: Vec<Schema> = u
                .variants()
                .iter()
                .cloned()
                .map(|v| inline(v, definitions, defined))
                .collect();
            match UnionSchema::new(variants) {
                Ok(u) => Schema::Union(u),
                Err(_) => Schema::Union(u),
            }
        }
        other => other,
    }
}

pub fn differences(
    reader: &AvroSchema,
    writer: &AvroSchema,
    reader_is_new: bool,
) -> Vec<crate::formats::Difference> {
    compat::check_reader_writer(&reader.schema, &writer.schema)
        .iter()
        .map(|inc| crate::formats::Difference {
            message: compat::describe(inc, reader_is_new),
            field: top_level_field(&reader.schema, &inc.location),
        })
        .collect()
}

/// `/fields/3/...` in a record names its fourth field.
fn top_level_field(schema: &Schema, location: &str) -> Option<String> {
    let index: usize = location
        .strip_prefix("/fields/")?
        .split('/')
        .next()?
        .parse()
        .ok()?;
    match schema {
        Schema::Record(r) => r.fields.get(index).map(|f| f.name.clone()),
        _ => None,
    }
}

pub fn field_names(schema: &AvroSchema) -> Vec<String> {
    match &schema.schema {
        Schema::Record(r) => r.fields.iter().map(|f| f.name.clone()).collect(),
        _ => Vec::new(),
    }
}

/// Checks a payload written as plain JSON (unions as bare values, as the catalog's examples are)
/// against the schema.
pub fn validate_payload(
    schema: &AvroSchema,
    payload: &serde_json::Value,
) -> Vec<crate::formats::PayloadError> {
    payload::validate(&schema.schema, payload)
}

pub fn without_docs(schema: &AvroSchema) -> String {
    fn strip(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(map) => {
                map.remove("doc");
                map.values_mut().for_each(strip);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut value: serde_json::Value = serde_json::from_str(&schema.canonical).unwrap_or_default();
    strip(&mut value);
    value.to_string()
}
