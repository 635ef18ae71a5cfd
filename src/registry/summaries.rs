//! What whole-registry lists and pages read instead of the store: every subject's versions, the
//! live versions by age, and an index of the field names in each subject's latest live schema.
//!
//! Loaded once (at start-up for a server, on first use otherwise), then brought up to date by
//! each write through this instance before it answers, and on PostgreSQL by the changes other
//! instances announce. So a list, the home page or a search costs about the same for a hundred
//! subjects as for a hundred thousand, and only the rows a page shows load their schemas.
//!
//! Writes can finish in any order, so each update carries a ticket taken before it read the
//! store: an update never replaces what a later-started one wrote.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Bound;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use crate::formats::FieldRow;
use crate::store::{Added, VersionRow};

/// One version as lists need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Slot {
    pub version: i32,
    pub schema_id: i64,
    pub deleted: bool,
    pub created_at: i64,
}

impl Slot {
    fn of(row: &VersionRow) -> Slot {
        Slot {
            version: row.version,
            schema_id: row.schema_id,
            deleted: row.deleted,
            created_at: row.created_at,
        }
    }

    pub fn row(&self, subject: &str) -> VersionRow {
        VersionRow {
            subject: subject.to_string(),
            version: self.version,
            schema_id: self.schema_id,
            deleted: self.deleted,
            created_at: self.created_at,
        }
    }
}

/// A subject's versions, ascending, soft-deleted ones included; none once it is purged (kept
/// so that an older update cannot bring it back).
struct Entry {
    ticket: u64,
    versions: Vec<Slot>,
}

impl Entry {
    fn latest_live(&self) -> Option<Slot> {
        self.versions.iter().rev().find(|v| !v.deleted).copied()
    }

    fn live(&self) -> usize {
        self.versions.iter().filter(|v| !v.deleted).count()
    }
}

/// The latest live version of a subject whose latest live version changed (`None`: it has no
/// live version any more).
pub(crate) type LatestChange = (Arc<str>, Option<Slot>);

/// Every subject's versions.
#[derive(Default)]
pub(crate) struct Directory {
    subjects: BTreeMap<Arc<str>, Entry>,
    live_subjects: usize,
    /// Live versions, oldest first: (registered at, schema id, version, subject).
    recent: BTreeSet<(i64, i64, i32, Arc<str>)>,
}

/// A page of live subjects: each one's name, live version count and latest live version.
pub(crate) type SubjectLine = (String, usize, VersionRow);

impl Directory {
    /// Replaces a subject's versions with `rows` read under `ticket`; `None` when a later read
    /// was applied already, else the subject's latest live version before and after.
    fn replace(
        &mut self,
        subject: &str,
        ticket: u64,
        rows: &[VersionRow],
    ) -> Option<(Option<Slot>, Option<Slot>)> {
        if self
            .subjects
            .get(subject)
            .is_some_and(|e| e.ticket > ticket)
        {
            return None;
        }
        let key = self.key(subject);
        let before = match self.subjects.remove(&key) {
            Some(old) => {
                for v in old.versions.iter().filter(|v| !v.deleted) {
                    self.recent
                        .remove(&(v.created_at, v.schema_id, v.version, key.clone()));
                }
                let latest = old.latest_live();
                if latest.is_some() {
                    self.live_subjects -= 1;
                }
                latest
            }
            None => None,
        };
        let entry = Entry {
            ticket,
            versions: rows.iter().map(Slot::of).collect(),
        };
        for v in entry.versions.iter().filter(|v| !v.deleted) {
            self.recent
                .insert((v.created_at, v.schema_id, v.version, key.clone()));
        }
        let after = entry.latest_live();
        if after.is_some() {
            self.live_subjects += 1;
        }
        self.subjects.insert(key, entry);
        Some((before, after))
    }

    /// Adds `added` to a subject whose highest version is the one before it (or, for version 1,
    /// a subject it does not hold), under `ticket`; false when the summary cannot tell that
    /// nothing else changed, and the subject must be read.
    fn append(&mut self, subject: &str, ticket: u64, added: Added) -> bool {
        let slot = Slot {
            version: added.version,
            schema_id: added.schema_id,
            deleted: false,
            created_at: added.created_at,
        };
        let key = self.key(subject);
        match self.subjects.get_mut(&key) {
            Some(entry) => {
                let follows = entry.versions.last().map(|v| v.version) == Some(added.version - 1);
                if entry.ticket > ticket || !follows {
                    return false;
                }
                if entry.latest_live().is_none() {
                    self.live_subjects += 1;
                }
                entry.ticket = ticket;
                entry.versions.push(slot);
            }
            None if added.version == 1 => {
                self.live_subjects += 1;
                self.subjects.insert(
                    key.clone(),
                    Entry {
                        ticket,
                        versions: vec![slot],
                    },
                );
            }
            None => return false,
        }
        self.recent
            .insert((slot.created_at, slot.schema_id, slot.version, key));
        true
    }

    /// Replaces everything with `rows` (ordered by subject) read under `ticket`, keeping what
    /// later reads wrote; returns the subjects whose latest live version changed.
    fn load(&mut self, ticket: u64, rows: &[VersionRow]) -> Vec<LatestChange> {
        let mut changed = Vec::new();
        let mut seen: BTreeSet<&str> = BTreeSet::new();
        let mut start = 0;
        for i in 1..=rows.len() {
            if i == rows.len() || rows[i].subject != rows[start].subject {
                let subject = rows[start].subject.as_str();
                seen.insert(subject);
                if let Some((before, after)) = self.replace(subject, ticket, &rows[start..i]) {
                    if before != after {
                        changed.push((self.key(subject), after));
                    }
                }
                start = i;
            }
        }
        let gone: Vec<Arc<str>> = self
            .subjects
            .iter()
            .filter(|(s, e)| e.ticket < ticket && !seen.contains(&***s))
            .map(|(s, _)| s.clone())
            .collect();
        for subject in gone {
            if let Some((before, after)) = self.replace(&subject, ticket, &[]) {
                if before != after {
                    changed.push((subject, after));
                }
            }
        }
        changed
    }

    fn key(&self, subject: &str) -> Arc<str> {
        self.subjects
            .get_key_value(subject)
            .map(|(k, _)| k.clone())
            .unwrap_or_else(|| Arc::from(subject))
    }

    pub fn is_empty(&self) -> bool {
        self.subjects.values().all(|e| e.versions.is_empty())
    }

    /// The subjects that start with `prefix`, in order, with their versions.
    fn starting_with<'a>(
        &'a self,
        prefix: &'a str,
    ) -> impl Iterator<Item = (&'a Arc<str>, &'a Entry)> + 'a {
        self.subjects
            .range::<str, _>((Bound::Included(prefix), Bound::Unbounded))
            .take_while(move |(s, _)| s.starts_with(prefix))
            .filter(|(_, e)| !e.versions.is_empty())
    }

    /// `GET /subjects`: a subject counts as deleted only when all its versions are.
    pub fn subjects(&self, prefix: &str, deleted: bool, deleted_only: bool) -> Vec<String> {
        self.starting_with(prefix)
            .filter(|(_, e)| {
                let live = e.versions.iter().any(|v| !v.deleted);
                if deleted_only {
                    !live
                } else {
                    deleted || live
                }
            })
            .map(|(s, _)| s.to_string())
            .collect()
    }

    /// `GET /schemas`: subject versions by subject then version.
    pub fn versions(
        &self,
        prefix: &str,
        deleted: bool,
        latest_only: bool,
        offset: usize,
        limit: usize,
        granted: impl Fn(&str) -> bool,
    ) -> Vec<VersionRow> {
        let mut out = Vec::new();
        let mut skipped = 0;
        for (subject, entry) in self.starting_with(prefix) {
            if out.len() >= limit {
                break;
            }
            if !granted(subject) {
                continue;
            }
            let mut visible = entry.versions.iter().filter(|v| deleted || !v.deleted);
            let rows: Vec<&Slot> = if latest_only {
                visible.next_back().into_iter().collect()
            } else {
                visible.collect()
            };
            for v in rows {
                if skipped < offset {
                    skipped += 1;
                } else if out.len() < limit {
                    out.push(v.row(subject));
                }
            }
        }
        out
    }

    /// Live subjects whose lowercased name contains `filter` (lowercase) and that `keep`
    /// accepts: how many, and the `limit` of them from `offset`.
    pub fn page(
        &self,
        filter: &str,
        keep: impl Fn(&str) -> bool,
        offset: usize,
        limit: usize,
    ) -> (usize, Vec<SubjectLine>) {
        let mut total = 0;
        let mut page = Vec::new();
        for (subject, entry) in &self.subjects {
            let Some(latest) = entry.latest_live() else {
                continue;
            };
            if !contains_lowercase(subject, filter) {
                continue;
            }
            if !keep(subject) {
                continue;
            }
            if total >= offset && page.len() < limit {
                page.push((subject.to_string(), entry.live(), latest.row(subject)));
            }
            total += 1;
        }
        (total, page)
    }

    /// Every schema id some version (live or soft-deleted) uses, ascending.
    pub fn schema_ids(&self) -> Vec<i64> {
        let mut ids: Vec<i64> = self
            .subjects
            .values()
            .flat_map(|e| e.versions.iter().map(|v| v.schema_id))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// How many subjects have a live version.
    pub fn live_subjects(&self) -> usize {
        self.live_subjects
    }

    /// Live versions, newest first (by registration time, then id and version).
    pub fn newest(&self) -> impl Iterator<Item = VersionRow> + '_ {
        self.recent
            .iter()
            .rev()
            .map(|(at, id, version, subject)| VersionRow {
                subject: subject.to_string(),
                version: *version,
                schema_id: *id,
                deleted: false,
                created_at: *at,
            })
    }

    /// Every subject's latest live version.
    fn latest_live(&self) -> Vec<(Arc<str>, Slot)> {
        self.subjects
            .iter()
            .filter_map(|(s, e)| e.latest_live().map(|l| (s.clone(), l)))
            .collect()
    }
}

/// Whether `text` lowercased contains `needle` (lowercase), without lowercasing a copy of
/// `text` when it is ASCII, as subject names nearly always are.
fn contains_lowercase(text: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return true;
    }
    if !text.is_ascii() {
        return text.to_lowercase().contains(needle);
    }
    text.as_bytes()
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// What a subject put in the field index: its latest live version, and the name of each row
/// of that schema's field table (lowercased, as an index into the index's names).
struct Indexed {
    ticket: u64,
    version: i32,
    schema_id: i64,
    rows: Vec<u32>,
}

/// A field found by name: the subject, its latest live version and schema, and the field's row
/// in that schema's field table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FieldPosting {
    pub subject: Arc<str>,
    pub version: i32,
    pub schema_id: i64,
    pub row: usize,
}

/// The field names of each subject's latest live schema. Names are kept once each (a registry
/// reuses a few thousand names across all its schemas), and a search tests each subject's rows
/// against the few names that match: about a millisecond for ten thousand subjects, in subject
/// order without sorting.
#[derive(Default)]
pub(crate) struct FieldIndex {
    names: Vec<Box<str>>,
    ids: HashMap<Box<str>, u32>,
    subjects: BTreeMap<Arc<str>, Indexed>,
}

impl FieldIndex {
    fn name_id(&mut self, name: &str) -> u32 {
        let lower = name.to_lowercase();
        if let Some(id) = self.ids.get(lower.as_str()) {
            return *id;
        }
        let id = self.names.len() as u32;
        let lower: Box<str> = lower.into();
        self.names.push(lower.clone());
        self.ids.insert(lower, id);
        id
    }

    /// Puts what `subject`'s latest live version holds (`None`: it has none, or it could not be
    /// read) in place of what it held, unless a later update was applied already.
    pub fn set(
        &mut self,
        subject: &Arc<str>,
        ticket: u64,
        latest: Option<(i32, i64, &[FieldRow])>,
    ) {
        if self
            .subjects
            .get(subject)
            .is_some_and(|old| old.ticket > ticket)
        {
            return;
        }
        let (version, schema_id, fields) = latest.unwrap_or((0, 0, &[]));
        let rows = fields.iter().map(|f| self.name_id(&f.name)).collect();
        self.subjects.insert(
            subject.clone(),
            Indexed {
                ticket,
                version,
                schema_id,
                rows,
            },
        );
    }

    /// Whether `subject`'s entry is for this latest live version (`None`: it has none).
    pub fn holds(&self, subject: &str, latest: Option<&Slot>) -> bool {
        let want = latest.map_or((0, 0), |slot| (slot.version, slot.schema_id));
        match self.subjects.get(subject) {
            Some(entry) => (entry.version, entry.schema_id) == want,
            None => latest.is_none(),
        }
    }

    /// Fields whose lowercased name contains `needle` (lowercase), in subject order and then
    /// field-table order, of the subjects `keep` accepts: how many, and `limit` of them from
    /// `offset`.
    pub fn search(
        &self,
        needle: &str,
        keep: impl Fn(&str) -> bool,
        offset: usize,
        limit: usize,
    ) -> (usize, Vec<FieldPosting>) {
        let matching: Vec<bool> = self.names.iter().map(|n| n.contains(needle)).collect();
        let mut total = 0;
        let mut page = Vec::new();
        if !matching.contains(&true) {
            return (total, page);
        }
        for (subject, indexed) in &self.subjects {
            let hits = indexed.rows.iter().filter(|id| matching[**id as usize]);
            let count = hits.clone().count();
            if count == 0 || !keep(subject) {
                continue;
            }
            if total + count > offset && page.len() < limit {
                for (row, id) in indexed.rows.iter().enumerate() {
                    if !matching[*id as usize] {
                        continue;
                    }
                    if total >= offset && page.len() < limit {
                        page.push(FieldPosting {
                            subject: subject.clone(),
                            version: indexed.version,
                            schema_id: indexed.schema_id,
                            row,
                        });
                    }
                    total += 1;
                }
            } else {
                total += count;
            }
        }
        (total, page)
    }
}

/// The catalog as last read, and how many times it was dropped (so a read that started before
/// a write does not keep what it read).
pub(crate) struct Snapshot<T> {
    generation: u64,
    value: Option<Arc<T>>,
}

impl<T> Default for Snapshot<T> {
    fn default() -> Self {
        Snapshot {
            generation: 0,
            value: None,
        }
    }
}

impl<T> Snapshot<T> {
    pub fn get(&self) -> Result<Arc<T>, u64> {
        self.value.clone().ok_or(self.generation)
    }

    /// Keeps `value` read since `generation`, unless it was dropped meanwhile.
    pub fn put(&mut self, generation: u64, value: Arc<T>) {
        if generation == self.generation {
            self.value = Some(value);
        }
    }

    pub fn drop_value(&mut self) {
        self.generation += 1;
        self.value = None;
    }
}

/// Whether the field index has been built once; searches wait for it.
pub(crate) struct Built(tokio::sync::watch::Sender<bool>);

impl Default for Built {
    fn default() -> Self {
        Built(tokio::sync::watch::channel(false).0)
    }
}

impl Built {
    pub fn set(&self) {
        self.0.send_replace(true);
    }

    /// Sets the flag when the guard is dropped, however the build ends.
    pub fn on_drop(&self) -> impl Drop + '_ {
        struct SetOnDrop<'a>(&'a Built);
        impl Drop for SetOnDrop<'_> {
            fn drop(&mut self) {
                self.0.set();
            }
        }
        SetOnDrop(self)
    }

    pub async fn wait(&self) {
        let mut built = self.0.subscribe();
        let _ = built.wait_for(|b| *b).await;
    }
}

/// The summaries of one registry.
#[derive(Default)]
pub(crate) struct Summaries {
    pub loaded: tokio::sync::OnceCell<()>,
    /// Set once the field index holds every subject (it is built after the rest).
    pub indexed: Built,
    tickets: AtomicU64,
    pub directory: RwLock<Directory>,
    pub fields: RwLock<FieldIndex>,
    /// Subjects whose update failed to read the store; the next list read retries them.
    pub stale: Mutex<BTreeSet<String>>,
    /// Subjects another instance changed whose latest fields are not indexed yet: the next
    /// search indexes them, so following a write costs a read of its versions and no parse.
    pub unindexed: Mutex<BTreeSet<String>>,
    /// A reload after missed changes failed; the next list read tries again.
    pub reload_pending: std::sync::atomic::AtomicBool,
    pub catalog: Mutex<Snapshot<crate::catalog_entities::contents::CatalogState>>,
}

impl Summaries {
    /// A ticket for a read of the store that is about to start.
    pub fn ticket(&self) -> u64 {
        self.tickets.fetch_add(1, Ordering::SeqCst) + 1
    }

    pub fn is_loaded(&self) -> bool {
        self.loaded.initialized()
    }

    /// Applies one subject's versions: its latest live version, and whether that changed;
    /// `None` when a later read was applied already.
    pub fn replace(
        &self,
        subject: &str,
        ticket: u64,
        rows: &[VersionRow],
    ) -> Option<(LatestChange, bool)> {
        let mut directory = self.directory.write().unwrap();
        let (before, after) = directory.replace(subject, ticket, rows)?;
        let changed = before != after;
        Some(((directory.key(subject), after), changed))
    }

    /// Whether the field index holds `change`'s subject at its latest version.
    pub fn indexes(&self, (subject, latest): &LatestChange) -> bool {
        self.fields.read().unwrap().holds(subject, latest.as_ref())
    }

    /// Leaves the indexing of `subject`'s latest fields to the next search.
    pub fn index_later(&self, subject: &str) {
        self.unindexed.lock().unwrap().insert(subject.to_string());
    }

    /// Applies a version another instance added; false when the subject must be read instead.
    pub fn append(&self, subject: &str, ticket: u64, added: Added) -> bool {
        self.directory
            .write()
            .unwrap()
            .append(subject, ticket, added)
    }

    /// A subject's latest live version as the summaries hold it now.
    pub fn latest(&self, subject: &str) -> LatestChange {
        let directory = self.directory.read().unwrap();
        let latest = directory
            .subjects
            .get(subject)
            .and_then(|e| e.versions.iter().rev().find(|v| !v.deleted).cloned());
        (directory.key(subject), latest)
    }

    pub fn load(&self, ticket: u64, rows: &[VersionRow]) -> Vec<LatestChange> {
        self.directory.write().unwrap().load(ticket, rows)
    }

    pub fn latest_live(&self) -> Vec<(Arc<str>, Slot)> {
        self.directory.read().unwrap().latest_live()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(subject: &str, version: i32, id: i64, deleted: bool, at: i64) -> VersionRow {
        VersionRow {
            subject: subject.into(),
            version,
            schema_id: id,
            deleted,
            created_at: at,
        }
    }

    fn field(name: &str) -> FieldRow {
        FieldRow::named(name)
    }

    #[test]
    fn a_version_added_elsewhere_is_appended_only_right_after_the_last_one_held() {
        let added = |version, id, at| Added {
            version,
            schema_id: id,
            created_at: at,
        };
        let mut d = Directory::default();
        d.load(1, &[row("a", 1, 1, false, 10), row("b", 1, 5, true, 15)]);
        assert_eq!(d.live_subjects, 1);
        assert!(d.append("a", 2, added(2, 2, 20)));
        assert_eq!(
            d.subjects["a"]
                .latest_live()
                .map(|s| (s.version, s.schema_id)),
            Some((2, 2))
        );
        // A gap, a version already held, an older ticket: the subject is read instead.
        assert!(!d.append("a", 3, added(4, 4, 40)));
        assert!(!d.append("a", 3, added(2, 2, 20)));
        assert!(!d.append("a", 1, added(3, 3, 30)));
        // A subject it does not hold: only its first version.
        assert!(d.append("c", 4, added(1, 7, 50)));
        assert!(!d.append("d", 4, added(2, 8, 60)));
        // A subject whose versions were all soft-deleted becomes live again.
        assert!(d.append("b", 5, added(2, 9, 70)));
        assert_eq!(d.live_subjects, 3);
        let newest: Vec<i64> = d.recent.iter().rev().map(|(_, id, _, _)| *id).collect();
        assert_eq!(newest, [9, 7, 2, 1]);
    }

    #[test]
    fn subjects_follow_their_versions() {
        let mut d = Directory::default();
        d.load(
            1,
            &[
                row("a", 1, 1, false, 10),
                row("a", 2, 2, false, 20),
                row("b", 1, 3, true, 30),
                row("c", 1, 4, false, 40),
            ],
        );
        assert_eq!(d.subjects("", false, false), ["a", "c"]);
        assert_eq!(d.subjects("", true, false), ["a", "b", "c"]);
        assert_eq!(d.subjects("", false, true), ["b"]);
        assert_eq!(d.live_subjects(), 2);
        let newest: Vec<i64> = d.newest().map(|r| r.schema_id).collect();
        assert_eq!(newest, [4, 2, 1]);

        // A soft delete of a's latest moves its latest back to version 1.
        let changed = d.replace(
            "a",
            2,
            &[row("a", 1, 1, false, 10), row("a", 2, 2, true, 20)],
        );
        assert_eq!(
            changed.map(|(_, after)| after.map(|s| s.version)),
            Some(Some(1))
        );
        let (total, page) = d.page("", |_| true, 0, 10);
        assert_eq!(total, 2);
        assert_eq!((page[0].1, page[0].2.version), (1, 1));
        // A purge leaves no trace but the ticket.
        d.replace("c", 3, &[]);
        assert_eq!(d.subjects("", true, false), ["a", "b"]);
        assert_eq!(d.live_subjects(), 1);
    }

    #[test]
    fn subject_filters_ignore_case() {
        assert!(contains_lowercase("Orders.Placed", "orders.p"));
        assert!(contains_lowercase("anything", ""));
        assert!(!contains_lowercase("orders", "ordersx"));
        assert!(contains_lowercase("ÉVÉNEMENT-value", "événement"));
    }

    #[test]
    fn an_older_read_never_replaces_a_newer_one() {
        let mut d = Directory::default();
        assert!(d
            .replace(
                "a",
                5,
                &[row("a", 1, 1, false, 1), row("a", 2, 2, false, 2)]
            )
            .is_some());
        assert!(d.replace("a", 4, &[row("a", 1, 1, false, 1)]).is_none());
        assert_eq!(d.versions("", false, false, 0, 10, |_| true).len(), 2);
        // A full load that started before keeps the newer subject as it is.
        d.load(3, &[row("a", 1, 1, false, 1), row("z", 1, 9, false, 1)]);
        assert_eq!(d.versions("a", false, false, 0, 10, |_| true).len(), 2);
        assert_eq!(d.subjects("", false, false), ["a", "z"]);
        // A later full load drops what the store no longer has.
        d.load(6, &[row("a", 1, 1, false, 1)]);
        assert_eq!(d.subjects("", true, false), ["a"]);
    }

    #[test]
    fn schema_rows_page_by_subject_then_version() {
        let mut d = Directory::default();
        d.load(
            1,
            &[
                row("a", 1, 1, false, 0),
                row("a", 2, 2, true, 0),
                row("a", 3, 3, false, 0),
                row("b", 1, 4, false, 0),
            ],
        );
        let ids = |rows: Vec<VersionRow>| rows.iter().map(|r| r.schema_id).collect::<Vec<_>>();
        assert_eq!(
            ids(d.versions("", false, false, 0, 10, |_| true)),
            [1, 3, 4]
        );
        assert_eq!(ids(d.versions("", true, false, 1, 2, |_| true)), [2, 3]);
        assert_eq!(ids(d.versions("", false, true, 0, 10, |_| true)), [3, 4]);
        assert_eq!(ids(d.versions("", false, false, 0, 10, |s| s == "b")), [4]);
    }

    #[test]
    fn field_search_finds_names_in_subject_then_field_order() {
        let mut index = FieldIndex::default();
        let a: Arc<str> = Arc::from("a");
        let b: Arc<str> = Arc::from("b");
        index.set(&b, 1, Some((1, 10, &[field("customerId"), field("total")])));
        index.set(&a, 1, Some((3, 11, &[field("id"), field("customerName")])));
        let (total, page) = index.search("customer", |_| true, 0, 10);
        assert_eq!(total, 2);
        let found: Vec<(&str, usize)> = page.iter().map(|p| (&*p.subject, p.row)).collect();
        assert_eq!(found, [("a", 1), ("b", 0)]);
        assert_eq!(index.search("id", |_| true, 1, 1).1[0].subject, b);
        assert_eq!(index.search("customer", |s| s == "b", 0, 10).0, 1);

        // A new latest version replaces the subject's fields; an older update is ignored.
        index.set(&a, 3, Some((4, 12, &[field("orderId")])));
        index.set(&a, 2, Some((3, 11, &[field("customerName")])));
        assert_eq!(index.search("customer", |_| true, 0, 10).0, 1);
        assert_eq!(index.search("order", |_| true, 0, 10).1[0].version, 4);
        index.set(&a, 4, None);
        assert_eq!(index.search("order", |_| true, 0, 10).0, 0);
    }
}
