//! A corpus of malformed exports: each gives one clear error naming the file, the
//! position and the field, while a valid campaign beside it is still built, and
//! none makes the tool panic.

use std::path::Path;
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;
use serde_json::{Value, json};

fn campaign(id: &str) -> Value {
    json!({
        "id": id,
        "name": "Spring recall",
        "tenant": {"id": "acme", "name": "Acme"},
        "status": "running",
        "config": {"from_numbers": ["+14155550100"]},
        "tasks": [
            {"task_id": "t1", "phone": "+14155550101", "status": "completed", "attempts": 1, "last_result": "answered"},
            {"task_id": "t2", "phone": "+14155550102", "status": "pending"}
        ]
    })
}

fn pretty(v: &Value) -> Vec<u8> {
    serde_json::to_vec_pretty(v).unwrap()
}

/// A campaign with one field replaced (a JSON pointer) by `value`.
fn with(pointer: &str, value: Value) -> Vec<u8> {
    let mut c = campaign("bad");
    *c.pointer_mut(pointer).unwrap_or_else(|| panic!("{pointer}")) = value;
    pretty(&c)
}

/// A campaign without the field at `key`.
fn without(key: &str) -> Vec<u8> {
    let mut c = campaign("bad");
    c.as_object_mut().unwrap().remove(key);
    pretty(&c)
}

/// A bundle whose tasks come from `tasks_csv`.
fn csv_bundle(tasks_csv: &str) -> Vec<(&'static str, Vec<u8>)> {
    let mut c = campaign("bad");
    c.as_object_mut().unwrap().remove("tasks");
    vec![("bad/campaign.json", pretty(&c)), ("bad/tasks.csv", tasks_csv.as_bytes().to_vec())]
}

struct Case {
    name: &'static str,
    files: Vec<(&'static str, Vec<u8>)>,
    /// Text the error line must contain besides the file name (the field, usually).
    expect: &'static str,
}

fn case(name: &'static str, files: Vec<(&'static str, Vec<u8>)>, expect: &'static str) -> Case {
    Case { name, files, expect }
}

fn bundle(bytes: Vec<u8>) -> Vec<(&'static str, Vec<u8>)> {
    vec![("bad/campaign.json", bytes)]
}

fn corpus() -> Vec<Case> {
    let header = "task_id,phone,status,attempts,talk_seconds,last_attempt_at\n";
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    let mut deep_campaign = String::from_utf8(pretty(&campaign("bad"))).unwrap();
    deep_campaign.insert_str(1, &format!("\"extra\": {deep},"));
    vec![
        case("truncated json", bundle(pretty(&campaign("bad"))[..60].to_vec()), "bad/campaign.json:"),
        case("not json at all", bundle(b"<html>hello</html>".to_vec()), "bad/campaign.json:1:1"),
        case("top level array", bundle(b"[1, 2, 3]".to_vec()), "bad/campaign.json:1"),
        case("trailing garbage", bundle([pretty(&campaign("bad")), b"}}".to_vec()].concat()), "bad/campaign.json:"),
        case("name wrong type", bundle(with("/name", json!(42))), "field `name`"),
        case("missing id", bundle(without("id")), "field `id`"),
        case("missing tenant", bundle(without("tenant")), "field `tenant`"),
        case("missing status", bundle(without("status")), "field `status`"),
        case("unknown status", bundle(with("/status", json!("on_hold"))), "terminal_statuses"),
        case("invalid utf-8", bundle(b"{\"id\": \"bad\", \"name\": \"\xff\xfe\"}".to_vec()), "invalid UTF-8"),
        case("bad e164 inline", bundle(with("/tasks/1/phone", json!("0044 20 7946 0000"))), "field `tasks[1].phone`"),
        case("bad from number", bundle(with("/config/from_numbers/0", json!("+0123"))), "field `config.from_numbers[0]`"),
        case("negative count", bundle(with("/tasks/0/attempts", json!(-3))), "field `tasks[0].attempts`"),
        case("huge count", bundle(with("/tasks/0/attempts", json!(1e30))), "field `tasks[0].attempts`"),
        case("count overflows u64", bundle(with("/tasks/0/attempts", json!(99999999999999999999u128 as f64))), "field `tasks[0].attempts`"),
        case("duplicate task ids inline", bundle(with("/tasks/1/task_id", json!("t1"))), "field `tasks[1].task_id`"),
        case("bad task status", bundle(with("/tasks/0/status", json!("done"))), "field `tasks[0].status`"),
        case("very deep nesting", bundle(deep_campaign.into_bytes()), "bad/campaign.json:"),
        case("csv wrong column count", csv_bundle(&format!("{header}t1,+14155550101,pending,0\n")), "bad/tasks.csv:2"),
        case("csv bad phone", csv_bundle(&format!("{header}t1,555-1234,pending,0,,\n")), "field `phone`"),
        case("csv NaN talk time", csv_bundle(&format!("{header}t1,+14155550101,completed,1,NaN,\n")), "field `talk_seconds`"),
        case("csv bad timestamp", csv_bundle(&format!("{header}t1,+14155550101,completed,1,3,yesterday\n")), "field `last_attempt_at`"),
        case("csv duplicate task id", csv_bundle(&format!("{header}t1,+14155550101,pending,0,,\nt1,+14155550102,pending,0,,\n")), "bad/tasks.csv:3:1"),
        case("csv missing column", csv_bundle("task_id,status\nt1,pending\n"), "field `phone`"),
        case("csv invalid utf-8", [csv_bundle(""), vec![("bad/tasks.csv", [header.as_bytes(), b"t1,+14155550101,pend\xffing,0,,\n"].concat())]].concat(), "bad/tasks.csv:2"),
        case("csv enormous field", csv_bundle(&format!("{header}t1,+14155550101,pending,0,,\"{}\"\n", "x".repeat(9 << 20))), "bad/tasks.csv:2"),
        case(
            "both inline and csv",
            vec![("bad/campaign.json", pretty(&campaign("bad"))), ("bad/tasks.csv", format!("{header}t9,+14155550109,pending,0,,\n").into_bytes())],
            "field `tasks`",
        ),
        case("bad id", bundle(with("/id", json!("../../etc"))), "field `id`"),
        case("reserved id", bundle(with("/id", json!("CON"))), "field `id`"),
        case("bad tenant id", bundle(with("/tenant/id", json!("a/b"))), "field `tenant.id`"),
        case("bad clock time", bundle(with("/config", json!({"calling_window": {"days": ["mon"], "start": "9am", "end": "17:00"}}))), "field `config.calling_window.start`"),
    ]
    .into_iter()
    .chain([
        case("bad timestamp value", bundle(with("/tasks/0", json!({"task_id": "t1", "phone": "+14155550101", "status": "completed", "last_attempt_at": "2026-13-45T99:00:00Z"}))), "field `tasks[0].last_attempt_at`"),
        case("newer schema version", bundle({
            let mut c = campaign("bad");
            c["schema_version"] = json!(7);
            pretty(&c)
        }), "field `schema_version`"),
        case("unknown time zone", bundle({
            let mut c = campaign("bad");
            c["timezone"] = json!("Mars/Olympus");
            pretty(&c)
        }), "field `timezone`"),
    ])
    .collect()
}

fn write(dir: &Path, files: &[(&str, Vec<u8>)]) {
    for (rel, bytes) in files {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
}

#[test]
fn every_malformed_export_gives_one_clear_error_and_the_rest_is_built() {
    let corpus = corpus();
    assert!(corpus.len() >= 25, "the corpus has {} cases", corpus.len());
    for case in corpus {
        let input = tempfile::tempdir().unwrap();
        write(input.path(), &case.files);
        write(input.path(), &[("good/campaign.json", pretty(&campaign("good")))]);
        let out = tempfile::tempdir().unwrap();
        let run = Command::cargo_bin("campaign-report")
            .unwrap()
            .arg("build")
            .arg(input.path())
            .args(["--format", "html,json", "--now", "2026-11-27T12:00:00Z", "--out"])
            .arg(out.path())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(!stderr.contains("panicked"), "{}: the tool panicked:\n{stderr}", case.name);
        assert_eq!(run.status.code(), Some(1), "{}: expected exit status 1\n{stderr}", case.name);
        let errors: Vec<&str> = stderr.lines().filter(|l| l.contains("error:")).collect();
        assert_eq!(errors.len(), 1, "{}: expected one error line\n{stderr}", case.name);
        let line = errors[0];
        assert!(line.contains(&*input.path().join("bad").to_string_lossy()), "{}: no file in {line}", case.name);
        assert!(line.contains(case.expect), "{}: expected {:?} in {line}", case.name, case.expect);
        assert!(line.contains(".json:") || line.contains(".csv:"), "{}: no position in {line}", case.name);
        assert!(
            out.path().join("campaigns/good/index.html").is_file(),
            "{}: the good campaign was not built",
            case.name
        );
        assert!(!out.path().join("campaigns/bad").exists(), "{}: the bad campaign was written", case.name);
    }
}
