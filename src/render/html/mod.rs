//! The HTML renderer: Tera templates embedded in the binary, overridable per file.
//!
//! Built-in templates live under the `builtin/` prefix; a user's `--templates DIR`
//! is loaded without a prefix, so a file of the same name wins and the built-ins
//! fill in the rest (Tera's fallback prefixes).

#[cfg(test)]
mod context_doc;
mod rows;

pub use rows::write_list_rows;

use std::path::Path;

use schemars::JsonSchema;
use serde::Serialize;
use tera::{Context, Tera};

use crate::lifecycle::Section;
use crate::view::{CampaignView, ListGroup, ListView, TaskList};

/// The built-in templates and assets, by name.
pub const BUILTIN: &[(&str, &str)] = &[
    ("base.html", include_str!("../../../templates/base.html")),
    ("index.html", include_str!("../../../templates/index.html")),
    ("campaign.html", include_str!("../../../templates/campaign.html")),
    ("header.html", include_str!("../../../templates/header.html")),
    ("grid.html", include_str!("../../../templates/grid.html")),
    ("pager.html", include_str!("../../../templates/pager.html")),
    ("shares.html", include_str!("../../../templates/shares.html")),
    ("pool_table.html", include_str!("../../../templates/pool_table.html")),
    ("sections/notes.html", include_str!("../../../templates/sections/notes.html")),
    ("sections/readiness.html", include_str!("../../../templates/sections/readiness.html")),
    ("sections/configuration.html", include_str!("../../../templates/sections/configuration.html")),
    ("sections/audience-preview.html", include_str!("../../../templates/sections/audience-preview.html")),
    ("sections/progress.html", include_str!("../../../templates/sections/progress.html")),
    ("sections/dispatch-health.html", include_str!("../../../templates/sections/dispatch-health.html")),
    ("sections/tasks.html", include_str!("../../../templates/sections/tasks.html")),
    ("sections/funnel.html", include_str!("../../../templates/sections/funnel.html")),
    ("sections/analysis.html", include_str!("../../../templates/sections/analysis.html")),
    ("sections/results.html", include_str!("../../../templates/sections/results.html")),
    ("sections/csv-upload.html", include_str!("../../../templates/sections/csv-upload.html")),
    ("sections/number-pool.html", include_str!("../../../templates/sections/number-pool.html")),
    ("sections/latency.html", include_str!("../../../templates/sections/latency.html")),
];

/// The built-in stylesheet.
pub const BUILTIN_CSS: &str = include_str!("../../../templates/assets/style.css");

const PREFIX: &str = "builtin/";

pub use super::templates::TemplateError;

fn tera_error(name: &str, e: tera::Error) -> TemplateError {
    TemplateError::tera(name, &e)
}

/// Writes the built-in templates and stylesheet into `dir` for editing; existing files
/// are kept unless `force`. Returns how many files were written and how many kept.
pub fn write_builtins(dir: &Path, force: bool) -> Result<(usize, usize), TemplateError> {
    super::templates::write_files(dir, BUILTIN.iter().copied().chain([("assets/style.css", BUILTIN_CSS)]), force)
}

/// Checks a `--templates` folder: it must be a folder; every file in it should override
/// a built-in template or the stylesheet, else it is ignored and a note says so.
fn check_user_dir(dir: &Path) -> Result<Vec<String>, TemplateError> {
    super::templates::check_folder(dir)?;
    let known: Vec<&str> = BUILTIN.iter().map(|(n, _)| *n).chain(["assets/style.css"]).collect();
    let mut files = Vec::new();
    collect_files(dir, dir, &mut files);
    // `mail/` holds the message templates, which `deliver` reads (render::mail).
    files.retain(|f| !f.starts_with("mail/"));
    let stray: Vec<&String> = files.iter().filter(|f| !known.contains(&f.as_str())).collect();
    let mut notes: Vec<String> = stray
        .iter()
        .map(|f| {
            format!(
                "{} overrides no built-in template and is ignored (see `campaign-report init-templates` for the names)",
                dir.join(f).display()
            )
        })
        .collect();
    if stray.len() == files.len() {
        notes.push(format!("--templates {} overrides nothing: every page uses the built-in templates", dir.display()));
    }
    Ok(notes)
}

/// Every file under `dir` (relative, `/`-separated), hidden ones and links left out.
fn collect_files(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let Ok(kind) = entry.file_type() else { continue };
        let path = entry.path();
        if kind.is_dir() {
            collect_files(root, &path, out);
        } else if kind.is_file()
            && let Ok(rel) = path.strip_prefix(root)
        {
            out.push(rel.iter().map(|p| p.to_string_lossy()).collect::<Vec<_>>().join("/"));
        }
    }
    out.sort();
}

/// A page that could not be written: its template failed, or writing its file did.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error(transparent)]
    Template(#[from] TemplateError),
    #[error(transparent)]
    Io(std::io::Error),
}

/// One page as the templates see it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Page<'a> {
    /// `overview`, `tasks`, `report`, or `list` for the campaign list.
    pub tab: &'static str,
    /// The page's own file name (the Refresh link).
    pub file: String,
    /// The document title.
    pub title: String,
    /// Relative path to the output root.
    pub root: &'static str,
    /// Relative path to `assets/`.
    pub assets: &'static str,
    /// The snapshot time in the workspace time zone.
    pub snapshot: String,
    /// Seconds between self-refreshes, or null (only Active HTML pages refresh).
    pub refresh: Option<u32>,
    /// The sections to draw, in order (their ids).
    pub sections: Vec<Section>,
    /// The task list of this page, or null.
    pub tasks: Option<&'a TaskList>,
    /// Whether the page is printed to PDF (no navigation, stylesheet inline).
    pub print: bool,
    /// The stylesheet when printing, ended by the paper's `@page { size }` rule (`--paper`): a custom `base.html` must put it last in its head.
    pub inline_css: &'a str,
    /// In a PDF/A-3b whose files passed the attachment cap: which were left out and where their full copies live, else null.
    pub attachments_note: Option<&'a str>,
    /// The built-in task rows, already written, when no template is overridden (`page.tasks.rows` is then empty) and the page draws the `tasks` section (null on the other pages); null as soon as a template is overridden (`--templates`), and templates then get every row as values.
    pub task_rows_html: Option<&'a str>,
    /// In the built-in `index.html`, where the tool writes a group's campaign rows itself when no template is overridden (`list.groups[].entries` is then empty); null as soon as a template is overridden, and templates then get every campaign as values.
    pub list_rows: Option<&'a str>,
}

/// A campaign view converted once for the templates, shared by all its pages
/// (a campaign with a million tasks has two thousand of them).
pub struct Prepared(tera::Value);

/// Renders pages from the built-in templates and the user's overrides.
pub struct HtmlRenderer {
    tera: Tera,
    css: String,
    fingerprint: Vec<u8>,
    notes: Vec<String>,
    /// Whether task rows are written by `rows` rather than by the templates: only when
    /// every template is the built-in one.
    compiled_rows: bool,
}

impl HtmlRenderer {
    /// Loads the built-in templates, then the ones in `user_dir` over them.
    pub fn new(user_dir: Option<&Path>) -> Result<HtmlRenderer, TemplateError> {
        let mut tera = Tera::default();
        tera.set_escape_fn(crate::text::escape::escape_html);
        tera.set_fallback_prefixes([PREFIX]).map_err(|e| tera_error("(setup)", e))?;
        let mut templates: Vec<(String, String)> =
            BUILTIN.iter().map(|(name, body)| (format!("{PREFIX}{name}"), body.to_string())).collect();
        let mut css = BUILTIN_CSS.to_string();
        let mut notes = Vec::new();
        if let Some(dir) = user_dir {
            notes = check_user_dir(dir)?;
            for (name, _) in BUILTIN {
                let path = dir.join(name);
                if path.is_file() {
                    let body = std::fs::read_to_string(&path).map_err(|cause| TemplateError::Read { path, cause })?;
                    templates.push((name.to_string(), body));
                }
            }
            let path = dir.join("assets/style.css");
            if path.is_file() {
                css = std::fs::read_to_string(&path).map_err(|cause| TemplateError::Read { path, cause })?;
            }
        }
        tera.add_raw_templates(templates.iter().map(|(n, b)| (n.as_str(), b.as_str())))
            .map_err(|e| tera_error("(loading)", e))?;
        let mut digest = <sha2::Sha256 as sha2::Digest>::new();
        for (name, body) in templates.iter().map(|(n, b)| (n.as_str(), b.as_str())).chain([("css", css.as_str())]) {
            sha2::Digest::update(&mut digest, name.as_bytes());
            sha2::Digest::update(&mut digest, (body.len() as u64).to_le_bytes());
            sha2::Digest::update(&mut digest, body.as_bytes());
        }
        let fingerprint = sha2::Digest::finalize(digest).to_vec();
        let compiled_rows = templates.iter().all(|(name, _)| name.starts_with(PREFIX));
        Ok(HtmlRenderer { tera, css, fingerprint, notes, compiled_rows })
    }

    /// Remarks about the user's templates folder: files in it that override nothing.
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// A digest of every template and the stylesheet in use.
    pub fn fingerprint(&self) -> &[u8] {
        &self.fingerprint
    }

    /// The stylesheet written to `assets/style.css`.
    pub fn css(&self) -> &str {
        &self.css
    }

    fn render(&self, name: &str, context: &Context) -> Result<String, TemplateError> {
        self.tera.render(name, context).map_err(|e| tera_error(name, e))
    }

    /// [`render`](Self::render) into bytes: a page goes to a file, so its text is not
    /// checked again as UTF-8 (every value and template is a `str` already).
    fn render_bytes(&self, name: &str, context: &Context) -> Result<Vec<u8>, TemplateError> {
        let mut out = Vec::with_capacity(64 << 10);
        self.tera.render_to(name, context, &mut out).map_err(|e| tera_error(name, e))?;
        Ok(out)
    }

    /// Converts a view for the templates, once for all the campaign's pages.
    ///
    /// With the built-in templates the task rows are written by `rows` from the page's
    /// own list (`page.tasks`), and `campaign.tasks.rows` is read by no template: the
    /// Overview's rows are then left out of the values, which would cost more than
    /// the rest of the view. With any template overridden they are all there.
    pub fn prepare(&self, view: &mut CampaignView) -> Prepared {
        if !self.compiled_rows {
            return Prepared(tera::Value::from_serializable(&*view));
        }
        let rows = view.tasks.as_mut().map(|list| std::mem::take(&mut list.rows));
        let prepared = Prepared(tera::Value::from_serializable(&*view));
        if let (Some(list), Some(rows)) = (view.tasks.as_mut(), rows) {
            list.rows = rows;
        }
        prepared
    }

    /// Renders one page of a campaign.
    pub fn campaign_page(&self, campaign: &Prepared, page: &Page) -> Result<Vec<u8>, TemplateError> {
        let mut context = Context::new();
        context.insert_value("campaign", campaign.0.clone());
        match page.tasks.filter(|list| self.compiled_rows && !list.rows.is_empty()) {
            // The rows, hundreds per page, are written directly instead of through
            // template values; the built-in `sections/tasks.html` inserts them, on the
            // pages that draw it (an Ended campaign's Overview and Report do not).
            Some(list) => {
                let draws = page.sections.contains(&Section::Tasks);
                let rows = if draws { rows::task_rows(list) } else { String::new() };
                let list = rows::without_rows(list);
                let page = Page { tasks: Some(&list), task_rows_html: draws.then_some(rows.as_str()), ..page.clone() };
                context.insert("page", &page);
            }
            None => context.insert("page", page),
        }
        self.render_bytes("campaign.html", &context)
    }

    /// Writes the campaign list to `out` from every entry as template values: how the
    /// list is drawn when a template is overridden (see [`Self::write_list_outline`]).
    pub fn write_list_page(
        &self,
        list: &ListView,
        page: &Page,
        out: &mut impl std::io::Write,
    ) -> Result<(), WriteError> {
        let mut context = Context::new();
        context.insert("list", list);
        context.insert("page", page);
        let html = self.render("index.html", &context)?;
        out.write_all(html.as_bytes()).map_err(WriteError::Io)
    }

    /// Writes the campaign list to `out` from its outline (its groups with their counts,
    /// no entries), with `rows` writing each group's rows where the built-in template
    /// draws them: a list of a hundred thousand campaigns is never held as template
    /// values, nor its entries in memory. Returns false, having written nothing, when
    /// the templates do not allow it (an overridden template draws the rows itself).
    pub fn write_list_outline<W: std::io::Write>(
        &self,
        outline: &ListView,
        page: &Page,
        out: &mut W,
        mut rows: impl FnMut(&ListGroup, &mut W) -> std::io::Result<()>,
    ) -> Result<bool, WriteError> {
        if !self.compiled_rows {
            return Ok(false);
        }
        let mut context = Context::new();
        context.insert("list", outline);
        context.insert("page", &Page { list_rows: Some(rows::LIST_ROWS), ..page.clone() });
        let html = self.render("index.html", &context)?;
        let groups = outline.groups.iter().filter(|g| g.count > 0).count();
        if html.matches(rows::LIST_ROWS).count() != groups {
            // Not the page the rows were written for: the template draws them instead.
            return Ok(false);
        }
        let mut parts = html.split(rows::LIST_ROWS);
        out.write_all(parts.next().unwrap_or_default().as_bytes()).map_err(WriteError::Io)?;
        for group in outline.groups.iter().filter(|g| g.count > 0) {
            rows(group, out).map_err(WriteError::Io)?;
            out.write_all(parts.next().unwrap_or_default().as_bytes()).map_err(WriteError::Io)?;
        }
        Ok(true)
    }
}
