//! The language-neutral model of a schema's decoded data that every target language is printed from.

use serde_json::Value;

/// Every named type one schema version needs, the root first, then in the order first met.
#[derive(Debug, Clone, PartialEq)]
pub struct Module {
    /// Base of the file and holder names (`orders.order.placed-value v3`).
    pub label: String,
    /// Where the types came from, for the header comment.
    pub source: String,
    /// The package of the root type (Avro namespace, Protobuf package), as its dotted parts.
    pub package: Vec<String>,
    pub root: usize,
    pub types: Vec<TypeDef>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TypeDef {
    /// The schema's own name for the type (Avro full name, Protobuf full name, `$ref` target).
    pub wire_name: String,
    /// Package path of the type (namespace or package parts).
    pub package: Vec<String>,
    /// Unique simple name within the module, in PascalCase.
    pub name: String,
    pub doc: Option<String>,
    pub body: Body,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    Record(Vec<Field>),
    /// Symbols as they appear on the wire.
    Enum(Vec<String>),
    /// Members tried in order against the decoded value (it carries no tag on the wire).
    Union(Vec<Ty>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub wire: String,
    pub doc: Option<String>,
    pub ty: Ty,
    pub presence: Presence,
}

impl Field {
    /// Whether an empty value is left out when written (an optional field whose type has no
    /// null). Optional nullable fields read a missing value as null and write null back.
    pub fn omitted_when_empty(&self) -> bool {
        self.presence == Presence::Optional && !matches!(self.ty, Ty::Nullable(_))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Presence {
    /// Always in the data.
    Required,
    /// May be missing; a missing value stays missing when written back.
    Optional,
    /// May be missing, and then reads as this value (Avro reader defaults); `None` means the
    /// type's zero value (Protobuf's implicit defaults, empty lists and maps).
    Defaulted(Option<Value>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Ty {
    Bool,
    Int,
    Long,
    /// A 64-bit integer the data may also carry as decimal text (Protobuf's JSON mapping
    /// writes it so): read either way, written as a number.
    Int64,
    Float,
    Double,
    String,
    /// Any JSON value: the widest type, for constructs with no faithful one.
    Any,
    /// Index into [`Module::types`].
    Named(usize),
    Array(Box<Ty>),
    /// JSON object with string keys.
    Map(Box<Ty>),
    /// The value or JSON null.
    Nullable(Box<Ty>),
    /// A logical type: a language's natural type for it (a date, a decimal…), read from and
    /// written to the wire form [`Logical::wire`] names.
    Logical(Logical),
}

/// Values with a natural type in the target languages, and the exact form the data holds them in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Logical {
    /// Avro `timestamp-millis`: milliseconds since the Unix epoch, an integer.
    TimestampMillis,
    /// Avro `timestamp-micros`: microseconds since the Unix epoch, an integer.
    TimestampMicros,
    /// Avro `local-timestamp-millis`: milliseconds since 1970-01-01T00:00 in no time zone.
    LocalTimestampMillis,
    /// Avro `local-timestamp-micros`: microseconds since 1970-01-01T00:00 in no time zone.
    LocalTimestampMicros,
    /// Avro `date`: days since 1970-01-01, an integer.
    EpochDate,
    /// Avro `time-millis`: milliseconds after midnight, an integer.
    TimeMillis,
    /// Avro `time-micros`: microseconds after midnight, an integer.
    TimeMicros,
    /// Avro `decimal` on bytes (`size: None`) or fixed: the unscaled two's-complement integer,
    /// big-endian, one character (U+0000 to U+00FF) per byte in Avro's JSON encoding.
    Decimal {
        precision: u32,
        scale: u32,
        size: Option<u32>,
    },
    /// A UUID as its hyphenated text (Avro `uuid`, JSON Schema `format: uuid`).
    Uuid,
    /// RFC 3339 date and time with its offset (JSON Schema `format: date-time`).
    DateTime,
    /// RFC 3339 UTC instant (`google.protobuf.Timestamp`'s JSON mapping, `Z` and 0, 3, 6 or
    /// 9 fractional digits).
    Instant,
    /// RFC 3339 full-date text `YYYY-MM-DD` (JSON Schema `format: date`).
    Date,
    /// Seconds with an `s` suffix (`google.protobuf.Duration`'s JSON mapping, `1.500s`).
    Duration,
}

impl Logical {
    /// The type of the value as the data holds it.
    pub fn wire(self) -> Ty {
        match self {
            Logical::TimestampMillis
            | Logical::TimestampMicros
            | Logical::LocalTimestampMillis
            | Logical::LocalTimestampMicros
            | Logical::TimeMicros => Ty::Long,
            Logical::EpochDate | Logical::TimeMillis => Ty::Int,
            Logical::Decimal { .. }
            | Logical::Uuid
            | Logical::DateTime
            | Logical::Instant
            | Logical::Date
            | Logical::Duration => Ty::String,
        }
    }

    /// The name of the alias a language without a natural type gives it (`TimestampMillis`).
    pub fn alias(self) -> String {
        match self {
            Logical::TimestampMillis => "TimestampMillis".into(),
            Logical::TimestampMicros => "TimestampMicros".into(),
            Logical::LocalTimestampMillis => "LocalTimestampMillis".into(),
            Logical::LocalTimestampMicros => "LocalTimestampMicros".into(),
            Logical::EpochDate => "EpochDays".into(),
            Logical::TimeMillis => "TimeMillis".into(),
            Logical::TimeMicros => "TimeMicros".into(),
            Logical::Decimal {
                precision,
                scale,
                size,
            } => match size {
                None => format!("DecimalBytes{precision}x{scale}"),
                Some(n) => format!("DecimalFixed{n}x{precision}x{scale}"),
            },
            Logical::Uuid => "UuidText".into(),
            Logical::DateTime => "DateTimeText".into(),
            Logical::Instant => "TimestampText".into(),
            Logical::Date => "DateText".into(),
            Logical::Duration => "DurationText".into(),
        }
    }

    /// What the wire form holds, for doc comments.
    pub fn encoding(self) -> String {
        match self {
            Logical::TimestampMillis => "An instant as milliseconds since 1970-01-01T00:00:00Z, an integer on the wire (Avro timestamp-millis).".into(),
            Logical::TimestampMicros => "An instant as microseconds since 1970-01-01T00:00:00Z, an integer on the wire (Avro timestamp-micros).".into(),
            Logical::LocalTimestampMillis => "A date and time in no time zone as milliseconds since 1970-01-01T00:00, an integer on the wire (Avro local-timestamp-millis).".into(),
            Logical::LocalTimestampMicros => "A date and time in no time zone as microseconds since 1970-01-01T00:00, an integer on the wire (Avro local-timestamp-micros).".into(),
            Logical::EpochDate => "A calendar date as days since 1970-01-01, an integer on the wire (Avro date).".into(),
            Logical::TimeMillis => "A time of day as milliseconds after midnight, an integer on the wire (Avro time-millis).".into(),
            Logical::TimeMicros => "A time of day as microseconds after midnight, an integer on the wire (Avro time-micros).".into(),
            Logical::Decimal { precision, scale, size } => format!(
                "A decimal of precision {precision} and scale {scale}: the unscaled two's-complement integer, big-endian, in {}, one character (U+0000 to U+00FF) per byte in Avro's JSON encoding (Avro decimal).",
                match size { None => "the fewest bytes".to_string(), Some(n) => format!("{n} bytes") }
            ),
            Logical::Uuid => "A UUID as lowercase hyphenated text.".into(),
            Logical::DateTime => "An RFC 3339 date-time with its offset, as text (JSON Schema format date-time); a zero offset is written as Z.".into(),
            Logical::Instant => "An RFC 3339 UTC instant, as text with Z and 0, 3, 6 or 9 fractional digits (google.protobuf.Timestamp).".into(),
            Logical::Date => "An RFC 3339 full-date YYYY-MM-DD, as text (JSON Schema format date).".into(),
            Logical::Duration => "A signed duration as seconds with an s suffix and 0, 3, 6 or 9 fractional digits, as text (google.protobuf.Duration).".into(),
        }
    }
}

impl Ty {
    pub fn nullable(self) -> Ty {
        match self {
            Ty::Nullable(_) | Ty::Any => self,
            other => Ty::Nullable(Box::new(other)),
        }
    }

    pub fn is_nullable(&self) -> bool {
        matches!(self, Ty::Nullable(_) | Ty::Any)
    }

    /// The same type with every logical type replaced by its wire form.
    pub fn plain(&self) -> Ty {
        match self {
            Ty::Logical(l) => l.wire(),
            Ty::Array(t) => Ty::Array(Box::new(t.plain())),
            Ty::Map(t) => Ty::Map(Box::new(t.plain())),
            Ty::Nullable(t) => Ty::Nullable(Box::new(t.plain())),
            other => other.clone(),
        }
    }

    /// Every logical type within, in order met.
    pub fn logicals(&self, out: &mut Vec<Logical>) {
        match self {
            Ty::Logical(l) => out.push(*l),
            Ty::Array(t) | Ty::Map(t) | Ty::Nullable(t) => t.logicals(out),
            _ => {}
        }
    }
}

/// Every logical type a module uses, sorted and without repeats.
pub fn logicals_of(types: &[TypeDef]) -> Vec<Logical> {
    let mut out = Vec::new();
    for def in types {
        match &def.body {
            Body::Record(fields) => fields.iter().for_each(|f| f.ty.logicals(&mut out)),
            Body::Union(members) => members.iter().for_each(|m| m.logicals(&mut out)),
            Body::Enum(_) => {}
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Type names some target language already uses for its own types or the helpers a generated
/// file defines; a schema type of that name gets a `Type` suffix everywhere.
const TAKEN: &[&str] = &[
    "Any",
    "Optional",
    "Callable",
    "TypeVar",
    "TypeAlias",
    "TypeError",
    "ValueError",
    "KeyError",
    "Option",
    "Some",
    "None",
    "Vec",
    "Box",
    "String",
    "Result",
    "Ok",
    "Err",
    "Default",
    "Clone",
    "Debug",
    "PartialEq",
    "Object",
    "List",
    "Map",
    "Function",
    "ArrayList",
    "LinkedHashMap",
    "Override",
    "SuppressWarnings",
    "Integer",
    "Long",
    "Boolean",
    "Double",
    "Float",
    "Number",
    "Character",
    "Math",
    "StringBuilder",
    "IllegalArgumentException",
    "RuntimeException",
    "Json",
    "ToJson",
    "WireName",
    "Record",
    "Array",
    "Enum",
    "Int64",
    // Aliases of logical types.
    "TimestampMillis",
    "TimestampMicros",
    "LocalTimestampMillis",
    "LocalTimestampMicros",
    "EpochDays",
    "TimeMillis",
    "TimeMicros",
    "UuidText",
    "DateTimeText",
    "TimestampText",
    "DateText",
    "DurationText",
];

/// A name registry that hands out unique PascalCase names in order of request.
#[derive(Debug, Default)]
pub struct Builder {
    pub types: Vec<TypeDef>,
}

impl Builder {
    /// Reserves a slot for a named type (so recursive uses can point at it before it is done).
    pub fn reserve(&mut self, wire_name: &str, package: Vec<String>, simple: &str) -> usize {
        let base = super::names::pascal(simple);
        let base = if base.is_empty() {
            "Type".to_string()
        } else if TAKEN.contains(&base.as_str()) {
            format!("{base}Type")
        } else {
            base
        };
        let mut name = base.clone();
        let mut n = 2;
        while self.types.iter().any(|t| t.name == name) {
            name = format!("{base}{n}");
            n += 1;
        }
        self.types.push(TypeDef {
            wire_name: wire_name.to_string(),
            package,
            name,
            doc: None,
            body: Body::Record(Vec::new()),
        });
        self.types.len() - 1
    }

    pub fn find(&self, wire_name: &str) -> Option<usize> {
        self.types.iter().position(|t| t.wire_name == wire_name)
    }
}

/// Which named types each type reaches, to find the references that close a cycle.
pub fn reaches(types: &[TypeDef], from: usize, to: usize) -> bool {
    let mut seen = vec![false; types.len()];
    let mut stack = vec![from];
    while let Some(t) = stack.pop() {
        if std::mem::replace(&mut seen[t], true) {
            continue;
        }
        let mut out = Vec::new();
        match &types[t].body {
            Body::Record(fields) => fields.iter().for_each(|f| named_in(&f.ty, &mut out)),
            Body::Union(members) => members.iter().for_each(|m| named_in(m, &mut out)),
            Body::Enum(_) => {}
        }
        if out.contains(&to) {
            return true;
        }
        stack.extend(out);
    }
    false
}

fn named_in(ty: &Ty, out: &mut Vec<usize>) {
    match ty {
        Ty::Named(i) => out.push(*i),
        Ty::Array(t) | Ty::Map(t) | Ty::Nullable(t) => named_in(t, out),
        _ => {}
    }
}
