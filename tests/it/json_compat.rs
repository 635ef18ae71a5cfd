//! Table test for JSON Schema compatibility, through the real server.
//!
//! Each case is an old and a new schema with the verdict Confluent's JSON Schema checker gives
//! (STRICT policy) in each direction: BACKWARD diffs old → new, FORWARD diffs new → old, and a
//! difference outside the compatible set breaks compatibility. An incompatible verdict names
//! the difference type expected among the messages. FULL must be both; registration under
//! BACKWARD must answer 200 or 409 accordingly.

use crate::common::*;
use serde_json::{json, Value};

struct Case {
    name: &'static str,
    old: Value,
    new: Value,
    /// `None`: compatible; `Some(type)`: incompatible with that difference type reported.
    backward: Option<&'static str>,
    forward: Option<&'static str>,
}

fn case(
    name: &'static str,
    old: Value,
    new: Value,
    backward: Option<&'static str>,
    forward: Option<&'static str>,
) -> Case {
    Case {
        name,
        old,
        new,
        backward,
        forward,
    }
}

const OK: Option<&str> = None;

fn object(properties: Value) -> Value {
    json!({"type": "object", "properties": properties})
}

fn closed(properties: Value) -> Value {
    json!({"type": "object", "properties": properties, "additionalProperties": false})
}

fn cases() -> Vec<Case> {
    let s = json!({"type": "string"});
    let int = json!({"type": "integer"});
    let num = json!({"type": "number"});
    let tree = |name: Value| {
        json!({"type": "object", "properties": {
            "name": name,
            "children": {"type": "array", "items": {"$ref": "#"}}}})
    };
    vec![
        // ---- cosmetic ---------------------------------------------------------------------
        case("identical", s.clone(), s.clone(), OK, OK),
        case(
            "description_and_title_changed",
            json!({"type": "string", "description": "a", "title": "A"}),
            json!({"type": "string", "description": "b"}),
            OK,
            OK,
        ),
        case(
            "default_changed",
            json!({"type": "string", "default": "x"}),
            json!({"type": "string", "default": "y"}),
            OK,
            OK,
        ),
        // ---- types --------------------------------------------------------------------------
        case(
            "integer_widened_to_number",
            int.clone(),
            num.clone(),
            OK,
            Some("TYPE_NARROWED"),
        ),
        case(
            "string_to_integer",
            s.clone(),
            int.clone(),
            Some("TYPE_CHANGED"),
            Some("TYPE_CHANGED"),
        ),
        case(
            "string_made_nullable_by_type_list",
            s.clone(),
            json!({"type": ["string", "null"]}),
            OK,
            Some("TYPE_CHANGED"),
        ),
        case(
            "type_list_integer_widened",
            json!({"type": ["integer", "null"]}),
            json!({"type": ["number", "null"]}),
            OK,
            Some("COMBINED_TYPE_SUBSCHEMAS_CHANGED"),
        ),
        case(
            "false_to_anything_and_anything_to_empty",
            json!(false),
            s.clone(),
            OK,
            Some("TYPE_CHANGED"),
        ),
        case(
            "constrained_to_empty_schema",
            s.clone(),
            json!({}),
            OK,
            Some("TYPE_CHANGED"),
        ),
        case(
            "connect_bytes_are_one_type",
            json!({"type": "string", "connect.type": "bytes"}),
            json!({"type": ["string", "null"], "connect.type": "bytes"}),
            OK,
            OK,
        ),
        // ---- strings ------------------------------------------------------------------------
        case(
            "max_length_added",
            s.clone(),
            json!({"type": "string", "maxLength": 10}),
            Some("MAX_LENGTH_ADDED"),
            OK,
        ),
        case(
            "max_length_increased",
            json!({"type": "string", "maxLength": 10}),
            json!({"type": "string", "maxLength": 20}),
            OK,
            Some("MAX_LENGTH_DECREASED"),
        ),
        case(
            "min_length_increased",
            json!({"type": "string", "minLength": 1}),
            json!({"type": "string", "minLength": 5}),
            Some("MIN_LENGTH_INCREASED"),
            OK,
        ),
        case(
            "pattern_added",
            s.clone(),
            json!({"type": "string", "pattern": "^[a-z]+$"}),
            Some("PATTERN_ADDED"),
            OK,
        ),
        case(
            "pattern_changed",
            json!({"type": "string", "pattern": "^[a-z]+$"}),
            json!({"type": "string", "pattern": "^[A-Z]+$"}),
            Some("PATTERN_CHANGED"),
            Some("PATTERN_CHANGED"),
        ),
        // ---- numbers ------------------------------------------------------------------------
        case(
            "maximum_decreased",
            json!({"type": "number", "maximum": 100}),
            json!({"type": "number", "maximum": 50}),
            Some("MAXIMUM_DECREASED"),
            OK,
        ),
        case(
            "minimum_removed",
            json!({"type": "number", "minimum": 0}),
            num.clone(),
            OK,
            Some("MINIMUM_ADDED"),
        ),
        case(
            "exclusive_maximum_added",
            num.clone(),
            json!({"type": "number", "exclusiveMaximum": 10}),
            Some("EXCLUSIVE_MAXIMUM_ADDED"),
            OK,
        ),
        case(
            "multiple_of_expanded",
            json!({"type": "integer", "multipleOf": 2}),
            json!({"type": "integer", "multipleOf": 4}),
            Some("MULTIPLE_OF_EXPANDED"),
            OK,
        ),
        case(
            "multiple_of_changed",
            json!({"type": "integer", "multipleOf": 2}),
            json!({"type": "integer", "multipleOf": 3}),
            Some("MULTIPLE_OF_CHANGED"),
            Some("MULTIPLE_OF_CHANGED"),
        ),
        // ---- enums --------------------------------------------------------------------------
        case(
            "enum_extended",
            json!({"enum": ["a", "b"]}),
            json!({"enum": ["a", "b", "c"]}),
            OK,
            Some("ENUM_ARRAY_NARROWED"),
        ),
        case(
            "enum_changed",
            json!({"enum": ["a", "b"]}),
            json!({"enum": ["a", "c"]}),
            Some("ENUM_ARRAY_CHANGED"),
            Some("ENUM_ARRAY_CHANGED"),
        ),
        case(
            "typed_enum_extended",
            json!({"type": "string", "enum": ["a", "b"]}),
            json!({"type": "string", "enum": ["a", "b", "c"]}),
            OK,
            Some("COMBINED_TYPE_SUBSCHEMAS_CHANGED"),
        ),
        // ---- objects: open content model ---------------------------------------------------
        case(
            "optional_property_added_to_open_model",
            object(json!({"a": s})),
            object(json!({"a": s, "b": s})),
            Some("OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL"),
            OK,
        ),
        case(
            "property_removed_from_open_model",
            object(json!({"a": s, "b": s})),
            object(json!({"a": s})),
            OK,
            Some("OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL"),
        ),
        case(
            "required_property_added_to_open_model",
            object(json!({"a": s})),
            json!({"type": "object", "properties": {"a": s, "b": s}, "required": ["b"]}),
            Some("REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL"),
            OK,
        ),
        case(
            "property_with_empty_schema_added_to_open_model",
            object(json!({"a": s})),
            object(json!({"a": s, "b": {}})),
            OK,
            OK,
        ),
        // ---- objects: closed content model -------------------------------------------------
        case(
            "optional_property_added_to_closed_model",
            closed(json!({"a": s})),
            closed(json!({"a": s, "b": s})),
            OK,
            Some("PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL"),
        ),
        case(
            "property_removed_from_closed_model",
            closed(json!({"a": s, "b": s})),
            closed(json!({"a": s})),
            Some("PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL"),
            OK,
        ),
        case(
            "required_property_without_default_added_to_closed_model",
            closed(json!({"a": s})),
            json!({"type": "object", "properties": {"a": s, "b": s}, "required": ["b"],
                   "additionalProperties": false}),
            Some("REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL"),
            Some("PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL"),
        ),
        case(
            "required_property_with_default_added_to_closed_model",
            closed(json!({"a": s})),
            json!({"type": "object", "properties": {"a": s, "b": {"type": "string", "default": "x"}},
                   "required": ["b"], "additionalProperties": false}),
            OK,
            Some("PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL"),
        ),
        case(
            "property_with_false_removed_from_closed_model",
            closed(json!({"a": s, "b": false})),
            closed(json!({"a": s})),
            OK,
            OK,
        ),
        // ---- objects: partially open content model -----------------------------------------
        case(
            "property_added_covered_by_pattern_properties",
            json!({"type": "object", "properties": {"a": s}, "patternProperties": {"^x_": s}}),
            json!({"type": "object", "properties": {"a": s, "x_note": s}, "patternProperties": {"^x_": s}}),
            OK,
            OK,
        ),
        case(
            "property_added_not_covered_by_additional_properties_schema",
            json!({"type": "object", "properties": {"a": s}, "additionalProperties": s}),
            json!({"type": "object", "properties": {"a": s, "n": int}, "additionalProperties": s}),
            Some("PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"),
            Some("PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"),
        ),
        // ---- objects: required, additional and other keywords ------------------------------
        case(
            "existing_property_made_required",
            object(json!({"a": s})),
            json!({"type": "object", "properties": {"a": s}, "required": ["a"]}),
            Some("REQUIRED_ATTRIBUTE_ADDED"),
            OK,
        ),
        case(
            "existing_property_with_default_made_required",
            object(json!({"a": {"type": "string", "default": "x"}})),
            json!({"type": "object", "properties": {"a": {"type": "string", "default": "x"}}, "required": ["a"]}),
            OK,
            OK,
        ),
        case(
            "open_model_closed",
            object(json!({"a": s})),
            closed(json!({"a": s})),
            Some("ADDITIONAL_PROPERTIES_REMOVED"),
            OK,
        ),
        case(
            "additional_properties_narrowed_to_a_schema",
            object(json!({"a": s})),
            json!({"type": "object", "properties": {"a": s}, "additionalProperties": s}),
            Some("ADDITIONAL_PROPERTIES_NARROWED"),
            OK,
        ),
        case(
            "unevaluated_properties_forbidden",
            json!({"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object", "properties": {"a": s}}),
            json!({"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object", "properties": {"a": s},
                   "unevaluatedProperties": false}),
            Some("UNEVALUATED_PROPERTIES_REMOVED"),
            OK,
        ),
        case(
            "nested_property_type_narrowed",
            object(json!({"a": num})),
            object(json!({"a": int})),
            Some("TYPE_NARROWED"),
            OK,
        ),
        case(
            "dependency_array_narrowed",
            json!({"type": "object", "dependencies": {"a": ["b", "c"]}}),
            json!({"type": "object", "dependencies": {"a": ["b"]}}),
            OK,
            Some("DEPENDENCY_ARRAY_EXTENDED"),
        ),
        case(
            "max_properties_added",
            json!({"type": "object"}),
            json!({"type": "object", "maxProperties": 3}),
            Some("MAX_PROPERTIES_ADDED"),
            OK,
        ),
        // ---- arrays -------------------------------------------------------------------------
        case(
            "items_type_changed",
            json!({"type": "array", "items": s}),
            json!({"type": "array", "items": int}),
            Some("TYPE_CHANGED"),
            Some("TYPE_CHANGED"),
        ),
        case(
            "max_items_added",
            json!({"type": "array", "items": s}),
            json!({"type": "array", "items": s, "maxItems": 5}),
            Some("MAX_ITEMS_ADDED"),
            OK,
        ),
        case(
            "min_items_decreased",
            json!({"type": "array", "minItems": 2}),
            json!({"type": "array", "minItems": 1}),
            OK,
            Some("MIN_ITEMS_INCREASED"),
        ),
        case(
            "unique_items_added",
            json!({"type": "array"}),
            json!({"type": "array", "uniqueItems": true}),
            Some("UNIQUE_ITEMS_ADDED"),
            OK,
        ),
        case(
            "tuple_item_added_to_closed_tuple",
            json!({"type": "array", "items": [s], "additionalItems": false}),
            json!({"type": "array", "items": [s, int], "additionalItems": false}),
            OK,
            Some("ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL"),
        ),
        case(
            "tuple_item_added_to_open_tuple",
            json!({"type": "array", "items": [s]}),
            json!({"type": "array", "items": [s, int]}),
            Some("ITEM_ADDED_TO_OPEN_CONTENT_MODEL"),
            OK,
        ),
        case(
            "prefix_item_added_to_closed_tuple_2020_12",
            json!({"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "array",
                   "prefixItems": [s], "items": false}),
            json!({"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "array",
                   "prefixItems": [s, int], "items": false}),
            OK,
            Some("ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL"),
        ),
        // ---- combinators ----------------------------------------------------------------------
        case(
            "one_of_branch_added",
            json!({"oneOf": [s, int]}),
            json!({"oneOf": [s, int, {"type": "boolean"}]}),
            OK,
            Some("SUM_TYPE_NARROWED"),
        ),
        case(
            "any_of_branch_replaced",
            json!({"anyOf": [s, int]}),
            json!({"anyOf": [s, {"type": "boolean"}]}),
            Some("COMBINED_TYPE_SUBSCHEMAS_CHANGED"),
            Some("COMBINED_TYPE_SUBSCHEMAS_CHANGED"),
        ),
        case(
            "any_of_branches_reordered",
            json!({"anyOf": [s, int]}),
            json!({"anyOf": [int, s]}),
            OK,
            OK,
        ),
        case(
            "all_of_part_added",
            json!({"allOf": [{"type": "object"}, {"properties": {"a": s}}]}),
            json!({"allOf": [{"type": "object"}, {"properties": {"a": s}}, {"required": ["a"]}]}),
            Some("PRODUCT_TYPE_EXTENDED"),
            OK,
        ),
        case(
            "one_of_to_any_of",
            json!({"oneOf": [s, int]}),
            json!({"anyOf": [s, int]}),
            OK,
            Some("COMBINED_TYPE_CHANGED"),
        ),
        case(
            "single_branch_union_is_its_branch",
            s.clone(),
            json!({"oneOf": [s]}),
            OK,
            OK,
        ),
        case(
            "schema_became_a_union_with_a_compatible_branch",
            int.clone(),
            json!({"anyOf": [num, {"type": "null"}]}),
            OK,
            Some("TYPE_CHANGED"),
        ),
        case(
            "all_of_replaced_by_one_of_its_parts",
            json!({"allOf": [s, {"maxLength": 5}]}),
            s.clone(),
            OK,
            Some("TYPE_CHANGED"),
        ),
        case(
            "not_extended",
            json!({"not": s}),
            json!({"not": {"type": ["string", "integer"]}}),
            Some("NOT_TYPE_EXTENDED"),
            OK,
        ),
        // ---- combinators: changing the criterion --------------------------------------------
        case(
            "single_any_of_branch_to_single_all_of_part",
            json!({"anyOf": [s]}),
            json!({"allOf": [s]}),
            OK,
            OK,
        ),
        case(
            "single_all_of_part_to_one_of_with_a_new_branch",
            json!({"allOf": [num]}),
            json!({"oneOf": [num, s]}),
            OK,
            Some("COMBINED_TYPE_CHANGED"),
        ),
        case(
            "all_of_reduced_to_a_single_one_of_branch",
            json!({"allOf": [s, {"minLength": 1}]}),
            json!({"oneOf": [s]}),
            OK,
            Some("COMBINED_TYPE_CHANGED"),
        ),
        case(
            "all_of_reduced_to_a_single_any_of_branch_is_a_narrowed_product",
            json!({"allOf": [{"type": "object", "properties": {"id": s}}, {"maxProperties": 4}]}),
            json!({"anyOf": [{"type": "object", "properties": {"id": s}}]}),
            OK,
            Some("COMBINED_TYPE_CHANGED"),
        ),
        case(
            "two_branch_all_of_to_two_branch_one_of",
            json!({"allOf": [s, {"maxLength": 3}]}),
            json!({"oneOf": [s, {"maxLength": 3}]}),
            Some("COMBINED_TYPE_CHANGED"),
            Some("COMBINED_TYPE_CHANGED"),
        ),
        // ---- objects: where Confluent's reading is its own -------------------------------------
        case(
            "required_property_added_under_additional_properties_schema",
            json!({"type": "object", "properties": {"a": s}, "additionalProperties": s}),
            json!({"type": "object", "properties": {"a": s, "b": s}, "required": ["b"],
                   "additionalProperties": s}),
            Some("REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL"),
            OK,
        ),
        case(
            "required_property_added_under_unevaluated_properties_schema",
            json!({"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
                   "properties": {"a": s}, "unevaluatedProperties": s}),
            json!({"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
                   "properties": {"a": s, "b": s}, "required": ["b"], "unevaluatedProperties": s}),
            Some("REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL"),
            OK,
        ),
        case(
            "required_property_with_default_added_under_additional_properties_schema",
            json!({"type": "object", "properties": {"a": s}, "additionalProperties": s}),
            json!({"type": "object", "properties": {"a": s, "b": {"type": "string", "default": "-"}},
                   "required": ["b"], "additionalProperties": s}),
            OK,
            OK,
        ),
        case(
            "closed_object_opened_by_pattern_properties_covering_a_removed_property",
            closed(json!({"a": s, "n_count": int})),
            json!({"type": "object", "properties": {"a": s}, "additionalProperties": false,
                   "patternProperties": {"^n_": num, "^s_": s}}),
            OK,
            Some("PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"),
        ),
        case(
            "pattern_properties_schemas_are_not_compared_themselves",
            json!({"type": "object", "patternProperties": {"^x_": s}}),
            json!({"type": "object", "patternProperties": {"^x_": int}}),
            OK,
            OK,
        ),
        case(
            "required_list_swapped_to_an_undeclared_name",
            json!({"type": "object", "properties": {"a": s}, "required": ["a"]}),
            json!({"type": "object", "properties": {"a": s}, "required": ["ghost"]}),
            OK,
            Some("REQUIRED_ATTRIBUTE_ADDED"),
        ),
        case(
            "undeclared_name_made_required",
            object(json!({"a": s})),
            json!({"type": "object", "properties": {"a": s}, "required": ["ghost"]}),
            OK,
            OK,
        ),
        // ---- arrays: the keyword after the tuple ----------------------------------------------
        case(
            "additional_items_forbidden_without_a_tuple",
            json!({"type": "array", "additionalItems": true}),
            json!({"type": "array", "additionalItems": false}),
            Some("ADDITIONAL_ITEMS_REMOVED"),
            OK,
        ),
        case(
            "additional_items_schema_changed_without_a_tuple",
            json!({"type": "array", "additionalItems": s}),
            json!({"type": "array", "additionalItems": int}),
            Some("TYPE_CHANGED"),
            Some("TYPE_CHANGED"),
        ),
        case(
            "prefix_item_added_covered_by_unevaluated_items",
            json!({"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "array",
                   "prefixItems": [int, s], "unevaluatedItems": s}),
            json!({"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "array",
                   "prefixItems": [int, s, s], "unevaluatedItems": s}),
            OK,
            OK,
        ),
        case(
            "prefix_item_removed_not_covered_by_unevaluated_items",
            json!({"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "array",
                   "prefixItems": [int, s, int], "unevaluatedItems": s}),
            json!({"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "array",
                   "prefixItems": [int, s], "unevaluatedItems": s}),
            Some("ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"),
            Some("ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"),
        ),
        // ---- references -----------------------------------------------------------------------
        case(
            "ref_to_definitions_followed",
            json!({"definitions": {"n": num}, "type": "object", "properties": {"a": {"$ref": "#/definitions/n"}}}),
            json!({"definitions": {"n": int}, "type": "object", "properties": {"a": {"$ref": "#/definitions/n"}}}),
            Some("TYPE_NARROWED"),
            OK,
        ),
        case(
            "ref_to_defs_followed_2020_12",
            json!({"$schema": "https://json-schema.org/draft/2020-12/schema", "$defs": {"n": num},
                   "type": "object", "properties": {"a": {"$ref": "#/$defs/n"}}}),
            json!({"$schema": "https://json-schema.org/draft/2020-12/schema", "$defs": {"n": {"type": "number", "minimum": 0}},
                   "type": "object", "properties": {"a": {"$ref": "#/$defs/n"}}}),
            Some("MINIMUM_ADDED"),
            OK,
        ),
        case(
            "inlined_definition_equals_its_ref",
            json!({"definitions": {"n": num}, "type": "object", "properties": {"a": {"$ref": "#/definitions/n"}}}),
            object(json!({"a": num})),
            OK,
            OK,
        ),
        case(
            "recursive_schema_unchanged",
            tree(s.clone()),
            tree(s.clone()),
            OK,
            OK,
        ),
        case(
            "recursive_schema_constrained",
            tree(s.clone()),
            tree(json!({"type": "string", "maxLength": 10})),
            Some("MAX_LENGTH_ADDED"),
            OK,
        ),
    ]
}

async fn register_json(s: &TestServer, subject: &str, schema: &Value) -> (u16, Value) {
    s.post(
        &format!("/subjects/{subject}/versions"),
        json!({"schemaType": "JSON", "schema": schema.to_string()}),
    )
    .await
}

/// (is_compatible, messages) of `schema` against the subject's latest version at `level`.
async fn verdict(s: &TestServer, subject: &str, level: &str, schema: &Value) -> (bool, String) {
    let (status, _) = s
        .put(
            &format!("/config/{subject}"),
            json!({"compatibility": level}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, body) = s
        .post(
            &format!("/compatibility/subjects/{subject}/versions/latest?verbose=true"),
            json!({"schemaType": "JSON", "schema": schema.to_string()}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    (
        body["is_compatible"].as_bool().expect("is_compatible"),
        body["messages"].to_string(),
    )
}

fn check(
    failures: &mut Vec<String>,
    case: &Case,
    level: &str,
    expected: Option<&str>,
    (compatible, messages): (bool, String),
) {
    match expected {
        None if !compatible => failures.push(format!(
            "{} {level}: expected compatible, got {messages}",
            case.name
        )),
        Some(kind) if compatible => failures.push(format!(
            "{} {level}: expected incompatible ({kind}), got compatible",
            case.name
        )),
        Some(kind) if !messages.contains(&format!("errorType:\\\"{kind}\\\"")) => failures.push(
            format!("{} {level}: expected {kind} among {messages}", case.name),
        ),
        _ => {}
    }
}

#[tokio::test]
async fn json_schema_compatibility_follows_confluent_rules_in_every_direction() {
    let s = TestServer::start().await;
    let cases = cases();
    assert!(cases.len() >= 40, "{} cases", cases.len());
    let mut failures = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let subject = format!("case-{i}");
        let (status, body) = register_json(&s, &subject, &case.old).await;
        assert_eq!(status, 200, "{}: {body}", case.name);

        let backward = verdict(&s, &subject, "BACKWARD", &case.new).await;
        check(&mut failures, case, "BACKWARD", case.backward, backward);
        let forward = verdict(&s, &subject, "FORWARD", &case.new).await;
        check(&mut failures, case, "FORWARD", case.forward, forward);
        let (full, messages) = verdict(&s, &subject, "FULL", &case.new).await;
        let full_expected = case.backward.is_none() && case.forward.is_none();
        if full != full_expected {
            failures.push(format!(
                "{} FULL: expected {full_expected}, got {messages}",
                case.name
            ));
        }

        s.put(
            &format!("/config/{subject}"),
            json!({"compatibility": "BACKWARD"}),
        )
        .await;
        let (status, body) = register_json(&s, &subject, &case.new).await;
        let expected_status = if case.backward.is_none() { 200 } else { 409 };
        if status != expected_status {
            failures.push(format!(
                "{} register under BACKWARD: expected {expected_status}, got {status} {body}",
                case.name
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn incompatibility_messages_name_the_type_the_path_and_the_direction() {
    let s = TestServer::start().await;
    let old = object(json!({"age": {"type": "number"}}));
    let new = object(json!({"age": {"type": "integer"}}));
    register_json(&s, "people", &old).await;
    let (compatible, messages) = verdict(&s, "people", "BACKWARD", &new).await;
    assert!(!compatible);
    let messages: Vec<String> = serde_json::from_str(&messages).unwrap();
    assert_eq!(
        messages[0],
        "{errorType:\"TYPE_NARROWED\", description:\"The type at path '#/properties/age' in the new schema is narrower than in the old schema'}"
    );
    assert_eq!(messages[1], "{oldSchemaVersion: 1}");
    assert!(
        messages[2].starts_with("{oldSchema: '{\"type\":\"object\",\"properties\""),
        "{messages:?}"
    );
    assert_eq!(
        messages[3],
        "{validateFields: 'false', compatibility: 'BACKWARD'}"
    );

    // The 409 of a registration carries the same list.
    let (status, body) = register_json(&s, "people", &new).await;
    assert_eq!(status, 409);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("errorType:\"TYPE_NARROWED\""),
        "{body}"
    );
}

#[test]
fn differences_name_the_top_level_property_they_concern() {
    use herald::formats::{json, ParsedSchema};
    let old = json::parse(
        r#"{"type":"object","properties":{"address":{"type":"object","properties":{"zip":{"type":"string"}}}}}"#,
        &[],
        false,
    )
    .unwrap();
    let new = json::parse(
        r#"{"type":"object","properties":{"address":{"type":"object","properties":{"zip":{"type":"integer"}}}}}"#,
        &[],
        false,
    )
    .unwrap();
    let differences = new.differences(&old, true);
    assert_eq!(differences.len(), 1, "{differences:?}");
    assert_eq!(differences[0].field.as_deref(), Some("address"));
    assert!(differences[0]
        .message
        .contains("'#/properties/address/properties/zip'"));
    // FORWARD: the old schema reads what the new one wrote.
    let forward = old.differences(&new, false);
    assert!(
        forward[0].message.contains("in the old schema"),
        "{forward:?}"
    );
}
