//! The command line: every option of the generator with its help text and default
//! (clap derive), and the parsers of option values (counts, status lists, timestamps).

use std::path::PathBuf;

use campaign_report::lifecycle::Status;
use clap::{Parser, ValueEnum};

/// Writes synthetic campaign exports; the same options write the same bytes.
///
/// A repeated option takes its last value, so a script can append overrides.
#[derive(Parser)]
#[command(name = "generate", args_override_self = true)]
pub struct Options {
    /// Folder to write (created; must be empty or missing)
    #[arg(long, value_name = "DIR", allow_hyphen_values = true)]
    pub out: PathBuf,

    /// Number of campaigns
    #[arg(long, value_name = "N", default_value = "10", value_parser = count)]
    pub campaigns: usize,

    /// Tasks per campaign
    #[arg(long, value_name = "N", default_value = "200", value_parser = number)]
    pub tasks: u64,

    /// Call rows wanted per campaign (default 3 x tasks; 0: no calls table)
    #[arg(long, value_name = "N", value_parser = number)]
    pub calls: Option<u64>,

    /// dir (bundle folders with CSV tables), json or jsonl (tables inline)
    #[arg(long, value_name = "F", value_enum, default_value = "dir")]
    pub form: Form,

    /// mixed (draft, scheduled, running, paused, completed, failed, cancelled in turn) or a
    /// comma-separated list of those statuses, used in turn
    #[arg(long, alias = "status", value_name = "S", default_value = "mixed", value_parser = statuses)]
    pub statuses: Statuses,

    /// Random seed
    #[arg(long, value_name = "N", default_value = "1", value_parser = number)]
    pub seed: u64,

    /// Tenant id
    #[arg(long, value_name = "ID", default_value = "acme", allow_hyphen_values = true)]
    pub tenant: String,

    /// Tenant name
    #[arg(long, value_name = "NAME", default_value = "Acme Dental", allow_hyphen_values = true)]
    pub tenant_name: String,

    /// The export time; every timestamp is before it unless scheduled
    #[arg(long, value_name = "RFC3339", default_value = "2026-11-27T12:00:00Z", value_parser = timestamp)]
    pub now: i64,

    /// Writer threads for the dir form (default: number of cores)
    #[arg(long, value_name = "N", value_parser = count)]
    pub jobs: Option<usize>,
}

/// The input form written (the `--form` help describes them, so the variants carry no docs).
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Form {
    Dir,
    Json,
    #[value(alias = "ndjson")]
    Jsonl,
}

impl Form {
    /// The form's name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Form::Dir => "dir",
            Form::Json => "json",
            Form::Jsonl => "jsonl",
        }
    }
}

/// The campaign statuses, used in turn.
#[derive(Clone)]
pub struct Statuses(pub Vec<Status>);

/// A count such as `1000` or `1_000`.
fn number(v: &str) -> Result<u64, String> {
    v.replace('_', "").parse::<u64>().map_err(|_| "not a number".to_string())
}

/// A count of things (campaigns, threads).
fn count(v: &str) -> Result<usize, String> {
    number(v).map(|n| n as usize)
}

/// An RFC 3339 timestamp, as seconds since the epoch.
fn timestamp(v: &str) -> Result<i64, String> {
    v.parse::<jiff::Timestamp>().map(|t| t.as_second()).map_err(|e| e.to_string())
}

/// `mixed` or a comma-separated list of statuses.
fn statuses(v: &str) -> Result<Statuses, String> {
    if v == "mixed" {
        return Ok(Statuses(Status::STANDARD.to_vec()));
    }
    let list: Vec<Status> = v
        .split(',')
        .map(|s| {
            Status::parse(s, &[]).map_err(|_| {
                let known: Vec<&str> = Status::STANDARD.iter().map(Status::word).collect();
                format!("unknown status {s:?}, expected mixed or {}", known.join(", "))
            })
        })
        .collect::<Result<_, _>>()?;
    if list.is_empty() {
        return Err("empty list".into());
    }
    Ok(Statuses(list))
}

impl Options {
    /// Call rows wanted per campaign: `--calls`, else 3 x tasks.
    pub fn calls(&self) -> u64 {
        self.calls.unwrap_or(self.tasks.saturating_mul(3))
    }

    /// Writer threads: `--jobs` (0 counts as 1), else the number of cores.
    pub fn jobs(&self) -> usize {
        self.jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get())).max(1)
    }
}
