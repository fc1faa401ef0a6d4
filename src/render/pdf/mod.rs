//! PDF renderer: prints the HTML pages already written to disk with one headless
//! Chromium per run and a pool of tabs.
//!
//! A browser's connection can drop in the middle of a run, and its PDFs carry the
//! time they were printed. This module owns what that means for PDFs: the tab
//! pool with a deadline per PDF, one retry on a fresh tab and relaunching a
//! browser that died (`printer`), one print of one page (`attempt`), the footer
//! (`footer`), rewriting the PDF dates from the snapshot time so reruns with
//! `--now` are byte-identical (`dates`), and making the PDF archival, PDF/A-2b or
//! PDF/A-3b, when `--pdf-variant` asks for it (`archival`). Finding, starting and killing the browser
//! (also on SIGINT, SIGTERM and SIGHUP) is [`crate::browser`]'s job, not this one's.
//!
//! It must not download a browser or touch the network: the pages are `file://`
//! URLs of complete, self-contained files, and the browser runs with its
//! background networking switched off and its own `HOME` and `TMPDIR`.

pub mod archival;
mod attempt;
mod dates;
mod footer;
mod printer;
#[cfg(test)]
mod testing;

use std::path::PathBuf;
use std::time::Duration;

use crate::browser::BrowserError;
use crate::sync::lock;

pub use printer::Printer;

/// Default deadline for one PDF.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(60);

/// Paper size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Paper {
    /// ISO A4, 210 × 297 mm.
    #[default]
    A4,
    /// US Letter, 8.5 × 11 in.
    Letter,
}

impl Paper {
    /// Width and height in inches, as the DevTools protocol wants them.
    fn inches(self) -> (f64, f64) {
        match self {
            Paper::A4 => (210.0 / 25.4, 297.0 / 25.4),
            Paper::Letter => (8.5, 11.0),
        }
    }

    /// The CSS rule that puts a printed page on this paper. The page to print ends its
    /// style sheet with it, so it wins over any `@page { size }` before it (a custom
    /// style sheet's included) in every browser, headless shell or full.
    pub fn page_rule(self) -> &'static str {
        match self {
            Paper::A4 => "@page { size: A4 portrait; }",
            Paper::Letter => "@page { size: letter portrait; }",
        }
    }
}

/// One PDF to print.
#[derive(Debug, Clone)]
pub struct PdfJob {
    /// Absolute path of a complete, self-contained HTML file (CSS inline) to print via file://.
    pub html: PathBuf,
    /// Campaign name for the footer (untrusted text from an export, escaped by `footer`).
    pub title: String,
    /// Snapshot time as shown on the pages, e.g. "2026-11-27 07:00 EST", for the footer.
    pub snapshot: String,
    /// `--pdf-variant`: what makes the printed PDF archival; `None` for a plain PDF.
    pub archival: Option<archival::Archival>,
}

/// How to print: which browser, paper, how many tabs, and the snapshot time.
#[derive(Debug, Clone)]
pub struct PdfSettings {
    /// `--chrome`: the browser to use; searched for when `None` (see [`crate::browser`]).
    pub chrome: Option<PathBuf>,
    /// `--paper`.
    pub paper: Paper,
    /// Tabs in the pool (`--jobs`); 0 counts as 1.
    pub jobs: usize,
    /// Deadline for one PDF; a PDF that misses it is retried once on a fresh tab.
    pub deadline: Duration,
    /// Snapshot time written as the PDFs' `/CreationDate` and `/ModDate`.
    pub now: jiff::Timestamp,
    /// The folder each browser gets its own folder in (profile, HOME, TMPDIR): the
    /// run's private folder; the system's temporary folder when `None`.
    pub browser_folders: Option<PathBuf>,
    /// `--browser URL`: print through these running browsers instead of starting one.
    pub browsers: Vec<String>,
    /// A fontconfig file the browsers started read instead of the system's: the
    /// fonts of a PDF/A ([`archival::write_fonts`]).
    pub fontconfig: Option<PathBuf>,
}

/// Why a PDF could not be printed.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// No usable browser was found.
    #[error(
        "no Chromium or Chrome browser found to print PDFs (tried {tried}); install one (on \
         Debian `apt-get install chromium-headless-shell`, the fastest, or `apt-get install \
         chromium`), or point `--chrome PATH` or the CHROME environment variable at a browser"
    )]
    NoBrowser {
        /// What was tried, for the message.
        tried: String,
    },
    /// The browser was found but did not start.
    #[error("could not start the browser {chrome}: {reason}")]
    Launch {
        /// The browser executable.
        chrome: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// The temporary folder for the browser's profile could not be made.
    #[error("could not create a temporary folder for the browser: {0}")]
    TempDir(#[source] std::io::Error),
    /// No browser given with `--browser URL` is left to print through.
    #[error("cannot print through the browsers given with --browser: {reason}")]
    Remote {
        /// Each browser and what became of it.
        reason: String,
    },
    /// Printing one page failed.
    #[error("could not print {html} to PDF: {reason}")]
    Print {
        /// The page.
        html: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// Printing one page missed its deadline twice.
    #[error("printing {html} to PDF did not finish within {} s (retried once)", deadline.as_secs_f64())]
    Timeout {
        /// The page.
        html: PathBuf,
        /// The deadline per attempt.
        deadline: Duration,
    },
}

impl From<BrowserError> for PdfError {
    /// The browser's own errors, worded for a run that prints PDFs (the message
    /// says how to install a browser).
    fn from(err: BrowserError) -> PdfError {
        match err {
            BrowserError::NoBrowser { tried } => PdfError::NoBrowser { tried },
            BrowserError::Launch { chrome, reason } => PdfError::Launch { chrome, reason },
            BrowserError::TempDir(err) => PdfError::TempDir(err),
            err @ BrowserError::Remote { .. } => PdfError::Remote { reason: err.to_string() },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::browser;
    use std::path::Path;

    #[test]
    fn no_browser_is_an_error_that_says_how_to_install() {
        let err = browser::find_chrome(Some(Path::new("/nonexistent/chromium"))).unwrap_err();
        assert_eq!(
            PdfError::from(err).to_string(),
            "no Chromium or Chrome browser found to print PDFs (tried --chrome /nonexistent/chromium (not found \
             or not executable)); install one (on Debian `apt-get install chromium-headless-shell`, the fastest, \
             or `apt-get install chromium`), or point `--chrome PATH` or the CHROME environment variable at a \
             browser"
        );
        let err = BrowserError::Launch { chrome: "/usr/bin/chromium".into(), reason: "it fell over".into() };
        assert_eq!(PdfError::from(err).to_string(), "could not start the browser /usr/bin/chromium: it fell over");
        let err = BrowserError::TempDir(std::io::Error::other("disk full"));
        assert_eq!(PdfError::from(err).to_string(), "could not create a temporary folder for the browser: disk full");
    }
}
