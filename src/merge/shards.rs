//! The shards given to `merge`: each folder's manifest and partial manifest, and the
//! checks that they make one whole (docs/scale-out.md): one tool version, the same
//! options and campaigns dealt, every K of 1..N once, and every file as its digest says.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::output::{Written, is_inside, read_regular, sha256_hex};
use crate::pipeline::manifest::Manifest;
use crate::pipeline::shard::{self, ShardRecord};

/// One shard's output folder, as its manifests describe it.
pub(super) struct ShardOut {
    pub(super) folder: PathBuf,
    pub(super) manifest: Manifest,
    pub(super) record: ShardRecord,
}

impl ShardOut {
    /// `shard 2/4 (path)`: how problems name a shard.
    pub(super) fn name(&self) -> String {
        format!("shard {} ({})", self.record.shard, self.folder.display())
    }

    /// The files of its campaigns, the only ones `merge` takes from a shard.
    pub(super) fn campaign_files(&self) -> impl Iterator<Item = &Written> {
        self.manifest.files.iter().filter(|f| f.path.starts_with("campaigns/"))
    }

    /// The shard's file at `rel`, unless `rel` could leave the shard's folder: the
    /// manifest is a file on disk like any other, and such a path is reported as a
    /// missing file, never read.
    pub(super) fn file(&self, rel: &str) -> Option<PathBuf> {
        is_inside(rel).then(|| self.folder.join(rel))
    }
}

/// Reads the manifests of a shard's folder.
pub(super) fn load(folder: &Path) -> Result<ShardOut, String> {
    let read = |name: &str| {
        read_regular(&folder.join(name)).ok_or_else(|| {
            format!(
                "{} is not the output of build --shard K/N: it has no {name} (a shard that failed or never ran?)",
                folder.display()
            )
        })
    };
    let record_bytes = read(shard::RECORD)?;
    let record: ShardRecord = serde_json::from_slice(&record_bytes)
        .map_err(|e| format!("{}: {} cannot be read: {e}", folder.display(), shard::RECORD))?;
    let manifest: Manifest = serde_json::from_slice(&read("manifest.json")?)
        .map_err(|e| format!("{}: manifest.json cannot be read: {e}", folder.display()))?;
    let listed = manifest.files.iter().find(|f| f.path == shard::RECORD);
    if listed.is_none_or(|f| f.sha256 != sha256_hex(&record_bytes)) {
        return Err(format!(
            "{}: {} is not the one its manifest.json lists (a shard build was interrupted, or the folder was edited); build the shard again",
            folder.display(),
            shard::RECORD
        ));
    }
    Ok(ShardOut { folder: folder.to_path_buf(), manifest, record })
}

/// Every way the shards fail to make one whole, each naming its shard; empty when they do.
pub(super) fn check(shards: &[ShardOut]) -> Vec<String> {
    let mut problems = Vec::new();
    let Some(first) = shards.first() else { return problems };
    let version = env!("CARGO_PKG_VERSION");
    for s in shards {
        if s.record.tool_version != version {
            problems.push(format!(
                "{} was built by campaign-report {}, this is {version}: build every shard and merge with one version",
                s.name(),
                s.record.tool_version
            ));
        }
    }
    for s in &shards[1..] {
        if let Some((option, first_value, value)) = first.record.options.difference(&s.record.options) {
            problems.push(format!(
                "{} was built with other options than {}: {option} {value} against {first_value}",
                s.name(),
                first.name()
            ));
        } else if s.record.dealt != first.record.dealt {
            problems.push(format!(
                "{} read other inputs than {} ({} campaigns against {}): every shard must read the same inputs",
                s.name(),
                first.name(),
                s.record.dealt.campaigns,
                first.record.dealt.campaigns
            ));
        } else if s.manifest.built_with != first.manifest.built_with {
            problems.push(format!("{} was built for another workspace or role than {}", s.name(), first.name()));
        }
    }
    problems.extend(coverage(shards));
    problems.extend(owned_twice(shards));
    problems
}

/// Every K of 1..N exactly once, with one N.
fn coverage(shards: &[ShardOut]) -> Vec<String> {
    let n = shards[0].record.shard.count;
    let mut problems = Vec::new();
    let mut by_k: BTreeMap<u32, Vec<&ShardOut>> = BTreeMap::new();
    for s in shards {
        if s.record.shard.count != n {
            problems.push(format!(
                "{} is one of {} shards, {} one of {n}",
                s.name(),
                s.record.shard.count,
                shards[0].name()
            ));
        }
        by_k.entry(s.record.shard.index).or_default().push(s);
    }
    for (k, given) in &by_k {
        if given.len() > 1 {
            let names: Vec<String> = given.iter().map(|s| s.folder.display().to_string()).collect();
            problems.push(format!("shard {k}/{n} is given {} times: {}", given.len(), names.join(", ")));
        }
    }
    let missing: Vec<String> = (1..=n).filter(|k| !by_k.contains_key(k)).map(|k| format!("{k}/{n}")).collect();
    if !missing.is_empty() {
        problems.push(format!(
            "shard {} missing: give every shard's output folder, 1/{n} to {n}/{n}",
            if missing.len() == 1 { format!("{} is", missing[0]) } else { format!("{} are", missing.join(", ")) }
        ));
    }
    problems
}

/// A campaign two shards hold (possible only if the shards did not read the same inputs).
fn owned_twice(shards: &[ShardOut]) -> Vec<String> {
    let mut owner: BTreeMap<&str, &ShardOut> = BTreeMap::new();
    let mut problems = Vec::new();
    for s in shards {
        for c in &s.manifest.campaigns {
            if let Some(other) = owner.insert(c.id.as_str(), s)
                && other.record.shard != s.record.shard
            {
                problems.push(format!("campaign {:?} is in {} and in {}", c.id, other.name(), s.name()));
            }
        }
    }
    problems
}

/// Reads every campaign file of every shard and compares it with its digest.
pub(super) fn verify(shards: &[ShardOut]) -> Vec<String> {
    let files: Vec<(&ShardOut, &Written)> =
        shards.iter().flat_map(|s| s.campaign_files().map(move |f| (s, f))).collect();
    let mut problems: Vec<String> = files
        .par_iter()
        .filter_map(|(s, f)| {
            let state = match s.file(&f.path).and_then(|path| read_regular(&path)) {
                None => "is missing",
                Some(bytes) if bytes.len() as u64 != f.bytes || sha256_hex(&bytes) != f.sha256 => {
                    "does not match its digest in manifest.json"
                }
                Some(_) => return None,
            };
            Some(format!("{}: {} {state}; build the shard again", s.name(), f.path))
        })
        .collect();
    problems.sort();
    problems
}
