//! How the operating system's errors read in a message: once, in words where the
//! bare error would puzzle (a folder where a file was expected, and the reverse),
//! without the temporary paths some wrappers append.
//!
//! A leaf: it knows nothing of the tool. A message built with it names the path
//! itself, once; the error is not also kept as a `source`, so a printed chain never
//! says it twice.

use std::io;

/// An error and its causes, each said once: `template x: parse error: …`.
pub fn chain(e: &dyn std::error::Error) -> String {
    let mut parts: Vec<String> = vec![e.to_string()];
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    parts.join(": ")
}

/// The error in words: `permission denied (os error 13)`, `it is a folder, not a file`.
pub fn describe(e: &io::Error) -> String {
    match os_code(e) {
        Some(libc::EISDIR) => "it is a folder, not a file".into(),
        Some(libc::ENOTDIR) => "a part of the path is a file where a folder is needed".into(),
        Some(libc::ENOSPC) => "no space left on the device (os error 28)".into(),
        // The OS's own text, once: wrappers such as tempfile's append the path again.
        Some(code) => lowercase_first(&io::Error::from_raw_os_error(code).to_string()),
        None if e.kind() == io::ErrorKind::StorageFull => "no space left on the device".into(),
        None => e.to_string(),
    }
}

/// The OS error code, also from inside a wrapper (tempfile wraps errors with their path).
fn os_code(e: &io::Error) -> Option<i32> {
    if let Some(code) = e.raw_os_error() {
        return Some(code);
    }
    let mut inner: Option<&(dyn std::error::Error + 'static)> = e.get_ref().map(|i| i as _);
    while let Some(error) = inner {
        if let Some(code) = error.downcast_ref::<io::Error>().and_then(io::Error::raw_os_error) {
            return Some(code);
        }
        inner = error.source();
    }
    None
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_read_once_and_in_words() {
        assert_eq!(describe(&io::Error::from_raw_os_error(libc::EACCES)), "permission denied (os error 13)");
        assert_eq!(describe(&io::Error::from_raw_os_error(libc::EISDIR)), "it is a folder, not a file");
        #[derive(Debug)]
        struct AtPath(io::Error);
        impl std::fmt::Display for AtPath {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{} at path /x/.tmp", self.0)
            }
        }
        impl std::error::Error for AtPath {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        let wrapped = io::Error::new(io::ErrorKind::StorageFull, AtPath(io::Error::from_raw_os_error(libc::ENOSPC)));
        assert_eq!(describe(&wrapped), "no space left on the device (os error 28)", "the wrapper's path is left out");
        assert_eq!(describe(&io::Error::from_raw_os_error(libc::ENOSPC)), "no space left on the device (os error 28)");
    }
}
