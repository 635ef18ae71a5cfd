//! Avro: parsing through `apache-avro`, Herald's canonical text, and the reader/writer checker.

pub mod canonical;
pub mod compat;
pub mod fields;
pub mod payload;
pub mod reasons;

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
    // What apache-avro reads: Java Avro's `error` records as records.
    let for_parser = parser_view(&value);
    let parser_text = for_parser.as_ref().map(|(v, _)| v.to_string());
    let (value_in, text_in) = match (&for_parser, &parser_text) {
        (Some((v, _)), Some(t)) => (v, t.as_str()),
        _ => (&value, text),
    };
    // apache-avro unwraps on some inputs it considers impossible: `formats::parse` turns such a
    // panic into 42201 for every format.
    let parsed = if deps.is_empty() {
        Schema::parse(value_in)
    } else {
        Schema::parse_str_with_list(text_in, deps.iter().copied())
            .map(|(schema, parsed_deps)| inline_references(schema, &parsed_deps))
    };
    let mut schema = parsed.map_err(|e| Error::InvalidSchema(describe_parse_error(&e)))?;
    if let Some((_, kept)) = &for_parser {
        restore_defaults(&mut schema, kept, 0);
    }
    let canonical = canonical::canonical_text(&value, normalize);
    Ok(AvroSchema { schema, canonical })
}

/// A field default apache-avro cannot check but Java Avro accepts, set back after parsing:
/// (record full name, field name, default).
type KeptDefault = (String, String, serde_json::Value);

/// The schema as apache-avro can read it, when it differs, with the defaults to set back:
/// `"type": "error"` (an error record, valid in Java Avro and so in Confluent) becomes
/// `"record"`; a `decimal` (bytes) default written as a string of code points and a `uuid`
/// default that is any string (Java checks defaults against the base type) are taken out for
/// the parser and restored on the parsed schema.
fn parser_view(value: &serde_json::Value) -> Option<(serde_json::Value, Vec<KeptDefault>)> {
    use serde_json::Value as J;
    fn base_checked_default(field: &serde_json::Map<String, J>) -> bool {
        let Some(J::Object(t)) = field.get("type") else {
            return false;
        };
        let (base, logical) = (
            t.get("type").and_then(J::as_str),
            t.get("logicalType").and_then(J::as_str),
        );
        field.get("default").is_some_and(J::is_string)
            && matches!(
                (base, logical),
                (Some("bytes"), Some("decimal")) | (Some("string"), Some("uuid"))
            )
    }
    fn rewrite(value: &mut J, ns: Option<&str>, kept: &mut Vec<KeptDefault>, depth: usize) -> bool {
        if !crate::limits::deeper(depth) {
            return false;
        }
        match value {
            J::Array(items) => items.iter_mut().fold(false, |changed, v| {
                rewrite(v, ns, kept, depth + 1) | changed
            }),
            J::Object(map) => {
                let mut changed = false;
                let kind = map.get("type").and_then(J::as_str).map(str::to_string);
                let kind = kind.as_deref();
                if kind == Some("error") && map.contains_key("fields") {
                    map.insert("type".into(), "record".into());
                    changed = true;
                }
                let mut inner = ns.map(str::to_string);
                if matches!(kind, Some("record" | "error" | "enum" | "fixed")) {
                    let name = map
                        .get("name")
                        .and_then(J::as_str)
                        .unwrap_or_default()
                        .to_string();
                    inner = match (name.rsplit_once('.'), map.get("namespace")) {
                        (Some((space, _)), _) => Some(space.to_string()),
                        (None, Some(J::String(space))) => Some(space.clone()),
                        _ => inner,
                    };
                    if let Some(J::Array(fields)) = map.get_mut("fields") {
                        let full = match inner.as_deref() {
                            Some(space) if !space.is_empty() && !name.contains('.') => {
                                format!("{space}.{name}")
                            }
                            _ => name.clone(),
                        };
                        for field in fields.iter_mut().filter_map(J::as_object_mut) {
                            if base_checked_default(field) {
                                let default = field.remove("default").unwrap_or_default();
                                let field_name =
                                    field.get("name").and_then(J::as_str).unwrap_or_default();
                                kept.push((full.clone(), field_name.to_string(), default));
                                changed = true;
                            }
                        }
                    }
                }
                for (key, v) in map.iter_mut() {
                    if key != "default" {
                        let scope = if key == "type" { ns } else { inner.as_deref() };
                        changed |= rewrite(v, scope, kept, depth + 1);
                    }
                }
                changed
            }
            _ => false,
        }
    }
    let mut copy = value.clone();
    let mut kept = Vec::new();
    rewrite(&mut copy, None, &mut kept, 0).then_some((copy, kept))
}

/// Sets the defaults [`parser_view`] took out back on the parsed schema's record fields.
fn restore_defaults(schema: &mut Schema, kept: &[KeptDefault], depth: usize) {
    if kept.is_empty() || !crate::limits::deeper(depth) {
        return;
    }
    match schema {
        Schema::Record(record) => {
            let full = record.name.fullname(None);
            for field in &mut record.fields {
                if let Some((_, _, default)) =
                    kept.iter().find(|(r, f, _)| *r == full && *f == field.name)
                {
                    field.default = Some(default.clone());
                }
                restore_defaults(&mut field.schema, kept, depth + 1);
            }
        }
        Schema::Array(array) => restore_defaults(&mut array.items, kept, depth + 1),
        Schema::Map(map) => restore_defaults(&mut map.types, kept, depth + 1),
        Schema::Union(union) => {
            let mut branches = union.variants().to_vec();
            for b in &mut branches {
                restore_defaults(b, kept, depth + 1);
            }
            if let Ok(rebuilt) = UnionSchema::new(branches) {
                *union = rebuilt;
            }
        }
        _ => {}
    }
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

    /// Text stored by an earlier canonical form (names as registered) reads as today's.
    fn identity_text(&self, stored: &str) -> String {
        serde_json::from_str(stored)
            .map(|v| canonical::canonical_text(&v, false))
            .unwrap_or_else(|_| stored.to_string())
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
    let pair = reasons::Pair::new(&reader.schema, &writer.schema);
    compat::check_reader_writer(&reader.schema, &writer.schema)
        .iter()
        .map(|inc| {
            let message = compat::describe(inc, reader_is_new);
            crate::formats::Difference {
                reason: pair.reason(inc, reader_is_new, &message),
                field: top_level_field(&reader.schema, &inc.location),
                message,
            }
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
