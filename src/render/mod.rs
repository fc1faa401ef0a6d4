//! Renderers, peers that each turn a campaign into files: HTML pages (`html`, from
//! the view), `summary.json` (`summary`, from the figures), the export copies
//! (`copies`, from the export's rows), PDFs (`pdf`, printed from the HTML), and the
//! bodies of delivery messages (`mail`).
//!
//! A renderer never imports another renderer, and none of them decides what a page
//! shows: that is the view's job.

pub mod copies;
pub mod html;
pub mod mail;
pub mod pdf;
pub mod summary;
pub mod templates;
