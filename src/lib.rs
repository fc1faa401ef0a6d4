//! campaign-report: static snapshots (HTML, JSON, PDF) of outbound calling
//! campaigns, read from the platform's exports.
//!
//! The pipeline runs one way: [`export`] reads and checks the input, [`figures`]
//! computes while streaming the tables, [`view`] decides what each page shows,
//! [`render`] draws it, and [`output`] writes it atomically. [`lifecycle`] is the
//! one table that maps a status to its layout, tabs and actions.

pub mod browser;
pub mod deliver;
pub mod export;
pub mod figures;
pub mod lifecycle;
pub mod merge;
pub mod model;
pub mod os;
pub mod output;
pub mod pipeline;
pub mod redact;
pub mod render;
pub mod scratch;
pub mod sync;
pub mod text;
pub mod view;
