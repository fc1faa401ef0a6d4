//! Pages checked from outside: the Nu Html Checker, axe-core and a headless
//! Chromium. The checkers come from `tools/` (`npm ci --prefix tools`, done by
//! `scripts/setup --tests`); a missing checker or browser fails these tests. One
//! headless Chromium runs at a time (see `common::headless_browser`).

#[path = "../common/mod.rs"]
mod common;

mod fixture_pages;
mod hostile;
