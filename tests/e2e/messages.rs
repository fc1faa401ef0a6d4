//! One clear line per problem: the OS error once and the path once, a folder where a
//! file is expected (and the reverse) said in words, nothing claimed that was not
//! done, and what `check` skips said with why.

use crate::common::{Bundle, Cli, Inputs, fixture};

#[test]
fn an_os_error_is_said_once() {
    let inputs = Inputs::new();
    inputs.bundle(&Bundle::new("locked"));
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    std::fs::create_dir_all(site.join("campaigns")).unwrap();
    // A folder the tool may not write into (root may write anywhere: a file stands in the way instead).
    std::fs::write(site.join("campaigns/locked"), "a file where the campaign's folder goes").unwrap();
    let run = Cli::build([inputs.path()]).out(&site).run();
    assert_ne!(run.code, 0, "{}", run.stderr);
    let line = run.stderr.lines().find(|l| l.contains("error")).unwrap_or_else(|| panic!("{}", run.stderr)).to_string();
    assert!(line.contains("campaigns/locked"), "the path is not named: {line}");
    assert!(line.matches("os error").count() <= 1, "the OS error is said twice: {line}");
    assert_eq!(run.stderr.matches("campaigns/locked").count(), 1, "the path is said more than once:\n{}", run.stderr);
    assert!(!line.contains("at path"), "a temporary path in the message: {line}");
}

#[test]
fn a_folder_where_a_file_is_expected_is_said_in_words() {
    let dir = tempfile::tempdir().unwrap();
    let run = Cli::build(["acme"]).arg("--workspace").arg(dir.path()).run();
    run.expect_code(2);
    assert!(run.stderr.contains("it is a folder, not a file"), "{}", run.stderr);
    assert!(!run.stderr.contains("Is a directory"), "{}", run.stderr);
}

#[test]
fn a_pdf_run_without_a_browser_claims_only_what_it_wrote() {
    let run = Cli::build(["acme/q3"]).format("pdf").args(["--chrome", "/nonexistent/chromium"]).run();
    run.expect_code(1);
    assert!(run.stderr.contains("The export copies and the manifest were written"), "{}", run.stderr);
    assert!(!run.stderr.contains("HTML"), "{}", run.stderr);
    let run = Cli::build(["acme/q3"]).format("json,pdf").args(["--chrome", "/nonexistent/chromium"]).run();
    assert!(run.stderr.contains("The JSON was written"), "{}", run.stderr);
}

#[test]
fn a_templates_folder_that_is_missing_or_overrides_nothing_is_said() {
    let run = Cli::build(["acme/q3"]).args(["--templates", "/nonexistent/theme"]).run();
    run.expect_code(2);
    assert!(run.stderr.contains("--templates /nonexistent/theme: no such file or directory"), "{}", run.stderr);
    let theme = tempfile::tempdir().unwrap();
    std::fs::write(theme.path().join("funnel.html"), "<p>misplaced</p>").unwrap();
    let run = Cli::build(["acme/q3"]).arg("--templates").arg(theme.path()).run();
    run.expect_code(0);
    assert!(run.stderr.contains("funnel.html overrides no built-in template and is ignored"), "{}", run.stderr);
    assert!(run.stderr.contains("overrides nothing: every page uses the built-in templates"), "{}", run.stderr);
}

#[test]
fn zero_jobs_are_refused() {
    let run = Cli::build(["acme/q3"]).args(["--jobs", "0"]).run();
    run.expect_code(2);
    assert!(run.stderr.contains("0 jobs would do nothing"), "{}", run.stderr);
}

#[test]
fn a_second_init_templates_says_how_to_replace_the_files() {
    let dir = tempfile::tempdir().unwrap();
    Cli::new(["init-templates"]).arg(dir.path()).run().expect_code(0);
    let again = Cli::new(["init-templates"]).arg(dir.path()).run();
    again.expect_code(0);
    assert!(again.stderr.contains("were kept as they are; pass --force to replace them"), "{}", again.stderr);
}

#[test]
fn check_says_what_it_skipped_and_why() {
    let run = Cli::check([fixture("")]).run();
    for skipped in [
        "acme-bulk.jsonl is skipped",
        "acme-more.json is skipped",
        "is skipped: inside a folder input only campaign.json files are read",
    ] {
        assert!(run.stderr.contains(skipped), "{skipped:?} not said:\n{}", run.stderr);
    }
    let inputs = Inputs::new();
    inputs.bundle(&Bundle::new("with-extra").table("tasks-old.csv", "task_id\n"));
    let run = Cli::check([inputs.path()]).run();
    assert!(
        run.stderr.contains("tasks-old.csv is skipped: a campaign's tables are tasks.csv, calls.csv"),
        "{}",
        run.stderr
    );
}
