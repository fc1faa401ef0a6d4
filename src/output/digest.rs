//! Digests of files and bytes, as manifests list them (SHA-256 in lower-case hex).

use std::fs;
use std::io;
use std::path::Path;

use sha2::{Digest, Sha256};

/// The bytes of `path` when it is a regular file (not a link, a folder or a pipe, which
/// could block a read for ever); `None` otherwise.
pub fn read_regular(path: &Path) -> Option<Vec<u8>> {
    fs::symlink_metadata(path).ok().filter(|m| m.file_type().is_file())?;
    fs::read(path).ok()
}

/// The SHA-256 (hex) and size of `path` when it is a regular file, read in pieces.
pub fn digest_regular(path: &Path) -> Option<(String, u64)> {
    fs::symlink_metadata(path).ok().filter(|m| m.file_type().is_file())?;
    let mut hasher = Sha256::new();
    let bytes = hash_file(&mut hasher, path).ok()?;
    Some((hex(&hasher.finalize()), bytes))
}

/// Feeds the bytes of `path` to `hasher`, in pieces; returns how many there were.
pub fn hash_file(hasher: &mut Sha256, path: &Path) -> io::Result<u64> {
    use std::io::Read;
    let mut file = fs::File::open(path)?;
    let (mut bytes, mut buf) = (0u64, vec![0u8; 1 << 16]);
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            return Ok(bytes);
        }
        hasher.update(&buf[..n]);
        bytes += n as u64;
    }
}

/// The SHA-256 of `bytes`, in lower-case hex, as manifests list it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// The bytes of hex digits (either case); `None` for anything else or an odd count.
pub fn unhex(text: &str) -> Option<Vec<u8>> {
    let digits: Option<Vec<u8>> = text.chars().map(|c| c.to_digit(16).map(|d| d as u8)).collect();
    let digits = digits.filter(|d| d.len().is_multiple_of(2))?;
    Some(digits.chunks(2).map(|pair| pair[0] << 4 | pair[1]).collect())
}

/// A SHA-256 written as 64 hex digits, as bytes.
pub fn unhex_sha256(text: &str) -> Option<[u8; 32]> {
    unhex(text).and_then(|bytes| bytes.try_into().ok())
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips() {
        assert_eq!(unhex_sha256(&"AB".repeat(32)), Some([0xab; 32]));
        assert_eq!(unhex_sha256("abcd"), None);
        assert_eq!(unhex(&hex(&[0, 1, 254, 255])), Some(vec![0, 1, 254, 255]));
        assert_eq!(unhex("abc"), None);
        assert_eq!(unhex("zz"), None);
        assert_eq!(unhex("+f+f"), None);
    }
}
