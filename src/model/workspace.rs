//! Workspace settings (`workspace.json`, docs/export-format.md): the rules every
//! campaign of a run shares. Reading the file and pinning its errors to a line is
//! `export`'s job; this module holds the settings and checks each value.

use serde::{Deserialize, Deserializer, de};

use std::collections::BTreeMap;

use super::{Phone, Tenant, TimeZoneName, shorten};

/// Settings shared by every campaign of a run.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct Workspace {
    /// Extra statuses that use the Ended layout.
    pub terminal_statuses: Vec<String>,
    /// Roles that may see restricted metrics; `*` means everyone.
    pub latency_metrics_roles: Vec<String>,
    /// Time zone for every time shown.
    pub timezone: TimeZoneName,
    /// Base URL of the live app, for deep links.
    #[serde(deserialize_with = "de_app_url")]
    pub app_url: Option<String>,
    /// Outcomes that count as success when a campaign's config names none.
    pub goal_outcomes: Vec<String>,
    /// Talk time that makes a connected call a conversation.
    #[serde(deserialize_with = "de_non_negative")]
    pub conversation_min_seconds: f64,
    /// A pool number answering below this rate is unhealthy.
    #[serde(deserialize_with = "de_rate")]
    pub low_answer_rate: f64,
    /// Attempts a number needs before its answer rate is judged.
    pub min_attempts_for_health: u64,
    /// Hours after its data time from which a snapshot calls the data stale.
    #[serde(deserialize_with = "de_non_negative")]
    pub stale_after_hours: f64,
    /// How hosted platforms' exports are read (docs/platforms.md).
    pub platforms: PlatformSettings,
}

/// Settings for exports of hosted platforms, which name an org, not a tenant.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PlatformSettings {
    /// The tenant that platform imports without a campaign file of their own belong to.
    pub tenant: Option<Tenant>,
    /// The key of the platform's structured call analysis whose value is a task's outcome.
    pub outcome_key: Option<String>,
    /// E.164 numbers of the platform's phone number ids (Vapi `phoneNumberId`).
    pub numbers: BTreeMap<String, Phone>,
}

impl Default for Workspace {
    fn default() -> Self {
        Workspace {
            terminal_statuses: Vec::new(),
            latency_metrics_roles: vec!["admin".into(), "support".into()],
            timezone: TimeZoneName::default(),
            app_url: None,
            goal_outcomes: vec!["success".into()],
            conversation_min_seconds: 10.0,
            low_answer_rate: 0.15,
            min_attempts_for_health: 20,
            stale_after_hours: 24.0,
            platforms: PlatformSettings::default(),
        }
    }
}

impl Workspace {
    /// Whether `role` may see restricted metrics.
    pub fn may_see_latency(&self, role: &str) -> bool {
        self.latency_metrics_roles.iter().any(|r| r == "*" || r.trim().eq_ignore_ascii_case(role.trim()))
    }
}

fn de_app_url<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let Some(url) = Option::<String>::deserialize(d)? else { return Ok(None) };
    let lower = url.to_ascii_lowercase();
    let ok = (lower.starts_with("https://") || lower.starts_with("http://"))
        && url.len() > "https://".len()
        && !url.chars().any(|c| c.is_whitespace() || c.is_control() || "\"'<>`".contains(c));
    if !ok {
        return Err(de::Error::custom(format!(
            "invalid app_url {}, expected an http or https URL such as https://app.example.com",
            shorten(&url)
        )));
    }
    Ok(Some(url.trim_end_matches('/').to_string()))
}

fn de_non_negative<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    let v = f64::deserialize(d)?;
    if v.is_finite() && v >= 0.0 {
        Ok(v)
    } else {
        Err(de::Error::custom(format!("invalid number {v}, expected ≥ 0")))
    }
}

fn de_rate<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    let v = f64::deserialize(d)?;
    if (0.0..=1.0).contains(&v) {
        Ok(v)
    } else {
        Err(de::Error::custom(format!("invalid rate {v}, expected a fraction from 0 to 1")))
    }
}
