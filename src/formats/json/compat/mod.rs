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

mod arrays;
mod combined;
mod objects;
mod scalars;

use scalars::{compare_annotations, compare_enum, compare_number, compare_string, connect_bytes};

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
