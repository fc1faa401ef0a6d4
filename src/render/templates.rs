//! What the template renderers share (pages in `html`, messages in `mail`): their
//! error, the `--templates` folder check, and writing the built-ins out for editing
//! (`init-templates`).

use std::path::{Path, PathBuf};

/// A template that cannot be loaded or rendered.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    /// A user template or asset cannot be read or written.
    #[error("template file {}: {}", path.display(), crate::os::describe(cause))]
    Read { path: PathBuf, cause: std::io::Error },
    /// The `--templates` folder is missing or is not a folder.
    #[error("--templates {}: {reason}", path.display())]
    Folder { path: PathBuf, reason: String },
    /// A template does not parse, or fails while rendering.
    #[error("template {name}: {message}")]
    Tera { name: String, message: String },
}

impl TemplateError {
    /// A Tera error of template `name`, with its chain (which carries the template
    /// line and what is wrong).
    pub fn tera(name: &str, e: &tera::Error) -> TemplateError {
        TemplateError::Tera { name: name.to_string(), message: crate::os::chain(e) }
    }
}

/// Refuses a `--templates` path that is not a folder.
pub fn check_folder(dir: &Path) -> Result<(), TemplateError> {
    let folder = |reason: String| TemplateError::Folder { path: dir.to_path_buf(), reason };
    match std::fs::metadata(dir) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => Err(folder("it is a file, not a folder of templates".into())),
        Err(e) => Err(folder(crate::os::describe(&e))),
    }
}

/// Writes `files` (name, body) into `dir` for editing; existing files are kept unless
/// `force`. Returns how many files were written and how many kept.
pub fn write_files<'a>(
    dir: &Path,
    files: impl IntoIterator<Item = (&'a str, &'a str)>,
    force: bool,
) -> Result<(usize, usize), TemplateError> {
    let (mut written, mut kept) = (0, 0);
    for (name, body) in files {
        let path = dir.join(name);
        if path.exists() && !force {
            kept += 1;
            continue;
        }
        let io = |cause| TemplateError::Read { path: path.clone(), cause };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        std::fs::write(&path, body).map_err(io)?;
        written += 1;
    }
    Ok((written, kept))
}
