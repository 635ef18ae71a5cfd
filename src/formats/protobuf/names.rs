//! How the canonical text writes a resolved type name: as protobuf's scoping rules let it be
//! written from where it is used.

use prost_reflect::{DescriptorPool, DynamicMessage, FileDescriptor, Kind, Value};

use super::canonical::{quote_bytes, CustomOptions, Site, TypeNames};

/// Type names of the schema's own package written as short as protobuf's scoping rules allow
/// from where they are used; those of other packages in full (with a leading dot only when a
/// nearer name would hide them).
pub struct ScopedNames {
    file: FileDescriptor,
    pool: DescriptorPool,
    package: String,
}

impl ScopedNames {
    pub fn new(file: &FileDescriptor) -> Self {
        ScopedNames {
            file: file.clone(),
            pool: file.parent_pool().clone(),
            package: file.package_name().to_string(),
        }
    }

    fn is_type(&self, name: &str) -> bool {
        self.pool.get_message_by_name(name).is_some() || self.pool.get_enum_by_name(name).is_some()
    }

    fn is_package(&self, name: &str) -> bool {
        self.pool.files().any(|f| {
            let p = f.package_name();
            p == name || p.strip_prefix(name).is_some_and(|r| r.starts_with('.'))
        })
    }

    /// What `candidate` names when used inside `scope`: protobuf looks its first component up
    /// from the innermost scope outwards and takes the first hit (a type, or for a dotted name
    /// a message or package that can hold the rest).
    fn resolve(&self, candidate: &str, scope: &str) -> Option<String> {
        let (first, dotted) = match candidate.split_once('.') {
            Some((first, _)) => (first, true),
            None => (candidate, false),
        };
        let mut scope = scope;
        loop {
            let probe = if scope.is_empty() {
                first.to_string()
            } else {
                format!("{scope}.{first}")
            };
            let hit = if dotted {
                self.pool.get_message_by_name(&probe).is_some() || self.is_package(&probe)
            } else {
                self.is_type(&probe)
            };
            if hit {
                return Some(if scope.is_empty() {
                    candidate.to_string()
                } else {
                    format!("{scope}.{candidate}")
                });
            }
            if scope.is_empty() {
                return None;
            }
            scope = scope.rsplit_once('.').map_or("", |(outer, _)| outer);
        }
    }
}

impl TypeNames for ScopedNames {
    fn write(&self, type_name: &str, scope: &str) -> String {
        let Some(full) = type_name.strip_prefix('.') else {
            return type_name.to_string();
        };
        let parts: Vec<&str> = full.split('.').collect();
        let package = self
            .pool
            .get_message_by_name(full)
            .map(|m| m.package_name().to_string())
            .or_else(|| {
                self.pool
                    .get_enum_by_name(full)
                    .map(|e| e.package_name().to_string())
            });
        let shortest = if package.as_deref() == Some(self.package.as_str()) {
            parts.len().saturating_sub(1)
        } else {
            0
        };
        for start in (0..=shortest).rev() {
            let candidate = parts[start..].join(".");
            if self.resolve(&candidate, scope).as_deref() == Some(full) {
                return candidate;
            }
        }
        type_name.to_string()
    }
}

/// The compiled file's custom options, read from the options messages with the extensions the
/// file and its imports declare.
impl CustomOptions for ScopedNames {
    fn custom_options(&self, site: Site<'_>) -> Option<Vec<String>> {
        let pool = &self.pool;
        let options = match site {
            Site::File => self.file.options(),
            Site::Message(m) => pool.get_message_by_name(m)?.options(),
            Site::Field(m, f) => pool.get_message_by_name(m)?.get_field_by_name(f)?.options(),
            Site::Extension(e) => pool.get_extension_by_name(e)?.options(),
            Site::Oneof(m, o) => pool
                .get_message_by_name(m)?
                .oneofs()
                .find(|x| x.name() == o)?
                .options(),
            Site::Enum(e) => pool.get_enum_by_name(e)?.options(),
            Site::EnumValue(e, v) => pool.get_enum_by_name(e)?.get_value_by_name(v)?.options(),
            Site::Service(s) => pool.get_service_by_name(s)?.options(),
            Site::Method(s, m) => pool
                .get_service_by_name(s)?
                .methods()
                .find(|x| x.name() == m)?
                .options(),
        };
        Some(extension_options(&options))
    }
}

/// `(full.name) = value` for each extension set on an options message, one entry per value of
/// a repeated one.
fn extension_options(options: &DynamicMessage) -> Vec<String> {
    let mut out = Vec::new();
    for (ext, value) in options.extensions() {
        let name = format!("({})", ext.full_name());
        match value {
            Value::List(values) => {
                for v in values {
                    out.push(format!("{name} = {}", option_value(&ext.kind(), v)));
                }
            }
            v => out.push(format!("{name} = {}", option_value(&ext.kind(), v))),
        }
    }
    out
}

fn option_value(kind: &Kind, value: &Value) -> String {
    match value {
        Value::Bool(b) => b.to_string(),
        Value::I32(n) => n.to_string(),
        Value::I64(n) => n.to_string(),
        Value::U32(n) => n.to_string(),
        Value::U64(n) => n.to_string(),
        Value::F32(n) => n.to_string(),
        Value::F64(n) => n.to_string(),
        Value::String(s) => quote_bytes(s.as_bytes()),
        Value::Bytes(b) => quote_bytes(b),
        Value::EnumNumber(n) => match kind.as_enum().and_then(|e| e.get_value(*n)) {
            Some(v) => v.name().to_string(),
            None => n.to_string(),
        },
        Value::Message(m) => format!("{{ {} }}", m.to_text_format()),
        Value::List(_) | Value::Map(_) => String::new(),
    }
}
