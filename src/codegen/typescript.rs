//! TypeScript models: interfaces and type aliases for the data as `JSON.parse` returns it, so
//! properties keep their wire names; docs as TSDoc comments.

use std::fmt::Write;

use super::model::{logicals_of, Body, Module, Presence, Ty};
use super::names::{doc_lines, pascal, quoted};
use super::Generated;

pub fn generate(module: &Module) -> Generated {
    let mut out = String::new();
    let _ = writeln!(out, "// {}", super::header(module));
    out.push_str("// Models of the decoded data, as JSON.parse returns it: property names are the wire names.\n");
    for logical in logicals_of(&module.types) {
        // Date and the like do not survive JSON.stringify/JSON.parse, so a logical type stays
        // its wire form, branded by an optional phantom property: any value of the wire type
        // (a parsed JSON literal) is accepted, one of another encoding is not.
        out.push('\n');
        tsdoc(&logical.encoding(), "", &mut out);
        let _ = writeln!(
            out,
            "export type {} = {} & {{ readonly __encoding?: {} }};",
            logical.alias(),
            ts_type(module, &logical.wire()),
            quoted(&logical.alias())
        );
    }
    for index in 0..module.types.len() {
        out.push('\n');
        type_def(module, index, &mut out);
    }
    Generated {
        path: format!("{}.ts", pascal(&module.label)),
        text: out,
    }
}

fn tsdoc(doc: &str, indent: &str, out: &mut String) {
    let lines = doc_lines(doc);
    let _ = writeln!(out, "{indent}/**");
    for line in lines {
        if line.is_empty() {
            let _ = writeln!(out, "{indent} *");
        } else {
            let _ = writeln!(out, "{indent} * {}", line.replace('@', "\\@"));
        }
    }
    let _ = writeln!(out, "{indent} */");
}

fn ts_type(module: &Module, t: &Ty) -> String {
    match t {
        Ty::Bool => "boolean".into(),
        Ty::Int | Ty::Long | Ty::Float | Ty::Double => "number".into(),
        Ty::Int64 => "number | string".into(),
        Ty::String => "string".into(),
        Ty::Any => "unknown".into(),
        Ty::Named(i) => module.types[*i].name.clone(),
        Ty::Array(t) => format!("({})[]", ts_type(module, t)),
        Ty::Map(t) => format!("{{ [key: string]: {} }}", ts_type(module, t)),
        Ty::Nullable(t) => format!("{} | null", ts_type(module, t)),
        Ty::Logical(l) => l.alias(),
    }
}

fn property_name(wire: &str) -> String {
    let plain = wire
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && wire
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
    if plain {
        wire.to_string()
    } else {
        quoted(wire)
    }
}

fn type_def(module: &Module, index: usize, out: &mut String) {
    let def = &module.types[index];
    if let Some(doc) = &def.doc {
        tsdoc(doc, "", out);
    }
    match &def.body {
        Body::Enum(symbols) => {
            let members: Vec<String> = symbols.iter().map(|s| quoted(s)).collect();
            let _ = writeln!(out, "export type {} = {};", def.name, members.join(" | "));
        }
        Body::Union(members) => {
            let members: Vec<String> = members.iter().map(|m| ts_type(module, m)).collect();
            let _ = writeln!(out, "export type {} = {};", def.name, members.join(" | "));
        }
        Body::Record(fields) => {
            let _ = writeln!(out, "export interface {} {{", def.name);
            for field in fields {
                let mut doc = field.doc.clone();
                if let Presence::Defaulted(Some(value)) = &field.presence {
                    let line = format!("@defaultValue {value}");
                    doc = Some(match doc {
                        Some(d) => format!("{d}\n{line}"),
                        None => line,
                    });
                }
                if let Some(doc) = doc {
                    // Only the tag this file writes stays a tag.
                    let text = doc
                        .replace('@', "\\@")
                        .replace("\\@defaultValue", "@defaultValue");
                    let _ = writeln!(out, "  /**");
                    for line in doc_lines(&text) {
                        if line.is_empty() {
                            let _ = writeln!(out, "   *");
                        } else {
                            let _ = writeln!(out, "   * {line}");
                        }
                    }
                    let _ = writeln!(out, "   */");
                }
                let optional = matches!(
                    field.presence,
                    Presence::Optional | Presence::Defaulted(None)
                );
                let _ = writeln!(
                    out,
                    "  {}{}: {};",
                    property_name(&field.wire),
                    if optional { "?" } else { "" },
                    ts_type(module, &field.ty)
                );
            }
            out.push_str("}\n");
        }
    }
}
