//! Paths inside the output folder: a path that could leave it, a symbolic link on the
//! way and a file or folder standing where the other is needed are refused, and the
//! folders of a file are created one level at a time.

use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

use super::{Output, OutputError};

/// How many checked folders the output folder remembers at most.
pub(super) const FOLDERS_KEPT: usize = 4096;

impl Output {
    /// Checks that `rel` stays inside the folder, without links on the way; creates nothing.
    pub(super) fn checked(&self, rel: &str) -> Result<PathBuf, OutputError> {
        let rel_path = Path::new(rel);
        let unsafe_path = |reason| OutputError::Unsafe { path: self.root.join(rel), reason };
        if !is_inside(rel) {
            return Err(unsafe_path("the path would leave the output folder"));
        }
        let mut dir = self.root.clone();
        for part in rel_path.parent().into_iter().flat_map(Path::components) {
            dir.push(part);
            if fs::symlink_metadata(&dir).is_ok_and(|m| m.file_type().is_symlink()) {
                return Err(unsafe_path("a folder on the way is a symbolic link"));
            }
        }
        Ok(self.root.join(rel_path))
    }

    /// Checks `rel` and creates its folders, refusing `..`, absolute paths and links.
    pub(super) fn safe_path(&self, rel: &str) -> Result<PathBuf, OutputError> {
        let rel_path = Path::new(rel);
        let unsafe_path = |reason| OutputError::Unsafe { path: self.root.join(rel), reason };
        if !is_inside(rel) {
            return Err(unsafe_path("the path would leave the output folder"));
        }
        let parent = rel_path.parent().unwrap_or(Path::new(""));
        if !self.folders.lock().is_ok_and(|f| f.contains(parent)) {
            let mut dir = self.root.clone();
            for part in parent.components() {
                dir.push(part);
                match fs::symlink_metadata(&dir) {
                    Ok(m) if m.file_type().is_symlink() => {
                        return Err(unsafe_path("a folder on the way is a symbolic link"));
                    }
                    Ok(m) if m.is_dir() => {}
                    Ok(_) => return Err(unsafe_path("a file stands where a folder is needed")),
                    Err(e) if e.kind() == io::ErrorKind::NotFound => match fs::create_dir(&dir) {
                        Ok(()) => {}
                        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                        Err(e) => return Err(OutputError::Io { path: dir, cause: e }),
                    },
                    Err(e) => return Err(OutputError::Io { path: dir, cause: e }),
                }
            }
            if let Ok(mut folders) = self.folders.lock() {
                // A cache, not a record: kept small (a run has two folders per campaign),
                // and a folder no longer in it is only checked again.
                if folders.len() >= FOLDERS_KEPT {
                    folders.clear();
                }
                folders.insert(parent.to_path_buf());
            }
        }
        let path = self.root.join(rel_path);
        if fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir()) {
            return Err(unsafe_path("a folder stands where the file goes"));
        }
        Ok(path)
    }
}

/// Whether `rel` is a plain relative path (names only, no `..`, no root): one that
/// cannot leave the folder it is joined to. Paths read from a manifest are checked
/// with it before anything is read or written there.
pub fn is_inside(rel: &str) -> bool {
    !rel.is_empty() && Path::new(rel).components().all(|c| matches!(c, Component::Normal(_)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_cannot_leave_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        let out = Output::create(dir.path()).unwrap();
        for bad in ["../x", "/etc/passwd", "a/../../x", ""] {
            assert!(matches!(out.write(bad, b"x"), Err(OutputError::Unsafe { .. })), "{bad}");
        }
        #[cfg(unix)]
        {
            let outside = tempfile::tempdir().unwrap();
            std::os::unix::fs::symlink(outside.path(), dir.path().join("campaigns")).unwrap();
            assert!(out.write("campaigns/x/index.html", b"x").is_err());
            assert_eq!(fs::read_dir(outside.path()).unwrap().count(), 0);
        }
        out.write("a/b.txt", b"hello").unwrap();
        assert_eq!(fs::read(dir.path().join("a/b.txt")).unwrap(), b"hello");
        #[cfg(unix)]
        {
            // The mode of any file the user creates, not a temporary file's 0600.
            use std::os::unix::fs::PermissionsExt;
            fs::write(dir.path().join("plain.txt"), b"x").unwrap();
            let mode = |p: &str| fs::metadata(dir.path().join(p)).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode("a/b.txt"), mode("plain.txt"));
        }
        let listed = out.with_listing(|files| serde_json::to_value(files).unwrap());
        assert_eq!(listed[0]["sha256"], "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
    }
}
