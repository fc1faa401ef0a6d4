//! Exports of hosted platforms (docs/platforms.md): the fixtures of
//! `fixtures/platforms/` built end to end, their figures checked against numbers
//! worked out by hand from the fixture files, and the errors, tenants, roles and
//! redaction of platform input.

use serde_json::{Value, json};

use crate::common::{Cli, Inputs, Run, assert_no_file_contains, fixture, json_schema_errors, read_csv, strings};

/// Every platform fixture, built once for the tests that only read.
fn platforms() -> &'static Run {
    let run = Cli::build(["platforms"]).arg("--role").arg("admin").shared();
    run.expect_code(0);
    run
}

const RUNNING: &str = "4f6b1c2e-8d3a-4e5f-9b7c-1a2d3e4f5a60";
const ENDED: &str = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";
const CANCELLED: &str = "c3d2e1f0-a9b8-4c7d-8e6f-5a4b3c2d1e0f";
const RETELL: &str = "batch_call_3f9a2c71d0e84b5f";
const TWILIO: &str = "dental-recall-twilio";

fn funnel(s: &Value) -> Vec<u64> {
    s["funnel"]
        .as_array()
        .unwrap_or_else(|| panic!("no funnel: {s}"))
        .iter()
        .map(|st| st["count"].as_u64().unwrap())
        .collect()
}

fn progress(s: &Value) -> (u64, u64, f64) {
    let p = &s["progress"];
    (p["total"].as_u64().unwrap(), p["done"].as_u64().unwrap(), p["percent"].as_f64().unwrap())
}

/// Calls per result in the summary's analysis.
fn results(s: &Value) -> Vec<(String, u64)> {
    s["analysis"]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["label"].as_str().unwrap().to_string(), r["count"].as_u64().unwrap()))
        .filter(|(_, n)| *n > 0)
        .collect()
}

fn pool(s: &Value) -> Vec<(String, u64, u64)> {
    s["number_pool"]
        .as_array()
        .unwrap_or_else(|| panic!("no number pool: {}", s["number_pool"]))
        .iter()
        .map(|n| {
            (
                n["number"].as_str().unwrap().to_string(),
                n["attempts"].as_u64().unwrap(),
                n["answered"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn counts(pairs: &[(&str, u64)]) -> Vec<(String, u64)> {
    pairs.iter().map(|(l, n)| (l.to_string(), *n)).collect()
}

#[test]
fn a_running_vapi_campaign_is_active_with_progress_dispatch_and_pool() {
    let s = platforms().summary(RUNNING);
    assert_eq!(s["status"], "running");
    assert_eq!(s["platform"], "vapi");
    assert_eq!(s["source_status"], "in-progress");
    assert_eq!(s["layout"], "active");
    assert_eq!(s["tenant"], json!({"id": "northwind", "name": "Northwind Clinics"}));
    // 8 customers: 5 calls ended, one in progress, one queued, one never called.
    assert_eq!(progress(&s), (8, 5, 62.5));
    assert_eq!(s["dispatch"]["verdict"], "healthy");
    // Ended calls per number: …190 three (one answered), …191 two (one answered).
    assert_eq!(pool(&s), [("+13125550190".into(), 3, 1), ("+13125550191".into(), 2, 1)]);
    assert_eq!(s["data_as_of"], "2026-11-26T15:41:30.502Z");
    let tasks = platforms().read(&format!("campaigns/{RUNNING}/export/tasks.csv"));
    let (header, rows) = read_csv(&tasks);
    assert_eq!(header[..4], ["task_id", "contact_name", "phone", "status"]);
    let statuses: Vec<&str> = rows.iter().map(|r| r[3].as_str()).collect();
    assert_eq!(
        statuses,
        ["completed", "completed", "failed", "completed", "failed", "in_progress", "queued", "pending"]
    );
}

#[test]
fn an_ended_vapi_campaign_counts_its_funnel_results_and_unknown_reasons() {
    let s = platforms().summary(ENDED);
    assert_eq!((s["status"].as_str(), s["layout"].as_str()), (Some("completed"), Some("ended")));
    assert_eq!(s["source_status"], "ended");
    // Six customers, all called; answered last: …111 (after a no-answer), …112, …115;
    // 8 s with …115 is not a conversation; only …111 was a success.
    assert_eq!(funnel(&s), [6, 6, 3, 2, 1]);
    assert_eq!(
        results(&s),
        counts(&[("answered", 3), ("voicemail", 1), ("no_answer", 1), ("failed", 1), ("other", 2)])
    );
    let unknown: Vec<String> =
        strings(&s["warnings"]).into_iter().filter(|w| w.contains("customer-hung-up-during-hold-music")).collect();
    assert_eq!(unknown.len(), 1, "one warning per value: {:?}", s["warnings"]);
    assert!(unknown[0].contains("2 calls counted as other"), "{}", unknown[0]);
    let page = platforms().read(&format!("campaigns/{ENDED}/report.html"));
    assert!(page.contains("customer-hung-up-during-hold-music"), "the warning is on the page");
}

#[test]
fn a_vapi_campaign_ended_by_its_user_is_cancelled() {
    let s = platforms().summary(CANCELLED);
    assert_eq!(s["status"], "cancelled");
    assert_eq!(s["source_status"], "ended");
    // Five customers, two called before the user ended it; the other three are cancelled.
    assert_eq!(progress(&s), (5, 5, 100.0));
    assert_eq!(funnel(&s), [5, 2, 1, 1, 1]);
    let report = platforms().read(&format!("campaigns/{CANCELLED}/index.html"));
    assert!(report.contains("Ended by a user in Vapi while it was running."), "the reason is in the banner");
}

#[test]
fn a_retell_batch_maps_voicemail_no_answer_and_transfers() {
    let s = platforms().summary(RETELL);
    assert_eq!(s["status"], "completed");
    assert_eq!(s["platform"], "retell");
    assert!(s.get("source_status").is_none(), "Retell batches have no status of their own");
    // Seven numbers; answered last: …131, …133 (transferred, after a no-answer), …134
    // (bridged), …136; all four talked 10 s or more; three were successful.
    assert_eq!(funnel(&s), [7, 7, 4, 4, 3]);
    assert_eq!(results(&s), counts(&[("answered", 4), ("voicemail", 2), ("no_answer", 2), ("busy", 1)]));
    assert!(s["number_pool"].is_null(), "one from number");
    assert!(strings(&s["warnings"]).is_empty(), "{:?}", s["warnings"]);
    // 65.9 cents in all, shown in dollars.
    let report = platforms().read(&format!("campaigns/{RETELL}/report.html"));
    assert!(report.contains("0.66"), "cost in dollars on the report");
}

#[test]
fn twilio_calls_beside_a_campaign_json_use_answering_machine_detection() {
    let s = platforms().summary(TWILIO);
    assert_eq!(s["status"], "completed");
    assert_eq!(s["platform"], "twilio");
    // Eight numbers (the inbound call is left out); humans answered …141 and …143 (on its
    // retry), both for 10 s or more; Twilio has no analysis, so no goal.
    assert_eq!(funnel(&s), [8, 8, 2, 2, 0]);
    assert_eq!(results(&s), counts(&[("answered", 2), ("voicemail", 2), ("no_answer", 2), ("busy", 1), ("failed", 2)]));
    assert_eq!(pool(&s), [("+13125550193".into(), 5, 1), ("+13125550194".into(), 4, 1)]);
    assert!(
        strings(&s["warnings"]).iter().any(|w| w.contains("1 inbound Twilio call in the call files was left out.")),
        "{:?}",
        s["warnings"]
    );
}

#[test]
fn platform_latency_is_restricted_like_native_latency() {
    let admin = platforms().summary(RETELL);
    // e2e p50 of the four calls that talked: 690, 720, 810, 930 ms; the nearest-rank median.
    assert_eq!(admin["latency"]["measured_p50_ms"], 720, "{}", admin["latency"]);
    let viewer = Cli::build(["platforms/retell-batch"]).run();
    viewer.expect_code(0);
    let s = viewer.summary(RETELL);
    assert!(s.get("latency").is_none(), "no latency key for a viewer");
    let calls = viewer.read(&format!("campaigns/{RETELL}/export/calls.csv"));
    assert!(!calls.lines().next().unwrap().contains("latency"), "{calls}");
    assert_no_file_contains(&viewer.out, "latency_ms", false);
}

#[test]
fn redaction_masks_platform_contacts_everywhere() {
    let run = Cli::build(["platforms/vapi-running"]).arg("--redact").arg("contacts").run();
    run.expect_code(0);
    for secret in ["+13125550101", "Ana Lima", "Greta Lind"] {
        assert_no_file_contains(&run.out, secret, false);
    }
}

#[test]
fn the_input_format_option_forces_one_reading() {
    let native = Cli::check([fixture("platforms/vapi-running")]).arg("--input-format").arg("native").run();
    assert_ne!(native.code, 0);
    // Read as native: the calls file is not a table, and the Vapi object is no campaign object.
    assert!(native.stderr.contains("calls.json is skipped: inside a folder input"), "{}", native.stderr);
    assert!(native.stderr.contains("campaign.json:46:12: field `calls`"), "{}", native.stderr);
    let retell = Cli::check([fixture("platforms/vapi-running")]).arg("--input-format").arg("retell").run();
    assert_ne!(retell.code, 0);
    assert!(retell.stderr.contains("--input-format retell: this is not a retell export"), "{}", retell.stderr);
    let vapi = Cli::check([fixture("platforms/vapi-running")]).arg("--input-format").arg("vapi").run();
    vapi.expect_code(0);
}

fn vapi_campaign() -> Value {
    json!({"id": "camp-1", "orgId": "org-1", "name": "Probe", "status": "ended", "customers": [{"number": "+14155550101"}]})
}

#[test]
fn a_platform_campaign_needs_a_tenant_of_ours() {
    let inputs = Inputs::new();
    inputs.file("vapi/campaign.json", vapi_campaign().to_string());
    inputs.file("vapi/calls.json", "[]");
    let run = Cli::check([inputs.path()]).run();
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("set platforms.tenant in workspace.json, or give --tenant ID"), "{}", run.stderr);
    let named = Cli::check([inputs.path()]).arg("--tenant").arg("acme").run();
    named.expect_code(0);
    let built = Cli::build([inputs.path()]).arg("--tenant").arg("acme").run();
    built.expect_code(0);
    assert_eq!(built.summary("camp-1")["tenant"], json!({"id": "acme", "name": "acme"}));
}

#[test]
fn a_wrong_type_names_the_file_line_column_and_field() {
    let inputs = Inputs::new();
    inputs.workspace(json!({"platforms": {"tenant": {"id": "acme", "name": "Acme"}}}));
    inputs.file("vapi/campaign.json", vapi_campaign().to_string());
    let calls = "[\n  {\"id\": \"c1\", \"orgId\": \"org-1\", \"status\": \"ended\",\n   \"customer\": {\"number\": \"+14155550101\"}, \"cost\": \"lots\"}\n]\n";
    inputs.file("vapi/calls.json", calls);
    let run = Cli::check([inputs.path()]).run();
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("calls.json:3:52: field `cost`"), "{}", run.stderr);
    // Unknown fields are ignored, and so is an unknown status, which is counted as other.
    inputs.file(
        "vapi/calls.json",
        "[{\"id\": \"c1\", \"orgId\": \"org-1\", \"status\": \"teleporting\", \"newField\": {\"a\": 1},\n  \"customer\": {\"number\": \"+14155550101\"}}]",
    );
    let run = Cli::build([inputs.path()]).run();
    run.expect_code(0);
    let s = run.summary("camp-1");
    assert!(
        strings(&s["warnings"]).iter().any(|w| w.contains("Vapi call status \"teleporting\"")),
        "{:?}",
        s["warnings"]
    );
}

#[test]
fn an_outcome_key_reads_the_structured_analysis() {
    let inputs = Inputs::new();
    let settings = fixture("platforms/workspace.json");
    let mut workspace: Value = serde_json::from_str(&std::fs::read_to_string(settings).unwrap()).unwrap();
    workspace["platforms"]["outcome_key"] = json!("renewal");
    workspace["goal_outcomes"] = json!(["renewed"]);
    inputs.workspace(workspace);
    let run = Cli::build([fixture("platforms/retell-batch")])
        .arg("--workspace")
        .arg(inputs.path().join("workspace.json"))
        .run();
    run.expect_code(0);
    let s = run.summary(RETELL);
    // `renewal` is renewed for …131 and …133: two goals; …134 was transferred.
    assert_eq!(funnel(&s)[4], 2);
    let outcomes: Vec<&str> =
        s["analysis"]["outcomes"].as_array().unwrap().iter().map(|o| o["label"].as_str().unwrap()).collect();
    assert_eq!(outcomes, ["renewed", "declined", "transferred"]);
}

/// The objects of a fixture file: the file's value, or each line of a JSON lines file.
fn file_values(rel: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(fixture(rel)).unwrap();
    if rel.ends_with(".jsonl") {
        text.lines().filter(|l| !l.trim().is_empty()).map(|l| serde_json::from_str(l).unwrap()).collect()
    } else {
        vec![serde_json::from_str(&text).unwrap()]
    }
}

#[test]
fn each_platform_schema_accepts_its_fixture_files_and_refuses_a_wrong_type() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, &[&str]); 3] = [
        (
            "vapi",
            &[
                "platforms/vapi-running/campaign.json",
                "platforms/vapi-running/calls.json",
                "platforms/vapi-ended/campaign.json",
                "platforms/vapi-ended/calls.jsonl",
                "platforms/vapi-cancelled.json",
            ],
        ),
        ("retell", &["platforms/retell-batch/batch.json", "platforms/retell-batch/calls.json"]),
        ("twilio", &["platforms/twilio-amd/calls.json", "platforms/twilio-amd/calls-2026-11-25.jsonl"]),
    ];
    for (platform, files) in cases {
        let run = Cli::new(["schema", "--input-format", platform]).run();
        run.expect_code(0);
        let schema = dir.path().join(format!("{platform}.schema.json"));
        std::fs::write(&schema, &run.stdout).unwrap();
        let values: Vec<Value> = files.iter().flat_map(|f| file_values(f)).collect();
        let refused: Vec<String> = json_schema_errors(&schema, &values).into_iter().flatten().collect();
        assert!(refused.is_empty(), "{platform}: {refused:?}");
        // A known field with a wrong type is refused by the schema as by the reader.
        let (calls, field) = match platform {
            "vapi" => ("platforms/vapi-running/calls.json", "cost"),
            "retell" => ("platforms/retell-batch/calls.json", "start_timestamp"),
            _ => ("platforms/twilio-amd/calls.json", "price"),
        };
        let mut wrong = file_values(calls).remove(0);
        let call = &mut wrong[0];
        call[field] = json!({"amount": 1});
        assert!(json_schema_errors(&schema, &[wrong])[0].is_some(), "{platform}: {field} as an object");
    }
}

#[test]
fn a_twilio_campaign_json_is_checked_where_it_is_written() {
    let inputs = Inputs::new();
    let calls = std::fs::read_to_string(fixture("platforms/twilio-amd/calls.json")).unwrap();
    inputs.file("twilio/calls.json", &calls);
    let campaign = "{\n  \"id\": \"t1\", \"name\": \"T\", \"tenant\": {\"id\": \"acme\", \"name\": \"Acme\"},\n  \"status\": \"dialling\"\n}\n";
    inputs.file("twilio/campaign.json", campaign);
    let run = Cli::check([inputs.path()]).run();
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("campaign.json:3:3: field `status`"), "{}", run.stderr);
    let inline = "{\"id\": \"t1\", \"name\": \"T\", \"tenant\": {\"id\": \"acme\", \"name\": \"Acme\"}, \"status\": \"running\",\n \"calls\": []}";
    inputs.file("twilio/campaign.json", inline);
    let run = Cli::check([inputs.path()]).run();
    assert!(run.stderr.contains("campaign.json:2:2: field `calls`: the Twilio call records"), "{}", run.stderr);
}
