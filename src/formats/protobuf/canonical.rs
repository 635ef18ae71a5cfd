//! The canonical `.proto` text: the schema re-printed from its descriptor, so whitespace and
//! comments never change it and the same schema sent as text or as a descriptor reads the same.
//! It is the schema's identity.

use std::fmt::Write;

use prost_types::field_descriptor_proto::{Label, Type};
use prost_types::{
    DescriptorProto, EnumDescriptorProto, FieldDescriptorProto, FileDescriptorProto,
    ServiceDescriptorProto, UninterpretedOption,
};

use crate::limits;

/// How a field's type name is written where it is used.
pub trait TypeNames {
    /// `type_name` as the descriptor holds it, used inside the message `scope` (full name).
    fn write(&self, type_name: &str, scope: &str) -> String;
}

/// An element that can carry options, by full name (no leading dot).
#[derive(Debug, Clone, Copy)]
pub enum Site<'a> {
    File,
    Message(&'a str),
    /// A message's field: the message, the field.
    Field(&'a str, &'a str),
    /// An extension, by its full name.
    Extension(&'a str),
    Oneof(&'a str, &'a str),
    Enum(&'a str),
    EnumValue(&'a str, &'a str),
    Service(&'a str),
    Method(&'a str, &'a str),
}

/// Custom options (extensions of the `*Options` messages) as `(full.name) = value`, as the
/// compiler interpreted them; `None` where it did not, and the descriptor's uninterpreted
/// options are printed instead.
pub trait CustomOptions {
    fn custom_options(&self, site: Site<'_>) -> Option<Vec<String>>;
}

/// Names as they stand (an unresolved descriptor already holds them as written).
pub struct AsWritten;

impl CustomOptions for AsWritten {
    fn custom_options(&self, _site: Site<'_>) -> Option<Vec<String>> {
        None
    }
}

impl TypeNames for AsWritten {
    fn write(&self, type_name: &str, _scope: &str) -> String {
        type_name.to_string()
    }
}

/// Prints `file`. With `normalize`, declarations inside a message or enum are ordered by
/// number and imports are sorted (Confluent's normal form keeps message and enum order).
pub fn print(
    file: &FileDescriptorProto,
    names: &dyn TypeNames,
    custom: &dyn CustomOptions,
    normalize: bool,
) -> String {
    let mut p = Printer {
        out: String::new(),
        names,
        custom,
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
    custom: &'a dyn CustomOptions,
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
        let uninterpreted = file
            .options
            .as_ref()
            .map_or(&[][..], |o| &o.uninterpreted_option[..]);
        let options = self.options(Site::File, file_options(file), uninterpreted);
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
            self.enumeration(e, &scope, 0);
        }
        self.extensions(&file.extension, &scope, 0, true);
        for service in &file.service {
            self.out.push('\n');
            self.service(service, &scope);
        }
    }

    fn message(&mut self, message: &DescriptorProto, parent: &str, depth: usize) {
        self.line(depth, &format!("message {} {{", message.name()));
        self.message_body(message, parent, depth);
    }

    /// What follows a message's (or a group's) opening line, its closing brace included.
    fn message_body(&mut self, message: &DescriptorProto, parent: &str, depth: usize) {
        if !limits::deeper(depth) {
            return;
        }
        let scope = scoped(parent, message.name());
        let inner = depth + 1;
        let mut builtin = Vec::new();
        if let Some(o) = &message.options {
            if o.deprecated() {
                builtin.push("deprecated = true".to_string());
            }
            if o.message_set_wire_format() {
                builtin.push("message_set_wire_format = true".to_string());
            }
        }
        let uninterpreted = message
            .options
            .as_ref()
            .map_or(&[][..], |o| &o.uninterpreted_option[..]);
        for option in self.options(Site::Message(&scope), builtin, uninterpreted) {
            self.line(inner, &format!("option {option};"));
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
                    let uninterpreted = message
                        .oneof_decl
                        .get(index)
                        .and_then(|o| o.options.as_ref())
                        .map_or(&[][..], |o| &o.uninterpreted_option[..]);
                    for option in
                        self.options(Site::Oneof(&scope, &name), Vec::new(), uninterpreted)
                    {
                        self.line(inner + 1, &format!("option {option};"));
                    }
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
            // A group's message is printed as the group field's body.
            if group_field(message, nested.name()).is_some() {
                continue;
            }
            self.message(nested, &scope, inner);
        }
        for e in &message.enum_type {
            self.enumeration(e, &scope, inner);
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
        let mut builtin = Vec::new();
        if let Some(o) = &field.options {
            if let Some(packed) = o.packed {
                builtin.push(format!("packed = {packed}"));
            }
            if o.deprecated() {
                builtin.push("deprecated = true".into());
            }
            if o.lazy() {
                builtin.push("lazy = true".into());
            }
            if o.jstype.is_some() {
                builtin.push(format!("jstype = {}", o.jstype().as_str_name()));
            }
            if o.ctype.is_some() {
                builtin.push(format!("ctype = {}", o.ctype().as_str_name()));
            }
        }
        let uninterpreted = field
            .options
            .as_ref()
            .map_or(&[][..], |o| &o.uninterpreted_option[..]);
        let full = scoped(scope, field.name());
        let site = if field.extendee.is_some() {
            Site::Extension(&full)
        } else {
            Site::Field(scope, field.name())
        };
        options.extend(self.options(site, builtin, uninterpreted));
        if self.normalize {
            options.sort();
        }
        let options = if options.is_empty() {
            String::new()
        } else {
            format!(" [{}]", options.join(", "))
        };
        if field.r#type() == Type::Group {
            let group_name = field.type_name().rsplit('.').next().unwrap_or_default();
            if let Some(group) = message.nested_type.iter().find(|n| n.name() == group_name) {
                self.line(
                    depth,
                    &format!("{label}group {group_name} = {}{options} {{", field.number()),
                );
                self.message_body(group, scope, depth);
                return;
            }
        }
        self.line(
            depth,
            &format!(
                "{label}{type_name} {} = {}{options};",
                field.name(),
                field.number()
            ),
        );
    }

    /// An element's options: those the descriptor spells out (built-in ones first, custom
    /// ones by name), or, in a descriptor read but not compiled, every option as written.
    fn options(
        &self,
        site: Site<'_>,
        builtin: Vec<String>,
        uninterpreted: &[UninterpretedOption],
    ) -> Vec<String> {
        if !uninterpreted.is_empty() {
            return uninterpreted.iter().map(uninterpreted_text).collect();
        }
        let mut custom = self.custom.custom_options(site).unwrap_or_default();
        // By name only: a repeated option's values keep their order.
        custom.sort_by(|a, b| option_name(a).cmp(option_name(b)));
        let mut out = builtin;
        out.extend(custom);
        out
    }

    fn enumeration(&mut self, e: &EnumDescriptorProto, parent: &str, depth: usize) {
        let full = scoped(parent, e.name());
        self.line(depth, &format!("enum {} {{", e.name()));
        let inner = depth + 1;
        let mut builtin = Vec::new();
        if let Some(o) = &e.options {
            if o.allow_alias() {
                builtin.push("allow_alias = true".to_string());
            }
            if o.deprecated() {
                builtin.push("deprecated = true".to_string());
            }
        }
        let uninterpreted = e
            .options
            .as_ref()
            .map_or(&[][..], |o| &o.uninterpreted_option[..]);
        for option in self.options(Site::Enum(&full), builtin, uninterpreted) {
            self.line(inner, &format!("option {option};"));
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
            let builtin = if v.options.as_ref().is_some_and(|o| o.deprecated()) {
                vec!["deprecated = true".to_string()]
            } else {
                Vec::new()
            };
            let uninterpreted = v
                .options
                .as_ref()
                .map_or(&[][..], |o| &o.uninterpreted_option[..]);
            let options = self.options(Site::EnumValue(&full, v.name()), builtin, uninterpreted);
            let options = if options.is_empty() {
                String::new()
            } else {
                format!(" [{}]", options.join(", "))
            };
            self.line(inner, &format!("{} = {}{options};", v.name(), v.number()));
        }
        self.line(depth, "}");
    }

    fn service(&mut self, service: &ServiceDescriptorProto, scope: &str) {
        let full = scoped(scope, service.name());
        self.line(0, &format!("service {} {{", service.name()));
        let builtin = if service.options.as_ref().is_some_and(|o| o.deprecated()) {
            vec!["deprecated = true".to_string()]
        } else {
            Vec::new()
        };
        let uninterpreted = service
            .options
            .as_ref()
            .map_or(&[][..], |o| &o.uninterpreted_option[..]);
        for option in self.options(Site::Service(&full), builtin, uninterpreted) {
            self.line(1, &format!("option {option};"));
        }
        for m in &service.method {
            let stream = |yes: bool| if yes { "stream " } else { "" };
            let builtin = if m.options.as_ref().is_some_and(|o| o.deprecated()) {
                vec!["deprecated = true".to_string()]
            } else {
                Vec::new()
            };
            let uninterpreted = m
                .options
                .as_ref()
                .map_or(&[][..], |o| &o.uninterpreted_option[..]);
            let options = self.options(Site::Method(&full, m.name()), builtin, uninterpreted);
            let body = if options.is_empty() {
                ";".to_string()
            } else {
                let lines: Vec<String> = options
                    .iter()
                    .map(|o| format!("    option {o};\n"))
                    .collect();
                format!(" {{\n{}  }}", lines.concat())
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

fn scoped(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_string()
    } else {
        format!("{parent}.{name}")
    }
}

/// The group field of `message` whose body is the nested message `name`.
fn group_field<'a>(message: &'a DescriptorProto, name: &str) -> Option<&'a FieldDescriptorProto> {
    message
        .field
        .iter()
        .find(|f| f.r#type() == Type::Group && f.type_name().rsplit('.').next() == Some(name))
}

/// `name` of `name = value`.
fn option_name(option: &str) -> &str {
    option.split(" = ").next().unwrap_or(option)
}

/// An option as the parser read it: `(ext.name).field = value`.
fn uninterpreted_text(o: &UninterpretedOption) -> String {
    let name: Vec<String> = o
        .name
        .iter()
        .map(|p| {
            if p.is_extension {
                format!("({})", p.name_part)
            } else {
                p.name_part.clone()
            }
        })
        .collect();
    let value = if let Some(v) = &o.identifier_value {
        v.clone()
    } else if let Some(v) = o.positive_int_value {
        v.to_string()
    } else if let Some(v) = o.negative_int_value {
        v.to_string()
    } else if let Some(v) = o.double_value {
        v.to_string()
    } else if let Some(v) = &o.string_value {
        quote_bytes(v)
    } else if let Some(v) = &o.aggregate_value {
        format!("{{ {} }}", compact_aggregate(v))
    } else {
        String::new()
    };
    format!("{} = {value}", name.join("."))
}

/// An aggregate value without the spaces the parser puts between its tokens, as the compiled
/// option prints it (`a:1,b:["x"]`), so canonical text normalizes to itself.
fn compact_aggregate(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in text.chars() {
        match quote {
            Some(q) => {
                out.push(c);
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None if c == '"' || c == '\'' => {
                quote = Some(c);
                out.push(c);
            }
            None if c.is_whitespace() => {}
            None => out.push(c),
        }
    }
    out
}

/// Bytes as a `.proto` string literal: UTF-8 text as [`quote`] writes it, other bytes octal.
pub fn quote_bytes(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => quote(text),
        Err(_) => {
            let mut out = String::from("\"");
            for &b in bytes {
                match b {
                    b'"' => out.push_str("\\\""),
                    b'\\' => out.push_str("\\\\"),
                    0x20..=0x7e => out.push(b as char),
                    _ => {
                        let _ = write!(out, "\\{b:03o}");
                    }
                }
            }
            out.push('"');
            out
        }
    }
}
