//! `build --shard K/N`, `merge` and `build --browser URL` end to end (docs/scale-out.md):
//! the real binary, real Chromium for the PDFs, and browsers the tests start
//! themselves on 127.0.0.1.

#[path = "../common/mod.rs"]
mod common;

mod browsers;
mod docs;
mod merge;
mod refusals;
mod remote;
mod support;
