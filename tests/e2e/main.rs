//! The end-to-end tests that build HTML and JSON only (no browser, no killed
//! process), in one test binary: a build that several tests read, such as every
//! acme input form with the default flags (`common::acme`), is done once for all
//! of them (`common::Cli::shared`).

#[path = "../common/mod.rs"]
mod common;

mod cache;
mod data_time;
mod determinism;
mod errors;
mod figures;
mod fixtures;
mod generator;
mod inputs;
mod layouts;
mod lock;
mod malformed;
mod messages;
mod platforms;
mod positions;
mod roles_tenants;
mod safety;
mod schema;
mod snapshots;
mod space;
mod templates;
