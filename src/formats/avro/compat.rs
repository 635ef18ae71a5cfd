//! Avro reader/writer schema compatibility, following Apache Avro's Java
//! `SchemaCompatibility` (the checker Confluent Schema Registry uses).
//!
//! The walk mirrors the Java `ReaderWriterCompatibilityChecker`:
//!
//! * every `(reader, writer)` node pair is memoised by identity; a pair that is
//!   still being checked counts as compatible (this is what breaks recursion),
//!   and a pair checked before returns its earlier result unchanged;
//! * incompatibilities are collected, not short-circuited;
//! * locations are JSON pointers into the reader schema.  Where Java starts a
//!   fresh location stack (a reader union probing its branches, a reader union
//!   probing a writer union's branches) the probe's own findings are discarded
//!   and only the `MISSING_UNION_BRANCH` is reported at the current location.
//!
//! Logical types are not compared: each is checked as its underlying Avro type.

use std::collections::HashMap;

use apache_avro::schema::{Alias, EnumSchema, Name, RecordField, RecordSchema};
use apache_avro::Schema;

/// The kind of an incompatibility, as named by Avro's `SchemaIncompatibilityType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncompatibilityKind {
    NameMismatch,
    FixedSizeMismatch,
    MissingEnumSymbols,
    ReaderFieldMissingDefaultValue,
    TypeMismatch,
    MissingUnionBranch,
}

impl IncompatibilityKind {
    /// Avro's constant name, e.g. `"TYPE_MISMATCH"`.
    pub fn as_str(&self) -> &'static str {
        match self {
            IncompatibilityKind::NameMismatch => "NAME_MISMATCH",
            IncompatibilityKind::FixedSizeMismatch => "FIXED_SIZE_MISMATCH",
            IncompatibilityKind::MissingEnumSymbols => "MISSING_ENUM_SYMBOLS",
            IncompatibilityKind::ReaderFieldMissingDefaultValue => {
                "READER_FIELD_MISSING_DEFAULT_VALUE"
            }
            IncompatibilityKind::TypeMismatch => "TYPE_MISMATCH",
            IncompatibilityKind::MissingUnionBranch => "MISSING_UNION_BRANCH",
        }
    }
}

/// One incompatibility found while checking a reader against a writer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incompatibility {
    pub kind: IncompatibilityKind,
    /// JSON pointer into the READER schema, e.g. "/fields/1/type", "/symbols", "/name", "/size", "/fields/0/type/1" ("/" for the root)
    pub location: String,
    /// Avro's own message, e.g. "reader type: INT not compatible with writer type: LONG", the field name for a missing default, "[C]" for missing symbols, "expected: Foo" for names, "expected: 16, found: 8" for fixed sizes
    pub message: String,
}

/// Every incompatibility found when `reader` reads data written with `writer`. Empty = compatible.
pub fn check_reader_writer(reader: &Schema, writer: &Schema) -> Vec<Incompatibility> {
    let mut reader_names = HashMap::new();
    collect_names(reader, &mut reader_names);
    let mut writer_names = HashMap::new();
    collect_names(writer, &mut writer_names);
    let mut checker = Checker {
        reader_names,
        writer_names,
        memo: HashMap::new(),
    };
    checker.get(reader, writer, &mut Vec::new())
}

/// Confluent's message string for one incompatibility. `reader_is_new` is true for BACKWARD (reader = new schema,
/// writer = old) and false for FORWARD (reader = old). Format, with 'new'/'old' substituted by direction:
/// {errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'f2' at path '/fields/1' in the new schema has no default value and is missing in the old schema', additionalInfo:'f2'}
pub fn describe(inc: &Incompatibility, reader_is_new: bool) -> String {
    let (x, y) = if reader_is_new {
        ("new", "old")
    } else {
        ("old", "new")
    };
    let loc = &inc.location;
    let msg = &inc.message;
    let description = match inc.kind {
        IncompatibilityKind::TypeMismatch => format!(
            "The type (path '{loc}') of a field in the {x} schema does not match with the {y} schema"
        ),
        IncompatibilityKind::ReaderFieldMissingDefaultValue => format!(
            "The field '{msg}' at path '{loc}' in the {x} schema has no default value and is missing in the {y} schema"
        ),
        IncompatibilityKind::MissingEnumSymbols => format!(
            "The {x} schema is missing enum symbols '{msg}' at path '{loc}' in the {y} schema"
        ),
        IncompatibilityKind::NameMismatch => {
            format!("The name of the schema has changed (path '{loc}')")
        }
        IncompatibilityKind::FixedSizeMismatch => format!(
            "The size of FIXED type field at path '{loc}' in the {x} schema does not match with the {y} schema"
        ),
        IncompatibilityKind::MissingUnionBranch => format!(
            "The {x} schema is missing a type inside a union field at path '{loc}' in the {y} schema"
        ),
    };
    format!(
        "{{errorType:'{}', description:'{}', additionalInfo:'{}'}}",
        inc.kind.as_str(),
        description,
        msg
    )
}

// ---------------------------------------------------------------------------------------------
// Named-type lookup

pub(super) type NameMap<'a> = HashMap<String, &'a Schema>;

fn fullname(name: &Name) -> String {
    name.fullname(None)
}

/// Registers every named type defined in `schema` (records, enums, fixed, decimal-on-fixed)
/// under its full name, pointing at the defining node.
pub(super) fn collect_names<'a>(schema: &'a Schema, out: &mut NameMap<'a>) {
    match schema {
        Schema::Record(r) => {
            out.entry(fullname(&r.name)).or_insert(schema);
            for field in &r.fields {
                collect_names(&field.schema, out);
            }
        }
        Schema::Enum(e) => {
            out.entry(fullname(&e.name)).or_insert(schema);
        }
        Schema::Fixed(f) => {
            out.entry(fullname(&f.name)).or_insert(schema);
        }
        Schema::Decimal(d) => {
            if let Schema::Fixed(f) = d.inner.as_ref() {
                out.entry(fullname(&f.name)).or_insert(schema);
            }
        }
        Schema::Array(a) => collect_names(&a.items, out),
        Schema::Map(m) => collect_names(&m.types, out),
        Schema::Union(u) => {
            for branch in u.variants() {
                collect_names(branch, out);
            }
        }
        _ => {}
    }
}

fn lookup_name<'a>(names: &NameMap<'a>, name: &Name) -> Option<&'a Schema> {
    if let Some(s) = names.get(&fullname(name)) {
        return Some(s);
    }
    // Fall back to the unqualified name when it is unambiguous.
    let mut found = names
        .iter()
        .filter(|(k, _)| k.rsplit('.').next() == Some(name.name.as_str()))
        .map(|(_, v)| *v);
    match (found.next(), found.next()) {
        (Some(s), None) => Some(s),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// The Avro type a schema node is checked as (logical types lowered to their underlying type)

#[derive(Clone, Copy)]
enum View<'a> {
    Null,
    Boolean,
    Int,
    Long,
    Float,
    Double,
    Bytes,
    String,
    Array(&'a Schema),
    Map(&'a Schema),
    Union(&'a [Schema]),
    Record(&'a RecordSchema),
    Enum(&'a EnumSchema),
    /// `name: None` is the nameless `duration` fixed; `size: None` is an unresolvable reference.
    Fixed {
        name: Option<&'a Name>,
        aliases: &'a [Alias],
        size: Option<usize>,
    },
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Null,
    Boolean,
    Int,
    Long,
    Float,
    Double,
    Bytes,
    String,
    Array,
    Map,
    Union,
    Record,
    Enum,
    Fixed,
}

impl View<'_> {
    fn kind(&self) -> Kind {
        match self {
            View::Null => Kind::Null,
            View::Boolean => Kind::Boolean,
            View::Int => Kind::Int,
            View::Long => Kind::Long,
            View::Float => Kind::Float,
            View::Double => Kind::Double,
            View::Bytes => Kind::Bytes,
            View::String => Kind::String,
            View::Array(_) => Kind::Array,
            View::Map(_) => Kind::Map,
            View::Union(_) => Kind::Union,
            View::Record(_) => Kind::Record,
            View::Enum(_) => Kind::Enum,
            View::Fixed { .. } => Kind::Fixed,
        }
    }

    /// Java's `Schema.Type` constant name.
    fn type_name(&self) -> &'static str {
        match self.kind() {
            Kind::Null => "NULL",
            Kind::Boolean => "BOOLEAN",
            Kind::Int => "INT",
            Kind::Long => "LONG",
            Kind::Float => "FLOAT",
            Kind::Double => "DOUBLE",
            Kind::Bytes => "BYTES",
            Kind::String => "STRING",
            Kind::Array => "ARRAY",
            Kind::Map => "MAP",
            Kind::Union => "UNION",
            Kind::Record => "RECORD",
            Kind::Enum => "ENUM",
            Kind::Fixed => "FIXED",
        }
    }
}

fn view_of(node: &Schema) -> View<'_> {
    match node {
        Schema::Null => View::Null,
        Schema::Boolean => View::Boolean,
        Schema::Int | Schema::Date | Schema::TimeMillis => View::Int,
        Schema::Long
        | Schema::TimeMicros
        | Schema::TimestampMillis
        | Schema::TimestampMicros
        | Schema::TimestampNanos
        | Schema::LocalTimestampMillis
        | Schema::LocalTimestampMicros
        | Schema::LocalTimestampNanos => View::Long,
        Schema::Float => View::Float,
        Schema::Double => View::Double,
        Schema::Bytes | Schema::BigDecimal => View::Bytes,
        Schema::String | Schema::Uuid => View::String,
        Schema::Array(a) => View::Array(&a.items),
        Schema::Map(m) => View::Map(&m.types),
        Schema::Union(u) => View::Union(u.variants()),
        Schema::Record(r) => View::Record(r),
        Schema::Enum(e) => View::Enum(e),
        Schema::Fixed(f) => View::Fixed {
            name: Some(&f.name),
            aliases: f.aliases.as_deref().unwrap_or(&[]),
            size: Some(f.size),
        },
        Schema::Decimal(d) => view_of(&d.inner),
        Schema::Duration => View::Fixed {
            name: None,
            aliases: &[],
            size: Some(12),
        },
        Schema::Ref { name } => View::Fixed {
            name: Some(name),
            aliases: &[],
            size: None,
        },
    }
}

/// Resolves a `Ref` to its defining node; returns the node (its identity is the memo key)
/// and the type it is checked as.
/// A `Ref` resolved to the node that defines it.
pub(super) fn resolve_node<'a>(schema: &'a Schema, names: &NameMap<'a>) -> &'a Schema {
    resolve(schema, names).0
}

fn resolve<'a>(schema: &'a Schema, names: &NameMap<'a>) -> (&'a Schema, View<'a>) {
    let node = match schema {
        Schema::Ref { name } => lookup_name(names, name).unwrap_or(schema),
        _ => schema,
    };
    (node, view_of(node))
}

fn named_unqualified(name: Option<&Name>) -> &str {
    name.map_or("duration", |n| n.name.as_str())
}

fn named_full(name: Option<&Name>) -> String {
    name.map_or_else(|| "duration".to_string(), fullname)
}

// ---------------------------------------------------------------------------------------------
// The checker

type Memo = HashMap<(usize, usize), Option<Vec<Incompatibility>>>;

struct Checker<'a> {
    reader_names: NameMap<'a>,
    writer_names: NameMap<'a>,
    /// `None` = in progress, `Some(result)` = done.
    memo: Memo,
}

fn pointer(loc: &[String]) -> String {
    let escaped: Vec<String> = loc
        .iter()
        .map(|t| t.replace('~', "~0").replace('/', "~1"))
        .collect();
    format!("/{}", escaped.join("/"))
}

fn incompatible(kind: IncompatibilityKind, loc: &[String], message: String) -> Incompatibility {
    Incompatibility {
        kind,
        location: pointer(loc),
        message,
    }
}

/// Avro's `lookupWriterField`: the writer field with the reader field's name, else with one of
/// the reader field's aliases (writer-side aliases are not consulted).
pub(super) fn lookup_writer_field<'a>(
    writer: &'a RecordSchema,
    reader_field: &RecordField,
) -> Option<&'a RecordField> {
    let by_name = |name: &str| writer.fields.iter().find(|f| f.name == name);
    by_name(&reader_field.name).or_else(|| {
        reader_field
            .aliases
            .iter()
            .flatten()
            .find_map(|alias| by_name(alias))
    })
}

impl<'a> Checker<'a> {
    /// Java `getCompatibility(reader, writer, location)` after the token was pushed.
    fn get(
        &mut self,
        reader: &'a Schema,
        writer: &'a Schema,
        loc: &mut Vec<String>,
    ) -> Vec<Incompatibility> {
        // Over budget the walk stops; the caller's budget turns that into a refusal.
        if !crate::limits::deeper(loc.len()) {
            return Vec::new();
        }
        let (r_node, r_view) = resolve(reader, &self.reader_names);
        let (w_node, w_view) = resolve(writer, &self.writer_names);
        let key = (
            r_node as *const Schema as usize,
            w_node as *const Schema as usize,
        );
        match self.memo.get(&key) {
            Some(None) => return Vec::new(),
            Some(Some(done)) => return done.clone(),
            None => {}
        }
        self.memo.insert(key, None);
        let result = self.calculate(r_node, r_view, w_node, w_view, loc);
        self.memo.insert(key, Some(result.clone()));
        result
    }

    fn descend(
        &mut self,
        token: String,
        reader: &'a Schema,
        writer: &'a Schema,
        loc: &mut Vec<String>,
    ) -> Vec<Incompatibility> {
        loc.push(token);
        let result = self.get(reader, writer, loc);
        loc.pop();
        result
    }

    /// Java `getCompatibility(reader, writer)`: a probe with a fresh location stack.
    fn probe(&mut self, reader: &'a Schema, writer: &'a Schema) -> bool {
        self.get(reader, writer, &mut Vec::new()).is_empty()
    }

    fn calculate(
        &mut self,
        r_node: &'a Schema,
        r_view: View<'a>,
        w_node: &'a Schema,
        w_view: View<'a>,
        loc: &mut Vec<String>,
    ) -> Vec<Incompatibility> {
        let mut out = Vec::new();
        if r_view.kind() == w_view.kind() {
            match (r_view, w_view) {
                (View::Array(r), View::Array(w)) => {
                    out.extend(self.descend("items".into(), r, w, loc));
                }
                (View::Map(r), View::Map(w)) => {
                    out.extend(self.descend("values".into(), r, w, loc));
                }
                (
                    View::Fixed {
                        name: rn,
                        aliases: ra,
                        size: rs,
                    },
                    View::Fixed {
                        name: wn, size: ws, ..
                    },
                ) => {
                    out.extend(check_names(rn, ra, wn, loc));
                    if let (Some(actual), Some(expected)) = (rs, ws) {
                        if actual != expected {
                            loc.push("size".into());
                            out.push(incompatible(
                                IncompatibilityKind::FixedSizeMismatch,
                                loc,
                                format!("expected: {expected}, found: {actual}"),
                            ));
                            loc.pop();
                        }
                    }
                }
                (View::Enum(r), View::Enum(w)) => {
                    out.extend(check_names(
                        Some(&r.name),
                        r.aliases.as_deref().unwrap_or(&[]),
                        Some(&w.name),
                        loc,
                    ));
                    out.extend(check_enum_symbols(r, w, loc));
                }
                (View::Record(r), View::Record(w)) => {
                    out.extend(check_names(
                        Some(&r.name),
                        r.aliases.as_deref().unwrap_or(&[]),
                        Some(&w.name),
                        loc,
                    ));
                    out.extend(self.check_fields(r, w, w_node, loc));
                }
                (View::Union(_), View::Union(w_branches)) => {
                    // Every writer branch must be readable by the reader union.
                    for (i, branch) in w_branches.iter().enumerate() {
                        loc.push(i.to_string());
                        if !self.probe(r_node, branch) {
                            let branch_type = resolve(branch, &self.writer_names).1.type_name();
                            out.push(incompatible(
                                IncompatibilityKind::MissingUnionBranch,
                                loc,
                                format!("reader union lacking writer type: {branch_type}"),
                            ));
                        }
                        loc.pop();
                    }
                }
                // Same primitive type.
                _ => {}
            }
            return out;
        }

        // Different types: a writer union must have every branch readable by the reader.
        if let View::Union(w_branches) = w_view {
            for (i, branch) in w_branches.iter().enumerate() {
                out.extend(self.descend(i.to_string(), r_node, branch, loc));
            }
            return out;
        }

        let promotable = matches!(
            (r_view.kind(), w_view.kind()),
            (Kind::Long, Kind::Int)
                | (Kind::Float, Kind::Int | Kind::Long)
                | (Kind::Double, Kind::Int | Kind::Long | Kind::Float)
                | (Kind::Bytes, Kind::String)
                | (Kind::String, Kind::Bytes)
        );
        if promotable {
            return out;
        }

        if let View::Union(r_branches) = r_view {
            for branch in r_branches {
                if self.probe(branch, w_node) {
                    return out;
                }
            }
            out.push(incompatible(
                IncompatibilityKind::MissingUnionBranch,
                loc,
                format!("reader union lacking writer type: {}", w_view.type_name()),
            ));
            return out;
        }

        out.push(incompatible(
            IncompatibilityKind::TypeMismatch,
            loc,
            format!(
                "reader type: {} not compatible with writer type: {}",
                r_view.type_name(),
                w_view.type_name()
            ),
        ));
        out
    }

    fn check_fields(
        &mut self,
        reader: &'a RecordSchema,
        writer: &'a RecordSchema,
        writer_node: &'a Schema,
        loc: &mut Vec<String>,
    ) -> Vec<Incompatibility> {
        let mut out = Vec::new();
        loc.push("fields".into());
        for (pos, reader_field) in reader.fields.iter().enumerate() {
            loc.push(pos.to_string());
            match lookup_writer_field(writer, reader_field) {
                Some(writer_field) => {
                    out.extend(self.descend(
                        "type".into(),
                        &reader_field.schema,
                        &writer_field.schema,
                        loc,
                    ));
                }
                None if reader_field.default.is_some() => {}
                None => {
                    let (_, field_view) = resolve(&reader_field.schema, &self.reader_names);
                    match field_view {
                        // Avro checks an enum with a default against the writer RECORD itself
                        // (which yields a TYPE_MISMATCH at /fields/<i>/type).
                        View::Enum(e) if e.default.is_some() => {
                            out.extend(self.descend(
                                "type".into(),
                                &reader_field.schema,
                                writer_node,
                                loc,
                            ));
                        }
                        _ => out.push(incompatible(
                            IncompatibilityKind::ReaderFieldMissingDefaultValue,
                            loc,
                            reader_field.name.clone(),
                        )),
                    }
                }
            }
            loc.pop();
        }
        loc.pop();
        out
    }
}

/// Avro's `schemaNameEquals`: equal unqualified names, or the writer's full name among the
/// reader's (fully-qualified) aliases.
fn check_names(
    reader: Option<&Name>,
    reader_aliases: &[Alias],
    writer: Option<&Name>,
    loc: &mut Vec<String>,
) -> Option<Incompatibility> {
    if named_unqualified(reader) == named_unqualified(writer) {
        return None;
    }
    let writer_full = named_full(writer);
    let reader_ns = reader.and_then(|n| n.namespace.clone());
    if reader_aliases
        .iter()
        .any(|a| a.fullname(reader_ns.clone()) == writer_full)
    {
        return None;
    }
    loc.push("name".into());
    let inc = incompatible(
        IncompatibilityKind::NameMismatch,
        loc,
        format!("expected: {writer_full}"),
    );
    loc.pop();
    Some(inc)
}

fn check_enum_symbols(
    reader: &EnumSchema,
    writer: &EnumSchema,
    loc: &mut Vec<String>,
) -> Option<Incompatibility> {
    let mut missing: Vec<&str> = writer
        .symbols
        .iter()
        .filter(|s| !reader.symbols.contains(s))
        .map(String::as_str)
        .collect();
    if missing.is_empty() {
        return None;
    }
    if reader
        .default
        .as_ref()
        .is_some_and(|d| reader.symbols.contains(d))
    {
        return None;
    }
    // Java reports a TreeSet: sorted, de-duplicated, "[A, B]".
    missing.sort_unstable();
    missing.dedup();
    loc.push("symbols".into());
    let inc = incompatible(
        IncompatibilityKind::MissingEnumSymbols,
        loc,
        format!("[{}]", missing.join(", ")),
    );
    loc.pop();
    Some(inc)
}
