//! Soft and permanent deletes, following Confluent's matrix: soft first, permanent only after,
//! never while another schema still references the version.

use super::{audit_line, pick_version, Registry};
use crate::error::{Error, Result};
use crate::model::VersionSpec;
use crate::store::AuditEntry;

impl Registry {
    /// Deletes every version of a subject; returns the version numbers deleted.
    pub async fn delete_subject(&self, subject: &str, permanent: bool) -> Result<Vec<i32>> {
        self.refuse_if_read_only(subject).await?;
        let rows = self.versions(subject).await?;
        if rows.is_empty() {
            return Err(Error::SubjectNotFound(subject.to_string()));
        }
        let live: Vec<i32> = rows
            .iter()
            .filter(|r| !r.deleted)
            .map(|r| r.version)
            .collect();
        if permanent {
            if !live.is_empty() {
                return Err(Error::SubjectNotSoftDeleted(subject.to_string()));
            }
            let all: Vec<i32> = rows.iter().map(|r| r.version).collect();
            let audit = audit_line(
                "subject.delete.permanent",
                &format!("subject/{subject}"),
                Some(all.clone().into()),
                None,
            );
            self.purge(subject, &all, &audit).await?;
            Ok(all)
        } else {
            if live.is_empty() {
                return Err(Error::SubjectSoftDeleted(subject.to_string()));
            }
            let audit = audit_line(
                "subject.delete",
                &format!("subject/{subject}"),
                Some(live.clone().into()),
                None,
            );
            let deleted = self.store.soft_delete(subject, &live, &audit).await;
            self.versions_changed(subject);
            deleted?;
            self.cache.forget_subject(subject);
            self.refresh_subject(subject).await;
            Ok(live)
        }
    }

    /// Deletes one version; returns its number. For a permanent delete `latest` means the
    /// newest version, soft-deleted or not, since only soft-deleted ones can be purged.
    pub async fn delete_version(
        &self,
        subject: &str,
        spec: VersionSpec,
        permanent: bool,
    ) -> Result<i32> {
        self.refuse_if_read_only(subject).await?;
        let rows = self.versions(subject).await?;
        if rows.is_empty() {
            return Err(Error::SubjectNotFound(subject.to_string()));
        }
        let row = match (spec, permanent) {
            (VersionSpec::Latest, true) => rows.last().expect("non-empty"),
            _ => pick_version(subject, &rows, spec, true)?,
        };
        let action = if permanent {
            "version.delete.permanent"
        } else {
            "version.delete"
        };
        let audit = audit_line(
            action,
            &format!("subject/{subject}/versions/{}", row.version),
            None,
            None,
        );
        if permanent {
            if !row.deleted {
                return Err(Error::VersionNotSoftDeleted(
                    subject.to_string(),
                    row.version,
                ));
            }
            self.purge(subject, &[row.version], &audit).await?;
        } else {
            if row.deleted {
                return Err(Error::VersionSoftDeleted(subject.to_string(), row.version));
            }
            let deleted = self
                .store
                .soft_delete(subject, &[row.version], &audit)
                .await;
            self.versions_changed(subject);
            deleted?;
            self.cache.forget_subject(subject);
            self.refresh_subject(subject).await;
        }
        Ok(row.version)
    }

    /// Permanently removes soft-deleted versions and whatever they leave unused, recorded by
    /// `audit`.
    pub(crate) async fn purge(
        &self,
        subject: &str,
        versions: &[i32],
        audit: &AuditEntry,
    ) -> Result<()> {
        let purged = self.store.hard_delete(subject, versions, audit).await;
        self.versions_changed(subject);
        let purged = purged?;
        self.cache.forget_subject(subject);
        self.refresh_subject(subject).await;
        self.cache.forget_schemas(&purged.schema_ids);
        if purged.subject_emptied {
            self.cache.set_config(subject, None);
            self.cache.set_mode(subject, None);
        }
        Ok(())
    }
}
