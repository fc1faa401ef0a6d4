//! Campaign exports written by the tests themselves: an [`Inputs`] folder holding
//! [`Bundle`]s (a folder with `campaign.json` and its CSV tables), as
//! docs/export-format.md describes them.

use std::fs;
use std::path::Path;

use serde_json::{Value, json};

/// A temporary input folder, removed when dropped.
pub struct Inputs {
    dir: tempfile::TempDir,
}

impl Default for Inputs {
    fn default() -> Inputs {
        Inputs::new()
    }
}

impl Inputs {
    /// An empty folder.
    pub fn new() -> Inputs {
        Inputs { dir: tempfile::tempdir().expect("temp dir") }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes the bundle into its folder.
    pub fn bundle(&self, bundle: &Bundle) -> &Inputs {
        self.file(&format!("{}/campaign.json", bundle.folder), bundle.bytes());
        for (name, bytes) in &bundle.tables {
            self.file(&format!("{}/{name}", bundle.folder), bytes);
        }
        self
    }

    /// `workspace.json` at the top of the folder.
    pub fn workspace(&self, settings: Value) -> &Inputs {
        self.file("workspace.json", serde_json::to_vec_pretty(&settings).expect("workspace JSON"))
    }

    /// Any file, byte for byte (for exports that are not even JSON).
    pub fn file(&self, rel: &str, bytes: impl AsRef<[u8]>) -> &Inputs {
        let path = self.dir.path().join(rel);
        fs::create_dir_all(path.parent().expect("a parent folder")).expect("create input folder");
        fs::write(&path, bytes).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        self
    }
}

/// One campaign's folder: `campaign.json` from a JSON value, and CSV tables beside it.
#[derive(Clone, Debug)]
pub struct Bundle {
    folder: String,
    campaign: Value,
    tables: Vec<(String, Vec<u8>)>,
}

impl Bundle {
    /// A valid completed campaign of tenant `acme` with one completed task, in folder `id`.
    pub fn new(id: &str) -> Bundle {
        Bundle::from_json(json!({
            "id": id,
            "name": format!("Campaign {id}"),
            "tenant": {"id": "acme", "name": "Acme"},
            "status": "completed",
            "tasks": [{"task_id": "t1", "phone": "+14155550101", "status": "completed", "attempts": 1}]
        }))
    }

    /// Exactly this campaign object, in a folder named after its `id`.
    pub fn from_json(campaign: Value) -> Bundle {
        let folder = campaign["id"].as_str().expect("the campaign has a string id").to_string();
        Bundle { folder, campaign, tables: Vec::new() }
    }

    /// Sets top-level fields (a `null` removes the field).
    pub fn merge(mut self, fields: Value) -> Bundle {
        let object = self.campaign.as_object_mut().expect("a campaign object");
        for (key, value) in fields.as_object().expect("fields as an object") {
            if value.is_null() {
                object.remove(key);
            } else {
                object.insert(key.clone(), value.clone());
            }
        }
        self
    }

    /// Sets the value at a JSON pointer (`/tasks/1/phone`), which must exist.
    pub fn set(mut self, pointer: &str, value: Value) -> Bundle {
        *self.campaign.pointer_mut(pointer).unwrap_or_else(|| panic!("no {pointer} in the campaign")) = value;
        self
    }

    /// Leaves out a top-level field.
    pub fn without(self, key: &str) -> Bundle {
        self.merge(json!({ key: null }))
    }

    /// Adds a table file (`tasks.csv`, `audience_preview.csv`, …), byte for byte.
    pub fn table(mut self, name: &str, bytes: impl AsRef<[u8]>) -> Bundle {
        self.tables.push((name.into(), bytes.as_ref().to_vec()));
        self
    }

    /// The campaign object as it will be written.
    pub fn json(&self) -> &Value {
        &self.campaign
    }

    /// `campaign.json` as it will be written.
    pub fn bytes(&self) -> Vec<u8> {
        serde_json::to_vec_pretty(&self.campaign).expect("campaign JSON")
    }
}
