//! The examples of docs/scale-out.md work as written: every YAML block parses (with
//! Debian's python3-yaml), the Kubernetes and GitHub Actions examples have the shape
//! the document promises, and every `campaign-report` command in the document uses
//! only subcommands and options the binary has.

use std::process::Command;

use serde_json::Value;

use crate::common::PYTHON;

fn document() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/scale-out.md")).unwrap()
}

/// The fenced blocks of the document with this info string.
fn blocks(text: &str, info: &str) -> Vec<String> {
    let mut found = Vec::new();
    // The info string of the block the line is in, and the block's text.
    let mut current: Option<(String, String)> = None;
    for line in text.lines() {
        match (&mut current, line.strip_prefix("```")) {
            (None, Some(opening)) => current = Some((opening.trim().to_string(), String::new())),
            (Some(_), Some(_)) => {
                let (kind, block) = current.take().unwrap();
                if kind == info {
                    found.push(block);
                }
            }
            (Some((_, block)), None) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, None) => {}
        }
    }
    found
}

/// Every YAML document of a block, as JSON.
fn parse_yaml(block: &str) -> Vec<Value> {
    let script = "import json, sys, yaml; print(json.dumps(list(yaml.safe_load_all(sys.stdin))))";
    let mut child = Command::new(PYTHON)
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run python3 (scripts/setup --tests installs python3-yaml)");
    use std::io::Write;
    child.stdin.take().unwrap().write_all(block.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "YAML does not parse:\n{}\n{block}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

/// Every command line in a value: strings naming the tool, and lists that start with it.
fn commands(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::String(text) if text.contains("campaign-report ") => found.push(text.clone()),
        Value::Array(items) if items.first().and_then(Value::as_str) == Some("campaign-report") => {
            found.push(items.iter().map(|i| i.as_str().unwrap_or_default()).collect::<Vec<_>>().join(" "));
        }
        Value::Array(items) => items.iter().for_each(|i| commands(i, found)),
        Value::Object(map) => map.values().for_each(|v| commands(v, found)),
        _ => {}
    }
}

/// Checks every `campaign-report SUB --option` in `text` against `SUB --help`.
fn check_command(text: &str) {
    let joined = text.replace("\\\n", " ");
    for line in joined.lines() {
        let Some(at) = line.find("campaign-report ") else { continue };
        let words: Vec<&str> = line[at..].split_whitespace().collect();
        let sub = words[1];
        let help = Command::new(env!("CARGO_BIN_EXE_campaign-report")).args([sub, "--help"]).output().unwrap();
        assert!(help.status.success(), "no subcommand {sub:?} in: {line}");
        let help = String::from_utf8_lossy(&help.stdout).into_owned();
        for option in words.iter().filter(|w| w.starts_with("--")) {
            let name = option.split('=').next().unwrap();
            assert!(help.contains(&format!("{name} ")), "{sub} has no option {name}, used in: {line}");
        }
    }
}

#[test]
fn every_example_parses_and_every_command_matches_the_cli() {
    let text = document();
    let yaml = blocks(&text, "yaml");
    assert_eq!(yaml.len(), 4, "the shard Job, the merge Job, the browser Deployment and Service, the workflow");
    let parsed: Vec<Vec<Value>> = yaml.iter().map(|b| parse_yaml(b)).collect();

    let shards = &parsed[0][0];
    assert_eq!(shards["kind"], "Job");
    assert_eq!(shards["spec"]["completionMode"], "Indexed");
    let merge = &parsed[1][0];
    assert_eq!(merge["spec"]["template"]["spec"]["containers"][0]["command"][1], "merge");
    let kinds: Vec<&str> = parsed[2].iter().map(|d| d["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["Deployment", "Service"]);
    assert_eq!(parsed[2][1]["spec"]["type"], "ClusterIP");
    let workflow = &parsed[3][0];
    assert!(workflow["jobs"]["shard"]["strategy"]["matrix"]["shard"].is_array());
    assert_eq!(workflow["jobs"]["merge"]["if"], "always()");
    assert_eq!(workflow["jobs"]["merge"]["needs"], "shard");

    let mut found = Vec::new();
    parsed.iter().flatten().for_each(|d| commands(d, &mut found));
    let all = found.join("\n");
    assert!(all.contains("--shard $((JOB_COMPLETION_INDEX+1))/4"), "{all}");
    assert!(all.contains("--shard ${{ matrix.shard }}/4"), "{all}");
    assert!(all.contains("campaign-report merge shard-1 shard-2 shard-3 shard-4 --out snapshot"), "{all}");
    assert!(found.len() >= 4, "{found:?}");
    let usage = blocks(&text, "");
    assert!(usage.iter().any(|b| b.contains("campaign-report merge SHARD_OUT")), "{usage:?}");
    for command in found.iter().chain(&usage) {
        check_command(command);
    }
}
