//! Objects: properties added and removed under each content model (open, partially open,
//! closed), `required`, dependencies, and what an object allows beyond its properties.

use super::scalars::bound;
use super::*;

impl Differ {
    pub(super) fn compare_object(&mut self, ctx: &mut Ctx, o: View<'_>, u: View<'_>) {
        let empty = Map::new();
        let o_props = o
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let u_props = u
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let o_required = string_set(o.get("required"));
        let u_required = string_set(u.get("required"));

        let mut names: Vec<&String> = o_props.keys().collect();
        names.extend(u_props.keys().filter(|k| !o_props.contains_key(*k)));
        for name in names {
            let was_required = o_required.contains(name.as_str());
            let is_required = u_required.contains(name.as_str());
            self.at(
                ctx,
                format!("properties/{}", escape(name)),
                |d, ctx| match (o_props.get(name), u_props.get(name)) {
                    (Some(op), Some(up)) => {
                        let up = u.sub(up);
                        d.compare(ctx, o.sub(op), up);
                        if was_required && !is_required {
                            ctx.add(REQUIRED_ATTRIBUTE_REMOVED);
                        } else if !was_required && is_required {
                            ctx.add(if up.has_default() {
                                REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED
                            } else {
                                REQUIRED_ATTRIBUTE_ADDED
                            });
                        }
                    }
                    (Some(op), None) => {
                        d.property_removed(ctx, name, o.sub(op), u);
                        if was_required {
                            ctx.add(REQUIRED_ATTRIBUTE_REMOVED);
                        }
                    }
                    (None, Some(up)) => d.property_added(ctx, name, o, u.sub(up), is_required),
                    (None, None) => {}
                },
            );
        }
        // `required` naming a property neither side declares is not compared: Confluent's
        // checker reads `required` only for declared properties.
        self.compare_dependencies(ctx, o, u);
        self.compare_extra(
            ctx,
            "additionalProperties",
            o,
            u,
            (
                ADDITIONAL_PROPERTIES_ADDED,
                ADDITIONAL_PROPERTIES_REMOVED,
                ADDITIONAL_PROPERTIES_EXTENDED,
                ADDITIONAL_PROPERTIES_NARROWED,
            ),
        );
        self.compare_extra(
            ctx,
            "unevaluatedProperties",
            o,
            u,
            (
                UNEVALUATED_PROPERTIES_ADDED,
                UNEVALUATED_PROPERTIES_REMOVED,
                UNEVALUATED_PROPERTIES_EXTENDED,
                UNEVALUATED_PROPERTIES_NARROWED,
            ),
        );
        // `patternProperties` are not compared themselves (as in Confluent's checker): they
        // decide only whether an added or removed property is covered.
        self.at(ctx, "propertyNames".into(), |d, ctx| {
            d.compare_optional(ctx, o.schema("propertyNames"), u.schema("propertyNames"))
        });
        bound(
            ctx,
            "maxProperties",
            o.number("maxProperties"),
            u.number("maxProperties"),
            (
                MAX_PROPERTIES_ADDED,
                MAX_PROPERTIES_REMOVED,
                MAX_PROPERTIES_INCREASED,
                MAX_PROPERTIES_DECREASED,
            ),
        );
        bound(
            ctx,
            "minProperties",
            o.number("minProperties"),
            u.number("minProperties"),
            (
                MIN_PROPERTIES_ADDED,
                MIN_PROPERTIES_REMOVED,
                MIN_PROPERTIES_INCREASED,
                MIN_PROPERTIES_DECREASED,
            ),
        );
    }

    /// A property the original did not describe now has a schema of its own.
    pub(super) fn property_added(
        &mut self,
        ctx: &mut Ctx,
        name: &str,
        original: View<'_>,
        added: View<'_>,
        required: bool,
    ) {
        if is_open_object(original) {
            ctx.add(if added.is_empty_schema() {
                PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL
            } else if required && added.has_default() {
                REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL
            } else if required {
                REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL
            } else {
                OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL
            });
        } else {
            if let Some(partial) = partial_schema(original, name) {
                let (covered, probe) = self.probe(ctx, partial, added);
                if covered {
                    ctx.keep(probe);
                    ctx.add(PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL);
                } else {
                    ctx.add(PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL);
                }
            }
            // Closed or partially open alike: data written before lacks a new required
            // property, whatever schema the open part gave it.
            ctx.add(if required && added.has_default() {
                REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL
            } else if required {
                REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL
            } else {
                OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL
            });
        }
    }

    /// A property the original described is no longer described by the update.
    pub(super) fn property_removed(
        &mut self,
        ctx: &mut Ctx,
        name: &str,
        removed: View<'_>,
        update: View<'_>,
    ) {
        if is_open_object(update) {
            ctx.add(PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL);
        } else if let Some(partial) = partial_schema(update, name) {
            let (covered, probe) = self.probe(ctx, removed, partial);
            if covered {
                ctx.keep(probe);
                ctx.add(PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL);
            } else {
                ctx.add(PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL);
            }
        } else if removed.is_false() {
            ctx.add(PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL);
        } else {
            ctx.add(PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL);
        }
    }

    pub(super) fn compare_dependencies(&mut self, ctx: &mut Ctx, o: View<'_>, u: View<'_>) {
        let (o_lists, o_schemas) = dependencies(o);
        let (u_lists, u_schemas) = dependencies(u);
        let mut names: Vec<&str> = o_lists.iter().map(|(k, _)| *k).collect();
        for (k, _) in &u_lists {
            if !names.contains(k) {
                names.push(k);
            }
        }
        for name in names {
            let before = o_lists.iter().find(|(k, _)| *k == name).map(|(_, v)| v);
            let after = u_lists.iter().find(|(k, _)| *k == name).map(|(_, v)| v);
            self.at(
                ctx,
                format!("dependencies/{}", escape(name)),
                |_, ctx| match (before, after) {
                    (None, Some(_)) => ctx.add(DEPENDENCY_ARRAY_ADDED),
                    (Some(_), None) => ctx.add(DEPENDENCY_ARRAY_REMOVED),
                    (Some(b), Some(a)) if b != a => ctx.add(if a.is_superset(b) {
                        DEPENDENCY_ARRAY_EXTENDED
                    } else if b.is_superset(a) {
                        DEPENDENCY_ARRAY_NARROWED
                    } else {
                        DEPENDENCY_ARRAY_CHANGED
                    }),
                    _ => {}
                },
            );
        }
        let mut names: Vec<&str> = o_schemas.iter().map(|(k, _)| *k).collect();
        for (k, _) in &u_schemas {
            if !names.contains(k) {
                names.push(k);
            }
        }
        for name in names {
            let before = o_schemas.iter().find(|(k, _)| *k == name).map(|(_, v)| *v);
            let after = u_schemas.iter().find(|(k, _)| *k == name).map(|(_, v)| *v);
            self.at(
                ctx,
                format!("dependencies/{}", escape(name)),
                |d, ctx| match (before, after) {
                    (None, Some(_)) => ctx.add(DEPENDENCY_SCHEMA_ADDED),
                    (Some(_), None) => ctx.add(DEPENDENCY_SCHEMA_REMOVED),
                    (Some(b), Some(a)) => d.compare(ctx, b, a),
                    (None, None) => {}
                },
            );
        }
    }

    /// `additionalProperties`-like keywords: `false` forbids, a schema constrains, absent or
    /// `true` allows anything.
    pub(super) fn compare_extra(
        &mut self,
        ctx: &mut Ctx,
        keyword: &str,
        o: View<'_>,
        u: View<'_>,
        (added, removed, extended, narrowed): Bounds,
    ) {
        let permits = |v: View<'_>| v.get(keyword) != Some(&Value::Bool(false));
        fn schema<'a>(v: View<'a>, keyword: &str) -> Option<View<'a>> {
            v.get(keyword).filter(|s| s.is_object()).map(|s| v.sub(s))
        }
        self.at(ctx, keyword.into(), |d, ctx| {
            if permits(o) != permits(u) {
                ctx.add(if permits(o) { removed } else { added });
                return;
            }
            match (schema(o, keyword), schema(u, keyword)) {
                (None, Some(_)) => ctx.add(narrowed),
                (Some(_), None) => ctx.add(extended),
                (Some(a), Some(b)) => d.compare(ctx, a, b),
                (None, None) => {}
            }
        });
    }
}

/// Open: any property not described may hold anything.
pub(super) fn is_open_object(v: View<'_>) -> bool {
    let allows_anything = |keyword: &str| matches!(v.get(keyword), None | Some(Value::Bool(true)));
    allows_anything("additionalProperties")
        && allows_anything("unevaluatedProperties")
        && v.get("patternProperties")
            .and_then(Value::as_object)
            .is_none_or(Map::is_empty)
}

/// The schema a partially open object applies to a property it does not describe; `None`
/// when the object is closed to it.
pub(super) fn partial_schema<'a>(v: View<'a>, name: &str) -> Option<View<'a>> {
    if let Some(patterns) = v.get("patternProperties").and_then(Value::as_object) {
        for (pattern, schema) in patterns {
            if Regex::new(pattern).is_ok_and(|re| re.is_match(name)) {
                return Some(v.sub(schema));
            }
        }
    }
    for keyword in ["additionalProperties", "unevaluatedProperties"] {
        match v.get(keyword) {
            Some(Value::Bool(false)) => return None,
            Some(s @ Value::Object(_)) => return Some(v.sub(s)),
            _ => {}
        }
    }
    Some(v.sub(&EMPTY))
}

pub(super) type PropertyLists<'a> = Vec<(&'a str, HashSet<&'a str>)>;

/// Property dependencies (lists) and schema dependencies, from `dependencies` (drafts 4 to 7)
/// and `dependentRequired`/`dependentSchemas` (2019-09 on).
pub(super) fn dependencies<'a>(v: View<'a>) -> (PropertyLists<'a>, Vec<(&'a str, View<'a>)>) {
    let mut lists = Vec::new();
    let mut schemas = Vec::new();
    for keyword in ["dependencies", "dependentRequired", "dependentSchemas"] {
        for (name, value) in v
            .get(keyword)
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if value.is_array() {
                lists.push((name.as_str(), string_set(Some(value))));
            } else if value.is_object() || value.is_boolean() {
                schemas.push((name.as_str(), v.sub(value)));
            }
        }
    }
    (lists, schemas)
}

pub(super) fn string_set(value: Option<&Value>) -> HashSet<&str> {
    value
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect()
}
