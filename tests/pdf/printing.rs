//! The acme fixtures printed with the system's Chromium, read back with poppler
//! (`pdftotext`, `pdfinfo`) and `qpdf`; and builds interrupted while printing.
//!
//! Every run gets its own `TMPDIR` (see `common::Cli`). The tool keeps the browser's
//! profile, HOME and TMPDIR under it, so every Chromium process of that run names it
//! in its command line or environment, and "no process left" is checked for that run
//! alone even while other runs are going on.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::common::{Bundle, Cli, Inputs, Run, fixture};

/// `build INPUTS --format html,json,pdf --tenant acme`.
fn printing<P: AsRef<Path>>(inputs: impl IntoIterator<Item = P>) -> Cli {
    Cli::build(inputs).format("html,json,pdf").args(["--tenant", "acme"])
}

/// The acme fixtures printed on A4, shared by the tests that only read them.
pub(crate) fn acme() -> &'static Run {
    printing(["acme"]).shared()
}

/// Q3 only, on Letter, with the task list capped at 20 rows.
fn q3_letter_capped() -> &'static Run {
    let workspace = fixture("acme/workspace.json");
    printing(["acme/q3"]).args(["--paper", "letter", "--pdf-max-tasks", "20", "--workspace"]).arg(workspace).shared()
}

/// Output of a poppler or qpdf tool run on `pdf`; panics when it fails.
pub(crate) fn tool(name: &str, args: &[&str], pdf: &Path) -> String {
    let mut cmd = Command::new(name);
    cmd.args(args).arg(pdf);
    if name == "pdftotext" {
        cmd.arg("-");
    }
    let out = cmd.output().unwrap_or_else(|e| panic!("{name} is needed (apt-get install poppler-utils qpdf): {e}"));
    assert!(
        out.status.success(),
        "{name} {} failed: {}{}",
        pdf.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub(crate) fn text(pdf: &Path) -> String {
    tool("pdftotext", &["-layout"], pdf)
}

fn pages(pdf: &Path) -> usize {
    let info = tool("pdfinfo", &[], pdf);
    let line = info.lines().find(|l| l.starts_with("Pages:")).expect("pdfinfo gives Pages");
    line["Pages:".len()..].trim().parse().expect("a page count")
}

/// Campaign id, its name as printed, and the headings of its layout (the task list
/// is the PDF's appendix).
const LAYOUTS: &[(&str, &str, &[&str])] = &[
    ("spring-recall-draft", "Spring Recall 2027", &["Readiness", "Configuration", "Audience preview"]),
    ("intake-draft-empty", "New patient intake", &["Readiness", "Configuration", "Audience preview"]),
    ("reactivation-running", "Lapsed Patient Reactivation", &["Progress", "Dispatch health", "Appendix: tasks"]),
    ("billing-paused", "Outstanding Balance Reminders", &["Progress", "Dispatch health", "Appendix: tasks"]),
    ("flu-shot-scheduled", "Flu Shot Reminders", &["Progress", "Dispatch health", "Appendix: tasks"]),
    ("q3-winback-completed", "Q3 Win-back", &["Funnel", "Analysis", "Results", "Appendix: tasks"]),
    ("survey-failed", "Post-visit Satisfaction Survey", &["Funnel", "Analysis", "Results", "Appendix: tasks"]),
    ("promo-cancelled", "Whitening Promo <Holiday> & Friends", &["Funnel", "Analysis", "Results", "Appendix: tasks"]),
    ("legacy-archived", "2024 Recall (migrated)", &["Funnel", "Analysis", "Results", "Appendix: tasks"]),
];

#[test]
fn every_layout_prints_its_sections_and_footer() {
    let run = acme();
    run.expect_code(0);
    for (id, name, headings) in LAYOUTS {
        let pdf = run.pdf(id);
        assert!(pdf.is_file(), "{} missing; stderr:\n{}", pdf.display(), run.stderr);
        let text = text(&pdf);
        assert!(text.contains(name), "{id}: campaign name {name:?} missing");
        for heading in *headings {
            assert!(text.contains(heading), "{id}: heading {heading:?} missing");
        }
        let total = pages(&pdf);
        assert!(text.contains(&format!("Page 1 of {total}")), "{id}: footer \"Page 1 of {total}\" missing");
        assert!(text.contains(&format!("Page {total} of {total}")), "{id}: last page's footer missing");
        assert!(text.contains("2026-11-27"), "{id}: snapshot time missing from the footer");
    }
}

#[test]
fn names_in_other_scripts_are_printed() {
    let text = text(&acme().expect_code(0).pdf("spring-recall-draft"));
    for name in ["Ольга Петрова", "山田 太郎"] {
        assert!(text.contains(name), "{name:?} missing from the draft's PDF");
    }
}

#[test]
fn operator_notes_open_the_pdf() {
    let text = text(&acme().expect_code(0).pdf("q3-winback-completed"));
    let notes = text.find("Win back patients who cancelled in Q2.").expect("the operator's notes are in the PDF");
    assert!(notes < text.find("Funnel").expect("the funnel is in the PDF"), "the notes come first");
}

#[test]
fn collapsed_blocks_are_open_in_print() {
    // The agent script is a collapsed block on screen; a PDF cannot be clicked open.
    let text = text(&acme().expect_code(0).pdf("spring-recall-draft"));
    assert!(text.contains("about your spring check-up"), "the agent script is missing from the draft's PDF");
}

#[test]
fn pdfs_are_valid_a4_and_untagged() {
    let run = acme();
    run.expect_code(0);
    for (id, _, _) in LAYOUTS {
        let pdf = run.pdf(id);
        tool("qpdf", &["--check"], &pdf);
        let info = tool("pdfinfo", &[], &pdf);
        assert!(info.contains("(A4)"), "{id}: not A4:\n{info}");
        assert!(info.contains("Tagged:          no"), "{id}: tagged PDF:\n{info}");
        assert!(info.contains("CreationDate:    Fri Nov 27 12:00:00 2026 UTC"), "{id}: date not from --now:\n{info}");
    }
}

#[test]
fn task_list_is_capped_with_a_line_saying_how_many_more() {
    let run = q3_letter_capped();
    run.expect_code(0);
    let capped = run.pdf("q3-winback-completed");
    let text = text(&capped);
    let cap = "This list shows the first 20 of 3,000 tasks; 2,980 more are not listed.";
    assert!(text.split_whitespace().collect::<Vec<_>>().join(" ").contains(cap), "no cap line in the capped PDF");
    // The default cap (200 rows) makes a longer document than 20 rows.
    assert!(pages(&capped) < pages(&acme().expect_code(0).pdf("q3-winback-completed")));
}

#[test]
fn letter_paper_is_612_by_792_points() {
    let run = q3_letter_capped();
    run.expect_code(0);
    for id in ["q3-winback-completed", "survey-failed"] {
        let info = tool("pdfinfo", &[], &run.pdf(id));
        assert!(info.contains("612 x 792 pts"), "{id}: not Letter:\n{info}");
        tool("qpdf", &["--check"], &run.pdf(id));
    }
}

#[test]
fn reruns_give_byte_identical_pdfs() {
    let first = acme();
    first.expect_code(0);
    let second = printing(["acme"]).run();
    second.expect_code(0);
    let mut compared = 0;
    for (id, _, _) in LAYOUTS {
        let (a, b) = (fs::read(first.pdf(id)).unwrap(), fs::read(second.pdf(id)).unwrap());
        assert!(a == b, "{id}: the two runs wrote different PDFs");
        compared += 1;
    }
    assert_eq!(compared, LAYOUTS.len());
}

/// Task rows written by the tool and drawn by the template from values (a template
/// overridden, with the built-in text) print the same PDFs (docs/templates.md).
#[test]
fn pdfs_are_the_same_whoever_writes_the_task_rows() {
    let first = acme();
    first.expect_code(0);
    let tmp = tempfile::tempdir().unwrap();
    let theme = tmp.path().join("theme");
    fs::create_dir_all(&theme).unwrap();
    fs::copy(fixture("../templates/header.html"), theme.join("header.html")).unwrap();
    let drawn = printing(["acme"]).arg("--templates").arg(&theme).run();
    drawn.expect_code(0);
    for (id, _, _) in LAYOUTS {
        let (a, b) = (fs::read(first.pdf(id)).unwrap(), fs::read(drawn.pdf(id)).unwrap());
        assert!(a == b, "{id}: the PDFs differ");
    }
}

/// The full browser, which some machines have instead of the headless shell the tool
/// looks for first, prints the same pages: the same page count and the same text.
#[test]
fn the_full_browser_prints_the_same_pages() {
    let full = printing(["acme"]).args(["--chrome", "chromium"]).run();
    full.expect_code(0);
    for (id, _, _) in LAYOUTS {
        assert_eq!(pages(&full.pdf(id)), pages(&acme().expect_code(0).pdf(id)), "{id}: page counts differ");
        assert_eq!(text(&full.pdf(id)), text(&acme().pdf(id)), "{id}: texts differ");
        tool("qpdf", &["--check"], &full.pdf(id));
    }
}

#[test]
fn missing_browser_fails_with_install_advice_and_keeps_html() {
    let run = printing(["acme"]).args(["--chrome", "/nonexistent"]).run();
    assert_eq!(run.code, 1, "exit status {} (expected 1)\nstderr:\n{}", run.code, run.stderr);
    assert!(run.stderr.contains("apt-get install chromium-headless-shell"), "no install advice:\n{}", run.stderr);
    assert!(run.stderr.contains("/nonexistent"), "the browser path tried is not named:\n{}", run.stderr);
    for (id, _, _) in LAYOUTS {
        assert!(run.out.join("campaigns").join(id).join("index.html").is_file(), "{id}: HTML not written");
        assert!(!run.pdf(id).exists(), "{id}: a PDF without a browser?");
    }
    assert!(run.out.join("index.html").is_file());
}

#[test]
fn no_browser_process_or_folder_is_left_after_a_run() {
    let run = acme();
    run.expect_code(0);
    assert_no_browser(&run.tmpdir, "after the run");
    assert_eq!(leftover_folders(&run.tmpdir), Vec::<String>::new(), "temporary folders left after the run");
    // Nor the tool's watchdog, which also has the run's TMPDIR.
    let left: Vec<String> =
        crate::processes::naming(&run.tmpdir).iter().map(|(pid, p)| crate::processes::describe(*pid, p)).collect();
    assert!(left.is_empty(), "processes left after the run:\n{}", left.join("\n"));
}

#[test]
fn sigint_while_printing_leaves_no_browser() {
    interrupt_while_printing(libc::SIGINT, 130);
}

#[test]
fn sigterm_while_printing_leaves_no_browser() {
    interrupt_while_printing(libc::SIGTERM, 143);
}

/// Starts a build of 60 campaigns, sends `signal` once the browser is printing,
/// and checks the exit status and that the browser's whole tree is gone.
fn interrupt_while_printing(signal: libc::c_int, status: i32) {
    let input = many_campaigns(12);
    let mut live = printing([input.path()]).args(["--jobs", "2"]).spawn();
    let (child, tmpdir) = (&mut live.child, &live.tmpdir);

    let started = Instant::now();
    while browser_processes(tmpdir).is_empty() {
        assert!(child.try_wait().unwrap().is_none(), "the run ended before its browser started");
        assert!(started.elapsed() < Duration::from_secs(60), "no browser started within 60 s");
        std::thread::sleep(Duration::from_millis(50));
    }
    // Let it print a while.
    std::thread::sleep(Duration::from_millis(1500));
    assert!(child.try_wait().unwrap().is_none(), "the run ended before it could be interrupted");
    assert!(!browser_processes(tmpdir).is_empty());
    let pid = libc::pid_t::try_from(child.id()).unwrap();
    // SAFETY: signalling our own child process.
    assert_eq!(unsafe { libc::kill(pid, signal) }, 0);

    let deadline = Instant::now() + Duration::from_secs(15);
    let exit = loop {
        if let Some(exit) = child.try_wait().unwrap() {
            break exit;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the tool did not stop within 15 s of the signal");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    // The tool kills and reaps the tree before it exits; allow a moment anyway.
    let deadline = Instant::now() + Duration::from_secs(3);
    while !browser_processes(tmpdir).is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_no_browser(tmpdir, "after the signal");
    assert_eq!(leftover_folders(tmpdir), Vec::<String>::new(), "temporary folders survived the signal");
    assert_eq!(exit.code(), Some(status), "exit {exit:?}; stderr:\n{}", live.stderr());
}

/// `copies` copies of the five campaigns of `acme-bulk.jsonl`, each with its own id.
fn many_campaigns(copies: usize) -> Inputs {
    let bulk = fs::read_to_string(fixture("acme-bulk.jsonl")).unwrap();
    let inputs = Inputs::new();
    for copy in 1..=copies {
        for line in bulk.lines().filter(|l| !l.trim().is_empty()) {
            let mut campaign: serde_json::Value = serde_json::from_str(line).unwrap();
            let id = campaign["id"].as_str().unwrap().to_string();
            campaign["id"] = format!("{id}-{copy:02}").into();
            inputs.bundle(&Bundle::from_json(campaign));
        }
    }
    inputs
}

/// Command lines of the live (not zombie) processes that name `tmpdir` in their
/// command line or environment: the browser the run under that TMPDIR launched.
fn browser_processes(tmpdir: &Path) -> Vec<String> {
    let needle = tmpdir.as_os_str().as_encoded_bytes();
    let me = std::process::id().to_string();
    let mut found = BTreeMap::new();
    for entry in fs::read_dir("/proc").unwrap().flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().filter(|n| n.chars().all(|c| c.is_ascii_digit())) else { continue };
        if pid == me {
            continue;
        }
        let stat = fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
        let state = stat.rsplit(')').next().and_then(|rest| rest.split_whitespace().next()).unwrap_or("");
        if state.is_empty() || state == "Z" || state == "X" {
            continue;
        }
        let cmdline = fs::read(entry.path().join("cmdline")).unwrap_or_default();
        let environ = fs::read(entry.path().join("environ")).unwrap_or_default();
        // The tool itself has TMPDIR set too: only the browser's processes count.
        let is_tool = cmdline.windows(b"campaign-report".len()).any(|w| w == b"campaign-report")
            && !cmdline.windows(b"chrom".len()).any(|w| w == b"chrom");
        let names_it = |bytes: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
        if !is_tool && (names_it(&cmdline) || names_it(&environ)) {
            let shown = String::from_utf8_lossy(&cmdline).replace('\0', " ");
            found.insert(pid.to_string(), shown.chars().take(160).collect::<String>());
        }
    }
    found.into_iter().map(|(pid, cmd)| format!("{pid} {cmd}")).collect()
}

/// Fails when a browser of the run under `tmpdir` is still running, killing it
/// first so a failing test does not leave it behind.
fn assert_no_browser(tmpdir: &Path, when: &str) {
    let left = browser_processes(tmpdir);
    for line in &left {
        if let Some(pid) = line.split(' ').next().and_then(|p| p.parse::<libc::pid_t>().ok()) {
            // SAFETY: a process of the browser this test's run started.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
            }
        }
    }
    assert!(left.is_empty(), "browser processes left {when}:\n{}", left.join("\n"));
}

/// The tool's temporary folders (the pages to print, the browser's profile) still
/// under `tmpdir`.
fn leftover_folders(tmpdir: &Path) -> Vec<String> {
    crate::processes::tool_folders(tmpdir)
}
