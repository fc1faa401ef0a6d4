//! Bad input: each problem is reported on one line naming the file, the
//! position and the field; bad campaigns are skipped, the rest are built.

use crate::common::{ACME_INPUTS, Bundle, Cli, Inputs, files_under, fixture, names_line};

/// One invalid fixture and what its report must say.
struct Case {
    input: &'static str,
    /// The file the message names (relative to `fixtures/`).
    file: &'static str,
    line: Option<usize>,
    /// Words the same message line must hold (the field, the bad value).
    words: &'static [&'static str],
}

const CASES: &[Case] = &[
    Case { input: "invalid/bad-json.json", file: "invalid/bad-json.json", line: Some(8), words: &[] },
    Case { input: "invalid/wrong-type", file: "invalid/wrong-type/campaign.json", line: Some(8), words: &["attempts"] },
    Case { input: "invalid/missing-name.json", file: "invalid/missing-name.json", line: None, words: &["name"] },
    Case {
        input: "invalid/unknown-status.json",
        file: "invalid/unknown-status.json",
        line: Some(5),
        words: &["status", "on_hold"],
    },
    Case {
        input: "invalid/bad-phone",
        file: "invalid/bad-phone/tasks.csv",
        line: Some(4),
        words: &["phone", "555-1234"],
    },
    Case {
        input: "invalid/bad-timestamp.json",
        file: "invalid/bad-timestamp.json",
        line: Some(6),
        words: &["started_at"],
    },
    Case { input: "invalid/both-inline-and-csv", file: "invalid/both-inline-and-csv", line: None, words: &["tasks"] },
    Case {
        input: "invalid/duplicate-task-id",
        file: "invalid/duplicate-task-id/tasks.csv",
        line: Some(5),
        words: &["task_id", "d-2"],
    },
    Case {
        input: "invalid/newer-schema.json",
        file: "invalid/newer-schema.json",
        line: Some(2),
        words: &["schema_version", "99"],
    },
    Case { input: "invalid/bad-id.json", file: "invalid/bad-id.json", line: Some(3), words: &["../etc"] },
    Case { input: "invalid/csv-column-count", file: "invalid/csv-column-count/tasks.csv", line: Some(3), words: &[] },
    // The quoted field on lines 2-3 spans two physical lines; the bad row is line 5.
    Case {
        input: "invalid/multiline-bad-attempts",
        file: "invalid/multiline-bad-attempts/tasks.csv",
        line: Some(5),
        words: &["attempts"],
    },
    Case {
        input: "invalid/mixed",
        file: "invalid/mixed/bad-config/campaign.json",
        line: Some(7),
        words: &["max_attempts"],
    },
];

/// Stderr lines that name `file`.
fn lines_naming<'a>(stderr: &'a str, file: &str) -> Vec<&'a str> {
    stderr.lines().filter(|l| l.contains(file)).collect()
}

fn assert_reported(stderr: &str, case: &Case) {
    let lines = lines_naming(stderr, case.file);
    assert!(!lines.is_empty(), "{}: no stderr line names {}\nstderr:\n{stderr}", case.input, case.file);
    let ok =
        lines.iter().any(|l| case.line.is_none_or(|n| names_line(l, n)) && case.words.iter().all(|w| l.contains(w)));
    assert!(
        ok,
        "{}: no single line names {} with line {:?} and {:?}\nstderr:\n{stderr}",
        case.input, case.file, case.line, case.words
    );
}

#[test]
fn check_reports_each_invalid_fixture() {
    for case in CASES {
        let run = Cli::check([case.input]).run();
        assert_eq!(run.code, 1, "{}: check exits 1 on problems\nstderr:\n{}", case.input, run.stderr);
        assert_reported(&run.stderr, case);
        assert!(files_under(&run.out).is_empty(), "check wrote files: {:?}", files_under(&run.out));
    }
}

#[test]
fn unknown_status_says_how_to_declare_it() {
    let run = Cli::check(["invalid/unknown-status.json"]).run();
    assert!(run.stderr.contains("terminal_statuses"), "stderr: {}", run.stderr);
}

#[test]
fn duplicate_ids_are_an_error_for_both() {
    let run = Cli::check(["invalid/duplicate-ids"]).run();
    assert_eq!(run.code, 1, "stderr:\n{}", run.stderr);
    for file in ["duplicate-ids/a/campaign.json", "duplicate-ids/b/campaign.json"] {
        assert!(run.stderr.contains(file), "{file} is named\nstderr:\n{}", run.stderr);
    }
    assert!(run.stderr.contains("dup-campaign"));

    let run = Cli::build(["invalid/duplicate-ids", "acme-single.json"]).run();
    run.expect_code(1);
    assert!(!run.path("campaigns/dup-campaign").exists(), "neither duplicate is built");
    assert!(run.has("hygiene-reminder-running", "summary.json"), "the other campaign is built");
}

#[test]
fn check_lists_every_problem_in_one_run() {
    let inputs: Vec<&str> = CASES.iter().map(|c| c.input).collect();
    let run = Cli::check(inputs).run();
    assert_eq!(run.code, 1);
    for case in CASES {
        assert_reported(&run.stderr, case);
    }
}

#[test]
fn check_passes_the_valid_fixtures() {
    let run = Cli::check(ACME_INPUTS).run();
    assert_eq!(run.code, 0, "stderr:\n{}", run.stderr);
    assert!(files_under(&run.out).is_empty());
    assert_eq!(Cli::check(["globex"]).run().code, 0);
}

#[test]
fn mixed_directory_builds_the_good_campaigns() {
    let run = Cli::build(["invalid/mixed"]).run();
    run.expect_code(1);
    assert!(run.has("mixed-good-draft", "index.html"));
    assert!(run.has("mixed-good-completed", "report.html"));
    assert!(!run.path("campaigns/mixed-bad-config").exists());
    let index = run.read("index.html");
    assert!(index.contains("mixed-good-draft") && index.contains("mixed-good-completed"));
    assert!(!index.contains("mixed-bad-config"));
    assert_reported(&run.stderr, CASES.iter().find(|c| c.input == "invalid/mixed").unwrap());
    assert_eq!(run.manifest()["campaigns"].as_array().unwrap().len(), 2);
}

#[test]
fn build_with_nothing_buildable_exits_2() {
    let run = Cli::build(["invalid/bad-json.json"]).run();
    run.expect_code(2);
    assert!(!run.path("campaigns/bad-json").exists());
}

#[test]
fn bad_id_never_escapes_the_output_folder() {
    let run = Cli::build(["invalid/bad-id.json", "acme-single.json"]).run();
    run.expect_code(1);
    let parent = run.out.parent().unwrap();
    // Besides OUT, only the run's cache folder (XDG_CACHE_HOME) holds a file, named by a digest.
    let outside: Vec<String> = files_under(parent)
        .into_iter()
        .filter(|f| !f.starts_with("out/"))
        .filter(|f| {
            let name = f.strip_prefix("cache/campaign-report/inputs-").and_then(|n| n.strip_suffix(".jsonl"));
            !name.is_some_and(|n| n.len() == 32 && n.bytes().all(|b| b.is_ascii_hexdigit()))
        })
        .collect();
    assert!(outside.is_empty(), "written outside OUT: {outside:?}");
    assert!(!run.out.join("etc").exists() && !run.out.join("campaigns/etc").exists());
}

#[test]
fn bad_arguments_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let single = fixture("acme-single.json");
    let cases: Vec<Vec<String>> = vec![
        vec!["build".into(), single.display().to_string()],
        vec![
            "build".into(),
            fixture("does-not-exist").display().to_string(),
            "--out".into(),
            out.display().to_string(),
        ],
        vec![
            "build".into(),
            single.display().to_string(),
            "--out".into(),
            out.display().to_string(),
            "--now".into(),
            "yesterday".into(),
        ],
        vec![
            "build".into(),
            single.display().to_string(),
            "--out".into(),
            out.display().to_string(),
            "--format".into(),
            "html,docx".into(),
        ],
        vec![
            "build".into(),
            single.display().to_string(),
            "--out".into(),
            out.display().to_string(),
            "--tenant".into(),
            "acme".into(),
            "--all-tenants".into(),
        ],
    ];
    for args in cases {
        let run = Cli::new(&args).run();
        assert_eq!(run.code, 2, "{args:?}\nstderr:\n{}", run.stderr);
        assert!(files_under(&out).is_empty(), "{args:?} wrote files");
    }
}

/// One workspace applies to a run (docs/export-format.md, "Inputs"): the
/// workspace.json nearest the first input, in its folder or the nearest folder above;
/// `check` and `build` follow the same rule.
#[test]
fn the_workspace_nearest_the_first_input_applies() {
    // fixtures/acme/archive has no workspace.json of its own: acme's, one folder up, applies,
    // so the workspace's "archived" status is declared.
    let run = Cli::build(["acme/archive"]).run();
    run.expect_code(0);
    assert_eq!(run.summary("legacy-archived")["layout"], "ended");
    let checked = Cli::check(["acme/archive"]).run();
    checked.expect_code(0);
    assert!(checked.stderr.contains("2 campaigns checked, no problems found"), "{}", checked.stderr);
    // A second input with a workspace of its own is read with the first one's, and told so.
    let inputs = Inputs::new();
    inputs.workspace(serde_json::json!({"timezone": "Europe/Paris"}));
    inputs.bundle(&Bundle::new("own"));
    let run = Cli::build([fixture("acme/archive"), inputs.path().to_path_buf()]).run();
    run.expect_code(0);
    assert!(run.stderr.contains("is ignored: one workspace applies to a run"), "{}", run.stderr);
}
