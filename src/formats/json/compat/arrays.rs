//! Arrays: `items` as one schema or a tuple (`prefixItems`, `items` lists), what follows the
//! tuple (`additionalItems`, `items`, `unevaluatedItems`), and length bounds.

use super::scalars::bound;
use super::*;

impl Differ {
    pub(super) fn compare_array(&mut self, ctx: &mut Ctx, o: View<'_>, u: View<'_>) {
        let (oi, ui) = (array_items(o), array_items(u));
        self.at(ctx, "items".into(), |d, ctx| {
            d.compare_optional(ctx, oi.all, ui.all)
        });
        if oi.tuple.is_some() || ui.tuple.is_some() {
            let (ot, ut) = (
                oi.tuple.clone().unwrap_or_default(),
                ui.tuple.clone().unwrap_or_default(),
            );
            for i in 0..ot.len().max(ut.len()) {
                self.at(ctx, format!("items/{i}"), |d, ctx| {
                    match (ot.get(i), ut.get(i)) {
                        (Some(a), Some(b)) => d.compare(ctx, *a, *b),
                        (Some(a), None) => d.item_removed(ctx, *a, ui.extra),
                        (None, Some(b)) => d.item_added(ctx, oi.extra, *b),
                        (None, None) => {}
                    }
                });
            }
        }
        let permits = |extra: Extra<'_>| !matches!(extra, Extra::Forbidden);
        self.at(ctx, "additionalItems".into(), |d, ctx| {
            if permits(oi.after) != permits(ui.after) {
                ctx.add(if permits(oi.after) {
                    ADDITIONAL_ITEMS_REMOVED
                } else {
                    ADDITIONAL_ITEMS_ADDED
                });
                return;
            }
            match (oi.after, ui.after) {
                (Extra::Open, Extra::Schema(_)) => ctx.add(ADDITIONAL_ITEMS_NARROWED),
                (Extra::Schema(_), Extra::Open) => ctx.add(ADDITIONAL_ITEMS_EXTENDED),
                (Extra::Schema(a), Extra::Schema(b)) => d.compare(ctx, a, b),
                _ => {}
            }
        });
        self.compare_extra(
            ctx,
            "unevaluatedItems",
            o,
            u,
            (
                UNEVALUATED_ITEMS_ADDED,
                UNEVALUATED_ITEMS_REMOVED,
                UNEVALUATED_ITEMS_EXTENDED,
                UNEVALUATED_ITEMS_NARROWED,
            ),
        );
        self.at(ctx, "contains".into(), |d, ctx| {
            d.compare_optional(ctx, o.schema("contains"), u.schema("contains"))
        });
        for (keyword, bounds) in [
            (
                "maxItems",
                (
                    MAX_ITEMS_ADDED,
                    MAX_ITEMS_REMOVED,
                    MAX_ITEMS_INCREASED,
                    MAX_ITEMS_DECREASED,
                ),
            ),
            (
                "minItems",
                (
                    MIN_ITEMS_ADDED,
                    MIN_ITEMS_REMOVED,
                    MIN_ITEMS_INCREASED,
                    MIN_ITEMS_DECREASED,
                ),
            ),
            (
                "maxContains",
                (
                    MAX_CONTAINS_ADDED,
                    MAX_CONTAINS_REMOVED,
                    MAX_CONTAINS_INCREASED,
                    MAX_CONTAINS_DECREASED,
                ),
            ),
            (
                "minContains",
                (
                    MIN_CONTAINS_ADDED,
                    MIN_CONTAINS_REMOVED,
                    MIN_CONTAINS_INCREASED,
                    MIN_CONTAINS_DECREASED,
                ),
            ),
        ] {
            bound(ctx, keyword, o.number(keyword), u.number(keyword), bounds);
        }
        let unique = |v: View<'_>| v.get("uniqueItems") == Some(&Value::Bool(true));
        if unique(o) != unique(u) {
            self.at(ctx, "uniqueItems".into(), |_, ctx| {
                ctx.add(if unique(o) {
                    UNIQUE_ITEMS_REMOVED
                } else {
                    UNIQUE_ITEMS_ADDED
                })
            });
        }
    }

    pub(super) fn item_removed(
        &mut self,
        ctx: &mut Ctx,
        removed: View<'_>,
        update_extra: Extra<'_>,
    ) {
        match update_extra {
            Extra::Open => ctx.add(ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL),
            Extra::Schema(partial) => {
                let (covered, probe) = self.probe(ctx, removed, partial);
                if covered {
                    ctx.keep(probe);
                    ctx.add(ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL);
                } else {
                    ctx.add(ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL);
                }
            }
            Extra::Forbidden if removed.is_false() => {
                ctx.add(ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL)
            }
            Extra::Forbidden => ctx.add(ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL),
        }
    }

    pub(super) fn item_added(&mut self, ctx: &mut Ctx, original_extra: Extra<'_>, added: View<'_>) {
        match original_extra {
            Extra::Open if added.is_empty_schema() => {
                ctx.add(ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL)
            }
            Extra::Open => ctx.add(ITEM_ADDED_TO_OPEN_CONTENT_MODEL),
            Extra::Schema(partial) => {
                let (covered, probe) = self.probe(ctx, partial, added);
                if covered {
                    ctx.keep(probe);
                    ctx.add(ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL);
                } else {
                    ctx.add(ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL);
                }
            }
            Extra::Forbidden => ctx.add(ITEM_ADDED_TO_CLOSED_CONTENT_MODEL),
        }
    }
}

/// What an array allows after its tuple items.
#[derive(Clone, Copy)]
pub(super) enum Extra<'a> {
    Open,
    Forbidden,
    Schema(View<'a>),
}

/// How an array schema describes its elements.
pub(super) struct Items<'a> {
    /// The schema of every element (`items` as one schema, before 2020-12 or without
    /// `prefixItems`).
    all: Option<View<'a>>,
    /// The tuple: `prefixItems` from 2020-12, `items` as a list before.
    tuple: Option<Vec<View<'a>>>,
    /// What the keyword after the tuple says (`items` after `prefixItems`, else
    /// `additionalItems`, read even without a tuple, as Confluent's checker does).
    after: Extra<'a>,
    /// What may follow the tuple: `after`, or `unevaluatedItems` when `after` says nothing.
    extra: Extra<'a>,
}

pub(super) fn array_items<'a>(v: View<'a>) -> Items<'a> {
    let list = |value: &'a Value| {
        value
            .as_array()
            .map(|l| l.iter().map(|s| v.sub(s)).collect::<Vec<_>>())
    };
    let extra = |value: Option<&'a Value>| match value {
        Some(Value::Bool(false)) => Extra::Forbidden,
        Some(s @ Value::Object(_)) => Extra::Schema(v.sub(s)),
        _ => Extra::Open,
    };
    let prefixed = v.get("prefixItems").and_then(list);
    let after_keyword = if prefixed.is_some() {
        "items"
    } else {
        "additionalItems"
    };
    let (all, tuple) = match prefixed {
        Some(prefix) => (None, Some(prefix)),
        None => match v.get("items").and_then(list) {
            Some(tuple) => (None, Some(tuple)),
            None => (v.schema("items"), None),
        },
    };
    let after = extra(v.get(after_keyword));
    let extra = match v.get(after_keyword) {
        None => extra(v.get("unevaluatedItems")),
        Some(_) => after,
    };
    Items {
        all,
        tuple,
        after,
        extra,
    }
}
