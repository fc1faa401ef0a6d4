//! The campaign list (`index.html`) of an output folder and its stylesheet, written
//! from the manifest records of every campaign, rebuilt or not.

use super::manifest::CampaignRecord;
use super::{Options, RunError};
use crate::model::{Tenant, Workspace};
use crate::output::Output;
use crate::render::html::{HtmlRenderer, Page};
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
    output.hold_if_changed("assets/style.css", renderer.css().as_bytes())?;
    let snapshot = format::time(options.now, &workspace.timezone.zone());
    let entries = records.iter().map(|r| r.entry.clone()).collect();
    let list = view::list_view(entries, &tenant.name, snapshot.clone(), options.now.to_string());
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
    };
    let html = renderer.list_page(&list, &page)?;
    output.hold_if_changed("index.html", html.as_bytes())?;
    Ok(())
}
