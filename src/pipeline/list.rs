//! The campaign list (`index.html`) of an output folder and its stylesheet, written
//! from the manifest records of every campaign, rebuilt or not.

use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::manifest::CampaignRecord;
use super::{Options, RunError};
use crate::model::{Tenant, Workspace};
use crate::output::{Output, OutputError};
use crate::render::html::{HtmlRenderer, Page, WriteError};
use crate::text::format;
use crate::view;

/// Writes `assets/style.css` and `index.html` unless they already hold these bytes.
pub(super) fn write(
    output: &Output,
    renderer: &HtmlRenderer,
    options: &Options,
    workspace: &Workspace,
    tenant: &Tenant,
    records: &[CampaignRecord],
) -> Result<(), RunError> {
    write_at(output, renderer, options.now, &workspace.timezone.zone(), tenant, records)
}

/// The same, from the snapshot time and time zone alone: also how `merge` writes the
/// list of the shards' campaigns (docs/scale-out.md).
pub fn write_at(
    output: &Output,
    renderer: &HtmlRenderer,
    now: Timestamp,
    zone: &TimeZone,
    tenant: &Tenant,
    records: &[CampaignRecord],
) -> Result<(), RunError> {
    output.hold_if_changed("assets/style.css", renderer.css().as_bytes())?;
    let snapshot = format::time(now, zone);
    let entries = records.iter().map(|r| &r.entry).collect();
    let list = view::list_view(entries, &tenant.name, snapshot.clone(), now.to_string());
    let page = Page {
        tab: "list",
        file: "index.html".into(),
        title: format!("Campaigns · {}", tenant.name),
        root: "",
        assets: "assets/",
        snapshot,
        refresh: None,
        sections: Vec::new(),
        tasks: None,
        print: false,
        inline_css: "",
        attachments_note: None,
        task_rows_html: None,
        list_rows: None,
    };
    // Streamed to its file, then held unless the file already holds the same bytes.
    let mut file = output.writer("index.html")?;
    let path = file.path().to_path_buf();
    renderer.write_list_page(&list, &page, &mut file).map_err(|e| match e {
        WriteError::Template(e) => RunError::Template(e),
        WriteError::Io(cause) => RunError::Output(OutputError::Io { path, cause }),
    })?;
    output.hold_unless_same(file.stage()?);
    Ok(())
}
