//! Avro incompatibilities as [`Reason`]s. The checker names a place by a pointer into the
//! reader's schema; walking it through both schemas (writer fields matched by name or the
//! reader's aliases, union indexes into the writer's union, as the checker descends) gives the
//! dotted field and what each side has there.

use apache_avro::schema::RecordField;
use apache_avro::Schema;

use super::compat::{
    collect_names, lookup_writer_field, resolve_node, Incompatibility, IncompatibilityKind, NameMap,
};
use super::fields::type_name;
use crate::formats::reason::{subject_of, Direction, Found, Reason, Side};

/// Both schemas with their named types, for resolving references along a walk.
pub struct Pair<'a> {
    reader: &'a Schema,
    writer: &'a Schema,
    reader_names: NameMap<'a>,
    writer_names: NameMap<'a>,
}

impl<'a> Pair<'a> {
    pub fn new(reader: &'a Schema, writer: &'a Schema) -> Pair<'a> {
        let mut reader_names = NameMap::new();
        collect_names(reader, &mut reader_names);
        let mut writer_names = NameMap::new();
        collect_names(writer, &mut writer_names);
        Pair {
            reader,
            writer,
            reader_names,
            writer_names,
        }
    }

    /// The reason for one incompatibility the checker found reading `writer` with `reader`.
    pub fn reason(&self, inc: &Incompatibility, reader_is_new: bool, message: &str) -> Reason {
        let place = self.walk(&inc.location);
        let (reader_has, writer_has, aspect) = match inc.kind {
            // A writer union is shown whole, not as the branch the checker stopped at.
            IncompatibilityKind::TypeMismatch | IncompatibilityKind::MissingUnionBranch => (
                place.reader.map(type_name),
                place.writer_union.or(place.writer).map(type_name),
                Some("type"),
            ),
            IncompatibilityKind::NameMismatch => (
                place.reader.and_then(full_name),
                place.writer.and_then(full_name),
                Some("name"),
            ),
            IncompatibilityKind::FixedSizeMismatch => (
                place.reader.and_then(size),
                place.writer.and_then(size),
                Some("size"),
            ),
            IncompatibilityKind::MissingEnumSymbols => (
                place.reader.and_then(symbols),
                place.writer.and_then(symbols),
                Some("symbols"),
            ),
            IncompatibilityKind::ReaderFieldMissingDefaultValue => (
                place
                    .reader_field
                    .map(|f| format!("{} without a default", type_name(&f.schema))),
                None,
                None,
            ),
        };
        let (old, new) = if reader_is_new {
            (writer_has, reader_has)
        } else {
            (reader_has, writer_has)
        };
        Reason::new(Found {
            kind: inc.kind.as_str().to_string(),
            pointer: inc.location.clone(),
            pointer_into: Side::reader(reader_is_new),
            subject: subject_of(place.field.as_deref()),
            field: place.field,
            aspect: aspect.map(str::to_string),
            old,
            new,
            direction: Direction::of(reader_is_new),
            message: message.to_string(),
            change: None,
        })
    }

    /// Follows a pointer into the reader's schema, and the writer's matching nodes beside it.
    fn walk(&self, pointer: &str) -> Place<'a> {
        let mut place = Place {
            field: None,
            reader: Some(resolve_node(self.reader, &self.reader_names)),
            writer: Some(resolve_node(self.writer, &self.writer_names)),
            reader_field: None,
            writer_union: None,
        };
        let mut dotted = String::new();
        let mut tokens = pointer.split('/').filter(|t| !t.is_empty());
        while let Some(token) = tokens.next() {
            place.writer_union = None;
            match token {
                "fields" => {
                    let Some(index) = tokens.next().and_then(|t| t.parse::<usize>().ok()) else {
                        break;
                    };
                    let Some(Schema::Record(record)) = place.reader else {
                        break;
                    };
                    let Some(field) = record.fields.get(index) else {
                        break;
                    };
                    if !dotted.is_empty() {
                        dotted.push('.');
                    }
                    dotted.push_str(&field.name);
                    place.writer = match place.writer {
                        Some(Schema::Record(w)) => lookup_writer_field(w, field).map(|f| &f.schema),
                        _ => None,
                    };
                    place.reader = Some(&field.schema);
                    place.reader_field = Some(field);
                }
                "items" => {
                    dotted.push_str("[]");
                    place.reader = place.reader.and_then(items);
                    place.writer = place.writer.and_then(items);
                }
                "values" => {
                    dotted.push_str("{}");
                    place.reader = place.reader.and_then(values);
                    place.writer = place.writer.and_then(values);
                }
                // The checker indexes the writer's union; the reader stays where it is.
                index if index.bytes().all(|b| b.is_ascii_digit()) => {
                    if let Some(union @ Schema::Union(u)) = place.writer {
                        place.writer_union = Some(union);
                        place.writer = index.parse().ok().and_then(|i: usize| u.variants().get(i));
                    }
                }
                // `type` names the field's schema, where the walk already is; `name`, `size`
                // and `symbols` are properties of the node reached.
                _ => {}
            }
            place.reader = place.reader.map(|s| resolve_node(s, &self.reader_names));
            place.writer = place.writer.map(|s| resolve_node(s, &self.writer_names));
        }
        place.field = (!dotted.is_empty()).then_some(dotted);
        place
    }
}

struct Place<'a> {
    field: Option<String>,
    reader: Option<&'a Schema>,
    writer: Option<&'a Schema>,
    reader_field: Option<&'a RecordField>,
    /// The writer's union when the last step chose one of its branches.
    writer_union: Option<&'a Schema>,
}

fn items(schema: &Schema) -> Option<&Schema> {
    match schema {
        Schema::Array(a) => Some(&a.items),
        _ => None,
    }
}

fn values(schema: &Schema) -> Option<&Schema> {
    match schema {
        Schema::Map(m) => Some(&m.types),
        _ => None,
    }
}

fn full_name(schema: &Schema) -> Option<String> {
    match schema {
        Schema::Record(r) => Some(r.name.fullname(None)),
        Schema::Enum(e) => Some(e.name.fullname(None)),
        Schema::Fixed(f) => Some(f.name.fullname(None)),
        Schema::Decimal(d) => full_name(&d.inner),
        Schema::Ref { name } => Some(name.fullname(None)),
        _ => None,
    }
}

fn size(schema: &Schema) -> Option<String> {
    match schema {
        Schema::Fixed(f) => Some(f.size.to_string()),
        Schema::Decimal(d) => size(&d.inner),
        Schema::Duration => Some("12".into()),
        _ => None,
    }
}

fn symbols(schema: &Schema) -> Option<String> {
    match schema {
        Schema::Enum(e) => Some(format!("[{}]", e.symbols.join(", "))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::formats::{self, Direction, Reason};

    fn parse(text: &str) -> Box<formats::Parsed> {
        formats::parse(crate::model::SchemaType::Avro, text, &[], false).unwrap()
    }

    /// The reasons `new` cannot follow `old`, both directions, versions named v1 and v2.
    fn reasons(old: &str, new: &str) -> Vec<Reason> {
        formats::reasons(
            &*parse(new),
            &*parse(old),
            &[Direction::Backward, Direction::Forward],
            "v1",
            "v2",
        )
    }

    fn record(fields: &str) -> String {
        format!(r#"{{"type":"record","name":"Payment","namespace":"shop","fields":[{fields}]}}"#)
    }

    fn only(found: Vec<Reason>, kind: &str) -> Reason {
        let matching: Vec<Reason> = found.into_iter().filter(|r| r.kind == kind).collect();
        assert_eq!(matching.len(), 1, "{matching:#?}");
        matching.into_iter().next().unwrap()
    }

    #[test]
    fn a_type_mismatch_names_the_nested_field_and_both_types_once() {
        let old = record(
            r#"{"name":"payment","type":{"type":"record","name":"Money","fields":[{"name":"amount","type":"long"}]}}"#,
        );
        let new = record(
            r#"{"name":"payment","type":{"type":"record","name":"Money","fields":[{"name":"amount","type":"string"}]}}"#,
        );
        let r = only(reasons(&old, &new), "TYPE_MISMATCH");
        assert_eq!(r.field.as_deref(), Some("payment.amount"));
        assert_eq!(r.pointer, "/fields/0/type/fields/0/type");
        assert_eq!(
            (r.old.as_deref(), r.new.as_deref()),
            (Some("long"), Some("string"))
        );
        assert_eq!(r.breaks, [Direction::Backward, Direction::Forward]);
        assert_eq!(r.messages.len(), 2, "Confluent's message of each direction");
        assert!(r.text.starts_with("field `payment.amount` changed type from long to string: consumers on v2 cannot read messages written with v1"), "{}", r.text);
    }

    #[test]
    fn a_field_without_a_default_reads_as_added_or_removed() {
        let old = record(r#"{"name":"id","type":"string"},{"name":"note","type":"string"}"#);
        let new = record(r#"{"name":"id","type":"string"},{"name":"qty","type":"int"}"#);
        let found = reasons(&old, &new);
        let added = found
            .iter()
            .find(|r| r.field.as_deref() == Some("qty"))
            .unwrap();
        assert_eq!(added.kind, "READER_FIELD_MISSING_DEFAULT_VALUE");
        assert_eq!(
            (added.old.as_deref(), added.new.as_deref()),
            (None, Some("int without a default"))
        );
        assert_eq!(added.breaks, [Direction::Backward]);
        assert_eq!(added.text, "field `qty` was added as int without a default: consumers on v2 cannot read messages written with v1");
        let removed = found
            .iter()
            .find(|r| r.field.as_deref() == Some("note"))
            .unwrap();
        assert_eq!(removed.breaks, [Direction::Forward]);
        assert_eq!(
            (removed.old.as_deref(), removed.new.as_deref()),
            (Some("string without a default"), None)
        );
        assert_eq!(removed.text, "field `note` was removed (it was string without a default): consumers on v1 cannot read messages written with v2");
    }

    #[test]
    fn enum_symbols_names_and_sizes_show_both_values() {
        let old = record(
            r#"{"name":"status","type":{"type":"enum","name":"Status","symbols":["NEW","PAID","REFUNDED"]}},
               {"name":"hash","type":{"type":"fixed","name":"Hash","size":16}},
               {"name":"lines","type":{"type":"array","items":{"type":"record","name":"Line","fields":[{"name":"sku","type":"string"}]}}}"#,
        );
        let new = record(
            r#"{"name":"status","type":{"type":"enum","name":"Status","symbols":["NEW","PAID"]}},
               {"name":"hash","type":{"type":"fixed","name":"Digest","size":32}},
               {"name":"lines","type":{"type":"array","items":{"type":"record","name":"Line","fields":[{"name":"sku","type":"int"}]}}}"#,
        );
        let found = reasons(&old, &new);
        let symbols = only(found.clone(), "MISSING_ENUM_SYMBOLS");
        assert_eq!(symbols.field.as_deref(), Some("status"));
        assert_eq!(
            (symbols.old.as_deref(), symbols.new.as_deref()),
            (Some("[NEW, PAID, REFUNDED]"), Some("[NEW, PAID]"))
        );
        assert_eq!(symbols.breaks, [Direction::Backward]);
        assert!(
            symbols.text.starts_with(
                "field `status` changed symbols from [NEW, PAID, REFUNDED] to [NEW, PAID]"
            ),
            "{}",
            symbols.text
        );
        let name = only(found.clone(), "NAME_MISMATCH");
        assert_eq!(name.field.as_deref(), Some("hash"));
        assert_eq!(
            (name.old.as_deref(), name.new.as_deref()),
            (Some("shop.Hash"), Some("shop.Digest"))
        );
        let size = only(found.clone(), "FIXED_SIZE_MISMATCH");
        assert_eq!(
            (size.old.as_deref(), size.new.as_deref()),
            (Some("16"), Some("32"))
        );
        assert_eq!(
            size.text.split(':').next().unwrap(),
            "field `hash` changed size from 16 to 32"
        );
        let sku = found
            .iter()
            .find(|r| r.field.as_deref() == Some("lines[].sku"))
            .unwrap();
        assert_eq!(
            (sku.old.as_deref(), sku.new.as_deref()),
            (Some("string"), Some("int"))
        );
    }

    #[test]
    fn a_missing_union_branch_names_the_union_and_the_branch() {
        let old = record(r#"{"name":"coupon","type":["null","string","int"],"default":null}"#);
        let new = record(r#"{"name":"coupon","type":["null","string"],"default":null}"#);
        let r = only(reasons(&old, &new), "MISSING_UNION_BRANCH");
        assert_eq!(r.field.as_deref(), Some("coupon"));
        assert_eq!(
            (r.old.as_deref(), r.new.as_deref()),
            (Some("null | string | int"), Some("null | string"))
        );
        assert_eq!(r.breaks, [Direction::Backward]);
        assert!(r.text.starts_with("field `coupon` changed type from null | string | int to null | string: consumers on v2"), "{}", r.text);
    }
}
