//! Files written under a temporary name in their final folder, hashed as they are
//! written, and renamed into place when the run commits them (see [`Output::hold`]).

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::{Output, OutputError, Written, hex};

/// A file being written under a temporary name.
pub struct AtomicFile<'a> {
    pub(super) output: &'a Output,
    pub(super) rel: String,
    pub(super) path: PathBuf,
    pub(super) out: BufWriter<tempfile::NamedTempFile>,
    pub(super) hasher: Sha256,
    pub(super) bytes: u64,
}

impl Write for AtomicFile<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.out.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

impl AtomicFile<'_> {
    /// Where the file goes.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Finishes the file under its temporary name; [`Staged::commit`] puts it in place.
    pub fn stage(self) -> Result<Staged, OutputError> {
        let AtomicFile { output: _, rel, path, out, hasher, bytes } = self;
        let tmp = out.into_inner().map_err(|e| OutputError::Io { path: path.clone(), cause: e.into_error() })?;
        let temp = tmp.into_temp_path();
        Ok(Staged { temp, written: Written { path: rel, sha256: hex(&hasher.finalize()), bytes } })
    }

    /// Renames the finished file into place (a killed run never leaves it torn).
    pub fn finish(self) -> Result<(), OutputError> {
        let output = self.output;
        self.stage()?.commit(output)
    }
}

/// A finished file waiting under its temporary name; dropped, it is removed.
///
/// A campaign's files are staged and committed together once the whole campaign
/// has been read without error, so a bad row found late never leaves a campaign
/// half old and half new.
#[derive(Debug)]
pub struct Staged {
    pub(super) temp: tempfile::TempPath,
    /// Its place in the output folder is `written.path` (not kept again as a full
    /// path: a run holds a staged file per file of every campaign it builds).
    pub(super) written: Written,
}

impl Staged {
    /// The file as the manifest lists it.
    pub fn written(&self) -> &Written {
        &self.written
    }

    /// Where the finished file waits under its temporary name until it is committed.
    pub fn temp_path(&self) -> &Path {
        &self.temp
    }

    /// Renames the file into place and records it for the manifest.
    pub fn commit(self, output: &Output) -> Result<(), OutputError> {
        let Staged { temp, written } = self;
        let path = output.root.join(&written.path);
        temp.persist(&path).map_err(|e| OutputError::Io { path, cause: e.error })?;
        output.fresh.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        output.carry(written);
        Ok(())
    }
}
