//! `build --shard K/N`: which campaigns one shard builds, and the partial manifest
//! (`shard.json`) that `merge` checks before it combines the shards (docs/scale-out.md).
//!
//! The campaigns of the tenant are put in the order of a stable hash of tenant id and
//! campaign id (SHA-256, never `std`'s hasher), and dealt to the shards in turn: the
//! order does not depend on the order of the inputs, and every shard holds the same
//! number of campaigns, give or take one. Every shard reads the same inputs; the
//! partial manifest records a digest of the campaigns dealt, so a shard that read
//! other inputs is refused by `merge`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::plan::Fingerprint;
use super::{Formats, Options};
use crate::export::Found;
use crate::model::Tenant;
use crate::output::{Output, OutputError, hex};
use crate::render::html::HtmlRenderer;

/// The name of the partial manifest in a shard's output folder.
pub const RECORD: &str = "shard.json";

/// Shard K of N (`--shard K/N`, K in 1..N).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// K, counted from 1.
    pub index: u32,
    /// N.
    pub count: u32,
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(text: &str) -> Result<Shard, String> {
        let wrong = || format!("{text:?} is not a shard: write K/N with 1 <= K <= N, such as 2/4");
        let (k, n) = text.trim().split_once('/').ok_or_else(wrong)?;
        let (index, count): (u32, u32) =
            (k.trim().parse().map_err(|_| wrong())?, n.trim().parse().map_err(|_| wrong())?);
        if index == 0 || count == 0 || index > count {
            return Err(wrong());
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// A campaign's place in the stable order: the first 8 bytes of SHA-256 of `tenant \0 id`.
fn order_key(tenant: &str, id: &str) -> u64 {
    let digest = Sha256::digest(format!("{tenant}\0{id}").as_bytes());
    u64::from_be_bytes(digest[..8].try_into().expect("8 bytes"))
}

/// The campaigns this run builds: all of them, or those dealt to `--shard`, with
/// what the shard's partial manifest records.
pub(super) fn deal<'a>(
    bundles: Vec<&'a Found>,
    options: &Options,
    tenant: &Tenant,
    renderer: &HtmlRenderer,
    fingerprint: &Fingerprint,
) -> (Vec<&'a Found>, Option<ShardRecord>) {
    let Some(shard) = options.shard else { return (bundles, None) };
    let (mine, dealt) = select(bundles, shard);
    let record = ShardRecord {
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        shard,
        options: ShapingOptions::of(options, tenant, renderer.fingerprint(), fingerprint.run_key()),
        dealt,
    };
    (mine, Some(record))
}

/// The campaigns dealt to `shard`, and what the partial manifest records of all of them.
fn select<'a>(bundles: Vec<&'a Found>, shard: Shard) -> (Vec<&'a Found>, Dealt) {
    let mut ordered: Vec<(u64, &str, &'a Found)> =
        bundles.into_iter().map(|b| (order_key(b.tenant().id.as_str(), b.id()), b.id(), b)).collect();
    ordered.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    let mut ids = Sha256::new();
    for (_, id, _) in &ordered {
        ids.update(id.as_bytes());
        ids.update([0]);
    }
    let dealt = Dealt { campaigns: ordered.len(), digest: hex(&ids.finalize()) };
    let mine = ordered
        .into_iter()
        .enumerate()
        .filter(|(rank, _)| *rank as u64 % u64::from(shard.count) == u64::from(shard.index - 1))
        .map(|(_, (_, _, b))| b)
        .collect();
    (mine, dealt)
}

/// Every campaign the shards were dealt from: their number and a digest of their ids.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dealt {
    pub campaigns: usize,
    pub digest: String,
}

/// The options that shape a snapshot's bytes, as a shard records them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShapingOptions {
    pub tenant: String,
    pub role: String,
    pub redact: Option<String>,
    /// `--now`, or null when each shard took its own clock.
    pub now: Option<String>,
    pub formats: Vec<String>,
    pub paper: String,
    pub pdf_variant: Option<String>,
    pub pdf_max_tasks: usize,
    pub pdf_attach_max_mb: u64,
    pub refresh_seconds: u32,
    pub layouts: Vec<String>,
    /// A digest of the templates and stylesheet in use (`--templates`).
    pub templates: String,
    /// A digest of all of the above, the workspace settings and the tool version: the
    /// run part of every campaign's incremental key (`plan`).
    pub key: String,
}

impl ShapingOptions {
    /// The options of this run, named as on the command line, and their digests.
    pub(super) fn of(options: &Options, tenant: &Tenant, templates: &[u8], key: String) -> ShapingOptions {
        let Formats { html, json, pdf } = options.formats;
        let formats = [(html, "html"), (json, "json"), (pdf, "pdf")];
        ShapingOptions {
            tenant: tenant.id.to_string(),
            role: options.role.clone(),
            redact: options.redact.then(|| "contacts".into()),
            now: options.now_fixed.then(|| options.now.to_string()),
            formats: formats.iter().filter(|(on, _)| *on).map(|(_, name)| name.to_string()).collect(),
            paper: format!("{:?}", options.paper).to_lowercase(),
            pdf_variant: options.pdf_variant.map(|v| v.name().to_string()),
            pdf_max_tasks: options.pdf_max_tasks,
            pdf_attach_max_mb: options.pdf_attach_max_mb,
            refresh_seconds: options.refresh_seconds,
            layouts: options.layouts.iter().map(|l| format!("{l:?}").to_lowercase()).collect(),
            templates: hex(templates),
            key,
        }
    }

    /// The first option in which `other` differs, by its name in `shard.json`, with both values.
    pub fn difference(&self, other: &ShapingOptions) -> Option<(String, String, String)> {
        let (serde_json::Value::Object(a), serde_json::Value::Object(b)) =
            (serde_json::to_value(self).ok()?, serde_json::to_value(other).ok()?)
        else {
            return None;
        };
        // Every field, named options first: `key` digests them all, so it is named
        // only when nothing else differs (the workspace settings or the tool did).
        let named = a.keys().filter(|k| *k != "key").chain(a.keys().filter(|k| *k == "key"));
        let field = named.into_iter().find(|k| a.get(*k) != b.get(*k))?;
        Some((field.clone(), a[field].to_string(), b[field].to_string()))
    }
}

/// The partial manifest of one shard (`shard.json`), beside its `manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardRecord {
    pub tool_version: String,
    pub shard: Shard,
    pub options: ShapingOptions,
    pub dealt: Dealt,
}

/// Holds `shard.json` for the run's commit (it is listed in the shard's manifest like any file).
pub(super) fn hold(output: &Output, record: &ShardRecord) -> Result<(), OutputError> {
    let mut bytes = serde_json::to_vec_pretty(record).expect("shard record serialises");
    bytes.push(b'\n');
    output.hold_if_changed(RECORD, &bytes)
}

/// Whether the folder's `shard.json` already says exactly this (a run that changed no
/// campaign still rewrites it when the shard or its options differ).
pub(super) fn unchanged(output: &Output, record: Option<&ShardRecord>) -> bool {
    let Some(record) = record else { return true };
    crate::output::read_regular(&output.root().join(RECORD))
        .and_then(|bytes| serde_json::from_slice::<ShardRecord>(&bytes).ok())
        .is_some_and(|old| old == *record)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_parse_as_k_of_n() {
        assert_eq!("2/4".parse::<Shard>(), Ok(Shard { index: 2, count: 4 }));
        assert_eq!("1/1".parse::<Shard>(), Ok(Shard { index: 1, count: 1 }));
        for bad in ["0/4", "5/4", "4", "a/b", "1/0", "-1/4", ""] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
        assert_eq!(Shard { index: 3, count: 8 }.to_string(), "3/8");
    }

    #[test]
    fn the_order_key_is_stable() {
        // Fixed values: a change here moves campaigns between shards of existing deployments.
        assert_eq!(order_key("acme", "cmp-00001"), 0x4d63_46e5_3e9f_4b89);
        assert_ne!(order_key("acme", "cmp-00001"), order_key("acm", "ecmp-00001"));
    }
}
