//! Command-line definitions.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Static snapshots of outbound calling campaigns: HTML pages to browse offline,
/// a PDF per campaign to email, and the data behind them.
#[derive(Debug, Parser)]
#[command(name = "campaign-report", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write the snapshot of every campaign in the inputs.
    ///
    /// INPUT is a folder (every folder below it holding a campaign.json is a campaign,
    /// a workspace.json at its top holds workspace settings), a .json file (one campaign
    /// or {"campaigns": [...]}), or a .jsonl/.ndjson file (one campaign per line).
    Build(Box<BuildArgs>),
    /// Validate the inputs and list every problem, without writing anything.
    Check(CheckArgs),
    /// Print the JSON Schema of the campaign object (or of a platform's export files).
    Schema(SchemaArgs),
    /// Send each subscription the PDFs of a snapshot that `build` wrote, once per change.
    ///
    /// OUT is the snapshot folder (build's --out). Messages go to the recipients of each
    /// subscription whose tenant, role and redaction match the snapshot's; the delivery
    /// record remembers what each recipient was last sent (see docs/delivery.md).
    Deliver(DeliverArgs),
    /// Combine the output folders of `build --shard K/N` into one snapshot.
    ///
    /// Every shard must come from the same tool version, inputs and options, and every
    /// K of 1..N must be there exactly once; otherwise nothing is written. OUT is then
    /// byte-identical to one build of the same inputs with the same options (see
    /// docs/scale-out.md).
    Merge(MergeArgs),
    /// Write the built-in templates and stylesheet into DIR, to edit and pass back with --templates DIR.
    InitTemplates(InitTemplatesArgs),
    /// Started by `build` itself: cleans up after the build if it is killed (see src/watchdog.rs).
    #[command(name = "__watchdog", hide = true)]
    Watchdog(WatchdogArgs),
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Print the schema of this platform's export files instead (see docs/platforms.md).
    #[arg(long, value_enum, value_name = "NAME")]
    pub input_format: Option<InputFormat>,
}

#[derive(Debug, Args)]
pub struct WatchdogArgs {
    /// The build's process id.
    pub pid: u32,
    /// The build's start time (/proc/PID/stat, field 22).
    pub start: u64,
}

#[derive(Debug, Args)]
pub struct DeliverArgs {
    /// The snapshot folder build wrote (its --out).
    #[arg(value_name = "OUT")]
    pub out: PathBuf,
    /// The subscriptions file (TOML): the mail server and who gets which campaigns.
    #[arg(long, value_name = "FILE")]
    pub subscriptions: PathBuf,
    /// Write every message that would be sent as an .eml file in DIR; send nothing, change no record.
    #[arg(long, value_name = "DIR")]
    pub dry_run: Option<PathBuf>,
    /// The delivery record (default: beside the subscriptions file, subs.toml → subs.delivered.json).
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// A folder whose mail/ files override the built-in message templates.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// Wait up to this long for a build or delivery using the same folder to finish (default: do not wait).
    #[arg(long, value_name = "SECONDS", default_value_t = 0)]
    pub wait_lock: u64,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The output folders of the shards (each build's --out).
    #[arg(value_name = "SHARD_OUT", required = true)]
    pub shards: Vec<PathBuf>,
    /// The merged snapshot's folder (files that did not change are left as they are).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// The --templates folder the shards were built with, when they were.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// Wait up to this long for another run writing the same --out to finish (default: do not wait).
    #[arg(long, value_name = "SECONDS", default_value_t = 0)]
    pub wait_lock: u64,
}

#[derive(Debug, Args)]
pub struct InitTemplatesArgs {
    /// Folder to write the templates into (created if missing).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// Replace files that already exist.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct InputArgs {
    /// Export folders and files to read.
    #[arg(value_name = "INPUT", required = true)]
    pub inputs: Vec<PathBuf>,
    /// Workspace settings (default: workspace.json at the top of the first input folder).
    #[arg(long, value_name = "FILE")]
    pub workspace: Option<PathBuf>,
    /// How to read the inputs (default: recognised by their shape; see docs/platforms.md).
    #[arg(long, value_enum, value_name = "NAME")]
    pub input_format: Option<InputFormat>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// The tenant of platform exports that the workspace names none for.
    #[arg(long, value_name = "ID")]
    pub tenant: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InputFormat {
    Native,
    Vapi,
    Retell,
    Twilio,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Output folder (created if missing; files are replaced atomically).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// What to write: any of html, json, pdf (manifest.json and export/ are always written).
    #[arg(long, value_name = "LIST", value_delimiter = ',', default_value = "html,json,pdf")]
    pub format: Vec<Format>,
    /// Build only this tenant's campaigns (also the tenant of platform exports the workspace names none for).
    #[arg(long, value_name = "ID", conflicts_with = "all_tenants")]
    pub tenant: Option<String>,
    /// Build every tenant into OUT/<tenant-id>/.
    #[arg(long)]
    pub all_tenants: bool,
    /// Build only shard K of N of the tenant's campaigns, to combine with `merge` (see docs/scale-out.md).
    #[arg(long, value_name = "K/N", conflicts_with = "all_tenants")]
    pub shard: Option<campaign_report::pipeline::shard::Shard>,
    /// Build only the campaigns of these layouts: any of draft, active, ended (default: all).
    #[arg(long, value_enum, value_name = "LIST", value_delimiter = ',')]
    pub layouts: Vec<LayoutArg>,
    /// Viewer role; restricted metrics appear only for roles the workspace allows.
    #[arg(long, value_name = "ROLE", default_value = "viewer")]
    pub role: String,
    /// Folder of templates and assets that override the built-in ones of the same name.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// Snapshot time (RFC 3339); with it, reruns write byte-identical files.
    #[arg(long, value_name = "RFC3339")]
    pub now: Option<String>,
    /// Seconds between self-refreshes of Active pages; 0 turns it off.
    #[arg(long, value_name = "N", default_value_t = 60)]
    pub refresh_seconds: u32,
    /// PDF paper size.
    #[arg(long, value_enum, default_value_t = Paper::A4)]
    pub paper: Paper,
    /// Task rows in a PDF.
    #[arg(long, value_name = "N", default_value_t = 200)]
    pub pdf_max_tasks: usize,
    /// Mask contact names and phone numbers in every file written.
    #[arg(long, value_enum, value_name = "WHAT")]
    pub redact: Option<Redact>,
    /// Wait up to this long for another run writing the same --out to finish (default: do not wait).
    #[arg(long, value_name = "SECONDS", default_value_t = 0)]
    pub wait_lock: u64,
    /// Parallel work (default: number of cores).
    #[arg(long, value_name = "N", value_parser = at_least_one)]
    pub jobs: Option<usize>,
    /// Write each campaign's PDF as PDF/A-2b or PDF/A-3b (PDF/A-3b also carries the
    /// campaign's summary.json and export copies); see docs/pdf.md.
    #[arg(long, value_enum, value_name = "VARIANT")]
    pub pdf_variant: Option<PdfVariant>,
    /// The most a PDF/A-3b carries, in MB: files past it are left out, and the PDF says which.
    #[arg(long, value_name = "MB", default_value_t = 20)]
    pub pdf_attach_max_mb: u64,
    /// Browser that prints PDFs (default: $CHROME, then chromium-headless-shell,
    /// chrome-headless-shell, chromium, google-chrome, chrome on PATH).
    #[arg(long, value_name = "PATH")]
    pub chrome: Option<PathBuf>,
    /// Print through this running browser instead of starting one: its DevTools address,
    /// http://host:port or ws://host:port/devtools/browser/…; repeat to spread the PDFs
    /// over several (see docs/scale-out.md).
    #[arg(long, value_name = "URL")]
    pub browser: Vec<String>,
}

/// A count of parallel jobs: a whole number of at least 1.
fn at_least_one(text: &str) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(0) => Err("0 jobs would do nothing: give at least 1".into()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("{text:?} is not a whole number of at least 1")),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Html,
    Json,
    Pdf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Paper {
    A4,
    Letter,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LayoutArg {
    Draft,
    Active,
    Ended,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PdfVariant {
    #[value(name = "pdf/a-2b")]
    PdfA2b,
    #[value(name = "pdf/a-3b")]
    PdfA3b,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Redact {
    Contacts,
}
