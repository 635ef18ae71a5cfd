//! The canonical `.proto` text: the schema re-printed from its descriptor, so whitespace and
//! comments never change it and the same schema sent as text or as a descriptor reads the same.
//! It is the schema's identity.

use std::fmt::Write;

use prost_types::field_descriptor_proto::{Label, Type};
use prost_types::{
    DescriptorProto, EnumDescriptorProto, FieldDescriptorProto, FileDescriptorProto,
    ServiceDescriptorProto,
};

use crate::limits;

/// How a field's type name is written where it is used.
pub trait TypeNames {
    /// `type_name` as the descriptor holds it, used inside the message `scope` (full name).
    fn write(&self, type_name: &str, scope: &str) -> String;
}

/// Names as they stand (an unresolved descriptor already holds them as written).
pub struct AsWritten;

impl TypeNames for AsWritten {
    fn write(&self, type_name: &str, _scope: &str) -> String {
        type_name.to_string()
    }
}

/// Prints `file`. With `normalize`, declarations inside a message or enum are ordered by
/// number and imports are sorted (Confluent's normal form keeps message and enum order).
pub fn print(file: &FileDescriptorProto, names: &dyn TypeNames, normalize: bool) -> String {
    let mut p = Printer {
        out: String::new(),
        names,
        normalize,
        proto3: file.syntax() == "proto3",
    };
    p.file(file);
    p.out
}

const MAX_FIELD_NUMBER: i32 = 536_870_911;

struct Printer<'a> {
    out: String,
    names: &'a dyn TypeNames,
    normalize: bool,
    proto3: bool,
}

fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\{:03o}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn scalar_name(t: Type) -> &'static str {
    match t {
        Type::Double => "double",
        Type::Float => "float",
        Type::Int64 => "int64",
        Type::Uint64 => "uint64",
        Type::Int32 => "int32",
        Type::Fixed64 => "fixed64",
        Type::Fixed32 => "fixed32",
        Type::Bool => "bool",
        Type::String => "string",
        Type::Bytes => "bytes",
        Type::Uint32 => "uint32",
        Type::Sfixed32 => "sfixed32",
        Type::Sfixed64 => "sfixed64",
        Type::Sint32 => "sint32",
        Type::Sint64 => "sint64",
        Type::Group | Type::Message | Type::Enum => "",
    }
}

/// protoc's default JSON name: underscores dropped, the letter after each capitalised.
pub fn default_json_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// Inclusive ranges as `.proto` writes them; `max` is the largest number the range can name.
fn ranges(items: impl Iterator<Item = (i32, i32)>, max: i32, normalize: bool) -> Vec<String> {
    let mut items: Vec<(i32, i32)> = items.collect();
    if normalize {
        items.sort();
    }
    items
        .into_iter()
        .map(|(start, end)| match end {
            e if e == start => start.to_string(),
            e if e >= max => format!("{start} to max"),
            e => format!("{start} to {e}"),
        })
        .collect()
}

impl Printer<'_> {
    fn line(&mut self, depth: usize, text: &str) {
        for _ in 0..depth {
            self.out.push_str("  ");
        }
        self.out.push_str(text);
        self.out.push('\n');
    }

    fn file(&mut self, file: &FileDescriptorProto) {
        match file.syntax() {
            "" | "proto2" => self.line(0, "syntax = \"proto2\";"),
            other => self.line(0, &format!("syntax = {};", quote(other))),
        }
        if !file.package().is_empty() {
            self.line(0, &format!("package {};", file.package()));
        }
        let mut imports: Vec<(String, &str)> = file
            .dependency
            .iter()
            .enumerate()
            .map(|(i, dep)| {
                let i = i as i32;
                let kind = if file.public_dependency.contains(&i) {
                    "public "
                } else if file.weak_dependency.contains(&i) {
                    "weak "
                } else {
                    ""
                };
                (dep.clone(), kind)
            })
            .collect();
        if self.normalize {
            imports.sort();
            imports.dedup();
        }
        if !imports.is_empty() {
            self.out.push('\n');
            for (dep, kind) in imports {
                self.line(0, &format!("import {kind}{};", quote(&dep)));
            }
        }
        let options = file_options(file);
        if !options.is_empty() {
            self.out.push('\n');
            for option in options {
                self.line(0, &format!("option {option};"));
            }
        }
        let scope = file.package().to_string();
        for message in &file.message_type {
            self.out.push('\n');
            self.message(message, &scope, 0);
        }
        for e in &file.enum_type {
            self.out.push('\n');
            self.enumeration(e, 0);
        }
        self.extensions(&file.extension, &scope, 0, true);
        for service in &file.service {
            self.out.push('\n');
            self.service(service, &scope);
        }
    }

    fn message(&mut self, message: &DescriptorProto, parent: &str, depth: usize) {
        if !limits::deeper(depth) {
            return;
        }
        let scope = if parent.is_empty() {
            message.name().to_string()
        } else {
            format!("{parent}.{}", message.name())
        };
        self.line(depth, &format!("message {} {{", message.name()));
        let inner = depth + 1;
        if let Some(o) = &message.options {
            if o.deprecated() {
                self.line(inner, "option deprecated = true;");
            }
            if o.message_set_wire_format() {
                self.line(inner, "option message_set_wire_format = true;");
            }
        }
        let numbers = ranges(
            message
                .reserved_range
                .iter()
                .map(|r| (r.start(), r.end() - 1)),
            MAX_FIELD_NUMBER,
            self.normalize,
        );
        if !numbers.is_empty() {
            self.line(inner, &format!("reserved {};", numbers.join(", ")));
        }
        let mut reserved_names: Vec<String> =
            message.reserved_name.iter().map(|n| quote(n)).collect();
        if self.normalize {
            reserved_names.sort();
        }
        if !reserved_names.is_empty() {
            self.line(inner, &format!("reserved {};", reserved_names.join(", ")));
        }
        let mut fields: Vec<&FieldDescriptorProto> = message.field.iter().collect();
        if self.normalize {
            fields.sort_by_key(|f| f.number());
        }
        let real_oneof = |f: &FieldDescriptorProto| {
            f.oneof_index
                .filter(|_| !f.proto3_optional())
                .map(|i| i as usize)
        };
        let mut printed_oneofs: Vec<usize> = Vec::new();
        for field in &fields {
            match real_oneof(field) {
                Some(index) if printed_oneofs.contains(&index) => {}
                Some(index) => {
                    printed_oneofs.push(index);
                    let name = message
                        .oneof_decl
                        .get(index)
                        .map(|o| o.name().to_string())
                        .unwrap_or_default();
                    self.line(inner, &format!("oneof {name} {{"));
                    for member in fields.iter().filter(|f| real_oneof(f) == Some(index)) {
                        self.field(member, message, &scope, inner + 1, false);
                    }
                    self.line(inner, "}");
                }
                None => self.field(field, message, &scope, inner, true),
            }
        }
        let extension_ranges = ranges(
            message
                .extension_range
                .iter()
                .map(|r| (r.start(), r.end() - 1)),
            MAX_FIELD_NUMBER,
            self.normalize,
        );
        if !extension_ranges.is_empty() {
            self.line(
                inner,
                &format!("extensions {};", extension_ranges.join(", ")),
            );
        }
        for nested in &message.nested_type {
            if nested.options.as_ref().is_some_and(|o| o.map_entry()) {
                continue;
            }
            self.message(nested, &scope, inner);
        }
        for e in &message.enum_type {
            self.enumeration(e, inner);
        }
        self.extensions(&message.extension, &scope, inner, false);
        self.line(depth, "}");
    }

    fn extensions(
        &mut self,
        extensions: &[FieldDescriptorProto],
        scope: &str,
        depth: usize,
        spaced: bool,
    ) {
        // Grouped by the message they extend, in order of first appearance.
        let mut extendees: Vec<&str> = Vec::new();
        for ext in extensions {
            if !extendees.contains(&ext.extendee()) {
                extendees.push(ext.extendee());
            }
        }
        for extendee in extendees {
            if spaced {
                self.out.push('\n');
            }
            let name = self.names.write(extendee, scope);
            self.line(depth, &format!("extend {name} {{"));
            for ext in extensions.iter().filter(|e| e.extendee() == extendee) {
                self.field(ext, &DescriptorProto::default(), scope, depth + 1, true);
            }
            self.line(depth, "}");
        }
    }

    fn type_of(&self, field: &FieldDescriptorProto, scope: &str) -> String {
        match field.r#type {
            Some(t) => match Type::try_from(t) {
                Ok(Type::Message | Type::Enum | Type::Group) => {
                    self.names.write(field.type_name(), scope)
                }
                Ok(scalar) => scalar_name(scalar).to_string(),
                Err(_) => self.names.write(field.type_name(), scope),
            },
            None => self.names.write(field.type_name(), scope),
        }
    }

    /// The `map<K, V>` a repeated field of a map-entry type stands for.
    fn map_type(
        &self,
        field: &FieldDescriptorProto,
        message: &DescriptorProto,
        scope: &str,
    ) -> Option<String> {
        if field.label() != Label::Repeated {
            return None;
        }
        let entry_name = field.type_name().rsplit('.').next()?;
        let entry = message.nested_type.iter().find(|n| {
            n.name() == entry_name && n.options.as_ref().is_some_and(|o| o.map_entry())
        })?;
        let key = entry.field.iter().find(|f| f.number() == 1)?;
        let value = entry.field.iter().find(|f| f.number() == 2)?;
        let entry_scope = format!("{scope}.{entry_name}");
        Some(format!(
            "map<{}, {}>",
            self.type_of(key, &entry_scope),
            self.type_of(value, &entry_scope)
        ))
    }

    fn field(
        &mut self,
        field: &FieldDescriptorProto,
        message: &DescriptorProto,
        scope: &str,
        depth: usize,
        labelled: bool,
    ) {
        let (label, type_name) = match self.map_type(field, message, scope) {
            Some(map) => ("", map),
            None => {
                let label = match field.label() {
                    Label::Repeated => "repeated ",
                    Label::Required => "required ",
                    Label::Optional if !labelled => "",
                    Label::Optional if self.proto3 && !field.proto3_optional() => "",
                    Label::Optional if field.extendee.is_some() && self.proto3 => "",
                    Label::Optional => "optional ",
                };
                (label, self.type_of(field, scope))
            }
        };
        let mut options: Vec<String> = Vec::new();
        if let Some(default) = &field.default_value {
            let is_text = matches!(field.r#type(), Type::String | Type::Bytes);
            options.push(if is_text {
                format!("default = {}", quote(default))
            } else {
                format!("default = {default}")
            });
        }
        if let Some(json) = &field.json_name {
            if *json != default_json_name(field.name()) {
                options.push(format!("json_name = {}", quote(json)));
            }
        }
        if let Some(o) = &field.options {
            if let Some(packed) = o.packed {
                options.push(format!("packed = {packed}"));
            }
            if o.deprecated() {
                options.push("deprecated = true".into());
            }
            if o.lazy() {
                options.push("lazy = true".into());
            }
            if o.jstype.is_some() {
                options.push(format!("jstype = {}", o.jstype().as_str_name()));
            }
            if o.ctype.is_some() {
                options.push(format!("ctype = {}", o.ctype().as_str_name()));
            }
        }
        if self.normalize {
            options.sort();
        }
        let options = if options.is_empty() {
            String::new()
        } else {
            format!(" [{}]", options.join(", "))
        };
        self.line(
            depth,
            &format!(
                "{label}{type_name} {} = {}{options};",
                field.name(),
                field.number()
            ),
        );
    }

    fn enumeration(&mut self, e: &EnumDescriptorProto, depth: usize) {
        self.line(depth, &format!("enum {} {{", e.name()));
        let inner = depth + 1;
        if let Some(o) = &e.options {
            if o.allow_alias() {
                self.line(inner, "option allow_alias = true;");
            }
            if o.deprecated() {
                self.line(inner, "option deprecated = true;");
            }
        }
        let numbers = ranges(
            e.reserved_range.iter().map(|r| (r.start(), r.end())),
            i32::MAX,
            self.normalize,
        );
        if !numbers.is_empty() {
            self.line(inner, &format!("reserved {};", numbers.join(", ")));
        }
        let mut names: Vec<String> = e.reserved_name.iter().map(|n| quote(n)).collect();
        if self.normalize {
            names.sort();
        }
        if !names.is_empty() {
            self.line(inner, &format!("reserved {};", names.join(", ")));
        }
        let mut values: Vec<_> = e.value.iter().collect();
        if self.normalize {
            values.sort_by_key(|v| v.number());
        }
        for v in values {
            let deprecated = if v.options.as_ref().is_some_and(|o| o.deprecated()) {
                " [deprecated = true]"
            } else {
                ""
            };
            self.line(
                inner,
                &format!("{} = {}{deprecated};", v.name(), v.number()),
            );
        }
        self.line(depth, "}");
    }

    fn service(&mut self, service: &ServiceDescriptorProto, scope: &str) {
        self.line(0, &format!("service {} {{", service.name()));
        if service.options.as_ref().is_some_and(|o| o.deprecated()) {
            self.line(1, "option deprecated = true;");
        }
        for m in &service.method {
            let stream = |yes: bool| if yes { "stream " } else { "" };
            let body = if m.options.as_ref().is_some_and(|o| o.deprecated()) {
                " {\n    option deprecated = true;\n  }"
            } else {
                ";"
            };
            let text = format!(
                "rpc {}({}{}) returns ({}{}){body}",
                m.name(),
                stream(m.client_streaming()),
                self.names.write(m.input_type(), scope),
                stream(m.server_streaming()),
                self.names.write(m.output_type(), scope),
            );
            self.line(1, &text);
        }
        self.line(0, "}");
    }
}

/// The file options that change generated code or the wire, in a fixed order.
fn file_options(file: &FileDescriptorProto) -> Vec<String> {
    let Some(o) = &file.options else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut text = |name: &str, value: &Option<String>| {
        if let Some(v) = value {
            out.push(format!("{name} = {}", quote(v)));
        }
    };
    text("java_package", &o.java_package);
    text("java_outer_classname", &o.java_outer_classname);
    text("go_package", &o.go_package);
    text("csharp_namespace", &o.csharp_namespace);
    text("objc_class_prefix", &o.objc_class_prefix);
    text("php_namespace", &o.php_namespace);
    text("php_metadata_namespace", &o.php_metadata_namespace);
    text("ruby_package", &o.ruby_package);
    text("swift_prefix", &o.swift_prefix);
    let mut flag = |name: &str, value: Option<bool>| {
        if let Some(v) = value {
            out.push(format!("{name} = {v}"));
        }
    };
    flag("java_multiple_files", o.java_multiple_files);
    flag("java_string_check_utf8", o.java_string_check_utf8);
    flag("cc_enable_arenas", o.cc_enable_arenas);
    flag("deprecated", o.deprecated);
    if o.optimize_for.is_some() {
        out.push(format!("optimize_for = {}", o.optimize_for().as_str_name()));
    }
    out
}
