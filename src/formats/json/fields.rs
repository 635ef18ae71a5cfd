//! The field table of a JSON schema: the root object's properties and, below each, the
//! properties of nested objects (an array's items under `path[]`, an open map's values under
//! `path{}`), through `$ref`s (inside the schema and to referenced schemas) and `allOf` parts,
//! which merge into one object. `oneOf`/`anyOf` are a union: their type reads `A | B` and the
//! properties of each branch are listed under the field.

use std::cell::Cell;
use std::collections::{HashMap, HashSet};

use serde_json::Value;

use super::refs::{DocId, Documents, ROOT};
use crate::formats::FieldRow;
use crate::limits;

/// A schema and the document it is in (which `$ref`s inside it resolve against).
type At<'a> = (DocId, &'a Value);

/// How many `$ref`s a type name follows before it settles for the reference's own name: far
/// more than any real schema chains, and it ends self-referencing definitions.
const MAX_HOPS: usize = 16;

/// How many schemas one type name reads at most before it ends in `…`.
const TYPE_NAME_STEPS: usize = 64;

pub fn field_table(docs: &Documents) -> Vec<FieldRow> {
    let mut rows = Vec::new();
    let mut expanded = HashMap::new();
    nested_rows(
        docs,
        (ROOT, docs.root()),
        "",
        0,
        None,
        &mut expanded,
        &mut rows,
    );
    rows
}

/// One property of an object, with the schema it is declared with.
struct Member<'a> {
    name: &'a str,
    schema: At<'a>,
}

/// An object's properties and required names, merged over its `$ref` and `allOf` parts (the
/// first declaration of a name wins, as it is the one written closest to the object).
#[derive(Default)]
struct Members<'a> {
    list: Vec<Member<'a>>,
    required: HashSet<&'a str>,
}

fn members<'a>(docs: &'a Documents, at: At<'a>) -> Members<'a> {
    let mut out = Members::default();
    collect_members(docs, at, &mut HashSet::new(), &mut out);
    out
}

fn collect_members<'a>(
    docs: &'a Documents,
    (doc, schema): At<'a>,
    seen: &mut HashSet<usize>,
    out: &mut Members<'a>,
) {
    if !seen.insert(address(schema)) {
        return;
    }
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        for (name, property) in props {
            if !out.list.iter().any(|m| m.name == name) {
                out.list.push(Member {
                    name,
                    schema: (doc, property),
                });
            }
        }
    }
    for name in schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        out.required.insert(name);
    }
    if let Some(target) = reference(docs, (doc, schema)) {
        collect_members(docs, target, seen, out);
    }
    for part in schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        collect_members(docs, (doc, part), seen, out);
    }
}

fn address(schema: &Value) -> usize {
    schema as *const Value as usize
}

/// Where the schema's `$ref` points, when it has one that resolves.
fn reference<'a>(docs: &'a Documents, (doc, schema): At<'a>) -> Option<At<'a>> {
    let reference = schema.get("$ref")?.as_str()?;
    docs.resolve(doc, reference)
}

/// The schema a chain of `$ref`s ends at.
fn resolved<'a>(docs: &'a Documents, mut at: At<'a>) -> At<'a> {
    for _ in 0..MAX_HOPS {
        match reference(docs, at) {
            Some(target) => at = target,
            None => break,
        }
    }
    at
}

/// The rows under a field (or the root, with an empty `path`): its object's properties, its
/// items', its map values' and each union branch's. A schema is expanded once: shared `$ref`
/// targets make a schema a graph, which listed as a tree grows exponentially with the
/// definitions that use the next one twice. Where a schema comes back (elsewhere, or inside
/// itself), the field's row (`owner`) names the path it is listed under instead.
fn nested_rows<'a>(
    docs: &'a Documents,
    at: At<'a>,
    path: &str,
    depth: usize,
    owner: Option<usize>,
    expanded: &mut HashMap<usize, String>,
    rows: &mut Vec<FieldRow>,
) {
    if !limits::deeper(depth) {
        return;
    }
    let target = resolved(docs, at);
    if let Some(first) = expanded.get(&address(target.1)) {
        if let Some(row) = owner.and_then(|i| rows.get_mut(i)) {
            if !members(docs, at).list.is_empty() && row.path != *first {
                let place = if first.is_empty() {
                    "the top level".to_string()
                } else {
                    format!("'{first}'")
                };
                let note = format!("Fields as listed under {place}.");
                row.doc = Some(match row.doc.take() {
                    Some(doc) => format!("{doc} {note}"),
                    None => note,
                });
            }
        }
        return;
    }
    expanded.insert(address(target.1), path.to_string());
    let prefix = if path.is_empty() {
        String::new()
    } else {
        format!("{path}.")
    };
    let object = members(docs, at);
    for member in &object.list {
        let field_path = format!("{prefix}{}", member.name);
        rows.push(row(docs, member, &field_path, depth, &object.required));
        let owner = Some(rows.len() - 1);
        nested_rows(
            docs,
            member.schema,
            &field_path,
            depth + 1,
            owner,
            expanded,
            rows,
        );
    }
    let (doc, schema) = target;
    for key in ["items", "prefixItems"] {
        match schema.get(key) {
            Some(items @ Value::Object(_)) => nested_rows(
                docs,
                (doc, items),
                &format!("{path}[]"),
                depth,
                owner,
                expanded,
                rows,
            ),
            Some(Value::Array(tuple)) => {
                for items in tuple {
                    nested_rows(
                        docs,
                        (doc, items),
                        &format!("{path}[]"),
                        depth,
                        owner,
                        expanded,
                        rows,
                    );
                }
            }
            _ => {}
        }
    }
    if let Some(values) = map_values(schema) {
        nested_rows(
            docs,
            (doc, values),
            &format!("{path}{{}}"),
            depth,
            owner,
            expanded,
            rows,
        );
    }
    for key in ["oneOf", "anyOf"] {
        for branch in schema
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            nested_rows(docs, (doc, branch), path, depth, owner, expanded, rows);
        }
    }
}

fn row(
    docs: &Documents,
    member: &Member,
    path: &str,
    depth: usize,
    required: &HashSet<&str>,
) -> FieldRow {
    let declared = member.schema.1;
    let target = resolved(docs, member.schema).1;
    // What the property says beside its `$ref` comes first; the referenced schema fills gaps.
    let keyword = |key: &str| declared.get(key).or_else(|| target.get(key));
    let doc = keyword("description")
        .or_else(|| keyword("title"))
        .and_then(Value::as_str)
        .map(str::to_string);
    FieldRow {
        path: path.to_string(),
        name: member.name.to_string(),
        depth,
        type_name: type_name(docs, member.schema, 0, &Cell::new(TYPE_NAME_STEPS)),
        default: keyword("default").map(Value::to_string),
        doc,
        required: required.contains(member.name),
    }
}

/// The schema of an open object's values, when the object declares no properties of its own
/// (`{"type": "object", "additionalProperties": {...}}` is a map).
fn map_values(schema: &Value) -> Option<&Value> {
    let values = schema.get("additionalProperties")?;
    let has_properties = schema
        .get("properties")
        .and_then(Value::as_object)
        .is_some_and(|p| !p.is_empty());
    (values.as_object().is_some_and(|v| !v.is_empty()) && !has_properties).then_some(values)
}

/// A type as people read it: `string (date-time)`, `array<Address>`, `enum [A, B]`,
/// `string | null`, `object`.
fn type_name(docs: &Documents, (doc, schema): At, hops: usize, left: &Cell<usize>) -> String {
    // Unions of references to unions grow exponentially when written out in full.
    if left.get() == 0 || !limits::spend(1) {
        return "…".into();
    }
    left.set(left.get() - 1);
    match schema {
        Value::Bool(true) => return "any".into(),
        Value::Bool(false) => return "nothing".into(),
        _ => {}
    }
    if let Some(Value::String(r)) = schema.get("$ref") {
        match docs.resolve(doc, r) {
            // An object is known by its name, as a record is; anything else by what it is.
            Some(target) if hops < MAX_HOPS && !is_object(docs, target) => {
                return type_name(docs, target, hops + 1, left)
            }
            Some(target) => return reference_name(r, target.1),
            None => return r.clone(),
        }
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        return format!("enum [{}]", join(values.iter().map(literal), ", "));
    }
    if let Some(value) = schema.get("const") {
        return format!("const {}", literal(value));
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(branches) = schema.get(key).and_then(Value::as_array) {
            return join(
                branches
                    .iter()
                    .map(|b| type_name(docs, (doc, b), hops, left)),
                " | ",
            );
        }
    }
    match schema.get("type") {
        Some(Value::String(t)) => simple_type(docs, (doc, schema), t, hops, left),
        Some(Value::Array(types)) => join(
            types
                .iter()
                .filter_map(Value::as_str)
                .map(|t| simple_type(docs, (doc, schema), t, hops, left)),
            " | ",
        ),
        _ if is_object(docs, (doc, schema)) => object_name(schema),
        _ => match schema
            .get("allOf")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
        {
            Some([only]) => type_name(docs, (doc, only), hops, left),
            _ => "any".into(),
        },
    }
}

fn simple_type(
    docs: &Documents,
    (doc, schema): At,
    t: &str,
    hops: usize,
    left: &Cell<usize>,
) -> String {
    match t {
        "array" => {
            let items = match schema.get("items").or_else(|| schema.get("prefixItems")) {
                Some(Value::Array(tuple)) => format!(
                    "[{}]",
                    join(
                        tuple.iter().map(|i| type_name(docs, (doc, i), hops, left)),
                        ", "
                    )
                ),
                Some(items) => type_name(docs, (doc, items), hops, left),
                None => "any".into(),
            };
            format!("array<{items}>")
        }
        "object" => match map_values(schema) {
            Some(values) => format!("map<{}>", type_name(docs, (doc, values), hops, left)),
            None => object_name(schema),
        },
        _ => match schema.get("format").and_then(Value::as_str) {
            Some(format) => format!("{t} ({format})"),
            None => t.to_string(),
        },
    }
}

fn is_object(docs: &Documents, at: At) -> bool {
    let schema = resolved(docs, at).1;
    schema.get("type").and_then(Value::as_str) == Some("object")
        || !members(docs, at).list.is_empty()
}

/// An object schema by its title, the way a record is known by its name.
fn object_name(schema: &Value) -> String {
    schema
        .get("title")
        .and_then(Value::as_str)
        .unwrap_or("object")
        .to_string()
}

/// A referenced object's name: the last segment of a JSON Pointer (`#/definitions/Address`),
/// else the target's title, else the reference as written (`address.json`).
fn reference_name(reference: &str, target: &Value) -> String {
    let (uri, fragment) = reference.split_once('#').unwrap_or((reference, ""));
    let segment = fragment
        .rsplit('/')
        .next()
        .filter(|s| !s.is_empty())
        .map(|s| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .replace("~1", "/")
                .replace("~0", "~")
        });
    segment
        .or_else(|| {
            target
                .get("title")
                .and_then(Value::as_str)
                .map(String::from)
        })
        .unwrap_or_else(|| if uri.is_empty() { "object" } else { uri }.to_string())
}

/// A value inside a type name: strings bare, anything else as JSON.
fn literal(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn join(parts: impl Iterator<Item = String>, separator: &str) -> String {
    parts.collect::<Vec<_>>().join(separator)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn table(root: Value, deps: Vec<(&str, Value)>) -> Vec<FieldRow> {
        let docs = Documents::new(
            root,
            deps.into_iter().map(|(n, v)| (n.to_string(), v)).collect(),
        );
        field_table(&docs)
    }

    fn paths(rows: &[FieldRow]) -> Vec<&str> {
        rows.iter().map(|r| r.path.as_str()).collect()
    }

    fn find<'a>(rows: &'a [FieldRow], path: &str) -> &'a FieldRow {
        rows.iter()
            .find(|r| r.path == path)
            .unwrap_or_else(|| panic!("no row {path} in {rows:?}"))
    }

    #[test]
    fn nested_objects_items_and_references_are_expanded() {
        let rows = table(
            json!({
                "type": "object",
                "properties": {
                    "id": {"type": "string", "format": "uuid", "description": "The id."},
                    "placedAt": {"type": "string", "format": "date-time"},
                    "customer": {
                        "type": "object",
                        "properties": {
                            "customerId": {"type": "integer"},
                            "address": {"$ref": "address.json", "description": "Where to ship."}
                        },
                        "required": ["customerId"]
                    },
                    "lines": {"type": "array", "items": {"$ref": "#/definitions/Line"}},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "status": {"enum": ["NEW", "PAID"], "default": "NEW"},
                    "note": {"type": ["string", "null"], "default": null},
                    "counts": {"type": "object", "additionalProperties": {"type": "integer"}}
                },
                "required": ["id", "lines"],
                "definitions": {
                    "Line": {
                        "type": "object",
                        "title": "An order line",
                        "properties": {"sku": {"type": "string"}, "quantity": {"type": "integer", "minimum": 1}},
                        "required": ["sku"]
                    }
                }
            }),
            vec![(
                "address.json",
                json!({"title": "Address", "type": "object",
                       "properties": {"city": {"type": "string", "default": "Paris"}}}),
            )],
        );
        assert_eq!(
            paths(&rows),
            [
                "id",
                "placedAt",
                "customer",
                "customer.customerId",
                "customer.address",
                "customer.address.city",
                "lines",
                "lines[].sku",
                "lines[].quantity",
                "tags",
                "status",
                "note",
                "counts",
            ]
        );
        let id = find(&rows, "id");
        assert_eq!(
            (id.type_name.as_str(), id.required, id.doc.as_deref()),
            ("string (uuid)", true, Some("The id."))
        );
        assert_eq!(find(&rows, "placedAt").type_name, "string (date-time)");
        assert!(!find(&rows, "placedAt").required);
        assert_eq!(find(&rows, "customer").type_name, "object");
        let customer_id = find(&rows, "customer.customerId");
        assert_eq!((customer_id.depth, customer_id.required), (1, true));
        let address = find(&rows, "customer.address");
        assert_eq!(address.type_name, "Address");
        assert_eq!(address.doc.as_deref(), Some("Where to ship."));
        let city = find(&rows, "customer.address.city");
        assert_eq!(city.depth, 2);
        assert_eq!(city.default.as_deref(), Some("\"Paris\""));
        assert_eq!(find(&rows, "lines").type_name, "array<Line>");
        assert_eq!(find(&rows, "lines[].sku").depth, 1);
        assert!(find(&rows, "lines[].sku").required);
        assert_eq!(find(&rows, "tags").type_name, "array<string>");
        let status = find(&rows, "status");
        assert_eq!(status.type_name, "enum [NEW, PAID]");
        assert_eq!(status.default.as_deref(), Some("\"NEW\""));
        let note = find(&rows, "note");
        assert_eq!(note.type_name, "string | null");
        assert_eq!(note.default.as_deref(), Some("null"));
        assert_eq!(find(&rows, "counts").type_name, "map<integer>");
    }

    #[test]
    fn all_of_merges_and_one_of_is_a_union() {
        let rows = table(
            json!({
                "allOf": [
                    {"$ref": "#/$defs/Envelope"},
                    {"properties": {"payment": {"oneOf": [
                        {"$ref": "#/$defs/Card"},
                        {"type": "object", "title": "Voucher", "properties": {"code": {"type": "string"}}}
                    ]}}, "required": ["payment"]}
                ],
                "$defs": {
                    "Envelope": {"type": "object", "properties": {"eventId": {"type": "string"}},
                                 "required": ["eventId"]},
                    "Card": {"type": "object", "properties": {"last4": {"type": "string", "title": "Last digits"}}}
                }
            }),
            vec![],
        );
        assert_eq!(
            paths(&rows),
            ["eventId", "payment", "payment.last4", "payment.code"]
        );
        assert!(find(&rows, "eventId").required && find(&rows, "payment").required);
        assert_eq!(find(&rows, "payment").type_name, "Card | Voucher");
        assert_eq!(find(&rows, "payment.last4").depth, 1);
        assert_eq!(
            find(&rows, "payment.last4").doc.as_deref(),
            Some("Last digits")
        );
    }

    #[test]
    fn recursive_schemas_stop_at_their_second_appearance() {
        let rows = table(
            json!({
                "title": "Node",
                "type": "object",
                "properties": {
                    "label": {"type": "string"},
                    "children": {"type": "array", "items": {"$ref": "#"}},
                    "parent": {"$ref": "#/definitions/Wrapper"},
                    "alias": {"$ref": "#/definitions/Alias"}
                },
                "definitions": {
                    "Wrapper": {"type": "object", "properties": {"node": {"$ref": "#"}}},
                    "Alias": {"$ref": "#/definitions/Alias"}
                }
            }),
            vec![],
        );
        assert_eq!(
            paths(&rows),
            ["label", "children", "parent", "parent.node", "alias"]
        );
        assert_eq!(find(&rows, "children").type_name, "array<Node>");
        assert_eq!(find(&rows, "parent.node").type_name, "Node");
        assert_eq!(find(&rows, "alias").type_name, "Alias");
    }
}
