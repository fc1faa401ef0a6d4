//! PDFs end to end: the real binary prints with the system's Chromium, and the PDFs
//! are read back with poppler and `qpdf`. A missing browser or missing tools fail
//! these tests; they never skip. Runs that print wait for each other (see
//! `common::Cli`), so one Chromium prints at a time; builds that several tests read
//! are done once (`common::Cli::shared`).

#[path = "../common/mod.rs"]
mod common;

mod archival;
mod killed;
mod pages;
mod printing;
mod processes;
mod restricted;
mod temp_folders;
