//! Pins the rendered markup of a few fixture pages (insta snapshots in
//! `tests/e2e/snapshots/`). A change to the templates or the view shows up here as a
//! readable diff; review it and update with `INSTA_UPDATE=always cargo test --test e2e snapshots`.

use crate::common::Cli;

#[test]
fn rendered_pages() {
    let run = Cli::build(["acme"]).run();
    run.expect_code(0);
    let page = |rel| run.read(rel);
    insta::with_settings!({ prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("draft_overview", page("campaigns/spring-recall-draft/index.html"));
        insta::assert_snapshot!("paused_overview", page("campaigns/billing-paused/index.html"));
        insta::assert_snapshot!("failed_report", page("campaigns/survey-failed/report.html"));
        insta::assert_snapshot!("campaign_list", page("index.html"));
    });
}
