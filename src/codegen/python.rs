//! Python models: dataclasses with type hints, `from_dict`/`to_dict`, wire names kept in the
//! field metadata (`metadata={"wire": ...}`); checks cleanly under `mypy --strict`.

use std::fmt::Write;

use serde_json::Value;

use super::model::{Body, Field, Module, Presence, Ty};
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

import enum
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

pub fn generate(module: &Module) -> Generated {
    let mut out = String::new();
    let _ = writeln!(out, "\"\"\"{}", super::header(module));
    out.push_str(
        "\nModels of the decoded data: `from_dict` reads parsed JSON, `to_dict` writes it back.\n",
    );
    out.push_str("Each field's wire name is in its metadata under \"wire\".\n\"\"\"\n\n");
    out.push_str(PRELUDE);
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
    }
}

/// `decoder` applied to the expression `value`.
fn decode(module: &Module, t: &Ty, value: &str) -> String {
    match t {
        Ty::Array(t) => format!("_list({value}, {})", decoder(module, t, 0)),
        Ty::Map(t) => format!("_map({value}, {})", decoder(module, t, 0)),
        Ty::Nullable(t) => format!("_opt({value}, {})", decoder(module, t, 0)),
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
                "        if self.{attr} is not None:\n            out[{wire}] = _enc(self.{attr})"
            );
        } else {
            let _ = writeln!(out, "        out[{wire}] = _enc(self.{attr})");
        }
    }
    out.push_str("        return out\n");
}
