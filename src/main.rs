//! The `campaign-report` binary: parse arguments, run, map the outcome to an exit status.

mod cli;
mod watchdog;

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Parser;

use campaign_report::export::{InputFormat, Reading};
use campaign_report::lifecycle::Layout;
use campaign_report::pipeline::{self, ExitStatus, Formats, Report, TenantChoice};
use campaign_report::render::pdf::archival::Variant;
use cli::{Cli, Command, Format};

/// mimalloc rather than the C library's allocator: a build makes and drops millions of
/// small values, and spends a tenth to a fifth less CPU with it. It is built without
/// transparent huge pages (`no_thp`), which cost more time zeroing pages than they
/// saved, and 50 MB of memory (docs/performance.md, "Allocator").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            let status = if e.use_stderr() { ExitStatus::NothingBuilt } else { ExitStatus::Success };
            return ExitCode::from(status.code());
        }
    };
    let outcome = run(cli);
    watchdog::finish();
    match outcome {
        Ok(status) => ExitCode::from(status.code()),
        Err(e) => {
            eprintln!("campaign-report: {e:#}");
            ExitCode::from(ExitStatus::NothingBuilt.code())
        }
    }
}

fn run(cli: Cli) -> Result<ExitStatus> {
    match cli.command {
        Command::Schema(args) => {
            let schema = campaign_report::export::platforms::schema(input_format(args.input_format))
                .unwrap_or_else(campaign_report::model::campaign_schema);
            let text = serde_json::to_string_pretty(&schema)?;
            print_stdout(&format!("{text}\n"));
            Ok(ExitStatus::Success)
        }
        Command::Watchdog(args) => {
            let acted = watchdog::run(args.pid, args.start);
            Ok(if acted { ExitStatus::Success } else { ExitStatus::NothingBuilt })
        }
        Command::InitTemplates(args) => {
            let (pages, pages_kept) = campaign_report::render::html::write_builtins(&args.dir, args.force)?;
            let (mail, mail_kept) = campaign_report::render::mail::write_builtins(&args.dir, args.force)?;
            let (written, kept) = (pages + mail, pages_kept + mail_kept);
            let dir = args.dir.display();
            if kept > 0 {
                eprintln!(
                    "campaign-report: {kept} files already in {dir} were kept as they are; \
                     pass --force to replace them with the built-in ones"
                );
            }
            eprintln!("campaign-report: wrote {written} files into {dir}; edit them and build with --templates {dir}");
            Ok(ExitStatus::Success)
        }
        Command::Deliver(args) => {
            let started = std::time::Instant::now();
            let options = campaign_report::deliver::Options {
                out: args.out,
                subscriptions: args.subscriptions,
                state: args.state,
                dry_run: args.dry_run.clone(),
                templates: args.templates,
                wait_lock: std::time::Duration::from_secs(args.wait_lock),
            };
            let report = campaign_report::deliver::run(&options)?;
            for note in &report.notes {
                eprintln!("campaign-report: note: {note}");
            }
            for problem in &report.problems {
                eprintln!("campaign-report: error: {problem}");
            }
            let seconds = started.elapsed().as_secs_f64();
            match &args.dry_run {
                Some(dir) => eprintln!(
                    "campaign-report: {} messages written to {} (nothing sent, the record unchanged), {} already delivered, {} failed in {seconds:.1} s",
                    report.sent,
                    dir.display(),
                    report.unchanged,
                    report.failed
                ),
                None => eprintln!(
                    "campaign-report: {} sent, {} already delivered, {} failed in {seconds:.1} s",
                    report.sent, report.unchanged, report.failed
                ),
            }
            Ok(if report.problems.is_empty() { ExitStatus::Success } else { ExitStatus::SomeFailed })
        }
        Command::Merge(args) => merge(args),
        Command::Check(args) => {
            let reading = Reading { format: input_format(args.input.input_format), tenant: args.tenant };
            let report = pipeline::check(&args.input.inputs, args.input.workspace.as_deref(), &reading)?;
            print_problems(&report);
            match report.problems.len() {
                0 => eprintln!("campaign-report: {} campaigns checked, no problems found", report.built),
                n => eprintln!(
                    "campaign-report: {n} {} found, {} campaigns valid",
                    if n == 1 { "problem" } else { "problems" },
                    report.built
                ),
            }
            Ok(report.check_status())
        }
        Command::Build(args) => {
            let now = match &args.now {
                Some(text) => text
                    .parse::<jiff::Timestamp>()
                    .with_context(|| format!("--now {text:?} is not an RFC 3339 time such as 2026-11-27T12:00:00Z"))?,
                None => jiff::Timestamp::now().round(jiff::Unit::Second)?,
            };
            let has = |f: Format| args.format.contains(&f);
            let options = pipeline::Options {
                inputs: args.input.inputs,
                out: args.out,
                formats: Formats { html: has(Format::Html), json: has(Format::Json), pdf: has(Format::Pdf) },
                tenant: match (args.tenant, args.all_tenants) {
                    (_, true) => TenantChoice::All,
                    (Some(id), false) => TenantChoice::One(id),
                    (None, false) => TenantChoice::Only,
                },
                role: args.role,
                workspace: args.input.workspace,
                templates: args.templates,
                now,
                refresh_seconds: args.refresh_seconds,
                pdf_max_tasks: args.pdf_max_tasks,
                redact: args.redact.is_some(),
                jobs: args.jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
                paper: match args.paper {
                    cli::Paper::A4 => campaign_report::render::pdf::Paper::A4,
                    cli::Paper::Letter => campaign_report::render::pdf::Paper::Letter,
                },
                chrome: args.chrome,
                wait_lock: std::time::Duration::from_secs(args.wait_lock),
                now_fixed: args.now.is_some(),
                pdf_variant: args.pdf_variant.map(|v| match v {
                    cli::PdfVariant::PdfA2b => Variant::A2b,
                    cli::PdfVariant::PdfA3b => Variant::A3b,
                }),
                pdf_attach_max_mb: args.pdf_attach_max_mb,
                layouts: args
                    .layouts
                    .iter()
                    .map(|l| match l {
                        cli::LayoutArg::Draft => Layout::Draft,
                        cli::LayoutArg::Active => Layout::Active,
                        cli::LayoutArg::Ended => Layout::Ended,
                    })
                    .collect(),
                input_format: input_format(args.input.input_format),
                shard: args.shard,
                browsers: args.browser,
            };
            // What earlier builds killed with their watchdog left: browsers and run folders.
            watchdog::sweep();
            if options.formats.pdf {
                // Before any browser starts, so a signal never leaves one running; on a
                // signal, the watchdog removes the run folder once the browsers are killed.
                campaign_report::browser::install_signal_handler(watchdog::finish);
                // Before any browser starts, so a SIGKILL never leaves one running.
                watchdog::start().context("cannot start the watchdog that cleans up after a killed build")?;
            }
            let started = std::time::Instant::now();
            let report = pipeline::run(&options)?;
            print_problems(&report);
            let pdfs = match report.pdfs_missing() {
                0 => String::new(),
                1 => ", 1 PDF not printed".to_string(),
                n => format!(", {n} PDFs not printed"),
            };
            eprintln!(
                "campaign-report: {} built, {} unchanged, {} failed{pdfs}, {} files written in {:.1} s",
                report.built,
                report.unchanged,
                report.failed(),
                report.files,
                started.elapsed().as_secs_f64()
            );
            Ok(report.build_status())
        }
    }
}

/// `--input-format`, or recognition by shape without it.
fn input_format(arg: Option<cli::InputFormat>) -> InputFormat {
    match arg {
        None => InputFormat::Auto,
        Some(cli::InputFormat::Native) => InputFormat::Native,
        Some(cli::InputFormat::Vapi) => InputFormat::Vapi,
        Some(cli::InputFormat::Retell) => InputFormat::Retell,
        Some(cli::InputFormat::Twilio) => InputFormat::Twilio,
    }
}

/// Runs `merge`; shards that do not make one whole are each named, and exit 1.
fn merge(args: cli::MergeArgs) -> Result<ExitStatus> {
    use campaign_report::merge::{self, MergeError};
    let started = std::time::Instant::now();
    let options = merge::Options {
        shards: args.shards,
        out: args.out,
        templates: args.templates,
        wait_lock: std::time::Duration::from_secs(args.wait_lock),
    };
    match merge::run(&options) {
        Ok(merged) => {
            eprintln!(
                "campaign-report: merged {} shards, {} campaigns: {} files copied, {} unchanged, in {:.1} s",
                merged.shards,
                merged.campaigns,
                merged.files.copied,
                merged.files.unchanged,
                started.elapsed().as_secs_f64()
            );
            Ok(ExitStatus::Success)
        }
        Err(MergeError::Refused(problems)) => {
            for problem in &problems {
                eprintln!("campaign-report: error: {problem}");
            }
            eprintln!("campaign-report: nothing merged; {} is as it was", options.out.display());
            Ok(ExitStatus::SomeFailed)
        }
        Err(error) => Err(error.into()),
    }
}

fn print_problems(report: &Report) {
    for note in &report.notes {
        eprintln!("campaign-report: note: {note}");
    }
    for problem in &report.problems {
        eprintln!("campaign-report: error: {problem}");
    }
}

/// Prints to stdout; a closed pipe (`| head`) is not an error.
fn print_stdout(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}
