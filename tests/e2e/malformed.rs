//! A corpus of malformed exports: each gives one clear error naming the file, the
//! position and the field, while a valid campaign beside it is still built, and
//! none makes the tool panic.

use crate::common::{Bundle, Cli, Inputs};
use serde_json::{Value, json};

/// A valid running campaign with two tasks, inline.
fn campaign(id: &str) -> Bundle {
    Bundle::new(id).merge(json!({
        "name": "Spring recall",
        "status": "running",
        "config": {"from_numbers": ["+14155550100"]},
        "tasks": [
            {"task_id": "t1", "phone": "+14155550101", "status": "completed", "attempts": 1, "last_result": "answered"},
            {"task_id": "t2", "phone": "+14155550102", "status": "pending"}
        ]
    }))
}

/// The campaign `bad`, which each case breaks: its `campaign.json` as bytes that
/// are not even JSON, or a bundle with a wrong field or table.
enum Bad {
    Bytes(Vec<u8>),
    Bundle(Bundle),
}

/// The campaign with one field replaced (a JSON pointer) by `value`.
fn with(pointer: &str, value: Value) -> Bad {
    Bad::Bundle(campaign("bad").set(pointer, value))
}

/// The campaign without the field at `key`.
fn without(key: &str) -> Bad {
    Bad::Bundle(campaign("bad").without(key))
}

/// The campaign with its tasks in a `tasks.csv` of these bytes.
fn csv_bundle(tasks_csv: impl AsRef<[u8]>) -> Bad {
    Bad::Bundle(campaign("bad").without("tasks").table("tasks.csv", tasks_csv))
}

/// `campaign.json` holds exactly `bytes`.
fn raw(bytes: impl Into<Vec<u8>>) -> Bad {
    Bad::Bytes(bytes.into())
}

struct Case {
    name: &'static str,
    bad: Bad,
    /// Text the error line must contain besides the file name (the field, usually).
    expect: &'static str,
}

fn case(name: &'static str, bad: Bad, expect: &'static str) -> Case {
    Case { name, bad, expect }
}

fn corpus() -> Vec<Case> {
    let header = "task_id,phone,status,attempts,talk_seconds,last_attempt_at\n";
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    let mut deep_campaign = String::from_utf8(campaign("bad").bytes()).unwrap();
    deep_campaign.insert_str(1, &format!("\"extra\": {deep},"));
    vec![
        case("truncated json", raw(&campaign("bad").bytes()[..60]), "bad/campaign.json:"),
        case("not json at all", raw("<html>hello</html>"), "bad/campaign.json:1:1"),
        case("top level array", raw("[1, 2, 3]"), "bad/campaign.json:1"),
        case("trailing garbage", raw([campaign("bad").bytes(), b"}}".to_vec()].concat()), "bad/campaign.json:"),
        case("name wrong type", with("/name", json!(42)), "field `name`"),
        case("missing id", without("id"), "field `id`"),
        case("missing tenant", without("tenant"), "field `tenant`"),
        case("missing status", without("status"), "field `status`"),
        case("unknown status", with("/status", json!("on_hold")), "terminal_statuses"),
        case("invalid utf-8", raw(b"{\"id\": \"bad\", \"name\": \"\xff\xfe\"}"), "invalid UTF-8"),
        case("bad e164 inline", with("/tasks/1/phone", json!("0044 20 7946 0000")), "field `tasks[1].phone`"),
        case("bad from number", with("/config/from_numbers/0", json!("+0123")), "field `config.from_numbers[0]`"),
        case("negative count", with("/tasks/0/attempts", json!(-3)), "field `tasks[0].attempts`"),
        case("huge count", with("/tasks/0/attempts", json!(1e30)), "field `tasks[0].attempts`"),
        case("count overflows u64", with("/tasks/0/attempts", json!(99999999999999999999u128 as f64)), "field `tasks[0].attempts`"),
        case("duplicate task ids inline", with("/tasks/1/task_id", json!("t1")), "field `tasks[1].task_id`"),
        case("bad task status", with("/tasks/0/status", json!("done")), "field `tasks[0].status`"),
        case("very deep nesting", raw(deep_campaign), "bad/campaign.json:"),
        case("csv wrong column count", csv_bundle(format!("{header}t1,+14155550101,pending,0\n")), "bad/tasks.csv:2"),
        case("csv bad phone", csv_bundle(format!("{header}t1,555-1234,pending,0,,\n")), "field `phone`"),
        case("csv NaN talk time", csv_bundle(format!("{header}t1,+14155550101,completed,1,NaN,\n")), "field `talk_seconds`"),
        case("csv bad timestamp", csv_bundle(format!("{header}t1,+14155550101,completed,1,3,yesterday\n")), "field `last_attempt_at`"),
        case("csv duplicate task id", csv_bundle(format!("{header}t1,+14155550101,pending,0,,\nt1,+14155550102,pending,0,,\n")), "bad/tasks.csv:3:1"),
        case("csv missing column", csv_bundle("task_id,status\nt1,pending\n"), "field `phone`"),
        case("csv invalid utf-8", csv_bundle([header.as_bytes(), b"t1,+14155550101,pend\xffing,0,,\n"].concat()), "bad/tasks.csv:2"),
        case("csv enormous field", csv_bundle(format!("{header}t1,+14155550101,pending,0,,\"{}\"\n", "x".repeat(9 << 20))), "bad/tasks.csv:2"),
        case(
            "both inline and csv",
            Bad::Bundle(campaign("bad").table("tasks.csv", format!("{header}t9,+14155550109,pending,0,,\n"))),
            "field `tasks`",
        ),
        case("bad id", with("/id", json!("../../etc")), "field `id`"),
        case("reserved id", with("/id", json!("CON")), "field `id`"),
        case("bad tenant id", with("/tenant/id", json!("a/b")), "field `tenant.id`"),
        case("bad clock time", with("/config", json!({"calling_window": {"days": ["mon"], "start": "9am", "end": "17:00"}})), "field `config.calling_window.start`"),
    ]
    .into_iter()
    .chain([
        case("bad timestamp value", with("/tasks/0", json!({"task_id": "t1", "phone": "+14155550101", "status": "completed", "last_attempt_at": "2026-13-45T99:00:00Z"})), "field `tasks[0].last_attempt_at`"),
        case("newer schema version", Bad::Bundle(campaign("bad").merge(json!({"schema_version": 7}))), "field `schema_version`"),
        case("unknown time zone", Bad::Bundle(campaign("bad").merge(json!({"timezone": "Mars/Olympus"}))), "field `timezone`"),
    ])
    .collect()
}

#[test]
fn every_malformed_export_gives_one_clear_error_and_the_rest_is_built() {
    let corpus = corpus();
    assert!(corpus.len() >= 25, "the corpus has {} cases", corpus.len());
    for case in corpus {
        let input = Inputs::new();
        match &case.bad {
            Bad::Bytes(bytes) => input.file("bad/campaign.json", bytes),
            Bad::Bundle(bundle) => input.bundle(bundle),
        };
        input.bundle(&campaign("good"));
        let run = Cli::build([input.path()]).run();
        let stderr = &run.stderr;
        assert!(!stderr.contains("panicked"), "{}: the tool panicked:\n{stderr}", case.name);
        assert_eq!(run.code, 1, "{}: expected exit status 1\n{stderr}", case.name);
        let errors: Vec<&str> = stderr.lines().filter(|l| l.contains("error:")).collect();
        assert_eq!(errors.len(), 1, "{}: expected one error line\n{stderr}", case.name);
        let line = errors[0];
        assert!(line.contains(&*input.path().join("bad").to_string_lossy()), "{}: no file in {line}", case.name);
        assert!(line.contains(case.expect), "{}: expected {:?} in {line}", case.name, case.expect);
        assert!(line.contains(".json:") || line.contains(".csv:"), "{}: no position in {line}", case.name);
        assert!(run.has("good", "index.html"), "{}: the good campaign was not built", case.name);
        assert!(!run.path("campaigns/bad").exists(), "{}: the bad campaign was written", case.name);
    }
}
