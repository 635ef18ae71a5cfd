//! Strings, numbers and enums: their bounds, formats and patterns, widening and narrowing
//! between `integer` and `number`, and annotations.

use super::*;

pub(super) fn compare_annotations(ctx: &mut Ctx, o: View<'_>, u: View<'_>) {
    pub(super) fn id<'a>(v: View<'a>) -> Option<&'a Value> {
        v.get("$id")
            .or_else(|| v.get("id").filter(|i| i.is_string()))
    }
    if id(o) != id(u) {
        ctx.add(ID_CHANGED);
    }
    for (keyword, kind) in [
        ("title", TITLE_CHANGED),
        ("description", DESCRIPTION_CHANGED),
        ("default", DEFAULT_CHANGED),
    ] {
        if o.get(keyword) != u.get(keyword) {
            ctx.add(kind);
        }
    }
}

pub(super) fn compare_string(ctx: &mut Ctx, o: View<'_>, u: View<'_>) {
    bound(
        ctx,
        "maxLength",
        o.number("maxLength"),
        u.number("maxLength"),
        (
            MAX_LENGTH_ADDED,
            MAX_LENGTH_REMOVED,
            MAX_LENGTH_INCREASED,
            MAX_LENGTH_DECREASED,
        ),
    );
    bound(
        ctx,
        "minLength",
        o.number("minLength"),
        u.number("minLength"),
        (
            MIN_LENGTH_ADDED,
            MIN_LENGTH_REMOVED,
            MIN_LENGTH_INCREASED,
            MIN_LENGTH_DECREASED,
        ),
    );
    let kind = match (
        o.get("pattern").and_then(Value::as_str),
        u.get("pattern").and_then(Value::as_str),
    ) {
        (None, Some(_)) => Some(PATTERN_ADDED),
        (Some(_), None) => Some(PATTERN_REMOVED),
        (Some(a), Some(b)) if a != b => Some(PATTERN_CHANGED),
        _ => None,
    };
    if let Some(kind) = kind {
        ctx.path.push("pattern".into());
        ctx.add(kind);
        ctx.path.pop();
    }
}

/// `(maximum, minimum, exclusiveMaximum, exclusiveMinimum)`, with draft 4's boolean
/// `exclusiveMaximum`/`exclusiveMinimum` turning the plain bound into the exclusive one.
pub(super) fn number_bounds(v: View<'_>) -> [Option<f64>; 4] {
    let exclusive = |plain: &str, keyword: &str| match v.get(keyword) {
        Some(Value::Bool(true)) => (None, v.number(plain)),
        Some(Value::Number(n)) => (v.number(plain), n.as_f64()),
        _ => (v.number(plain), None),
    };
    let (max, xmax) = exclusive("maximum", "exclusiveMaximum");
    let (min, xmin) = exclusive("minimum", "exclusiveMinimum");
    [max, min, xmax, xmin]
}

pub(super) fn compare_number(ctx: &mut Ctx, o: View<'_>, u: View<'_>, of: Family, uf: Family) {
    let (ob, ub) = (number_bounds(o), number_bounds(u));
    let names = ["maximum", "minimum", "exclusiveMaximum", "exclusiveMinimum"];
    let kinds = [
        (
            MAXIMUM_ADDED,
            MAXIMUM_REMOVED,
            MAXIMUM_INCREASED,
            MAXIMUM_DECREASED,
        ),
        (
            MINIMUM_ADDED,
            MINIMUM_REMOVED,
            MINIMUM_INCREASED,
            MINIMUM_DECREASED,
        ),
        (
            EXCLUSIVE_MAXIMUM_ADDED,
            EXCLUSIVE_MAXIMUM_REMOVED,
            EXCLUSIVE_MAXIMUM_INCREASED,
            EXCLUSIVE_MAXIMUM_DECREASED,
        ),
        (
            EXCLUSIVE_MINIMUM_ADDED,
            EXCLUSIVE_MINIMUM_REMOVED,
            EXCLUSIVE_MINIMUM_INCREASED,
            EXCLUSIVE_MINIMUM_DECREASED,
        ),
    ];
    for i in 0..4 {
        bound(ctx, names[i], ob[i], ub[i], kinds[i]);
    }
    let multiple = match (o.number("multipleOf"), u.number("multipleOf")) {
        (None, Some(_)) => Some(MULTIPLE_OF_ADDED),
        (Some(_), None) => Some(MULTIPLE_OF_REMOVED),
        (Some(a), Some(b)) if a != b => Some(if divides(a, b) {
            MULTIPLE_OF_EXPANDED
        } else if divides(b, a) {
            MULTIPLE_OF_REDUCED
        } else {
            MULTIPLE_OF_CHANGED
        }),
        _ => None,
    };
    if let Some(kind) = multiple {
        ctx.path.push("multipleOf".into());
        ctx.add(kind);
        ctx.path.pop();
    }
    match (of, uf) {
        (Family::Integer, Family::Number) => ctx.add(TYPE_EXTENDED),
        (Family::Number, Family::Integer) => ctx.add(TYPE_NARROWED),
        _ => {}
    }
}

pub(super) fn connect_bytes(v: View<'_>) -> bool {
    v.get("connect.type").and_then(Value::as_str) == Some("bytes")
}

/// Whether `a` divides `b` (b is a whole multiple of a).
pub(super) fn divides(a: f64, b: f64) -> bool {
    let q = b / a;
    a != 0.0 && (q - q.round()).abs() < 1e-9
}

pub(super) fn bound(
    ctx: &mut Ctx,
    keyword: &str,
    o: Option<f64>,
    u: Option<f64>,
    (added, removed, increased, decreased): Bounds,
) {
    let kind = match (o, u) {
        (None, Some(_)) => added,
        (Some(_), None) => removed,
        (Some(a), Some(b)) if b > a => increased,
        (Some(a), Some(b)) if b < a => decreased,
        _ => return,
    };
    ctx.path.push(keyword.into());
    ctx.add(kind);
    ctx.path.pop();
}

pub(super) fn compare_enum(ctx: &mut Ctx, o: &[&Value], u: &[&Value]) {
    let within = |a: &[&Value], b: &[&Value]| a.iter().all(|x| b.contains(x));
    let kind = match (within(o, u), within(u, o)) {
        (true, true) => return,
        (true, false) => ENUM_ARRAY_EXTENDED,
        (false, true) => ENUM_ARRAY_NARROWED,
        (false, false) => ENUM_ARRAY_CHANGED,
    };
    ctx.path.push("enum".into());
    ctx.add(kind);
    ctx.path.pop();
}
