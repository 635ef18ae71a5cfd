//! Contexts: subjects named `:.ctx:subject` live in context `.ctx`, each context with its own
//! schema ids, identities, config and mode. The default context `.` is written without a prefix.
//!
//! Ids are stored as one integer per schema. The default context's ids are stored as they are
//! answered; a schema of context number `n` (1, 2, … in the order contexts were first used) is
//! stored as `-(n·2³² + id)`. Negative rows never move either database's own id counter, so the
//! default context keeps its ids exactly, and each context counts from 1.

/// The context of unqualified subjects.
pub const DEFAULT: &str = ".";
/// Cross-context defaults for config and mode; nothing can be registered there.
pub const GLOBAL: &str = ".__GLOBAL";
/// Where the cross-context config and mode are stored: `:.__GLOBAL:`.
pub const CROSS_CONTEXT_SCOPE: &str = ":.__GLOBAL:";
/// `GET /subjects?subjectPrefix=` default: every context.
pub const WILDCARD: &str = ":*:";

const SHIFT: u32 = 32;
const LOCAL_MASK: i64 = (1 << SHIFT) - 1;

/// A subject split into its context (`.` or `.name`) and the name within it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Qualified<'a> {
    pub context: std::borrow::Cow<'a, str>,
    pub name: &'a str,
}

/// Splits `:.ctx:name` (or `:ctx:name`, the dot being implied) into context and name; anything
/// else is a name in the default context.
pub fn split(subject: &str) -> Qualified<'_> {
    if let Some(rest) = subject.strip_prefix(':') {
        if let Some(end) = rest.find(':') {
            let (context, name) = (&rest[..end], &rest[end + 1..]);
            let context = if context.is_empty() || context == DEFAULT {
                std::borrow::Cow::Borrowed(DEFAULT)
            } else if context.starts_with('.') || context == "*" {
                std::borrow::Cow::Borrowed(context)
            } else {
                std::borrow::Cow::Owned(format!(".{context}"))
            };
            return Qualified { context, name };
        }
    }
    Qualified {
        context: std::borrow::Cow::Borrowed(DEFAULT),
        name: subject,
    }
}

/// The subject's context: `.` or `.name`.
pub fn of(subject: &str) -> std::borrow::Cow<'_, str> {
    split(subject).context
}

/// `name` in `context`, written as Confluent writes it (no prefix in the default context).
pub fn qualify(context: &str, name: &str) -> String {
    if context == DEFAULT {
        name.to_string()
    } else {
        format!(":{context}:{name}")
    }
}

/// The subject a reference names, as seen from a schema in `context`: a qualified name is
/// taken as it is, an unqualified one is in the referrer's context.
pub fn in_context(context: &str, subject: &str) -> String {
    if subject.starts_with(':') {
        normalize(subject).into_owned()
    } else {
        qualify(context, subject)
    }
}

/// The references of a schema of `subject` as they resolve: one without a context names a
/// subject of `subject`'s context.
pub fn place_references(subject: &str, references: &mut [super::Reference]) {
    let holder = of(subject).into_owned();
    for r in references {
        r.subject = in_context(&holder, &r.subject);
    }
}

/// One spelling per subject: `:ctx:s` becomes `:.ctx:s`, `:.:s` becomes `s`.
pub fn normalize(subject: &str) -> std::borrow::Cow<'_, str> {
    if !subject.starts_with(':') {
        return std::borrow::Cow::Borrowed(subject);
    }
    let q = split(subject);
    let normal = qualify(&q.context, q.name);
    if normal == subject {
        std::borrow::Cow::Borrowed(subject)
    } else {
        std::borrow::Cow::Owned(normal)
    }
}

/// The scope config and mode of a whole context are stored under (`:.ctx:`); the default
/// context's is the top level.
pub fn scope(context: &str) -> String {
    if context == DEFAULT {
        String::new()
    } else {
        format!(":{context}:")
    }
}

/// Whether `name` is a whole context (`:.ctx:`, no subject in it) rather than a subject.
pub fn is_scope(name: &str) -> bool {
    name.starts_with(':') && split(name).name.is_empty()
}

/// A context name as a path or query gives it: the dot is implied, `:` is not allowed.
pub fn parse_name(raw: &str) -> Option<String> {
    if raw.is_empty() || raw.contains(':') || raw.chars().any(char::is_control) {
        return None;
    }
    Some(if raw.starts_with('.') {
        raw.to_string()
    } else {
        format!(".{raw}")
    })
}

/// The stored id of answered id `id` in the context numbered `number` (0: the default).
pub fn stored_id(number: u32, id: i64) -> i64 {
    if number == 0 {
        id
    } else {
        -((i64::from(number) << SHIFT) | (id & LOCAL_MASK))
    }
}

/// The id a client sees for stored id `stored`.
pub fn wire_id(stored: i64) -> i64 {
    if stored >= 0 {
        stored
    } else {
        (stored.unsigned_abs() & LOCAL_MASK as u64) as i64
    }
}

/// The number of the context a stored id belongs to (0: the default).
pub fn number_of(stored: i64) -> u32 {
    if stored >= 0 {
        0
    } else {
        (stored.unsigned_abs() >> SHIFT) as u32
    }
}

/// The stored ids of context `number`, as an inclusive range.
pub fn stored_range(number: u32) -> (i64, i64) {
    if number == 0 {
        (1, i64::MAX)
    } else {
        (stored_id(number, i64::from(i32::MAX)), stored_id(number, 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_split_into_context_and_name() {
        assert_eq!(split("orders").context, ".");
        assert_eq!(split(":.eu:orders").context, ".eu");
        assert_eq!(split(":.eu:orders").name, "orders");
        assert_eq!(split(":eu:orders").context, ".eu");
        assert_eq!(split(":.:orders").context, ".");
        assert_eq!(split(":.eu:").name, "");
        assert_eq!(split(":*:").context, "*");
        assert_eq!(split(":no-second-colon").context, ".");
        assert_eq!(normalize(":eu:orders"), ":.eu:orders");
        assert_eq!(normalize(":.:orders"), "orders");
        assert_eq!(normalize(":.eu:a:b"), ":.eu:a:b");
        assert_eq!(qualify(".eu", "x"), ":.eu:x");
        assert_eq!(qualify(".", "x"), "x");
        assert_eq!(scope(GLOBAL), CROSS_CONTEXT_SCOPE);
        assert!(is_scope(":.eu:") && !is_scope(":.eu:x") && !is_scope("x") && !is_scope(""));
        assert_eq!(parse_name("eu").as_deref(), Some(".eu"));
        assert_eq!(parse_name("a:b"), None);
    }

    #[test]
    fn ids_of_each_context_count_from_one_without_meeting() {
        assert_eq!(stored_id(0, 7), 7);
        let a = stored_id(1, 1);
        let b = stored_id(2, 1);
        assert!(a < 0 && b < 0 && a != b);
        assert_eq!(wire_id(a), 1);
        assert_eq!(number_of(a), 1);
        assert_eq!(number_of(b), 2);
        assert_eq!(number_of(7), 0);
        let top = stored_id(3, i64::from(i32::MAX));
        assert_eq!(wire_id(top), i64::from(i32::MAX));
        assert_eq!(number_of(top), 3);
        let (low, high) = stored_range(3);
        assert!(low <= top && top <= high && high == stored_id(3, 1));
        assert!(!(low..=high).contains(&stored_id(2, 5)));
        assert!(!(low..=high).contains(&stored_id(4, 5)));
        // Any number a client sends is safe to ask about.
        assert_eq!(wire_id(i64::MIN), 0);
        assert_eq!(number_of(i64::MIN), 1 << 31);
    }
}
