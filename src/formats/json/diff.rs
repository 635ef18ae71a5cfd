//! Confluent's JSON Schema difference types, which of them the STRICT policy accepts, and how
//! each is worded.

macro_rules! difference_types {
    ($($name:ident),* $(,)?) => {
        /// A difference between an original and an updated schema, named as Confluent's
        /// `Difference.Type` names it.
        #[allow(non_camel_case_types, clippy::upper_case_acronyms)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum DiffType { $($name),* }

        impl DiffType {
            pub fn as_str(self) -> &'static str {
                match self { $(DiffType::$name => stringify!($name)),* }
            }
        }
    };
}

difference_types!(
    ID_CHANGED,
    DESCRIPTION_CHANGED,
    TITLE_CHANGED,
    DEFAULT_CHANGED,
    SCHEMA_ADDED,
    SCHEMA_REMOVED,
    TYPE_EXTENDED,
    TYPE_NARROWED,
    TYPE_CHANGED,
    MAX_LENGTH_ADDED,
    MAX_LENGTH_REMOVED,
    MAX_LENGTH_INCREASED,
    MAX_LENGTH_DECREASED,
    MIN_LENGTH_ADDED,
    MIN_LENGTH_REMOVED,
    MIN_LENGTH_INCREASED,
    MIN_LENGTH_DECREASED,
    PATTERN_ADDED,
    PATTERN_REMOVED,
    PATTERN_CHANGED,
    MAXIMUM_ADDED,
    MAXIMUM_REMOVED,
    MAXIMUM_INCREASED,
    MAXIMUM_DECREASED,
    MINIMUM_ADDED,
    MINIMUM_REMOVED,
    MINIMUM_INCREASED,
    MINIMUM_DECREASED,
    EXCLUSIVE_MAXIMUM_ADDED,
    EXCLUSIVE_MAXIMUM_REMOVED,
    EXCLUSIVE_MAXIMUM_INCREASED,
    EXCLUSIVE_MAXIMUM_DECREASED,
    EXCLUSIVE_MINIMUM_ADDED,
    EXCLUSIVE_MINIMUM_REMOVED,
    EXCLUSIVE_MINIMUM_INCREASED,
    EXCLUSIVE_MINIMUM_DECREASED,
    MULTIPLE_OF_ADDED,
    MULTIPLE_OF_REMOVED,
    MULTIPLE_OF_EXPANDED,
    MULTIPLE_OF_REDUCED,
    MULTIPLE_OF_CHANGED,
    REQUIRED_ATTRIBUTE_ADDED,
    REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED,
    REQUIRED_ATTRIBUTE_REMOVED,
    DEPENDENCY_ARRAY_ADDED,
    DEPENDENCY_ARRAY_REMOVED,
    DEPENDENCY_ARRAY_EXTENDED,
    DEPENDENCY_ARRAY_NARROWED,
    DEPENDENCY_ARRAY_CHANGED,
    DEPENDENCY_SCHEMA_ADDED,
    DEPENDENCY_SCHEMA_REMOVED,
    MAX_PROPERTIES_ADDED,
    MAX_PROPERTIES_REMOVED,
    MAX_PROPERTIES_INCREASED,
    MAX_PROPERTIES_DECREASED,
    MIN_PROPERTIES_ADDED,
    MIN_PROPERTIES_REMOVED,
    MIN_PROPERTIES_INCREASED,
    MIN_PROPERTIES_DECREASED,
    ADDITIONAL_PROPERTIES_ADDED,
    ADDITIONAL_PROPERTIES_REMOVED,
    ADDITIONAL_PROPERTIES_EXTENDED,
    ADDITIONAL_PROPERTIES_NARROWED,
    UNEVALUATED_PROPERTIES_ADDED,
    UNEVALUATED_PROPERTIES_REMOVED,
    UNEVALUATED_PROPERTIES_EXTENDED,
    UNEVALUATED_PROPERTIES_NARROWED,
    PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL,
    REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL,
    REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL,
    OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL,
    REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL,
    REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL,
    OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL,
    PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
    PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
    PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL,
    PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL,
    PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL,
    PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
    PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
    MAX_ITEMS_ADDED,
    MAX_ITEMS_REMOVED,
    MAX_ITEMS_INCREASED,
    MAX_ITEMS_DECREASED,
    MIN_ITEMS_ADDED,
    MIN_ITEMS_REMOVED,
    MIN_ITEMS_INCREASED,
    MIN_ITEMS_DECREASED,
    MAX_CONTAINS_ADDED,
    MAX_CONTAINS_REMOVED,
    MAX_CONTAINS_INCREASED,
    MAX_CONTAINS_DECREASED,
    MIN_CONTAINS_ADDED,
    MIN_CONTAINS_REMOVED,
    MIN_CONTAINS_INCREASED,
    MIN_CONTAINS_DECREASED,
    UNIQUE_ITEMS_ADDED,
    UNIQUE_ITEMS_REMOVED,
    ADDITIONAL_ITEMS_ADDED,
    ADDITIONAL_ITEMS_REMOVED,
    ADDITIONAL_ITEMS_EXTENDED,
    ADDITIONAL_ITEMS_NARROWED,
    UNEVALUATED_ITEMS_ADDED,
    UNEVALUATED_ITEMS_REMOVED,
    UNEVALUATED_ITEMS_EXTENDED,
    UNEVALUATED_ITEMS_NARROWED,
    ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL,
    ITEM_ADDED_TO_OPEN_CONTENT_MODEL,
    ITEM_ADDED_TO_CLOSED_CONTENT_MODEL,
    ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL,
    ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL,
    ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL,
    ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
    ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
    ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
    ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
    ENUM_ARRAY_EXTENDED,
    ENUM_ARRAY_NARROWED,
    ENUM_ARRAY_CHANGED,
    COMBINED_TYPE_EXTENDED,
    COMBINED_TYPE_CHANGED,
    PRODUCT_TYPE_EXTENDED,
    PRODUCT_TYPE_NARROWED,
    SUM_TYPE_EXTENDED,
    SUM_TYPE_NARROWED,
    COMBINED_TYPE_SUBSCHEMAS_CHANGED,
    NOT_TYPE_EXTENDED,
    NOT_TYPE_NARROWED,
);

use DiffType::*;

/// What Confluent's default STRICT policy lets through; every other difference breaks
/// compatibility. (Confluent's `JsonSchemaCompatibilityChecker`, section 4.2 of our reference.)
const COMPATIBLE: &[DiffType] = &[
    ID_CHANGED,
    DESCRIPTION_CHANGED,
    TITLE_CHANGED,
    DEFAULT_CHANGED,
    SCHEMA_REMOVED,
    TYPE_EXTENDED,
    MAX_LENGTH_INCREASED,
    MAX_LENGTH_REMOVED,
    MIN_LENGTH_DECREASED,
    MIN_LENGTH_REMOVED,
    PATTERN_REMOVED,
    MAXIMUM_INCREASED,
    MAXIMUM_REMOVED,
    MINIMUM_DECREASED,
    MINIMUM_REMOVED,
    EXCLUSIVE_MAXIMUM_INCREASED,
    EXCLUSIVE_MAXIMUM_REMOVED,
    EXCLUSIVE_MINIMUM_DECREASED,
    EXCLUSIVE_MINIMUM_REMOVED,
    MULTIPLE_OF_REDUCED,
    MULTIPLE_OF_REMOVED,
    REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED,
    REQUIRED_ATTRIBUTE_REMOVED,
    DEPENDENCY_ARRAY_NARROWED,
    DEPENDENCY_ARRAY_REMOVED,
    DEPENDENCY_SCHEMA_REMOVED,
    MAX_PROPERTIES_INCREASED,
    MAX_PROPERTIES_REMOVED,
    MIN_PROPERTIES_DECREASED,
    MIN_PROPERTIES_REMOVED,
    ADDITIONAL_PROPERTIES_ADDED,
    ADDITIONAL_PROPERTIES_EXTENDED,
    UNEVALUATED_PROPERTIES_ADDED,
    UNEVALUATED_PROPERTIES_EXTENDED,
    PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL,
    OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL,
    REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL,
    PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
    PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL,
    PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL,
    PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
    MAX_ITEMS_INCREASED,
    MAX_ITEMS_REMOVED,
    MIN_ITEMS_DECREASED,
    MIN_ITEMS_REMOVED,
    MAX_CONTAINS_INCREASED,
    MAX_CONTAINS_REMOVED,
    MIN_CONTAINS_DECREASED,
    MIN_CONTAINS_REMOVED,
    UNIQUE_ITEMS_REMOVED,
    ADDITIONAL_ITEMS_ADDED,
    ADDITIONAL_ITEMS_EXTENDED,
    UNEVALUATED_ITEMS_ADDED,
    UNEVALUATED_ITEMS_EXTENDED,
    ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL,
    ITEM_ADDED_TO_CLOSED_CONTENT_MODEL,
    ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL,
    ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL,
    ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
    ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
    ENUM_ARRAY_EXTENDED,
    COMBINED_TYPE_EXTENDED,
    PRODUCT_TYPE_NARROWED,
    SUM_TYPE_EXTENDED,
    NOT_TYPE_NARROWED,
];

impl DiffType {
    pub fn is_compatible(self) -> bool {
        COMPATIBLE.contains(&self)
    }
}

/// A difference found at a path of the original schema (`#/properties/foo`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Change {
    pub kind: DiffType,
    pub path: String,
}

impl Change {
    /// The top-level property the change concerns, when there is one.
    pub fn property(&self) -> Option<String> {
        let rest = self.path.strip_prefix("#/properties/")?;
        let name = rest.split('/').next()?;
        Some(name.replace("~1", "/").replace("~0", "~"))
    }

    /// Confluent's message for a change. `update` and `original` name the two sides ("new" or
    /// "old"); the closing quote mismatch is Confluent's own.
    pub fn describe(&self, update: &str, original: &str) -> String {
        format!(
            "{{errorType:\"{}\", description:\"{}'}}",
            self.kind.as_str(),
            description(self.kind, &self.path, update, original)
        )
    }
}

/// The human part of a message: `u` is the side the difference is in, `o` the other.
fn description(kind: DiffType, p: &str, u: &str, o: &str) -> String {
    match kind {
        SCHEMA_ADDED => format!("A schema was added at path '{p}' in the {u} schema, constraining what the {o} schema left open"),
        TYPE_CHANGED => format!("The type at path '{p}' in the {u} schema does not match the type in the {o} schema"),
        TYPE_NARROWED => format!("The type at path '{p}' in the {u} schema is narrower than in the {o} schema"),
        PATTERN_CHANGED => format!("The pattern at path '{p}' in the {u} schema differs from the {o} schema"),
        MULTIPLE_OF_EXPANDED | MULTIPLE_OF_CHANGED => format!("The multipleOf at path '{p}' in the {u} schema does not divide the multipleOf in the {o} schema"),
        REQUIRED_ATTRIBUTE_ADDED => format!("The property at path '{p}' is required without a default in the {u} schema but optional in the {o} schema"),
        OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL
        | REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL
        | REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL => format!("The {u} schema adds the property at path '{p}' to an open content model in the {o} schema, where it could have held any value"),
        REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL => format!("The {u} schema adds the required property at path '{p}' without a default, which data for the {o} schema lacks"),
        PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL => format!("The property at path '{p}' added in the {u} schema is not covered by the partially open content model of the {o} schema"),
        PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL => format!("The property at path '{p}' of the {o} schema is removed from a closed content model in the {u} schema"),
        PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL => format!("The property at path '{p}' of the {o} schema is removed and not covered by the partially open content model of the {u} schema"),
        ITEM_ADDED_TO_OPEN_CONTENT_MODEL => format!("The {u} schema adds the item at path '{p}' to an open content model in the {o} schema"),
        ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL => format!("The item at path '{p}' of the {o} schema is removed from a closed content model in the {u} schema"),
        ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL => format!("The item at path '{p}' added in the {u} schema is not covered by the additional items of the {o} schema"),
        ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL => format!("The item at path '{p}' of the {o} schema is removed and not covered by the additional items of the {u} schema"),
        ENUM_ARRAY_NARROWED => format!("The {u} schema is missing enum values at path '{p}' that the {o} schema allows"),
        ENUM_ARRAY_CHANGED => format!("The enum values at path '{p}' in the {u} schema differ from the {o} schema"),
        COMBINED_TYPE_CHANGED => format!("The combined type (allOf, anyOf, oneOf) at path '{p}' in the {u} schema differs from the {o} schema"),
        PRODUCT_TYPE_EXTENDED => format!("The {u} schema adds allOf sub-schemas at path '{p}' that the {o} schema does not have"),
        SUM_TYPE_NARROWED => format!("The {u} schema has fewer anyOf or oneOf sub-schemas at path '{p}' than the {o} schema"),
        COMBINED_TYPE_SUBSCHEMAS_CHANGED => format!("The sub-schemas at path '{p}' in the {u} schema do not match those of the {o} schema"),
        NOT_TYPE_EXTENDED => format!("The not sub-schema at path '{p}' in the {u} schema excludes more than in the {o} schema"),
        UNIQUE_ITEMS_ADDED => format!("The {u} schema requires unique items at path '{p}' where the {o} schema does not"),
        other => generic(other, p, u, o),
    }
}

/// `MAX_LENGTH_DECREASED` → "The maxLength at path '…' is decreased in the new schema …".
fn generic(kind: DiffType, p: &str, u: &str, o: &str) -> String {
    let name = kind.as_str();
    let (subject, action) = name.rsplit_once('_').unwrap_or((name, ""));
    let subject = keyword(subject);
    let action = action.to_ascii_lowercase();
    format!(
        "The {subject} at path '{p}' is {action} in the {u} schema compared with the {o} schema"
    )
}

/// `MAX_LENGTH` → `maxLength`.
fn keyword(upper: &str) -> String {
    let mut out = String::new();
    for (i, part) in upper.split('_').enumerate() {
        let lower = part.to_ascii_lowercase();
        if i == 0 {
            out.push_str(&lower);
        } else {
            let mut chars = lower.chars();
            if let Some(first) = chars.next() {
                out.push(first.to_ascii_uppercase());
                out.extend(chars);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_carry_the_type_the_path_and_the_direction() {
        let c = Change {
            kind: MAX_LENGTH_DECREASED,
            path: "#/properties/name".into(),
        };
        assert_eq!(
            c.describe("new", "old"),
            "{errorType:\"MAX_LENGTH_DECREASED\", description:\"The maxLength at path '#/properties/name' is decreased in the new schema compared with the old schema'}"
        );
        assert_eq!(c.property().as_deref(), Some("name"));
        assert!(!MAX_LENGTH_DECREASED.is_compatible());
        assert!(MAX_LENGTH_INCREASED.is_compatible());
    }
}
