//! The incremental plan: which campaigns of a tenant must be built again, and which
//! files of the previous snapshot stay, go or are carried into the new manifest.
//!
//! A campaign's key is a digest of everything its files depend on: its input bytes
//! (the campaign object and its CSV tables), the workspace settings, the templates
//! and stylesheet, the options that change output, and the tool's version. When the
//! key and the files on disk match the previous manifest, the campaign is not read
//! again and nothing of it is rewritten.

use std::collections::HashSet;

use sha2::{Digest, Sha256};

use super::campaigns::Campaigns;
use super::digests::Digests;
use super::manifest::{CampaignRecord, Previous};
use super::{Options, TenantChoice};
use crate::export::{Bundle, Found};
use crate::lifecycle::Layout;
use crate::model::Workspace;
use crate::output::{Output, Written, hex};
use crate::render::html::HtmlRenderer;

/// The digests of what every campaign's output depends on besides its own input:
/// the tool version, the options that shape output, the workspace and the templates.
pub(super) struct Fingerprint {
    /// All of it, `--now` included when given: the key that decides a rebuild.
    full: Sha256,
    /// All of it but the snapshot time: the campaign's `content_key`.
    content: Sha256,
}

impl Fingerprint {
    /// The run part of every campaign's key, in hex (recorded by a shard, see `shard`).
    pub(super) fn run_key(&self) -> String {
        hex(&self.full.clone().finalize())
    }
}

pub(super) fn run_fingerprint(options: &Options, workspace: &Workspace, renderer: &HtmlRenderer) -> Fingerprint {
    let settings = format!(
        "{:?} role={} redact={} refresh={} pdf_max_tasks={} paper={:?} split={} pdf_variant={:?} attach_max_mb={}",
        options.formats,
        options.role,
        options.redact,
        options.refresh_seconds,
        options.pdf_max_tasks,
        options.paper,
        options.tenant == TenantChoice::All,
        options.pdf_variant,
        options.pdf_attach_max_mb,
    );
    let workspace = format!("{workspace:?}");
    let mut content = Sha256::new();
    content.update(env!("CARGO_PKG_VERSION").as_bytes());
    for part in [settings.as_bytes(), workspace.as_bytes(), renderer.fingerprint()] {
        content.update((part.len() as u64).to_le_bytes());
        content.update(part);
    }
    let mut full = content.clone();
    let now = if options.now_fixed { options.now.to_string() } else { String::new() };
    full.update(format!(" now={now}").as_bytes());
    Fingerprint { full, content }
}

/// What earlier runs left for an output folder: its snapshot and the input digests
/// remembered for it.
pub(super) struct Before<'a> {
    pub(super) snapshot: &'a Previous,
    pub(super) digests: &'a Digests,
}

/// What to do with one campaign.
pub(super) enum Step {
    /// Its previous files stay as they are.
    Keep(Box<CampaignRecord>, Vec<Written>),
    /// Build it; the keys go into its new record (see `CampaignRecord`).
    Build { key: Option<String>, content_key: Option<String> },
}

/// Keeps a campaign whose key is that of its previous snapshot and whose files are
/// still on disk; builds it otherwise.
pub(super) fn step(
    options: &Options,
    fingerprint: &Fingerprint,
    before: &Before,
    output: &Output,
    found: &Found,
    workspace: &Workspace,
) -> Step {
    let (key, content_key) = keys(options, fingerprint, before.digests, found, None, workspace);
    if let Some(key) = &key
        && let Some((record, files)) = before.snapshot.take_up_to_date(output.root(), found.id(), key)
    {
        return Step::Keep(Box::new(record), files);
    }
    Step::Build { key, content_key }
}

/// A campaign's rebuild key and content key (see `CampaignRecord`), from a digest of
/// its input bytes; `opened` is the campaign when it is already parsed.
pub(super) fn keys(
    options: &Options,
    fingerprint: &Fingerprint,
    digests: &Digests,
    found: &Found,
    opened: Option<&Bundle>,
    workspace: &Workspace,
) -> (Option<String>, Option<String>) {
    // Without --now, an Active campaign's pages depend on the clock (how old its data
    // is, whether it is stale), so it is rebuilt every run.
    let clock_bound = !options.now_fixed && found.status().layout() == Layout::Active;
    let tables: Vec<std::path::PathBuf> = found.csv().paths().map(|p| p.to_path_buf()).collect();
    // A shelved campaign's object is read again only when the cache cannot give its digest.
    let compute = || match opened {
        Some(bundle) => input_digest(bundle),
        None => match found.open(workspace) {
            Ok(bundle) => input_digest(&bundle),
            Err(_) => Err(std::io::Error::other("the campaign object cannot be read again")),
        },
    };
    match digests.digest(found.id(), &found.object_digest(), &tables, compute) {
        Ok(input) => (
            (!clock_bound).then(|| campaign_key(&fingerprint.full, &input)),
            Some(campaign_key(&fingerprint.content, &input)),
        ),
        Err(_) => (None, None),
    }
}

/// A key of one campaign: a run fingerprint plus the digest of its input.
fn campaign_key(run: &Sha256, input: &[u8]) -> String {
    let mut h = run.clone();
    h.update(input);
    hex(&h.finalize())
}

/// The digest of a campaign's input bytes: its campaign object and its CSV tables.
fn input_digest(bundle: &Bundle) -> std::io::Result<Vec<u8>> {
    let mut h = Sha256::new();
    let raw = bundle.parsed.raw.as_bytes();
    h.update((raw.len() as u64).to_le_bytes());
    h.update(raw);
    for path in bundle.csv.paths() {
        h.update(path.file_name().map(|n| n.as_encoded_bytes()).unwrap_or_default());
        crate::output::hash_file(&mut h, path)?;
    }
    Ok(h.finalize().to_vec())
}

/// The campaigns whose layout is one of `layouts` (`--layouts`); every one when it is empty.
pub(super) fn of_layouts<'a>(bundles: Vec<&'a Found>, layouts: &[Layout]) -> Vec<&'a Found> {
    if layouts.is_empty() {
        return bundles;
    }
    bundles.into_iter().filter(|b| layouts.contains(&b.status().layout())).collect()
}

/// Whether the run changed nothing: no campaign rebuilt, and the same campaigns as before.
pub(super) fn nothing_changed(previous: &Previous, done: &Campaigns) -> bool {
    // The records' ids are distinct: as many as before, all known, are the same campaigns.
    let before = previous.campaign_count();
    let same_campaigns = before > 0 && done.records.count() == before && done.known == before;
    !done.rebuilt.contains(&true) && same_campaigns
}

/// Files of campaigns no longer in the inputs are kept (and listed), never deleted.
pub(super) fn keep_absent(output: &Output, previous: &Previous, bundles: &[&Found]) {
    let present: HashSet<&str> = bundles.iter().map(|b| b.id()).collect();
    for id in previous.folders().filter(|id| !present.contains(id)) {
        previous.files_of(id).into_iter().for_each(|file| output.carry(file));
    }
}

/// Removes the files a rebuilt campaign had before and no longer has (such as task pages beyond its new count).
pub(super) fn remove_stale<'a>(output: &Output, previous: &Previous, rebuilt: impl Iterator<Item = &'a str>) {
    let before: Vec<Written> = rebuilt.flat_map(|id| previous.files_of(id)).collect();
    let current = output.written_of(before.iter().map(|f| f.path.as_str()));
    for file in &before {
        if !current.contains(file.path.as_str()) {
            output.remove(&file.path);
        }
    }
}
