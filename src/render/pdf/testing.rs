//! What the PDF tests share: settings for the installed Chromium, pages to print,
//! and the poppler and qpdf tools to read the PDFs back. Test code only.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::{DEFAULT_DEADLINE, Paper, PdfJob, PdfSettings};
use crate::browser;

/// Text in every script the fonts must cover.
pub(super) const SCRIPTS: &str = "Latin café · Кириллица · العربية · 漢字かな · 🎉";

fn now() -> jiff::Timestamp {
    "2026-11-27T12:00:00Z".parse().unwrap()
}

/// Chromium must be installed for these tests: a missing browser fails them.
pub(super) fn settings(paper: Paper, jobs: usize) -> PdfSettings {
    let chrome = browser::find_chrome(None).expect("Chromium is needed for the PDF tests: scripts/setup --tests");
    PdfSettings {
        chrome: Some(chrome),
        paper,
        jobs,
        deadline: DEFAULT_DEADLINE,
        now: now(),
        browser_folders: None,
        browsers: Vec::new(),
        fontconfig: None,
    }
}

pub(super) fn page(dir: &Path, name: &str, body: &str) -> PathBuf {
    let path = dir.join(name);
    let html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{name}</title><style>\
         @page {{ size: A4; margin: 14mm 12mm 16mm; }} body {{ font-family: 'DejaVu Sans', 'Noto Sans', \
         'Noto Sans CJK SC', 'Noto Sans Arabic', 'Noto Color Emoji', sans-serif; }} \
         .band {{ background: #c8f7c5; }}</style></head><body>{body}</body></html>"
    );
    std::fs::write(&path, html).unwrap();
    path
}

pub(super) fn job(html: PathBuf, title: &str) -> PdfJob {
    PdfJob { html, title: title.into(), snapshot: "2026-11-27 07:00 EST".into(), archival: None }
}

pub(super) fn tool(name: &str, args: &[&str], pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("out.pdf");
    std::fs::write(&file, pdf).unwrap();
    let mut cmd = Command::new(name);
    cmd.args(args).arg(&file);
    if name == "pdftotext" {
        cmd.arg("-");
    }
    let out = cmd.output().unwrap_or_else(|e| panic!("{name} is needed (apt-get install poppler-utils qpdf): {e}"));
    assert!(out.status.success(), "{name} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}
