//! The task rows of the built-in `sections/tasks.html` and the campaign rows of the
//! built-in `index.html`, written without template values: a Tasks page holds up to
//! 500 rows of a dozen cells, and turning each cell into a template value, then
//! looking it up again, cost more than the rest of the page; the campaign list holds
//! a row per campaign, and as template values a list of 100,000 campaigns took
//! hundreds of megabytes.
//!
//! The markup is exactly the templates' loops (`{% for t in list.rows %}`, `{% for e
//! in group.entries %}`), which stay in the templates for `--templates`: with any
//! template overridden, rows go to the templates as values (docs/templates.md, "Task
//! rows"). A test builds the fixtures both ways and compares the pages byte for byte.

use std::io::Write;

use crate::text::escape::escape_html;
use crate::view::{ListEntry, TaskList};

/// The rows of `list`, as the built-in template's loop writes them.
pub(super) fn task_rows(list: &TaskList) -> String {
    let mut out: Vec<u8> = Vec::with_capacity(list.rows.len() * 360);
    for t in &list.rows {
        cell(&mut out, "<tr><td>", &t.task_id);
        cell(&mut out, "</td><td>", &t.contact);
        cell(&mut out, "</td><td class=\"phone\">", &t.phone);
        cell(&mut out, "</td><td><span class=\"badge task-", t.status);
        cell(&mut out, "\">", &t.status_label);
        cell(&mut out, "</span></td><td class=\"num\">", &t.attempts);
        cell(&mut out, "</td><td>", &t.last_result);
        cell(&mut out, "</td><td>", &t.outcome);
        cell(&mut out, "</td><td class=\"num\">", &t.talk);
        cell(&mut out, "</td><td class=\"time\">", &t.last_attempt);
        cell(&mut out, "</td><td class=\"phone\">", &t.from_number);
        out.extend_from_slice(b"</td>");
        if list.show_latency {
            cell(&mut out, "<td class=\"num\">", t.latency.as_deref().unwrap_or(""));
            out.extend_from_slice(b"</td>");
        }
        out.extend_from_slice(b"</tr>\n");
    }
    String::from_utf8(out).expect("escaping keeps UTF-8")
}

/// Markup, then a value escaped as the templates escape it.
fn cell(out: &mut Vec<u8>, before: &str, text: &str) {
    out.extend_from_slice(before.as_bytes());
    escape_html(text, out).expect("writing to memory cannot fail");
}

/// Everything of `list` but its rows.
pub(super) fn without_rows(list: &TaskList) -> TaskList {
    TaskList {
        title: list.title,
        total: list.total.clone(),
        rows: Vec::new(),
        more: list.more.clone(),
        empty: list.empty,
        more_href: list.more_href,
        show_latency: list.show_latency,
        pager: list.pager.clone(),
    }
}

/// Where the built-in `index.html` puts a group's campaign rows (`page.list_rows`):
/// markup no value can produce, since every value is escaped.
pub(super) const LIST_ROWS: &str = "<!--campaign-report:list-rows-->";

/// The campaign rows of one group, as the built-in `index.html`'s loop writes them.
pub fn write_list_rows(
    entries: impl Iterator<Item = std::io::Result<ListEntry>>,
    out: &mut impl Write,
) -> std::io::Result<()> {
    let mut row: Vec<u8> = Vec::with_capacity(1024);
    for e in entries {
        let e = e?;
        row.clear();
        cell(&mut row, "\n<tr>\n<th scope=\"row\"><a href=\"", &e.href);
        cell(&mut row, "index.html\">", &e.name);
        cell(&mut row, "</a><span class=\"id\">", &e.id);
        cell(&mut row, "</span></th>\n<td><span class=\"badge status-", &e.status_kind);
        cell(&mut row, "\">", &e.status);
        row.extend_from_slice(b"</span></td>\n<td>");
        if let Some(bar) = e.bar {
            // A number as the templates print it (serde_json's shortest form).
            let bar = serde_json::Number::from_f64(bar).map(|n| n.to_string()).unwrap_or_default();
            cell(
                &mut row,
                "<svg class=\"bar\" viewBox=\"0 0 100 6\" preserveAspectRatio=\"none\" aria-hidden=\"true\"><rect class=\"track\" width=\"100\" height=\"6\"/><rect class=\"fill\" width=\"",
                &bar,
            );
            row.extend_from_slice(b"\" height=\"6\"/></svg>");
        }
        cell(&mut row, "<span>", &e.progress);
        cell(&mut row, "</span></td>\n<td>", &e.key_figure);
        if let Some(warnings) = e.warnings.as_deref().filter(|w| !w.is_empty()) {
            cell(&mut row, " <span class=\"badge warn\">⚠ ", warnings);
            row.extend_from_slice(b"</span>");
        }
        row.extend_from_slice(b"</td>\n<td class=\"tabs-cell\">");
        for (i, t) in e.tabs.iter().enumerate() {
            cell(&mut row, "<a href=\"", &e.href);
            cell(&mut row, "", &t.href);
            cell(&mut row, "\">", &t.label);
            row.extend_from_slice(b"</a>");
            if i + 1 < e.tabs.len() {
                row.extend_from_slice(" · ".as_bytes());
            }
        }
        row.extend_from_slice(b"</td>\n</tr>\n");
        out.write_all(&row)?;
    }
    Ok(())
}
