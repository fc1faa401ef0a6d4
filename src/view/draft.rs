//! The Draft layout: is the campaign ready to start, what is configured, who it will call.

use serde::Serialize;

use super::{Fact, GridView, ViewInput, format, grid_view};
use crate::model::{CallingWindow, Weekday};
use crate::text::phone;

/// One readiness check.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub check: &'static str,
    pub label: &'static str,
    pub ok: bool,
    /// What was found, or what to fix.
    pub detail: String,
}

/// The readiness checklist.
#[derive(Debug, Clone, Serialize)]
pub struct Readiness {
    pub checks: Vec<Check>,
    pub passed: String,
    pub ready: bool,
    pub edit_href: Option<String>,
}

fn check(check: &'static str, label: &'static str, ok: bool, detail: String) -> Check {
    Check { check, label, ok, detail }
}

/// The readiness checks, in the order of SPEC 2.
pub fn readiness(input: &ViewInput) -> Readiness {
    let c = input.campaign;
    let cfg = &c.config;
    let name_ok = !c.name.trim().is_empty();
    let size = cfg.audience.as_ref().and_then(|a| a.size).unwrap_or(0);
    let accepted = c.upload.as_ref().and_then(|u| u.rows_accepted).unwrap_or(0);
    let numbers = cfg.from_numbers.as_ref().map_or(0, Vec::len);
    let window = cfg.calling_window.as_ref().filter(|w| !w.days.is_empty() && w.start < w.end);
    let agent = cfg.agent.as_ref().and_then(|a| a.name.as_deref()).filter(|n| !n.trim().is_empty());

    let checks = vec![
        check(
            "name",
            "Name",
            name_ok,
            if name_ok { format!("Named “{}”.", c.name.trim()) } else { "Give the campaign a name.".into() },
        ),
        check(
            "audience",
            "Audience",
            size > 0 || accepted > 0,
            if size > 0 {
                format!("{} contacts in the audience.", format::thousands(size))
            } else if accepted > 0 {
                format!("{} rows accepted from the upload.", format::thousands(accepted))
            } else {
                "No contacts yet: choose an audience list or upload a CSV of contacts.".into()
            },
        ),
        check(
            "from_numbers",
            "Caller numbers",
            numbers > 0,
            if numbers > 0 {
                format!("{numbers} caller {}.", if numbers == 1 { "number" } else { "numbers" })
            } else {
                "Add at least one number to call from.".into()
            },
        ),
        check(
            "calling_window",
            "Calling window",
            window.is_some(),
            match window {
                Some(w) => format!("{}.", window_words(w, input)),
                None if cfg.calling_window.is_some() => {
                    "The calling window has no days or ends before it starts: fix its days and hours.".into()
                }
                None => "Set the days and hours when calls may be placed.".into(),
            },
        ),
        check(
            "agent",
            "Agent",
            agent.is_some(),
            match agent {
                Some(name) => format!("Calls are made by {name}."),
                None => "Choose the voice agent that makes the calls.".into(),
            },
        ),
        check(
            "schedule",
            "Schedule",
            c.scheduled_start_at.is_some(),
            match c.scheduled_start_at {
                Some(at) => format!("Starts {}.", format::time(at, &input.zone())),
                None => "Set a start time for the campaign.".into(),
            },
        ),
    ];
    let passed = checks.iter().filter(|c| c.ok).count();
    Readiness {
        passed: format!("{passed} of {} checks passed", checks.len()),
        ready: passed == checks.len(),
        checks,
        edit_href: input.app_link(&format!("campaigns/{}/edit", c.id)),
    }
}

/// `Mon–Fri, 09:00–18:00 America/New_York`.
fn window_words(w: &CallingWindow, input: &ViewInput) -> String {
    let zone = input.campaign.timezone.as_ref().map_or(input.workspace.timezone.as_str(), |z| z.as_str());
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
    let name = |i: usize| super::status_label(Weekday::ALL[i].as_str());
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
    facts.push(Fact::new("Caller numbers", if numbers.is_empty() { "None yet".into() } else { numbers.join(", ") }));
    facts.push(Fact::new(
        "Calling window",
        cfg.calling_window.as_ref().map_or_else(|| "Not set".into(), |w| window_words(w, input)),
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
                parts.push(format!("from {}", source.replace('_', " ")));
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

/// The audience preview, when the export has one.
pub fn preview(input: &ViewInput) -> Option<GridView> {
    let grid = input.preview.filter(|g| g.total > 0)?;
    Some(grid_view(
        grid,
        super::PREVIEW_ROWS,
        |col, cell| super::after::show_cell(input, col, cell),
        "rows",
        "are in the export.",
    ))
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
