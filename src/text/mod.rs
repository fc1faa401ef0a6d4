//! Text as pages show it: the HTML escaper, Markdown rendered and sanitised, and
//! numbers, times, durations and phone numbers formatted.
//!
//! A leaf of the pipeline: every later stage may use it, and it knows nothing of
//! campaigns, figures or pages (it reads only the model's value checks).

pub mod escape;
pub mod format;
pub mod markdown;
mod phone;

pub use phone::phone;
