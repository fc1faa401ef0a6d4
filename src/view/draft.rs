//! The Draft layout: is the campaign ready to start, what is configured, who it will call.
//! The checks themselves are judged in `figures::readiness`; this puts them into words.

use schemars::JsonSchema;
use serde::Serialize;

use super::{Fact, GridView, ViewInput, grid_view};
use crate::figures::{self, Check, Finding, ReadinessCheck};
use crate::model::{CallingWindow, Campaign, Weekday, Workspace};
use crate::text::{format, phone};

/// One readiness check as the checklist shows it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CheckView {
    /// The check's id.
    pub check: ReadinessCheck,
    /// What is checked.
    pub label: &'static str,
    /// Whether it passed.
    pub ok: bool,
    /// `pass` or `fail`, for styling.
    pub state: &'static str,
    /// ✔ or ✘.
    pub mark: &'static str,
    /// What the mark says to a screen reader.
    pub mark_text: &'static str,
    /// What was found, or what to fix.
    pub detail: String,
}

/// The readiness checklist.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Readiness {
    /// Every check, in order.
    pub checks: Vec<CheckView>,
    /// `5 of 6 checks passed`.
    pub passed: String,
    /// Whether every check passed.
    pub ready: bool,
    /// What the checklist comes to, in a sentence.
    pub verdict: &'static str,
    /// Where to fix the failed checks (the campaign builder), when a check failed and `app_url` is set; else null.
    pub edit_href: Option<String>,
}

/// The checklist of a draft.
pub fn readiness(input: &ViewInput) -> Readiness {
    let checks: Vec<CheckView> = figures::readiness(input.campaign)
        .into_iter()
        .map(|c| CheckView {
            check: c.check,
            label: check_label(c.check),
            ok: c.ok,
            state: if c.ok { "pass" } else { "fail" },
            mark: if c.ok { "✔" } else { "✘" },
            mark_text: if c.ok { "Passed:" } else { "Not ready:" },
            detail: check_detail(&c, input.campaign, input.workspace),
        })
        .collect();
    let passed = checks.iter().filter(|c| c.ok).count();
    let ready = passed == checks.len();
    Readiness {
        passed: format!("{passed} of {} checks passed", checks.len()),
        ready,
        verdict: if ready {
            "Every check passed: the campaign can be scheduled."
        } else {
            "Fix the failed checks in the campaign builder before scheduling."
        },
        edit_href: if ready { None } else { input.app_link(&format!("campaigns/{}/edit", input.campaign.id)) },
        checks,
    }
}

fn check_label(check: ReadinessCheck) -> &'static str {
    match check {
        ReadinessCheck::Name => "Name",
        ReadinessCheck::Audience => "Audience",
        ReadinessCheck::FromNumbers => "Caller numbers",
        ReadinessCheck::CallingWindow => "Calling window",
        ReadinessCheck::Agent => "Agent",
        ReadinessCheck::Schedule => "Schedule",
    }
}

/// What a readiness check found, or what to fix, in a sentence (the page and
/// `summary.json` say the same).
pub fn check_detail(check: &Check, campaign: &Campaign, workspace: &Workspace) -> String {
    match &check.finding {
        Finding::Named(name) => format!("Named “{name}”."),
        Finding::Unnamed => "Give the campaign a name.".into(),
        Finding::AudienceSize(size) => format!("{} contacts in the audience.", format::thousands(*size)),
        Finding::UploadRows(rows) => format!("{} rows accepted from the upload.", format::thousands(*rows)),
        Finding::NoAudience => "No contacts yet: choose an audience list or upload a CSV of contacts.".into(),
        Finding::Numbers(n) => format!("{n} caller {}.", if *n == 1 { "number" } else { "numbers" }),
        Finding::NoNumbers => "Add at least one number to call from.".into(),
        Finding::Window(w) => format!("{}.", window_words(w, campaign, workspace)),
        Finding::BrokenWindow => {
            "The calling window has no days or ends before it starts: fix its days and hours.".into()
        }
        Finding::NoWindow => "Set the days and hours when calls may be placed.".into(),
        Finding::Agent(name) => format!("Calls are made by {name}."),
        Finding::NoAgent => "Choose the voice agent that makes the calls.".into(),
        Finding::Starts(at) => format!("Starts {}.", format::time(*at, &workspace.timezone.zone())),
        Finding::NoStart => "Set a start time for the campaign.".into(),
    }
}

/// `Mon–Fri, 09:00–18:00 America/New_York`.
pub(super) fn window_words(w: &CallingWindow, campaign: &Campaign, workspace: &Workspace) -> String {
    let zone = campaign.timezone.as_ref().map_or(workspace.timezone.as_str(), |z| z.as_str());
    format!("{}, {}–{} {zone}", days_words(&w.days), w.start.as_str(), w.end.as_str())
}

/// Days as ranges: `Mon–Fri`, `Mon, Wed, Fri`, `Every day`.
fn days_words(days: &[Weekday]) -> String {
    let mut on = [false; 7];
    for d in days {
        on[Weekday::ALL.iter().position(|x| x == d).unwrap_or(0)] = true;
    }
    if on.iter().all(|x| *x) {
        return "Every day".into();
    }
    let name = |i: usize| format::label(Weekday::ALL[i].as_str());
    let mut parts = Vec::new();
    let mut i = 0;
    while i < 7 {
        if !on[i] {
            i += 1;
            continue;
        }
        let start = i;
        while i + 1 < 7 && on[i + 1] {
            i += 1;
        }
        parts.push(match i - start {
            0 => name(start),
            1 => format!("{}, {}", name(start), name(i)),
            _ => format!("{}–{}", name(start), name(i)),
        });
        i += 1;
    }
    parts.join(", ")
}

/// The configuration in plain words.
pub fn configuration(input: &ViewInput) -> Vec<Fact> {
    let c = input.campaign;
    let cfg = &c.config;
    let mut facts = Vec::new();
    if let Some(agent) = &cfg.agent {
        let name = agent.name.clone().unwrap_or_else(|| "Unnamed agent".into());
        facts.push(Fact::new(
            "Agent",
            match &agent.voice {
                Some(voice) => format!("{name}, voice “{voice}”"),
                None => name,
            },
        ));
    } else {
        facts.push(Fact::new("Agent", "Not chosen yet"));
    }
    let numbers: Vec<String> = cfg.from_numbers.iter().flatten().map(|n| phone(n)).collect();
    facts.push(if numbers.is_empty() {
        Fact::new("Caller numbers", "None yet")
    } else {
        Fact::list("Caller numbers", numbers)
    });
    facts.push(Fact::new(
        "Calling window",
        cfg.calling_window.as_ref().map_or_else(|| "Not set".into(), |w| window_words(w, c, input.workspace)),
    ));
    let attempts = match (cfg.max_attempts, cfg.retry_interval_minutes) {
        (Some(1), _) => "1 attempt per contact".to_string(),
        (Some(n), Some(m)) => format!("up to {n} attempts, {} apart", minutes_words(m)),
        (Some(n), None) => format!("up to {n} attempts"),
        (None, Some(m)) => format!("retries {} apart", minutes_words(m)),
        (None, None) => "Not set".into(),
    };
    facts.push(Fact::new("Attempts", attempts));
    facts.push(Fact::new(
        "Concurrency",
        cfg.concurrency
            .map_or_else(|| "Not set".into(), |n| format!("{n} concurrent {}", if n == 1 { "call" } else { "calls" })),
    ));
    let audience = match &cfg.audience {
        Some(a) => {
            let mut parts = Vec::new();
            if let Some(list) = &a.list_name {
                parts.push(format!("list “{list}”"));
            }
            if let Some(source) = &a.source {
                parts.push(format!("from {}", format::words(source)));
            }
            if let Some(size) = a.size {
                parts.push(format!("{} contacts", format::thousands(size)));
            }
            if parts.is_empty() { "Not set".into() } else { parts.join(", ") }
        }
        None => "Not set".into(),
    };
    facts.push(Fact::new("Audience", audience));
    let goals = cfg.goal_outcomes.clone().filter(|g| !g.is_empty());
    facts.push(Fact::new(
        "Success means",
        match goals {
            Some(g) => g.join(", "),
            None => format!("{} (workspace default)", input.workspace.goal_outcomes.join(", ")),
        },
    ));
    facts.push(Fact::new(
        "Start",
        c.scheduled_start_at.map_or_else(|| "Not scheduled".into(), |t| format::time(t, &input.zone())),
    ));
    if let Some(tz) = &c.timezone {
        facts.push(Fact::new("Calling time zone", tz.as_str()));
    }
    facts
}

/// `60` → `60 minutes`, `90` → `1 h 30 min`.
fn minutes_words(m: u32) -> String {
    match m {
        1 => "1 minute".into(),
        0..=59 => format!("{m} minutes"),
        _ => format::duration(f64::from(m) * 60.0),
    }
}

/// The audience preview section.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PreviewView {
    /// The first rows, when the export has any; else null.
    pub grid: Option<GridView>,
    /// How many rows the export has, in a sentence; null without rows.
    pub summary: Option<String>,
    /// What to say instead when it has none; else null.
    pub empty: Option<&'static str>,
}

/// The audience preview.
pub fn preview(input: &ViewInput) -> PreviewView {
    let grid = input.preview.filter(|g| g.total > 0).map(|grid| {
        grid_view(
            grid,
            super::PREVIEW_ROWS,
            |col, cell| super::after::show_cell(input, col, cell),
            "rows",
            "are in the export.",
        )
    });
    PreviewView {
        summary: grid.as_ref().map(|g| format!("{} preview rows in the export.", g.total)),
        empty: grid.is_none().then_some("No audience preview in this export."),
        grid,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_read_as_ranges() {
        use Weekday::*;
        assert_eq!(days_words(&[Mon, Tue, Wed, Thu, Fri]), "Mon–Fri");
        assert_eq!(days_words(&[Mon, Wed, Fri]), "Mon, Wed, Fri");
        assert_eq!(days_words(&[Sat, Sun]), "Sat, Sun");
        assert_eq!(days_words(Weekday::ALL), "Every day");
    }
}
