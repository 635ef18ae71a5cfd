//! Python models: dataclasses with type hints, `from_dict`/`to_dict`, wire names kept in the
//! field metadata (`metadata={"wire": ...}`); checks cleanly under `mypy --strict`.

use std::fmt::Write;

use serde_json::Value;

use super::model::{logicals_of, Body, Field, Logical, Module, Presence, Ty};
use super::names::{doc_lines, quoted, snake, unique, upper_snake};
use super::Generated;

const RESERVED: &[&str] = &[
    "False",
    "None",
    "True",
    "and",
    "as",
    "assert",
    "async",
    "await",
    "break",
    "class",
    "continue",
    "def",
    "del",
    "elif",
    "else",
    "except",
    "finally",
    "for",
    "from",
    "global",
    "if",
    "import",
    "in",
    "is",
    "lambda",
    "nonlocal",
    "not",
    "or",
    "pass",
    "raise",
    "return",
    "try",
    "while",
    "with",
    "yield",
    "match",
    "case",
    "from_dict",
    "to_dict",
    "field",
    "enum",
    "self",
    "cls",
    "mro",
    // Builtins the annotations name: a field of that name would shadow them in the class body.
    "str",
    "int",
    "float",
    "bool",
    "list",
    "dict",
    "object",
];

fn ident(name: String) -> String {
    if RESERVED.contains(&name.as_str()) || name.starts_with('_') {
        format!("{}_", name.trim_start_matches('_'))
    } else {
        name
    }
}

const PRELUDE: &str = r#"from __future__ import annotations

import datetime as _dt
import decimal as _decimal
import enum
import uuid as _uuid
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, TypeAlias, TypeVar

_T = TypeVar("_T")


def _fail(expected: str, value: object) -> TypeError:
    return TypeError(f"expected {expected}, got {type(value).__name__}")


def _str(value: Any) -> str:
    if isinstance(value, str):
        return value
    raise _fail("a string", value)


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise _fail("a boolean", value)


def _int(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise _fail("an integer", value)


def _int64(value: Any) -> int:
    """A 64-bit integer, also from the decimal text Protobuf's JSON mapping writes."""
    if isinstance(value, str):
        return int(value)
    return _int(value)


def _float(value: Any) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    raise _fail("a number", value)


def _any(value: Any) -> Any:
    return value


def _obj(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    raise _fail("an object", value)


def _list(value: Any, item: Callable[[Any], _T]) -> list[_T]:
    if isinstance(value, list):
        return [item(v) for v in value]
    raise _fail("a list", value)


def _map(value: Any, item: Callable[[Any], _T]) -> dict[str, _T]:
    return {str(k): item(v) for k, v in _obj(value).items()}


def _opt(value: Any, item: Callable[[Any], _T]) -> Optional[_T]:
    return None if value is None else item(value)


def _enc(value: object) -> Any:
    """The JSON form of a model value (dicts, lists and scalars)."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, list):
        return [_enc(v) for v in value]
    if isinstance(value, dict):
        return {k: _enc(v) for k, v in value.items()}
    to_dict = getattr(value, "to_dict", None)
    if to_dict is not None:
        return to_dict()
    return value
"#;

/// Readers and writers of the logical types, added when a module uses one.
const LOGICAL: &str = r#"

# Logical types: read from and written back to their exact wire form.
_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)
_LOCAL_EPOCH = _dt.datetime(1970, 1, 1)
_EPOCH_DAY = _dt.date(1970, 1, 1)
_WIDE = _decimal.Context(prec=1000)


def _micros(delta: _dt.timedelta) -> int:
    return (delta.days * 86400 + delta.seconds) * 1000000 + delta.microseconds


def _list_enc(value: list[_T], item: Callable[[_T], Any]) -> list[Any]:
    return [item(v) for v in value]


def _map_enc(value: dict[str, _T], item: Callable[[_T], Any]) -> dict[str, Any]:
    return {k: item(v) for k, v in value.items()}


def _opt_enc(value: Optional[_T], item: Callable[[_T], Any]) -> Any:
    return None if value is None else item(value)


def _ts_millis(value: Any) -> _dt.datetime:
    return _EPOCH + _dt.timedelta(milliseconds=_int(value))


def _ts_millis_enc(value: _dt.datetime) -> int:
    return _micros(value - _EPOCH) // 1000


def _ts_micros(value: Any) -> _dt.datetime:
    return _EPOCH + _dt.timedelta(microseconds=_int(value))


def _ts_micros_enc(value: _dt.datetime) -> int:
    return _micros(value - _EPOCH)


def _local_ts_millis(value: Any) -> _dt.datetime:
    return _LOCAL_EPOCH + _dt.timedelta(milliseconds=_int(value))


def _local_ts_millis_enc(value: _dt.datetime) -> int:
    return _micros(value - _LOCAL_EPOCH) // 1000


def _local_ts_micros(value: Any) -> _dt.datetime:
    return _LOCAL_EPOCH + _dt.timedelta(microseconds=_int(value))


def _local_ts_micros_enc(value: _dt.datetime) -> int:
    return _micros(value - _LOCAL_EPOCH)


def _epoch_date(value: Any) -> _dt.date:
    return _EPOCH_DAY + _dt.timedelta(days=_int(value))


def _epoch_date_enc(value: _dt.date) -> int:
    return (value - _EPOCH_DAY).days


def _time_micros(value: Any) -> _dt.time:
    us = _int(value)
    return _dt.time(us // 3600000000, us // 60000000 % 60, us // 1000000 % 60, us % 1000000)


def _time_micros_enc(value: _dt.time) -> int:
    seconds = (value.hour * 60 + value.minute) * 60 + value.second
    return seconds * 1000000 + value.microsecond


def _time_millis(value: Any) -> _dt.time:
    return _time_micros(_int(value) * 1000)


def _time_millis_enc(value: _dt.time) -> int:
    return _time_micros_enc(value) // 1000


def _decimal_bytes(value: Any, scale: int) -> _decimal.Decimal:
    """Avro decimal: the unscaled two's-complement integer, big-endian, a character per byte."""
    unscaled = int.from_bytes(_str(value).encode("latin-1"), "big", signed=True)
    return _decimal.Decimal(unscaled).scaleb(-scale, _WIDE)


def _decimal_bytes_enc(value: _decimal.Decimal, scale: int, size: Optional[int]) -> str:
    unscaled = int(value.scaleb(scale, _WIDE))
    if size is None:
        size = (unscaled if unscaled >= 0 else ~unscaled).bit_length() // 8 + 1
    return unscaled.to_bytes(size, "big", signed=True).decode("latin-1")


def _uuid_text(value: Any) -> _uuid.UUID:
    return _uuid.UUID(_str(value))


def _uuid_text_enc(value: _uuid.UUID) -> str:
    return str(value)


def _fraction(micros: int) -> str:
    if micros == 0:
        return ""
    if micros % 1000 == 0:
        return f".{micros // 1000:03d}"
    return f".{micros:06d}"


def _datetime_text(value: Any) -> _dt.datetime:
    return _dt.datetime.fromisoformat(_str(value))


def _datetime_text_enc(value: _dt.datetime) -> str:
    text = (
        f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
        f"T{value.hour:02d}:{value.minute:02d}:{value.second:02d}"
        + _fraction(value.microsecond)
    )
    offset = value.utcoffset()
    if offset is None or not offset:
        return text + "Z"
    return text + value.isoformat()[-6:]


def _instant_text_enc(value: _dt.datetime) -> str:
    return _datetime_text_enc(value.astimezone(_dt.timezone.utc))


def _date_text(value: Any) -> _dt.date:
    return _dt.date.fromisoformat(_str(value))


def _date_text_enc(value: _dt.date) -> str:
    return value.isoformat()


def _duration_text(value: Any) -> _dt.timedelta:
    text = _str(value)
    if not text.endswith("s"):
        raise ValueError(f"not a duration: {text}")
    return _dt.timedelta(microseconds=int(_decimal.Decimal(text[:-1]).scaleb(6, _WIDE)))


def _duration_text_enc(value: _dt.timedelta) -> str:
    micros = _micros(value)
    sign = "-" if micros < 0 else ""
    return f"{sign}{abs(micros) // 1000000}{_fraction(abs(micros) % 1000000)}s"
"#;

pub fn generate(module: &Module) -> Generated {
    let mut out = String::new();
    let _ = writeln!(out, "\"\"\"{}", super::header(module));
    out.push_str(
        "\nModels of the decoded data: `from_dict` reads parsed JSON, `to_dict` writes it back.\n",
    );
    out.push_str("Each field's wire name is in its metadata under \"wire\".\n\"\"\"\n\n");
    out.push_str(PRELUDE);
    if !logicals_of(&module.types).is_empty() {
        out.push_str(LOGICAL);
    }
    // Enums first: field defaults name their members when the class body runs.
    let mut order: Vec<usize> = (0..module.types.len()).collect();
    order.sort_by_key(|&i| !matches!(module.types[i].body, Body::Enum(_)));
    for index in order {
        out.push_str("\n\n");
        type_def(module, index, &mut out);
    }
    Generated {
        path: format!("{}.py", snake(&module.label)),
        text: out,
    }
}

fn docstring(doc: &str, indent: &str, out: &mut String) {
    let text = doc.replace('\\', "\\\\").replace("\"\"\"", "\\\"\\\"\\\"");
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() <= 1 {
        let _ = writeln!(out, "{indent}\"\"\"{}\"\"\"", text.trim());
    } else {
        let _ = writeln!(out, "{indent}\"\"\"{}", lines[0]);
        for line in &lines[1..] {
            if line.trim().is_empty() {
                out.push('\n');
            } else {
                let _ = writeln!(out, "{indent}{}", line.trim_end());
            }
        }
        let _ = writeln!(out, "{indent}\"\"\"");
    }
}

fn py_type(module: &Module, t: &Ty) -> String {
    match t {
        Ty::Bool => "bool".into(),
        Ty::Int | Ty::Long | Ty::Int64 => "int".into(),
        Ty::Float | Ty::Double => "float".into(),
        Ty::String => "str".into(),
        Ty::Any => "Any".into(),
        Ty::Named(i) => module.types[*i].name.clone(),
        Ty::Array(t) => format!("list[{}]", py_type(module, t)),
        Ty::Map(t) => format!("dict[str, {}]", py_type(module, t)),
        Ty::Nullable(t) => format!("Optional[{}]", py_type(module, t)),
        Ty::Logical(l) => match l {
            Logical::TimestampMillis
            | Logical::TimestampMicros
            | Logical::LocalTimestampMillis
            | Logical::LocalTimestampMicros
            | Logical::DateTime
            | Logical::Instant => "_dt.datetime",
            Logical::EpochDate | Logical::Date => "_dt.date",
            Logical::TimeMillis | Logical::TimeMicros => "_dt.time",
            Logical::Decimal { .. } => "_decimal.Decimal",
            Logical::Uuid => "_uuid.UUID",
            Logical::Duration => "_dt.timedelta",
        }
        .into(),
    }
}

/// The prelude function that reads (`suffix` "") or writes (`suffix` "_enc") a logical type.
fn logical_fn(l: Logical, suffix: &str, depth: usize) -> String {
    let name = match l {
        Logical::TimestampMillis => "_ts_millis",
        Logical::TimestampMicros => "_ts_micros",
        Logical::LocalTimestampMillis => "_local_ts_millis",
        Logical::LocalTimestampMicros => "_local_ts_micros",
        Logical::EpochDate => "_epoch_date",
        Logical::TimeMillis => "_time_millis",
        Logical::TimeMicros => "_time_micros",
        Logical::Uuid => "_uuid_text",
        Logical::DateTime => "_datetime_text",
        Logical::Instant if suffix.is_empty() => "_datetime_text",
        Logical::Instant => "_instant_text",
        Logical::Date => "_date_text",
        Logical::Duration => "_duration_text",
        Logical::Decimal { scale, size, .. } => {
            let v = format!("v{depth}");
            return if suffix.is_empty() {
                format!("lambda {v}: _decimal_bytes({v}, {scale})")
            } else {
                let size = size.map_or("None".to_string(), |n| n.to_string());
                format!("lambda {v}: _decimal_bytes_enc({v}, {scale}, {size})")
            };
        }
    };
    format!("{name}{suffix}")
}

fn has_logical(t: &Ty) -> bool {
    let mut found = Vec::new();
    t.logicals(&mut found);
    !found.is_empty()
}

/// A callable that writes `t` in its JSON form.
fn encoder(t: &Ty, depth: usize) -> String {
    let v = format!("v{depth}");
    match t {
        _ if !has_logical(t) => "_enc".into(),
        Ty::Logical(l) => logical_fn(*l, "_enc", depth),
        Ty::Array(t) => format!("lambda {v}: _list_enc({v}, {})", encoder(t, depth + 1)),
        Ty::Map(t) => format!("lambda {v}: _map_enc({v}, {})", encoder(t, depth + 1)),
        Ty::Nullable(t) => format!("lambda {v}: _opt_enc({v}, {})", encoder(t, depth + 1)),
        _ => "_enc".into(),
    }
}

/// `encoder` applied to the expression `value`.
fn encode(t: &Ty, value: &str) -> String {
    match t {
        _ if !has_logical(t) => format!("_enc({value})"),
        Ty::Array(t) => format!("_list_enc({value}, {})", encoder(t, 0)),
        Ty::Map(t) => format!("_map_enc({value}, {})", encoder(t, 0)),
        Ty::Nullable(t) => format!("_opt_enc({value}, {})", encoder(t, 0)),
        Ty::Logical(Logical::Decimal { scale, size, .. }) => {
            let size = size.map_or("None".to_string(), |n| n.to_string());
            format!("_decimal_bytes_enc({value}, {scale}, {size})")
        }
        other => format!("{}({value})", encoder(other, 0)),
    }
}

/// A callable that reads the JSON form of `t`; `depth` keeps lambda parameters distinct.
fn decoder(module: &Module, t: &Ty, depth: usize) -> String {
    let v = format!("v{depth}");
    match t {
        Ty::Bool => "_bool".into(),
        Ty::Int | Ty::Long => "_int".into(),
        Ty::Int64 => "_int64".into(),
        Ty::Float | Ty::Double => "_float".into(),
        Ty::String => "_str".into(),
        Ty::Any => "_any".into(),
        Ty::Named(i) => match &module.types[*i].body {
            Body::Record(_) => format!("{}.from_dict", module.types[*i].name),
            Body::Enum(_) => module.types[*i].name.clone(),
            Body::Union(_) => format!("_decode_{}", module.types[*i].name),
        },
        Ty::Array(t) => format!("lambda {v}: _list({v}, {})", decoder(module, t, depth + 1)),
        Ty::Map(t) => format!("lambda {v}: _map({v}, {})", decoder(module, t, depth + 1)),
        Ty::Nullable(t) => format!("lambda {v}: _opt({v}, {})", decoder(module, t, depth + 1)),
        Ty::Logical(l) => logical_fn(*l, "", depth),
    }
}

/// `decoder` applied to the expression `value`.
fn decode(module: &Module, t: &Ty, value: &str) -> String {
    match t {
        Ty::Array(t) => format!("_list({value}, {})", decoder(module, t, 0)),
        Ty::Map(t) => format!("_map({value}, {})", decoder(module, t, 0)),
        Ty::Nullable(t) => format!("_opt({value}, {})", decoder(module, t, 0)),
        Ty::Logical(Logical::Decimal { scale, .. }) => format!("_decimal_bytes({value}, {scale})"),
        other => format!("{}({value})", decoder(module, other, 0)),
    }
}

/// A Python literal of a JSON value.
fn literal(value: &Value) -> String {
    match value {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => quoted(s),
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(literal).collect::<Vec<_>>().join(", ")
        ),
        Value::Object(map) => format!(
            "{{{}}}",
            map.iter()
                .map(|(k, v)| format!("{}: {}", quoted(k), literal(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The value a missing field reads as under Protobuf's implicit defaults.
fn zero(module: &Module, t: &Ty) -> String {
    match t {
        Ty::Bool => "False".into(),
        Ty::Int | Ty::Long | Ty::Int64 => "0".into(),
        Ty::Float | Ty::Double => "0.0".into(),
        Ty::String => "\"\"".into(),
        Ty::Array(_) => "[]".into(),
        Ty::Map(_) => "{}".into(),
        Ty::Named(i) => match &module.types[*i].body {
            Body::Enum(symbols) => {
                format!("{}.{}", module.types[*i].name, enum_members(symbols)[0])
            }
            _ => "None".into(),
        },
        _ => "None".into(),
    }
}

fn enum_members(symbols: &[String]) -> Vec<String> {
    let mut taken = Vec::new();
    symbols
        .iter()
        .map(|s| unique(ident(upper_snake(s)), &mut taken))
        .collect()
}

fn type_def(module: &Module, index: usize, out: &mut String) {
    let def = &module.types[index];
    match &def.body {
        Body::Enum(symbols) => {
            let _ = writeln!(out, "class {}(enum.Enum):", def.name);
            if let Some(doc) = &def.doc {
                docstring(doc, "    ", out);
                out.push('\n');
            }
            for (member, symbol) in enum_members(symbols).iter().zip(symbols) {
                let _ = writeln!(out, "    {member} = {}", quoted(symbol));
            }
        }
        Body::Union(members) => {
            let types: Vec<String> = members.iter().map(|m| py_type(module, m)).collect();
            let alias = if types.len() == 1 {
                types[0].clone()
            } else {
                types.join(" | ")
            };
            if let Some(doc) = &def.doc {
                for line in doc_lines(doc) {
                    let _ = writeln!(out, "# {line}").map(|_| ());
                }
            }
            let _ = writeln!(out, "{}: TypeAlias = {}", def.name, quoted(&alias));
            let _ = writeln!(
                out,
                "\n\ndef _decode_{}(value: Any) -> {}:",
                def.name, def.name
            );
            if members.len() == 1 {
                let _ = writeln!(out, "    return {}", decode(module, &members[0], "value"));
            } else {
                for member in members {
                    let _ = writeln!(
                        out,
                        "    try:\n        return {}\n    except (TypeError, ValueError, KeyError):\n        pass",
                        decode(module, member, "value")
                    );
                }
                let _ = writeln!(
                    out,
                    "    raise TypeError(\"no member of {} matches the value\")",
                    def.name
                );
            }
        }
        Body::Record(fields) => record(module, &def.name, def.doc.as_deref(), fields, out),
    }
}

fn record(module: &Module, name: &str, doc: Option<&str>, fields: &[Field], out: &mut String) {
    let _ = writeln!(out, "@dataclass(kw_only=True)\nclass {name}:");
    if let Some(doc) = doc {
        docstring(doc, "    ", out);
    }
    let mut taken = Vec::new();
    let names: Vec<String> = fields
        .iter()
        .map(|f| unique(ident(snake(&f.wire)), &mut taken))
        .collect();
    if !fields.is_empty() && doc.is_some() {
        out.push('\n');
    }
    for (field, attr) in fields.iter().zip(&names) {
        let mut ty = py_type(module, &field.ty);
        let metadata = format!("metadata={{\"wire\": {}}}", quoted(&field.wire));
        let default = match &field.presence {
            Presence::Optional => {
                if !field.ty.is_nullable() {
                    ty = format!("Optional[{ty}]");
                }
                format!("default=None, {metadata}")
            }
            Presence::Defaulted(None) => match zero(module, &field.ty).as_str() {
                "[]" => format!("default_factory=list, {metadata}"),
                "{}" => format!("default_factory=dict, {metadata}"),
                z => format!("default={z}, {metadata}"),
            },
            Presence::Defaulted(Some(value)) => format!(
                "default_factory=lambda: {}, {metadata}",
                decode(module, &field.ty, &literal(value))
            ),
            Presence::Required => metadata,
        };
        if let Some(doc) = &field.doc {
            for line in doc_lines(doc) {
                let _ = writeln!(out, "    #: {line}");
            }
        }
        let _ = writeln!(out, "    {attr}: {ty} = field({default})");
    }
    if fields.is_empty() {
        out.push_str("    pass\n");
    }
    let _ = writeln!(
        out,
        "\n    @classmethod\n    def from_dict(cls, data: Any) -> {name}:\n        d = _obj(data)\n        return cls("
    );
    for (field, attr) in fields.iter().zip(&names) {
        let wire = quoted(&field.wire);
        let value = match &field.presence {
            Presence::Required if field.ty.is_nullable() => {
                decode(module, &field.ty, &format!("d.get({wire})"))
            }
            Presence::Required => decode(module, &field.ty, &format!("d[{wire}]")),
            Presence::Optional if field.ty.is_nullable() => {
                decode(module, &field.ty, &format!("d.get({wire})"))
            }
            Presence::Optional => format!(
                "{} if {wire} in d else None",
                decode(module, &field.ty, &format!("d[{wire}]"))
            ),
            Presence::Defaulted(None) => format!(
                "{} if d.get({wire}) is not None else {}",
                decode(module, &field.ty, &format!("d[{wire}]")),
                zero(module, &field.ty)
            ),
            Presence::Defaulted(Some(default)) => format!(
                "{} if {wire} in d else {}",
                decode(module, &field.ty, &format!("d[{wire}]")),
                decode(module, &field.ty, &literal(default))
            ),
        };
        let _ = writeln!(out, "            {attr}={value},");
    }
    out.push_str(
        "        )\n\n    def to_dict(self) -> dict[str, Any]:\n        out: dict[str, Any] = {}\n",
    );
    for (field, attr) in fields.iter().zip(&names) {
        let wire = quoted(&field.wire);
        if field.omitted_when_empty() {
            let _ = writeln!(
                out,
                "        if self.{attr} is not None:\n            out[{wire}] = {}",
                encode(&field.ty, &format!("self.{attr}"))
            );
        } else {
            let _ = writeln!(
                out,
                "        out[{wire}] = {}",
                encode(&field.ty, &format!("self.{attr}"))
            );
        }
    }
    out.push_str("        return out\n");
}
