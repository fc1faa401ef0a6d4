//! Every input form (directory at any depth, .json, {"campaigns": [...]},
//! .jsonl) and the CSV quirks real exports have.

use crate::common::{Cli, Run, acme, cell, read_csv};
use serde_json::Value;

fn campaign_ids(run: &Run) -> Vec<String> {
    let manifest = run.manifest();
    let mut ids: Vec<String> =
        manifest["campaigns"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_string()).collect();
    ids.sort();
    ids
}

fn sorted(ids: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

const DIRECTORY: &[&str] = &[
    "spring-recall-draft",
    "intake-draft-empty",
    "flu-shot-scheduled",
    "reactivation-running",
    "billing-paused",
    "q3-winback-completed",
    "survey-failed",
    "promo-cancelled",
    "legacy-archived",
];
const BULK: &[&str] = &[
    "callback-blitz-completed",
    "birthday-draft",
    "implant-consult-running",
    "whitening-cancelled",
    "orthodontics-scheduled",
];
const MORE: &[&str] = &["dental-checkup-completed", "newsletter-optin-draft", "no-show-followup-paused"];

#[test]
fn directory_finds_bundles_at_any_depth() {
    let run = acme();
    for id in DIRECTORY {
        assert!(run.has(id, "summary.json"), "{id}");
    }
}

#[test]
fn all_input_forms_in_one_run() {
    let all: Vec<&str> =
        DIRECTORY.iter().chain(BULK).chain(MORE).chain(&["hygiene-reminder-running"]).copied().collect();
    assert_eq!(campaign_ids(acme()), sorted(&all));
}

#[test]
fn jsonl_alone() {
    let run = Cli::build(["acme-bulk.jsonl"]).shared();
    run.expect_code(0);
    assert_eq!(campaign_ids(run), sorted(BULK));
    assert_eq!(run.summary("implant-consult-running")["status"], "Running");
    assert_eq!(run.summary("whitening-cancelled")["layout"], "ended");
}

#[test]
fn campaigns_wrapper_alone() {
    let run = Cli::build(["acme-more.json"]).run();
    run.expect_code(0);
    assert_eq!(campaign_ids(&run), sorted(MORE));
}

#[test]
fn single_campaign_file_alone() {
    let run = Cli::build(["acme-single.json"]).run();
    run.expect_code(0);
    assert_eq!(campaign_ids(&run), sorted(&["hygiene-reminder-running"]));
    assert!(!run.has("hygiene-reminder-running", "export/tasks.csv"), "no tasks in the export");
}

#[test]
fn tasks_csv_quirks_survive_into_the_export_copy() {
    // tasks.csv starts with a BOM, quotes fields holding commas, quotes and a newline,
    // and carries an extra crm_ref column.
    let run = acme();
    let (header, rows) = read_csv(&run.read("campaigns/reactivation-running/export/tasks.csv"));
    assert_eq!(header.first().map(String::as_str), Some("task_id"));
    assert!(header.iter().any(|h| h == "crm_ref"), "{header:?}");
    assert_eq!(rows.len(), 40);
    let by_id = |id: &str| rows.iter().find(|r| cell(&header, r, "task_id") == id).unwrap_or_else(|| panic!("{id}"));
    assert_eq!(cell(&header, by_id("r-001"), "contact_name"), "Nguyen, Van An");
    assert_eq!(cell(&header, by_id("r-002"), "contact_name"), "Robert \"Bobby\" Tables");
    assert_eq!(cell(&header, by_id("r-003"), "contact_name"), "Mary-Jane Watson\n(ask for MJ)");
    assert_eq!(cell(&header, by_id("r-003"), "phone"), "+14155550203");
    assert_eq!(cell(&header, by_id("r-013"), "contact_name"), "O'Connor, Siobhán");
    assert_eq!(cell(&header, by_id("r-013"), "crm_ref"), "CRM-1013");
    assert_eq!(cell(&header, by_id("r-040"), "crm_ref"), "CRM-1040");
}

#[test]
fn names_in_many_scripts_reach_the_pages() {
    let run = acme();
    let tasks = run.read("campaigns/reactivation-running/tasks.html");
    for name in [
        "Nguyen, Van An",
        "Bobby",
        "Иван Смирнов",
        "Ελένη Γεωργίου",
        "محمد الأحمد",
        "דוד כהן",
        "李小龙",
        "渡辺 健二",
        "Ana Sofía Ruiz 🌷",
        "Søren Kierkegaard",
    ] {
        assert!(tasks.contains(name), "tasks page shows {name}");
    }
}

#[test]
fn inline_tables_become_export_csvs() {
    let run = acme();
    let (header, tasks) = read_csv(&run.read("campaigns/callback-blitz-completed/export/tasks.csv"));
    assert_eq!(tasks.len(), 6);
    assert!(header.iter().any(|h| h == "task_id"));
    let (calls_header, calls) = read_csv(&run.read("campaigns/callback-blitz-completed/export/calls.csv"));
    assert_eq!(calls.len(), 7);
    assert!(calls_header.iter().any(|h| h == "from_number"));
    let (_, flu) = read_csv(&run.read("campaigns/flu-shot-scheduled/export/tasks.csv"));
    assert_eq!(flu.len(), 10);
    let (_, rejects) = read_csv(&run.read("campaigns/spring-recall-draft/export/upload_rejects.csv"));
    assert_eq!(rejects.len(), 3);
}

#[test]
fn large_tables_are_copied_whole() {
    let run = acme();
    let (_, tasks) = read_csv(&run.read("campaigns/q3-winback-completed/export/tasks.csv"));
    assert_eq!(tasks.len(), 3000);
    let (_, calls) = read_csv(&run.read("campaigns/q3-winback-completed/export/calls.csv"));
    assert_eq!(calls.len(), 7813);
    let (header, rejects) = read_csv(&run.read("campaigns/q3-winback-completed/export/upload_rejects.csv"));
    assert_eq!(rejects.len(), 120);
    assert!(header.iter().any(|h| h == "source"), "raw columns of the rejected rows are kept: {header:?}");
    // As scripts/gen-fixtures.py prints them; an empty phone stays empty in the copy.
    let mut reasons = std::collections::BTreeMap::new();
    for row in &rejects {
        *reasons.entry(cell(&header, row, "reason")).or_insert(0) += 1;
    }
    let expected = [("do_not_call", 19), ("duplicate", 37), ("invalid_phone", 32), ("missing_field", 32)];
    assert_eq!(reasons, expected.into_iter().collect());
    let missing = rejects.iter().filter(|r| cell(&header, r, "reason") == "missing_field");
    assert!(missing.into_iter().all(|r| cell(&header, r, "phone").is_empty()), "\"phone is empty\" rows have no phone");
}

#[test]
fn audience_preview_shows_every_column() {
    let run = acme();
    let page = run.read("campaigns/spring-recall-draft/index.html");
    // Column names read as labels: `last_visit` is shown as "Last visit".
    for text in [
        "Last visit",
        "Preferred language",
        "Zoë Müller",
        "山田 太郎",
        "Nguyen, Thi Mai",
        "Ольга Петрова",
        "2026-04-02",
    ] {
        assert!(page.contains(text), "preview shows {text}");
    }
    let inline = run.read("campaigns/newsletter-optin-draft/index.html");
    assert!(inline.contains("Clinic") && inline.contains("Main Square") && inline.contains("高橋凛"));
}

#[test]
fn export_campaign_json_is_the_campaign() {
    let run = acme();
    let export: Value = serde_json::from_str(&run.read("campaigns/q3-winback-completed/export/campaign.json")).unwrap();
    assert_eq!(export["id"], "q3-winback-completed");
    assert_eq!(export["tenant"]["id"], "acme");
}

#[test]
fn schema_command_prints_json_schema() {
    let run = Cli::new(["schema"]).run();
    run.expect_code(0);
    let schema: Value = serde_json::from_str(&run.stdout).expect("schema is JSON");
    let props = &schema["properties"];
    for key in ["id", "name", "tenant", "status", "tasks"] {
        assert!(props.get(key).is_some(), "schema describes {key}");
    }
}
