//! The delivery record: per subscription, recipient and campaign, the digest of the
//! last PDF delivered and the Message-ID it went under.
//!
//! It holds email addresses, so it is never written inside the snapshot folder (which
//! may be published). It is written atomically: a killed run leaves the previous
//! record or the new one, never a torn file.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// A delivery record that cannot be read or written.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("cannot read the delivery record {}: {reason}", path.display())]
    Read { path: PathBuf, reason: String },
    #[error("cannot write the delivery record {}: {}", path.display(), crate::os::describe(cause))]
    Write { path: PathBuf, cause: std::io::Error },
}

/// One campaign delivered to one recipient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivered {
    /// SHA-256 of the PDF delivered.
    pub pdf_sha256: String,
    /// The campaign's `content_key` in the snapshot's manifest: what the PDF was built from, the clock aside.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_key: Option<String>,
    /// The Message-ID it was sent with (for a webhook, the same derived id).
    pub message_id: String,
    /// When the server accepted it.
    pub at: String,
}

/// The last failure to deliver a campaign to a recipient; it is tried again next run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    pub pdf_sha256: String,
    pub at: String,
    pub reason: String,
}

/// What one recipient was last sent of one campaign.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivered: Option<Delivered>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed: Option<Failure>,
}

/// subscription → recipient → campaign id → entry.
type Deliveries = BTreeMap<String, BTreeMap<String, BTreeMap<String, Entry>>>;

#[derive(Debug, Default, Serialize, Deserialize)]
struct File {
    version: u32,
    deliveries: Deliveries,
}

/// The record, read at the start of a run and written as deliveries succeed.
#[derive(Debug)]
pub struct Record {
    path: PathBuf,
    deliveries: Deliveries,
    /// The bytes last read or written, so an unchanged record is not rewritten.
    on_disk: Option<Vec<u8>>,
}

impl Record {
    /// Reads `path`; a missing file is an empty record.
    pub fn load(path: &Path) -> Result<Record, RecordError> {
        let read = |reason: String| RecordError::Read { path: path.to_path_buf(), reason };
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Record { path: path.to_path_buf(), deliveries: Deliveries::new(), on_disk: None });
            }
            Err(e) => return Err(read(crate::os::describe(&e))),
        };
        let file: File = serde_json::from_slice(&bytes).map_err(|e| {
            read(format!("{e}; move it aside to start a new record (every campaign is then sent again)"))
        })?;
        Ok(Record { path: path.to_path_buf(), deliveries: file.deliveries, on_disk: Some(bytes) })
    }

    /// What `recipient` of `subscription` was last sent of `campaign`.
    fn get(&self, subscription: &str, recipient: &str, campaign: &str) -> Option<&Entry> {
        self.deliveries.get(subscription)?.get(recipient)?.get(campaign)
    }

    /// The last delivery.
    pub fn last(&self, subscription: &str, recipient: &str, campaign: &str) -> Option<&Delivered> {
        self.get(subscription, recipient, campaign)?.delivered.as_ref()
    }

    fn entry(&mut self, subscription: &str, recipient: &str, campaign: &str) -> &mut Entry {
        self.deliveries
            .entry(subscription.to_string())
            .or_default()
            .entry(recipient.to_string())
            .or_default()
            .entry(campaign.to_string())
            .or_default()
    }

    /// Records a delivery (and forgets an earlier failure).
    pub fn delivered(&mut self, subscription: &str, recipient: &str, campaign: &str, delivered: Delivered) {
        let entry = self.entry(subscription, recipient, campaign);
        entry.delivered = Some(delivered);
        entry.failed = None;
    }

    /// Records a failure; what was delivered before stays, so the campaign is tried again.
    pub fn failed(&mut self, subscription: &str, recipient: &str, campaign: &str, failure: Failure) {
        self.entry(subscription, recipient, campaign).failed = Some(failure);
    }

    /// Writes the record atomically (a temporary file beside it, then a rename), unless
    /// it holds exactly what the file already holds.
    pub fn save(&mut self) -> Result<(), RecordError> {
        let file = File { version: 1, deliveries: self.deliveries.clone() };
        let mut bytes = serde_json::to_vec_pretty(&file).expect("the record serialises");
        bytes.push(b'\n');
        if self.on_disk.as_deref() == Some(bytes.as_slice()) {
            return Ok(());
        }
        let write = |cause| RecordError::Write { path: self.path.clone(), cause };
        let dir = self.path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(write)?;
        let mut temp = tempfile::Builder::new().prefix(crate::output::TEMP_PREFIX).tempfile_in(dir).map_err(write)?;
        temp.write_all(&bytes).map_err(write)?;
        temp.as_file().sync_all().map_err(write)?;
        // The record names recipients: readable by its owner only (tempfile creates 0600).
        temp.persist(&self.path).map_err(|e| write(e.error))?;
        self.on_disk = Some(bytes);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_round_trips_and_is_not_rewritten_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let mut record = Record::load(&path).unwrap();
        record.save().unwrap();
        let delivered = Delivered {
            pdf_sha256: "ab".into(),
            content_key: None,
            message_id: "<x@y>".into(),
            at: "2026-12-01T00:00:00Z".into(),
        };
        record.delivered("s", "a@x.test", "c", delivered.clone());
        record.save().unwrap();
        let again = Record::load(&path).unwrap();
        assert_eq!(again.last("s", "a@x.test", "c").map(|d| d.pdf_sha256.as_str()), Some("ab"));
        let modified = std::fs::metadata(&path).unwrap().modified().unwrap();
        let mut again = again;
        std::thread::sleep(std::time::Duration::from_millis(20));
        again.save().unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().modified().unwrap(), modified);
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    }

    #[test]
    fn a_failure_keeps_what_was_delivered_before() {
        let dir = tempfile::tempdir().unwrap();
        let mut record = Record::load(&dir.path().join("r.json")).unwrap();
        let delivered =
            Delivered { pdf_sha256: "old".into(), content_key: None, message_id: "<x@y>".into(), at: "t".into() };
        record.delivered("s", "a", "c", delivered);
        record.failed("s", "a", "c", Failure { pdf_sha256: "new".into(), at: "t2".into(), reason: "550".into() });
        assert_eq!(record.last("s", "a", "c").map(|d| d.pdf_sha256.as_str()), Some("old"));
    }
}
