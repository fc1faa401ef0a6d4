//! Archival PDFs (`--pdf-variant`, docs/pdf.md "Archival PDFs"): every fixture PDF
//! built as PDF/A-2b and PDF/A-3b passes pikepdf's PDF/A validator and `qpdf
//! --check`, reads as the plain PDF does, carries the files of the snapshot byte for
//! byte (PDF/A-3b), keeps restricted data out of a viewer's attachments, and is the
//! same bytes when built twice with `--now`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{Cli, Run, pdfa_findings};
use crate::printing::{acme, text, tool};

/// The acme fixtures printed as `variant`, shared by the tests that only read them.
fn acme_as(variant: &'static str) -> &'static Run {
    let run =
        Cli::build(["acme"]).format("html,json,pdf").args(["--tenant", "acme", "--pdf-variant", variant]).shared();
    run.expect_code(0);
    run
}

fn pdfs(run: &Run) -> Vec<PathBuf> {
    let mut pdfs: Vec<PathBuf> = run.files().iter().filter(|f| f.ends_with(".pdf")).map(|f| run.path(f)).collect();
    pdfs.sort();
    assert!(pdfs.len() >= 9, "the acme fixtures give 9 PDFs, got {}", pdfs.len());
    pdfs
}

/// The files embedded in `pdf`, by name, extracted with qpdf.
fn attachments(pdf: &Path) -> BTreeMap<String, Vec<u8>> {
    let listing = tool("qpdf", &["--list-attachments"], pdf);
    let names: Vec<String> = listing
        .lines()
        .filter(|l| !l.starts_with(' ') && l.contains(" -> "))
        .map(|l| l.split(" -> ").next().unwrap().to_string())
        .collect();
    names
        .into_iter()
        .map(|name| {
            let out = Command::new("qpdf").arg(format!("--show-attachment={name}")).arg(pdf).output().unwrap();
            assert!(out.status.success(), "qpdf --show-attachment={name} failed");
            (name, out.stdout)
        })
        .collect()
}

/// Every fixture of both tenants (what `scripts/demo` builds), printed as `variant`.
fn every_fixture_as(variant: &'static str) -> Run {
    let run = Cli::build(["acme", "acme-bulk.jsonl", "acme-more.json", "acme-single.json", "globex"])
        .format("json,pdf")
        .args(["--all-tenants", "--pdf-variant", variant])
        .run();
    run.expect_code(0);
    run
}

/// Every PDF passes the validator (no finding at all: a Type 3 font, which it
/// cannot vouch for, fails too) and `qpdf --check`.
fn assert_valid(flavour: &str, run: &Run) {
    let pdfs = pdfs(run);
    assert!(pdfs.len() >= 21, "the fixtures give 21 PDFs, got {}", pdfs.len());
    let findings = pdfa_findings(flavour, &pdfs);
    let failed: Vec<String> = pdfs
        .iter()
        .zip(&findings)
        .filter_map(|(pdf, finding)| finding.as_ref().map(|f| format!("{}: {f}", pdf.display())))
        .collect();
    assert!(failed.is_empty(), "PDF/A-{flavour} validation failed:\n{}", failed.join("\n"));
    for pdf in &pdfs {
        tool("qpdf", &["--check"], pdf);
    }
}

/// The characters of a PDF's text, sorted, spaces left out: fonts that serve CJK and
/// emoji in a PDF/A may wrap a line elsewhere, and pdftotext orders and splits a Type 3
/// font's text (the plain PDF's CJK) and right-to-left runs differently, but no
/// character may change, appear or go.
fn words(pdf: &Path) -> Vec<char> {
    let mut chars: Vec<char> = tool("pdftotext", &[], pdf).chars().filter(|c| !c.is_whitespace()).collect();
    chars.sort();
    chars
}

#[test]
fn every_fixture_pdf_passes_the_pdfa_2b_validator() {
    assert_valid("2b", &every_fixture_as("pdf/a-2b"));
}

#[test]
fn every_fixture_pdf_passes_the_pdfa_3b_validator() {
    assert_valid("3b", &every_fixture_as("pdf/a-3b"));
}

#[test]
fn the_text_is_the_plain_pdfs() {
    let plain = acme();
    for variant in ["pdf/a-2b", "pdf/a-3b"] {
        let archival = acme_as(variant);
        for pdf in pdfs(plain) {
            let rel = pdf.strip_prefix(&plain.out).unwrap();
            let other = archival.out.join(rel);
            assert_eq!(words(&pdf), words(&other), "{variant}: {} reads differently", rel.display());
        }
        // The metadata a reader sees says what the file is.
        let info = tool("pdfinfo", &[], &pdfs(archival)[0]);
        assert!(info.lines().any(|l| l.starts_with("PDF version:") && l.ends_with(" 1.7")), "{info}");
        assert!(text(&pdfs(archival)[0]).contains("Page 1 of"));
    }
}

#[test]
fn pdfa_3b_carries_the_snapshot_files_byte_for_byte() {
    let run = acme_as("pdf/a-3b");
    for pdf in pdfs(run) {
        let dir = pdf.parent().unwrap();
        let embedded = attachments(&pdf);
        let mut expected: Vec<String> = std::fs::read_dir(dir.join("export"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        expected.push("summary.json".into());
        expected.sort();
        assert_eq!(embedded.keys().cloned().collect::<Vec<_>>(), expected, "{}", pdf.display());
        for (name, bytes) in &embedded {
            let file = if name == "summary.json" { dir.join(name) } else { dir.join("export").join(name) };
            assert!(std::fs::read(&file).unwrap() == *bytes, "{} differs from {}", name, file.display());
        }
    }
    // Each embedded file is an associated file of the document, with its MIME type.
    let q3 = run.pdf("q3-winback-completed");
    let json = tool("qpdf", &["--json", "--json-key=attachments"], &q3);
    assert!(json.contains("\"mimetype\": \"text/csv\"") && json.contains("\"mimetype\": \"application/json\""));
    let raw = Command::new("qpdf").args(["--qdf", "--object-streams=disable"]).arg(&q3).arg("-").output().unwrap();
    let raw = String::from_utf8_lossy(&raw.stdout);
    assert!(raw.contains("/AFRelationship /Data") && raw.contains("/AFRelationship /Supplement"));
    assert!(raw.contains("/AF [") && raw.contains("/ModDate (D:20261127120000+00'00')"));
}

#[test]
fn a_viewers_attachments_hold_no_latency_value() {
    let run =
        Cli::build(["acme/reactivation-running"]).format("html,json,pdf").args(["--pdf-variant", "pdf/a-3b"]).run();
    run.expect_code(0);
    let embedded = attachments(&run.pdf("reactivation-running"));
    assert!(embedded.contains_key("tasks.csv"), "the task list is attached");
    for (name, bytes) in embedded {
        let text = String::from_utf8_lossy(&bytes).to_lowercase();
        assert!(!text.contains("latency"), "{name} mentions latency");
        for value in ["1183", "2957", "1471", "3319", "1137"] {
            assert!(!text.contains(value), "{name} holds the latency value {value}");
        }
    }
}

#[test]
fn files_past_the_cap_are_left_out_and_the_pdf_says_where_they_are() {
    let run = Cli::build(["acme/q3"])
        .format("json,pdf")
        .args(["--pdf-variant", "pdf/a-3b", "--pdf-attach-max-mb", "0"])
        .run();
    run.expect_code(0);
    let pdf = run.pdf("q3-winback-completed");
    let embedded = attachments(&pdf);
    assert_eq!(embedded.keys().collect::<Vec<_>>(), ["attachments-left-out.txt"]);
    let note = String::from_utf8(embedded["attachments-left-out.txt"].clone()).unwrap();
    assert!(
        note.contains("summary.json") && note.contains("campaigns/q3-winback-completed/export/tasks.csv"),
        "{note}"
    );
    // The page says it too, where a reader without an attachments panel sees it (a
    // long path may wrap after a hyphen).
    let text: String = text(&pdf).split_whitespace().collect();
    assert!(
        text.contains("NotattachedtothisPDF") && text.contains("campaigns/q3-winback-completed/export/tasks.csv"),
        "{text}"
    );
    assert_eq!(pdfa_findings("3b", &[pdf]), [None]);
}

#[test]
fn reruns_with_now_are_byte_identical_and_a_new_variant_rebuilds() {
    let dir = tempfile::tempdir().unwrap();
    let build = |out: &Path, variant: &str| {
        let run = Cli::build(["acme/q3", "acme/reactivation-running"])
            .format("html,json,pdf")
            .out(out)
            .args(["--pdf-variant", variant])
            .run();
        run.expect_code(0);
        run
    };
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    let first = build(&a, "pdf/a-3b");
    build(&b, "pdf/a-3b");
    for id in ["q3-winback-completed", "reactivation-running"] {
        let rel = format!("campaigns/{id}/{id}.pdf");
        assert!(std::fs::read(a.join(&rel)).unwrap() == std::fs::read(b.join(&rel)).unwrap(), "{rel} differs");
    }
    assert_eq!(first.manifest()["built_with"]["pdf_variant"], "pdf/a-3b");
    // The same folder built again as PDF/A-2b: the PDFs are rebuilt without attachments.
    let again = build(&a, "pdf/a-2b");
    assert_eq!(again.manifest()["built_with"]["pdf_variant"], "pdf/a-2b");
    assert!(attachments(&again.pdf("q3-winback-completed")).is_empty());
    assert_eq!(pdfa_findings("2b", &[again.pdf("q3-winback-completed")]), [None]);
}
