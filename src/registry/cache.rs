//! In-memory state: immutable schemas by id, the (subject, request) → version map that makes a
//! repeated registration or lookup free, and the small config and mode tables.
//!
//! Schemas never change once written, so they stay until a permanent delete removes their id.
//! A subject's version list is kept only where this process is the database's one writer
//! (SQLite), and forgotten whenever this process writes the subject.
//! Registrations are forgotten whenever their subject loses a version, and the least recently
//! used go once there are more than the configured number (each distinct request text makes
//! one, so a client could otherwise grow them without end). Config and mode are written
//! through: the store first, then here.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock, Weak};

use hashlink::LruCache;

use tokio::sync::broadcast::{self, error::RecvError};

use super::SchemaEntry;
use crate::model::Mode;
use crate::store::{Change, ChangeEvent, ConfigRecord, Store, VersionRow};

/// SHA-256 of everything in a request that decides what it registers.
pub type RequestKey = [u8; 32];

/// Remembered requests: (subject, request key) → (schema id, version).
type Registrations = LruCache<(String, RequestKey), (i64, i32)>;

/// How long a verified token is trusted without asking the store again: a token deleted through
/// any instance (or `herald token delete`) is refused everywhere within this, at the cost of one
/// indexed read per token per second.
const TOKEN_TTL: std::time::Duration = std::time::Duration::from_secs(1);

/// Context names with their numbers.
pub type Contexts = Arc<[(String, u32)]>;

pub struct Caches {
    tokens: RwLock<HashMap<String, (crate::model::Token, std::time::Instant)>>,
    schemas: RwLock<HashMap<i64, Arc<SchemaEntry>>>,
    // A read moves the entry to the back, so even a hit needs the lock exclusively.
    registered: Mutex<Registrations>,
    configs: RwLock<HashMap<String, ConfigRecord>>,
    modes: RwLock<HashMap<String, Mode>>,
    /// Each subject's versions, soft-deleted ones included, ascending.
    versions: RwLock<HashMap<String, Arc<[VersionRow]>>>,
    /// Counts forgotten version lists, so that a list read from the store before a write
    /// committed is not kept after the write forgot it.
    versions_forgotten: AtomicU64,
    /// The contexts other than the default with their numbers; `None` until read, and again
    /// when another instance may have used a new one.
    contexts: RwLock<Option<Contexts>>,
}

impl Caches {
    /// Caches that remember at most `registrations` answers of repeated requests.
    pub fn new(registrations: usize) -> Self {
        Caches {
            tokens: RwLock::default(),
            schemas: RwLock::default(),
            registered: Mutex::new(LruCache::new(registrations.max(1))),
            configs: RwLock::default(),
            modes: RwLock::default(),
            versions: RwLock::default(),
            versions_forgotten: AtomicU64::new(0),
            contexts: RwLock::default(),
        }
    }

    pub fn contexts(&self) -> Option<Contexts> {
        self.contexts.read().unwrap().clone()
    }

    pub fn put_contexts(&self, contexts: Vec<(String, u32)>) {
        *self.contexts.write().unwrap() = Some(contexts.into());
    }

    /// Forgets the contexts when `subject` is in one not among them.
    fn learn_context_of(&self, subject: &str) {
        let context = crate::model::context::of(subject);
        if context == crate::model::context::DEFAULT {
            return;
        }
        let mut contexts = self.contexts.write().unwrap();
        if contexts
            .as_ref()
            .is_some_and(|known| !known.iter().any(|(name, _)| *name == context))
        {
            *contexts = None;
        }
    }

    pub fn versions(&self, subject: &str) -> Option<Arc<[VersionRow]>> {
        self.versions.read().unwrap().get(subject).cloned()
    }

    /// Taken before reading a version list from the store, and handed to [`Self::put_versions`].
    pub fn versions_epoch(&self) -> u64 {
        self.versions_forgotten.load(Ordering::Acquire)
    }

    /// Keeps a version list read from the store, unless a list was forgotten since `epoch`:
    /// the read may then predate that write.
    pub fn put_versions(&self, subject: &str, rows: Arc<[VersionRow]>, epoch: u64) {
        let mut map = self.versions.write().unwrap();
        if self.versions_forgotten.load(Ordering::Acquire) == epoch {
            map.insert(subject.to_string(), rows);
        }
    }

    /// Called after every write to the subject's versions, committed or not.
    pub fn forget_versions(&self, subject: &str) {
        let mut map = self.versions.write().unwrap();
        map.remove(subject);
        self.versions_forgotten.fetch_add(1, Ordering::AcqRel);
    }

    pub fn load_settings(&self, configs: Vec<(String, ConfigRecord)>, modes: Vec<(String, Mode)>) {
        *self.configs.write().unwrap() = configs.into_iter().collect();
        *self.modes.write().unwrap() = modes.into_iter().collect();
    }

    pub fn token(&self, hash: &str) -> Option<crate::model::Token> {
        let map = self.tokens.read().unwrap();
        map.get(hash)
            .filter(|(_, at)| at.elapsed() < TOKEN_TTL)
            .map(|(t, _)| t.clone())
    }

    pub fn remember_token(&self, hash: &str, token: &crate::model::Token) {
        self.tokens
            .write()
            .unwrap()
            .insert(hash.to_string(), (token.clone(), std::time::Instant::now()));
    }

    pub fn forget_token(&self, name: &str) {
        self.tokens
            .write()
            .unwrap()
            .retain(|_, (t, _)| t.name != name);
    }

    pub fn schema(&self, id: i64) -> Option<Arc<SchemaEntry>> {
        self.schemas.read().unwrap().get(&id).cloned()
    }

    /// Keeps the first entry for an id so that its parsed form is shared.
    pub fn put_schema(&self, entry: SchemaEntry) -> Arc<SchemaEntry> {
        let mut map = self.schemas.write().unwrap();
        map.entry(entry.id)
            .or_insert_with(|| Arc::new(entry))
            .clone()
    }

    pub fn forget_schemas(&self, ids: &[i64]) {
        let mut map = self.schemas.write().unwrap();
        for id in ids {
            map.remove(id);
        }
    }

    pub fn registered(&self, subject: &str, key: &RequestKey) -> Option<(i64, i32)> {
        self.registered
            .lock()
            .unwrap()
            .get(&(subject.to_string(), *key))
            .copied()
    }

    /// Remembers an answer, dropping the least recently used one when full.
    pub fn remember_registered(&self, subject: &str, key: RequestKey, id: i64, version: i32) {
        self.registered
            .lock()
            .unwrap()
            .insert((subject.to_string(), key), (id, version));
    }

    /// How many answers are remembered.
    #[cfg(test)]
    pub fn registrations(&self) -> usize {
        self.registered.lock().unwrap().len()
    }

    /// A scan, but only deletes call it, and they are rare next to the reads it saves.
    pub fn forget_subject(&self, subject: &str) {
        let mut map = self.registered.lock().unwrap();
        let stale: Vec<(String, RequestKey)> = map
            .iter()
            .filter(|((s, _), _)| s == subject)
            .map(|(k, _)| k.clone())
            .collect();
        for key in stale {
            map.remove(&key);
        }
    }

    fn forget_all_registrations(&self) {
        self.registered.lock().unwrap().clear();
    }

    /// The scope's own `normalize`, without copying its config.
    pub fn normalize_at(&self, scope: &str) -> Option<bool> {
        self.configs
            .read()
            .unwrap()
            .get(scope)
            .and_then(|c| c.normalize)
    }

    pub fn config(&self, scope: &str) -> Option<ConfigRecord> {
        self.configs.read().unwrap().get(scope).cloned()
    }

    /// A config change can change what a repeated request registers (default and override
    /// metadata, normalize), so the remembered answers go with it.
    pub fn set_config(&self, scope: &str, config: Option<ConfigRecord>) {
        {
            let mut map = self.configs.write().unwrap();
            match config {
                Some(c) => map.insert(scope.to_string(), c),
                None => map.remove(scope),
            };
        }
        self.forget_all_registrations();
    }

    pub fn mode(&self, scope: &str) -> Option<Mode> {
        self.modes.read().unwrap().get(scope).copied()
    }

    pub fn set_mode(&self, scope: &str, mode: Option<Mode>) {
        let mut map = self.modes.write().unwrap();
        match mode {
            Some(m) => map.insert(scope.to_string(), m),
            None => map.remove(scope),
        };
    }
}

/// Applies the writes of other instances sharing the database to this instance's memory, until
/// the registry is dropped.
pub async fn follow_changes(
    mut changes: broadcast::Receiver<ChangeEvent>,
    cache: Weak<Caches>,
    store: Weak<dyn Store>,
) {
    loop {
        let event = match changes.recv().await {
            Ok(event) => event,
            Err(RecvError::Lagged(_)) => ChangeEvent::Lost,
            Err(RecvError::Closed) => return,
        };
        let (Some(cache), Some(store)) = (cache.upgrade(), store.upgrade()) else {
            return;
        };
        let reload_settings = match event {
            ChangeEvent::Change(Change::Subject { subject }) => {
                cache.forget_subject(&subject);
                false
            }
            ChangeEvent::Change(Change::Purged { ids }) => {
                cache.forget_schemas(&ids);
                false
            }
            ChangeEvent::Change(Change::Config { .. }) => {
                cache.forget_all_registrations();
                true
            }
            ChangeEvent::Change(Change::Mode { .. }) => true,
            ChangeEvent::Change(Change::Registered { subject, .. }) => {
                cache.learn_context_of(&subject);
                false
            }
            ChangeEvent::Change(Change::Catalog | Change::Tokens) => false,
            ChangeEvent::Change(Change::Imported) | ChangeEvent::Lost => {
                *cache.contexts.write().unwrap() = None;
                cache.forget_all_registrations();
                true
            }
        };
        if reload_settings {
            match (store.configs().await, store.modes().await) {
                (Ok(configs), Ok(modes)) => cache.load_settings(configs, modes),
                (Err(e), _) | (_, Err(e)) => {
                    tracing::warn!(error = %e, "could not reload settings after a change")
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u32) -> RequestKey {
        let mut k = [0u8; 32];
        k[..4].copy_from_slice(&n.to_be_bytes());
        k
    }

    #[test]
    fn remembered_registrations_stay_within_the_cap() {
        let cache = Caches::new(100);
        for n in 0..1000 {
            cache.remember_registered(&format!("s{}", n % 7), key(n), n as i64, 1);
            assert!(cache.registrations() <= 100);
        }
        assert_eq!(cache.registrations(), 100);
        // The newest are kept, the oldest went first.
        assert_eq!(cache.registered("s5", &key(999)), Some((999, 1)));
        assert_eq!(cache.registered("s0", &key(0)), None);
    }

    #[test]
    fn a_recently_read_answer_outlives_older_ones() {
        let cache = Caches::new(3);
        for n in 0..3 {
            cache.remember_registered("s", key(n), n as i64, 1);
        }
        assert!(cache.registered("s", &key(0)).is_some());
        cache.remember_registered("s", key(3), 3, 1);
        assert!(cache.registered("s", &key(0)).is_some());
        assert!(cache.registered("s", &key(1)).is_none());
    }

    #[test]
    fn forgetting_a_subject_keeps_the_others() {
        let cache = Caches::new(10);
        cache.remember_registered("a", key(1), 1, 1);
        cache.remember_registered("b", key(1), 2, 1);
        cache.forget_subject("a");
        assert_eq!(cache.registered("a", &key(1)), None);
        assert_eq!(cache.registered("b", &key(1)), Some((2, 1)));
        assert_eq!(cache.registrations(), 1);
    }
}
