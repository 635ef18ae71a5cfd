//! Protobuf differences as [`Reason`]s. Confluent's checker names a place by message and field
//! number (`#/Order/3`); the field under that number in each file gives what each version has
//! there, and the fields that lead from the first message (the one serializers write) to the
//! message give the dotted field.

use std::collections::{HashMap, VecDeque};

use prost_reflect::{Cardinality, FieldDescriptor, Kind, MessageDescriptor};

use super::compat::{Change, ChangeKind};
use super::fields::field_type_name;
use super::{relative_name, ProtobufSchema};
use crate::formats::reason::{subject_of, Direction, Found, Reason, Side};

/// The two files of one check, indexed for looking up what a change names.
pub struct Pair {
    original: Messages,
    update: Messages,
}

struct Messages {
    /// Every message by its name within the package.
    by_name: HashMap<String, MessageDescriptor>,
    /// The dotted way from the first message to each message it reaches.
    reached: HashMap<String, String>,
    package: String,
}

impl Messages {
    fn of(schema: &ProtobufSchema) -> Messages {
        let mut by_name = HashMap::new();
        let mut stack: Vec<MessageDescriptor> = schema.file.messages().collect();
        while let Some(m) = stack.pop() {
            stack.extend(m.child_messages());
            by_name.insert(relative_name(&m), m);
        }
        let mut reached = HashMap::new();
        let mut queue = VecDeque::new();
        if let Some(first) = schema.first_message() {
            reached.insert(relative_name(&first), String::new());
            queue.push_back((first, String::new()));
        }
        // Breadth first, so each message is named by the shortest way to it.
        while let Some((message, prefix)) = queue.pop_front() {
            for field in message.fields() {
                let (target, step) = match field.kind() {
                    Kind::Message(m) if m.is_map_entry() => {
                        match m.map_entry_value_field().kind() {
                            Kind::Message(value) => (value, format!("{}{{}}", field.json_name())),
                            _ => continue,
                        }
                    }
                    Kind::Message(m) if field.is_list() => (m, format!("{}[]", field.json_name())),
                    Kind::Message(m) => (m, field.json_name().to_string()),
                    _ => continue,
                };
                let name = relative_name(&target);
                if reached.contains_key(&name) {
                    continue;
                }
                let path = join(&prefix, &step);
                reached.insert(name, path.clone());
                queue.push_back((target, path));
            }
        }
        Messages {
            by_name,
            reached,
            package: schema.file.package_name().to_string(),
        }
    }

    fn field(&self, message: &str, number: Option<u32>) -> Option<FieldDescriptor> {
        self.by_name.get(message)?.get_field(number?)
    }
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}

/// A field's type with its label, as a `.proto` file declares it.
fn declared(field: &FieldDescriptor) -> String {
    let name = field_type_name(field);
    if field.cardinality() == Cardinality::Required {
        format!("required {name}")
    } else {
        name
    }
}

impl Pair {
    /// `original` is the writer's schema, `update` the reader's, as Confluent diffs them.
    pub fn new(original: &ProtobufSchema, update: &ProtobufSchema) -> Pair {
        Pair {
            original: Messages::of(original),
            update: Messages::of(update),
        }
    }

    pub fn reason(&self, change: &Change, reader_is_new: bool, message: &str) -> Reason {
        let number = change
            .path
            .rsplit('/')
            .next()
            .and_then(|n| n.parse::<u32>().ok())
            .filter(|_| change.field.is_some());
        let original = self.original.field(&change.message, number);
        let update = self.update.field(&change.message, number);
        let prefix = self
            .update
            .reached
            .get(&change.message)
            .or_else(|| self.original.reached.get(&change.message))
            .cloned()
            .unwrap_or_else(|| change.message.clone());
        let field = match &change.field {
            Some(name) => Some(join(&prefix, name)),
            None => (!prefix.is_empty()).then_some(prefix),
        };
        let mut subject = subject_of(field.as_deref());
        let mut custom = None;
        let (o, u, aspect) = match change.kind {
            ChangeKind::PackageChanged => {
                subject = subject_of(None);
                (
                    Some(self.original.package.clone()),
                    Some(self.update.package.clone()),
                    Some("package"),
                )
            }
            ChangeKind::MessageRemoved => {
                // Confluent's original is the writer: the old version when new consumers read.
                let done = if reader_is_new { "removed" } else { "added" };
                custom = Some(format!("message `{}` was {done}", change.message));
                (None, None, None)
            }
            ChangeKind::FieldKindChanged
            | ChangeKind::FieldScalarKindChanged
            | ChangeKind::FieldNamedTypeChanged
            | ChangeKind::FieldNumericLabelChanged => (
                original.as_ref().map(declared),
                update.as_ref().map(declared),
                Some("type"),
            ),
            _ => (
                original.as_ref().map(declared),
                update.as_ref().map(declared),
                None,
            ),
        };
        let (old, new) = if reader_is_new { (o, u) } else { (u, o) };
        Reason::new(Found {
            kind: change.kind.as_str().to_string(),
            pointer: change.path.clone(),
            pointer_into: Side::writer(reader_is_new),
            subject,
            field,
            aspect: aspect.map(str::to_string),
            old,
            new,
            direction: Direction::of(reader_is_new),
            message: message.to_string(),
            change: custom,
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::formats::{self, Direction, Reason};

    fn parse(text: &str) -> Box<formats::Parsed> {
        formats::parse(crate::model::SchemaType::Protobuf, text, &[], false).unwrap()
    }

    fn reasons(old: &str, new: &str) -> Vec<Reason> {
        formats::reasons(
            &*parse(new),
            &*parse(old),
            &[Direction::Backward, Direction::Forward],
            "v1",
            "v2",
        )
    }

    fn only(found: &[Reason], kind: &str) -> Reason {
        let matching: Vec<&Reason> = found.iter().filter(|r| r.kind == kind).collect();
        assert_eq!(matching.len(), 1, "{kind} in {found:#?}");
        matching[0].clone()
    }

    const OLD: &str = r#"syntax = "proto3";
package shop;
message Payment {
  Money payment = 1;
  repeated int32 codes = 2;
  oneof method { string card = 3; string iban = 4; }
  Line line = 5;
  map<string, int32> tags = 6;
  string note = 7;
  string memo = 8;
  oneof contact { string email = 9; }
  string phone = 10;
}
message Money { int64 amount = 1; }
message Line { string sku = 1; }
"#;

    const NEW: &str = r#"syntax = "proto3";
package shop;
message Payment {
  Money payment = 1;
  int32 codes = 2;
  oneof method { string card = 3; }
  Item line = 5;
  string tags = 6;
  oneof text { string note = 7; string memo = 8; }
  oneof contact { string email = 9; string phone = 10; }
}
message Money { string amount = 1; }
message Item { string sku = 1; }
"#;

    #[test]
    fn field_changes_name_the_nested_field_and_both_types() {
        let found = reasons(OLD, NEW);
        let shown = |kind: &str| {
            let r = only(&found, kind);
            (
                r.field.clone().unwrap_or_default(),
                r.old.clone(),
                r.new.clone(),
            )
        };
        let some = |s: &str| Some(s.to_string());
        assert_eq!(
            shown("FIELD_SCALAR_KIND_CHANGED"),
            ("payment.amount".into(), some("int64"), some("string"))
        );
        assert_eq!(
            shown("FIELD_KIND_CHANGED"),
            ("tags".into(), some("map<string, int32>"), some("string"))
        );
        assert_eq!(
            shown("FIELD_NUMERIC_LABEL_CHANGED"),
            ("codes".into(), some("repeated int32"), some("int32"))
        );
        assert_eq!(
            shown("ONEOF_FIELD_REMOVED"),
            ("iban".into(), some("string (oneof method)"), None)
        );
        assert_eq!(
            shown("MULTIPLE_FIELDS_MOVED_TO_ONEOF"),
            ("note".into(), some("string"), some("string (oneof text)"))
        );
        assert_eq!(
            shown("FIELD_MOVED_TO_EXISTING_ONEOF"),
            (
                "phone".into(),
                some("string"),
                some("string (oneof contact)")
            )
        );
        let amount = only(&found, "FIELD_SCALAR_KIND_CHANGED");
        assert_eq!(amount.pointer, "#/Money/1");
        assert_eq!(amount.breaks, [Direction::Backward, Direction::Forward]);
        assert!(amount.text.starts_with("field `payment.amount` changed type from int64 to string: consumers on v2 cannot read messages written with v1, nor"), "{}", amount.text);
        let iban = only(&found, "ONEOF_FIELD_REMOVED");
        assert!(
            iban.text
                .starts_with("field `iban` was removed (it was string (oneof method))"),
            "{}",
            iban.text
        );
        let line = found
            .iter()
            .find(|r| r.kind == "FIELD_NAMED_TYPE_CHANGED")
            .unwrap();
        assert_eq!(
            (
                line.field.as_deref(),
                line.old.as_deref(),
                line.new.as_deref()
            ),
            (Some("line"), Some("Line"), Some("Item"))
        );
        let gone = found.iter().find(|r| r.kind == "MESSAGE_REMOVED").unwrap();
        assert!(
            gone.text.starts_with("message `Line` was removed"),
            "{}",
            gone.text
        );
    }

    #[test]
    fn required_fields_and_packages_show_both_sides() {
        let old = "syntax = \"proto2\";\npackage shop;\nmessage A { optional int32 a = 1; required string b = 2; }\n";
        let new = "syntax = \"proto2\";\npackage store;\nmessage A { required int32 a = 1; }\n";
        let found = reasons(old, new);
        // Confluent calls it REQUIRED_FIELD_ADDED one way and REQUIRED_FIELD_REMOVED the other:
        // one difference, listed once, breaking both.
        let added = only(&found, "REQUIRED_FIELD_ADDED");
        assert_eq!(
            (added.old.as_deref(), added.new.as_deref()),
            (Some("int32"), Some("required int32"))
        );
        assert_eq!(added.breaks, [Direction::Backward, Direction::Forward]);
        assert_eq!(added.messages.len(), 2);
        assert_eq!(
            added.text.split(':').next().unwrap(),
            "field `a` changed from int32 to required int32"
        );
        let removed = only(&found, "REQUIRED_FIELD_REMOVED");
        assert_eq!(removed.field.as_deref(), Some("b"));
        assert_eq!(removed.breaks, [Direction::Backward, Direction::Forward]);
        assert_eq!(
            (removed.old.as_deref(), removed.new.as_deref()),
            (Some("required string"), None)
        );
        let package = only(&found, "PACKAGE_CHANGED");
        assert_eq!(package.field, None);
        assert_eq!(
            (package.old.as_deref(), package.new.as_deref()),
            (Some("shop"), Some("store"))
        );
        assert!(
            package
                .text
                .starts_with("the schema changed package from shop to store"),
            "{}",
            package.text
        );
    }
}
