//! The JSON Schema that `campaign-report schema` prints says what `campaign-report
//! check` accepts, as a real validator (Ajv, `tools/validate-json.js`) applies it:
//! every fixture campaign object passes both, the invalid fixtures fail both, and
//! for each probe value of each checked field the two agree, except where
//! docs/export-format.md says the schema cannot state the reader's rule (there the
//! schema accepts and the reader refuses).

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::common::{Cli, Inputs, fixture, fixture_campaigns, json_schema_errors};

/// The schema the binary prints, written into `dir`.
fn printed_schema(dir: &Path) -> PathBuf {
    let run = Cli::new(["schema"]).run();
    run.expect_code(0);
    let path = dir.join("campaign.schema.json");
    fs::write(&path, &run.stdout).expect("write the schema");
    path
}

#[test]
fn every_fixture_campaign_is_valid_against_the_printed_schema() {
    let dir = tempfile::tempdir().expect("temp dir");
    let schema = printed_schema(dir.path());
    let campaigns = fixture_campaigns();
    // As many as `check` counts in the same inputs: none was missed.
    let check = Cli::check(["acme", "acme-bulk.jsonl", "acme-more.json", "acme-single.json", "globex"]).run();
    check.expect_code(0);
    assert!(
        check.stderr.contains(&format!("{} campaigns checked, no problems found", campaigns.len())),
        "{} fixture campaigns found; check said:\n{}",
        campaigns.len(),
        check.stderr
    );
    let values: Vec<Value> = campaigns.iter().map(|c| c.value.clone()).collect();
    let refused: Vec<String> = campaigns
        .iter()
        .zip(json_schema_errors(&schema, &values))
        .filter_map(|(c, errors)| errors.map(|e| format!("{}: {e}", c.name)))
        .collect();
    assert!(
        refused.is_empty(),
        "the printed schema refuses fixture campaigns that check accepts:\n{}",
        refused.join("\n")
    );
}

/// What the reader and the schema are expected to say of a probe.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    /// Both accept it.
    Valid,
    /// Both refuse it.
    Invalid,
    /// The schema accepts it and the reader refuses it: a rule docs/export-format.md
    /// names as one the schema cannot state.
    Gap,
}

/// A campaign object with every field whose schema is written by hand, each valid.
fn base(id: &str) -> Value {
    json!({
        "schema_version": 1,
        "exported_at": "2026-11-27T12:00:00Z",
        "id": id,
        "name": "Probe",
        "tenant": {"id": "probes", "name": "Probes"},
        "status": "running",
        "started_at": "2026-11-20T09:00:00-05:00",
        "timezone": "America/New_York",
        "config": {
            "from_numbers": ["+14155550100"],
            "calling_window": {"days": ["mon", "fri"], "start": "09:00", "end": "17:00"},
            "max_attempts": 3,
            "audience": {"size": 1}
        },
        "stats": {"total": 1, "completed": 1},
        "dispatch": {"queued": 0, "last_dispatch_at": "2026-11-27T11:00:00Z", "errors_by_reason": {"busy": 1}},
        "latency": {"p50_ms": 850, "p95_ms": "1200.5"},
        "upload": {"status": "completed", "rows_total": 1, "uploaded_at": "2026-11-19T10:00:00Z"},
        "tasks": [{
            "task_id": "t-1", "phone": "+14155550123", "status": "completed", "attempts": 1,
            "last_result": "answered", "talk_seconds": 42, "last_attempt_at": "2026-11-21T10:00:00Z",
            "from_number": "+14155550100", "latency_ms": 900
        }],
        "calls": [{
            "call_id": "c-1", "task_id": "t-1", "from_number": "+14155550100", "to_number": "+14155550123",
            "started_at": "2026-11-21T10:00:00Z", "result": "answered", "duration_seconds": 42, "cost": 0.013
        }],
        "number_pool": [{"number": "+14155550100", "attempts": 1, "answered": 1}]
    })
}

/// `(JSON pointer, values, expected)`: each value put at the pointer of [`base`].
fn probes() -> Vec<(&'static str, Vec<Value>, Expect)> {
    use Expect::*;
    let a128 = "a".repeat(128);
    let a129 = "a".repeat(129);
    vec![
        // NonNegative: a finite number ≥ 0, or a decimal string read trimmed.
        (
            "/calls/0/cost",
            vec![
                json!(0),
                json!(0.013),
                json!(1e3),
                json!(-0.0),
                json!(f64::MAX),
                json!("0.013"),
                json!(" 0.013 "),
                json!("\u{3000}7\u{85}"),
                json!("+1"),
                json!("1."),
                json!(".5"),
                json!("1E-3"),
                json!("0e99999"),
                json!("00012"),
                json!("1e-400"),
            ],
            Valid,
        ),
        (
            "/calls/0/cost",
            vec![
                json!(-1),
                json!(-0.5),
                json!("-0"),
                json!("-1"),
                json!("abc"),
                json!(""),
                json!(" "),
                json!("1e"),
                json!("."),
                json!("NaN"),
                json!("inf"),
                json!("+infinity"),
                json!("1,5"),
                json!("0x10"),
                json!("1 000"),
                json!("\u{feff}1"),
                json!(true),
                json!({}),
            ],
            Invalid,
        ),
        ("/calls/0/cost", vec![json!("1e400")], Gap),
        ("/tasks/0/talk_seconds", vec![json!("9.5"), json!(10)], Valid),
        ("/latency/p50_ms", vec![json!("-3"), json!(-3)], Invalid),
        // Times: RFC 3339 and the other forms jiff reads, trimmed; blank is absent.
        (
            "/started_at",
            vec![
                json!("2026-11-27T09:00:00Z"),
                json!("2026-11-27t09:00:00z"),
                json!("2026-11-27 09:00:00+00:00"),
                json!("20261127T090000Z"),
                json!("20261127T09:00:00Z"),
                json!("2026-11-27T09Z"),
                json!("2026-11-27T09:30-05"),
                json!("2026-11-27T0930-0500"),
                json!("2026-11-27T09:00:00.123456789+05:30"),
                json!("2026-11-27T09:00:00,5Z"),
                json!("2026-11-27T09:00:00+05:30:15"),
                json!("2026-11-27T23:59:60Z"),
                json!("2024-02-29T00:00:00Z"),
                json!("2026-11-27T09:00:00-05:00[America/New_York]"),
                json!("2026-11-27T09:00:00Z[u-ca=iso8601]"),
                json!("2026-11-27T09:00:00+01:00[!Europe/Paris][foo=bar-baz]"),
                json!("2026-11-27T09:00:00Z[+01:00]"),
                json!("+002026-11-27T09:00:00Z"),
                json!("-000001-06-01T00:00:00Z"),
                json!(" 2026-11-27T09:00:00Z\n"),
                json!(""),
                json!("\u{2003}"),
                Value::Null,
            ],
            Valid,
        ),
        (
            "/started_at",
            vec![
                json!("2026-11-27T09:00:00"),
                json!("2026-11-27"),
                json!("2026-11-27T24:00:00Z"),
                json!("2026-13-01T00:00:00Z"),
                json!("2026-11-00T00:00:00Z"),
                json!("2026-11-27T09:00:00.1234567890Z"),
                json!("2026-11-27T09:00:00+26:00"),
                json!("2026-11-27T09:00:00Z[!u-ca=iso8601]"),
                json!("2026-11-27T09:00:00Z[Europe/Paris][Europe/Rome]"),
                json!("2026-1127T09:00:00Z"),
                json!("2026-11-27T09:0Z"),
                json!("-000000-01-01T00:00:00Z"),
                json!("+010000-01-01T00:00:00Z"),
                json!("\u{feff}2026-11-27T09:00:00Z"),
                json!("yesterday"),
                json!(1764234000),
            ],
            Invalid,
        ),
        (
            "/started_at",
            vec![
                json!("2026-02-30T00:00:00Z"),
                json!("2026-11-31T00:00:00Z"),
                json!("2025-02-29T00:00:00Z"),
                json!("9999-12-31T23:59:59-01:00"),
            ],
            Gap,
        ),
        ("/tasks/0/last_attempt_at", vec![json!(" "), json!("2026-11-21T10:00:00+02")], Valid),
        ("/dispatch/last_dispatch_at", vec![json!("soon")], Invalid),
        // Ids become folder names.
        (
            "/id",
            vec![json!("console"), json!("com"), json!("com0"), json!("Con-1"), json!("A.b_c-1"), json!(a128)],
            Valid,
        ),
        (
            "/id",
            vec![
                json!("CON"),
                json!("con.txt"),
                json!("Com1"),
                json!("lpt9.x.y"),
                json!("x."),
                json!(".."),
                json!(".hidden"),
                json!("a/b"),
                json!(""),
                json!(" a"),
                json!("é"),
                json!(a129),
            ],
            Invalid,
        ),
        ("/tenant/id", vec![json!("nul"), json!("aux.")], Invalid),
        // Phones: E.164 exactly; an optional one may be blank.
        ("/tasks/0/phone", vec![json!("+1234567"), json!("+123456789012345")], Valid),
        (
            "/tasks/0/phone",
            vec![
                json!(""),
                json!(" +14155550123"),
                json!("+0123456789"),
                json!("14155550123"),
                json!("+1234567890123456"),
                json!("+1 415 555 0123"),
            ],
            Invalid,
        ),
        ("/calls/0/to_number", vec![json!(""), json!("  "), Value::Null, json!("+442071838750")], Valid),
        ("/tasks/0/from_number", vec![json!("\t")], Valid),
        ("/calls/0/from_number", vec![json!(" +14155550100"), json!("555")], Invalid),
        ("/config/from_numbers/0", vec![json!("")], Invalid),
        ("/number_pool/0/number", vec![json!(" ")], Invalid),
        // Text that must not be empty.
        ("/tasks/0/task_id", vec![json!("t"), json!(" t "), json!("\u{feff}"), json!("\u{180e}")], Valid),
        ("/tasks/0/task_id", vec![json!(""), json!(" "), json!("\u{85}"), json!("\u{3000}\t")], Invalid),
        // Clock times.
        ("/config/calling_window/start", vec![json!("00:00"), json!("23:59")], Valid),
        (
            "/config/calling_window/end",
            vec![json!("24:00"), json!("9:00"), json!("09:60"), json!(" 09:00"), json!("09:00:00")],
            Invalid,
        ),
        // Words: trimmed, ASCII case ignored.
        (
            "/tasks/0/status",
            vec![json!("completed"), json!(" In_Progress "), json!("SKIPPED"), json!("\u{a0}queued\u{2029}")],
            Valid,
        ),
        (
            "/tasks/0/status",
            vec![json!("complete"), json!("in progress"), json!("ſkipped"), json!(""), json!("\u{feff}failed")],
            Invalid,
        ),
        ("/tasks/0/last_result", vec![json!(""), json!(" "), Value::Null, json!("No_Answer")], Valid),
        ("/tasks/0/last_result", vec![json!("maybe")], Invalid),
        ("/calls/0/result", vec![json!("VOICEMAIL")], Valid),
        ("/calls/0/result", vec![json!(""), Value::Null], Invalid),
        ("/config/calling_window/days", vec![json!(["MON", " sun "]), json!([])], Valid),
        ("/config/calling_window/days", vec![json!(["monday"])], Invalid),
        ("/upload/status", vec![json!("Staged")], Valid),
        ("/upload/status", vec![json!("done")], Invalid),
        // Whole numbers: the Rust type's range; the format version up to the one read.
        ("/schema_version", vec![json!(0), json!(1)], Valid),
        ("/schema_version", vec![json!(2), json!("1"), json!(-1), json!(1.5)], Invalid),
        ("/schema_version", vec![json!(1.0)], Gap),
        ("/config/max_attempts", vec![json!(0), json!(4294967295u64)], Valid),
        ("/config/max_attempts", vec![json!(4294967296u64), json!(-1), json!("3"), json!(2.5)], Invalid),
        ("/config/max_attempts", vec![json!(3.0), json!(-0.0)], Gap),
        ("/stats/total", vec![json!(u64::MAX)], Valid),
        ("/dispatch/errors_by_reason/busy", vec![json!(-2)], Invalid),
        // Time zones are looked up in the bundled database, which the schema does not list.
        ("/timezone", vec![json!("Europe/Paris"), json!("UTC"), Value::Null], Valid),
        ("/timezone", vec![json!("Mars/Olympus_Mons")], Gap),
        ("/timezone", vec![json!(5)], Invalid),
        // Statuses depend on the workspace's terminal statuses.
        ("/status", vec![json!(" Paused "), json!("canceled")], Valid),
        ("/status", vec![json!("on_hold")], Gap),
        ("/name", vec![Value::Null], Invalid),
        ("/unknown_field", vec![json!({"ignored": true})], Valid),
    ]
}

#[test]
fn the_printed_schema_and_check_agree_value_by_value() {
    let mut cases: Vec<(String, Value, Expect)> = Vec::new();
    let mut n = 0;
    for (pointer, values, expect) in probes() {
        for value in values {
            n += 1;
            let mut campaign = base(&format!("probe-{n}"));
            let (parent, key) = pointer.rsplit_once('/').expect("a JSON pointer");
            match campaign.pointer_mut(parent).unwrap_or_else(|| panic!("{parent} is not in the base campaign")) {
                Value::Object(map) => drop(map.insert(key.to_string(), value.clone())),
                Value::Array(items) => items[key.parse::<usize>().expect("an index")] = value.clone(),
                _ => panic!("{parent} holds no fields"),
            }
            cases.push((format!("{pointer} = {value}"), campaign, expect));
        }
    }
    // The invalid fixtures that are one campaign object each.
    for rel in [
        "invalid/bad-id.json",
        "invalid/bad-timestamp.json",
        "invalid/missing-name.json",
        "invalid/newer-schema.json",
        "invalid/wrong-type/campaign.json",
        "invalid/mixed/bad-config/campaign.json",
    ] {
        let text = fs::read_to_string(fixture(rel)).expect("invalid fixture");
        cases.push((rel.to_string(), serde_json::from_str(&text).expect("JSON"), Expect::Invalid));
    }

    // The reader: one `check` of a .jsonl file with a campaign per line.
    let inputs = Inputs::new();
    let lines: String = cases.iter().map(|(_, c, _)| format!("{c}\n")).collect();
    inputs.file("probes.jsonl", lines);
    let file = inputs.path().join("probes.jsonl");
    let check = Cli::check([&file]).run();
    let prefix = format!("campaign-report: error: {}:", file.display());
    let refused_lines: Vec<usize> = check
        .stderr
        .lines()
        .filter_map(|l| l.strip_prefix(&prefix))
        .map(|rest| rest.split(':').next().and_then(|n| n.parse().ok()).expect("a line number"))
        .collect();
    let reader_errors: Vec<Option<String>> = (1..=cases.len())
        .map(|line| {
            refused_lines.contains(&line).then(|| {
                check
                    .stderr
                    .lines()
                    .filter(|l| l.starts_with(&format!("{prefix}{line}:")))
                    .collect::<Vec<_>>()
                    .join("; ")
            })
        })
        .collect();

    // The schema.
    let dir = tempfile::tempdir().expect("temp dir");
    let schema = printed_schema(dir.path());
    let values: Vec<Value> = cases.iter().map(|(_, c, _)| c.clone()).collect();
    let schema_errors = json_schema_errors(&schema, &values);

    let mut wrong = Vec::new();
    for (((what, _, expect), reader), schema) in cases.iter().zip(&reader_errors).zip(&schema_errors) {
        let (reader_ok, schema_ok) = match expect {
            Expect::Valid => (true, true),
            Expect::Invalid => (false, false),
            Expect::Gap => (false, true),
        };
        if reader.is_none() != reader_ok || schema.is_none() != schema_ok {
            wrong.push(format!(
                "{what} (expected {expect:?}):\n  check: {}\n  schema: {}",
                reader.as_deref().unwrap_or("accepted"),
                schema.as_deref().unwrap_or("accepted")
            ));
        }
    }
    assert!(wrong.is_empty(), "{} of {} probes:\n{}", wrong.len(), cases.len(), wrong.join("\n"));
    // Some probes are refused by both, so the comparison can fail.
    assert!(cases.iter().filter(|(_, _, e)| *e == Expect::Invalid).count() > 50);
}
