//! A compatibility difference as data, for people and scripts: its kind (Confluent's name for
//! it), where it is (a pointer into a schema and the dotted field), what each version has
//! there, which consumers it breaks, and a sentence that says all of it. The Confluent API
//! keeps answering Confluent's own message strings; everything Herald shows reads these.

use serde::{Deserialize, Serialize};

/// The direction a compatibility check reads in.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Consumers on the new version read messages written with the old one.
    Backward,
    /// Consumers still on the old version read messages written with the new one.
    Forward,
}

impl Direction {
    /// The check `reader.differences(writer, reader_is_new)` makes.
    pub fn of(reader_is_new: bool) -> Direction {
        if reader_is_new {
            Direction::Backward
        } else {
            Direction::Forward
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Backward => "backward",
            Direction::Forward => "forward",
        }
    }
}

/// One of the two schemas compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Old,
    New,
}

impl Side {
    /// The side the reader of a check is on.
    pub fn reader(reader_is_new: bool) -> Side {
        if reader_is_new {
            Side::New
        } else {
            Side::Old
        }
    }

    /// The side the writer of a check is on.
    pub fn writer(reader_is_new: bool) -> Side {
        Side::reader(!reader_is_new)
    }
}

/// One reason a version cannot follow another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Reason {
    /// Confluent's name for the difference: `TYPE_MISMATCH`, `READER_FIELD_MISSING_DEFAULT_VALUE`
    /// (Avro), `TYPE_CHANGED`, `REQUIRED_ATTRIBUTE_ADDED` (JSON Schema), `FIELD_KIND_CHANGED`
    /// (Protobuf)…
    pub kind: String,
    /// Where it is, as the checker names the place: a JSON Pointer into the reader's schema
    /// (Avro, `/fields/0/type`), a `#/` path into the writer's (JSON Schema,
    /// `#/properties/amount`), or `#/Message/number` (Protobuf).
    pub pointer: String,
    /// The schema `pointer` points into: `old` or `new`.
    pub pointer_into: Side,
    /// The field, dotted from the top (`payment.amount`, `lines[].sku`); null when the
    /// difference is in the schema as a whole.
    pub field: Option<String>,
    /// What the old version has there (a type, symbols, a bound, a name); null when nothing.
    pub old: Option<String>,
    /// What the new version has there; null when nothing.
    pub new: Option<String>,
    /// The checks it fails: `backward` (consumers on the new version cannot read messages
    /// written with the old one), `forward` (consumers on the old version cannot read
    /// messages written with the new one), or both.
    pub breaks: Vec<Direction>,
    /// The consumers it breaks, by the version they read: "consumers on v3".
    pub readers: Vec<String>,
    /// What changed: "field `amount` changed type from long to string".
    pub change: String,
    /// The whole reason in one sentence, naming the versions: "field `amount` changed type
    /// from long to string: consumers on v2 cannot read messages written with v3".
    pub text: String,
    /// The registry's own message for it, one per direction, as the Confluent API answers it.
    pub messages: Vec<String>,
    #[serde(skip)]
    labels: Labels,
}

/// How the two versions are named in sentences.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Labels {
    old: String,
    new: String,
}

impl Default for Labels {
    fn default() -> Self {
        Labels {
            old: "the old version".into(),
            new: "the new version".into(),
        }
    }
}

/// What a format knows about one difference, found in one direction.
pub struct Found {
    pub kind: String,
    pub pointer: String,
    pub pointer_into: Side,
    /// Who the sentence is about: "field `amount`", "message `Address`", "the schema".
    pub subject: String,
    pub field: Option<String>,
    /// What changed about the subject ("type", "maxLength", "symbols"); `None` for the subject
    /// itself (a field added, removed, or made required).
    pub aspect: Option<String>,
    pub old: Option<String>,
    pub new: Option<String>,
    pub direction: Direction,
    pub message: String,
    /// What changed, when the subject, aspect and values do not say it well by themselves.
    pub change: Option<String>,
}

/// `field `a.b``, or "the schema" without a field.
pub fn subject_of(field: Option<&str>) -> String {
    match field {
        Some(f) => format!("field `{f}`"),
        None => "the schema".into(),
    }
}

impl Reason {
    pub fn new(found: Found) -> Reason {
        let change = found.change.unwrap_or_else(|| {
            describe_change(
                &found.subject,
                found.aspect.as_deref(),
                found.old.as_deref(),
                found.new.as_deref(),
            )
        });
        let mut reason = Reason {
            kind: found.kind,
            pointer: found.pointer,
            pointer_into: found.pointer_into,
            field: found.field,
            old: found.old,
            new: found.new,
            breaks: vec![found.direction],
            readers: Vec::new(),
            change,
            text: String::new(),
            messages: vec![found.message],
            labels: Labels::default(),
        };
        reason.render();
        reason
    }

    /// Names the two versions in the sentence (`v2` and `v3`, `1.1.0` and `2.0.0`).
    pub fn labelled(mut self, old: &str, new: &str) -> Reason {
        self.labels = Labels {
            old: old.to_string(),
            new: new.to_string(),
        };
        self.render();
        self
    }

    fn render(&mut self) {
        let Labels { old, new } = &self.labels;
        self.readers = self
            .breaks
            .iter()
            .map(|d| match d {
                Direction::Backward => format!("consumers on {new}"),
                Direction::Forward => format!("consumers on {old}"),
            })
            .collect();
        let who = match self.breaks.as_slice() {
            [Direction::Backward] => {
                format!("consumers on {new} cannot read messages written with {old}")
            }
            [Direction::Forward] => {
                format!("consumers on {old} cannot read messages written with {new}")
            }
            _ => format!(
                "consumers on {new} cannot read messages written with {old}, nor consumers on {old} those written with {new}"
            ),
        };
        self.text = format!("{}: {who}", self.change);
    }

    /// Whether it fails the check in `direction`.
    pub fn breaks(&self, direction: Direction) -> bool {
        self.breaks.contains(&direction)
    }

    /// The same difference seen from the other direction (FULL finds most twice, sometimes
    /// under two names: Protobuf's REQUIRED_FIELD_ADDED one way is REQUIRED_FIELD_REMOVED
    /// the other).
    fn same_as(&self, other: &Reason) -> bool {
        let other_direction = other.breaks.iter().all(|d| !self.breaks.contains(d));
        (self.kind == other.kind || other_direction)
            && self.field == other.field
            && self.old == other.old
            && self.new == other.new
            && self.change == other.change
    }
}

/// Each difference once, with every direction it breaks: what both directions of a check
/// found, in the order found.
pub fn merge(reasons: impl IntoIterator<Item = Reason>) -> Vec<Reason> {
    let mut out: Vec<Reason> = Vec::new();
    for reason in reasons {
        match out.iter_mut().find(|r| r.same_as(&reason)) {
            Some(known) => {
                for d in reason.breaks {
                    if !known.breaks.contains(&d) {
                        known.breaks.push(d);
                    }
                }
                known.breaks.sort();
                for m in reason.messages {
                    if !known.messages.contains(&m) {
                        known.messages.push(m);
                    }
                }
                known.render();
            }
            None => out.push(reason),
        }
    }
    out
}

/// "field `amount` changed type from long to string", "field `qty` was added as int without a
/// default", "field `name` gained maxLength 10": the change from the old version to the new.
pub fn describe_change(
    subject: &str,
    aspect: Option<&str>,
    old: Option<&str>,
    new: Option<&str>,
) -> String {
    match (aspect, old, new) {
        (None | Some("type"), None, Some(n)) => format!("{subject} was added as {n}"),
        (None | Some("type"), Some(o), None) => format!("{subject} was removed (it was {o})"),
        (Some(a), Some(o), Some(n)) if o == n => {
            format!("{subject} changed incompatibly inside its {a} {o}")
        }
        (None, Some(o), Some(n)) => format!("{subject} changed from {o} to {n}"),
        (Some(a), Some(o), Some(n)) => format!("{subject} changed {a} from {o} to {n}"),
        (Some(a), None, Some(n)) => format!("{subject} gained {a} {n}"),
        (Some(a), Some(o), None) => format!("{subject} lost {a} {o}"),
        (Some(a), None, None) => format!("{subject} changed its {a}"),
        (None, None, None) => format!("{subject} changed"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(direction: Direction) -> Found {
        Found {
            kind: "TYPE_MISMATCH".into(),
            pointer: "/fields/0/type".into(),
            pointer_into: Side::New,
            subject: subject_of(Some("amount")),
            field: Some("amount".into()),
            aspect: Some("type".into()),
            old: Some("long".into()),
            new: Some("string".into()),
            direction,
            message: format!("{direction:?}"),
            change: None,
        }
    }

    #[test]
    fn the_sentence_names_the_change_and_the_consumers_it_breaks() {
        let r = Reason::new(found(Direction::Forward)).labelled("v2", "v3");
        assert_eq!(
            r.text,
            "field `amount` changed type from long to string: consumers on v2 cannot read messages written with v3"
        );
        assert_eq!(r.readers, ["consumers on v2"]);
        let r = Reason::new(found(Direction::Backward)).labelled("v2", "v3");
        assert_eq!(
            r.text,
            "field `amount` changed type from long to string: consumers on v3 cannot read messages written with v2"
        );
    }

    #[test]
    fn both_directions_of_one_difference_are_listed_once() {
        let merged = merge([
            Reason::new(found(Direction::Backward)).labelled("1.0.0", "2.0.0"),
            Reason::new(found(Direction::Forward)).labelled("1.0.0", "2.0.0"),
        ]);
        assert_eq!(merged.len(), 1);
        let r = &merged[0];
        assert_eq!(r.breaks, [Direction::Backward, Direction::Forward]);
        assert_eq!(r.messages, ["Backward", "Forward"]);
        assert!(r.text.ends_with("consumers on 2.0.0 cannot read messages written with 1.0.0, nor consumers on 1.0.0 those written with 2.0.0"), "{}", r.text);
    }

    #[test]
    fn changes_read_as_additions_removals_and_bounds() {
        let f = "field `x`";
        assert_eq!(
            describe_change(f, None, None, Some("int without a default")),
            "field `x` was added as int without a default"
        );
        assert_eq!(
            describe_change(f, None, Some("string"), None),
            "field `x` was removed (it was string)"
        );
        assert_eq!(
            describe_change(f, Some("maxLength"), None, Some("10")),
            "field `x` gained maxLength 10"
        );
        assert_eq!(
            describe_change(f, Some("maxLength"), Some("20"), Some("10")),
            "field `x` changed maxLength from 20 to 10"
        );
        assert_eq!(
            describe_change(f, None, Some("optional"), Some("required")),
            "field `x` changed from optional to required"
        );
    }
}
