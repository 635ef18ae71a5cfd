//! JSON Schema as the model: objects as records, `$ref`/`$defs` as shared named types,
//! `oneOf`/`anyOf` as unions, `allOf` merged; what has no faithful type becomes any JSON value
//! with a doc line saying why.

use serde_json::{Map, Value};

use super::model::{Body, Builder, Field, Logical, Presence, Ty};
use super::names;
use crate::formats::json::refs::{DocId, Documents, ROOT};
use crate::limits;

pub fn build(docs: &Documents, root_name: &str, builder: &mut Builder) -> Option<Ty> {
    let mut walk = Walk { docs, builder };
    let root = docs.root();
    let name = root
        .get("title")
        .and_then(Value::as_str)
        .unwrap_or(root_name)
        .to_string();
    walk.schema(ROOT, root, &name, &at(root), 0, &mut Vec::new())
}

/// A key for a schema that holds wherever it is reached from.
fn at(schema: &Value) -> String {
    format!("@{:p}", schema as *const Value)
}

struct Walk<'a> {
    docs: &'a Documents,
    builder: &'a mut Builder,
}

fn types_of(schema: &Map<String, Value>) -> Vec<&str> {
    match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

fn describe(schema: &Map<String, Value>) -> Option<String> {
    let mut lines = Vec::new();
    for key in ["description", "$comment"] {
        if let Some(text) = schema.get(key).and_then(Value::as_str) {
            lines.push(text.to_string());
        }
    }
    if let Some(format) = schema.get("format").and_then(Value::as_str) {
        lines.push(format!("Format: {format}."));
    }
    if let Some(default) = schema.get("default") {
        lines.push(format!("Default: {default}."));
    }
    (!lines.is_empty()).then(|| lines.join("\n"))
}

/// Whether a schema describes objects (so two of them in a union cannot be told apart).
fn object_like(docs: &Documents, doc: DocId, schema: &Value, depth: usize) -> bool {
    let Some(obj) = schema.as_object() else {
        return false;
    };
    if depth < 32 {
        if let Some(Value::String(r)) = obj.get("$ref") {
            if let Some((d, target)) = docs.resolve(doc, r) {
                return object_like(docs, d, target, depth + 1);
            }
        }
    }
    let types = types_of(obj);
    types.contains(&"object") || (types.is_empty() && obj.contains_key("properties"))
}

impl Walk<'_> {
    /// The type of `schema` (found in document `doc` at `pointer`); `name` names the type a
    /// nested object becomes. `notes` collects caveats for the holding field's doc.
    fn schema(
        &mut self,
        doc: DocId,
        schema: &Value,
        name: &str,
        pointer: &str,
        depth: usize,
        notes: &mut Vec<String>,
    ) -> Option<Ty> {
        if !limits::deeper(depth) {
            return None;
        }
        let obj = match schema {
            Value::Object(obj) => obj,
            // `true` (anything) and `false` (nothing) alike: no narrower type holds.
            _ => return Some(Ty::Any),
        };
        if let Some(Value::String(reference)) = obj.get("$ref") {
            return self.reference(doc, reference, depth, notes);
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(Value::Array(branches)) = obj.get(key) {
                return self.union(doc, branches, name, pointer, key, depth, notes);
            }
        }
        if let Some(Value::Array(parts)) = obj.get("allOf") {
            return self.merged(doc, obj, parts, name, pointer, depth, notes);
        }
        if let Some(Value::Array(values)) = obj.get("enum") {
            return Some(self.enumeration(obj, values, name, pointer));
        }
        if let Some(value) = obj.get("const") {
            return Some(match value {
                Value::String(_) => Ty::String,
                Value::Bool(_) => Ty::Bool,
                Value::Number(n) if n.is_i64() || n.is_u64() => Ty::Long,
                Value::Number(_) => Ty::Double,
                _ => Ty::Any,
            });
        }
        let types = types_of(obj);
        let nullable = types.contains(&"null");
        let non_null: Vec<&str> = types.iter().copied().filter(|t| *t != "null").collect();
        let ty = match non_null.as_slice() {
            [] if obj.contains_key("properties") => {
                self.object(doc, obj, name, pointer, depth, notes)?
            }
            [] if obj.contains_key("items") => self.array(doc, obj, name, pointer, depth, notes)?,
            [] => Ty::Any,
            [one] => self.single(doc, obj, one, name, pointer, depth, notes)?,
            many => {
                let mut members = Vec::new();
                for t in many {
                    members.push(self.single(doc, obj, t, name, pointer, depth, notes)?);
                }
                self.union_type(
                    &format!("{pointer}/type@{doc}"),
                    name,
                    members,
                    many.join(", "),
                )
            }
        };
        Some(if nullable { ty.nullable() } else { ty })
    }

    #[allow(clippy::too_many_arguments)]
    fn single(
        &mut self,
        doc: DocId,
        obj: &Map<String, Value>,
        ty: &str,
        name: &str,
        pointer: &str,
        depth: usize,
        notes: &mut Vec<String>,
    ) -> Option<Ty> {
        Some(match ty {
            "string" => match obj.get("format").and_then(Value::as_str) {
                Some("date-time") => Ty::Logical(Logical::DateTime),
                Some("date") => Ty::Logical(Logical::Date),
                Some("uuid") => Ty::Logical(Logical::Uuid),
                _ => Ty::String,
            },
            "integer" => Ty::Long,
            "number" => Ty::Double,
            "boolean" => Ty::Bool,
            "object" => self.object(doc, obj, name, pointer, depth, notes)?,
            "array" => self.array(doc, obj, name, pointer, depth, notes)?,
            _ => Ty::Any,
        })
    }

    fn reference(
        &mut self,
        doc: DocId,
        reference: &str,
        depth: usize,
        notes: &mut Vec<String>,
    ) -> Option<Ty> {
        let Some((target_doc, target)) = self.docs.resolve(doc, reference) else {
            notes.push(format!("$ref {reference} did not resolve; any JSON value."));
            return Some(Ty::Any);
        };
        let last = reference
            .rsplit(['/', '#'])
            .find(|s| !s.is_empty())
            .unwrap_or("Ref");
        let title = target.get("title").and_then(Value::as_str);
        let base = title.unwrap_or(last.trim_end_matches(".json")).to_string();
        // Keyed by the target's place in memory: every `$ref` to it shares one type, and a
        // recursive one finds the type under construction.
        let pointer = at(target);
        self.schema(target_doc, target, &base, &pointer, depth + 1, notes)
    }

    fn object(
        &mut self,
        doc: DocId,
        obj: &Map<String, Value>,
        name: &str,
        pointer: &str,
        depth: usize,
        notes: &mut Vec<String>,
    ) -> Option<Ty> {
        let properties = obj.get("properties").and_then(Value::as_object);
        let additional = obj.get("additionalProperties");
        if properties.is_none_or(|p| p.is_empty()) {
            return Some(match additional {
                Some(schema @ Value::Object(_)) => Ty::Map(Box::new(self.schema(
                    doc,
                    schema,
                    &format!("{name}Value"),
                    &format!("{pointer}/additionalProperties"),
                    depth + 1,
                    notes,
                )?)),
                _ => Ty::Map(Box::new(Ty::Any)),
            });
        }
        let key = format!("{doc}:{pointer}");
        if let Some(i) = self.builder.find(&key) {
            return Some(Ty::Named(i));
        }
        let index = self.builder.reserve(&key, Vec::new(), name);
        self.builder.types[index].doc = describe(obj);
        let fields = self.fields(doc, &[obj], name, pointer, depth)?;
        if !matches!(additional, Some(Value::Bool(false)) | None) {
            let doc_text = self.builder.types[index]
                .doc
                .get_or_insert_with(String::new);
            if !doc_text.is_empty() {
                doc_text.push('\n');
            }
            doc_text.push_str("The schema allows properties beyond these; this type keeps only the declared ones.");
        }
        self.builder.types[index].body = Body::Record(fields);
        Some(Ty::Named(index))
    }

    /// The fields of one object schema or of several merged (`allOf`), in declaration order.
    fn fields(
        &mut self,
        doc: DocId,
        parts: &[&Map<String, Value>],
        name: &str,
        pointer: &str,
        depth: usize,
    ) -> Option<Vec<Field>> {
        let mut fields: Vec<Field> = Vec::new();
        let mut required: Vec<&str> = Vec::new();
        for part in parts {
            if let Some(Value::Array(r)) = part.get("required") {
                required.extend(r.iter().filter_map(Value::as_str));
            }
        }
        for part in parts {
            let Some(properties) = part.get("properties").and_then(Value::as_object) else {
                continue;
            };
            for (wire, prop) in properties {
                if !limits::spend(1) {
                    return None;
                }
                let mut notes = Vec::new();
                let ty = self.schema(
                    doc,
                    prop,
                    &format!("{name} {wire}"),
                    &format!("{pointer}/properties/{wire}"),
                    depth + 1,
                    &mut notes,
                )?;
                let doc_text: Vec<String> = prop
                    .as_object()
                    .and_then(describe)
                    .into_iter()
                    .chain(notes)
                    .collect();
                let field = Field {
                    wire: wire.clone(),
                    doc: (!doc_text.is_empty()).then(|| doc_text.join("\n")),
                    ty,
                    presence: if required.contains(&wire.as_str()) {
                        Presence::Required
                    } else {
                        Presence::Optional
                    },
                };
                match fields.iter_mut().find(|f| f.wire == *wire) {
                    // allOf parts that both declare a property: the first type stands.
                    Some(existing) => {
                        if existing.presence == Presence::Optional {
                            existing.presence = field.presence;
                        }
                    }
                    None => fields.push(field),
                }
            }
        }
        Some(fields)
    }

    #[allow(clippy::too_many_arguments)]
    fn merged(
        &mut self,
        doc: DocId,
        obj: &Map<String, Value>,
        parts: &[Value],
        name: &str,
        pointer: &str,
        depth: usize,
        notes: &mut Vec<String>,
    ) -> Option<Ty> {
        // Each part resolved through its `$ref`s; only objects merge into one record.
        let mut resolved: Vec<(DocId, &Map<String, Value>)> = vec![(doc, obj)];
        for part in parts {
            let mut here = (doc, part);
            for _ in 0..32 {
                match here.1.get("$ref").and_then(Value::as_str) {
                    Some(r) => match self.docs.resolve(here.0, r) {
                        Some(next) => here = next,
                        None => break,
                    },
                    None => break,
                }
            }
            match here.1.as_object() {
                Some(o) => resolved.push((here.0, o)),
                None => return Some(Ty::Any),
            }
        }
        let all_objects = resolved.iter().all(|(_, o)| {
            o.contains_key("properties")
                || types_of(o).contains(&"object")
                || o.is_empty()
                || o.keys()
                    .all(|k| k == "allOf" || k == "required" || k == "description" || k == "title")
        });
        if !all_objects {
            notes.push("allOf of non-object schemas: any JSON value.".into());
            return Some(Ty::Any);
        }
        let key = format!("{doc}:{pointer}");
        if let Some(i) = self.builder.find(&key) {
            return Some(Ty::Named(i));
        }
        let index = self.builder.reserve(&key, Vec::new(), name);
        self.builder.types[index].doc = describe(obj);
        let mut fields = Vec::new();
        for (d, part) in &resolved {
            let part_fields = self.fields(*d, &[part], name, pointer, depth)?;
            for f in part_fields {
                if !fields.iter().any(|g: &Field| g.wire == f.wire) {
                    fields.push(f);
                }
            }
        }
        let required: Vec<&str> = resolved
            .iter()
            .filter_map(|(_, o)| o.get("required").and_then(Value::as_array))
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        for f in &mut fields {
            if required.contains(&f.wire.as_str()) {
                f.presence = Presence::Required;
            }
        }
        self.builder.types[index].body = Body::Record(fields);
        Some(Ty::Named(index))
    }

    fn array(
        &mut self,
        doc: DocId,
        obj: &Map<String, Value>,
        name: &str,
        pointer: &str,
        depth: usize,
        notes: &mut Vec<String>,
    ) -> Option<Ty> {
        let item = match obj.get("items") {
            Some(items @ Value::Object(_)) => self.schema(
                doc,
                items,
                &format!("{name} item"),
                &format!("{pointer}/items"),
                depth + 1,
                notes,
            )?,
            Some(Value::Array(_)) | None
                if obj.contains_key("prefixItems")
                    || obj.get("items").is_some_and(Value::is_array) =>
            {
                notes.push("Tuple items have no list type here: items are any JSON value.".into());
                Ty::Any
            }
            _ => Ty::Any,
        };
        Some(Ty::Array(Box::new(item)))
    }

    fn enumeration(
        &mut self,
        obj: &Map<String, Value>,
        values: &[Value],
        name: &str,
        pointer: &str,
    ) -> Ty {
        let strings: Vec<String> = values
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect();
        let has_null = values.iter().any(Value::is_null);
        if strings.is_empty() || strings.len() + usize::from(has_null) != values.len() {
            return Ty::Any;
        }
        let key = format!("enum:{pointer}:{}", strings.join("|"));
        let index = match self.builder.find(&key) {
            Some(i) => i,
            None => {
                let i = self.builder.reserve(&key, Vec::new(), name);
                self.builder.types[i].doc = describe(obj);
                self.builder.types[i].body = Body::Enum(strings);
                i
            }
        };
        if has_null {
            Ty::Named(index).nullable()
        } else {
            Ty::Named(index)
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn union(
        &mut self,
        doc: DocId,
        branches: &[Value],
        name: &str,
        pointer: &str,
        keyword: &str,
        depth: usize,
        notes: &mut Vec<String>,
    ) -> Option<Ty> {
        let is_null = |b: &Value| {
            b.get("type").and_then(Value::as_str) == Some("null")
                || b.get("const").is_some_and(Value::is_null)
        };
        let nullable = branches.iter().any(is_null);
        let rest: Vec<&Value> = branches.iter().filter(|b| !is_null(b)).collect();
        let objects = rest
            .iter()
            .filter(|b| object_like(self.docs, doc, b, 0))
            .count();
        let ty = if objects > 1 {
            notes.push(format!(
                "{keyword} of {objects} object schemas: no type tells them apart in the data, so this is any JSON value (the widest safe type)."
            ));
            Ty::Any
        } else if rest.len() == 1 {
            self.schema(
                doc,
                rest[0],
                name,
                &format!("{pointer}/{keyword}/0"),
                depth + 1,
                notes,
            )?
        } else if rest.is_empty() {
            Ty::Any
        } else {
            let key = format!("{doc}:{pointer}/{keyword}");
            if let Some(i) = self.builder.find(&key) {
                return Some(Ty::Named(i));
            }
            let index = self.reserve_union(&key, name, keyword);
            let mut members = Vec::new();
            for (i, branch) in rest.iter().enumerate() {
                members.push(self.schema(
                    doc,
                    branch,
                    &format!("{name} option {}", i + 1),
                    &format!("{pointer}/{keyword}/{i}"),
                    depth + 1,
                    notes,
                )?);
            }
            self.builder.types[index].body = Body::Union(members);
            Ty::Named(index)
        };
        Some(if nullable { ty.nullable() } else { ty })
    }

    fn union_type(&mut self, key: &str, name: &str, members: Vec<Ty>, what: String) -> Ty {
        if let Some(i) = self.builder.find(key) {
            return Ty::Named(i);
        }
        let index = self.reserve_union(key, name, &what);
        self.builder.types[index].body = Body::Union(members);
        Ty::Named(index)
    }

    fn reserve_union(&mut self, key: &str, name: &str, what: &str) -> usize {
        let index =
            self.builder
                .reserve(key, Vec::new(), &format!("{} value", names::pascal(name)));
        self.builder.types[index].doc = Some(format!(
            "One of several shapes ({what}); the data carries no tag, so readers try them in this order."
        ));
        index
    }
}
