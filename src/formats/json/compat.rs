//! JSON Schema compatibility as Confluent computes it: the differences from an `original` to an
//! `update` schema, each with its type and path, of which those outside the STRICT compatible
//! set break compatibility.
//!
//! Schemas are read the way Confluent's checker (built on the everit library) sees them: a
//! `type` list is an `anyOf` of one schema per type; a schema that combines several parts (a
//! type, `enum`, `allOf`, `not`, a `$ref` with siblings, ...) is an `allOf` of those parts;
//! `true` and `{}` are the empty schema. `$ref`s are followed before comparing, and a pair of
//! schemas met again while it is being compared counts as compatible (this ends recursion).
//!
//! Where Confluent's verdict and what validation would accept part ways, Herald gives
//! Confluent's, so a change that passes there passes here: `required` is read only for
//! properties both sides declare, `patternProperties` only decide whether an added or removed
//! property is covered (their schemas are not compared), and `additionalItems` is compared even
//! without tuple `items`.

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};

use regex::Regex;
use serde_json::{Map, Value};

use super::diff::{Change, DiffType, DiffType::*};
use super::refs::{DocId, Documents, ROOT};
use super::walk::escape;
use crate::limits;

/// Every difference from `original` to `update`, compatible ones included.
pub fn differences(original: &Documents, update: &Documents) -> Vec<Change> {
    let mut differ = Differ::default();
    let mut ctx = Ctx::default();
    differ.compare(
        &mut ctx,
        View::whole(original, ROOT, original.root()),
        View::whole(update, ROOT, update.root()),
    );
    ctx.changes
}

/// The schema that accepts anything, standing in where a keyword leaves values unconstrained.
static EMPTY: Value = Value::Bool(true);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Family {
    Null,
    Boolean,
    Object,
    Array,
    String,
    Number,
    Integer,
}

impl Family {
    fn parse(name: &str) -> Option<Family> {
        Some(match name {
            "null" => Family::Null,
            "boolean" => Family::Boolean,
            "object" => Family::Object,
            "array" => Family::Array,
            "string" => Family::String,
            "number" => Family::Number,
            "integer" => Family::Integer,
            _ => return None,
        })
    }

    /// Integers are numbers that must be whole: one schema class, as in Confluent's checker.
    fn class(self) -> Family {
        match self {
            Family::Integer => Family::Number,
            other => other,
        }
    }
}

/// Keywords that make a schema without `type` constrain values of one type.
const IMPLIED: &[(Family, &[&str])] = &[
    (
        Family::Object,
        &[
            "properties",
            "required",
            "additionalProperties",
            "patternProperties",
            "minProperties",
            "maxProperties",
            "dependencies",
            "dependentRequired",
            "dependentSchemas",
            "propertyNames",
            "unevaluatedProperties",
        ],
    ),
    (
        Family::Array,
        &[
            "items",
            "prefixItems",
            "additionalItems",
            "minItems",
            "maxItems",
            "uniqueItems",
            "contains",
            "minContains",
            "maxContains",
            "unevaluatedItems",
        ],
    ),
    (Family::String, &["minLength", "maxLength", "pattern"]),
    (
        Family::Number,
        &[
            "minimum",
            "maximum",
            "exclusiveMinimum",
            "exclusiveMaximum",
            "multipleOf",
        ],
    ),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Criterion {
    All,
    Any,
    One,
}

impl Criterion {
    fn keyword(self) -> &'static str {
        match self {
            Criterion::All => "allOf",
            Criterion::Any => "anyOf",
            Criterion::One => "oneOf",
        }
    }
}

/// Which part of a schema object a view looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Facet {
    Whole,
    Ref,
    Type(Family),
    Types,
    Enum,
    Const,
    Combined(Criterion),
    Not,
    Conditional,
}

/// A schema (or one part of it) in the documents it was read with.
#[derive(Clone, Copy)]
struct View<'a> {
    docs: &'a Documents,
    doc: DocId,
    value: &'a Value,
    facet: Facet,
}

type Key = (usize, Facet);

impl<'a> View<'a> {
    fn whole(docs: &'a Documents, doc: DocId, value: &'a Value) -> View<'a> {
        View {
            docs,
            doc,
            value,
            facet: Facet::Whole,
        }
    }

    /// A sub-schema of this one.
    fn sub(&self, value: &'a Value) -> View<'a> {
        View::whole(self.docs, self.doc, value)
    }

    fn part(&self, facet: Facet) -> View<'a> {
        View { facet, ..*self }
    }

    fn key(&self) -> Key {
        (self.value as *const Value as usize, self.facet)
    }

    fn get(&self, keyword: &str) -> Option<&'a Value> {
        self.value.get(keyword)
    }

    fn schema(&self, keyword: &str) -> Option<View<'a>> {
        self.get(keyword)
            .filter(|v| v.is_object() || v.is_boolean())
            .map(|v| self.sub(v))
    }

    fn number(&self, keyword: &str) -> Option<f64> {
        self.get(keyword).and_then(Value::as_f64)
    }

    /// The same schema with `$ref`s followed.
    fn dereferenced(self) -> View<'a> {
        let mut view = self;
        // A chain of plain `$ref`s longer than this is a loop of references to references.
        for _ in 0..64 {
            let Kind::Ref(reference) = view.kind() else {
                return view;
            };
            view = match view.docs.resolve(view.doc, reference) {
                Some((doc, value)) => View::whole(view.docs, doc, value),
                None => View::whole(view.docs, view.doc, &EMPTY),
            };
        }
        View::whole(view.docs, view.doc, &EMPTY)
    }

    /// How Confluent's checker would model this schema.
    fn kind(&self) -> Kind<'a> {
        let map = match self.value {
            Value::Bool(false) => return Kind::False,
            Value::Object(map) => map,
            _ => return Kind::Empty,
        };
        match self.facet {
            Facet::Whole => {
                let parts = parts(map);
                match parts.as_slice() {
                    [] => Kind::Empty,
                    [one] => self.part(*one).kind(),
                    _ => Kind::Combined(
                        Criterion::All,
                        parts.iter().map(|f| self.part(*f)).collect(),
                    ),
                }
            }
            Facet::Ref => Kind::Ref(map.get("$ref").and_then(Value::as_str).unwrap_or("")),
            Facet::Type(family) => Kind::Typed(family),
            Facet::Types => Kind::Combined(
                Criterion::Any,
                type_list(map)
                    .into_iter()
                    .map(|f| self.part(Facet::Type(f)))
                    .collect(),
            ),
            Facet::Enum => Kind::Enum(
                map.get("enum")
                    .and_then(Value::as_array)
                    .map(|values| values.iter().collect())
                    .unwrap_or_default(),
            ),
            Facet::Const => Kind::Enum(map.get("const").into_iter().collect()),
            Facet::Combined(criterion) => Kind::Combined(
                criterion,
                map.get(criterion.keyword())
                    .and_then(Value::as_array)
                    .map(|subs| subs.iter().map(|s| self.sub(s)).collect())
                    .unwrap_or_default(),
            ),
            Facet::Not => Kind::Not(self.sub(map.get("not").unwrap_or(&EMPTY))),
            Facet::Conditional => Kind::Conditional,
        }
    }

    fn is_empty_schema(self) -> bool {
        matches!(self.dereferenced().kind(), Kind::Empty)
    }

    fn is_false(self) -> bool {
        matches!(self.dereferenced().kind(), Kind::False)
    }

    fn has_default(self) -> bool {
        self.dereferenced().get("default").is_some()
    }
}

enum Kind<'a> {
    Empty,
    False,
    Typed(Family),
    Enum(Vec<&'a Value>),
    Combined(Criterion, Vec<View<'a>>),
    Not(View<'a>),
    Conditional,
    Ref(&'a str),
}

impl Kind<'_> {
    /// Schemas of different classes are different types (Confluent compares Java classes).
    fn class(&self) -> (u8, Option<Family>) {
        match self {
            Kind::Empty => (0, None),
            Kind::False => (1, None),
            Kind::Typed(f) => (2, Some(f.class())),
            Kind::Enum(_) => (3, None),
            Kind::Combined(..) => (4, None),
            Kind::Not(_) => (5, None),
            Kind::Conditional => (6, None),
            Kind::Ref(_) => (7, None),
        }
    }

    fn is_combined(&self) -> bool {
        matches!(self, Kind::Combined(..))
    }
}

/// The parts a schema object combines, in a fixed order.
fn parts(map: &Map<String, Value>) -> Vec<Facet> {
    let mut parts = Vec::new();
    if map.get("$ref").is_some_and(Value::is_string) {
        parts.push(Facet::Ref);
    }
    match map.get("type") {
        Some(Value::String(t)) => parts.extend(Family::parse(t).map(Facet::Type)),
        Some(Value::Array(_)) => match type_list(map).as_slice() {
            [] => {}
            [one] => parts.push(Facet::Type(*one)),
            _ => parts.push(Facet::Types),
        },
        _ => {
            for (family, keywords) in IMPLIED {
                if keywords.iter().any(|k| map.contains_key(*k)) {
                    parts.push(Facet::Type(*family));
                }
            }
        }
    }
    if map.get("enum").is_some_and(Value::is_array) {
        parts.push(Facet::Enum);
    }
    if map.contains_key("const") {
        parts.push(Facet::Const);
    }
    for criterion in [Criterion::All, Criterion::Any, Criterion::One] {
        if map.get(criterion.keyword()).is_some_and(Value::is_array) {
            parts.push(Facet::Combined(criterion));
        }
    }
    if map.contains_key("not") {
        parts.push(Facet::Not);
    }
    if map.contains_key("if") {
        parts.push(Facet::Conditional);
    }
    parts
}

fn type_list(map: &Map<String, Value>) -> Vec<Family> {
    let mut out: Vec<Family> = Vec::new();
    for name in map
        .get("type")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(f) = name.as_str().and_then(Family::parse) {
            if !out.contains(&f) {
                out.push(f);
            }
        }
    }
    out
}

/// Where the walk is and what it found.
#[derive(Default)]
struct Ctx {
    path: Vec<String>,
    changes: Vec<Change>,
}

impl Ctx {
    fn add(&mut self, kind: DiffType) {
        self.changes.push(Change {
            kind,
            path: format!("#/{}", self.path.join("/")),
        });
    }

    /// A scratch context at the same place, to try a comparison before keeping its findings.
    fn probe(&self) -> Ctx {
        Ctx {
            path: self.path.clone(),
            changes: Vec::new(),
        }
    }

    fn is_compatible(&self) -> bool {
        self.changes.iter().all(|c| c.kind.is_compatible())
    }

    fn keep(&mut self, probe: Ctx) {
        self.changes.extend(probe.changes);
    }
}

type Pair = (Key, Key);

/// Shared `$ref` targets make a schema a graph, which a walk as a tree would expand once per
/// path to them (exponentially many for definitions that each use the next twice). So each
/// pair of schemas is compared once: its findings, at the paths where they were first found,
/// are remembered and given again wherever the pair comes back.
#[derive(Default)]
struct Differ {
    /// Pairs being compared further up the walk, with their nesting level.
    active: HashMap<Pair, usize>,
    /// Findings of pairs compared.
    memo: HashMap<Pair, Vec<Change>>,
    /// Pairs whose findings assumed that the pair at this level (a recursion cut short there)
    /// holds: forgotten when that pair is done, as they may not hold elsewhere.
    provisional: Vec<Vec<Pair>>,
    /// Nesting level of the pair being compared.
    depth: usize,
    /// The shallowest active pair a recursion was cut short at, below the current pair.
    low: usize,
    /// Findings given again from the memo (duplicates may need collapsing).
    reused: usize,
    /// Fingerprints of sub-schemas, by address.
    prints: HashMap<Key, u64>,
}

/// `(added, removed, increased, decreased)` for one numeric keyword.
type Bounds = (DiffType, DiffType, DiffType, DiffType);

impl Differ {
    fn at(&mut self, ctx: &mut Ctx, segment: String, f: impl FnOnce(&mut Self, &mut Ctx)) {
        ctx.path.push(segment);
        f(self, ctx);
        ctx.path.pop();
    }

    fn compare_optional(&mut self, ctx: &mut Ctx, o: Option<View<'_>>, u: Option<View<'_>>) {
        match (o, u) {
            (Some(o), Some(u)) => self.compare(ctx, o, u),
            (None, Some(_)) => ctx.add(SCHEMA_ADDED),
            (Some(_), None) => ctx.add(SCHEMA_REMOVED),
            (None, None) => {}
        }
    }

    /// Tries `o` against `u` aside; whether it was compatible, and the findings.
    fn probe(&mut self, ctx: &Ctx, o: View<'_>, u: View<'_>) -> (bool, Ctx) {
        let mut probe = ctx.probe();
        self.compare(&mut probe, o, u);
        (probe.is_compatible(), probe)
    }

    fn compare(&mut self, ctx: &mut Ctx, o: View<'_>, u: View<'_>) {
        let (o, u) = (o.dereferenced(), u.dereferenced());
        let key = (o.key(), u.key());
        if let Some(&level) = self.active.get(&key) {
            self.low = self.low.min(level);
            return;
        }
        if let Some(found) = self.memo.get(&key) {
            if limits::spend(1 + found.len() as u64) {
                self.reused += found.len();
                ctx.changes.extend(found.iter().cloned());
            }
            return;
        }
        if !limits::deeper(self.depth + 1) {
            return;
        }
        self.depth += 1;
        let level = self.depth;
        self.active.insert(key, level);
        let outer_low = std::mem::replace(&mut self.low, usize::MAX);
        let (start, reused) = (ctx.changes.len(), self.reused);
        self.compare_dereferenced(ctx, o, u);
        if self.reused != reused {
            collapse_duplicates(&mut ctx.changes, start);
        }
        let low = self.low;
        self.active.remove(&key);
        if let Some(assumed) = self.provisional.get_mut(level) {
            for pair in std::mem::take(assumed) {
                self.memo.remove(&pair);
            }
        }
        self.depth -= 1;
        self.memo.insert(key, ctx.changes[start..].to_vec());
        if low < level {
            if self.provisional.len() <= low {
                self.provisional.resize_with(low + 1, Vec::new);
            }
            self.provisional[low].push(key);
        }
        self.low = outer_low.min(low);
    }

    fn compare_dereferenced(&mut self, ctx: &mut Ctx, o: View<'_>, u: View<'_>) {
        if o.facet == Facet::Whole && u.facet == Facet::Whole {
            compare_annotations(ctx, o, u);
        }
        let (ok, uk) = (o.kind(), u.kind());
        // A schema that became a union (or an allOf that became one of its parts) is compared
        // with the branches first.
        if let (false, Kind::Combined(criterion, subs)) = (ok.is_combined(), &uk) {
            if subs.len() == 1 {
                let (compatible, probe) = self.probe(ctx, o, subs[0]);
                if compatible {
                    return ctx.keep(probe);
                }
            } else if *criterion != Criterion::All {
                for sub in subs {
                    let (compatible, probe) = self.probe(ctx, o, *sub);
                    if compatible {
                        ctx.keep(probe);
                        return ctx.add(SUM_TYPE_EXTENDED);
                    }
                }
            }
        }
        if let (Kind::Combined(criterion, subs), false) = (&ok, uk.is_combined()) {
            if subs.len() == 1 {
                let (compatible, probe) = self.probe(ctx, subs[0], u);
                if compatible {
                    return ctx.keep(probe);
                }
            } else if *criterion == Criterion::All {
                for sub in subs {
                    let (compatible, probe) = self.probe(ctx, *sub, u);
                    if compatible {
                        ctx.keep(probe);
                        return ctx.add(PRODUCT_TYPE_NARROWED);
                    }
                }
            }
        }
        if ok.class() != uk.class() {
            // Nothing was accepted before, or everything is accepted now; and Kafka Connect's
            // bytes are one type however each side spells it.
            let accepted = matches!(ok, Kind::False)
                || matches!(uk, Kind::Empty)
                || (connect_bytes(o) && connect_bytes(u));
            if !accepted {
                ctx.add(TYPE_CHANGED);
            }
            return;
        }
        match (ok, uk) {
            (Kind::Typed(f), Kind::Typed(g)) => match f.class() {
                Family::String => compare_string(ctx, o, u),
                Family::Number => compare_number(ctx, o, u, f, g),
                Family::Object => self.compare_object(ctx, o, u),
                Family::Array => self.compare_array(ctx, o, u),
                _ => {}
            },
            (Kind::Enum(a), Kind::Enum(b)) => compare_enum(ctx, &a, &b),
            (Kind::Combined(c, a), Kind::Combined(d, b)) => self.compare_combined(ctx, c, a, d, b),
            (Kind::Not(a), Kind::Not(b)) => self.compare_not(ctx, a, b),
            (Kind::Conditional, Kind::Conditional) => {
                for keyword in ["if", "then", "else"] {
                    self.at(ctx, keyword.into(), |d, ctx| {
                        d.compare_optional(ctx, o.schema(keyword), u.schema(keyword))
                    });
                }
            }
            _ => {}
        }
    }

    fn compare_object(&mut self, ctx: &mut Ctx, o: View<'_>, u: View<'_>) {
        let empty = Map::new();
        let o_props = o
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let u_props = u
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let o_required = string_set(o.get("required"));
        let u_required = string_set(u.get("required"));

        let mut names: Vec<&String> = o_props.keys().collect();
        names.extend(u_props.keys().filter(|k| !o_props.contains_key(*k)));
        for name in names {
            let was_required = o_required.contains(name.as_str());
            let is_required = u_required.contains(name.as_str());
            self.at(
                ctx,
                format!("properties/{}", escape(name)),
                |d, ctx| match (o_props.get(name), u_props.get(name)) {
                    (Some(op), Some(up)) => {
                        let up = u.sub(up);
                        d.compare(ctx, o.sub(op), up);
                        if was_required && !is_required {
                            ctx.add(REQUIRED_ATTRIBUTE_REMOVED);
                        } else if !was_required && is_required {
                            ctx.add(if up.has_default() {
                                REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED
                            } else {
                                REQUIRED_ATTRIBUTE_ADDED
                            });
                        }
                    }
                    (Some(op), None) => {
                        d.property_removed(ctx, name, o.sub(op), u);
                        if was_required {
                            ctx.add(REQUIRED_ATTRIBUTE_REMOVED);
                        }
                    }
                    (None, Some(up)) => d.property_added(ctx, name, o, u.sub(up), is_required),
                    (None, None) => {}
                },
            );
        }
        // `required` naming a property neither side declares is not compared: Confluent's
        // checker reads `required` only for declared properties.
        self.compare_dependencies(ctx, o, u);
        self.compare_extra(
            ctx,
            "additionalProperties",
            o,
            u,
            (
                ADDITIONAL_PROPERTIES_ADDED,
                ADDITIONAL_PROPERTIES_REMOVED,
                ADDITIONAL_PROPERTIES_EXTENDED,
                ADDITIONAL_PROPERTIES_NARROWED,
            ),
        );
        self.compare_extra(
            ctx,
            "unevaluatedProperties",
            o,
            u,
            (
                UNEVALUATED_PROPERTIES_ADDED,
                UNEVALUATED_PROPERTIES_REMOVED,
                UNEVALUATED_PROPERTIES_EXTENDED,
                UNEVALUATED_PROPERTIES_NARROWED,
            ),
        );
        // `patternProperties` are not compared themselves (as in Confluent's checker): they
        // decide only whether an added or removed property is covered.
        self.at(ctx, "propertyNames".into(), |d, ctx| {
            d.compare_optional(ctx, o.schema("propertyNames"), u.schema("propertyNames"))
        });
        bound(
            ctx,
            "maxProperties",
            o.number("maxProperties"),
            u.number("maxProperties"),
            (
                MAX_PROPERTIES_ADDED,
                MAX_PROPERTIES_REMOVED,
                MAX_PROPERTIES_INCREASED,
                MAX_PROPERTIES_DECREASED,
            ),
        );
        bound(
            ctx,
            "minProperties",
            o.number("minProperties"),
            u.number("minProperties"),
            (
                MIN_PROPERTIES_ADDED,
                MIN_PROPERTIES_REMOVED,
                MIN_PROPERTIES_INCREASED,
                MIN_PROPERTIES_DECREASED,
            ),
        );
    }

    /// A property the original did not describe now has a schema of its own.
    fn property_added(
        &mut self,
        ctx: &mut Ctx,
        name: &str,
        original: View<'_>,
        added: View<'_>,
        required: bool,
    ) {
        if is_open_object(original) {
            ctx.add(if added.is_empty_schema() {
                PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL
            } else if required && added.has_default() {
                REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL
            } else if required {
                REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL
            } else {
                OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL
            });
        } else {
            if let Some(partial) = partial_schema(original, name) {
                let (covered, probe) = self.probe(ctx, partial, added);
                if covered {
                    ctx.keep(probe);
                    ctx.add(PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL);
                } else {
                    ctx.add(PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL);
                }
            }
            // Closed or partially open alike: data written before lacks a new required
            // property, whatever schema the open part gave it.
            ctx.add(if required && added.has_default() {
                REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL
            } else if required {
                REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL
            } else {
                OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL
            });
        }
    }

    /// A property the original described is no longer described by the update.
    fn property_removed(&mut self, ctx: &mut Ctx, name: &str, removed: View<'_>, update: View<'_>) {
        if is_open_object(update) {
            ctx.add(PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL);
        } else if let Some(partial) = partial_schema(update, name) {
            let (covered, probe) = self.probe(ctx, removed, partial);
            if covered {
                ctx.keep(probe);
                ctx.add(PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL);
            } else {
                ctx.add(PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL);
            }
        } else if removed.is_false() {
            ctx.add(PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL);
        } else {
            ctx.add(PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL);
        }
    }

    fn compare_dependencies(&mut self, ctx: &mut Ctx, o: View<'_>, u: View<'_>) {
        let (o_lists, o_schemas) = dependencies(o);
        let (u_lists, u_schemas) = dependencies(u);
        let mut names: Vec<&str> = o_lists.iter().map(|(k, _)| *k).collect();
        for (k, _) in &u_lists {
            if !names.contains(k) {
                names.push(k);
            }
        }
        for name in names {
            let before = o_lists.iter().find(|(k, _)| *k == name).map(|(_, v)| v);
            let after = u_lists.iter().find(|(k, _)| *k == name).map(|(_, v)| v);
            self.at(
                ctx,
                format!("dependencies/{}", escape(name)),
                |_, ctx| match (before, after) {
                    (None, Some(_)) => ctx.add(DEPENDENCY_ARRAY_ADDED),
                    (Some(_), None) => ctx.add(DEPENDENCY_ARRAY_REMOVED),
                    (Some(b), Some(a)) if b != a => ctx.add(if a.is_superset(b) {
                        DEPENDENCY_ARRAY_EXTENDED
                    } else if b.is_superset(a) {
                        DEPENDENCY_ARRAY_NARROWED
                    } else {
                        DEPENDENCY_ARRAY_CHANGED
                    }),
                    _ => {}
                },
            );
        }
        let mut names: Vec<&str> = o_schemas.iter().map(|(k, _)| *k).collect();
        for (k, _) in &u_schemas {
            if !names.contains(k) {
                names.push(k);
            }
        }
        for name in names {
            let before = o_schemas.iter().find(|(k, _)| *k == name).map(|(_, v)| *v);
            let after = u_schemas.iter().find(|(k, _)| *k == name).map(|(_, v)| *v);
            self.at(
                ctx,
                format!("dependencies/{}", escape(name)),
                |d, ctx| match (before, after) {
                    (None, Some(_)) => ctx.add(DEPENDENCY_SCHEMA_ADDED),
                    (Some(_), None) => ctx.add(DEPENDENCY_SCHEMA_REMOVED),
                    (Some(b), Some(a)) => d.compare(ctx, b, a),
                    (None, None) => {}
                },
            );
        }
    }

    /// `additionalProperties`-like keywords: `false` forbids, a schema constrains, absent or
    /// `true` allows anything.
    fn compare_extra(
        &mut self,
        ctx: &mut Ctx,
        keyword: &str,
        o: View<'_>,
        u: View<'_>,
        (added, removed, extended, narrowed): Bounds,
    ) {
        let permits = |v: View<'_>| v.get(keyword) != Some(&Value::Bool(false));
        fn schema<'a>(v: View<'a>, keyword: &str) -> Option<View<'a>> {
            v.get(keyword).filter(|s| s.is_object()).map(|s| v.sub(s))
        }
        self.at(ctx, keyword.into(), |d, ctx| {
            if permits(o) != permits(u) {
                ctx.add(if permits(o) { removed } else { added });
                return;
            }
            match (schema(o, keyword), schema(u, keyword)) {
                (None, Some(_)) => ctx.add(narrowed),
                (Some(_), None) => ctx.add(extended),
                (Some(a), Some(b)) => d.compare(ctx, a, b),
                (None, None) => {}
            }
        });
    }

    fn compare_array(&mut self, ctx: &mut Ctx, o: View<'_>, u: View<'_>) {
        let (oi, ui) = (array_items(o), array_items(u));
        self.at(ctx, "items".into(), |d, ctx| {
            d.compare_optional(ctx, oi.all, ui.all)
        });
        if oi.tuple.is_some() || ui.tuple.is_some() {
            let (ot, ut) = (
                oi.tuple.clone().unwrap_or_default(),
                ui.tuple.clone().unwrap_or_default(),
            );
            for i in 0..ot.len().max(ut.len()) {
                self.at(ctx, format!("items/{i}"), |d, ctx| {
                    match (ot.get(i), ut.get(i)) {
                        (Some(a), Some(b)) => d.compare(ctx, *a, *b),
                        (Some(a), None) => d.item_removed(ctx, *a, ui.extra),
                        (None, Some(b)) => d.item_added(ctx, oi.extra, *b),
                        (None, None) => {}
                    }
                });
            }
        }
        let permits = |extra: Extra<'_>| !matches!(extra, Extra::Forbidden);
        self.at(ctx, "additionalItems".into(), |d, ctx| {
            if permits(oi.after) != permits(ui.after) {
                ctx.add(if permits(oi.after) {
                    ADDITIONAL_ITEMS_REMOVED
                } else {
                    ADDITIONAL_ITEMS_ADDED
                });
                return;
            }
            match (oi.after, ui.after) {
                (Extra::Open, Extra::Schema(_)) => ctx.add(ADDITIONAL_ITEMS_NARROWED),
                (Extra::Schema(_), Extra::Open) => ctx.add(ADDITIONAL_ITEMS_EXTENDED),
                (Extra::Schema(a), Extra::Schema(b)) => d.compare(ctx, a, b),
                _ => {}
            }
        });
        self.compare_extra(
            ctx,
            "unevaluatedItems",
            o,
            u,
            (
                UNEVALUATED_ITEMS_ADDED,
                UNEVALUATED_ITEMS_REMOVED,
                UNEVALUATED_ITEMS_EXTENDED,
                UNEVALUATED_ITEMS_NARROWED,
            ),
        );
        self.at(ctx, "contains".into(), |d, ctx| {
            d.compare_optional(ctx, o.schema("contains"), u.schema("contains"))
        });
        for (keyword, bounds) in [
            (
                "maxItems",
                (
                    MAX_ITEMS_ADDED,
                    MAX_ITEMS_REMOVED,
                    MAX_ITEMS_INCREASED,
                    MAX_ITEMS_DECREASED,
                ),
            ),
            (
                "minItems",
                (
                    MIN_ITEMS_ADDED,
                    MIN_ITEMS_REMOVED,
                    MIN_ITEMS_INCREASED,
                    MIN_ITEMS_DECREASED,
                ),
            ),
            (
                "maxContains",
                (
                    MAX_CONTAINS_ADDED,
                    MAX_CONTAINS_REMOVED,
                    MAX_CONTAINS_INCREASED,
                    MAX_CONTAINS_DECREASED,
                ),
            ),
            (
                "minContains",
                (
                    MIN_CONTAINS_ADDED,
                    MIN_CONTAINS_REMOVED,
                    MIN_CONTAINS_INCREASED,
                    MIN_CONTAINS_DECREASED,
                ),
            ),
        ] {
            bound(ctx, keyword, o.number(keyword), u.number(keyword), bounds);
        }
        let unique = |v: View<'_>| v.get("uniqueItems") == Some(&Value::Bool(true));
        if unique(o) != unique(u) {
            self.at(ctx, "uniqueItems".into(), |_, ctx| {
                ctx.add(if unique(o) {
                    UNIQUE_ITEMS_REMOVED
                } else {
                    UNIQUE_ITEMS_ADDED
                })
            });
        }
    }

    fn item_removed(&mut self, ctx: &mut Ctx, removed: View<'_>, update_extra: Extra<'_>) {
        match update_extra {
            Extra::Open => ctx.add(ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL),
            Extra::Schema(partial) => {
                let (covered, probe) = self.probe(ctx, removed, partial);
                if covered {
                    ctx.keep(probe);
                    ctx.add(ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL);
                } else {
                    ctx.add(ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL);
                }
            }
            Extra::Forbidden if removed.is_false() => {
                ctx.add(ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL)
            }
            Extra::Forbidden => ctx.add(ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL),
        }
    }

    fn item_added(&mut self, ctx: &mut Ctx, original_extra: Extra<'_>, added: View<'_>) {
        match original_extra {
            Extra::Open if added.is_empty_schema() => {
                ctx.add(ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL)
            }
            Extra::Open => ctx.add(ITEM_ADDED_TO_OPEN_CONTENT_MODEL),
            Extra::Schema(partial) => {
                let (covered, probe) = self.probe(ctx, partial, added);
                if covered {
                    ctx.keep(probe);
                    ctx.add(ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL);
                } else {
                    ctx.add(ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL);
                }
            }
            Extra::Forbidden => ctx.add(ITEM_ADDED_TO_CLOSED_CONTENT_MODEL),
        }
    }

    fn compare_combined<'a>(
        &mut self,
        ctx: &mut Ctx,
        o_criterion: Criterion,
        o_subs: Vec<View<'a>>,
        u_criterion: Criterion,
        u_subs: Vec<View<'a>>,
    ) {
        if o_criterion != u_criterion {
            // A single branch means the same under any criterion, so Confluent lets it change
            // to anything that keeps one branch, to `oneOf`, and an `allOf` become one branch.
            let (o_single, u_single) = (o_subs.len() == 1, u_subs.len() == 1);
            let extended = u_criterion == Criterion::Any
                || (o_single && (u_single || u_criterion == Criterion::One))
                || (u_single && o_criterion == Criterion::All);
            if !extended {
                return ctx.add(COMBINED_TYPE_CHANGED);
            }
            ctx.add(COMBINED_TYPE_EXTENDED);
        }
        let (o_subs, u_subs) = (self.distinct(o_subs), self.distinct(u_subs));
        // More branches are named after the update's criterion, fewer after the original's.
        match o_subs.len().cmp(&u_subs.len()) {
            std::cmp::Ordering::Less => ctx.add(if u_criterion == Criterion::All {
                PRODUCT_TYPE_EXTENDED
            } else {
                SUM_TYPE_EXTENDED
            }),
            std::cmp::Ordering::Greater => ctx.add(if o_criterion == Criterion::All {
                PRODUCT_TYPE_NARROWED
            } else {
                SUM_TYPE_NARROWED
            }),
            std::cmp::Ordering::Equal => {}
        }
        // Which updated sub-schema each original one is (compatibly) replaced by: a maximum
        // matching, whose edges are compared only when the search asks for them, likeliest
        // first (an identical branch, then the one at the same place), so a long list that
        // barely changed costs about one comparison per branch rather than one per pair.
        let o_prints: Vec<u64> = o_subs.iter().map(|v| self.fingerprint(*v)).collect();
        let mut by_print: HashMap<u64, Vec<usize>> = HashMap::new();
        for (j, u_sub) in u_subs.iter().enumerate() {
            let print = self.fingerprint(*u_sub);
            by_print.entry(print).or_default().push(j);
        }
        let mut matching = Matching {
            o_subs: &o_subs,
            u_subs: &u_subs,
            keyword: o_criterion.keyword(),
            o_prints,
            by_print,
            edges: HashMap::new(),
            owner: vec![None; u_subs.len()],
        };
        let mut seen = vec![false; u_subs.len()];
        for i in 0..o_subs.len() {
            if limits::exhausted() {
                return;
            }
            seen.iter_mut().for_each(|s| *s = false);
            self.augment(ctx, &mut matching, i, &mut seen);
        }
        let mut matched = 0;
        for (j, owner) in matching.owner.iter().enumerate() {
            if let Some(i) = owner {
                matched += 1;
                if let Some(Some(probe)) = matching.edges.remove(&(*i, j)) {
                    ctx.keep(probe);
                }
            }
        }
        if matched < o_subs.len().min(u_subs.len()) {
            ctx.add(COMBINED_TYPE_SUBSCHEMAS_CHANGED);
        }
    }

    /// Kuhn's augmenting path from original branch `i`.
    fn augment(
        &mut self,
        ctx: &Ctx,
        m: &mut Matching<'_, '_>,
        i: usize,
        seen: &mut [bool],
    ) -> bool {
        let same_print = m.by_print.get(&m.o_prints[i]).cloned().unwrap_or_default();
        let at_same_place = (i < m.u_subs.len()).then_some(i);
        let candidates = same_print
            .into_iter()
            .chain(at_same_place)
            .chain(0..m.u_subs.len());
        for j in candidates {
            if seen[j] || !self.edge(ctx, m, i, j) {
                continue;
            }
            seen[j] = true;
            let free = match m.owner[j] {
                None => true,
                Some(k) => self.augment(ctx, m, k, seen),
            };
            if free {
                m.owner[j] = Some(i);
                return true;
            }
        }
        false
    }

    /// Whether original branch `i` may be replaced by updated branch `j` (compared once).
    fn edge(&mut self, ctx: &Ctx, m: &mut Matching<'_, '_>, i: usize, j: usize) -> bool {
        if let Some(known) = m.edges.get(&(i, j)) {
            return known.is_some();
        }
        let (o, u) = (m.o_subs[i], m.u_subs[j]);
        let verdict = if !limits::spend(1) || cannot_match(o, u) {
            None
        } else {
            let mut probe = ctx.probe();
            probe.path.push(format!("{}/{i}", m.keyword));
            self.compare(&mut probe, o, u);
            probe.is_compatible().then_some(probe)
        };
        let compatible = verdict.is_some();
        m.edges.insert((i, j), verdict);
        compatible
    }

    /// A hash of a sub-schema's JSON (and the part of it looked at), the same for equal ones.
    fn fingerprint(&mut self, v: View<'_>) -> u64 {
        if let Some(print) = self.prints.get(&v.key()) {
            return *print;
        }
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        v.facet.hash(&mut hasher);
        hash_json(v.value, &mut hasher);
        let print = hasher.finish();
        self.prints.insert(v.key(), print);
        print
    }

    /// Sub-schemas with duplicates collapsed, as Confluent collects them into a set.
    fn distinct<'a>(&mut self, subs: Vec<View<'a>>) -> Vec<View<'a>> {
        let mut out: Vec<View<'a>> = Vec::new();
        let mut by_print: HashMap<u64, Vec<usize>> = HashMap::new();
        for s in subs {
            let print = self.fingerprint(s);
            let same = by_print.entry(print).or_default();
            if !same
                .iter()
                .any(|&k| out[k].facet == s.facet && out[k].value == s.value)
            {
                same.push(out.len());
                out.push(s);
            }
        }
        out
    }

    /// `not A` to `not B` accepts more when B accepts less.
    fn compare_not(&mut self, ctx: &mut Ctx, o_not: View<'_>, u_not: View<'_>) {
        ctx.path.push("not".into());
        let (widened, _) = self.probe(ctx, o_not, u_not);
        let (narrowed, _) = self.probe(ctx, u_not, o_not);
        ctx.path.pop();
        if widened && narrowed {
            return;
        }
        ctx.add(if narrowed {
            NOT_TYPE_NARROWED
        } else {
            NOT_TYPE_EXTENDED
        });
    }
}

/// What an array allows after its tuple items.
#[derive(Clone, Copy)]
enum Extra<'a> {
    Open,
    Forbidden,
    Schema(View<'a>),
}

/// How an array schema describes its elements.
struct Items<'a> {
    /// The schema of every element (`items` as one schema, before 2020-12 or without
    /// `prefixItems`).
    all: Option<View<'a>>,
    /// The tuple: `prefixItems` from 2020-12, `items` as a list before.
    tuple: Option<Vec<View<'a>>>,
    /// What the keyword after the tuple says (`items` after `prefixItems`, else
    /// `additionalItems`, read even without a tuple, as Confluent's checker does).
    after: Extra<'a>,
    /// What may follow the tuple: `after`, or `unevaluatedItems` when `after` says nothing.
    extra: Extra<'a>,
}

fn array_items<'a>(v: View<'a>) -> Items<'a> {
    let list = |value: &'a Value| {
        value
            .as_array()
            .map(|l| l.iter().map(|s| v.sub(s)).collect::<Vec<_>>())
    };
    let extra = |value: Option<&'a Value>| match value {
        Some(Value::Bool(false)) => Extra::Forbidden,
        Some(s @ Value::Object(_)) => Extra::Schema(v.sub(s)),
        _ => Extra::Open,
    };
    let prefixed = v.get("prefixItems").and_then(list);
    let after_keyword = if prefixed.is_some() {
        "items"
    } else {
        "additionalItems"
    };
    let (all, tuple) = match prefixed {
        Some(prefix) => (None, Some(prefix)),
        None => match v.get("items").and_then(list) {
            Some(tuple) => (None, Some(tuple)),
            None => (v.schema("items"), None),
        },
    };
    let after = extra(v.get(after_keyword));
    let extra = match v.get(after_keyword) {
        None => extra(v.get("unevaluatedItems")),
        Some(_) => after,
    };
    Items {
        all,
        tuple,
        after,
        extra,
    }
}

/// Open: any property not described may hold anything.
fn is_open_object(v: View<'_>) -> bool {
    let allows_anything = |keyword: &str| matches!(v.get(keyword), None | Some(Value::Bool(true)));
    allows_anything("additionalProperties")
        && allows_anything("unevaluatedProperties")
        && v.get("patternProperties")
            .and_then(Value::as_object)
            .is_none_or(Map::is_empty)
}

/// The schema a partially open object applies to a property it does not describe; `None`
/// when the object is closed to it.
fn partial_schema<'a>(v: View<'a>, name: &str) -> Option<View<'a>> {
    if let Some(patterns) = v.get("patternProperties").and_then(Value::as_object) {
        for (pattern, schema) in patterns {
            if Regex::new(pattern).is_ok_and(|re| re.is_match(name)) {
                return Some(v.sub(schema));
            }
        }
    }
    for keyword in ["additionalProperties", "unevaluatedProperties"] {
        match v.get(keyword) {
            Some(Value::Bool(false)) => return None,
            Some(s @ Value::Object(_)) => return Some(v.sub(s)),
            _ => {}
        }
    }
    Some(v.sub(&EMPTY))
}

type PropertyLists<'a> = Vec<(&'a str, HashSet<&'a str>)>;

/// Property dependencies (lists) and schema dependencies, from `dependencies` (drafts 4 to 7)
/// and `dependentRequired`/`dependentSchemas` (2019-09 on).
fn dependencies<'a>(v: View<'a>) -> (PropertyLists<'a>, Vec<(&'a str, View<'a>)>) {
    let mut lists = Vec::new();
    let mut schemas = Vec::new();
    for keyword in ["dependencies", "dependentRequired", "dependentSchemas"] {
        for (name, value) in v
            .get(keyword)
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if value.is_array() {
                lists.push((name.as_str(), string_set(Some(value))));
            } else if value.is_object() || value.is_boolean() {
                schemas.push((name.as_str(), v.sub(value)));
            }
        }
    }
    (lists, schemas)
}

fn string_set(value: Option<&Value>) -> HashSet<&str> {
    value
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect()
}

/// The state of one branch matching (see [`Differ::augment`]).
struct Matching<'s, 'a> {
    o_subs: &'s [View<'a>],
    u_subs: &'s [View<'a>],
    keyword: &'static str,
    o_prints: Vec<u64>,
    /// Updated branches by fingerprint.
    by_print: HashMap<u64, Vec<usize>>,
    /// Pairs compared: the findings when compatible.
    edges: HashMap<(usize, usize), Option<Ctx>>,
    /// The original branch each updated one is matched with.
    owner: Vec<Option<usize>>,
}

/// Two schemas whose comparison is sure to end in TYPE_CHANGED (different types, neither a
/// combination nor accepting everything or nothing), decided without comparing them.
fn cannot_match(o: View<'_>, u: View<'_>) -> bool {
    let (o, u) = (o.dereferenced(), u.dereferenced());
    let (ok, uk) = (o.kind(), u.kind());
    let may_match = ok.is_combined()
        || uk.is_combined()
        || ok.class() == uk.class()
        || matches!(ok, Kind::False)
        || matches!(uk, Kind::Empty)
        || (connect_bytes(o) && connect_bytes(u));
    !may_match
}

/// Feeds a JSON value to a hasher, object keys in order (equal values hash equal).
fn hash_json(value: &Value, hasher: &mut impl Hasher) {
    if !limits::spend(1) {
        return;
    }
    match value {
        Value::Null => 0u8.hash(hasher),
        Value::Bool(b) => (1u8, b).hash(hasher),
        Value::Number(n) => (2u8, n.to_string()).hash(hasher),
        Value::String(t) => (3u8, t).hash(hasher),
        Value::Array(items) => {
            (4u8, items.len()).hash(hasher);
            items.iter().for_each(|i| hash_json(i, hasher));
        }
        Value::Object(map) => {
            (5u8, map.len()).hash(hasher);
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            for k in keys {
                k.hash(hasher);
                hash_json(&map[k], hasher);
            }
        }
    }
}

fn compare_annotations(ctx: &mut Ctx, o: View<'_>, u: View<'_>) {
    fn id<'a>(v: View<'a>) -> Option<&'a Value> {
        v.get("$id")
            .or_else(|| v.get("id").filter(|i| i.is_string()))
    }
    if id(o) != id(u) {
        ctx.add(ID_CHANGED);
    }
    for (keyword, kind) in [
        ("title", TITLE_CHANGED),
        ("description", DESCRIPTION_CHANGED),
        ("default", DEFAULT_CHANGED),
    ] {
        if o.get(keyword) != u.get(keyword) {
            ctx.add(kind);
        }
    }
}

fn compare_string(ctx: &mut Ctx, o: View<'_>, u: View<'_>) {
    bound(
        ctx,
        "maxLength",
        o.number("maxLength"),
        u.number("maxLength"),
        (
            MAX_LENGTH_ADDED,
            MAX_LENGTH_REMOVED,
            MAX_LENGTH_INCREASED,
            MAX_LENGTH_DECREASED,
        ),
    );
    bound(
        ctx,
        "minLength",
        o.number("minLength"),
        u.number("minLength"),
        (
            MIN_LENGTH_ADDED,
            MIN_LENGTH_REMOVED,
            MIN_LENGTH_INCREASED,
            MIN_LENGTH_DECREASED,
        ),
    );
    let kind = match (
        o.get("pattern").and_then(Value::as_str),
        u.get("pattern").and_then(Value::as_str),
    ) {
        (None, Some(_)) => Some(PATTERN_ADDED),
        (Some(_), None) => Some(PATTERN_REMOVED),
        (Some(a), Some(b)) if a != b => Some(PATTERN_CHANGED),
        _ => None,
    };
    if let Some(kind) = kind {
        ctx.path.push("pattern".into());
        ctx.add(kind);
        ctx.path.pop();
    }
}

/// `(maximum, minimum, exclusiveMaximum, exclusiveMinimum)`, with draft 4's boolean
/// `exclusiveMaximum`/`exclusiveMinimum` turning the plain bound into the exclusive one.
fn number_bounds(v: View<'_>) -> [Option<f64>; 4] {
    let exclusive = |plain: &str, keyword: &str| match v.get(keyword) {
        Some(Value::Bool(true)) => (None, v.number(plain)),
        Some(Value::Number(n)) => (v.number(plain), n.as_f64()),
        _ => (v.number(plain), None),
    };
    let (max, xmax) = exclusive("maximum", "exclusiveMaximum");
    let (min, xmin) = exclusive("minimum", "exclusiveMinimum");
    [max, min, xmax, xmin]
}

fn compare_number(ctx: &mut Ctx, o: View<'_>, u: View<'_>, of: Family, uf: Family) {
    let (ob, ub) = (number_bounds(o), number_bounds(u));
    let names = ["maximum", "minimum", "exclusiveMaximum", "exclusiveMinimum"];
    let kinds = [
        (
            MAXIMUM_ADDED,
            MAXIMUM_REMOVED,
            MAXIMUM_INCREASED,
            MAXIMUM_DECREASED,
        ),
        (
            MINIMUM_ADDED,
            MINIMUM_REMOVED,
            MINIMUM_INCREASED,
            MINIMUM_DECREASED,
        ),
        (
            EXCLUSIVE_MAXIMUM_ADDED,
            EXCLUSIVE_MAXIMUM_REMOVED,
            EXCLUSIVE_MAXIMUM_INCREASED,
            EXCLUSIVE_MAXIMUM_DECREASED,
        ),
        (
            EXCLUSIVE_MINIMUM_ADDED,
            EXCLUSIVE_MINIMUM_REMOVED,
            EXCLUSIVE_MINIMUM_INCREASED,
            EXCLUSIVE_MINIMUM_DECREASED,
        ),
    ];
    for i in 0..4 {
        bound(ctx, names[i], ob[i], ub[i], kinds[i]);
    }
    let multiple = match (o.number("multipleOf"), u.number("multipleOf")) {
        (None, Some(_)) => Some(MULTIPLE_OF_ADDED),
        (Some(_), None) => Some(MULTIPLE_OF_REMOVED),
        (Some(a), Some(b)) if a != b => Some(if divides(a, b) {
            MULTIPLE_OF_EXPANDED
        } else if divides(b, a) {
            MULTIPLE_OF_REDUCED
        } else {
            MULTIPLE_OF_CHANGED
        }),
        _ => None,
    };
    if let Some(kind) = multiple {
        ctx.path.push("multipleOf".into());
        ctx.add(kind);
        ctx.path.pop();
    }
    match (of, uf) {
        (Family::Integer, Family::Number) => ctx.add(TYPE_EXTENDED),
        (Family::Number, Family::Integer) => ctx.add(TYPE_NARROWED),
        _ => {}
    }
}

fn connect_bytes(v: View<'_>) -> bool {
    v.get("connect.type").and_then(Value::as_str) == Some("bytes")
}

/// Whether `a` divides `b` (b is a whole multiple of a).
fn divides(a: f64, b: f64) -> bool {
    let q = b / a;
    a != 0.0 && (q - q.round()).abs() < 1e-9
}

fn bound(
    ctx: &mut Ctx,
    keyword: &str,
    o: Option<f64>,
    u: Option<f64>,
    (added, removed, increased, decreased): Bounds,
) {
    let kind = match (o, u) {
        (None, Some(_)) => added,
        (Some(_), None) => removed,
        (Some(a), Some(b)) if b > a => increased,
        (Some(a), Some(b)) if b < a => decreased,
        _ => return,
    };
    ctx.path.push(keyword.into());
    ctx.add(kind);
    ctx.path.pop();
}

fn compare_enum(ctx: &mut Ctx, o: &[&Value], u: &[&Value]) {
    let within = |a: &[&Value], b: &[&Value]| a.iter().all(|x| b.contains(x));
    let kind = match (within(o, u), within(u, o)) {
        (true, true) => return,
        (true, false) => ENUM_ARRAY_EXTENDED,
        (false, true) => ENUM_ARRAY_NARROWED,
        (false, false) => ENUM_ARRAY_CHANGED,
    };
    ctx.path.push("enum".into());
    ctx.add(kind);
    ctx.path.pop();
}

/// Drops repeated findings after `start`, keeping the first of each.
fn collapse_duplicates(changes: &mut Vec<Change>, start: usize) {
    let mut seen = HashSet::new();
    let mut kept = start;
    for i in start..changes.len() {
        if seen.insert(changes[i].clone()) {
            changes.swap(kept, i);
            kept += 1;
        }
    }
    changes.truncate(kept);
}
