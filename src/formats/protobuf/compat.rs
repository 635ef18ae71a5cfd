//! Protobuf compatibility as Confluent's checker decides it: a diff from the original file to
//! the update over every message (matched by name within the package, nested ones too), fields
//! identified by number. Additions and removals of messages, enums, enum constants, fields and
//! whole oneofs are compatible, as are renames; what is listed in [`ChangeKind`] is not.
//!
//! Enums produce no incompatibility at all (every enum change is compatible), so they are not
//! walked. A `syntax` change (proto2 ↔ proto3) has no rule of its own, in Confluent's checker
//! either: it shows through the field rules, since an explicit `optional`, a proto3 implicit
//! field and a proto3 `optional` are all one singular label here, and proto2 `required` fields
//! added or dropped are REQUIRED_FIELD_ADDED / REQUIRED_FIELD_REMOVED.

use std::collections::{HashMap, HashSet};

use crate::limits;
use prost_reflect::{Cardinality, FieldDescriptor, FileDescriptor, Kind, MessageDescriptor};

/// The incompatible differences, named as Confluent names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChangeKind {
    PackageChanged,
    MessageRemoved,
    FieldKindChanged,
    FieldScalarKindChanged,
    FieldNamedTypeChanged,
    FieldNumericLabelChanged,
    RequiredFieldAdded,
    RequiredFieldRemoved,
    OneofFieldRemoved,
    MultipleFieldsMovedToOneof,
    FieldMovedToExistingOneof,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        use ChangeKind::*;
        match self {
            PackageChanged => "PACKAGE_CHANGED",
            MessageRemoved => "MESSAGE_REMOVED",
            FieldKindChanged => "FIELD_KIND_CHANGED",
            FieldScalarKindChanged => "FIELD_SCALAR_KIND_CHANGED",
            FieldNamedTypeChanged => "FIELD_NAMED_TYPE_CHANGED",
            FieldNumericLabelChanged => "FIELD_NUMERIC_LABEL_CHANGED",
            RequiredFieldAdded => "REQUIRED_FIELD_ADDED",
            RequiredFieldRemoved => "REQUIRED_FIELD_REMOVED",
            OneofFieldRemoved => "ONEOF_FIELD_REMOVED",
            MultipleFieldsMovedToOneof => "MULTIPLE_FIELDS_MOVED_TO_ONEOF",
            FieldMovedToExistingOneof => "FIELD_MOVED_TO_EXISTING_ONEOF",
        }
    }
}

/// One incompatible difference between the original file and the update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub kind: ChangeKind,
    /// `#/<Message>/<tag>`, nested messages separated by `/`.
    pub path: String,
    /// The message, relative to its package (as the path names it).
    pub message: String,
    /// The field's JSON name (the update's when it has the field), when a field is concerned.
    pub field: Option<String>,
    /// Particulars: the two types, the oneof, the package names.
    pub detail: String,
}

/// Every incompatible difference of `update` from `original`.
pub fn diff(original: &FileDescriptor, update: &FileDescriptor) -> Vec<Change> {
    let mut out = Vec::new();
    if original.package_name() != update.package_name() {
        out.push(Change {
            kind: ChangeKind::PackageChanged,
            path: "#/".into(),
            message: String::new(),
            field: None,
            detail: format!(
                "'{}' became '{}'",
                original.package_name(),
                update.package_name()
            ),
        });
    }
    let updated: HashMap<String, MessageDescriptor> = messages(update)
        .into_iter()
        .map(|m| (relative(&m), m))
        .collect();
    let mut checker = Checker {
        visiting: HashSet::new(),
        inner: Vec::new(),
        compared: HashMap::new(),
    };
    for message in messages(original) {
        let name = relative(&message);
        match updated.get(&name) {
            None => out.push(Change {
                kind: ChangeKind::MessageRemoved,
                path: format!("#/{}", name.replace('.', "/")),
                message: name.clone(),
                field: None,
                detail: String::new(),
            }),
            Some(new) => out.extend(checker.message(&message, new)),
        }
    }
    // An imported type used by several fields is reported once.
    let mut seen: HashSet<(ChangeKind, String)> =
        out.iter().map(|c| (c.kind, c.path.clone())).collect();
    for change in checker.inner {
        if seen.insert((change.kind, change.path.clone())) {
            out.push(change);
        }
    }
    out
}

/// The file's messages, nested ones included, without the entries maps are made of (a map
/// field is compared as a map, and its entry's name follows the field's).
fn messages(file: &FileDescriptor) -> Vec<MessageDescriptor> {
    fn walk(m: MessageDescriptor, out: &mut Vec<MessageDescriptor>) {
        if m.is_map_entry() {
            return;
        }
        for child in m.child_messages() {
            walk(child, out);
        }
        out.push(m);
    }
    let mut out = Vec::new();
    for m in file.messages() {
        walk(m, &mut out);
    }
    out.sort_by_key(|m| m.path().to_vec());
    out
}

/// The message's name within its package.
fn relative(m: &MessageDescriptor) -> String {
    let package = m.package_name();
    if package.is_empty() {
        m.full_name().to_string()
    } else {
        m.full_name()
            .strip_prefix(package)
            .and_then(|r| r.strip_prefix('.'))
            .unwrap_or(m.full_name())
            .to_string()
    }
}

/// What a field holds, in Confluent's kinds; scalars by the group whose members read each
/// other's wire values (enums count as varint integers).
#[derive(Debug, Clone, PartialEq, Eq)]
enum FieldKind {
    Scalar(&'static str),
    Message(MessageDescriptor),
    Map(Box<FieldDescriptor>, Box<FieldDescriptor>),
}

fn field_kind(f: &FieldDescriptor) -> FieldKind {
    if f.is_map() {
        if let Kind::Message(entry) = f.kind() {
            return FieldKind::Map(
                Box::new(entry.map_entry_key_field()),
                Box::new(entry.map_entry_value_field()),
            );
        }
    }
    FieldKind::Scalar(match f.kind() {
        Kind::Int32 | Kind::Int64 | Kind::Uint32 | Kind::Uint64 | Kind::Bool | Kind::Enum(_) => {
            "varint"
        }
        Kind::Sint32 | Kind::Sint64 => "zigzag",
        Kind::String | Kind::Bytes => "length-delimited",
        Kind::Fixed32 | Kind::Sfixed32 => "fixed32",
        Kind::Fixed64 | Kind::Sfixed64 => "fixed64",
        Kind::Float => "float",
        Kind::Double => "double",
        Kind::Message(m) => return FieldKind::Message(m),
    })
}

fn kind_name(f: &FieldDescriptor) -> String {
    if f.is_map() {
        return "map".into();
    }
    match f.kind() {
        Kind::Message(m) => m.full_name().to_string(),
        Kind::Enum(e) => e.full_name().to_string(),
        other => format!("{other:?}").to_ascii_lowercase(),
    }
}

/// Singular, repeated or required: proto2 `optional`, proto3 implicit presence and proto3
/// `optional` read each other's data, so they are one label.
fn label(f: &FieldDescriptor) -> Cardinality {
    f.cardinality()
}

/// A oneof that is written as one (proto3 `optional` makes synthetic ones).
fn real_oneof(f: &FieldDescriptor) -> Option<String> {
    f.containing_oneof()
        .filter(|o| !o.is_synthetic())
        .map(|o| o.name().to_string())
}

struct Checker {
    /// Message pairs being compared through a field, which stops recursion.
    visiting: HashSet<(String, String)>,
    /// What changed inside imported types, reported at their own paths.
    inner: Vec<Change>,
    /// Pairs of imported types compared, with the verdict on the field that uses them.
    compared: HashMap<(String, String), Vec<(ChangeKind, String)>>,
}

impl Checker {
    fn message(&mut self, original: &MessageDescriptor, update: &MessageDescriptor) -> Vec<Change> {
        let name = relative(update);
        let path = format!("#/{}", name.replace('.', "/"));
        let change = |kind, field: Option<&FieldDescriptor>, detail: String| Change {
            kind,
            path: match field {
                Some(f) => format!("{path}/{}", f.number()),
                None => path.clone(),
            },
            message: name.clone(),
            field: field.map(|f| f.json_name().to_string()),
            detail,
        };
        let mut out = Vec::new();
        let update_oneofs: HashSet<String> = update
            .oneofs()
            .filter(|o| !o.is_synthetic())
            .map(|o| o.name().to_string())
            .collect();
        for old in original.fields() {
            match update.get_field(old.number()) {
                None if old.is_required() => out.push(change(
                    ChangeKind::RequiredFieldRemoved,
                    Some(&old),
                    String::new(),
                )),
                None => {
                    // A member dropped from a oneof that is kept, or renamed (another of its
                    // members now in some oneof of the update).
                    let kept = |oneof: &String| {
                        update_oneofs.contains(oneof)
                            || original.fields().any(|f| {
                                real_oneof(&f).as_ref() == Some(oneof)
                                    && update
                                        .get_field(f.number())
                                        .is_some_and(|n| real_oneof(&n).is_some())
                            })
                    };
                    if let Some(oneof) = real_oneof(&old).filter(kept) {
                        out.push(change(
                            ChangeKind::OneofFieldRemoved,
                            Some(&old),
                            format!("oneof '{oneof}'"),
                        ));
                    }
                }
                Some(new) => {
                    for (kind, detail) in self.field(&old, &new) {
                        out.push(change(kind, Some(&new), detail));
                    }
                }
            }
        }
        for new in update.fields() {
            if original.get_field(new.number()).is_none() && new.is_required() {
                out.push(change(
                    ChangeKind::RequiredFieldAdded,
                    Some(&new),
                    String::new(),
                ));
            }
        }
        for oneof in update.oneofs().filter(|o| !o.is_synthetic()) {
            // Members that were fields of their own before, and the oneofs the others were
            // in: members from two of these now exclude each other where they did not (a
            // oneof renamed whole, or a member moved alone to a new oneof, is compatible).
            let mut moved: Vec<FieldDescriptor> = Vec::new();
            let mut groups: Vec<(String, FieldDescriptor)> = Vec::new();
            for f in oneof.fields() {
                match original.get_field(f.number()).map(|old| real_oneof(&old)) {
                    Some(None) => moved.push(f),
                    Some(Some(group)) if !groups.iter().any(|(g, _)| *g == group) => {
                        groups.push((group, f))
                    }
                    _ => {}
                }
            }
            if moved.len() > 1 {
                out.push(change(
                    ChangeKind::MultipleFieldsMovedToOneof,
                    Some(&moved[0]),
                    format!(
                        "oneof '{}' takes fields {}",
                        oneof.name(),
                        moved
                            .iter()
                            .map(|f| f.number().to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            } else if moved.len() + groups.len() > 1 {
                let joined = moved.first().unwrap_or(&groups[groups.len() - 1].1);
                out.push(change(
                    ChangeKind::FieldMovedToExistingOneof,
                    Some(joined),
                    format!("oneof '{}'", oneof.name()),
                ));
            }
        }
        out
    }

    /// The incompatibilities of one field kept under its number.
    fn field(&mut self, old: &FieldDescriptor, new: &FieldDescriptor) -> Vec<(ChangeKind, String)> {
        let mut out = self.kinds(old, new);
        let (old_label, new_label) = (label(old), label(new));
        if old_label != new_label {
            if old_label == Cardinality::Required {
                out.push((ChangeKind::RequiredFieldRemoved, String::new()));
            } else if new_label == Cardinality::Required {
                out.push((ChangeKind::RequiredFieldAdded, String::new()));
            } else if !old.is_map() && !new.is_map() {
                // Numeric repeated fields are packed, which a singular reader cannot read.
                // Strings, bytes and messages are length-delimited either way: a singular
                // reader keeps the last element (Confluent: FIELD_STRING_OR_BYTES_LABEL_CHANGED).
                let numeric = |f: &FieldDescriptor| matches!(field_kind(f), FieldKind::Scalar(g) if g != "length-delimited");
                if numeric(old) && numeric(new) {
                    out.push((
                        ChangeKind::FieldNumericLabelChanged,
                        format!("{old_label:?} became {new_label:?}").to_ascii_lowercase(),
                    ));
                }
            }
        }
        out
    }

    /// Kind, scalar group and named type of a field kept under its number (also a map's key
    /// and value).
    fn kinds(&mut self, old: &FieldDescriptor, new: &FieldDescriptor) -> Vec<(ChangeKind, String)> {
        let detail = || format!("'{}' became '{}'", kind_name(old), kind_name(new));
        match (field_kind(old), field_kind(new)) {
            (FieldKind::Scalar(a), FieldKind::Scalar(b)) if a == b => Vec::new(),
            (FieldKind::Scalar(_), FieldKind::Scalar(_)) => {
                vec![(ChangeKind::FieldScalarKindChanged, detail())]
            }
            (FieldKind::Message(a), FieldKind::Message(b)) => self.named(&a, &b),
            (FieldKind::Map(ok, ov), FieldKind::Map(nk, nv)) => {
                let mut out = self.kinds(&ok, &nk);
                out.extend(self.kinds(&ov, &nv));
                out
            }
            _ => vec![(ChangeKind::FieldKindChanged, detail())],
        }
    }

    /// A message-typed field: the same type by its name within its own package, and, when
    /// either side is a type of another file (an import), the two definitions compared field
    /// by field (the main diff walks only this file's messages). A definition moved between
    /// files or packages unchanged is the same type; what changed inside it is reported at its
    /// own path too.
    fn named(
        &mut self,
        old: &MessageDescriptor,
        new: &MessageDescriptor,
    ) -> Vec<(ChangeKind, String)> {
        if relative(old) != relative(new) {
            return vec![(
                ChangeKind::FieldNamedTypeChanged,
                format!("'{}' became '{}'", old.full_name(), new.full_name()),
            )];
        }
        let local = |m: &MessageDescriptor| m.parent_file().name() == super::parse::ROOT_NAME;
        let key = (old.full_name().to_string(), new.full_name().to_string());
        if (local(old) && local(new)) || !limits::spend(1) {
            return Vec::new();
        }
        // Each pair of types is compared once, however many fields use it: types that each
        // use the next one twice would otherwise be compared exponentially often.
        if let Some(verdict) = self.compared.get(&key) {
            return verdict.clone();
        }
        if !self.visiting.insert(key.clone()) || !limits::deeper(self.visiting.len()) {
            return Vec::new();
        }
        let inner = self.message(old, new);
        self.visiting.remove(&key);
        let verdict: Vec<(ChangeKind, String)> = inner
            .first()
            .map(|c| {
                (
                    ChangeKind::FieldNamedTypeChanged,
                    format!(
                        "'{}' changed incompatibly: {} at {}",
                        new.full_name(),
                        c.kind.as_str(),
                        c.path
                    ),
                )
            })
            .into_iter()
            .collect();
        self.inner.extend(inner);
        self.compared.insert(key, verdict.clone());
        verdict
    }
}

/// Confluent's message for one incompatible difference. In its diff the original is the
/// writer's schema: the old one when the reader is new (BACKWARD), else the new one.
pub fn describe(change: &Change, reader_is_new: bool) -> String {
    use ChangeKind::*;
    let (update, original) = if reader_is_new {
        ("new", "old")
    } else {
        ("old", "new")
    };
    let path = &change.path;
    let detail = if change.detail.is_empty() {
        String::new()
    } else {
        format!(" ({})", change.detail)
    };
    let text = match change.kind {
        PackageChanged => format!("The package of the {update} schema differs from the {original} schema{detail}"),
        MessageRemoved => format!("The message at path '{path}' in the {original} schema is missing in the {update} schema"),
        FieldKindChanged => format!("The kind of the field at path '{path}' in the {update} schema does not match its kind in the {original} schema{detail}"),
        FieldScalarKindChanged => format!("The scalar type of the field at path '{path}' in the {update} schema does not match its type in the {original} schema{detail}"),
        FieldNamedTypeChanged => format!("The message type of the field at path '{path}' in the {update} schema does not match its type in the {original} schema{detail}"),
        FieldNumericLabelChanged => format!("The label of the numeric field at path '{path}' in the {update} schema does not match its label in the {original} schema{detail}"),
        RequiredFieldAdded => format!("The field at path '{path}' is required in the {update} schema and not in the {original} schema"),
        RequiredFieldRemoved => format!("The field at path '{path}' is required in the {original} schema and not in the {update} schema"),
        OneofFieldRemoved => format!("The oneof field at path '{path}' in the {original} schema is missing in the {update} schema{detail}"),
        MultipleFieldsMovedToOneof => format!("Several fields of the {original} schema were moved into a new oneof at path '{path}' in the {update} schema{detail}"),
        FieldMovedToExistingOneof => format!("The field at path '{path}' was moved into an existing oneof in the {update} schema{detail}"),
    };
    format!(
        "{{errorType:\"{}\", description:\"{}\"}}",
        change.kind.as_str(),
        text
    )
}
