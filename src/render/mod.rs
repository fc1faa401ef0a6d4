//! Renderers of the same campaign view: HTML pages, export copies, and (printed
//! from the HTML) PDFs.

pub mod copies;
pub mod html;
pub mod pdf;
