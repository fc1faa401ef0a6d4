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
//!
//! Files, one concern each:
//! - `options`: the command line (clap);
//! - `rng`: the random source; `vocab`: the words rows are made of; `phone`: phone numbers;
//! - `line`: formatting rows into a reused buffer;
//! - `plan`: one campaign's plan; `rows`: its task and call rows; `tables`: its small
//!   tables (upload rejects, audience preview, number pool); `campaign`: its campaign object;
//! - `dir` and `json`: the writers of the forms (`json` writes `json` and `jsonl`).

mod campaign;
mod dir;
mod json;
mod line;
mod options;
mod phone;
mod plan;
mod rng;
mod rows;
mod tables;
mod vocab;

use std::fs;
use std::io;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;

use crate::options::{Form, Options};

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

/// An I/O error with what was being done and to which path.
fn path_error(what: &str, path: &Path, e: io::Error) -> String {
    format!("{what} {}: {e}", path.display())
}

/// The workspace settings written beside the campaigns in every form.
fn workspace_json() -> &'static str {
    "{\n  \"terminal_statuses\": [\"archived\"],\n  \"timezone\": \"America/New_York\",\n  \"app_url\": \"https://app.example.com\",\n  \"goal_outcomes\": [\"booked\", \"callback_booked\"],\n  \"conversation_min_seconds\": 10,\n  \"low_answer_rate\": 0.15,\n  \"min_attempts_for_health\": 20\n}\n"
}

fn run(o: &Options) -> Result<(), String> {
    let started = Instant::now();
    if o.out.exists() {
        let mut entries = fs::read_dir(&o.out).map_err(|e| path_error("cannot read", &o.out, e))?;
        if entries.next().is_some() {
            return Err(format!("{} is not empty; choose a new folder", o.out.display()));
        }
    }
    fs::create_dir_all(&o.out).map_err(|e| path_error("cannot create", &o.out, e))?;
    let ws = o.out.join("workspace.json");
    fs::write(&ws, workspace_json()).map_err(|e| path_error("cannot write", &ws, e))?;
    let names = vocab::contact_names();
    let (tasks, calls) = match o.form {
        Form::Dir => dir::write(o, &names)?,
        Form::Json | Form::Jsonl => json::write(o, &names)?,
    };
    println!(
        "generated {} campaigns, {} tasks, {} calls ({}) in {:.2} s into {}",
        o.campaigns,
        tasks,
        calls,
        o.form.name(),
        started.elapsed().as_secs_f64(),
        o.out.display()
    );
    Ok(())
}
