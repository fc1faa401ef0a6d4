//! Every error points where the offending value starts: a matrix of positions
//! (the last field of an object, an array item, a value followed by a comma, a
//! nested object, a top-level field) in every way JSON arrives (pretty-printed,
//! on one line, JSON Lines, a `{"campaigns": [...]}` list, inline tables), and CSV
//! cells named by their column.

use serde_json::{Value, json};

use crate::common::{Bundle, Cli, Inputs};

/// A valid campaign with inline tasks and configured numbers.
fn campaign(id: &str) -> Value {
    json!({
        "id": id,
        "name": "Positions",
        "tenant": {"id": "acme", "name": "Acme"},
        "status": "completed",
        "config": {
            "from_numbers": ["+14155550100", "+14155550101", "+14155550102"],
            "calling_window": {"days": ["mon"], "start": "09:00", "end": "17:00"},
            "max_attempts": 3
        },
        "tasks": [
            {"task_id": "t1", "phone": "+14155550111", "status": "completed", "attempts": 1, "talk_seconds": 12},
            {"task_id": "t2", "phone": "+14155550112", "status": "completed", "attempts": 1, "talk_seconds": 30}
        ]
    })
}

/// The bad values of the matrix: where each goes, the value, and the field the error must name.
fn cases() -> Vec<(&'static str, Value, &'static str)> {
    vec![
        ("/tasks/1/talk_seconds", json!(-7), "tasks[1].talk_seconds"), // the last field of an inline task
        ("/config/from_numbers/1", json!("555-BAD"), "config.from_numbers[1]"), // an array item followed by a comma
        ("/config/from_numbers/2", json!("555-END"), "config.from_numbers[2]"), // the last item of an array
        ("/config/calling_window/start", json!("9 am"), "config.calling_window.start"), // nested, followed by a comma
        ("/tasks/0/attempts", json!(-1), "tasks[0].attempts"),         // inside a table, followed by a comma
        ("/status", json!(42), "status"),                              // a top-level field
    ]
}

fn with(pointer: &str, value: &Value, id: &str) -> Value {
    let mut c = campaign(id);
    *c.pointer_mut(pointer).unwrap() = value.clone();
    c
}

/// (line, column), 1-based in characters, of the first occurrence of `needle` in `text`.
fn position_of(text: &str, needle: &str) -> (usize, usize) {
    let at = text.find(needle).unwrap_or_else(|| panic!("{needle} not in\n{text}"));
    let line = text[..at].matches('\n').count() + 1;
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    (line, text[start..at].chars().count() + 1)
}

/// The error `check` reports for `file` and the position it names.
fn reported(run: &crate::common::Run, file: &str, field: &str) -> (usize, usize) {
    let stderr = run.stderr.clone();
    let line = stderr
        .lines()
        .find(|l| l.contains(&format!("field `{field}`")) && l.contains(file))
        .unwrap_or_else(|| panic!("no error about {field} in {file}:\n{stderr}"));
    let after = &line[line.find(file).unwrap_or_else(|| panic!("{file} not named: {line}")) + file.len()..];
    let mut parts = after.trim_start_matches(':').split(':');
    let l = parts.next().and_then(|p| p.parse().ok()).unwrap_or_else(|| panic!("no line in {line}"));
    let c = parts.next().and_then(|p| p.parse().ok()).unwrap_or_else(|| panic!("no column in {line}"));
    (l, c)
}

/// The marker that finds a bad value in the written text: the value as JSON writes it.
fn marker(value: &Value) -> String {
    serde_json::to_string(value).unwrap()
}

#[test]
fn pretty_printed_campaigns() {
    for (pointer, value, field) in cases() {
        let inputs = Inputs::new();
        let bundle = Bundle::from_json(with(pointer, &value, "p"));
        inputs.bundle(&bundle);
        let text = String::from_utf8(bundle.bytes()).unwrap();
        let run = Cli::check([inputs.path()]).run();
        run.expect_code(1);
        assert_eq!(
            reported(&run, "p/campaign.json", field),
            position_of(&text, &marker(&value)),
            "{field}\n{}",
            run.stderr.clone()
        );
    }
}

#[test]
fn one_line_json_and_json_lines() {
    for (pointer, value, field) in cases() {
        let inputs = Inputs::new();
        let one_line = serde_json::to_string(&with(pointer, &value, "o")).unwrap();
        inputs.file("one.json", &one_line);
        // The bad campaign is the second line of a bulk export.
        let lines = [campaign("a"), with(pointer, &value, "b"), campaign("c")]
            .map(|c| serde_json::to_string(&c).unwrap())
            .join("\n");
        inputs.file("bulk.jsonl", &lines);
        let run = Cli::check([inputs.path().join("one.json"), inputs.path().join("bulk.jsonl")]).run();
        assert_eq!(reported(&run, "one.json", field), position_of(&one_line, &marker(&value)), "{field}");
        assert_eq!(reported(&run, "bulk.jsonl", field), position_of(&lines, &marker(&value)), "{field}");
    }
}

#[test]
fn campaigns_in_a_list() {
    for (pointer, value, field) in cases() {
        let inputs = Inputs::new();
        let list = json!({"campaigns": [campaign("a"), with(pointer, &value, "b")]});
        let text = serde_json::to_string_pretty(&list).unwrap();
        inputs.file("list.json", &text);
        let run = Cli::check([inputs.path().join("list.json")]).run();
        // The first occurrence of the value in the list is the bad one: the good campaign has none.
        assert_eq!(
            reported(&run, "list.json", field),
            position_of(&text, &marker(&value)),
            "{field}\n{}",
            run.stderr.clone()
        );
    }
}

#[test]
fn a_duplicate_task_id_points_at_the_second_one() {
    let inputs = Inputs::new();
    let bundle = Bundle::from_json(with("/tasks/1/task_id", &json!("t1"), "d"));
    inputs.bundle(&bundle);
    let text = String::from_utf8(bundle.bytes()).unwrap();
    let run = Cli::check([inputs.path()]).run();
    let second = text.match_indices("\"t1\"").nth(1).unwrap().0;
    let line = text[..second].matches('\n').count() + 1;
    let column = text[text[..second].rfind('\n').map_or(0, |i| i + 1)..second].chars().count() + 1;
    assert_eq!(reported(&run, "d/campaign.json", "tasks[1].task_id"), (line, column), "{}", run.stderr.clone());
}

#[test]
fn csv_cells_are_named_by_their_column() {
    let inputs = Inputs::new();
    let header = "call_id,task_id,from_number,to_number,started_at,result,duration_seconds\n";
    let good = "c1,t1,+14155550100,+14155550111,2026-11-20T10:00:00Z,answered,30\n";
    inputs.bundle(
        &Bundle::new("empty")
            .table("calls.csv", format!("{header}{good}c2,t1,+14155550100,+14155550111,2026-11-20T11:00:00Z,,0\n")),
    );
    inputs.bundle(
        &Bundle::new("date")
            .table("calls.csv", format!("{header}{good}c3,t1,+14155550100,+14155550111,2026-02-30T11:00:00Z,busy,0\n")),
    );
    let run = Cli::check([inputs.path()]).run();
    let stderr = run.stderr.clone();
    let line = |file: &str| {
        stderr.lines().find(|l| l.contains(file)).unwrap_or_else(|| panic!("{file}:\n{stderr}")).to_string()
    };
    let empty = line("empty/calls.csv");
    assert!(empty.contains("empty/calls.csv:3:6: field `result`:"), "{empty}");
    assert!(empty.contains("expected one of: answered"), "{empty}");
    let date = line("date/calls.csv");
    assert!(date.contains("date/calls.csv:3:5: field `started_at`:"), "{date}");
    assert!(!stderr.contains("..="), "Rust range syntax in a message:\n{stderr}");
}
