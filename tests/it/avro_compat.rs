//! Table test for the Avro reader/writer compatibility checker.
//!
//! Each case is (reader, writer, expected verdict); incompatible cases also name the first
//! incompatibility's kind and location (a JSON pointer into the reader schema). Verdicts follow
//! the Avro specification's schema-resolution rules, as implemented by Avro's Java
//! `SchemaCompatibility`.

use apache_avro::Schema;
use herald::formats::avro::compat::{
    check_reader_writer, describe, Incompatibility, IncompatibilityKind,
};

use IncompatibilityKind::*;

struct Case {
    name: &'static str,
    reader: &'static str,
    writer: &'static str,
    /// `None` = compatible; otherwise the first incompatibility's kind and location.
    expect: Option<(IncompatibilityKind, &'static str)>,
}

const fn ok(name: &'static str, reader: &'static str, writer: &'static str) -> Case {
    Case {
        name,
        reader,
        writer,
        expect: None,
    }
}

const fn bad(
    name: &'static str,
    reader: &'static str,
    writer: &'static str,
    kind: IncompatibilityKind,
    location: &'static str,
) -> Case {
    Case {
        name,
        reader,
        writer,
        expect: Some((kind, location)),
    }
}

// Recurring schemas.
const LIST_INT: &str = r#"{"type":"record","name":"Node","fields":[
    {"name":"value","type":"int"},
    {"name":"next","type":["null","Node"],"default":null}]}"#;
const LIST_LONG: &str = r#"{"type":"record","name":"Node","fields":[
    {"name":"value","type":"long"},
    {"name":"next","type":["null","Node"],"default":null}]}"#;
const LIST_LONG_TAGGED: &str = r#"{"type":"record","name":"Node","fields":[
    {"name":"value","type":"long"},
    {"name":"next","type":["null","Node"],"default":null},
    {"name":"tag","type":"string","default":""}]}"#;
const TREE: &str = r#"{"type":"record","name":"Tree","namespace":"t","fields":[
    {"name":"value","type":"int"},
    {"name":"children","type":{"type":"array","items":"Tree"}}]}"#;
const TREE_EVOLVED: &str = r#"{"type":"record","name":"Tree","namespace":"t","fields":[
    {"name":"value","type":"double"},
    {"name":"children","type":{"type":"array","items":"t.Tree"}},
    {"name":"label","type":["null","string"],"default":null}]}"#;
const TREE_REQUIRED_LABEL: &str = r#"{"type":"record","name":"Tree","namespace":"t","fields":[
    {"name":"value","type":"int"},
    {"name":"children","type":{"type":"array","items":"Tree"}},
    {"name":"label","type":"string"}]}"#;

const NESTED_INT: &str = r#"{"type":"record","name":"L1","fields":[
    {"name":"l2","type":{"type":"record","name":"L2","fields":[
        {"name":"l3","type":{"type":"record","name":"L3","fields":[
            {"name":"v","type":"int"}]}}]}}]}"#;
const NESTED_LONG: &str = r#"{"type":"record","name":"L1","fields":[
    {"name":"l2","type":{"type":"record","name":"L2","fields":[
        {"name":"l3","type":{"type":"record","name":"L3","fields":[
            {"name":"v","type":"long"}]}}]}}]}"#;
const NESTED_LONG_EXTRA: &str = r#"{"type":"record","name":"L1","fields":[
    {"name":"l2","type":{"type":"record","name":"L2","fields":[
        {"name":"l3","type":{"type":"record","name":"L3","fields":[
            {"name":"v","type":"long"},
            {"name":"w","type":"string","default":"x"}]}}]}}]}"#;
const NESTED_LONG_REQUIRED: &str = r#"{"type":"record","name":"L1","fields":[
    {"name":"l2","type":{"type":"record","name":"L2","fields":[
        {"name":"l3","type":{"type":"record","name":"L3","fields":[
            {"name":"v","type":"long"},
            {"name":"w","type":"string"}]}}]}}]}"#;

const ENUM_AB: &str = r#"{"type":"enum","name":"E","symbols":["A","B"]}"#;
const ENUM_ABC: &str = r#"{"type":"enum","name":"E","symbols":["A","B","C"]}"#;
const ENUM_AB_DEFAULT: &str = r#"{"type":"enum","name":"E","symbols":["A","B"],"default":"A"}"#;

const CASES: &[Case] = &[
    // ---- primitive promotions (allowed) --------------------------------------------------
    ok("int_read_as_long", r#""long""#, r#""int""#),
    ok("int_read_as_float", r#""float""#, r#""int""#),
    ok("int_read_as_double", r#""double""#, r#""int""#),
    ok("long_read_as_float", r#""float""#, r#""long""#),
    ok("long_read_as_double", r#""double""#, r#""long""#),
    ok("float_read_as_double", r#""double""#, r#""float""#),
    ok("string_read_as_bytes", r#""bytes""#, r#""string""#),
    ok("bytes_read_as_string", r#""string""#, r#""bytes""#),
    ok("same_primitive", r#""boolean""#, r#"{"type":"boolean"}"#),
    // ---- narrowing and other mismatches --------------------------------------------------
    bad(
        "long_read_as_int",
        r#""int""#,
        r#""long""#,
        TypeMismatch,
        "/",
    ),
    bad(
        "float_read_as_int",
        r#""int""#,
        r#""float""#,
        TypeMismatch,
        "/",
    ),
    bad(
        "double_read_as_float",
        r#""float""#,
        r#""double""#,
        TypeMismatch,
        "/",
    ),
    bad(
        "float_read_as_long",
        r#""long""#,
        r#""float""#,
        TypeMismatch,
        "/",
    ),
    bad(
        "double_read_as_long",
        r#""long""#,
        r#""double""#,
        TypeMismatch,
        "/",
    ),
    bad(
        "string_read_as_int",
        r#""int""#,
        r#""string""#,
        TypeMismatch,
        "/",
    ),
    bad(
        "int_read_as_string",
        r#""string""#,
        r#""int""#,
        TypeMismatch,
        "/",
    ),
    bad(
        "int_read_as_boolean",
        r#""boolean""#,
        r#""int""#,
        TypeMismatch,
        "/",
    ),
    bad(
        "int_read_as_null",
        r#""null""#,
        r#""int""#,
        TypeMismatch,
        "/",
    ),
    bad(
        "map_read_as_array",
        r#"{"type":"array","items":"int"}"#,
        r#"{"type":"map","values":"int"}"#,
        TypeMismatch,
        "/",
    ),
    bad(
        "string_read_as_record",
        r#"{"type":"record","name":"R","fields":[]}"#,
        r#""string""#,
        TypeMismatch,
        "/",
    ),
    bad(
        "field_int_to_string",
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"string"}]}"#,
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}"#,
        TypeMismatch,
        "/fields/0/type",
    ),
    ok(
        "field_int_promoted_to_long",
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"long"}]}"#,
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}"#,
    ),
    // ---- record fields -------------------------------------------------------------------
    ok(
        "added_field_with_default",
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"string","default":"x"}]}"#,
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}"#,
    ),
    ok(
        "added_optional_field_with_null_default",
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":["null","string"],"default":null}]}"#,
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}"#,
    ),
    bad(
        "added_field_without_default",
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"string"}]}"#,
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}"#,
        ReaderFieldMissingDefaultValue,
        "/fields/1",
    ),
    bad(
        "added_optional_field_without_default",
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":["null","string"]}]}"#,
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}"#,
        ReaderFieldMissingDefaultValue,
        "/fields/1",
    ),
    ok(
        "removed_field",
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}"#,
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"string"}]}"#,
    ),
    ok(
        "renamed_field_via_reader_alias",
        r#"{"type":"record","name":"R","fields":[{"name":"b","aliases":["a"],"type":"long"}]}"#,
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}"#,
    ),
    bad(
        "renamed_field_without_alias",
        r#"{"type":"record","name":"R","fields":[{"name":"b","type":"int"}]}"#,
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}"#,
        ReaderFieldMissingDefaultValue,
        "/fields/0",
    ),
    bad(
        "renamed_field_writer_alias_ignored",
        r#"{"type":"record","name":"R","fields":[{"name":"b","type":"int"}]}"#,
        r#"{"type":"record","name":"R","fields":[{"name":"a","aliases":["b"],"type":"int"}]}"#,
        ReaderFieldMissingDefaultValue,
        "/fields/0",
    ),
    bad(
        "renamed_field_alias_but_type_narrowed",
        r#"{"type":"record","name":"R","fields":[{"name":"b","aliases":["a"],"type":"int"}]}"#,
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"long"}]}"#,
        TypeMismatch,
        "/fields/0/type",
    ),
    // ---- record names --------------------------------------------------------------------
    ok(
        "record_renamed_via_reader_alias",
        r#"{"type":"record","name":"New","aliases":["Old"],"fields":[{"name":"a","type":"int"}]}"#,
        r#"{"type":"record","name":"Old","fields":[{"name":"a","type":"int"}]}"#,
    ),
    ok(
        "record_renamed_via_full_name_alias_across_namespaces",
        r#"{"type":"record","name":"New","namespace":"com.b","aliases":["com.a.Old"],"fields":[]}"#,
        r#"{"type":"record","name":"Old","namespace":"com.a","fields":[]}"#,
    ),
    ok(
        "record_renamed_via_short_alias_in_reader_namespace",
        r#"{"type":"record","name":"New","namespace":"com.a","aliases":["Old"],"fields":[]}"#,
        r#"{"type":"record","name":"Old","namespace":"com.a","fields":[]}"#,
    ),
    bad(
        "record_renamed_short_alias_resolves_to_wrong_namespace",
        r#"{"type":"record","name":"New","namespace":"com.b","aliases":["Old"],"fields":[]}"#,
        r#"{"type":"record","name":"Old","namespace":"com.a","fields":[]}"#,
        NameMismatch,
        "/name",
    ),
    bad(
        "record_renamed_without_alias",
        r#"{"type":"record","name":"New","fields":[{"name":"a","type":"int"}]}"#,
        r#"{"type":"record","name":"Old","fields":[{"name":"a","type":"int"}]}"#,
        NameMismatch,
        "/name",
    ),
    ok(
        "record_namespace_only_change",
        r#"{"type":"record","name":"R","namespace":"com.b","fields":[{"name":"a","type":"int"}]}"#,
        r#"{"type":"record","name":"R","namespace":"com.a","fields":[{"name":"a","type":"int"}]}"#,
    ),
    // ---- enums ---------------------------------------------------------------------------
    ok("enum_symbol_added", ENUM_ABC, ENUM_AB),
    bad(
        "enum_symbol_removed",
        ENUM_AB,
        ENUM_ABC,
        MissingEnumSymbols,
        "/symbols",
    ),
    ok(
        "enum_reader_default_covers_unknown_symbol",
        ENUM_AB_DEFAULT,
        ENUM_ABC,
    ),
    ok(
        "enum_default_irrelevant_same_symbols",
        ENUM_AB_DEFAULT,
        ENUM_AB,
    ),
    ok(
        "enum_symbols_reordered",
        r#"{"type":"enum","name":"E","symbols":["B","A"]}"#,
        ENUM_AB,
    ),
    bad(
        "enum_default_does_not_help_rename",
        r#"{"type":"enum","name":"F","symbols":["A","B"],"default":"A"}"#,
        ENUM_AB,
        NameMismatch,
        "/name",
    ),
    bad(
        "enum_field_with_enum_default_but_no_field_default",
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},
            {"name":"e","type":{"type":"enum","name":"E","symbols":["A","B"],"default":"A"}}]}"#,
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}"#,
        TypeMismatch,
        "/fields/1/type",
    ),
    bad(
        "enum_symbol_removed_in_field",
        r#"{"type":"record","name":"R","fields":[{"name":"e","type":{"type":"enum","name":"E","symbols":["A"]}}]}"#,
        r#"{"type":"record","name":"R","fields":[{"name":"e","type":{"type":"enum","name":"E","symbols":["A","B"]}}]}"#,
        MissingEnumSymbols,
        "/fields/0/type/symbols",
    ),
    // ---- unions --------------------------------------------------------------------------
    ok("plain_read_as_nullable", r#"["null","int"]"#, r#""int""#),
    bad(
        "nullable_read_as_plain",
        r#""int""#,
        r#"["null","int"]"#,
        TypeMismatch,
        "/0",
    ),
    ok(
        "union_branch_added",
        r#"["null","int","string"]"#,
        r#"["null","int"]"#,
    ),
    bad(
        "union_branch_removed",
        r#"["null","int"]"#,
        r#"["null","int","string"]"#,
        MissingUnionBranch,
        "/2",
    ),
    ok(
        "union_reordered",
        r#"["string","int","null"]"#,
        r#"["null","int","string"]"#,
    ),
    ok(
        "union_branch_promoted",
        r#"["null","long"]"#,
        r#"["null","int"]"#,
    ),
    ok(
        "union_writer_all_promotable",
        r#""double""#,
        r#"["int","long","float"]"#,
    ),
    bad(
        "union_writer_branch_not_promotable",
        r#""float""#,
        r#"["int","long","float","double"]"#,
        TypeMismatch,
        "/3",
    ),
    bad(
        "reader_union_lacks_writer_type",
        r#"["null","int"]"#,
        r#""string""#,
        MissingUnionBranch,
        "/",
    ),
    bad(
        "field_union_lacks_writer_type",
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":["null","string"],"default":null}]}"#,
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}"#,
        MissingUnionBranch,
        "/fields/0/type",
    ),
    bad(
        "field_union_branch_removed",
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":["null","int"]}]}"#,
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":["null","string"]}]}"#,
        MissingUnionBranch,
        "/fields/0/type/1",
    ),
    bad(
        "field_nullable_made_required",
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"string"}]}"#,
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":["null","string"]}]}"#,
        TypeMismatch,
        "/fields/0/type/0",
    ),
    ok(
        "union_of_records_by_name",
        r#"[{"type":"record","name":"A","fields":[]},{"type":"record","name":"B","fields":[]}]"#,
        r#"[{"type":"record","name":"B","fields":[]}]"#,
    ),
    // ---- arrays and maps -----------------------------------------------------------------
    ok(
        "array_items_promoted",
        r#"{"type":"array","items":"long"}"#,
        r#"{"type":"array","items":"int"}"#,
    ),
    bad(
        "array_items_narrowed",
        r#"{"type":"array","items":"int"}"#,
        r#"{"type":"array","items":"long"}"#,
        TypeMismatch,
        "/items",
    ),
    ok(
        "map_values_promoted",
        r#"{"type":"map","values":"double"}"#,
        r#"{"type":"map","values":"int"}"#,
    ),
    bad(
        "map_values_narrowed",
        r#"{"type":"map","values":"int"}"#,
        r#"{"type":"map","values":"double"}"#,
        TypeMismatch,
        "/values",
    ),
    ok(
        "map_of_arrays_nested_promotion",
        r#"{"type":"map","values":{"type":"array","items":["null","double"]}}"#,
        r#"{"type":"map","values":{"type":"array","items":"float"}}"#,
    ),
    bad(
        "array_of_records_field_without_default",
        r#"{"type":"array","items":{"type":"record","name":"I","fields":[{"name":"a","type":"int"},{"name":"b","type":"int"}]}}"#,
        r#"{"type":"array","items":{"type":"record","name":"I","fields":[{"name":"a","type":"int"}]}}"#,
        ReaderFieldMissingDefaultValue,
        "/items/fields/1",
    ),
    // ---- nested records (three levels) ---------------------------------------------------
    ok("nested_three_levels_promotion", NESTED_LONG, NESTED_INT),
    ok(
        "nested_three_levels_added_default",
        NESTED_LONG_EXTRA,
        NESTED_INT,
    ),
    bad(
        "nested_three_levels_narrowing",
        NESTED_INT,
        NESTED_LONG,
        TypeMismatch,
        "/fields/0/type/fields/0/type/fields/0/type",
    ),
    bad(
        "nested_three_levels_added_required",
        NESTED_LONG_REQUIRED,
        NESTED_INT,
        ReaderFieldMissingDefaultValue,
        "/fields/0/type/fields/0/type/fields/1",
    ),
    // ---- recursive records ---------------------------------------------------------------
    ok("linked_list_identical", LIST_INT, LIST_INT),
    ok(
        "linked_list_compatible_evolution",
        LIST_LONG_TAGGED,
        LIST_INT,
    ),
    bad(
        "linked_list_incompatible_evolution",
        LIST_INT,
        LIST_LONG,
        TypeMismatch,
        "/fields/0/type",
    ),
    ok("tree_identical", TREE, TREE),
    ok("tree_compatible_evolution", TREE_EVOLVED, TREE),
    bad(
        "tree_incompatible_evolution",
        TREE_REQUIRED_LABEL,
        TREE,
        ReaderFieldMissingDefaultValue,
        "/fields/2",
    ),
    bad(
        "tree_narrowed_value",
        TREE,
        TREE_EVOLVED,
        TypeMismatch,
        "/fields/0/type",
    ),
    // ---- fixed ---------------------------------------------------------------------------
    ok(
        "fixed_same",
        r#"{"type":"fixed","name":"F","size":16}"#,
        r#"{"type":"fixed","name":"F","size":16}"#,
    ),
    bad(
        "fixed_size_changed",
        r#"{"type":"fixed","name":"F","size":8}"#,
        r#"{"type":"fixed","name":"F","size":16}"#,
        FixedSizeMismatch,
        "/size",
    ),
    bad(
        "fixed_renamed",
        r#"{"type":"fixed","name":"G","size":16}"#,
        r#"{"type":"fixed","name":"F","size":16}"#,
        NameMismatch,
        "/name",
    ),
    ok(
        "fixed_renamed_via_alias",
        r#"{"type":"fixed","name":"G","aliases":["F"],"size":16}"#,
        r#"{"type":"fixed","name":"F","size":16}"#,
    ),
    bad(
        "fixed_read_as_bytes",
        r#""bytes""#,
        r#"{"type":"fixed","name":"F","size":16}"#,
        TypeMismatch,
        "/",
    ),
    // ---- logical types (compared as their underlying types) ------------------------------
    ok(
        "decimal_bytes_precision_changed",
        r#"{"type":"bytes","logicalType":"decimal","precision":10,"scale":2}"#,
        r#"{"type":"bytes","logicalType":"decimal","precision":4,"scale":1}"#,
    ),
    ok(
        "decimal_bytes_read_from_plain_bytes",
        r#"{"type":"bytes","logicalType":"decimal","precision":10,"scale":2}"#,
        r#""bytes""#,
    ),
    ok(
        "decimal_fixed_same_size",
        r#"{"type":"fixed","name":"D","size":8,"logicalType":"decimal","precision":18,"scale":2}"#,
        r#"{"type":"fixed","name":"D","size":8,"logicalType":"decimal","precision":10,"scale":4}"#,
    ),
    bad(
        "decimal_fixed_size_changed",
        r#"{"type":"fixed","name":"D","size":8,"logicalType":"decimal","precision":18,"scale":2}"#,
        r#"{"type":"fixed","name":"D","size":16,"logicalType":"decimal","precision":18,"scale":2}"#,
        FixedSizeMismatch,
        "/size",
    ),
    bad(
        "decimal_fixed_read_from_decimal_bytes",
        r#"{"type":"fixed","name":"D","size":8,"logicalType":"decimal","precision":18,"scale":2}"#,
        r#"{"type":"bytes","logicalType":"decimal","precision":18,"scale":2}"#,
        TypeMismatch,
        "/",
    ),
    ok(
        "timestamp_millis_read_from_long",
        r#"{"type":"long","logicalType":"timestamp-millis"}"#,
        r#""long""#,
    ),
    ok(
        "long_read_from_timestamp_millis",
        r#""long""#,
        r#"{"type":"long","logicalType":"timestamp-millis"}"#,
    ),
    ok(
        "timestamp_micros_read_from_timestamp_millis",
        r#"{"type":"long","logicalType":"timestamp-micros"}"#,
        r#"{"type":"long","logicalType":"timestamp-millis"}"#,
    ),
    ok(
        "local_timestamp_read_from_int",
        r#"{"type":"long","logicalType":"local-timestamp-micros"}"#,
        r#""int""#,
    ),
    ok(
        "date_read_from_int",
        r#"{"type":"int","logicalType":"date"}"#,
        r#""int""#,
    ),
    ok(
        "int_read_from_date",
        r#""int""#,
        r#"{"type":"int","logicalType":"date"}"#,
    ),
    bad(
        "date_read_from_long",
        r#"{"type":"int","logicalType":"date"}"#,
        r#""long""#,
        TypeMismatch,
        "/",
    ),
    ok(
        "uuid_read_from_string",
        r#"{"type":"string","logicalType":"uuid"}"#,
        r#""string""#,
    ),
    ok(
        "string_read_from_uuid",
        r#""string""#,
        r#"{"type":"string","logicalType":"uuid"}"#,
    ),
    bad(
        "uuid_read_from_int",
        r#"{"type":"string","logicalType":"uuid"}"#,
        r#""int""#,
        TypeMismatch,
        "/",
    ),
];

fn parse(case: &str, side: &str, json: &str) -> Schema {
    Schema::parse_str(json).unwrap_or_else(|e| panic!("{case}: bad {side} schema: {e}"))
}

#[test]
fn compatibility_table() {
    assert!(CASES.len() >= 60, "only {} cases", CASES.len());
    let mut failures = Vec::new();
    for case in CASES {
        let reader = parse(case.name, "reader", case.reader);
        let writer = parse(case.name, "writer", case.writer);
        let found = check_reader_writer(&reader, &writer);
        let ok = match (&case.expect, found.first()) {
            (None, None) => true,
            (Some((kind, location)), Some(first)) => {
                first.kind == *kind && first.location == *location
            }
            _ => false,
        };
        if !ok {
            failures.push(format!(
                "{}: expected {:?}, found {:?}",
                case.name, case.expect, found
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n")
    );
}

fn check(reader: &str, writer: &str) -> Vec<Incompatibility> {
    check_reader_writer(
        &Schema::parse_str(reader).unwrap(),
        &Schema::parse_str(writer).unwrap(),
    )
}

fn inc(kind: IncompatibilityKind, location: &str, message: &str) -> Incompatibility {
    Incompatibility {
        kind,
        location: location.to_string(),
        message: message.to_string(),
    }
}

#[test]
fn collects_every_incompatibility_with_avro_messages() {
    let reader = r#"{"type":"record","name":"R","fields":[
        {"name":"a","type":"int"},
        {"name":"b","type":"string"},
        {"name":"e","type":{"type":"enum","name":"E","symbols":["A"]}},
        {"name":"f","type":{"type":"fixed","name":"F","size":8}},
        {"name":"u","type":["null","int"]}]}"#;
    let writer = r#"{"type":"record","name":"R","fields":[
        {"name":"a","type":"long"},
        {"name":"e","type":{"type":"enum","name":"E","symbols":["C","A","B"]}},
        {"name":"f","type":{"type":"fixed","name":"G","size":16}},
        {"name":"u","type":["null","int","string"]}]}"#;
    assert_eq!(
        check(reader, writer),
        vec![
            inc(
                TypeMismatch,
                "/fields/0/type",
                "reader type: INT not compatible with writer type: LONG"
            ),
            inc(ReaderFieldMissingDefaultValue, "/fields/1", "b"),
            inc(MissingEnumSymbols, "/fields/2/type/symbols", "[B, C]"),
            inc(NameMismatch, "/fields/3/type/name", "expected: G"),
            inc(
                FixedSizeMismatch,
                "/fields/3/type/size",
                "expected: 16, found: 8"
            ),
            inc(
                MissingUnionBranch,
                "/fields/4/type/2",
                "reader union lacking writer type: STRING"
            ),
        ]
    );
}

#[test]
fn name_mismatch_message_uses_writer_full_name() {
    let found = check(
        r#"{"type":"record","name":"B","namespace":"x","fields":[]}"#,
        r#"{"type":"record","name":"A","namespace":"y.z","fields":[]}"#,
    );
    assert_eq!(found, vec![inc(NameMismatch, "/name", "expected: y.z.A")]);
}

#[test]
fn writer_union_reports_each_failing_branch() {
    let found = check(r#""int""#, r#"["null","int","long"]"#);
    assert_eq!(
        found,
        vec![
            inc(
                TypeMismatch,
                "/0",
                "reader type: INT not compatible with writer type: NULL"
            ),
            inc(
                TypeMismatch,
                "/2",
                "reader type: INT not compatible with writer type: LONG"
            ),
        ]
    );
}

#[test]
fn reader_union_missing_branch_message() {
    let found = check(
        r#"["null","int"]"#,
        r#"{"type":"record","name":"R","fields":[]}"#,
    );
    assert_eq!(
        found,
        vec![inc(
            MissingUnionBranch,
            "/",
            "reader union lacking writer type: RECORD"
        )]
    );
}

#[test]
fn kind_strings() {
    assert_eq!(NameMismatch.as_str(), "NAME_MISMATCH");
    assert_eq!(FixedSizeMismatch.as_str(), "FIXED_SIZE_MISMATCH");
    assert_eq!(MissingEnumSymbols.as_str(), "MISSING_ENUM_SYMBOLS");
    assert_eq!(
        ReaderFieldMissingDefaultValue.as_str(),
        "READER_FIELD_MISSING_DEFAULT_VALUE"
    );
    assert_eq!(TypeMismatch.as_str(), "TYPE_MISMATCH");
    assert_eq!(MissingUnionBranch.as_str(), "MISSING_UNION_BRANCH");
}

#[test]
fn describe_backward_missing_default() {
    let i = inc(ReaderFieldMissingDefaultValue, "/fields/1", "f2");
    assert_eq!(
        describe(&i, true),
        "{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'f2' at path '/fields/1' in the new schema has no default value and is missing in the old schema', additionalInfo:'f2'}"
    );
}

#[test]
fn describe_forward_missing_default() {
    let i = inc(ReaderFieldMissingDefaultValue, "/fields/0", "visit_id");
    assert_eq!(
        describe(&i, false),
        "{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'visit_id' at path '/fields/0' in the old schema has no default value and is missing in the new schema', additionalInfo:'visit_id'}"
    );
}

#[test]
fn describe_type_mismatch_both_directions() {
    let i = inc(
        TypeMismatch,
        "/fields/0/type",
        "reader type: INT not compatible with writer type: LONG",
    );
    assert_eq!(
        describe(&i, true),
        "{errorType:'TYPE_MISMATCH', description:'The type (path '/fields/0/type') of a field in the new schema does not match with the old schema', additionalInfo:'reader type: INT not compatible with writer type: LONG'}"
    );
    assert_eq!(
        describe(&i, false),
        "{errorType:'TYPE_MISMATCH', description:'The type (path '/fields/0/type') of a field in the old schema does not match with the new schema', additionalInfo:'reader type: INT not compatible with writer type: LONG'}"
    );
}

#[test]
fn describe_other_kinds() {
    assert_eq!(
        describe(&inc(MissingEnumSymbols, "/symbols", "[C]"), true),
        "{errorType:'MISSING_ENUM_SYMBOLS', description:'The new schema is missing enum symbols '[C]' at path '/symbols' in the old schema', additionalInfo:'[C]'}"
    );
    assert_eq!(
        describe(&inc(NameMismatch, "/name", "expected: Foo"), false),
        "{errorType:'NAME_MISMATCH', description:'The name of the schema has changed (path '/name')', additionalInfo:'expected: Foo'}"
    );
    assert_eq!(
        describe(&inc(FixedSizeMismatch, "/size", "expected: 16, found: 8"), false),
        "{errorType:'FIXED_SIZE_MISMATCH', description:'The size of FIXED type field at path '/size' in the old schema does not match with the new schema', additionalInfo:'expected: 16, found: 8'}"
    );
    assert_eq!(
        describe(
            &inc(
                MissingUnionBranch,
                "/fields/1/type/0",
                "reader union lacking writer type: LONG"
            ),
            true
        ),
        "{errorType:'MISSING_UNION_BRANCH', description:'The new schema is missing a type inside a union field at path '/fields/1/type/0' in the old schema', additionalInfo:'reader union lacking writer type: LONG'}"
    );
}

#[test]
fn describe_end_to_end_backward_and_forward() {
    let old = r#"{"type":"record","name":"R","fields":[{"name":"f1","type":"string"}]}"#;
    let new = r#"{"type":"record","name":"R","fields":[{"name":"f1","type":"string"},{"name":"f2","type":"string"}]}"#;
    // BACKWARD: new schema reads old data.
    let backward: Vec<String> = check(new, old).iter().map(|i| describe(i, true)).collect();
    assert_eq!(
        backward,
        vec!["{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'f2' at path '/fields/1' in the new schema has no default value and is missing in the old schema', additionalInfo:'f2'}"]
    );
    // FORWARD: old schema reads new data; dropping a field is fine.
    assert!(check(old, new).is_empty());
    // FORWARD failure: the new schema drops f1, which the old reader requires.
    let newer = r#"{"type":"record","name":"R","fields":[{"name":"f2","type":"string"}]}"#;
    let forward: Vec<String> = check(old, newer)
        .iter()
        .map(|i| describe(i, false))
        .collect();
    assert_eq!(
        forward,
        vec!["{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'f1' at path '/fields/0' in the old schema has no default value and is missing in the new schema', additionalInfo:'f1'}"]
    );
}

#[test]
fn named_type_references_resolve_and_memoise_like_avro() {
    let reader = r#"{"type":"record","name":"R","namespace":"n","fields":[
        {"name":"a","type":{"type":"record","name":"Inner","fields":[{"name":"x","type":"int"}]}},
        {"name":"b","type":"Inner"},
        {"name":"c","type":"n.Inner"}]}"#;
    let writer = r#"{"type":"record","name":"R","namespace":"n","fields":[
        {"name":"a","type":{"type":"record","name":"Inner","fields":[{"name":"x","type":"long"}]}},
        {"name":"b","type":"Inner"},
        {"name":"c","type":"string"}]}"#;
    let mismatch = "reader type: INT not compatible with writer type: LONG";
    // Avro memoises (reader, writer) node pairs: the second use of Inner returns the first
    // result, location included.
    assert_eq!(
        check(reader, writer),
        vec![
            inc(TypeMismatch, "/fields/0/type/fields/0/type", mismatch),
            inc(TypeMismatch, "/fields/0/type/fields/0/type", mismatch),
            inc(
                TypeMismatch,
                "/fields/2/type",
                "reader type: RECORD not compatible with writer type: STRING"
            ),
        ]
    );
}

#[test]
fn recursive_union_reference_is_checked() {
    // The recursive branch resolves to the record: an int writer branch cannot be read.
    let reader = r#"{"type":"record","name":"Node","fields":[
        {"name":"next","type":["null","Node"]}]}"#;
    let writer = r#"{"type":"record","name":"Node","fields":[
        {"name":"next","type":["null","Node","int"]}]}"#;
    assert_eq!(
        check(reader, writer),
        vec![inc(
            MissingUnionBranch,
            "/fields/0/type/2",
            "reader union lacking writer type: INT"
        )]
    );
}
