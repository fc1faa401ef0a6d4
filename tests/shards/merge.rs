//! Shards plus `merge` write what one build writes, byte for byte, PDFs included
//! (docs/scale-out.md).

use std::process::Command;

use crate::common::{ACME_INPUTS, Cli, generator};
use crate::support::{assert_same_bytes, build_shards, merge};

#[test]
fn four_shards_and_merge_give_the_bytes_of_one_build_with_pdfs() {
    let tmp = tempfile::tempdir().unwrap();
    let one = Cli::build(ACME_INPUTS).format("html,json,pdf").run();
    one.expect_code(0);
    let shards = build_shards(ACME_INPUTS, 4, tmp.path(), "html,json,pdf", &[]);
    let out = tmp.path().join("merged");
    merge(&shards, &out).expect_code(0);
    assert!(out.join("campaigns/hygiene-reminder-running/hygiene-reminder-running.pdf").is_file());
    assert_same_bytes(&one.out, &out);
}

#[test]
fn a_generated_fleet_merges_to_one_build_and_remerges_only_what_changed() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    let generated = Command::new(generator())
        .args(["--campaigns", "40", "--tasks", "30", "--calls", "60", "--statuses", "mixed", "--seed", "7"])
        .args(["--tenant", "acme", "--out"])
        .arg(&input)
        .output()
        .expect("run the generator");
    assert!(generated.status.success(), "{}", String::from_utf8_lossy(&generated.stderr));
    let inputs = [&input];
    let one = Cli::build(inputs).format("html,json,pdf").run();
    one.expect_code(0);
    let shards = build_shards(&inputs, 4, tmp.path(), "html,json,pdf", &[]);
    // Dealt in turn in the stable order: 10 campaigns each.
    for shard in &shards {
        let manifest: serde_json::Value =
            serde_json::from_slice(&std::fs::read(shard.join("manifest.json")).unwrap()).unwrap();
        assert_eq!(manifest["campaigns"].as_array().unwrap().len(), 10, "{}", shard.display());
    }
    let out = tmp.path().join("merged");
    merge(&shards, &out).expect_code(0);
    assert_same_bytes(&one.out, &out);

    // One campaign changes: its shard alone rebuilds it, and merge copies its files only.
    let changed = input.join("batch-000/cmp-00003/campaign.json");
    let text = std::fs::read_to_string(&changed).unwrap();
    assert!(text.contains("\"name\":\""), "the generator's campaign.json has a name");
    std::fs::write(&changed, text.replacen("\"name\":\"", "\"name\":\"Renamed ", 1)).unwrap();
    let rebuilt: Vec<_> = (1..=4)
        .map(|k| {
            let run = Cli::build(inputs)
                .format("html,json,pdf")
                .out(&shards[k - 1])
                .args(["--shard", &format!("{k}/4")])
                .run();
            run.expect_code(0);
            run.stderr.contains("1 built")
        })
        .collect();
    assert_eq!(rebuilt.iter().filter(|r| **r).count(), 1, "one shard rebuilt the campaign: {rebuilt:?}");
    let again = merge(&shards, &out);
    again.expect_code(0);
    let copied: usize =
        again.stderr.split(" files copied").next().unwrap().rsplit(' ').next().unwrap().parse().unwrap();
    assert!(copied > 0 && copied <= 8, "only the campaign's files are copied: {}", again.stderr);
    let fresh = Cli::build(inputs).format("html,json,pdf").run();
    fresh.expect_code(0);
    assert_same_bytes(&fresh.out, &out);
}

#[test]
fn the_order_of_the_inputs_moves_no_campaign() {
    let tmp = tempfile::tempdir().unwrap();
    let reversed: Vec<&str> = ACME_INPUTS.iter().rev().copied().collect();
    let ids = |inputs: &[&str], name: &str| {
        let out = tmp.path().join(name);
        Cli::build(inputs).out(&out).args(["--shard", "2/3"]).run().expect_code(0);
        let manifest: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
        manifest["campaigns"].as_array().unwrap().iter().map(|c| c["id"].to_string()).collect::<Vec<_>>()
    };
    let forward = ids(ACME_INPUTS, "forward");
    assert!(!forward.is_empty());
    assert_eq!(forward, ids(&reversed, "reversed"));
}
