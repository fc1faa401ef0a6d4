//! The bodies of delivery messages: a plain-text and an HTML part, from Tera templates
//! embedded in the binary and overridable per file with `--templates DIR` (the files
//! under `DIR/mail/`), like the pages.
//!
//! It draws a finished context; which figures a message carries is decided by
//! `deliver`, never here.

use std::path::Path;

use serde::Serialize;
use tera::{Context, Tera};

pub use super::templates::TemplateError;

/// The built-in message templates, by name.
pub const BUILTIN: &[(&str, &str)] = &[
    ("mail/campaign.txt", include_str!("../../templates/mail/campaign.txt")),
    ("mail/campaign.html", include_str!("../../templates/mail/campaign.html")),
    ("mail/campaign-block.html", include_str!("../../templates/mail/campaign-block.html")),
    ("mail/digest.txt", include_str!("../../templates/mail/digest.txt")),
    ("mail/digest.html", include_str!("../../templates/mail/digest.html")),
];

const PREFIX: &str = "builtin/";

/// The two parts of a message body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bodies {
    pub text: String,
    pub html: String,
}

/// Renders message bodies from the built-in templates and the user's overrides.
pub struct MailRenderer {
    tera: Tera,
    notes: Vec<String>,
}

/// Writes the built-in message templates into `dir/mail/` for editing; existing files
/// are kept unless `force`. Returns how many files were written and how many kept.
pub fn write_builtins(dir: &Path, force: bool) -> Result<(usize, usize), TemplateError> {
    super::templates::write_files(dir, BUILTIN.iter().copied(), force)
}

impl MailRenderer {
    /// Loads the built-in templates, then those of `user_dir/mail/` over them.
    pub fn new(user_dir: Option<&Path>) -> Result<MailRenderer, TemplateError> {
        let tera_error = |name: &str, e: tera::Error| TemplateError::tera(name, &e);
        let mut tera = Tera::default();
        tera.set_escape_fn(crate::text::escape::escape_html);
        tera.set_fallback_prefixes([PREFIX]).map_err(|e| tera_error("(setup)", e))?;
        let mut templates: Vec<(String, String)> =
            BUILTIN.iter().map(|(name, body)| (format!("{PREFIX}{name}"), body.to_string())).collect();
        let mut notes = Vec::new();
        if let Some(dir) = user_dir {
            super::templates::check_folder(dir)?;
            // A file in mail/ that overrides nothing is said, like a stray page template.
            for entry in std::fs::read_dir(dir.join("mail")).into_iter().flatten().flatten() {
                let name = format!("mail/{}", entry.file_name().to_string_lossy());
                if !name.starts_with("mail/.") && !BUILTIN.iter().any(|(n, _)| *n == name) {
                    notes.push(format!(
                        "{} overrides no built-in message template and is ignored (see `campaign-report init-templates` for the names)",
                        entry.path().display()
                    ));
                }
            }
            for (name, _) in BUILTIN {
                let path = dir.join(name);
                if path.is_file() {
                    let body = std::fs::read_to_string(&path).map_err(|cause| TemplateError::Read { path, cause })?;
                    templates.push((name.to_string(), body));
                }
            }
        }
        tera.add_raw_templates(templates.iter().map(|(n, b)| (n.as_str(), b.as_str())))
            .map_err(|e| tera_error("(loading)", e))?;
        Ok(MailRenderer { tera, notes })
    }

    /// Remarks about the user's `mail/` folder: files in it that override nothing.
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// The text and HTML bodies of `kind` (`campaign` or `digest`) for `context`.
    pub fn render(&self, kind: &str, context: &impl Serialize) -> Result<Bodies, TemplateError> {
        let context = Context::from_serialize(context).map_err(|e| TemplateError::tera(&format!("mail/{kind}"), &e))?;
        let one = |name: String| self.tera.render(&name, &context).map_err(|e| TemplateError::tera(&name, &e));
        Ok(Bodies { text: one(format!("mail/{kind}.txt"))?, html: one(format!("mail/{kind}.html"))? })
    }
}
