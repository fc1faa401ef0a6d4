//! Restricted metrics and contact data across every file a build writes, PDFs
//! included (read back with `pdftotext`): absent for a viewer, present for an
//! admin, masked under `--redact contacts`.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{Cli, Run};

/// The running campaign (which carries latency figures) in every format, PDF included.
fn build(extra: &[&str]) -> Run {
    let run = Cli::build(["acme/reactivation-running"]).format("html,json,pdf").args(extra).run();
    run.expect_code(0);
    run
}

/// The text of every file under `dir`: PDFs through pdftotext, the rest as written.
fn texts(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "pdf") {
                let text = Command::new("pdftotext").arg(&path).arg("-").output().expect("pdftotext (poppler-utils)");
                assert!(text.status.success());
                out.push((path, String::from_utf8_lossy(&text.stdout).into_owned()));
            } else {
                out.push((path.clone(), String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned()));
            }
        }
    }
    out
}

/// Values of the fixture's `latency` object and `latency_ms` column.
const LATENCY_VALUES: [&str; 5] = ["1183", "2957", "1471", "3319", "1137"];

#[test]
fn a_viewer_gets_no_restricted_metric_in_any_file_pdf_included() {
    let run = build(&[]);
    let files = texts(&run.out);
    assert!(files.iter().any(|(p, _)| p.extension().is_some_and(|e| e == "pdf")), "no PDF was written");
    for (path, text) in &files {
        assert!(!text.to_lowercase().contains("latency"), "{} mentions latency", path.display());
        for value in LATENCY_VALUES {
            assert!(!text.contains(value), "{} contains the latency value {value}", path.display());
        }
    }
}

#[test]
fn an_admin_gets_them_in_pages_summary_and_pdf() {
    let run = build(&["--role", "admin"]);
    let dir = run.path("campaigns/reactivation-running");
    let pdf = texts(&dir).into_iter().find(|(p, _)| p.extension().is_some_and(|e| e == "pdf")).unwrap().1;
    assert!(pdf.contains("Latency"), "the PDF has no latency section");
    assert!(pdf.contains("1.2 s"), "the PDF lacks the p50 latency");
    let summary = std::fs::read_to_string(dir.join("summary.json")).unwrap();
    assert!(summary.contains("\"p50_ms\": 1183"));
    let tasks = std::fs::read_to_string(dir.join("export/tasks.csv")).unwrap();
    assert!(tasks.lines().next().unwrap().contains("latency_ms"));
}

#[test]
fn redacted_contacts_appear_in_no_file_pdf_included() {
    let run = build(&["--redact", "contacts"]);
    let files = texts(&run.out);
    for (path, text) in &files {
        for secret in ["Nguyen, Van An", "Bobby", "+14155550201", "415-555-0201", "415 555 0201"] {
            assert!(!text.contains(secret), "{} contains {secret:?}", path.display());
        }
    }
    let pdf = files.iter().find(|(p, _)| p.extension().is_some_and(|e| e == "pdf")).unwrap();
    assert!(pdf.1.contains("+1 415 ••• ••01"), "the PDF does not show the masked number");
}
