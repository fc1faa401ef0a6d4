//! The task rows of the built-in `sections/tasks.html`, written without template
//! values: a page holds up to 500 rows of a dozen cells, and turning each cell into a
//! template value, then looking it up again, cost more than the rest of the page.
//!
//! The markup is exactly the template's loop (`{% for t in list.rows %}`), which
//! stays in the template for `--templates`: with any template overridden, rows go to
//! the templates as values (docs/templates.md, "Task rows"). A test builds the
//! fixtures both ways and compares the pages byte for byte.

use crate::text::escape::escape_html;
use crate::view::TaskList;

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
