//! Synthetic campaign exports of any size, in every input form, for benchmarks.
//!
//! ```sh
//! cargo run --release --example generate -- --out DIR [--campaigns N] [--tasks N] [--calls N]
//!     [--form dir|json|jsonl] [--statuses mixed|STATUS[,STATUS...]] [--seed N] [--tenant ID]
//!     [--tenant-name NAME] [--now RFC3339] [--jobs N]
//! ```
//!
//! `--help` describes every option and its default.
//!
//! The output is deterministic: the same options write the same bytes. Rows follow
//! `docs/export-format.md` (unique task ids `t-0000001`..., E.164 numbers, statuses
//! that fit the campaign status, attempts 0-4 matched by the calls table, `stats` that
//! agree with the tasks), so `campaign-report check OUT` finds no problems.
//!
//! Forms:
//! - `dir`: `OUT/workspace.json` and one bundle folder per campaign,
//!   `OUT/batch-NNN/<id>/` with `campaign.json` and the CSV tables beside it;
//! - `json`: `OUT/campaigns.json` (`{"campaigns": [...]}`, tables inline) and `OUT/workspace.json`;
//! - `jsonl`: `OUT/campaigns.jsonl` (one campaign per line, tables inline) and `OUT/workspace.json`.
//!
//! Calls: `--calls` (default 3 x tasks) is the number of call rows wanted per campaign.
//! Every call belongs to a task and each attempted task gets as many calls as its
//! `attempts` (1 to 4), so a campaign writes `clamp(calls, attempted, 4 x attempted)`
//! calls: drafts and scheduled campaigns have none, running and stopped ones fewer.
//! `--calls 0` writes no calls table.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Instant;

use campaign_report::lifecycle::{Layout, Status};
use campaign_report::model::{CallResult, TaskStatus};
use clap::{Parser, ValueEnum};

fn main() -> ExitCode {
    let opts = Options::parse();
    match run(&opts) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("generate: {e}");
            ExitCode::FAILURE
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Options

/// Writes synthetic campaign exports; the same options write the same bytes.
///
/// A repeated option takes its last value, so a script can append overrides.
#[derive(Parser)]
#[command(name = "generate", args_override_self = true)]
struct Options {
    /// Folder to write (created; must be empty or missing)
    #[arg(long, value_name = "DIR", allow_hyphen_values = true)]
    out: PathBuf,

    /// Number of campaigns
    #[arg(long, value_name = "N", default_value = "10", value_parser = count)]
    campaigns: usize,

    /// Tasks per campaign
    #[arg(long, value_name = "N", default_value = "200", value_parser = number)]
    tasks: u64,

    /// Call rows wanted per campaign (default 3 x tasks; 0: no calls table)
    #[arg(long, value_name = "N", value_parser = number)]
    calls: Option<u64>,

    /// dir (bundle folders with CSV tables), json or jsonl (tables inline)
    #[arg(long, value_name = "F", value_enum, default_value = "dir")]
    form: Form,

    /// mixed (draft, scheduled, running, paused, completed, failed, cancelled in turn) or a
    /// comma-separated list of those statuses, used in turn
    #[arg(long, alias = "status", value_name = "S", default_value = "mixed", value_parser = statuses)]
    statuses: Statuses,

    /// Random seed
    #[arg(long, value_name = "N", default_value = "1", value_parser = number)]
    seed: u64,

    /// Tenant id
    #[arg(long, value_name = "ID", default_value = "acme", allow_hyphen_values = true)]
    tenant: String,

    /// Tenant name
    #[arg(long, value_name = "NAME", default_value = "Acme Dental", allow_hyphen_values = true)]
    tenant_name: String,

    /// The export time; every timestamp is before it unless scheduled
    #[arg(long, value_name = "RFC3339", default_value = "2026-11-27T12:00:00Z", value_parser = timestamp)]
    now: i64,

    /// Writer threads for the dir form (default: number of cores)
    #[arg(long, value_name = "N", value_parser = count)]
    jobs: Option<usize>,
}

/// The input form written (the `--form` help describes them, so the variants carry no docs).
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Form {
    Dir,
    Json,
    #[value(alias = "ndjson")]
    Jsonl,
}

/// The campaign statuses, used in turn.
#[derive(Clone)]
struct Statuses(Vec<Status>);

/// A count such as `1000` or `1_000`.
fn number(v: &str) -> Result<u64, String> {
    v.replace('_', "").parse::<u64>().map_err(|_| "not a number".to_string())
}

fn count(v: &str) -> Result<usize, String> {
    number(v).map(|n| n as usize)
}

/// An RFC 3339 timestamp, as seconds since the epoch.
fn timestamp(v: &str) -> Result<i64, String> {
    v.parse::<jiff::Timestamp>().map(|t| t.as_second()).map_err(|e| e.to_string())
}

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
    fn calls(&self) -> u64 {
        self.calls.unwrap_or(self.tasks.saturating_mul(3))
    }

    /// Writer threads: `--jobs` (0 counts as 1), else the number of cores.
    fn jobs(&self) -> usize {
        self.jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get())).max(1)
    }
}

// ---------------------------------------------------------------------------------------------
// Vocabulary

const THEMES: [&str; 10] = [
    "Spring Recall",
    "Q3 Win-back",
    "Lapsed Patient Reactivation",
    "Flu Shot Reminders",
    "Billing Follow-up",
    "No-show Follow-up",
    "Satisfaction Survey",
    "Q&A <Webinar> Invites",
    "Referral Drive",
    "Plan Renewal Outreach",
];

const FIRST: [&str; 24] = [
    "Emma",
    "Liam",
    "Sofía",
    "Noah",
    "Olivia",
    "Mateo",
    "Chloé",
    "Lukas",
    "Aarav",
    "Zoë",
    "Νίκος",
    "Αθηνά",
    "Дмитрий",
    "Анна",
    "محمد",
    "فاطمة",
    "יעל",
    "美咲",
    "伟",
    "지우",
    "Chinwe",
    "Robert \"Bobby\"",
    "Élodie",
    "Mary-Jane",
];

const LAST: [&str; 20] = [
    "Smith",
    "Nguyen",
    "García",
    "Müller",
    "O'Brien",
    "Novák",
    "Rossi",
    "Kowalski",
    "Yılmaz",
    "Γεωργίου",
    "Иванова",
    "حداد",
    "לוי",
    "佐藤",
    "김",
    "Okafor",
    "Smith, Jr.",
    "da Silva",
    "Dubois",
    "Tanaka 🦷",
];

const US_AREAS: [&str; 12] = ["212", "415", "617", "646", "718", "312", "305", "206", "512", "303", "404", "213"];
const TIMEZONES: [(&str, i64); 3] = [("America/New_York", 5), ("America/Chicago", 6), ("America/Los_Angeles", 8)];
const VOICES: [&str; 3] = ["alloy", "verse", "sage"];
const POOL_LABELS: [&str; 4] = ["Main line", "Front desk", "Overflow", "Weekend line"];
const OUTCOMES: [(&str, f64); 6] = [
    ("booked", 0.30),
    ("callback_booked", 0.38),
    ("not_interested", 0.73),
    ("call_back_later", 0.85),
    ("wrong_person", 0.90),
    ("do_not_call", 1.0),
];
const REJECT_REASONS: [(&str, &str); 4] = [
    ("invalid_phone", "not a valid phone number"),
    ("duplicate", "same phone as an earlier row"),
    ("missing_field", "phone is empty"),
    ("do_not_call", "number is on the do-not-call list"),
];

// ---------------------------------------------------------------------------------------------
// Random numbers (splitmix64) and formatting helpers

#[derive(Clone)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64, campaign: u64, stream: u64) -> Rng {
        let mut r =
            Rng(seed ^ campaign.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03));
        r.next();
        r
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn f64(&mut self) -> f64 {
        (self.next() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in [0, n).
    fn below(&mut self, n: u64) -> u64 {
        ((self.next() as u128 * n as u128) >> 64) as u64
    }
}

/// A reused output line: rows are formatted here, then written in one call.
struct Line(Vec<u8>);

impl Line {
    fn new() -> Line {
        Line(Vec::with_capacity(4096))
    }

    fn clear(&mut self) {
        self.0.clear();
    }

    fn s(&mut self, s: &str) -> &mut Line {
        self.0.extend_from_slice(s.as_bytes());
        self
    }

    fn u(&mut self, n: u64) -> &mut Line {
        let mut buf = [0u8; 20];
        let mut i = buf.len();
        let mut n = n;
        loop {
            i -= 1;
            buf[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        self.0.extend_from_slice(&buf[i..]);
        self
    }

    /// `n` zero-padded to `width` digits.
    fn pad(&mut self, n: u64, width: usize) -> &mut Line {
        for _ in digits(n)..width {
            self.0.push(b'0');
        }
        self.u(n)
    }

    /// Thousandths as a decimal: 13 -> `0.013`.
    fn milli(&mut self, n: u64) -> &mut Line {
        self.u(n / 1000).s(".").pad(n % 1000, 3)
    }

    /// RFC 3339 in UTC: `2026-11-27T12:00:00Z`.
    fn ts(&mut self, t: i64) -> &mut Line {
        let days = t.div_euclid(86_400);
        let secs = t.rem_euclid(86_400) as u64;
        let (y, m, d) = civil_from_days(days);
        self.pad(y as u64, 4).s("-").pad(m, 2).s("-").pad(d, 2);
        self.s("T").pad(secs / 3600, 2).s(":").pad(secs / 60 % 60, 2).s(":").pad(secs % 60, 2).s("Z")
    }

    /// A JSON string literal.
    fn js(&mut self, s: &str) -> &mut Line {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        self.0.push(b'"');
        let bytes = s.as_bytes();
        let mut from = 0;
        for (i, &b) in bytes.iter().enumerate() {
            if b == b'"' || b == b'\\' || b < 0x20 {
                self.0.extend_from_slice(&bytes[from..i]);
                match b {
                    b'"' => self.0.extend_from_slice(b"\\\""),
                    b'\\' => self.0.extend_from_slice(b"\\\\"),
                    b'\n' => self.0.extend_from_slice(b"\\n"),
                    b'\r' => self.0.extend_from_slice(b"\\r"),
                    b'\t' => self.0.extend_from_slice(b"\\t"),
                    _ => self.0.extend_from_slice(&[
                        b'\\',
                        b'u',
                        b'0',
                        b'0',
                        HEX[(b >> 4) as usize],
                        HEX[(b & 15) as usize],
                    ]),
                }
                from = i + 1;
            }
        }
        self.0.extend_from_slice(&bytes[from..]);
        self.0.push(b'"');
        self
    }

    /// A CSV field, quoted when it needs to be.
    fn cs(&mut self, s: &str) -> &mut Line {
        if s.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
            self.0.push(b'"');
            for part in s.split('"').enumerate() {
                if part.0 > 0 {
                    self.s("\"\"");
                }
                self.s(part.1);
            }
            self.0.push(b'"');
        } else {
            self.s(s);
        }
        self
    }

    fn flush(&mut self, w: &mut impl Write) -> io::Result<()> {
        w.write_all(&self.0)?;
        self.0.clear();
        Ok(())
    }
}

fn digits(mut n: u64) -> usize {
    let mut d = 1;
    while n >= 10 {
        n /= 10;
        d += 1;
    }
    d
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian.
fn civil_from_days(z: i64) -> (i64, u64, u64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u64;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u64;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// An E.164 number without allocation.
#[derive(Clone, Copy)]
struct Phone {
    buf: [u8; 16],
    len: u8,
}

impl Phone {
    fn random(r: &mut Rng) -> Phone {
        let mut p = Phone { buf: [0; 16], len: 0 };
        let x = r.below(100);
        let (prefix, rest): (&str, usize) = if x < 85 {
            p.push("+1");
            p.push(US_AREAS[r.below(US_AREAS.len() as u64) as usize]);
            (["2", "3", "4", "5", "6", "7", "8", "9"][r.below(8) as usize], 6)
        } else if x < 90 {
            ("+447400", 6)
        } else if x < 95 {
            ("+34612", 6)
        } else {
            ("+336", 8)
        };
        p.push(prefix);
        for _ in 0..rest {
            p.buf[p.len as usize] = b'0' + r.below(10) as u8;
            p.len += 1;
        }
        p
    }

    fn push(&mut self, s: &str) {
        self.buf[self.len as usize..self.len as usize + s.len()].copy_from_slice(s.as_bytes());
        self.len += s.len() as u8;
    }

    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.buf[..self.len as usize]).expect("ASCII digits")
    }
}

// ---------------------------------------------------------------------------------------------
// One campaign's plan

struct Plan {
    idx: u64,
    id: String,
    name: String,
    theme: &'static str,
    status: Status,
    tasks: u64,
    calls_wanted: u64,
    task_width: usize,
    from: Vec<String>,
    /// The number with a low answer rate (used mostly for calls nobody answers).
    weak: Option<usize>,
    flagged: Option<usize>,
    /// Calls happen on days `start_day..=end_day` (days since the epoch).
    start_day: i64,
    end_day: i64,
    /// Share of tasks already done (running, paused, failed and cancelled campaigns).
    done_share: f64,
    retry_minutes: u64,
    concurrency: u64,
    timezone: &'static str,
    /// Hours behind UTC of `timezone` in winter.
    utc_offset: i64,
    /// Rows rejected by the upload; no upload when `None`.
    upload_rejects: Option<u64>,
    /// Drafts: every readiness check passes.
    draft_complete: bool,
    seed: u64,
}

fn plan(o: &Options, idx: u64) -> Plan {
    let status = o.statuses.0[idx as usize % o.statuses.0.len()].clone();
    let mut r = Rng::new(o.seed, idx, 3);
    let width = digits(o.campaigns.max(1) as u64 - 1).max(5);
    let mut id = String::from("cmp-");
    let mut l = Line::new();
    l.pad(idx + 1, width);
    id.push_str(std::str::from_utf8(&l.0).expect("digits"));
    let theme = THEMES[(idx as usize / Status::STANDARD.len() + idx as usize) % THEMES.len()];
    let name = format!("{theme} #{}", idx + 1);
    // Drafts: every other one has no tasks, the others a handful of pending ones.
    let tasks = match &status {
        Status::Draft if (idx / Status::STANDARD.len() as u64).is_multiple_of(2) => 0,
        Status::Draft => o.tasks.min(10),
        _ => o.tasks,
    };
    let draft_complete = status != Status::Draft || tasks == 0;
    let area = US_AREAS[idx as usize % US_AREAS.len()];
    let count = 3 + (idx % 2) as usize;
    let from: Vec<String> = (0..count).map(|k| format!("+1{area}55501{:02}", (idx * 4 + k as u64) % 100)).collect();
    let weak = (count == 4).then_some(3);
    let flagged = idx.is_multiple_of(3).then_some(2);
    let now_day = o.now.div_euclid(86_400);
    let (start_day, end_day) = match &status {
        Status::Running => (now_day - 14, now_day - 1),
        Status::Paused => (now_day - 16, now_day - 3),
        s if s.layout() == Layout::Ended => {
            let end = now_day - 1 - (idx % 20) as i64;
            (end - 21, end)
        }
        _ => (now_day + 1 + (idx % 5) as i64, now_day + 22),
    };
    let done_share = match &status {
        Status::Running | Status::Paused => 0.3 + 0.5 * r.f64(),
        Status::Failed | Status::Cancelled => 0.4 + 0.4 * r.f64(),
        Status::Completed => 1.0,
        _ => 0.0,
    };
    let upload_rejects = (idx % 4 == 1).then(|| 3 + r.below(60));
    let retry_minutes = if status.layout() == Layout::Ended { 1440 } else { 240 };
    Plan {
        idx,
        id,
        name,
        theme,
        status,
        tasks,
        calls_wanted: o.calls(),
        task_width: digits(tasks).max(4),
        from,
        weak,
        flagged,
        start_day,
        end_day,
        done_share,
        retry_minutes,
        concurrency: 5 + r.below(20),
        timezone: TIMEZONES[idx as usize % TIMEZONES.len()].0,
        utc_offset: TIMEZONES[idx as usize % TIMEZONES.len()].1,
        upload_rejects,
        draft_complete,
        seed: o.seed,
    }
}

impl Plan {
    /// The status of a task and whether it was attempted, from two uniform draws.
    fn class(&self, r1: f64, r2: f64) -> (TaskStatus, bool) {
        use TaskStatus as T;
        let done = |r: f64| {
            if r < 0.68 {
                (T::Completed, true)
            } else if r < 0.97 {
                (T::Failed, true)
            } else if r < 0.98 {
                (T::Cancelled, r2 < 0.5)
            } else {
                (T::Skipped, false)
            }
        };
        let ds = self.done_share;
        match &self.status {
            Status::Draft | Status::Scheduled => (T::Pending, false),
            Status::Completed => done(r1),
            Status::Running | Status::Paused if r1 < ds => done(r1 / ds),
            Status::Running | Status::Paused => {
                let r = (r1 - ds) / (1.0 - ds);
                let s = match (&self.status, r) {
                    (_, r) if r < 0.6 => T::Pending,
                    (Status::Running, r) if r < 0.85 => T::Queued,
                    (Status::Running, _) => T::InProgress,
                    _ => T::Queued,
                };
                let attempted = match s {
                    T::Pending => r2 < 0.3,
                    T::Queued => r2 < 0.5,
                    _ => true,
                };
                (s, attempted)
            }
            Status::Failed | Status::Cancelled | Status::Terminal(_) if r1 < ds => done(r1 / ds),
            Status::Failed | Status::Cancelled | Status::Terminal(_) => (T::Cancelled, false),
        }
    }

    /// Counts per task status and the number of attempted tasks (a cheap first pass).
    fn census(&self) -> ([u64; 7], u64) {
        let mut r = Rng::new(self.seed, self.idx, 1);
        let mut counts = [0u64; 7];
        let mut attempted = 0;
        for _ in 0..self.tasks {
            let (s, a) = self.class(r.f64(), r.f64());
            counts[s as usize] += 1;
            attempted += u64::from(a);
        }
        (counts, attempted)
    }

    fn day_time(&self, day: i64, r: &mut Rng) -> i64 {
        // Inside the 09:00-19:00 calling window of the campaign's time zone (standard time).
        day * 86_400 + (9 + self.utc_offset) * 3600 + r.below(10 * 3600) as i64
    }

    fn pick_from(&self, r: &mut Rng, answered: bool) -> usize {
        match self.weak {
            Some(w) if r.f64() < if answered { 0.02 } else { 0.15 } => w,
            Some(w) => {
                let k = r.below(self.from.len() as u64 - 1) as usize;
                if k >= w { k + 1 } else { k }
            }
            None => r.below(self.from.len() as u64) as usize,
        }
    }
}

struct TaskRow {
    n: u64,
    name: usize,
    phone: Phone,
    status: TaskStatus,
    attempts: u64,
    last_result: Option<CallResult>,
    outcome: Option<&'static str>,
    talk: u64,
    last_at: i64,
    from: usize,
    latency: Option<u64>,
}

struct CallRow {
    n: u64,
    task: u64,
    from: usize,
    to: Phone,
    at: i64,
    result: CallResult,
    duration: u64,
    latency: Option<u64>,
    cost_milli: u64,
}

trait Sink {
    fn task(&mut self, p: &Plan, names: &[String], t: &TaskRow) -> io::Result<()>;
    fn call(&mut self, p: &Plan, c: &CallRow) -> io::Result<()>;
}

/// What a walk over the tasks counted: per from number (attempts, answered), and calls.
struct Tally {
    pool: Vec<(u64, u64)>,
    calls: u64,
}

/// Generates every task of the campaign, and the calls of each task right after it.
fn walk(p: &Plan, names: &[String], attempted_total: u64, sink: &mut impl Sink) -> io::Result<Tally> {
    let mut sr = Rng::new(p.seed, p.idx, 1);
    let mut r = Rng::new(p.seed, p.idx, 2);
    let mut tally = Tally { pool: vec![(0, 0); p.from.len()], calls: 0 };
    let budget = match p.calls_wanted {
        0 => 0,
        w => w.clamp(attempted_total, attempted_total * 4),
    };
    let ratio = if attempted_total == 0 { 0.0 } else { budget as f64 / attempted_total as f64 };
    let mut attempted_seen = 0u64;
    let mut emitted = 0u64;
    for n in 1..=p.tasks {
        let (status, attempted) = p.class(sr.f64(), sr.f64());
        let jitter = r.f64() * 1.8 - 0.9;
        let attempts = if !attempted {
            0
        } else if budget == 0 {
            1 + r.below(4)
        } else {
            attempted_seen += 1;
            let target = if attempted_seen == attempted_total {
                budget as i64
            } else {
                (attempted_seen as f64 * ratio + jitter).floor() as i64
            };
            let a = (target - emitted as i64).clamp(1, 4) as u64;
            emitted += a;
            a
        };
        let name = r.below(names.len() as u64) as usize;
        let phone = Phone::random(&mut r);
        let x = r.f64();
        let last_result = (attempts > 0).then_some(match status {
            TaskStatus::Completed if x < 0.85 => CallResult::Answered,
            TaskStatus::Completed => CallResult::Voicemail,
            TaskStatus::Failed if x < 0.45 => CallResult::NoAnswer,
            TaskStatus::Failed if x < 0.70 => CallResult::Voicemail,
            TaskStatus::Failed if x < 0.85 => CallResult::Busy,
            TaskStatus::Failed if x < 0.95 => CallResult::Failed,
            TaskStatus::Failed => CallResult::InvalidNumber,
            _ if x < 0.6 => CallResult::NoAnswer,
            _ if x < 0.8 => CallResult::Busy,
            _ => CallResult::Voicemail,
        });
        let y = r.f64();
        let (outcome, talk) = match last_result {
            Some(CallResult::Answered) => {
                let o = OUTCOMES.iter().find(|(_, up)| y < *up).map_or("booked", |(o, _)| *o);
                (Some(o), 3 + (r.f64() * r.f64() * 600.0) as u64)
            }
            Some(CallResult::Voicemail) if status == TaskStatus::Completed && y < 0.6 => (Some("left_voicemail"), 0),
            _ => (None, 0),
        };
        let answered = last_result == Some(CallResult::Answered);
        let from = p.pick_from(&mut r, answered);
        let span = (p.end_day - p.start_day - attempts.saturating_sub(1) as i64).max(0);
        let last_day = p.start_day + attempts.saturating_sub(1) as i64 + r.below(span as u64 + 1) as i64;
        let last_at = p.day_time(last_day, &mut r);
        let latency = answered.then(|| 700 + r.below(2500));
        let task = TaskRow { n, name, phone, status, attempts, last_result, outcome, talk, last_at, from, latency };
        sink.task(p, names, &task)?;
        if budget == 0 {
            continue;
        }
        for k in 0..attempts {
            let last = k + 1 == attempts;
            let (result, at, from) = if last {
                (last_result.expect("attempted"), last_at, from)
            } else {
                // Earlier attempts: nobody picked up, or someone asked to be called back later.
                let z = r.f64();
                let result = if z < 0.12 {
                    CallResult::Answered
                } else if z < 0.6 {
                    CallResult::NoAnswer
                } else if z < 0.75 {
                    CallResult::Busy
                } else {
                    CallResult::Voicemail
                };
                let day = last_day - (attempts - 1 - k) as i64;
                (result, p.day_time(day, &mut r), p.pick_from(&mut r, result == CallResult::Answered))
            };
            let duration = match result {
                CallResult::Answered if last => talk,
                CallResult::Answered => 5 + r.below(60),
                CallResult::Voicemail => 15 + r.below(30),
                _ => 0,
            };
            let cost_milli = match result {
                CallResult::Answered => 13 * duration.div_ceil(60),
                CallResult::Voicemail => 4,
                _ => 0,
            };
            tally.calls += 1;
            tally.pool[from].0 += 1;
            tally.pool[from].1 += u64::from(result == CallResult::Answered);
            let call = CallRow {
                n: tally.calls,
                task: n,
                from,
                to: phone,
                at,
                result,
                duration,
                latency: if last { latency } else { (result == CallResult::Answered).then(|| 700 + r.below(2500)) },
                cost_milli,
            };
            sink.call(p, &call)?;
        }
    }
    Ok(tally)
}

// ---------------------------------------------------------------------------------------------
// Rows

const TASKS_HEADER: &str = "task_id,contact_name,phone,status,attempts,last_result,outcome,talk_seconds,last_attempt_at,from_number,latency_ms,crm_ref\n";
const CALLS_HEADER: &str = "call_id,task_id,from_number,to_number,started_at,result,duration_seconds,latency_ms,cost\n";

fn task_csv(l: &mut Line, p: &Plan, names: &[String], t: &TaskRow) {
    l.s("t-").pad(t.n, p.task_width).s(",").cs(&names[t.name]).s(",").s(t.phone.as_str()).s(",");
    l.s(t.status.as_str()).s(",").u(t.attempts).s(",");
    if let Some(r) = t.last_result {
        l.s(r.as_str());
    }
    l.s(",").s(t.outcome.unwrap_or("")).s(",").u(t.talk).s(",");
    if t.attempts > 0 {
        l.ts(t.last_at).s(",").s(&p.from[t.from]);
    } else {
        l.s(",");
    }
    l.s(",");
    if let Some(ms) = t.latency {
        l.u(ms);
    }
    l.s(",CRM-").u(100_000 + p.idx * 7 + t.n).s("\n");
}

fn task_json(l: &mut Line, p: &Plan, names: &[String], t: &TaskRow) {
    l.s("{\"task_id\":\"t-").pad(t.n, p.task_width).s("\",\"contact_name\":").js(&names[t.name]);
    l.s(",\"phone\":\"").s(t.phone.as_str()).s("\",\"status\":\"").s(t.status.as_str());
    l.s("\",\"attempts\":").u(t.attempts);
    if let Some(r) = t.last_result {
        l.s(",\"last_result\":\"").s(r.as_str()).s("\"");
    }
    if let Some(o) = t.outcome {
        l.s(",\"outcome\":\"").s(o).s("\"");
    }
    l.s(",\"talk_seconds\":").u(t.talk);
    if t.attempts > 0 {
        l.s(",\"last_attempt_at\":\"").ts(t.last_at).s("\",\"from_number\":\"").s(&p.from[t.from]).s("\"");
    }
    if let Some(ms) = t.latency {
        l.s(",\"latency_ms\":").u(ms);
    }
    l.s(",\"crm_ref\":\"CRM-").u(100_000 + p.idx * 7 + t.n).s("\"}");
}

fn call_csv(l: &mut Line, p: &Plan, c: &CallRow) {
    l.s("c-").pad(c.n, 7).s(",t-").pad(c.task, p.task_width).s(",").s(&p.from[c.from]).s(",");
    l.s(c.to.as_str()).s(",").ts(c.at).s(",").s(c.result.as_str()).s(",").u(c.duration).s(",");
    if let Some(ms) = c.latency {
        l.u(ms);
    }
    l.s(",").milli(c.cost_milli).s("\n");
}

fn call_json(l: &mut Line, p: &Plan, c: &CallRow) {
    l.s("{\"call_id\":\"c-").pad(c.n, 7).s("\",\"task_id\":\"t-").pad(c.task, p.task_width);
    l.s("\",\"from_number\":\"").s(&p.from[c.from]).s("\",\"to_number\":\"").s(c.to.as_str());
    l.s("\",\"started_at\":\"").ts(c.at).s("\",\"result\":\"").s(c.result.as_str());
    l.s("\",\"duration_seconds\":").u(c.duration);
    if let Some(ms) = c.latency {
        l.s(",\"latency_ms\":").u(ms);
    }
    l.s(",\"cost\":\"").milli(c.cost_milli).s("\"}");
}

/// Writes `tasks.csv` and `calls.csv` in one pass.
struct CsvSink {
    tasks: BufWriter<File>,
    calls: Option<BufWriter<File>>,
    task_line: Line,
    call_line: Line,
}

impl Sink for CsvSink {
    fn task(&mut self, p: &Plan, names: &[String], t: &TaskRow) -> io::Result<()> {
        task_csv(&mut self.task_line, p, names, t);
        if self.task_line.0.len() > 32 << 10 {
            self.task_line.flush(&mut self.tasks)?;
        }
        Ok(())
    }

    fn call(&mut self, p: &Plan, c: &CallRow) -> io::Result<()> {
        if let Some(w) = &mut self.calls {
            call_csv(&mut self.call_line, p, c);
            if self.call_line.0.len() > 32 << 10 {
                self.call_line.flush(w)?;
            }
        }
        Ok(())
    }
}

impl CsvSink {
    fn finish(mut self) -> io::Result<()> {
        self.task_line.flush(&mut self.tasks)?;
        self.tasks.flush()?;
        if let Some(mut w) = self.calls {
            self.call_line.flush(&mut w)?;
            w.flush()?;
        }
        Ok(())
    }
}

/// Writes one table inline, as a JSON array: tasks or calls.
struct JsonSink<'a, W: Write> {
    w: &'a mut W,
    line: Line,
    tasks: bool,
    first: bool,
    row_sep: &'static str,
}

impl<W: Write> JsonSink<'_, W> {
    fn sep(&mut self) {
        if !self.first {
            self.line.s(",");
        }
        self.first = false;
        self.line.s(self.row_sep);
    }
}

impl<W: Write> Sink for JsonSink<'_, W> {
    fn task(&mut self, p: &Plan, names: &[String], t: &TaskRow) -> io::Result<()> {
        if self.tasks {
            self.sep();
            task_json(&mut self.line, p, names, t);
            if self.line.0.len() > 32 << 10 {
                self.line.flush(self.w)?;
            }
        }
        Ok(())
    }

    fn call(&mut self, p: &Plan, c: &CallRow) -> io::Result<()> {
        if !self.tasks {
            self.sep();
            call_json(&mut self.line, p, c);
            if self.line.0.len() > 32 << 10 {
                self.line.flush(self.w)?;
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Small tables: upload rejects, audience preview, number pool

struct Reject {
    row: u64,
    reason: usize,
    name: usize,
    phone: Phone,
}

fn rejects(p: &Plan, names: &[String]) -> Vec<Reject> {
    let Some(count) = p.upload_rejects else { return Vec::new() };
    let mut r = Rng::new(p.seed, p.idx, 4);
    let mut row = 1;
    (0..count)
        .map(|_| {
            row += 1 + r.below(40);
            Reject {
                row,
                reason: r.below(REJECT_REASONS.len() as u64) as usize,
                name: r.below(names.len() as u64) as usize,
                phone: Phone::random(&mut r),
            }
        })
        .collect()
}

impl Reject {
    /// The raw phone column of the rejected row.
    fn phone_text(&self, buf: &mut String) {
        buf.clear();
        match REJECT_REASONS[self.reason].0 {
            "invalid_phone" => {
                buf.push_str("555-0");
                buf.push_str(&self.phone.as_str()[self.phone.len as usize - 3..]);
            }
            "missing_field" => {}
            _ => buf.push_str(self.phone.as_str()),
        }
    }
}

const PREVIEW_ROWS: u64 = 20;
const CLINICS: [&str; 3] = ["Elm Street", "Harbor View", "Downtown"];

/// Audience preview rows of a draft: (name, phone, last visit, clinic).
fn preview(p: &Plan, now: i64) -> Vec<(usize, Phone, i64, &'static str)> {
    if p.status != Status::Draft {
        return Vec::new();
    }
    let mut r = Rng::new(p.seed, p.idx, 5);
    (0..PREVIEW_ROWS)
        .map(|_| {
            let name = r.below((FIRST.len() * LAST.len()) as u64) as usize;
            let phone = Phone::random(&mut r);
            let visit = now - 86_400 * (200 + r.below(400) as i64);
            (name, phone, visit, CLINICS[r.below(3) as usize])
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// campaign.json

/// Writes the campaign object up to its tables; the caller adds the inline tables and `}`.
fn campaign_head(l: &mut Line, o: &Options, p: &Plan, counts: &[u64; 7], names: &[String], inline: bool, pretty: bool) {
    let sep = if pretty { ",\n  " } else { "," };
    let day = |d: i64, h: i64, m: i64| d * 86_400 + h * 3600 + m * 60;
    let mut r = Rng::new(p.seed, p.idx, 6);
    let status = p.status.clone();
    l.s(if pretty { "{\n  " } else { "{" }).s("\"schema_version\":1");
    l.s(sep).s("\"id\":").js(&p.id);
    l.s(sep).s("\"name\":").js(&p.name);
    l.s(sep).s("\"tenant\":{\"id\":").js(&o.tenant).s(",\"name\":").js(&o.tenant_name).s("}");
    l.s(sep).s("\"status\":").js(status.word());
    let reason = match &status {
        Status::Failed => Some("Carrier outage: the SIP trunk rejected every call for two hours"),
        Status::Cancelled => Some("Cancelled by the clinic: the offer ended early"),
        Status::Paused => Some("Paused by the operator for the holiday"),
        _ => None,
    };
    if let Some(reason) = reason {
        l.s(sep).s("\"status_reason\":").js(reason);
    }
    let desc = format!(
        "Call everyone on the **{}** list about *{}*.\n\n- Offer the first free slot\n- Log the outcome after every call\n",
        p.id, p.theme
    );
    l.s(sep).s("\"description_md\":").js(&desc);
    let (created, updated) = match &status {
        Status::Draft | Status::Scheduled => (o.now - 86_400 * (3 + (p.idx % 7) as i64), o.now - 3600),
        Status::Running => (day(p.start_day - 10, 15, 0), o.now - 60),
        Status::Paused => (day(p.start_day - 10, 15, 0), day(p.end_day + 1, 15, 0)),
        _ => (day(p.start_day - 10, 15, 0), day(p.end_day, 23, 35)),
    };
    l.s(sep).s("\"created_at\":\"").ts(created).s("\"");
    l.s(sep).s("\"updated_at\":\"").ts(updated).s("\"");
    if p.draft_complete {
        l.s(sep).s("\"scheduled_start_at\":\"").ts(day(p.start_day, 14, 0)).s("\"");
    }
    if !matches!(status, Status::Draft | Status::Scheduled) {
        l.s(sep).s("\"started_at\":\"").ts(day(p.start_day, 14, 0) + 2).s("\"");
    }
    if status == Status::Paused {
        l.s(sep).s("\"paused_at\":\"").ts(day(p.end_day + 1, 15, 0)).s("\"");
    }
    if status.layout() == Layout::Ended {
        l.s(sep).s("\"ended_at\":\"").ts(day(p.end_day, 23, 30)).s("\"");
    }
    l.s(sep).s("\"timezone\":").js(p.timezone);

    // config
    l.s(sep).s("\"config\":{\"agent\":{\"name\":").js(&format!("{} agent", p.theme));
    l.s(",\"voice\":").js(VOICES[p.idx as usize % VOICES.len()]);
    l.s(",\"script_md\":").js(&format!("Hello {{{{contact_name}}}}, this is **{}** calling.", o.tenant_name));
    l.s("},\"from_numbers\":[");
    for (k, n) in p.from.iter().enumerate() {
        l.s(if k > 0 { "," } else { "" }).js(n);
    }
    l.s("]");
    if p.draft_complete {
        let days = if p.idx.is_multiple_of(2) {
            "[\"mon\",\"tue\",\"wed\",\"thu\",\"fri\"]"
        } else {
            "[\"mon\",\"tue\",\"wed\",\"thu\",\"fri\",\"sat\"]"
        };
        l.s(",\"calling_window\":{\"days\":").s(days).s(",\"start\":\"09:00\",\"end\":\"19:00\"}");
    }
    l.s(",\"max_attempts\":4,\"retry_interval_minutes\":").u(p.retry_minutes);
    l.s(",\"concurrency\":").u(p.concurrency);
    let list = format!("{}-{}.csv", p.id, p.theme.split(' ').next().unwrap_or("list").to_ascii_lowercase());
    if p.upload_rejects.is_some() {
        l.s(",\"audience\":{\"source\":\"csv_upload\"");
    } else {
        l.s(",\"audience\":{\"source\":\"crm_segment\"");
    }
    let size = if status == Status::Draft { o.tasks } else { p.tasks };
    if p.draft_complete {
        l.s(",\"size\":").u(size);
    }
    l.s(",\"list_name\":").js(&list).s("}");
    l.s(",\"goal_outcomes\":[\"booked\",\"callback_booked\"]}");

    if p.tasks > 0 {
        l.s(sep).s("\"stats\":{\"total\":").u(p.tasks);
        for s in TaskStatus::ALL {
            l.s(",").js(s.as_str()).s(":").u(counts[*s as usize]);
        }
        l.s("}");
    }
    if status.layout() == Layout::Active {
        let running = status == Status::Running;
        l.s(sep).s("\"dispatch\":{\"queued\":").u(counts[TaskStatus::Queued as usize]);
        l.s(",\"in_flight\":").u(counts[TaskStatus::InProgress as usize]);
        let (sent, errors) = if running { (10 + r.below(200), r.below(6)) } else { (0, 0) };
        l.s(",\"dispatched_last_hour\":").u(sent).s(",\"errors_last_hour\":").u(errors);
        match &status {
            Status::Running => {
                l.s(",\"last_dispatch_at\":\"").ts(o.now - 30 - r.below(600) as i64).s("\"");
            }
            Status::Paused => {
                l.s(",\"last_dispatch_at\":\"").ts(day(p.end_day + 1, 14, 58)).s("\"");
            }
            _ => {}
        }
        l.s(",\"concurrency_limit\":").u(p.concurrency);
        if status != Status::Scheduled {
            l.s(",\"errors_by_reason\":{\"carrier_rejected\":").u(errors + r.below(30));
            l.s(",\"rate_limited\":").u(r.below(10)).s("}");
        }
        l.s("}");
    }
    if !matches!(status, Status::Draft | Status::Scheduled) {
        let p50 = 900 + r.below(600);
        l.s(sep).s("\"latency\":{\"p50_ms\":").u(p50).s(",\"p95_ms\":").u(p50 * 2 + r.below(900));
        l.s(",\"time_to_first_word_ms\":").u(p50 + 200 + r.below(300));
        l.s(",\"post_dial_delay_ms\":").u(2500 + r.below(1500)).s("}");
    }
    if p.upload_rejects.is_some() {
        let rej = rejects(p, names);
        let dup = rej.iter().filter(|x| REJECT_REASONS[x.reason].0 == "duplicate").count() as u64;
        let accepted = if status == Status::Draft { o.tasks } else { p.tasks };
        l.s(sep).s("\"upload\":{\"id\":\"upl-").s(&p.id).s("\",\"file_name\":").js(&list);
        l.s(",\"status\":\"completed\",\"uploaded_at\":\"").ts(created + 1800).s("\"");
        l.s(",\"rows_total\":").u(accepted + rej.len() as u64).s(",\"rows_accepted\":").u(accepted);
        l.s(",\"rows_rejected\":").u(rej.len() as u64).s(",\"rows_duplicate\":").u(dup);
        if inline {
            l.s(",\"rejects\":[");
            let mut phone = String::new();
            for (k, x) in rej.iter().enumerate() {
                let (reason, detail) = REJECT_REASONS[x.reason];
                x.phone_text(&mut phone);
                l.s(if k > 0 { "," } else { "" }).s("{\"row\":").u(x.row).s(",\"reason\":").js(reason);
                l.s(",\"detail\":").js(detail).s(",\"contact_name\":").js(&names[x.name]);
                l.s(",\"phone\":").js(&phone).s(",\"source\":\"crm-export\"}");
            }
            l.s("]");
        }
        l.s("}");
    }
    if inline && status == Status::Draft {
        l.s(sep).s("\"audience_preview\":[");
        for (k, (name, phone, visit, clinic)) in preview(p, o.now).iter().enumerate() {
            l.s(if k > 0 { "," } else { "" }).s("{\"contact_name\":").js(&names[*name]);
            l.s(",\"phone\":\"").s(phone.as_str()).s("\",\"last_visit\":\"");
            let (y, m, d) = civil_from_days(visit.div_euclid(86_400));
            l.pad(y as u64, 4).s("-").pad(m, 2).s("-").pad(d, 2).s("\",\"clinic\":").js(clinic).s("}");
        }
        l.s("]");
    }
}

fn pool_rows<'a>(p: &'a Plan, tally: &'a Tally) -> impl Iterator<Item = (&'a str, u64, u64, bool, &'static str)> + 'a {
    p.from
        .iter()
        .enumerate()
        .map(|(k, n)| (n.as_str(), tally.pool[k].0, tally.pool[k].1, p.flagged == Some(k), POOL_LABELS[k]))
}

// ---------------------------------------------------------------------------------------------
// Forms

/// Writes one bundle folder: `campaign.json` and its CSV tables.
fn write_bundle(o: &Options, p: &Plan, names: &[String]) -> io::Result<(u64, u64)> {
    let dir = o.out.join(format!("batch-{:03}", p.idx / 100)).join(&p.id);
    fs::create_dir_all(&dir)?;
    let (counts, attempted) = p.census();
    let mut tally = Tally { pool: vec![(0, 0); p.from.len()], calls: 0 };
    if p.tasks > 0 {
        let mut tasks = BufWriter::with_capacity(1 << 20, File::create(dir.join("tasks.csv"))?);
        tasks.write_all(TASKS_HEADER.as_bytes())?;
        let calls = if p.calls_wanted > 0 && attempted > 0 {
            let mut w = BufWriter::with_capacity(1 << 20, File::create(dir.join("calls.csv"))?);
            w.write_all(CALLS_HEADER.as_bytes())?;
            Some(w)
        } else {
            None
        };
        let mut sink = CsvSink { tasks, calls, task_line: Line::new(), call_line: Line::new() };
        tally = walk(p, names, attempted, &mut sink)?;
        sink.finish()?;
    }
    let mut l = Line::new();
    if tally.calls > 0 {
        l.s("number,attempts,answered,flagged,label\n");
        for (n, a, ans, flagged, label) in pool_rows(p, &tally) {
            l.s(n).s(",").u(a).s(",").u(ans).s(",").s(if flagged { "true" } else { "false" }).s(",").cs(label).s("\n");
        }
        fs::write(dir.join("number_pool.csv"), &l.0)?;
        l.clear();
    }
    if p.upload_rejects.is_some() {
        l.s("row,reason,detail,contact_name,phone,source\n");
        let mut phone = String::new();
        for x in rejects(p, names) {
            let (reason, detail) = REJECT_REASONS[x.reason];
            x.phone_text(&mut phone);
            l.u(x.row).s(",").s(reason).s(",").cs(detail).s(",").cs(&names[x.name]).s(",").s(&phone);
            l.s(",crm-export\n");
        }
        fs::write(dir.join("upload_rejects.csv"), &l.0)?;
        l.clear();
    }
    if p.status == Status::Draft {
        l.s("contact_name,phone,last_visit,clinic\n");
        for (name, phone, visit, clinic) in preview(p, o.now) {
            let (y, m, d) = civil_from_days(visit.div_euclid(86_400));
            l.cs(&names[name]).s(",").s(phone.as_str()).s(",").pad(y as u64, 4).s("-").pad(m, 2).s("-").pad(d, 2);
            l.s(",").s(clinic).s("\n");
        }
        fs::write(dir.join("audience_preview.csv"), &l.0)?;
        l.clear();
    }
    campaign_head(&mut l, o, p, &counts, names, false, true);
    l.s("\n}\n");
    fs::write(dir.join("campaign.json"), &l.0)?;
    Ok((p.tasks, tally.calls))
}

/// Writes one campaign object with its tables inline (one line when `pretty` is false).
fn write_inline(w: &mut impl Write, o: &Options, p: &Plan, names: &[String], pretty: bool) -> io::Result<(u64, u64)> {
    let (counts, attempted) = p.census();
    let mut l = Line::new();
    campaign_head(&mut l, o, p, &counts, names, true, pretty);
    let (sep, row_sep, close) = if pretty { (",\n  ", "\n    ", "\n  ]") } else { (",", "", "]") };
    let mut tally = Tally { pool: vec![(0, 0); p.from.len()], calls: 0 };
    if p.tasks > 0 {
        l.s(sep).s("\"tasks\":[");
        let mut sink = JsonSink { w: &mut *w, line: l, tasks: true, first: true, row_sep };
        tally = walk(p, names, attempted, &mut sink)?;
        l = sink.line;
        l.s(close);
        if tally.calls > 0 {
            l.s(sep).s("\"calls\":[");
            let mut sink = JsonSink { w: &mut *w, line: l, tasks: false, first: true, row_sep };
            walk(p, names, attempted, &mut sink)?;
            l = sink.line;
            l.s(close);
        }
    }
    if tally.calls > 0 {
        l.s(sep).s("\"number_pool\":[");
        for (k, (n, a, ans, flagged, label)) in pool_rows(p, &tally).enumerate() {
            l.s(if k > 0 { "," } else { "" }).s("{\"number\":").js(n).s(",\"attempts\":").u(a);
            l.s(",\"answered\":").u(ans).s(",\"flagged\":").s(if flagged { "true" } else { "false" });
            l.s(",\"label\":").js(label).s("}");
        }
        l.s("]");
    }
    l.s(if pretty { "\n}" } else { "}" });
    l.flush(w)?;
    Ok((p.tasks, tally.calls))
}

fn workspace_json() -> &'static str {
    "{\n  \"terminal_statuses\": [\"archived\"],\n  \"timezone\": \"America/New_York\",\n  \"app_url\": \"https://app.example.com\",\n  \"goal_outcomes\": [\"booked\", \"callback_booked\"],\n  \"conversation_min_seconds\": 10,\n  \"low_answer_rate\": 0.15,\n  \"min_attempts_for_health\": 20\n}\n"
}

fn run(o: &Options) -> Result<(), String> {
    let started = Instant::now();
    let err = |what: &str, path: &Path, e: io::Error| format!("{what} {}: {e}", path.display());
    if o.out.exists() {
        let mut entries = fs::read_dir(&o.out).map_err(|e| err("cannot read", &o.out, e))?;
        if entries.next().is_some() {
            return Err(format!("{} is not empty; choose a new folder", o.out.display()));
        }
    }
    fs::create_dir_all(&o.out).map_err(|e| err("cannot create", &o.out, e))?;
    let ws = o.out.join("workspace.json");
    fs::write(&ws, workspace_json()).map_err(|e| err("cannot write", &ws, e))?;
    let names: Vec<String> = FIRST.iter().flat_map(|f| LAST.iter().map(move |l| format!("{f} {l}"))).collect();
    let tasks = AtomicU64::new(0);
    let calls = AtomicU64::new(0);
    match o.form {
        Form::Dir => {
            let next = AtomicUsize::new(0);
            let failure: Mutex<Option<String>> = Mutex::new(None);
            std::thread::scope(|s| {
                for _ in 0..o.jobs().min(o.campaigns.max(1)) {
                    s.spawn(|| {
                        loop {
                            let idx = next.fetch_add(1, Ordering::Relaxed);
                            if idx >= o.campaigns || failure.lock().expect("lock").is_some() {
                                break;
                            }
                            let p = plan(o, idx as u64);
                            match write_bundle(o, &p, &names) {
                                Ok((t, c)) => {
                                    tasks.fetch_add(t, Ordering::Relaxed);
                                    calls.fetch_add(c, Ordering::Relaxed);
                                }
                                Err(e) => {
                                    *failure.lock().expect("lock") = Some(format!("campaign {}: {e}", p.id));
                                    break;
                                }
                            }
                        }
                    });
                }
            });
            if let Some(e) = failure.into_inner().expect("lock") {
                return Err(e);
            }
        }
        Form::Json | Form::Jsonl => {
            let pretty = o.form == Form::Json;
            let path = o.out.join(if pretty { "campaigns.json" } else { "campaigns.jsonl" });
            let file = File::create(&path).map_err(|e| err("cannot create", &path, e))?;
            let mut w = BufWriter::with_capacity(1 << 20, file);
            let result = (|| -> io::Result<()> {
                if pretty {
                    w.write_all(b"{\"campaigns\": [\n")?;
                }
                for idx in 0..o.campaigns {
                    if pretty && idx > 0 {
                        w.write_all(b",\n")?;
                    }
                    let p = plan(o, idx as u64);
                    let (t, c) = write_inline(&mut w, o, &p, &names, pretty)?;
                    tasks.fetch_add(t, Ordering::Relaxed);
                    calls.fetch_add(c, Ordering::Relaxed);
                    if !pretty {
                        w.write_all(b"\n")?;
                    }
                }
                if pretty {
                    w.write_all(b"\n]}\n")?;
                }
                w.flush()
            })();
            result.map_err(|e| err("cannot write", &path, e))?;
        }
    }
    println!(
        "generated {} campaigns, {} tasks, {} calls ({}) in {:.2} s into {}",
        o.campaigns,
        tasks.load(Ordering::Relaxed),
        calls.load(Ordering::Relaxed),
        match o.form {
            Form::Dir => "dir",
            Form::Json => "json",
            Form::Jsonl => "jsonl",
        },
        started.elapsed().as_secs_f64(),
        o.out.display()
    );
    Ok(())
}
