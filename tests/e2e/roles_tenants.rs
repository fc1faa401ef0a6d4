//! Restricted metrics by role, one tenant per run, and contact redaction.

use crate::common::{
    Cli, Run, acme, assert_no_file_contains, cell, contains_token, contents_under, files_under, read_csv, strings,
};

/// Every acme input as the default role.
fn viewer() -> &'static Run {
    acme()
}

/// Latency figures in the fixtures: campaign-level objects and per task/call `latency_ms`.
const LATENCY_VALUES: &[&str] = &[
    // reactivation-running: latency object, then latency_ms of tasks and calls
    "1183", "2957", "1471", "3319", "1137", "1249", "1318", "1421", "1583", "1667", "1729", "1861", "1943", "2017",
    "2089", "2113", "2251", "2347", "2459", "2531", "2677", "2741", "2833", "2909", "3011",
    "3163", // survey-failed: latency object
    "1207", "4451", "1609", "3877",
];

#[test]
fn viewer_sees_no_latency_anywhere() {
    let run = viewer();
    assert_no_file_contains(&run.out, "latency", true);
    // The values are looked for where they could leak: the two campaigns that carry
    // latency, and the campaign list. (Elsewhere, e.g. in the large q3 campaign,
    // the same digits occur as ordinary counts.)
    let mut places = vec![("index.html".to_string(), run.read("index.html").into_bytes())];
    for id in ["reactivation-running", "survey-failed"] {
        let dir = run.out.join("campaigns").join(id);
        places.extend(contents_under(&dir).into_iter().map(|(rel, bytes)| (format!("{id}/{rel}"), bytes)));
    }
    for (rel, bytes) in places {
        let text = String::from_utf8_lossy(&bytes);
        for value in LATENCY_VALUES {
            assert!(!contains_token(&text, value), "{rel} contains latency value {value}");
        }
    }
    for id in ["reactivation-running", "survey-failed"] {
        let s = run.summary(id);
        assert!(s.get("latency").is_none(), "{id}: latency key must be absent for a viewer");
        assert!(!strings(&s["sections"]).contains(&"latency".to_string()));
    }
}

#[test]
fn viewer_export_copies_drop_latency_but_keep_other_columns() {
    let run = viewer();
    let (header, rows) = read_csv(&run.read("campaigns/reactivation-running/export/tasks.csv"));
    assert!(!header.iter().any(|h| h == "latency_ms"), "{header:?}");
    assert!(header.iter().any(|h| h == "crm_ref"), "extra columns are kept: {header:?}");
    assert_eq!(rows.len(), 40);
    let (calls_header, calls) = read_csv(&run.read("campaigns/reactivation-running/export/calls.csv"));
    assert!(!calls_header.iter().any(|h| h == "latency_ms"), "{calls_header:?}");
    assert_eq!(calls.len(), 36);
    let export: serde_json::Value =
        serde_json::from_str(&run.read("campaigns/reactivation-running/export/campaign.json")).unwrap();
    assert!(export.get("latency").is_none());
}

#[test]
fn admin_sees_latency() {
    let run = Cli::build(["acme"]).args(["--role", "admin"]).run();
    run.expect_code(0);
    let s = run.summary("reactivation-running");
    assert_eq!(s["latency"]["p50_ms"].as_f64(), Some(1183.0));
    assert_eq!(s["latency"]["p95_ms"].as_f64(), Some(2957.0));
    assert_eq!(s["latency"]["time_to_first_word_ms"].as_f64(), Some(1471.0));
    assert_eq!(s["latency"]["post_dial_delay_ms"].as_f64(), Some(3319.0));
    assert_eq!(strings(&s["sections"]), ["progress", "dispatch-health", "tasks", "number-pool", "latency"]);
    assert!(run.read("campaigns/reactivation-running/index.html").contains("id=\"latency\""));
    let (header, rows) = read_csv(&run.read("campaigns/reactivation-running/export/tasks.csv"));
    let first = rows.iter().find(|r| cell(&header, r, "task_id") == "r-001").unwrap();
    assert_eq!(cell(&header, first, "latency_ms"), "1137");
    assert_eq!(run.summary("survey-failed")["latency"]["p95_ms"].as_f64(), Some(4451.0));
}

#[test]
fn role_outside_the_list_is_treated_like_a_viewer() {
    let run = Cli::build(["acme/q3", "acme-single.json"]).args(["--role", "analyst"]).run();
    run.expect_code(0);
    assert_no_file_contains(&run.out, "latency", true);
}

// Tenants: acme (bulk file and {"campaigns": [...]}) next to globex (a directory).

const GLOBEX_MARKERS: &[&str] = &[
    "globex",
    "claims-followup-running",
    "renewals-completed",
    "policy-survey-draft",
    "Hank Scorpio",
    "Renewal Reminders",
];
const ACME_MARKERS: &[&str] =
    &["Acme Dental", "callback-blitz-completed", "dental-checkup-completed", "Callback Blitz", "Alice Martin"];

#[test]
fn two_tenants_without_choice_write_nothing() {
    let run = Cli::build(["acme-bulk.jsonl", "globex"]).run();
    run.expect_code(2);
    assert!(run.stderr.contains("acme") && run.stderr.contains("globex"), "stderr lists the tenants: {}", run.stderr);
    assert!(files_under(&run.out).is_empty(), "nothing written: {:?}", files_under(&run.out));
}

#[test]
fn tenant_option_picks_one() {
    let run = Cli::build(["acme-bulk.jsonl", "acme-more.json", "globex"]).args(["--tenant", "acme"]).run();
    run.expect_code(0);
    for marker in GLOBEX_MARKERS {
        assert_no_file_contains(&run.out, marker, true);
    }
    assert!(run.has("callback-blitz-completed", "summary.json"));

    let run = Cli::build(["acme-bulk.jsonl", "acme-more.json", "globex"]).args(["--tenant", "globex"]).run();
    run.expect_code(0);
    for marker in ACME_MARKERS {
        assert_no_file_contains(&run.out, marker, false);
    }
    let s = run.summary("renewals-completed");
    assert_eq!(s["tenant"]["name"], "Globex Insurance");
    assert!(run.has("policy-survey-draft", "index.html"));
    assert_eq!(run.manifest()["campaigns"].as_array().unwrap().len(), 3);
}

#[test]
fn unknown_tenant_builds_nothing() {
    let run = Cli::build(["acme-bulk.jsonl", "globex"]).args(["--tenant", "initech"]).run();
    run.expect_code(2);
    assert!(files_under(&run.out).is_empty());
}

#[test]
fn all_tenants_build_side_by_side() {
    let run = Cli::build(["acme-bulk.jsonl", "globex"]).arg("--all-tenants").run();
    run.expect_code(0);
    for rel in [
        "acme/index.html",
        "acme/manifest.json",
        "acme/campaigns/callback-blitz-completed/summary.json",
        "globex/index.html",
        "globex/manifest.json",
        "globex/campaigns/renewals-completed/report.html",
        "globex/campaigns/claims-followup-running/tasks.html",
    ] {
        assert!(run.path(rel).is_file(), "{rel}");
    }
    for marker in GLOBEX_MARKERS {
        assert_no_file_contains(&run.out.join("acme"), marker, true);
    }
    for marker in ACME_MARKERS {
        assert_no_file_contains(&run.out.join("globex"), marker, false);
    }
    let manifest: serde_json::Value = serde_json::from_str(&run.read("globex/manifest.json")).unwrap();
    assert_eq!(manifest["tenant"]["id"], "globex");
}

#[test]
fn single_tenant_needs_no_choice() {
    Cli::build(["globex"]).run().expect_code(0);
}

#[test]
fn redact_contacts_masks_names_and_phones_everywhere() {
    let run = Cli::build(["acme-more.json", "acme-bulk.jsonl"]).args(["--redact", "contacts"]).run();
    run.expect_code(0);
    for secret in [
        "Lena Fischer",
        "+4915112345681",
        "Marco Bianchi",
        "+393123456781",
        "Rin Takahashi",
        "+819012345671",
        "Alice Martin",
        "+16175550101",
        "Eun-ji Kang",
        "+16175550105",
    ] {
        assert_no_file_contains(&run.out, secret, false);
    }
    let tasks = run.read("campaigns/callback-blitz-completed/tasks.html");
    assert!(
        tasks.contains("+1 617 ••• ••01"),
        "phones are masked as docs/export-format.md describes (+1 415 ••• ••12)"
    );
}
