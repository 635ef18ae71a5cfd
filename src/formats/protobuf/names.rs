//! How the canonical text writes a resolved type name: as protobuf's scoping rules let it be
//! written from where it is used.

use prost_reflect::{DescriptorPool, FileDescriptor};

use super::canonical::TypeNames;

/// Type names of the schema's own package written as short as protobuf's scoping rules allow
/// from where they are used; those of other packages in full (with a leading dot only when a
/// nearer name would hide them).
pub struct ScopedNames {
    pool: DescriptorPool,
    package: String,
}

impl ScopedNames {
    pub fn new(file: &FileDescriptor) -> Self {
        ScopedNames {
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
