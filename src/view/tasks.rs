//! The task list: the first rows on the Overview and in the PDF, and the Tasks tab's
//! pages with their pager.

use schemars::JsonSchema;
use serde::Serialize;

use super::ViewInput;
use crate::model::Task;
use crate::text::{format, phone};

/// Task rows per Tasks tab page.
pub const TASKS_PER_PAGE: usize = 500;
/// Task rows on the Overview.
pub const OVERVIEW_TASKS: usize = 50;

/// What a task list says when the campaign has no tasks.
pub(super) const NO_TASKS: &str = "No tasks in this export.";

/// One row of the task list.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TaskRow {
    /// The task id.
    pub task_id: String,
    /// The contact's name (masked with `--redact contacts`).
    pub contact: String,
    /// The contact's number (masked with `--redact contacts`).
    pub phone: String,
    /// The task's status word (`in_progress` …), for styling.
    pub status: &'static str,
    /// The task's status as its badge reads it (`In progress` …).
    pub status_label: String,
    /// Dial attempts.
    pub attempts: String,
    /// The last attempt's result in words.
    pub last_result: String,
    /// The agent's outcome label, in words (`not interested`).
    pub outcome: String,
    /// Talk time, or empty.
    pub talk: String,
    /// When the last attempt was made.
    pub last_attempt: String,
    /// The number the last attempt was made from.
    pub from_number: String,
    /// Measured latency; only for roles that may see restricted metrics.
    pub latency: Option<String>,
}

/// The task list as one page shows it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TaskList {
    /// The section's heading (`Tasks`, or `Appendix: tasks` in the PDF).
    pub title: &'static str,
    /// Tasks in the campaign.
    pub total: String,
    /// The rows this page shows.
    pub rows: Vec<TaskRow>,
    /// A line saying how many more tasks there are and where, when rows were cut.
    pub more: Option<String>,
    /// What to say instead of the table when the campaign has no tasks.
    pub empty: Option<&'static str>,
    /// The Tasks tab, when the list continues there.
    pub more_href: Option<&'static str>,
    /// Whether the latency column is shown.
    pub show_latency: bool,
    /// Pagination of the Tasks tab; null elsewhere.
    pub pager: Option<Pager>,
}

/// Links between the Tasks tab's pages.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Pager {
    /// Which tasks and which page this is (`Tasks 1–500 of 2,940 · page 1 of 6`).
    pub label: String,
    /// The previous page, or null on the first.
    pub prev: Option<String>,
    /// The next page, or null on the last.
    pub next: Option<String>,
    /// Links to the first, the last and the pages near this one.
    pub pages: Vec<PageLink>,
}

/// One numbered page link.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PageLink {
    /// The page number.
    pub number: usize,
    /// The page's file.
    pub href: String,
    /// Whether it is this page.
    pub current: bool,
}

/// One task as the task list shows it.
pub fn task_row(input: &ViewInput, task: &Task) -> TaskRow {
    let zone = input.zone();
    TaskRow {
        task_id: task.task_id.to_string(),
        contact: task.contact_name.as_deref().map(|n| input.contact(n)).unwrap_or_default(),
        phone: input.phone(&task.phone),
        status: task.status.as_str(),
        status_label: format::label(task.status.as_str()),
        attempts: task.attempts.unwrap_or(0).to_string(),
        last_result: task.last_result.map(|r| format::words(r.as_str())).unwrap_or_default(),
        outcome: task.outcome.as_deref().map(format::words).unwrap_or_default(),
        talk: task.talk_seconds.filter(|t| t.0 > 0.0).map(|t| format::duration(t.0)).unwrap_or_default(),
        last_attempt: task.last_attempt_at.map(|t| format::time(t, &zone)).unwrap_or_default(),
        from_number: task.from_number.as_deref().map(phone).unwrap_or_default(),
        latency: input.options.show_latency.then(|| task.latency_ms.map(|m| format::millis(m.0)).unwrap_or_default()),
    }
}

/// The task list cut to `limit` rows, with a line saying where the rest are.
pub fn task_list(input: &ViewInput, limit: usize) -> TaskList {
    let total = input.figures.tasks.as_ref().map_or(0, |t| t.total);
    let rows: Vec<TaskRow> = input.first_tasks.iter().take(limit).map(|t| task_row(input, t)).collect();
    let hidden = total.saturating_sub(rows.len() as u64);
    let tasks = if hidden == 1 { "task is" } else { "tasks are" };
    let more = if input.options.print {
        // The PDF names no file: it says how much it leaves out.
        format!(
            "This list shows the first {} of {} tasks; {} more {} not listed.",
            format::thousands(rows.len() as u64),
            format::thousands(total),
            format::thousands(hidden),
            if hidden == 1 { "is" } else { "are" }
        )
    } else if input.options.tasks_tab {
        format!("{} more {tasks} in the Tasks tab (tasks.html) of this snapshot.", format::thousands(hidden))
    } else {
        format!("{} more {tasks} in export/tasks.csv of this snapshot.", format::thousands(hidden))
    };
    TaskList {
        title: if input.options.print { "Appendix: tasks" } else { "Tasks" },
        total: format::thousands(total),
        more: (hidden > 0).then_some(more),
        more_href: (hidden > 0 && input.options.tasks_tab && !input.options.print).then_some("tasks.html"),
        empty: (total == 0).then_some(NO_TASKS),
        rows,
        show_latency: input.options.show_latency,
        pager: None,
    }
}

/// The file name of page `n` (1-based) of the Tasks tab.
pub fn tasks_page_file(n: usize) -> String {
    if n <= 1 { "tasks.html".to_string() } else { format!("tasks-{n}.html") }
}

/// Number of Tasks tab pages for `total` tasks.
pub fn tasks_page_count(total: u64, per_page: usize) -> usize {
    (total as usize).div_ceil(per_page).max(1)
}

/// The task list of page `n` of the Tasks tab.
pub fn tasks_page(input: &ViewInput, rows: Vec<TaskRow>, n: usize, pages: usize, first: u64) -> TaskList {
    let total = input.figures.tasks.as_ref().map_or(0, |t| t.total);
    let last = first + rows.len() as u64 - u64::from(!rows.is_empty());
    let window = 3;
    let mut links: Vec<usize> = (1..=pages).filter(|p| *p == 1 || *p == pages || p.abs_diff(n) <= window).collect();
    links.dedup();
    TaskList {
        title: "Tasks",
        total: format::thousands(total),
        more: None,
        more_href: None,
        empty: (total == 0).then_some(NO_TASKS),
        show_latency: input.options.show_latency,
        pager: Some(Pager {
            label: if total == 0 {
                NO_TASKS.to_string()
            } else {
                format!(
                    "Tasks {}–{} of {} · page {} of {}",
                    format::thousands(first),
                    format::thousands(last),
                    format::thousands(total),
                    format::thousands(n as u64),
                    format::thousands(pages as u64)
                )
            },
            prev: (n > 1).then(|| tasks_page_file(n - 1)),
            next: (n < pages).then(|| tasks_page_file(n + 1)),
            pages: links
                .into_iter()
                .map(|p| PageLink { number: p, href: tasks_page_file(p), current: p == n })
                .collect(),
        }),
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::testing::Fixture;

    #[test]
    fn a_cut_list_says_where_the_rest_is() {
        let fixture = Fixture::ended().tasks(3);
        let input = fixture.input();
        let list = task_list(&input, 2);
        assert_eq!(list.rows.len(), 2);
        assert_eq!(list.more.as_deref(), Some("1 more task is in the Tasks tab (tasks.html) of this snapshot."));
        assert_eq!(list.more_href, Some("tasks.html"));
        assert_eq!(list.empty, None);
        let whole = task_list(&input, 50);
        assert_eq!((whole.rows.len(), whole.more), (3, None));
    }

    #[test]
    fn the_pdf_says_how_many_tasks_it_leaves_out_without_naming_a_file() {
        let mut fixture = Fixture::ended().tasks(3);
        fixture.options.print = true;
        let list = task_list(&fixture.input(), 2);
        assert_eq!(list.title, "Appendix: tasks");
        assert_eq!(list.more.as_deref(), Some("This list shows the first 2 of 3 tasks; 1 more is not listed."));
        assert_eq!(list.more_href, None);
    }

    #[test]
    fn an_empty_list_says_so() {
        let fixture = Fixture::ended().tasks(0);
        let list = task_list(&fixture.input(), 50);
        assert_eq!(list.empty, Some(NO_TASKS));
        assert_eq!(list.total, "0");
    }

    #[test]
    fn rows_are_formatted_and_masked() {
        let fixture = Fixture::ended().tasks(1);
        let row = task_row(&fixture.input(), &fixture.first_tasks[0]);
        assert_eq!(row.phone, "+1 415-555-0100");
        assert_eq!(row.last_result, "no answer");
        assert_eq!(row.latency, None, "a viewer does not see latency");
        let redacted = fixture.redacted();
        let row = task_row(&redacted.input(), &redacted.first_tasks[0]);
        assert_eq!(row.phone, "+1 415 ••• ••00");
        assert_eq!(row.contact, "C•••••• 1");
    }

    #[test]
    fn pages_link_to_their_neighbours() {
        assert_eq!(tasks_page_count(0, TASKS_PER_PAGE), 1);
        assert_eq!(tasks_page_count(1001, 500), 3);
        assert_eq!(tasks_page_file(1), "tasks.html");
        assert_eq!(tasks_page_file(3), "tasks-3.html");
        let fixture = Fixture::ended().tasks(3);
        let page = tasks_page(&fixture.input(), Vec::new(), 5, 9, 2001);
        let pager = page.pager.unwrap();
        assert_eq!(pager.prev.as_deref(), Some("tasks-4.html"));
        assert_eq!(pager.next.as_deref(), Some("tasks-6.html"));
        let numbers: Vec<usize> = pager.pages.iter().map(|p| p.number).collect();
        assert_eq!(numbers, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
        let far = tasks_page(&fixture.input(), Vec::new(), 1, 20, 1);
        let numbers: Vec<usize> = far.pager.unwrap().pages.iter().map(|p| p.number).collect();
        assert_eq!(numbers, [1, 2, 3, 4, 20]);
    }
}
