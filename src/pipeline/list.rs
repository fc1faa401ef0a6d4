//! The campaign list (`index.html`) of an output folder and its stylesheet, written
//! from the manifest records of every campaign, rebuilt or not.

use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::records::CampaignRecords;
use super::{Options, RunError};
use crate::model::{Tenant, Workspace};
use crate::output::{Output, OutputError};
use crate::render::html::{HtmlRenderer, Page, WriteError, write_list_rows};
use crate::text::format;
use crate::view;

/// Writes `assets/style.css` and `index.html` unless they already hold these bytes.
pub(super) fn write(
    output: &Output,
    renderer: &HtmlRenderer,
    options: &Options,
    workspace: &Workspace,
    tenant: &Tenant,
    records: &CampaignRecords,
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
    records: &CampaignRecords,
) -> Result<(), RunError> {
    output.hold_if_changed("assets/style.css", renderer.css().as_bytes())?;
    let snapshot = format::time(now, zone);
    let page = Page {
        tab: "list",
        file: "index.html".into(),
        title: format!("Campaigns · {}", tenant.name),
        root: "",
        assets: "assets/",
        snapshot: snapshot.clone(),
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
    let failed = |e| match e {
        WriteError::Template(e) => RunError::Template(e),
        WriteError::Io(cause) => RunError::Output(OutputError::Io { path: path.clone(), cause }),
    };
    // With the built-in templates the entries are read back in the list's order as the
    // rows are written, group after group; the page needs only the groups' counts.
    let outline = view::list_outline(records.group_counts(), &tenant.name, snapshot.clone(), now.to_string());
    let mut entries = None;
    let streamed = renderer
        .write_list_outline(&outline, &page, &mut file, |group, out| {
            let entries = entries.get_or_insert_with(|| records.in_list_order());
            write_list_rows(entries.by_ref().take(group.count), out)
        })
        .map_err(failed)?;
    if !streamed {
        // An overridden template draws the rows: every entry is a template value.
        let entries =
            records.in_list_order().collect::<std::io::Result<Vec<_>>>().map_err(|e| failed(WriteError::Io(e)))?;
        let list = view::list_view(entries.iter().collect(), &tenant.name, snapshot, now.to_string());
        renderer.write_list_page(&list, &page, &mut file).map_err(failed)?;
    }
    output.hold_unless_same(file.stage()?);
    Ok(())
}
