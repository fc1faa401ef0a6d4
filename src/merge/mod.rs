//! One run of `merge`: combines the output folders of `build --shard K/N` into the
//! snapshot one build of the same inputs and options writes, byte for byte
//! (docs/scale-out.md).
//!
//! Nothing is written until every shard is checked (`shards`): a missing, duplicated
//! or mismatched shard leaves the previous snapshot as it was. The campaign files are
//! then copied where they changed (`copy`), and the campaign list and the manifest are
//! written as `build` writes them, from the records in the shards' manifests.
//! It holds the lock on the merged folder, and on each shard's folder while it reads it.

mod copy;
mod shards;

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::Duration;

use jiff::Timestamp;

use crate::output::{FolderLock, Output, OutputError, hex};
use crate::pipeline::manifest::{self, Previous};
use crate::pipeline::{self, CampaignRecords, RunError};
use crate::render::html::{HtmlRenderer, TemplateError};

pub use copy::Copied;

/// What `merge` is asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    pub shards: Vec<PathBuf>,
    pub out: PathBuf,
    /// The `--templates` folder the shards were built with.
    pub templates: Option<PathBuf>,
    pub wait_lock: Duration,
}

/// What a merge did.
#[derive(Debug)]
pub struct Merged {
    pub shards: usize,
    pub campaigns: usize,
    pub files: Copied,
}

/// Why a merge wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// The shards do not make one whole: each problem names its shard (exit status 1).
    #[error("{}", .0.join("\n"))]
    Refused(Vec<String>),
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error(transparent)]
    Template(#[from] TemplateError),
    #[error(transparent)]
    Run(#[from] RunError),
}

/// Runs `merge`.
pub fn run(options: &Options) -> Result<Merged, MergeError> {
    // A missing folder is not created: it is reported as a missing shard. A folder
    // given twice is locked once, and reported as a shard given twice.
    let mut locks = std::collections::BTreeMap::new();
    for folder in options.shards.iter().filter(|f| f.is_dir()) {
        if let Ok(real) = folder.canonicalize()
            && !locks.contains_key(&real)
        {
            locks.insert(real, FolderLock::acquire(folder, options.wait_lock)?);
        }
    }
    let shards = read_all(options)?;
    let first = &shards[0];
    let renderer = HtmlRenderer::new(options.templates.as_deref())?;
    if hex(renderer.fingerprint()) != first.record.options.templates {
        return Err(MergeError::Refused(vec![format!(
            "the shards were built with other templates than {}: pass the --templates DIR they were built with",
            options.templates.as_ref().map_or("the built-in ones".into(), |d| d.display().to_string())
        )]));
    }
    let tenant = first.manifest.tenant.clone();
    let _lock = FolderLock::acquire(&options.out, options.wait_lock)?;
    let output = Output::create(&options.out)?;
    let previous = Previous::load(&options.out);
    pipeline::check_tenant_folder(&options.out, &previous, &tenant)
        .map_err(|refused| MergeError::Refused(vec![refused.to_string()]))?;
    let owned = copy::owners(&shards);
    let files = match write(&output, &previous, &renderer, &shards, &owned) {
        Ok(files) => files,
        Err(error) => {
            output.discard_held();
            return Err(error);
        }
    };
    copy::remove_stale(&output, &previous, &owned);
    let campaigns = shards.iter().map(|s| s.manifest.campaigns.len()).sum();
    Ok(Merged { shards: shards.len(), campaigns, files })
}

/// Loads every shard and checks them; nothing is written when they do not make one whole.
fn read_all(options: &Options) -> Result<Vec<shards::ShardOut>, MergeError> {
    let out = options.out.canonicalize().ok();
    let mut problems = Vec::new();
    let mut loaded = Vec::new();
    for folder in &options.shards {
        if out.is_some() && folder.canonicalize().ok() == out {
            problems.push(format!("{} is both a shard and --out: merge into another folder", folder.display()));
        }
        match shards::load(folder) {
            Ok(shard) => loaded.push(shard),
            Err(problem) => problems.push(problem),
        }
    }
    if problems.is_empty() {
        problems = shards::check(&loaded);
    }
    if problems.is_empty() {
        problems = shards::verify(&loaded);
    }
    if !problems.is_empty() {
        return Err(MergeError::Refused(problems));
    }
    Ok(loaded)
}

/// Holds the campaign files, the list and the manifest, and commits them together.
fn write(
    output: &Output,
    previous: &Previous,
    renderer: &HtmlRenderer,
    shards: &[shards::ShardOut],
    owned: &HashSet<&str>,
) -> Result<Copied, MergeError> {
    let first = &shards[0];
    let files = copy::campaigns(output, previous, shards, owned)?;
    let mut records = CampaignRecords::new(output.root());
    shards.iter().flat_map(|s| s.manifest.campaigns.iter().cloned()).for_each(|r| records.push(r));
    let failed: Vec<String> = shards.iter().flat_map(|s| s.manifest.failed.iter().cloned()).collect();
    let now = snapshot_time(shards);
    if first.record.options.formats.iter().any(|f| f == "html") {
        let zone = first.manifest.built_with.timezone.zone();
        pipeline::write_list(output, renderer, now, &zone, &first.manifest.tenant, &records)?;
    }
    manifest::commit(output, now, &first.manifest.tenant, &first.manifest.built_with, &records, failed)?;
    Ok(files)
}

/// The shards' `--now`; without it, the latest of their snapshot times.
fn snapshot_time(shards: &[shards::ShardOut]) -> Timestamp {
    shards.iter().filter_map(|s| s.manifest.generated_at.parse::<Timestamp>().ok()).max().unwrap_or_else(Timestamp::now)
}
