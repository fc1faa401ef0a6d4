//! The fixtures say what they claim: the generated tables are what
//! `scripts/gen-fixtures.py` writes, and no rejected upload row (inline
//! `upload.rejects` or `upload_rejects.csv`) has a reason or detail that its own
//! cells, or its upload's counts, contradict.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::process::Command;

use campaign_report::model::is_e164;
use serde_json::{Value, json};

use crate::common::{fixture_campaigns, read_csv};

#[test]
fn generated_tables_are_what_the_generator_writes() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/gen-fixtures.py");
    let out = Command::new("python3")
        .arg(&script)
        .arg("--check")
        .output()
        .expect("python3 must be installed to run scripts/gen-fixtures.py");
    assert!(out.status.success(), "{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
}

/// One rejected row of an upload, its cells as text.
struct Reject {
    row: String,
    cells: BTreeMap<String, String>,
}

impl Reject {
    fn cell(&self, column: &str) -> &str {
        self.cells.get(column).map_or("", |c| c.trim())
    }

    fn from_json(row: &Value) -> Reject {
        let cells = row
            .as_object()
            .expect("a rejected row is an object")
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    v.as_str().map_or_else(|| if v.is_null() { String::new() } else { v.to_string() }, str::to_string),
                )
            })
            .collect();
        Reject { row: String::new(), cells }.numbered()
    }

    fn numbered(mut self) -> Reject {
        self.row = self.cell("row").to_string();
        self
    }
}

/// What an upload's rejected rows say that their cells or the upload's counts
/// contradict; `tasks` are the phone numbers of the accepted rows (the campaign's tasks).
fn contradictions(upload: &Value, rejects: &[Reject], tasks: &HashSet<String>) -> Vec<String> {
    let mut found = Vec::new();
    let count = |key: &str| upload.get(key).and_then(Value::as_u64);
    if let Some(rejected) = count("rows_rejected").filter(|&n| n != rejects.len() as u64) {
        found.push(format!("rows_rejected is {rejected} but {} rows are listed", rejects.len()));
    }
    let duplicates = rejects.iter().filter(|r| r.cell("reason") == "duplicate").count() as u64;
    if let Some(counted) = count("rows_duplicate").filter(|&n| n != duplicates) {
        found.push(format!("rows_duplicate is {counted} but {duplicates} rows say duplicate"));
    }
    let mut previous = 1;
    let mut seen_phones = HashSet::new();
    for r in rejects {
        let mut wrong = |what: String| found.push(format!("row {}: {what}", r.row));
        let (reason, detail, phone) = (r.cell("reason"), r.cell("detail"), r.cell("phone"));
        // Line 1 of the uploaded file is its header; rows are listed in file order.
        match r.row.parse::<u64>() {
            Ok(n) if n <= previous => wrong(format!("row {n} does not come after row {previous}")),
            Ok(n) if count("rows_total").is_some_and(|total| n > total + 1) => {
                wrong(format!("the upload has {} rows", count("rows_total").unwrap_or_default()))
            }
            Ok(n) => previous = n,
            Err(_) => wrong("no row number".into()),
        }
        match reason {
            "missing_field" => match detail.strip_suffix(" is empty") {
                Some(column) if !r.cells.contains_key(column) => wrong(format!("{detail:?} names no column")),
                Some(column) if !r.cell(column).is_empty() => {
                    wrong(format!("{detail:?} but {column} is {:?}", r.cell(column)))
                }
                Some(_) => {}
                None => wrong(format!("missing_field says {detail:?}, not which field is empty")),
            },
            "invalid_phone" => {
                if phone.is_empty() || is_e164(phone) {
                    wrong(format!("invalid_phone but the phone is {phone:?}"));
                }
                if detail.split_once(": ").is_some_and(|(_, quoted)| quoted != phone) {
                    wrong(format!("{detail:?} but the phone is {phone:?}"));
                }
            }
            "duplicate" => {
                if !is_e164(phone) {
                    wrong(format!("duplicate of a phone {phone:?} that is not one"));
                }
                match detail.strip_prefix("same phone as row ").map(str::parse::<u64>) {
                    Some(Ok(n)) => {
                        if r.row.parse::<u64>().is_ok_and(|row| n >= row) {
                            wrong(format!("{detail:?} names a later row"));
                        }
                        let named = rejects.iter().find(|o| o.row == n.to_string());
                        if let Some(other) = named.filter(|o| o.cell("phone") != phone) {
                            wrong(format!("{detail:?} but row {n} has {:?}", other.cell("phone")));
                        }
                    }
                    Some(Err(_)) => wrong(format!("{detail:?} names no row")),
                    None if !tasks.contains(phone) && !seen_phones.contains(phone) => {
                        wrong(format!("{detail:?} but no accepted or earlier row has {phone}"))
                    }
                    None => {}
                }
            }
            "do_not_call" => {
                if !is_e164(phone) {
                    wrong(format!("do_not_call for {phone:?}, which is not a phone number"));
                }
            }
            other => wrong(format!("reason {other:?} has no rule in this test; add one")),
        }
        seen_phones.insert(phone.to_string());
    }
    found
}

#[test]
fn no_reject_row_contradicts_its_cells() {
    let mut checked = 0;
    let mut found = Vec::new();
    for campaign in fixture_campaigns() {
        let Some(upload) = campaign.value.get("upload").filter(|u| u.is_object()) else { continue };
        let csv = |name: &str| campaign.folder.as_ref().map(|f| f.join(name)).filter(|p| p.is_file());
        let rejects: Vec<Reject> = match (upload.get("rejects").and_then(Value::as_array), csv("upload_rejects.csv")) {
            (Some(rows), _) => rows.iter().map(Reject::from_json).collect(),
            (None, Some(path)) => {
                let (header, rows) = read_csv(&std::fs::read_to_string(path).expect("upload_rejects.csv"));
                rows.into_iter()
                    .map(|row| {
                        Reject { row: String::new(), cells: header.iter().cloned().zip(row).collect() }.numbered()
                    })
                    .collect()
            }
            (None, None) => continue,
        };
        let tasks: HashSet<String> = match (campaign.value.get("tasks").and_then(Value::as_array), csv("tasks.csv")) {
            (Some(tasks), _) => tasks.iter().filter_map(|t| t["phone"].as_str()).map(str::to_string).collect(),
            (None, Some(path)) => {
                let (header, rows) = read_csv(&std::fs::read_to_string(path).expect("tasks.csv"));
                let phone = header.iter().position(|h| h == "phone").expect("a phone column");
                rows.into_iter().map(|r| r[phone].clone()).collect()
            }
            (None, None) => HashSet::new(),
        };
        checked += rejects.len();
        found.extend(contradictions(upload, &rejects, &tasks).into_iter().map(|c| format!("{}: {c}", campaign.name)));
    }
    assert!(found.is_empty(), "rejected rows contradict themselves:\n{}", found.join("\n"));
    // spring-recall-draft's 3 inline rows and q3-winback-completed's 120 in upload_rejects.csv.
    assert_eq!(checked, 123, "rejected rows checked");
}

#[test]
fn the_reject_check_finds_contradictions() {
    let upload = json!({"rows_total": 10, "rows_rejected": 5, "rows_duplicate": 1});
    let rows = [
        json!({"row": 3, "reason": "missing_field", "detail": "phone is empty", "phone": "+14155550123"}),
        json!({"row": 4, "reason": "invalid_phone", "detail": "not a valid phone number", "phone": "+14155550124"}),
        json!({"row": 4, "reason": "do_not_call", "detail": "number is on the do-not-call list", "phone": ""}),
        json!({"row": 8, "reason": "duplicate", "detail": "same phone as row 9", "phone": "+14155550125"}),
        json!({"row": 12, "reason": "duplicate", "detail": "same phone as an earlier row", "phone": "+14155550126"}),
    ];
    let rejects: Vec<Reject> = rows.iter().map(Reject::from_json).collect();
    let found = contradictions(&upload, &rejects, &HashSet::new());
    let expected = [
        "rows_duplicate is 1 but 2 rows say duplicate",
        "row 3: \"phone is empty\" but phone is \"+14155550123\"",
        "row 4: invalid_phone but the phone is \"+14155550124\"",
        "row 4: row 4 does not come after row 4",
        "row 4: do_not_call for \"\", which is not a phone number",
        "row 8: \"same phone as row 9\" names a later row",
        "row 12: the upload has 10 rows",
        "row 12: \"same phone as an earlier row\" but no accepted or earlier row has +14155550126",
    ];
    assert_eq!(found, expected);
}
