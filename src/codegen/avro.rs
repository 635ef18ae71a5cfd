//! Avro schemas as the model: records, enums, unions and logical types as the decoded data
//! holds them (Avro's JSON encoding with union branches unwrapped).

use apache_avro::schema::{Name, Schema};

use super::model::{Body, Builder, Field, Logical, Presence, Ty};
use crate::limits;

pub fn build(schema: &Schema, builder: &mut Builder) -> Option<Ty> {
    let mut walk = Walk { builder };
    walk.ty(schema, None, 0, &mut Vec::new())
}

struct Walk<'a> {
    builder: &'a mut Builder,
}

fn full_name(name: &Name, enclosing: Option<&str>) -> (String, Option<String>) {
    let namespace = name
        .namespace
        .clone()
        .or_else(|| enclosing.map(str::to_string))
        .filter(|n| !n.is_empty());
    let full = match &namespace {
        Some(ns) => format!("{ns}.{}", name.name),
        None => name.name.clone(),
    };
    (full, namespace)
}

fn package(namespace: &Option<String>) -> Vec<String> {
    namespace
        .as_deref()
        .map(|n| n.split('.').map(str::to_string).collect())
        .unwrap_or_default()
}

impl Walk<'_> {
    /// `notes` gathers what a logical type means, for the doc of the field that holds it.
    fn ty(
        &mut self,
        schema: &Schema,
        enclosing: Option<&str>,
        depth: usize,
        notes: &mut Vec<String>,
    ) -> Option<Ty> {
        if !limits::deeper(depth) {
            return None;
        }
        let mut note = |n: &str| notes.push(n.to_string());
        Some(match schema {
            Schema::Null => Ty::Any,
            Schema::Boolean => Ty::Bool,
            Schema::Int => Ty::Int,
            Schema::Long => Ty::Long,
            Schema::Float => Ty::Float,
            Schema::Double => Ty::Double,
            Schema::String => Ty::String,
            Schema::Bytes => {
                note("Avro bytes: one character per byte (U+0000 to U+00FF) in the JSON encoding.");
                Ty::String
            }
            Schema::Uuid => Ty::Logical(Logical::Uuid),
            Schema::Date => Ty::Logical(Logical::EpochDate),
            Schema::TimeMillis => Ty::Logical(Logical::TimeMillis),
            Schema::TimeMicros => Ty::Logical(Logical::TimeMicros),
            Schema::TimestampMillis => Ty::Logical(Logical::TimestampMillis),
            Schema::TimestampMicros => Ty::Logical(Logical::TimestampMicros),
            Schema::LocalTimestampMillis => Ty::Logical(Logical::LocalTimestampMillis),
            Schema::LocalTimestampMicros => Ty::Logical(Logical::LocalTimestampMicros),
            Schema::TimestampNanos | Schema::LocalTimestampNanos => {
                note("Logical type timestamp-nanos: nanoseconds since the Unix epoch (no language's natural type holds them all, so the integer stays).");
                Ty::Long
            }
            Schema::Decimal(d) => {
                let size = match d.inner.as_ref() {
                    Schema::Fixed(f) => Some(f.size as u32),
                    _ => None,
                };
                Ty::Logical(Logical::Decimal {
                    precision: d.precision as u32,
                    scale: d.scale as u32,
                    size,
                })
            }
            Schema::BigDecimal => {
                note("Logical type big-decimal: bytes, one character per byte.");
                Ty::String
            }
            Schema::Duration => {
                note("Logical type duration: 12 bytes (months, days, milliseconds), one character per byte.");
                Ty::String
            }
            Schema::Fixed(f) => {
                note(&format!(
                    "Avro fixed {} ({} bytes): one character per byte in the JSON encoding.",
                    f.name.name, f.size
                ));
                Ty::String
            }
            Schema::Array(a) => {
                Ty::Array(Box::new(self.ty(&a.items, enclosing, depth + 1, notes)?))
            }
            Schema::Map(m) => Ty::Map(Box::new(self.ty(&m.types, enclosing, depth + 1, notes)?)),
            Schema::Union(u) => {
                let variants = u.variants();
                let non_null: Vec<&Schema> = variants
                    .iter()
                    .filter(|s| !matches!(s, Schema::Null))
                    .collect();
                let has_null = non_null.len() < variants.len();
                let inner = match non_null.as_slice() {
                    [] => Ty::Any,
                    [one] => self.ty(one, enclosing, depth + 1, notes)?,
                    many => {
                        let mut members = Vec::new();
                        let mut label = Vec::new();
                        for s in many {
                            members.push(self.ty(s, enclosing, depth + 1, notes)?);
                            label.push(branch_name(s));
                        }
                        let wire = format!("union<{}>", label.join(","));
                        let simple = format!("{}Union", label.join("Or"));
                        let index = match self.builder.find(&wire) {
                            Some(i) => i,
                            None => {
                                let i = self.builder.reserve(&wire, Vec::new(), &simple);
                                self.builder.types[i].doc = Some(format!(
                                    "One of: {}. The decoded value carries no branch name; readers try the branches in this order.",
                                    label.join(", ")
                                ));
                                self.builder.types[i].body = Body::Union(members);
                                i
                            }
                        };
                        Ty::Named(index)
                    }
                };
                if has_null {
                    inner.nullable()
                } else {
                    inner
                }
            }
            Schema::Record(r) => {
                let (full, namespace) = full_name(&r.name, enclosing);
                if let Some(i) = self.builder.find(&full) {
                    return Some(Ty::Named(i));
                }
                let index = self
                    .builder
                    .reserve(&full, package(&namespace), &r.name.name);
                self.builder.types[index].doc = r.doc.clone();
                let mut fields = Vec::new();
                for f in &r.fields {
                    if !limits::spend(1) {
                        return None;
                    }
                    let mut notes = Vec::new();
                    let ty = self.ty(&f.schema, namespace.as_deref(), depth + 1, &mut notes)?;
                    let doc = f.doc.iter().cloned().chain(notes).collect::<Vec<_>>();
                    fields.push(Field {
                        wire: f.name.clone(),
                        doc: (!doc.is_empty()).then(|| doc.join("\n")),
                        ty,
                        presence: match &f.default {
                            Some(v) => Presence::Defaulted(Some(v.clone())),
                            None => Presence::Required,
                        },
                    });
                }
                self.builder.types[index].body = Body::Record(fields);
                Ty::Named(index)
            }
            Schema::Enum(e) => {
                let (full, namespace) = full_name(&e.name, enclosing);
                if let Some(i) = self.builder.find(&full) {
                    return Some(Ty::Named(i));
                }
                let index = self
                    .builder
                    .reserve(&full, package(&namespace), &e.name.name);
                self.builder.types[index].doc = e.doc.clone();
                self.builder.types[index].body = Body::Enum(e.symbols.clone());
                Ty::Named(index)
            }
            Schema::Ref { name } => {
                let (full, _) = full_name(name, enclosing);
                match self
                    .builder
                    .find(&full)
                    .or_else(|| self.builder.find(&name.name))
                {
                    Some(i) => Ty::Named(i),
                    None => Ty::Any,
                }
            }
        })
    }
}

/// A name for a union branch, to name the union type after its branches.
fn branch_name(schema: &Schema) -> String {
    match schema {
        Schema::Record(r) => r.name.name.clone(),
        Schema::Enum(e) => e.name.name.clone(),
        Schema::Fixed(f) => f.name.name.clone(),
        Schema::Ref { name } => name.name.clone(),
        Schema::Array(a) => format!("{}Array", branch_name(&a.items)),
        Schema::Map(m) => format!("{}Map", branch_name(&m.types)),
        other => super::names::pascal(&format!(
            "{:?}",
            apache_avro::schema::SchemaKind::from(other)
        )),
    }
}
