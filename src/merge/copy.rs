//! Putting the shards' campaign files into the merged snapshot: only what changed is
//! copied, and what the previous snapshot holds besides is kept or removed as `build`
//! would (docs/scale-out.md).

use std::collections::HashSet;

use rayon::prelude::*;

use super::shards::ShardOut;
use crate::output::{Output, OutputError, Written, read_regular};
use crate::pipeline::manifest::{Previous, campaign_of};

/// How many campaign files were copied and how many were already in place.
#[derive(Debug, Default, Clone, Copy)]
pub struct Copied {
    pub copied: usize,
    pub unchanged: usize,
}

/// Holds every campaign file of the shards for the commit, except those the previous
/// snapshot already holds with the same digest and size; carries the previous files of
/// campaigns no shard has, as `build` keeps the files of campaigns no longer in its inputs.
pub(super) fn campaigns(
    output: &Output,
    previous: &Previous,
    shards: &[ShardOut],
    owned: &HashSet<&str>,
) -> Result<Copied, OutputError> {
    let files: Vec<(&ShardOut, &Written)> =
        shards.iter().flat_map(|s| s.campaign_files().map(move |f| (s, f))).collect();
    // A shard lists a campaign folder's files together (in path order): the previous
    // snapshot's files of a folder are read once for all of them.
    let folders: Vec<&[(&ShardOut, &Written)]> =
        files.chunk_by(|(_, a), (_, b)| campaign_of(&a.path) == campaign_of(&b.path)).collect();
    let copied: Vec<Vec<bool>> = folders
        .par_iter()
        .map(|folder| {
            let before = campaign_of(&folder[0].1.path).map(|id| previous.files_of(id)).unwrap_or_default();
            folder.iter().map(|(shard, file)| copy_one(output, &before, shard, file)).collect()
        })
        .collect::<Result<_, OutputError>>()?;
    let copied = copied.concat();
    for id in previous.folders().filter(|id| !owned.contains(id)) {
        previous.files_of(id).into_iter().for_each(|file| output.carry(file));
    }
    let n = copied.iter().filter(|c| **c).count();
    Ok(Copied { copied: n, unchanged: copied.len() - n })
}

/// Holds one shard file for the commit, unless the previous snapshot (`before`: its
/// files of the same campaign) already holds it with the same digest and size; returns
/// whether it was copied.
fn copy_one(output: &Output, before: &[Written], shard: &ShardOut, file: &Written) -> Result<bool, OutputError> {
    let in_place = before.iter().any(|old| old == file)
        && std::fs::metadata(output.root().join(&file.path)).is_ok_and(|m| m.is_file() && m.len() == file.bytes);
    if in_place {
        output.carry(file.clone());
        return Ok(false);
    }
    let from = shard.file(&file.path).unwrap_or_else(|| shard.folder.clone());
    let bytes = read_regular(&from).ok_or_else(|| OutputError::Io {
        path: from.clone(),
        cause: std::io::Error::new(std::io::ErrorKind::NotFound, "the shard's file went away during the merge"),
    })?;
    let staged = output.stage(&file.path, &bytes)?;
    if staged.written() != file {
        // Checked by `shards::verify`, then changed before it was copied.
        return Err(OutputError::Io {
            path: from,
            cause: std::io::Error::other("the shard's file changed during the merge; merge again"),
        });
    }
    output.hold(staged);
    Ok(true)
}

/// Removes the files the previous snapshot had for the shards' campaigns and the merged one has not.
pub(super) fn remove_stale(output: &Output, previous: &Previous, owned: &HashSet<&str>) {
    let before: Vec<Written> =
        previous.folders().filter(|id| owned.contains(id)).flat_map(|id| previous.files_of(id)).collect();
    let current = output.written_of(before.iter().map(|f| f.path.as_str()));
    for file in &before {
        if !current.contains(file.path.as_str()) {
            output.remove(&file.path);
        }
    }
}

/// The campaign folders the shards hold files in.
pub(super) fn owners(shards: &[ShardOut]) -> HashSet<&str> {
    shards.iter().flat_map(|s| s.campaign_files().filter_map(|f| campaign_of(&f.path))).collect()
}
