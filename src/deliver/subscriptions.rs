//! The subscriptions file (TOML): the mail server, and who gets which campaigns' PDFs.
//!
//! Every check that one value allows on its own is made while reading, so an error
//! names the file, line, column and key. What depends on a snapshot (its tenant,
//! role and redaction) is checked when the subscription is delivered.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use lettre::message::Mailbox;
use serde::{Deserialize, Deserializer};

use crate::lifecycle::Layout;
use crate::model::TimeZoneName;

/// A subscriptions file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read subscriptions {}: {}", path.display(), crate::os::describe(cause))]
    Read { path: PathBuf, cause: std::io::Error },
    #[error("{}:{line}:{column}: {key}{message}", path.display())]
    Invalid { path: PathBuf, line: usize, column: usize, key: String, message: String },
}

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Subscriptions {
    /// The mail server; needed only when a subscription sends mail (not with `--dry-run`).
    pub smtp: Option<Smtp>,
    #[serde(default, rename = "subscription")]
    pub subscriptions: Vec<Subscription>,
}

/// How the connection to the mail server is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// Plain text (a relay on the same machine).
    None,
    /// Plain text upgraded with STARTTLS, which must succeed (port 587).
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
}

/// The `[smtp]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Smtp {
    pub host: String,
    pub port: Option<u16>,
    pub security: Security,
    pub username: Option<String>,
    /// The name of the environment variable holding the password.
    pub password_env: Option<String>,
    /// Present only to be refused with a clear message.
    #[serde(default, deserialize_with = "refuse_password")]
    #[allow(dead_code)]
    password: Option<()>,
    #[serde(deserialize_with = "mailbox")]
    pub from: Mailbox,
    /// A PEM file of certificate authorities to trust besides the usual ones (a private server).
    pub ca_file: Option<PathBuf>,
    /// Seconds to wait for the server at each step (default 30).
    pub timeout_seconds: Option<u64>,
    /// Attempts per message for transient failures (default 4).
    pub attempts: Option<u32>,
    /// The first wait between attempts, in milliseconds; it doubles each time (default 1000).
    pub retry_delay_ms: Option<u64>,
}

impl Smtp {
    /// The port: as given, else the usual one for the security.
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(match self.security {
            Security::None => 25,
            Security::Starttls => 587,
            Security::Tls => 465,
        })
    }
}

/// When a campaign is sent to a recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Send {
    /// Only when its PDF differs from the last one delivered to that recipient.
    #[default]
    Changed,
    /// On every run.
    Always,
}

/// One message per campaign, or one per run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    #[default]
    PerCampaign,
    Digest,
}

/// One `[[subscription]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Subscription {
    pub name: String,
    pub tenant: String,
    pub role: String,
    #[serde(default, deserialize_with = "redact")]
    pub redact: Option<String>,
    #[serde(default, deserialize_with = "mailboxes")]
    pub to: Vec<Mailbox>,
    #[serde(default, deserialize_with = "mailboxes")]
    pub cc: Vec<Mailbox>,
    #[serde(default, deserialize_with = "mailboxes")]
    pub bcc: Vec<Mailbox>,
    #[serde(default, deserialize_with = "webhook")]
    pub webhook: Option<url::Url>,
    pub layouts: Option<Vec<Layout>>,
    pub statuses: Option<Vec<String>>,
    #[serde(default, deserialize_with = "globs")]
    pub campaigns: Option<Vec<glob::Pattern>>,
    #[serde(default)]
    pub send: Send,
    #[serde(default)]
    pub mode: Mode,
    pub timezone: Option<TimeZoneName>,
    /// The most PDF bytes one message carries, in MB (default 10).
    pub max_attachments_mb: Option<f64>,
}

impl Subscription {
    /// Every address the subscription mails, To, Cc and Bcc, each once.
    pub fn recipients(&self) -> Vec<&Mailbox> {
        let mut seen = BTreeSet::new();
        self.to
            .iter()
            .chain(&self.cc)
            .chain(&self.bcc)
            .filter(|m| seen.insert(m.email.to_string().to_lowercase()))
            .collect()
    }

    /// The most attachment bytes one message carries.
    pub fn attachment_cap(&self) -> u64 {
        (self.max_attachments_mb.unwrap_or(10.0) * 1_000_000.0) as u64
    }

    /// Whether campaign `id` with `status` and `layout` passes the filters.
    pub fn selects(&self, id: &str, status: &str, layout: Layout) -> bool {
        self.layouts.as_ref().is_none_or(|l| l.contains(&layout))
            && self.statuses.as_ref().is_none_or(|s| s.iter().any(|s| s.eq_ignore_ascii_case(status)))
            && self.campaigns.as_ref().is_none_or(|g| g.iter().any(|g| g.matches(id)))
    }
}

/// Reads and checks `path`.
pub fn load(path: &Path) -> Result<Subscriptions, ConfigError> {
    let bytes = std::fs::read(path).map_err(|cause| ConfigError::Read { path: path.to_path_buf(), cause })?;
    let text = String::from_utf8_lossy(&bytes);
    let at = |offset: usize, key: String, message: String| {
        let (line, column) = crate::export::json::line_col(text.as_bytes(), offset);
        ConfigError::Invalid { path: path.to_path_buf(), line: line as usize, column: column as usize, key, message }
    };
    let parsed: Subscriptions = match toml::Deserializer::parse(&text) {
        Err(e) => return Err(at(e.span().map_or(0, |s| s.start), String::new(), e.message().trim().to_string())),
        Ok(de) => serde_path_to_error::deserialize(de).map_err(|e| {
            let key = e.path().to_string();
            let inner = e.into_inner();
            let key = if key == "." { String::new() } else { format!("{key}: ") };
            at(inner.span().map_or(0, |s| s.start), key, inner.message().trim().to_string())
        })?,
    };
    check(&parsed, &text).map_err(|(offset, key, message)| at(offset, key, message))?;
    Ok(parsed)
}

/// The rules across keys: unique names, mail or webhook, an `[smtp]` table for mail.
fn check(parsed: &Subscriptions, text: &str) -> Result<(), (usize, String, String)> {
    // Where subscription `i` starts, for errors about it as a whole.
    let starts: Vec<usize> = text.match_indices("[[subscription]]").map(|(i, _)| i).collect();
    let start = |i: usize| starts.get(i).copied().unwrap_or(0);
    let mut names = BTreeSet::new();
    for (i, s) in parsed.subscriptions.iter().enumerate() {
        let key = format!("subscription[{i}]: ");
        let fail = |message: String| Err((start(i), key.clone(), message));
        if s.name.trim().is_empty() {
            return fail(
                "name is empty: every subscription needs a unique name, which keys its delivery record".into(),
            );
        }
        if !names.insert(s.name.as_str()) {
            return fail(format!("name {:?} is used twice: names key the delivery record and must be unique", s.name));
        }
        match (s.recipients().is_empty(), &s.webhook) {
            (true, None) => {
                return fail(format!(
                    "subscription {:?} has no recipient: give `to` (and `cc`, `bcc`) or `webhook`",
                    s.name
                ));
            }
            (false, Some(_)) => {
                return fail(format!(
                    "subscription {:?} has both recipients and a webhook: make them two subscriptions",
                    s.name
                ));
            }
            _ => {}
        }
        if s.webhook.is_none() && s.to.is_empty() {
            return fail(format!("subscription {:?} has cc or bcc but no `to`", s.name));
        }
        if let Some(mb) = s.max_attachments_mb
            && !(mb.is_finite() && mb >= 0.0)
        {
            return fail(format!("max_attachments_mb {mb} is not a size in MB"));
        }
    }
    if parsed.smtp.is_none()
        && let Some(i) = parsed.subscriptions.iter().position(|s| s.webhook.is_none())
    {
        return Err((start(i), format!("subscription[{i}]: "), "sends mail, but the file has no [smtp] table".into()));
    }
    if let Some(smtp) = &parsed.smtp
        && smtp.username.is_some() != smtp.password_env.is_some()
    {
        let at = text.find("[smtp]").unwrap_or(0);
        return Err((at, "smtp: ".into(), "username and password_env go together: give both or neither".into()));
    }
    Ok(())
}

fn refuse_password<'de, D: Deserializer<'de>>(d: D) -> Result<Option<()>, D::Error> {
    let _ = toml::Value::deserialize(d)?;
    Err(serde::de::Error::custom(
        "a password in the subscriptions file is refused: put it in an environment variable and name that variable with password_env",
    ))
}

fn mailbox<'de, D: Deserializer<'de>>(d: D) -> Result<Mailbox, D::Error> {
    let text = String::deserialize(d)?;
    text.parse::<Mailbox>().map_err(|e| {
        serde::de::Error::custom(format!(
            "{text:?} is not an email address ({e}); write it as name@example.com or \"Name <name@example.com>\""
        ))
    })
}

fn mailboxes<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Mailbox>, D::Error> {
    let list = Vec::<String>::deserialize(d)?;
    list.iter()
        .map(|text| {
            text.parse::<Mailbox>().map_err(|e| {
                serde::de::Error::custom(format!(
                    "{text:?} is not an email address ({e}); write it as name@example.com"
                ))
            })
        })
        .collect()
}

fn redact<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let text = String::deserialize(d)?;
    if text == "contacts" {
        Ok(Some(text))
    } else {
        Err(serde::de::Error::custom(format!("redact {text:?} is not known; the one value is \"contacts\"")))
    }
}

fn webhook<'de, D: Deserializer<'de>>(d: D) -> Result<Option<url::Url>, D::Error> {
    let text = String::deserialize(d)?;
    match url::Url::parse(&text) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => Ok(Some(url)),
        _ => Err(serde::de::Error::custom(format!("webhook {text:?} is not an http or https URL"))),
    }
}

fn globs<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<glob::Pattern>>, D::Error> {
    let list = Vec::<String>::deserialize(d)?;
    list.iter()
        .map(|text| {
            glob::Pattern::new(text)
                .map_err(|e| serde::de::Error::custom(format!("{text:?} is not a pattern of campaign ids: {}", e.msg)))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Subscriptions, String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("subs.toml");
        std::fs::write(&path, text).unwrap();
        load(&path).map_err(|e| e.to_string().replace(&path.display().to_string(), "subs.toml"))
    }

    const SMTP: &str =
        "[smtp]\nhost = \"mail.example.com\"\nsecurity = \"starttls\"\nfrom = \"Reports <r@example.com>\"\n";

    #[test]
    fn the_example_of_the_docs_reads() {
        let text = format!(
            "{SMTP}\n[[subscription]]\nname = \"d\"\ntenant = \"acme\"\nrole = \"viewer\"\nto = [\"a@example.com\"]\n\
             layouts = [\"ended\"]\ncampaigns = [\"q3-*\"]\nmode = \"digest\"\ntimezone = \"America/New_York\"\n"
        );
        let subs = parse(&text).unwrap();
        let s = &subs.subscriptions[0];
        assert_eq!(s.mode, Mode::Digest);
        assert_eq!(s.send, Send::Changed);
        assert!(s.selects("q3-winback", "completed", Layout::Ended));
        assert!(!s.selects("q4-winback", "completed", Layout::Ended));
        assert!(!s.selects("q3-winback", "running", Layout::Active));
        assert_eq!(subs.smtp.unwrap().port(), 587);
    }

    #[test]
    fn errors_name_the_line_column_and_key() {
        let text = format!(
            "{SMTP}\n[[subscription]]\nname = \"d\"\ntenant = \"acme\"\nrole = \"viewer\"\nto = [\"a@example.com\"]\nlayouts = [\"endd\"]\n"
        );
        let e = parse(&text).unwrap_err();
        assert!(e.starts_with("subs.toml:11:11: subscription[0].layouts[0]: "), "{e}");
        assert!(e.contains("endd"), "{e}");
    }

    #[test]
    fn a_password_in_the_file_is_refused() {
        let text = format!("{SMTP}password = \"hunter2\"\n");
        let e = parse(&text).unwrap_err();
        assert!(e.contains("subs.toml:5:") && e.contains("password_env"), "{e}");
        assert!(!e.contains("hunter2"), "the password is repeated: {e}");
    }

    #[test]
    fn names_are_unique_and_each_subscription_has_somewhere_to_go() {
        let one = "[[subscription]]\nname = \"d\"\ntenant = \"acme\"\nrole = \"viewer\"\nto = [\"a@example.com\"]\n";
        let e = parse(&format!("{SMTP}{one}{one}")).unwrap_err();
        assert!(e.contains("subs.toml:10:1: subscription[1]: name \"d\" is used twice"), "{e}");
        let none = "[[subscription]]\nname = \"d\"\ntenant = \"acme\"\nrole = \"viewer\"\n";
        assert!(parse(&format!("{SMTP}{none}")).unwrap_err().contains("has no recipient"));
        let hook = "[[subscription]]\nname = \"h\"\ntenant = \"acme\"\nrole = \"viewer\"\nwebhook = \"ftp://x\"\n";
        assert!(parse(hook).unwrap_err().contains("is not an http or https URL"));
        assert!(parse(one).unwrap_err().contains("no [smtp] table"));
        let bad = format!(
            "{SMTP}[[subscription]]\nname = \"d\"\ntenant = \"a\"\nrole = \"viewer\"\nto = [\"not an address\"]\n"
        );
        assert!(parse(&bad).unwrap_err().contains("\"not an address\" is not an email address"));
    }
}
