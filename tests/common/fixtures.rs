//! The campaign objects of `fixtures/`, for tests that look at the fixtures
//! themselves rather than at what the tool makes of them.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::fixture;

/// One campaign object of the fixtures.
pub struct FixtureCampaign {
    /// Where it is: `acme-bulk.jsonl line 2`, `acme-more.json campaigns[0]`, …
    pub name: String,
    pub value: Value,
    /// The bundle folder, for a `campaign.json` (its CSV tables sit beside it).
    pub folder: Option<PathBuf>,
}

/// Every campaign object of the fixtures outside `invalid/` and `platforms/`: each `campaign.json`,
/// each line of a `.jsonl` file, each item of a `{"campaigns": [...]}` file and each
/// single-campaign `.json` file (`workspace*.json` are settings, not campaigns).
pub fn fixture_campaigns() -> Vec<FixtureCampaign> {
    fn walk(dir: &Path, found: &mut Vec<FixtureCampaign>) {
        let mut entries: Vec<PathBuf> =
            fs::read_dir(dir).expect("fixtures").map(|e| e.expect("entry").path()).collect();
        entries.sort();
        for path in entries {
            let rel = path.strip_prefix(fixture("")).expect("under fixtures").display().to_string();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            let push = |found: &mut Vec<FixtureCampaign>, name: String, value: Value| {
                let folder = (path.file_name() == Some("campaign.json".as_ref())).then(|| dir.to_path_buf());
                found.push(FixtureCampaign { name, value, folder });
            };
            if path.is_dir() {
                // Platform exports are not campaign objects (docs/platforms.md).
                if rel != "invalid" && rel != "platforms" {
                    walk(&path, found);
                }
            } else if name.ends_with(".jsonl") {
                let text = fs::read_to_string(&path).expect("read .jsonl");
                for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
                    let value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{rel}:{}: {e}", i + 1));
                    push(found, format!("{rel} line {}", i + 1), value);
                }
            } else if name.ends_with(".json") && !name.starts_with("workspace") {
                let text = fs::read_to_string(&path).expect("read .json");
                let value: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{rel}: {e}"));
                match value.get("campaigns").filter(|_| value.get("id").is_none()) {
                    Some(list) => {
                        for (i, item) in list.as_array().expect("a list of campaigns").iter().enumerate() {
                            push(found, format!("{rel} campaigns[{i}]"), item.clone());
                        }
                    }
                    None => push(found, rel, value),
                }
            }
        }
    }
    let mut found = Vec::new();
    walk(&fixture(""), &mut found);
    found
}
