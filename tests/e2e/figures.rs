//! Figures in `summary.json`, checked against numbers worked out by hand from
//! the fixtures (the large q3 campaign: from its CSV files, see
//! `scripts/gen-fixtures.py`, whose printout they match).

use crate::common::{Cli, acme, fixture, is_snapshot_time, strings};
use serde_json::Value;

fn progress(s: &Value) -> Option<(u64, u64, f64)> {
    let p = &s["progress"];
    if p.is_null() {
        return None;
    }
    Some((
        p["total"].as_u64().expect("progress.total"),
        p["done"].as_u64().expect("progress.done"),
        p["percent"].as_f64().expect("progress.percent"),
    ))
}

fn assert_progress(s: &Value, total: u64, done: u64, percent: f64) {
    let (t, d, p) = progress(s).unwrap_or_else(|| panic!("progress is null in {}", s["id"]));
    assert_eq!((t, d), (total, done), "progress of {}", s["id"]);
    assert!((p - percent).abs() < 1e-9, "percent of {}: {p}, expected {percent}", s["id"]);
}

fn funnel(s: &Value) -> Vec<(String, u64)> {
    s["funnel"]
        .as_array()
        .unwrap_or_else(|| panic!("funnel of {} is {}", s["id"], s["funnel"]))
        .iter()
        .map(|st| (st["stage"].as_str().unwrap().to_string(), st["count"].as_u64().unwrap()))
        .collect()
}

fn assert_funnel(s: &Value, counts: [u64; 5]) {
    let stages = ["contacts", "attempted", "connected", "conversations", "goal_reached"];
    let expected: Vec<(String, u64)> = stages.iter().map(|s| s.to_string()).zip(counts).collect();
    assert_eq!(funnel(s), expected, "funnel of {}", s["id"]);
}

/// (number, attempts, answered, health) per pool row, answer rates checked on the way.
fn pool(s: &Value) -> Vec<(String, Option<u64>, Option<u64>, String)> {
    s["number_pool"]
        .as_array()
        .unwrap_or_else(|| panic!("number_pool of {} is {}", s["id"], s["number_pool"]))
        .iter()
        .map(|n| {
            let attempts = n["attempts"].as_u64();
            let answered = n["answered"].as_u64();
            match (attempts, answered) {
                (Some(a), Some(b)) if a > 0 => {
                    let rate = n["answer_rate"].as_f64().expect("answer_rate");
                    let want = b as f64 / a as f64;
                    assert!((rate - want).abs() < 1e-9, "answer_rate of {}: {rate} vs {want}", n["number"]);
                }
                _ => assert!(n["answer_rate"].is_null(), "answer_rate of {} should be null", n["number"]),
            }
            (n["number"].as_str().unwrap().to_string(), attempts, answered, n["health"].as_str().unwrap().to_string())
        })
        .collect()
}

fn row(
    number: &str,
    attempts: Option<u64>,
    answered: Option<u64>,
    health: &str,
) -> (String, Option<u64>, Option<u64>, String) {
    (number.to_string(), attempts, answered, health.to_string())
}

fn stats_warnings(s: &Value) -> Vec<String> {
    strings(&s["warnings"]).into_iter().filter(|w| w.contains("stats")).collect()
}

#[test]
fn summary_carries_identity_and_snapshot_time() {
    let run = acme();
    let s = run.summary("billing-paused");
    assert_eq!(s["id"], "billing-paused");
    assert_eq!(s["name"], "Outstanding Balance Reminders");
    assert_eq!(s["status"], "PAUSED", "status is kept as exported");
    assert_eq!(s["tenant"]["id"], "acme");
    assert_eq!(s["tenant"]["name"], "Acme Dental");
    assert!(is_snapshot_time(&s["generated_at"]), "generated_at = {}", s["generated_at"]);
    assert_eq!(run.summary("intake-draft-empty")["status"], " Draft ");
}

#[test]
fn q3_winback_completed_large_campaign() {
    // 3,000 tasks: 2,042 completed, 898 failed, 20 cancelled, 40 skipped.
    let s = acme().summary("q3-winback-completed");
    assert_progress(&s, 3000, 3000, 100.0);
    // attempted: all but the 60 skipped/cancelled; connected: last_result answered;
    // conversations: answered with talk >= 10 s; goal: booked (506) + callback_booked (179).
    assert_funnel(&s, [3000, 2940, 2042, 1735, 685]);
    // From calls.csv (7,813 calls), not from number_pool.csv's lagging counters.
    assert_eq!(
        pool(&s),
        vec![
            row("+14155550171", Some(2290), Some(693), "ok"),
            row("+14155550172", Some(2376), Some(717), "ok"),
            row("+14155550173", Some(2178), Some(571), "flagged"),
            row("+14155550174", Some(969), Some(61), "low_answer_rate"),
        ]
    );
    let u = &s["upload"];
    assert_eq!(u["id"], "upl-q3-0001");
    assert_eq!(u["file_name"], "q3-winback-list.csv");
    assert_eq!(u["status"], "completed");
    assert_eq!(u["rows_total"], 3120);
    assert_eq!(u["rows_accepted"], 3000);
    assert_eq!(u["rows_rejected"], 120);
    assert_eq!(u["rows_duplicate"], 37);
    assert!(stats_warnings(&s).is_empty(), "stats agree: {:?}", s["warnings"]);
    assert!(s["readiness"].is_null());
}

#[test]
fn reactivation_running_from_tasks_csv_and_calls_csv() {
    // 40 tasks: 15 completed + 4 failed + 1 skipped + 1 cancelled are done.
    let s = acme().summary("reactivation-running");
    assert_progress(&s, 40, 21, 52.5);
    assert!(s["funnel"].is_null(), "no funnel while running");
    // 36 calls: +…121 11 calls / 4 answered, +…122 10 / 4, +…125 15 / 5; all under 20 attempts.
    assert_eq!(
        pool(&s),
        vec![
            row("+14155550121", Some(11), Some(4), "ok"),
            row("+14155550122", Some(10), Some(4), "ok"),
            row("+14155550125", Some(15), Some(5), "ok"),
        ]
    );
    assert!(stats_warnings(&s).is_empty(), "stats agree: {:?}", s["warnings"]);
    assert!(s["upload"].is_null());
}

#[test]
fn billing_paused_stats_disagree_with_tasks() {
    // 12 tasks (5 completed, 1 failed, 2 queued, 4 pending); stats say total 13, completed 7.
    let s = acme().summary("billing-paused");
    assert_progress(&s, 12, 6, 50.0);
    assert!(!stats_warnings(&s).is_empty(), "expected a stats warning: {:?}", s["warnings"]);
    assert!(s["number_pool"].is_null(), "one from number only");
}

#[test]
fn flu_shot_scheduled_pool_without_figures() {
    let s = acme().summary("flu-shot-scheduled");
    assert_progress(&s, 10, 0, 0.0);
    // Neither calls nor number_pool: the configured numbers with no figures.
    assert_eq!(pool(&s), vec![row("+14155550111", None, None, "ok"), row("+14155550112", None, None, "ok")]);
}

#[test]
fn survey_failed_funnel_and_pool_from_number_pool_table() {
    // s-1 184.5 s, s-2 exactly 10 s (counts), s-3 9.5 s (does not), s-4 48 s.
    let s = acme().summary("survey-failed");
    assert_progress(&s, 8, 8, 100.0);
    assert_funnel(&s, [8, 6, 4, 3, 2]);
    // +…141 is configured; +…142 is only in the data. 4/30 < 0.15 with 30 >= 20 attempts;
    // 1/12 is low too but has fewer than 20 attempts.
    assert_eq!(
        pool(&s),
        vec![row("+14155550141", Some(30), Some(4), "low_answer_rate"), row("+14155550142", Some(12), Some(1), "ok"),]
    );
}

#[test]
fn promo_cancelled_uses_workspace_goal_outcomes() {
    // No goal_outcomes in its config: the workspace's ["booked"] applies.
    let s = acme().summary("promo-cancelled");
    assert_progress(&s, 6, 6, 100.0);
    assert_funnel(&s, [6, 2, 2, 2, 1]);
    assert!(s["number_pool"].is_null());
}

#[test]
fn legacy_archived_progress_from_stats() {
    let s = acme().summary("legacy-archived");
    assert_eq!(s["layout"], "ended");
    assert_progress(&s, 120, 120, 100.0);
    assert!(s["funnel"].is_null(), "no tasks, no funnel");
}

#[test]
fn progress_from_stats_only() {
    let run = acme();
    // 120 completed + 10 failed + 5 skipped of 250.
    assert_progress(&run.summary("hygiene-reminder-running"), 250, 135, 54.0);
    // 10 completed + 30 cancelled of 50.
    assert_progress(&run.summary("whitening-cancelled"), 50, 40, 80.0);
    // 50 + 6 + 4 of 80.
    assert_progress(&run.summary("no-show-followup-paused"), 80, 60, 75.0);
    // Nothing to count.
    assert!(run.summary("orthodontics-scheduled")["progress"].is_null());
    assert!(run.summary("intake-draft-empty")["progress"].is_null());
}

#[test]
fn partial_stats_that_agree_raise_no_warning() {
    // stats {total 5, completed 2}; the other counters are absent, so not compared.
    let s = acme().summary("implant-consult-running");
    assert_progress(&s, 5, 2, 40.0);
    assert!(stats_warnings(&s).is_empty(), "{:?}", s["warnings"]);
}

#[test]
fn bulk_campaign_with_inline_calls() {
    let s = acme().summary("callback-blitz-completed");
    // cb-2 talked 5 s (no conversation); cb-5 is callback_booked, not a goal here.
    assert_funnel(&s, [6, 5, 3, 2, 1]);
    assert_progress(&s, 6, 6, 100.0);
    // Configured number first, then the others seen in calls in string order.
    assert_eq!(
        pool(&s),
        vec![
            row("+14155550192", Some(2), Some(1), "ok"),
            row("+14155550191", Some(2), Some(1), "ok"),
            row("+14155550193", Some(3), Some(1), "ok"),
        ]
    );
}

#[test]
fn goal_does_not_require_a_conversation() {
    // dc-2 booked after 8 s of talk: a goal, not a conversation.
    assert_funnel(&acme().summary("dental-checkup-completed"), [4, 4, 3, 2, 2]);
}

#[test]
fn flagged_wins_over_answer_rate() {
    assert_eq!(
        pool(&acme().summary("no-show-followup-paused")),
        vec![row("+14155550197", Some(40), Some(12), "ok"), row("+14155550198", Some(25), Some(2), "flagged"),]
    );
    let s = acme().summary("orthodontics-scheduled");
    assert_eq!(pool(&s), vec![row("+14155550198", None, None, "ok"), row("+14155550199", None, None, "ok")]);
}

#[test]
fn single_number_campaigns_have_no_pool() {
    for id in ["hygiene-reminder-running", "whitening-cancelled", "legacy-archived", "birthday-draft"] {
        assert!(acme().summary(id)["number_pool"].is_null(), "{id}");
    }
}

fn readiness(s: &Value) -> Vec<(String, bool)> {
    s["readiness"]
        .as_array()
        .unwrap_or_else(|| panic!("readiness of {} is {}", s["id"], s["readiness"]))
        .iter()
        .map(|c| {
            assert!(c["detail"].is_string(), "detail of {c}");
            (c["check"].as_str().unwrap().to_string(), c["ok"].as_bool().unwrap())
        })
        .collect()
}

fn checks(oks: [bool; 6]) -> Vec<(String, bool)> {
    ["name", "audience", "from_numbers", "calling_window", "agent", "schedule"]
        .iter()
        .map(|c| c.to_string())
        .zip(oks)
        .collect()
}

#[test]
fn readiness_of_drafts() {
    let run = acme();
    // Audience from the upload's 212 accepted rows; no calling window.
    assert_eq!(readiness(&run.summary("spring-recall-draft")), checks([true, true, true, false, true, true]));
    assert_eq!(readiness(&run.summary("birthday-draft")), checks([true; 6]));
    let empty = readiness(&run.summary("intake-draft-empty"));
    assert_eq!(empty.len(), 6);
    assert_eq!(&empty[..5], &checks([true, false, false, false, false, true])[..5]);
    let optin = readiness(&run.summary("newsletter-optin-draft"));
    assert_eq!(&optin[..5], &checks([true, true, false, false, true, true])[..5]);
    let spring = run.summary("spring-recall-draft");
    let window = spring["readiness"].as_array().unwrap().iter().find(|c| c["check"] == "calling_window").unwrap();
    assert!(!window["detail"].as_str().unwrap().trim().is_empty(), "a failed check says why");
    assert!(spring["funnel"].is_null());
}

#[test]
fn draft_upload_and_pool() {
    let s = acme().summary("spring-recall-draft");
    assert_eq!(s["upload"]["rows_accepted"], 212);
    assert_eq!(s["upload"]["rows_rejected"], 3);
    assert_eq!(pool(&s), vec![row("+14155550101", None, None, "ok"), row("+14155550102", None, None, "ok")]);
}

#[test]
fn workspace_file_overrides_directory_workspace() {
    // workspace-alt.json: conversations need 30 s, goal ["success"], latency for everyone,
    // and "archived" is not declared terminal, so legacy-archived is an error.
    let run = Cli::build(["acme"]).arg("--workspace").arg(fixture("workspace-alt.json")).run();
    run.expect_code(1);
    assert!(run.stderr.contains("legacy-archived"), "stderr: {}", run.stderr);
    assert!(!run.path("campaigns/legacy-archived").exists());
    // s-1 184.5 s and s-4 48 s reach 30 s; goals come from the campaign's own config.
    assert_funnel(&run.summary("survey-failed"), [8, 6, 4, 2, 2]);
    // p-1 120 s, p-2 35 s; nobody reached "success".
    assert_funnel(&run.summary("promo-cancelled"), [6, 2, 2, 2, 0]);
    assert_funnel(&run.summary("q3-winback-completed"), [3000, 2940, 2042, 1676, 685]);
    let r = run.summary("reactivation-running");
    assert_eq!(
        r["latency"]["p50_ms"].as_f64(),
        Some(1183.0),
        "latency_metrics_roles [\"*\"] lets a viewer see latency"
    );
}
