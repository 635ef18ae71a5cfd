//! Contexts as the registry sees them: the number of each context name (kept in memory, as a
//! number never changes once given), the stored id of an id a client sends, and which schema
//! `GET /schemas/ids/{id}?subject=` means.

use super::Registry;
use crate::error::{Error, Result};
use crate::model::context;

impl Registry {
    /// The contexts other than the default that were ever used, with their numbers.
    pub(crate) async fn known_contexts(&self) -> Result<super::cache::Contexts> {
        if let Some(known) = self.cache.contexts() {
            return Ok(known);
        }
        self.cache.put_contexts(self.store.contexts().await?);
        Ok(self.cache.contexts().unwrap_or_default())
    }

    /// What `find` finds among the known contexts, read again from the store when it finds
    /// nothing: another instance may have used a new one since the list was read.
    async fn find_context<T>(
        &self,
        find: impl Fn(&[(String, u32)]) -> Option<T>,
    ) -> Result<Option<T>> {
        if let Some(found) = find(&self.known_contexts().await?) {
            return Ok(Some(found));
        }
        self.cache.put_contexts(self.store.contexts().await?);
        Ok(find(&self.known_contexts().await?))
    }

    /// The number of context `name` (0: the default), `None` for one never used.
    pub(crate) async fn context_number(&self, name: &str) -> Result<Option<u32>> {
        if name == context::DEFAULT {
            return Ok(Some(0));
        }
        self.find_context(|known| known.iter().find(|(n, _)| n == name).map(|e| e.1))
            .await
    }

    /// The number of context `name`, which a registration is about to use (numbered now when
    /// it is the first).
    pub(crate) async fn number_context(&self, name: &str) -> Result<u32> {
        if let Some(number) = self.context_number(name).await? {
            return Ok(number);
        }
        let number = self.store.context_number(name).await?;
        self.cache.put_contexts(self.store.contexts().await?);
        Ok(number)
    }

    /// The name of the context stored id `id` belongs to.
    pub async fn context_of_id(&self, id: i64) -> Result<String> {
        let number = context::number_of(id);
        if number == 0 {
            return Ok(context::DEFAULT.to_string());
        }
        self.find_context(|known| {
            known
                .iter()
                .find(|(_, n)| *n == number)
                .map(|e| e.0.clone())
        })
        .await?
        .ok_or(Error::SchemaIdNotFound(context::wire_id(id)))
    }

    /// The stored id of `id` in the context of `subject`; `None` when that context was never
    /// used.
    pub(crate) async fn stored_id_for(&self, subject: &str, id: i64) -> Result<Option<i64>> {
        Ok(self
            .context_number(&context::of(subject))
            .await?
            .map(|number| context::stored_id(number, id)))
    }

    /// The stored id `GET /schemas/ids/{id}` means. Ids are per context: without `subject`,
    /// the default context's. With it, as Confluent resolves it: the id as `subject` holds it;
    /// else, for an unqualified subject, as the same name holds it in any context; else the
    /// id in the subject's context, whoever holds it. A wrong subject is a hint, not a filter.
    pub async fn resolve_id(&self, id: i64, subject: Option<&str>) -> Result<i64> {
        // Only what the wire format carries is an id; other numbers name no schema (and a
        // negative one must not reach a context's stored ids).
        if !(0..=i64::from(i32::MAX)).contains(&id) {
            return Err(Error::SchemaIdNotFound(id));
        }
        let Some(subject) = subject else {
            return Ok(id);
        };
        let contexts = self.known_contexts().await?;
        if contexts.is_empty() {
            return Ok(id);
        }
        let subject = context::normalize(subject);
        let own = self.stored_id_for(&subject, id).await?;
        if let Some(stored) = own {
            if self.holds(&subject, stored).await? {
                return Ok(stored);
            }
        }
        if !subject.starts_with(':') {
            for (name, number) in contexts.iter() {
                let stored = context::stored_id(*number, id);
                if self
                    .holds(&context::qualify(name, &subject), stored)
                    .await?
                {
                    return Ok(stored);
                }
            }
        }
        own.ok_or(Error::SchemaIdNotFound(id))
    }

    /// Whether a version of `subject` (soft-deleted ones too) carries stored id `id`.
    async fn holds(&self, subject: &str, id: i64) -> Result<bool> {
        Ok(self
            .versions(subject)
            .await?
            .iter()
            .any(|v| v.schema_id == id))
    }

    /// The contexts holding subjects `sees` allows (soft-deleted ones too), the default first,
    /// then sorted.
    pub async fn contexts_in_use(&self, sees: impl Fn(&str) -> bool) -> Result<Vec<String>> {
        let mut out = vec![context::DEFAULT.to_string()];
        let subjects = self.list_subjects(":", true, false).await?;
        let mut others: Vec<String> = subjects
            .iter()
            .filter(|s| sees(s))
            .map(|s| context::of(s).into_owned())
            .filter(|c| c != context::DEFAULT)
            .collect();
        others.sort();
        others.dedup();
        out.extend(others);
        Ok(out)
    }

    /// The subject a client names without a context, found in another context when the
    /// default one has no such subject (Confluent's fallback for unqualified reads), among
    /// the subjects `sees` allows. The name itself when nothing else applies.
    pub async fn find_subject(&self, subject: &str, sees: impl Fn(&str) -> bool) -> Result<String> {
        if subject.starts_with(':') {
            return Ok(subject.to_string());
        }
        let contexts = self.known_contexts().await?;
        if contexts.is_empty() || !self.versions(subject).await?.is_empty() {
            return Ok(subject.to_string());
        }
        for (name, _) in contexts.iter() {
            let qualified = context::qualify(name, subject);
            if sees(&qualified) && !self.versions(&qualified).await?.is_empty() {
                return Ok(qualified);
            }
        }
        Ok(subject.to_string())
    }
}
