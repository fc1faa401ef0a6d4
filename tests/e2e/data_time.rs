//! One stated data time (docs/export-format.md, "Data time"): the figures of a
//! campaign describe its export, not the clock of the run; the pages say when that
//! was, and say so loudly once the data is old.

use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::common::{ACME_INPUTS, Bundle, Cli, Inputs, Run, acme};

/// The acme fixtures snapshotted eight days after their export.
fn eight_days_later() -> &'static Run {
    let run = Cli::build(ACME_INPUTS).now("2026-12-05T12:00:00Z").shared();
    run.expect_code(0);
    run
}

#[test]
fn the_data_time_is_the_export_time_else_the_latest_time_in_the_data() {
    let run = acme();
    // Its own exported_at, the wrapper's ({"campaigns": [...]}), a JSON Lines campaign's.
    for id in ["reactivation-running", "dental-checkup-completed", "callback-blitz-completed"] {
        assert_eq!(run.summary(id)["data_as_of"], "2026-11-27T12:00:00Z", "{id}");
    }
    // No exported_at: the latest time of the data, stated as such on the page.
    let archived = run.summary("legacy-archived");
    assert_ne!(archived["data_as_of"], "2026-11-27T12:00:00Z");
    let page = run.read("campaigns/legacy-archived/index.html");
    assert!(page.contains("(the latest time in the export)"), "no note on where the data time comes from");
    // No time at all: the snapshot time stands in, and the header states no data time.
    let inputs = Inputs::new();
    inputs.bundle(&Bundle::new("timeless"));
    let run = Cli::build([inputs.path()]).run();
    run.expect_code(0);
    assert_eq!(run.summary("timeless")["data_as_of"], "2026-11-27T12:00:00Z");
    assert!(!run.read("campaigns/timeless/index.html").contains("data as of"));
    let run = acme();
    let page = run.read("campaigns/reactivation-running/index.html");
    assert!(page.contains(r#"data as of <time datetime="2026-11-27T12:00:00Z">2026-11-27 07:00 EST</time> · id"#));
}

#[test]
fn verdicts_and_pace_are_judged_at_the_data_time() {
    // The same export snapshotted now and eight days later states the same verdict and pace.
    for id in ["reactivation-running", "hygiene-reminder-running", "billing-paused", "implant-consult-running"] {
        let (fresh, late) = (acme().summary(id), eight_days_later().summary(id));
        assert_eq!(fresh["dispatch"], late["dispatch"], "{id}");
        assert_eq!(fresh["pace"], late["pace"], "{id}");
    }
    let s = acme().summary("reactivation-running");
    assert_eq!(s["dispatch"]["verdict"], "degraded", "12.5 % of the last hour's dispatches failed");
    assert_eq!(s["pace"]["calling_window"], true);
}

#[test]
fn the_estimated_finish_falls_inside_the_calling_window() {
    // reactivation-running calls Monday to Saturday, 09:00–19:00 New York time.
    let finish: Timestamp =
        acme().summary("reactivation-running")["pace"]["estimated_finish"].as_str().unwrap().parse().unwrap();
    let local = finish.to_zoned_datetime(TimeZone::get("America/New_York").unwrap());
    assert_ne!(local.weekday(), jiff::civil::Weekday::Sunday, "{local}");
    assert!((9..19).contains(&local.hour()) || (local.hour() == 19 && local.minute() == 0), "{local}");
}

#[test]
fn stalled_never_sits_beside_dispatches_in_the_hour_before_the_data_time() {
    for run in [acme(), eight_days_later()] {
        for entry in run.manifest()["campaigns"].as_array().unwrap() {
            let id = entry["id"].as_str().unwrap();
            let export: serde_json::Value =
                serde_json::from_str(&run.read(&format!("campaigns/{id}/export/campaign.json"))).unwrap();
            let dispatched = export["dispatch"]["dispatched_last_hour"].as_u64().unwrap_or(0);
            if dispatched > 0 {
                assert_ne!(run.summary(id)["dispatch"]["verdict"], "stalled", "{id}");
            }
        }
    }
}

#[test]
fn old_data_is_flagged_where_it_still_changes() {
    let run = eight_days_later();
    let s = run.summary("reactivation-running");
    assert_eq!((s["data_stale"].as_bool(), s["generated_at"].as_str()), (Some(true), Some("2026-12-05T12:00:00Z")));
    let page = run.read("campaigns/reactivation-running/index.html");
    assert!(
        page.contains("⚠ Old data:</strong> These figures describe 2026-11-27 07:00 EST, 8 d before this snapshot."),
        "no banner"
    );
    assert!(
        page.contains(r#"<span class="as-of">as of 2026-11-27 07:00 EST</span>"#),
        "the verdict is not marked as of the data time"
    );
    assert!(run.read("index.html").contains("(data 8 d old)"), "the list does not say how old the data is");
    // A draft's configuration may have changed too; an ended campaign's figures are final.
    assert!(run.read("campaigns/spring-recall-draft/index.html").contains("This configuration is as of"));
    assert!(!run.read("campaigns/q3-winback-completed/index.html").contains("Old data"));
    // Fresh data carries no banner.
    assert_eq!(acme().summary("reactivation-running")["data_stale"], false);
    assert!(!acme().read("campaigns/reactivation-running/index.html").contains("Old data"));
}
