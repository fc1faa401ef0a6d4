//! Whether a draft is ready to start: one check per thing the campaign builder needs
//! (docs/export-format.md lists them).
//!
//! A pure judgement of the campaign object; the view puts each finding into words.

use jiff::Timestamp;

use crate::model::{CallingWindow, Campaign, word_enum};

word_enum! {
    /// A readiness check, in checklist order.
    ReadinessCheck {
        Name = "name",
        Audience = "audience",
        FromNumbers = "from_numbers",
        CallingWindow = "calling_window",
        Agent = "agent",
        Schedule = "schedule",
    }
}

/// What a check found.
#[derive(Debug, Clone, PartialEq)]
pub enum Finding {
    /// The campaign's name, trimmed.
    Named(String),
    Unnamed,
    /// Contacts in the chosen audience.
    AudienceSize(u64),
    /// No audience size, but rows accepted from the upload.
    UploadRows(u64),
    NoAudience,
    /// Numbers to call from.
    Numbers(usize),
    NoNumbers,
    Window(CallingWindow),
    /// A window without days, or one that ends before it starts.
    BrokenWindow,
    NoWindow,
    /// The agent's name.
    Agent(String),
    NoAgent,
    Starts(Timestamp),
    NoStart,
}

/// One check and what it found.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    pub check: ReadinessCheck,
    pub ok: bool,
    pub finding: Finding,
}

/// Every check of a draft, in checklist order.
pub fn readiness(c: &Campaign) -> Vec<Check> {
    let cfg = &c.config;
    let check = |check, ok, finding| Check { check, ok, finding };
    let name = c.name.trim();
    let size = cfg.audience.as_ref().and_then(|a| a.size).unwrap_or(0);
    let accepted = c.upload.as_ref().and_then(|u| u.rows_accepted).unwrap_or(0);
    let numbers = cfg.from_numbers.as_ref().map_or(0, Vec::len);
    // The pace's own rule: a window without days, or that ends before it starts, counts for nothing.
    let window = cfg
        .calling_window
        .as_ref()
        .filter(|w| super::CallingHours::new(Some(w), jiff::tz::TimeZone::UTC).is_windowed());
    let agent = cfg.agent.as_ref().and_then(|a| a.name.as_deref()).filter(|n| !n.trim().is_empty());
    vec![
        match name {
            "" => check(ReadinessCheck::Name, false, Finding::Unnamed),
            name => check(ReadinessCheck::Name, true, Finding::Named(name.to_string())),
        },
        if size > 0 {
            check(ReadinessCheck::Audience, true, Finding::AudienceSize(size))
        } else if accepted > 0 {
            check(ReadinessCheck::Audience, true, Finding::UploadRows(accepted))
        } else {
            check(ReadinessCheck::Audience, false, Finding::NoAudience)
        },
        match numbers {
            0 => check(ReadinessCheck::FromNumbers, false, Finding::NoNumbers),
            n => check(ReadinessCheck::FromNumbers, true, Finding::Numbers(n)),
        },
        match (window, &cfg.calling_window) {
            (Some(w), _) => check(ReadinessCheck::CallingWindow, true, Finding::Window(w.clone())),
            (None, Some(_)) => check(ReadinessCheck::CallingWindow, false, Finding::BrokenWindow),
            (None, None) => check(ReadinessCheck::CallingWindow, false, Finding::NoWindow),
        },
        match agent {
            Some(name) => check(ReadinessCheck::Agent, true, Finding::Agent(name.to_string())),
            None => check(ReadinessCheck::Agent, false, Finding::NoAgent),
        },
        match c.scheduled_start_at {
            Some(at) => check(ReadinessCheck::Schedule, true, Finding::Starts(at)),
            None => check(ReadinessCheck::Schedule, false, Finding::NoStart),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn campaign(extra: serde_json::Value) -> Campaign {
        let mut c = serde_json::json!({"id": "d", "name": "Spring recall", "tenant": {"id": "t", "name": "T"}, "status": "draft"});
        c.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        serde_json::from_value(c).unwrap()
    }

    fn findings(c: &Campaign) -> Vec<(bool, Finding)> {
        readiness(c).into_iter().map(|c| (c.ok, c.finding)).collect()
    }

    #[test]
    fn an_empty_draft_fails_every_check_but_its_name() {
        let checks = readiness(&campaign(serde_json::json!({})));
        let order: Vec<ReadinessCheck> = checks.iter().map(|c| c.check).collect();
        assert_eq!(order, ReadinessCheck::ALL);
        assert_eq!(
            findings(&campaign(serde_json::json!({"name": "  "}))),
            [
                (false, Finding::Unnamed),
                (false, Finding::NoAudience),
                (false, Finding::NoNumbers),
                (false, Finding::NoWindow),
                (false, Finding::NoAgent),
                (false, Finding::NoStart)
            ]
        );
    }

    #[test]
    fn a_complete_draft_passes_every_check() {
        let c = campaign(serde_json::json!({
            "name": " Spring recall ",
            "scheduled_start_at": "2026-12-01T14:00:00Z",
            "config": {
                "agent": {"name": "Ava"},
                "from_numbers": ["+14155550100", "+14155550101"],
                "calling_window": {"days": ["mon", "tue"], "start": "09:00", "end": "18:00"},
                "audience": {"size": 1200}
            }
        }));
        let found = findings(&c);
        assert!(found.iter().all(|(ok, _)| *ok), "{found:?}");
        assert_eq!(found[0].1, Finding::Named("Spring recall".into()));
        assert_eq!(found[1].1, Finding::AudienceSize(1200));
        assert_eq!(found[2].1, Finding::Numbers(2));
        assert!(matches!(found[3].1, Finding::Window(_)));
        assert_eq!(found[4].1, Finding::Agent("Ava".into()));
        assert_eq!(found[5].1, Finding::Starts("2026-12-01T14:00:00Z".parse().unwrap()));
    }

    #[test]
    fn accepted_upload_rows_are_an_audience() {
        let c = campaign(
            serde_json::json!({"upload": {"status": "completed", "rows_accepted": 40}, "config": {"audience": {"size": 0}}}),
        );
        assert_eq!(findings(&c)[1], (true, Finding::UploadRows(40)));
    }

    #[test]
    fn a_window_without_days_or_ending_before_it_starts_is_broken() {
        for window in [
            serde_json::json!({"days": [], "start": "09:00", "end": "18:00"}),
            serde_json::json!({"days": ["mon"], "start": "18:00", "end": "09:00"}),
            serde_json::json!({"days": ["mon"], "start": "09:00", "end": "09:00"}),
            serde_json::json!({"days": ["mon"], "start": "00:00", "end": "00:00"}),
        ] {
            let c = campaign(serde_json::json!({"config": {"calling_window": window}}));
            assert_eq!(findings(&c)[3], (false, Finding::BrokenWindow));
        }
    }

    #[test]
    fn a_window_may_end_at_midnight() {
        let window = serde_json::json!({"days": ["fri", "sat"], "start": "18:00", "end": "00:00"});
        let c = campaign(serde_json::json!({"config": {"calling_window": window}}));
        assert!(matches!(findings(&c)[3], (true, Finding::Window(_))));
    }

    #[test]
    fn a_blank_agent_name_is_no_agent() {
        let c = campaign(serde_json::json!({"config": {"agent": {"name": " ", "voice": "alloy"}}}));
        assert_eq!(findings(&c)[4], (false, Finding::NoAgent));
    }
}
