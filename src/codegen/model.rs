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
