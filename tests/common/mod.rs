//! Shared harness of the end-to-end tests: run the real binary ([`Cli`]), write
//! campaign exports to run it on ([`Inputs`], [`Bundle`]), read back what it
//! wrote ([`Run`] and the helpers in `files` and `checkers`), and list the fixtures'
//! campaign objects ([`fixture_campaigns`]).
//!
//! Each test binary compiles its own copy, and none uses all of it.

#![allow(dead_code, unused_imports)]

mod bundle;
mod checkers;
mod cli;
mod files;
mod fixtures;
mod generate;
mod mime;
mod run;
mod servers;

use std::path::{Path, PathBuf};

pub use bundle::{Bundle, Inputs};
pub use checkers::{headless_browser, json_schema_errors, nu_html_errors, pdfa_findings};
pub use cli::Cli;
pub use files::{
    assert_no_file_contains, cell, contains_token, contents_under, files_under, html_pages, is_snapshot_time,
    names_line, read_csv, strings,
};
pub use fixtures::{FixtureCampaign, fixture_campaigns};
pub use generate::generator;
pub use mime::{Attachment, Mail};
pub use run::{Live, Run};
pub use servers::{HttpServer, HttpServerBuilder, PYTHON, Received, Request, SmtpServer, SmtpServerBuilder, free_port};

/// Snapshot time passed to every build, so output never depends on the clock.
pub const NOW: &str = "2026-11-27T12:00:00Z";

/// Every acme input form: the bundle directory (with its workspace.json), a
/// JSON Lines bulk export, a `{"campaigns": [...]}` file and a single campaign.
pub const ACME_INPUTS: &[&str] = &["acme", "acme-bulk.jsonl", "acme-more.json", "acme-single.json"];

/// Absolute path of a fixture, relative to `fixtures/`; an absolute path is kept as it is.
pub fn fixture(rel: impl AsRef<Path>) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(rel)
}

/// Every acme input built with the default flags, once per test binary.
pub fn acme() -> &'static Run {
    let run = Cli::build(ACME_INPUTS).shared();
    run.expect_code(0);
    run
}
