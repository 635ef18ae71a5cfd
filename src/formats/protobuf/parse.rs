//! From what a client sends (`.proto` text, or a base64 serialized `FileDescriptorProto` as the
//! Python and JavaScript serializers send) to a resolved file: imports come from the schema's
//! references, by import path, or from the well-known `google/protobuf/*.proto` files.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::LazyLock;

use base64::Engine;
use prost::Message;
use prost_reflect::{DescriptorPool, FileDescriptor};
use prost_types::FileDescriptorProto;
use protox::file::{ChainFileResolver, File, FileResolver, GoogleFileResolver};
use regex::Regex;

use crate::error::{Error, Result};
use crate::formats::Dependency;
use crate::model::SchemaType;

/// The name the schema itself is compiled under. Imports name other files, so it only has to
/// differ from every import path a schema can use.
pub const ROOT_NAME: &str = "herald/schema.proto";

/// A schema's file, resolved against its imports: `.proto` text first; when that does not
/// parse, a base64 `FileDescriptorProto`. A text error is reported when neither reading works,
/// since text is what a person writes.
pub fn resolve(text: &str, deps: &[Dependency]) -> Result<Resolved> {
    let files = dependency_files(deps)?;
    let text_error = match File::from_source(ROOT_NAME, &single_numbers_as_ranges(text)) {
        Ok(root) => {
            return Ok(Resolved {
                file: compile(files, root)?,
                file_name: None,
            })
        }
        Err(e) => e,
    };
    match decode_descriptor(text) {
        Some((descriptor, bytes)) => Ok(Resolved {
            file: from_descriptor(files, &descriptor, &bytes)?,
            file_name: descriptor.name.filter(|n| !n.is_empty() && n != ROOT_NAME),
        }),
        None => Err(Error::InvalidSchema(describe(&text_error))),
    }
}

/// A schema's file, and the name a descriptor gave it.
pub struct Resolved {
    pub file: FileDescriptor,
    pub file_name: Option<String>,
}

/// The referenced files by import path.
fn dependency_files(deps: &[Dependency]) -> Result<HashMap<String, File>> {
    let mut files: HashMap<String, File> = HashMap::new();
    for dep in deps {
        if dep.schema_type != SchemaType::Protobuf {
            return Err(Error::InvalidSchema(format!(
                "reference '{}' is a {} schema; a Protobuf schema imports only Protobuf files",
                dep.name, dep.schema_type
            )));
        }
        if files.contains_key(&dep.name) {
            continue;
        }
        let file =
            File::from_source(&dep.name, &single_numbers_as_ranges(&dep.schema)).map_err(|e| {
                Error::InvalidSchema(format!("referenced file '{}': {}", dep.name, describe(&e)))
            })?;
        files.insert(dep.name.clone(), file);
    }
    Ok(files)
}

fn compiler(files: HashMap<String, File>) -> protox::Compiler {
    let mut resolver = ChainFileResolver::new();
    resolver.add(Files(files));
    resolver.add(Builtin);
    resolver.add(GoogleFileResolver::new());
    let mut compiler = protox::Compiler::with_file_resolver(resolver);
    compiler.include_imports(true);
    compiler
}

fn compile(mut files: HashMap<String, File>, root: File) -> Result<FileDescriptor> {
    files.insert(ROOT_NAME.to_string(), root);
    let mut compiler = compiler(files);
    compiler
        .open_file(ROOT_NAME)
        .map_err(|e| Error::InvalidSchema(describe(&e)))?;
    let pool: DescriptorPool = compiler.descriptor_pool();
    pool.get_file_by_name(ROOT_NAME)
        .ok_or_else(|| Error::InvalidSchema("the schema did not compile to a file".into()))
}

/// A serializer's descriptor as it came, custom options included: a `FileDescriptorProto`
/// value keeps no extension, so the bytes themselves are added to a pool holding the compiled
/// imports, under Herald's name and without source positions (the serializers fill those in;
/// they are not part of the schema).
fn from_descriptor(
    files: HashMap<String, File>,
    descriptor: &FileDescriptorProto,
    bytes: &[u8],
) -> Result<FileDescriptor> {
    let mut compiler = compiler(files);
    for import in &descriptor.dependency {
        compiler
            .open_file(import)
            .map_err(|e| Error::InvalidSchema(describe(&e)))?;
    }
    let mut pool = compiler.descriptor_pool();
    let renamed = renamed(bytes, ROOT_NAME)
        .ok_or_else(|| Error::InvalidSchema("the descriptor is not a valid message".into()))?;
    pool.decode_file_descriptor_proto(renamed.as_slice())
        .map_err(|e| Error::InvalidSchema(format!("the descriptor does not resolve: {e}")))?;
    pool.get_file_by_name(ROOT_NAME)
        .ok_or_else(|| Error::InvalidSchema("the schema did not compile to a file".into()))
}

/// An encoded `FileDescriptorProto` named `name` without its `source_code_info`: the top-level
/// fields copied as they are but those two, then the name.
pub fn renamed(bytes: &[u8], name: &str) -> Option<Vec<u8>> {
    use prost::encoding::{decode_key, decode_varint, encode_key, encode_varint, WireType};
    const NAME: u32 = 1;
    const SOURCE_CODE_INFO: u32 = 9;
    let mut out = Vec::with_capacity(bytes.len() + ROOT_NAME.len() + 2);
    let mut rest = bytes;
    while !rest.is_empty() {
        let start = rest;
        let (tag, wire_type) = decode_key(&mut rest).ok()?;
        match wire_type {
            WireType::Varint => {
                decode_varint(&mut rest).ok()?;
            }
            WireType::SixtyFourBit => rest = rest.get(8..)?,
            WireType::ThirtyTwoBit => rest = rest.get(4..)?,
            WireType::LengthDelimited => {
                let len = usize::try_from(decode_varint(&mut rest).ok()?).ok()?;
                rest = rest.get(len..)?;
            }
            WireType::StartGroup | WireType::EndGroup => return None,
        }
        if tag != NAME && tag != SOURCE_CODE_INFO {
            out.extend_from_slice(&start[..start.len() - rest.len()]);
        }
    }
    encode_key(NAME, WireType::LengthDelimited, &mut out);
    encode_varint(name.len() as u64, &mut out);
    out.extend_from_slice(name.as_bytes());
    Some(out)
}

/// `extensions 100 [declaration = {...}];` (one number with options, as
/// `google/protobuf/descriptor.proto` writes it since protobuf 29) is refused by the parser,
/// which takes options only after a range; `100 to 100` is the same range.
fn single_numbers_as_ranges(text: &str) -> Cow<'_, str> {
    static STATEMENT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"\bextensions\s+[0-9a-fA-FxX,\s]*?(\b(?:to\s+)?)(0[xX][0-9a-fA-F]+|[0-9]+)(\s*\[)",
        )
        .expect("valid pattern")
    });
    STATEMENT.replace_all(text, |c: &regex::Captures| {
        let whole = &c[0];
        if c[1].starts_with("to") {
            return whole.to_string();
        }
        let number = c.get(2).expect("number");
        let cut = number.end() - c.get(0).expect("match").start();
        format!("{} to {}{}", &whole[..cut], number.as_str(), &whole[cut..])
    })
}

/// The descriptor base64 `text` carries, with its bytes.
fn decode_descriptor(text: &str) -> Option<(FileDescriptorProto, Vec<u8>)> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .ok()?;
    let descriptor = FileDescriptorProto::decode(bytes.as_slice()).ok()?;
    // Almost any bytes decode as some message; a schema file declares at least one thing.
    let declares_something = !descriptor.message_type.is_empty()
        || !descriptor.enum_type.is_empty()
        || !descriptor.service.is_empty()
        || !descriptor.extension.is_empty()
        || descriptor.syntax.is_some()
        || descriptor.package.is_some();
    declares_something.then_some((descriptor, bytes))
}

/// protox's debug form carries `file:line:column:` before the message; the root file's name
/// is Herald's, so it is dropped there.
pub fn describe(err: &protox::Error) -> String {
    let text = format!("{err:?}");
    match text.strip_prefix(ROOT_NAME) {
        Some(rest) => match rest.strip_prefix(':') {
            Some(position) => format!("line {position}"),
            None => rest.trim_start().to_string(),
        },
        None => text,
    }
}

/// The files Confluent resolves without a reference: Google's common types
/// (`google/type/*.proto`, from googleapis, Apache-2.0) and Confluent's own `confluent/meta.proto`
/// and `confluent/type/decimal.proto`. A reference of the same name takes precedence.
const BUILTIN: &[(&str, &str)] = &[
    (
        "confluent/meta.proto",
        include_str!("builtin/confluent/meta.proto"),
    ),
    (
        "confluent/type/decimal.proto",
        include_str!("builtin/confluent/type/decimal.proto"),
    ),
    (
        "google/type/calendar_period.proto",
        include_str!("builtin/google/type/calendar_period.proto"),
    ),
    (
        "google/type/color.proto",
        include_str!("builtin/google/type/color.proto"),
    ),
    (
        "google/type/date.proto",
        include_str!("builtin/google/type/date.proto"),
    ),
    (
        "google/type/datetime.proto",
        include_str!("builtin/google/type/datetime.proto"),
    ),
    (
        "google/type/dayofweek.proto",
        include_str!("builtin/google/type/dayofweek.proto"),
    ),
    (
        "google/type/decimal.proto",
        include_str!("builtin/google/type/decimal.proto"),
    ),
    (
        "google/type/expr.proto",
        include_str!("builtin/google/type/expr.proto"),
    ),
    (
        "google/type/fraction.proto",
        include_str!("builtin/google/type/fraction.proto"),
    ),
    (
        "google/type/interval.proto",
        include_str!("builtin/google/type/interval.proto"),
    ),
    (
        "google/type/latlng.proto",
        include_str!("builtin/google/type/latlng.proto"),
    ),
    (
        "google/type/localized_text.proto",
        include_str!("builtin/google/type/localized_text.proto"),
    ),
    (
        "google/type/money.proto",
        include_str!("builtin/google/type/money.proto"),
    ),
    (
        "google/type/month.proto",
        include_str!("builtin/google/type/month.proto"),
    ),
    (
        "google/type/phone_number.proto",
        include_str!("builtin/google/type/phone_number.proto"),
    ),
    (
        "google/type/postal_address.proto",
        include_str!("builtin/google/type/postal_address.proto"),
    ),
    (
        "google/type/quaternion.proto",
        include_str!("builtin/google/type/quaternion.proto"),
    ),
    (
        "google/type/timeofday.proto",
        include_str!("builtin/google/type/timeofday.proto"),
    ),
];

struct Builtin;

impl FileResolver for Builtin {
    fn open_file(&self, name: &str) -> std::result::Result<File, protox::Error> {
        match BUILTIN.iter().find(|(n, _)| *n == name) {
            Some((n, text)) => File::from_source(n, text),
            None => Err(protox::Error::file_not_found(name)),
        }
    }
}

/// The schema's files by import path.
struct Files(HashMap<String, File>);

impl FileResolver for Files {
    fn open_file(&self, name: &str) -> std::result::Result<File, protox::Error> {
        self.0
            .get(name)
            .cloned()
            .ok_or_else(|| protox::Error::file_not_found(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_single_extension_number_before_options_becomes_a_range_of_one() {
        let cases = [
            ("extensions 100 [a = 1];", "extensions 100 to 100 [a = 1];"),
            (
                "extensions 5, 0x10 [a = 1];",
                "extensions 5, 0x10 to 0x10 [a = 1];",
            ),
            ("extensions 5 to 9 [a = 1];", "extensions 5 to 9 [a = 1];"),
            ("extensions 5;", "extensions 5;"),
        ];
        for (text, expected) in cases {
            assert_eq!(single_numbers_as_ranges(text), expected);
        }
    }
}
