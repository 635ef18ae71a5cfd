//! Reading an export document a version at a time, so that an import holds a batch in memory
//! rather than the whole document; and what a first pass learns of it (its format, how many
//! versions it holds, which versions other versions reference).

use std::collections::HashMap;
use std::fmt;
use std::io::Read;
use std::marker::PhantomData;

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer as _, IgnoredAny, MapAccess, SeqAccess,
    Visitor,
};
use serde::Deserialize;

use super::{ExportedConfig, ExportedEntity, ExportedMode};
use crate::model::Reference;

/// Everything in a document but its versions.
#[derive(Debug, Default)]
pub struct Rest {
    pub format: String,
    pub configs: Vec<ExportedConfig>,
    pub modes: Vec<ExportedMode>,
    pub catalog: Vec<ExportedEntity>,
}

/// What the first pass reads of each version.
#[derive(Debug, Deserialize)]
pub struct VersionOutline {
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub deleted: bool,
    #[serde(default)]
    pub references: Vec<Reference>,
}

/// Versions other versions reference: `(subject, version)` → whether a live version does.
pub type Referenced = HashMap<(String, i32), bool>;

/// What a first pass over a document learns.
#[derive(Debug, Default)]
pub struct Outline {
    pub format: String,
    pub versions: u64,
    pub referenced: Referenced,
    /// The contexts other than the default that the versions are in.
    pub contexts: std::collections::BTreeSet<String>,
}

impl Outline {
    pub fn add(&mut self, v: &VersionOutline) {
        self.versions += 1;
        let holder = crate::model::context::of(&v.subject);
        if holder != crate::model::context::DEFAULT {
            self.contexts.insert(holder.to_string());
        }
        for r in &v.references {
            let subject = crate::model::context::in_context(&holder, &r.subject);
            let live = self.referenced.entry((subject, r.version)).or_default();
            *live |= !v.deleted;
        }
    }
}

/// Reads a whole document from `input`, handing each version to `each` in document order
/// (an `Err` from it stops the read with that message), and returns the rest.
pub fn read<V, F>(input: impl Read, each: F) -> Result<Rest, serde_json::Error>
where
    V: DeserializeOwned,
    F: FnMut(V) -> Result<(), String>,
{
    let mut de = serde_json::Deserializer::from_reader(input);
    let rest = de.deserialize_map(DocumentVisitor {
        each,
        version: PhantomData,
    })?;
    de.end()?;
    Ok(rest)
}

struct DocumentVisitor<V, F> {
    each: F,
    version: PhantomData<V>,
}

impl<'de, V, F> Visitor<'de> for DocumentVisitor<V, F>
where
    V: DeserializeOwned,
    F: FnMut(V) -> Result<(), String>,
{
    type Value = Rest;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Herald export document (a JSON object)")
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<Rest, A::Error> {
        let mut rest = Rest::default();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "format" => rest.format = map.next_value()?,
                "versions" => map.next_value_seed(Versions {
                    each: &mut self.each,
                    version: PhantomData,
                })?,
                "configs" => rest.configs = map.next_value()?,
                "modes" => rest.modes = map.next_value()?,
                "catalog" => rest.catalog = map.next_value()?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(rest)
    }
}

struct Versions<'a, V, F> {
    each: &'a mut F,
    version: PhantomData<V>,
}

impl<'de, V, F> DeserializeSeed<'de> for Versions<'_, V, F>
where
    V: DeserializeOwned,
    F: FnMut(V) -> Result<(), String>,
{
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, V, F> Visitor<'de> for Versions<'_, V, F>
where
    V: DeserializeOwned,
    F: FnMut(V) -> Result<(), String>,
{
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of subject versions")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(v) = seq.next_element::<V>()? {
            (self.each)(v).map_err(de::Error::custom)?;
        }
        Ok(())
    }
}

/// A reader that counts the bytes read through it, for progress.
pub struct Counted<R, F: FnMut(u64)> {
    pub inner: R,
    pub on_read: F,
}

impl<R: Read, F: FnMut(u64)> Read for Counted<R, F> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        (self.on_read)(n as u64);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_come_one_at_a_time_and_the_rest_whole() {
        let doc = r#"{"configs": [{"scope": "", "compatibility": "FULL", "normalize": null}],
            "format": "herald-export", "version": 1, "extra": {"a": [1, 2]},
            "versions": [
              {"subject": "a", "version": 1, "deleted": false, "references": []},
              {"subject": "b", "version": 2, "deleted": true,
               "references": [{"name": "A", "subject": "a", "version": 1}]}
            ],
            "modes": [], "catalog": []}"#;
        let mut outline = Outline::default();
        let rest = read(doc.as_bytes(), |v: VersionOutline| {
            outline.add(&v);
            Ok(())
        })
        .unwrap();
        assert_eq!(rest.format, "herald-export");
        assert_eq!(rest.configs.len(), 1);
        assert_eq!(outline.versions, 2);
        // Referenced only by a deleted version.
        assert_eq!(outline.referenced.get(&("a".to_string(), 1)), Some(&false));
    }

    #[test]
    fn a_refusal_stops_the_read() {
        let doc =
            r#"{"versions": [{"subject": "a", "version": 1}, {"subject": "b", "version": 1}]}"#;
        let mut seen = 0;
        let err = read(doc.as_bytes(), |_: VersionOutline| {
            seen += 1;
            Err("stop".to_string())
        })
        .unwrap_err();
        assert_eq!(seen, 1);
        assert!(err.to_string().contains("stop"));
    }
}
