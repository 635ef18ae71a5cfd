//! The documents a JSON schema is read with (itself, then its references by name) and `$ref`
//! resolution among them. Nothing is fetched: a `$ref` resolves inside its own document or to
//! a referenced schema, whose reference `name` is the URI the `$ref` uses.

use std::collections::HashMap;

use serde_json::Value;
use url::Url;

use super::walk;

/// Index of a document; the schema itself is [`ROOT`].
pub type DocId = usize;
pub const ROOT: DocId = 0;

/// The scheme a schema without an `$id` gets as its base, as the `jsonschema` crate does.
pub const DEFAULT_BASE: &str = "json-schema:///";

#[derive(Debug, Clone)]
pub struct Document {
    /// The reference name (empty for the root).
    pub name: String,
    pub value: Value,
    /// The document's own `$id` (`id` in draft 4), when it is a URI.
    id: Option<Url>,
}

#[derive(Debug, Clone)]
pub struct Documents {
    docs: Vec<Document>,
    /// Where each embedded resource (a sub-schema with its own `$id`) is, by its URI resolved
    /// against its document's base: the first of each.
    embedded: HashMap<String, (DocId, String)>,
    /// Where each plain-name fragment (`$anchor`, or an `$id` of `#name`) is, per document.
    anchors: HashMap<(DocId, String), String>,
}

impl Documents {
    pub fn new(root: Value, deps: Vec<(String, Value)>) -> Documents {
        let mut docs = vec![Document::new(String::new(), root)];
        docs.extend(
            deps.into_iter()
                .map(|(name, value)| Document::new(name, value)),
        );
        let mut documents = Documents {
            docs,
            embedded: HashMap::new(),
            anchors: HashMap::new(),
        };
        documents.index();
        documents
    }

    /// Finds every embedded resource and anchor once, so that resolving a `$ref` to one is a
    /// lookup rather than a walk of the document.
    fn index(&mut self) {
        let mut embedded = HashMap::new();
        let mut anchors = HashMap::new();
        for (doc, document) in self.iter() {
            let base = self.base(doc);
            let mut found = Vec::new();
            walk::visit_with_pointer(&document.value, &mut |schema, pointer| {
                found.push((schema, pointer.to_string()))
            });
            for (schema, pointer) in found {
                for key in ["$id", "id"] {
                    let Some(id) = schema.get(key).and_then(Value::as_str) else {
                        continue;
                    };
                    if let Some(name) = id.strip_prefix('#') {
                        anchors
                            .entry((doc, name.to_string()))
                            .or_insert_with(|| pointer.clone());
                    } else if let Ok(uri) = base.join(id) {
                        embedded
                            .entry(uri.to_string())
                            .or_insert_with(|| (doc, pointer.clone()));
                    }
                }
                if let Some(name) = schema.get("$anchor").and_then(Value::as_str) {
                    anchors
                        .entry((doc, name.to_string()))
                        .or_insert_with(|| pointer.clone());
                }
            }
        }
        self.embedded = embedded;
        self.anchors = anchors;
    }

    pub fn root(&self) -> &Value {
        &self.docs[ROOT].value
    }

    pub fn value(&self, doc: DocId) -> &Value {
        &self.docs[doc].value
    }

    pub fn iter(&self) -> impl Iterator<Item = (DocId, &Document)> {
        self.docs.iter().enumerate()
    }

    /// The base a relative `$ref` in `doc` resolves against.
    fn base(&self, doc: DocId) -> Url {
        self.docs[doc]
            .id
            .clone()
            .unwrap_or_else(|| Url::parse(DEFAULT_BASE).expect("valid default base"))
    }

    /// The document a URI (without fragment) names, seen from `from`: a reference by its name
    /// as written or resolved against the base, or a document by its `$id`.
    pub fn document_for(&self, from: DocId, uri: &str) -> Option<DocId> {
        if uri.is_empty() {
            return Some(from);
        }
        let resolved = self.base(from).join(uri).ok();
        let matches = |doc: &Document, candidate: &str| {
            let by_name = !doc.name.is_empty()
                && (doc.name == candidate
                    || self
                        .base(ROOT)
                        .join(&doc.name)
                        .ok()
                        .as_ref()
                        .map(Url::as_str)
                        == Some(candidate)
                    || Url::parse(DEFAULT_BASE)
                        .ok()
                        .and_then(|b| b.join(&doc.name).ok())
                        .as_ref()
                        .map(Url::as_str)
                        == Some(candidate));
            by_name || doc.id.as_ref().map(Url::as_str) == Some(candidate)
        };
        let candidates = std::iter::once(uri.to_string())
            .chain(resolved.map(|u| without_fragment(u.as_str()).to_string()));
        for candidate in candidates {
            // References first: a dependency's name is what a `$ref` is meant to hit.
            if let Some(i) = (1..self.docs.len()).find(|&i| matches(&self.docs[i], &candidate)) {
                return Some(i);
            }
            if matches(&self.docs[ROOT], &candidate) {
                return Some(ROOT);
            }
        }
        None
    }

    /// Where `reference` (a `$ref` found in document `from`) points.
    pub fn resolve(&self, from: DocId, reference: &str) -> Option<(DocId, &Value)> {
        let (uri, fragment) = reference.split_once('#').unwrap_or((reference, ""));
        let (doc, root) = match self.document_for(from, uri) {
            Some(doc) => (doc, &self.docs[doc].value),
            None => self.embedded(from, uri)?,
        };
        let fragment = percent_encoding::percent_decode_str(fragment).decode_utf8_lossy();
        let target = if fragment.is_empty() {
            Some(root)
        } else if fragment.starts_with('/') {
            root.pointer(&fragment)
        } else {
            // Anchors are looked up in the whole document, embedded resources included.
            let at = self.anchors.get(&(doc, fragment.to_string()))?;
            self.docs[doc].value.pointer(at)
        };
        target.map(|v| (doc, v))
    }

    /// A schema inside a document that declares `uri` as its own `$id` (an embedded resource).
    fn embedded(&self, from: DocId, uri: &str) -> Option<(DocId, &Value)> {
        let wanted = self.base(from).join(uri).ok()?;
        let (doc, pointer) = self.embedded.get(wanted.as_str())?;
        Some((*doc, self.docs[*doc].value.pointer(pointer)?))
    }

    /// The first `$ref` that resolves nowhere, with the name of the document holding it.
    pub fn first_unresolved(&self) -> Option<(String, String)> {
        for (doc, document) in self.iter() {
            let mut missing = None;
            walk::visit(&document.value, &mut |schema| {
                if missing.is_some() {
                    return;
                }
                if let Some(Value::String(r)) = schema.get("$ref") {
                    if self.resolve(doc, r).is_none() && !is_meta_schema(r) {
                        missing = Some(r.clone());
                    }
                }
            });
            if let Some(r) = missing {
                return Some((document.name.clone(), r));
            }
        }
        None
    }
}

impl Document {
    fn new(name: String, value: Value) -> Document {
        let id = ["$id", "id"]
            .iter()
            .find_map(|k| value.get(*k).and_then(Value::as_str))
            .and_then(|s| Url::parse(without_fragment(s)).ok());
        Document { name, value, id }
    }
}

/// The drafts' meta-schemas, which the validator bundles: a `$ref` to one needs no reference.
const META_SCHEMAS: &[&str] = &[
    "json-schema.org/draft-04/schema",
    "json-schema.org/draft-06/schema",
    "json-schema.org/draft-07/schema",
    "json-schema.org/draft/2019-09/schema",
    "json-schema.org/draft/2020-12/schema",
];

/// Whether `reference` names a draft's meta-schema (`http://json-schema.org/draft-07/schema#`).
pub fn is_meta_schema(reference: &str) -> bool {
    let uri = without_fragment(reference);
    let bare = uri
        .strip_prefix("https://")
        .or_else(|| uri.strip_prefix("http://"))
        .unwrap_or("");
    META_SCHEMAS.contains(&bare)
}

fn without_fragment(uri: &str) -> &str {
    uri.split_once('#').map_or(uri, |(u, _)| u)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn docs() -> Documents {
        Documents::new(
            json!({"definitions": {"a": {"type": "string"}, "b": {"$anchor": "bee"}}}),
            vec![
                (
                    "address.json".into(),
                    json!({"definitions": {"zip": {"type": "integer"}}}),
                ),
                (
                    "https://acme.com/geo.json".into(),
                    json!({"$id": "https://acme.com/geo.json", "type": "number"}),
                ),
            ],
        )
    }

    #[test]
    fn references_resolve_inside_the_document_or_by_reference_name() {
        let d = docs();
        assert_eq!(
            d.resolve(ROOT, "#/definitions/a").unwrap().1["type"],
            "string"
        );
        assert_eq!(d.resolve(ROOT, "#bee").unwrap().1["$anchor"], "bee");
        assert_eq!(d.resolve(ROOT, "address.json").unwrap().0, 1);
        assert_eq!(
            d.resolve(ROOT, "address.json#/definitions/zip").unwrap().1["type"],
            "integer"
        );
        assert_eq!(d.resolve(ROOT, "https://acme.com/geo.json").unwrap().0, 2);
        assert!(d.resolve(ROOT, "other.json").is_none());
        assert!(d.resolve(ROOT, "#/definitions/none").is_none());
    }

    #[test]
    fn a_reference_to_an_embedded_resource_resolves_to_it() {
        let d = Documents::new(
            json!({"$id": "https://acme.com/order.json", "properties": {"line": {"$ref": "line.json"}},
                   "definitions": {"line": {"$id": "line.json", "type": "object"}}}),
            vec![],
        );
        assert_eq!(d.resolve(ROOT, "line.json").unwrap().1["type"], "object");
        assert_eq!(d.first_unresolved(), None);
    }

    #[test]
    fn a_relative_reference_resolves_against_the_schema_id() {
        let d = Documents::new(
            json!({"$id": "https://acme.com/customer.json", "$ref": "address.json"}),
            vec![("address.json".into(), json!({"type": "object"}))],
        );
        assert_eq!(d.resolve(ROOT, "address.json").unwrap().0, 1);
        assert_eq!(
            d.resolve(ROOT, "https://acme.com/address.json").unwrap().0,
            1
        );
        assert_eq!(d.first_unresolved(), None);
    }

    #[test]
    fn a_reference_to_a_draft_meta_schema_needs_no_reference() {
        let d = Documents::new(
            json!({"properties": {"schema": {"$ref": "http://json-schema.org/draft-07/schema#"}}}),
            vec![],
        );
        assert_eq!(d.first_unresolved(), None);
        assert!(is_meta_schema(
            "https://json-schema.org/draft/2020-12/schema"
        ));
        assert!(!is_meta_schema("https://json-schema.org/draft-07/other"));
    }
}
