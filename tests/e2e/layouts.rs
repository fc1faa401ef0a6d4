//! Status picks the layout: tabs, actions, sections, self-refresh and the
//! files each tab produces.

use crate::common::{Cli, acme, cell, fixture, read_csv, strings};

const DRAFTS: &[&str] = &["spring-recall-draft", "intake-draft-empty", "birthday-draft", "newsletter-optin-draft"];
const ACTIVE: &[&str] = &[
    "flu-shot-scheduled",
    "orthodontics-scheduled",
    "reactivation-running",
    "implant-consult-running",
    "hygiene-reminder-running",
    "billing-paused",
    "no-show-followup-paused",
];
const ENDED: &[&str] = &[
    "q3-winback-completed",
    "callback-blitz-completed",
    "dental-checkup-completed",
    "survey-failed",
    "promo-cancelled",
    "whitening-cancelled",
    "legacy-archived",
];

const ACTIVE_TABS: &[&str] = &["overview", "tasks"];
const ENDED_TABS: &[&str] = &["overview", "tasks", "report"];

fn v(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn layout_and_tabs_follow_status() {
    let run = acme();
    for id in DRAFTS {
        let s = run.summary(id);
        assert_eq!(s["layout"], "draft", "{id}");
        assert_eq!(strings(&s["tabs"]), v(&["overview"]), "{id}");
    }
    for id in ACTIVE {
        let s = run.summary(id);
        assert_eq!(s["layout"], "active", "{id}");
        assert_eq!(strings(&s["tabs"]), v(ACTIVE_TABS), "{id}");
    }
    for id in ENDED {
        let s = run.summary(id);
        assert_eq!(s["layout"], "ended", "{id}");
        assert_eq!(strings(&s["tabs"]), v(ENDED_TABS), "{id}");
    }
}

#[test]
fn actions_follow_status() {
    let run = acme();
    let cases: &[(&str, &[&str])] = &[
        ("spring-recall-draft", &["edit"]),
        ("intake-draft-empty", &["edit"]),
        ("flu-shot-scheduled", &["start", "pause", "cancel", "clone", "export", "save_template"]),
        ("reactivation-running", &["pause", "cancel", "clone", "export", "save_template"]),
        ("implant-consult-running", &["pause", "cancel", "clone", "export", "save_template"]),
        ("billing-paused", &["start", "cancel", "clone", "export", "save_template"]),
        ("q3-winback-completed", &["clone", "export", "save_template"]),
        ("survey-failed", &["clone", "export", "save_template"]),
        ("promo-cancelled", &["clone", "export", "save_template"]),
        ("whitening-cancelled", &["clone", "export", "save_template"]),
        ("legacy-archived", &["clone", "export", "save_template"]),
    ];
    for (id, actions) in cases {
        assert_eq!(strings(&run.summary(id)["actions"]), v(actions), "{id}");
    }
}

#[test]
fn sections_in_page_order() {
    let run = acme();
    let cases: &[(&str, &[&str])] = &[
        ("spring-recall-draft", &["readiness", "configuration", "audience-preview", "csv-upload", "number-pool"]),
        ("intake-draft-empty", &["readiness", "configuration", "audience-preview"]),
        ("flu-shot-scheduled", &["progress", "dispatch-health", "tasks", "number-pool"]),
        ("reactivation-running", &["progress", "dispatch-health", "tasks", "number-pool"]),
        ("billing-paused", &["progress", "dispatch-health", "tasks"]),
        ("hygiene-reminder-running", &["progress", "dispatch-health", "tasks"]),
        ("q3-winback-completed", &["funnel", "analysis", "results", "csv-upload", "number-pool"]),
        ("survey-failed", &["funnel", "analysis", "results", "number-pool"]),
        ("promo-cancelled", &["funnel", "analysis", "results"]),
        ("legacy-archived", &["funnel", "analysis", "results"]),
    ];
    for (id, sections) in cases {
        let s = run.summary(id);
        assert_eq!(strings(&s["sections"]), v(sections), "{id}");
        let page = run.read(&format!("campaigns/{id}/index.html"));
        let mut last = 0;
        for section in *sections {
            let anchor = format!("id=\"{section}\"");
            let at = page.find(&anchor).unwrap_or_else(|| panic!("{id}: overview has no {anchor}"));
            assert!(at >= last, "{id}: {anchor} is out of page order");
            last = at;
        }
    }
}

#[test]
fn sections_that_do_not_apply_are_absent() {
    let run = acme();
    let billing = run.read("campaigns/billing-paused/index.html");
    assert!(!billing.contains("id=\"number-pool\""), "one number, no pool section");
    assert!(!billing.contains("id=\"csv-upload\""));
    assert!(!billing.contains("id=\"funnel\""));
    let draft = run.read("campaigns/intake-draft-empty/index.html");
    for absent in ["progress", "funnel", "number-pool", "csv-upload", "latency"] {
        assert!(!draft.contains(&format!("id=\"{absent}\"")), "draft has #{absent}");
    }
}

#[test]
fn files_per_tab() {
    let run = acme();
    for id in DRAFTS {
        assert!(run.has(id, "index.html"), "{id}");
        assert!(!run.has(id, "tasks.html"), "{id} has no tasks tab");
        assert!(!run.has(id, "report.html"), "{id} has no report tab");
        let page = run.read(&format!("campaigns/{id}/index.html"));
        assert!(!page.contains("tasks.html") && !page.contains("report.html"), "{id} links a tab it has not");
    }
    for id in ACTIVE {
        assert!(run.has(id, "index.html") && run.has(id, "tasks.html"), "{id}");
        assert!(!run.has(id, "report.html"), "{id} has no report tab");
        let page = run.read(&format!("campaigns/{id}/index.html"));
        assert!(page.contains("tasks.html"), "{id} links its tasks tab");
        assert!(!page.contains("report.html"), "{id} links a report tab it has not");
    }
    for id in ENDED {
        for page in ["index.html", "tasks.html", "report.html"] {
            assert!(run.has(id, page), "{id}/{page}");
        }
        let page = run.read(&format!("campaigns/{id}/index.html"));
        assert!(page.contains("tasks.html") && page.contains("report.html"), "{id} links its tabs");
    }
    for id in DRAFTS.iter().chain(ACTIVE).chain(ENDED) {
        assert!(run.has(id, "summary.json"), "{id}");
        assert!(run.has(id, "export/campaign.json"), "{id}");
    }
    assert!(run.path("index.html").is_file());
    assert!(run.path("manifest.json").is_file());
    assert!(run.path("assets/style.css").is_file());
    assert!(!run.files().iter().any(|f| f.ends_with(".pdf")), "no PDF with --format html,json");
}

#[test]
fn tab_pages_hold_their_sections() {
    let run = acme();
    let tasks = run.read("campaigns/reactivation-running/tasks.html");
    assert!(tasks.contains("id=\"tasks\""));
    let report = run.read("campaigns/q3-winback-completed/report.html");
    for section in ["funnel", "analysis", "results"] {
        assert!(report.contains(&format!("id=\"{section}\"")), "report has #{section}");
    }
    assert!(run.read("campaigns/q3-winback-completed/tasks.html").contains("id=\"tasks\""));
}

#[test]
fn export_copies_follow_the_data() {
    let run = acme();
    let with_tasks = [
        "reactivation-running",
        "billing-paused",
        "flu-shot-scheduled",
        "q3-winback-completed",
        "survey-failed",
        "promo-cancelled",
        "callback-blitz-completed",
    ];
    for id in with_tasks {
        assert!(run.has(id, "export/tasks.csv"), "{id}");
    }
    for id in ["legacy-archived", "hygiene-reminder-running", "intake-draft-empty", "whitening-cancelled"] {
        assert!(!run.has(id, "export/tasks.csv"), "{id} has no tasks");
    }
    for id in ["reactivation-running", "q3-winback-completed", "callback-blitz-completed"] {
        assert!(run.has(id, "export/calls.csv"), "{id}");
    }
    for id in ["billing-paused", "survey-failed", "promo-cancelled", "flu-shot-scheduled"] {
        assert!(!run.has(id, "export/calls.csv"), "{id} has no calls");
    }
    assert!(run.has("q3-winback-completed", "export/upload_rejects.csv"));
    assert!(run.has("spring-recall-draft", "export/upload_rejects.csv"));
    assert!(!run.has("reactivation-running", "export/upload_rejects.csv"));
}

#[test]
fn tasks_are_paginated_at_500() {
    let run = acme();
    let id = "q3-winback-completed";
    let pages = ["tasks.html", "tasks-2.html", "tasks-3.html", "tasks-4.html", "tasks-5.html", "tasks-6.html"];
    let mut seen = std::collections::BTreeSet::new();
    for (i, page) in pages.iter().enumerate() {
        assert!(run.has(id, page), "{page}");
        let text = run.read(&format!("campaigns/{id}/{page}"));
        let ids = task_ids(&text);
        assert!(ids.len() <= 500, "{page} holds {} tasks", ids.len());
        // Pages follow the table's order (q3-0001 … q3-3000), whichever thread rendered them.
        let first = format!("q3-{:04}", i * 500 + 1);
        let last = format!("q3-{:04}", i * 500 + 500);
        assert_eq!((ids.first(), ids.last()), (Some(&first), Some(&last)), "{page}");
        seen.extend(ids);
    }
    assert!(!run.has(id, "tasks-7.html"));
    assert_eq!(seen.len(), 3000, "every task is on some page");
    assert!(run.has("reactivation-running", "tasks.html"));
    assert!(!run.has("reactivation-running", "tasks-2.html"), "40 tasks fit on one page");
}

/// Distinct `q3-NNNN` task ids in a page.
fn task_ids(text: &str) -> std::collections::BTreeSet<String> {
    let bytes = text.as_bytes();
    text.match_indices("q3-")
        .filter_map(|(at, _)| {
            let digits = &bytes.get(at + 3..at + 7)?;
            let next = bytes.get(at + 7);
            (digits.iter().all(u8::is_ascii_digit) && !next.is_some_and(u8::is_ascii_digit))
                .then(|| text[at..at + 7].to_string())
        })
        .collect()
}

fn has_refresh(page: &str) -> bool {
    page.to_ascii_lowercase().contains("http-equiv=\"refresh\"")
}

#[test]
fn only_active_pages_refresh_themselves() {
    let run = acme();
    let mut refreshing = Vec::new();
    for rel in run.files().into_iter().filter(|f| f.ends_with(".html")) {
        if has_refresh(&run.read(&rel)) {
            refreshing.push(rel);
        }
    }
    let mut expected = Vec::new();
    for id in ACTIVE {
        for page in ["index.html", "tasks.html"] {
            let rel = format!("campaigns/{id}/{page}");
            assert!(run.read(&rel).contains("http-equiv=\"refresh\" content=\"60\""), "{rel} refreshes every 60 s");
            expected.push(rel);
        }
        assert_eq!(run.summary(id)["auto_refresh_seconds"], 60, "{id}");
    }
    expected.sort();
    assert_eq!(refreshing, expected, "pages with a refresh meta tag");
    for id in DRAFTS.iter().chain(ENDED) {
        assert!(run.summary(id)["auto_refresh_seconds"].is_null(), "{id}");
    }
}

#[test]
fn refresh_seconds_option() {
    let run = Cli::build(["acme-single.json"]).args(["--refresh-seconds", "15"]).run();
    run.expect_code(0);
    let id = "hygiene-reminder-running";
    assert!(run.read(&format!("campaigns/{id}/index.html")).contains("http-equiv=\"refresh\" content=\"15\""));
    assert!(run.read(&format!("campaigns/{id}/tasks.html")).contains("http-equiv=\"refresh\" content=\"15\""));
    assert_eq!(run.summary(id)["auto_refresh_seconds"], 15);

    let off = Cli::build(["acme-single.json", "acme-more.json"]).args(["--refresh-seconds", "0"]).run();
    off.expect_code(0);
    for rel in off.files().into_iter().filter(|f| f.ends_with(".html")) {
        assert!(!has_refresh(&off.read(&rel)), "{rel} refreshes with --refresh-seconds 0");
    }
    assert!(off.summary(id)["auto_refresh_seconds"].is_null());
    assert!(off.summary("no-show-followup-paused")["auto_refresh_seconds"].is_null());
}

#[test]
fn campaign_list_groups_every_campaign() {
    let run = acme();
    let index = run.read("index.html");
    for id in DRAFTS.iter().chain(ACTIVE).chain(ENDED) {
        assert!(index.contains(&format!("campaigns/{id}/")), "index links {id}");
    }
    assert!(index.contains("assets/style.css"), "index uses the local stylesheet");
    assert!(!has_refresh(&index));
}

#[test]
fn upload_rejects_on_page_are_capped_at_50() {
    let run = acme();
    let id = "q3-winback-completed";
    let (header, rows) = read_csv(&run.read(&format!("campaigns/{id}/export/upload_rejects.csv")));
    assert_eq!(rows.len(), 120, "the export copy holds every reject");
    let rejects = std::fs::read_to_string(fixture("acme/q3/q3-winback-completed/upload_rejects.csv")).unwrap();
    let (fh, frows) = read_csv(&rejects);
    // Phones like 555-0803 that appear in exactly one reject row identify that row on the page.
    let phone = |h: &[String], r: &[String]| cell(h, r, "phone").to_string();
    let unique = |p: &str| p.starts_with("555-") && frows.iter().filter(|r| phone(&fh, r) == p).count() == 1;
    let page = run.read(&format!("campaigns/{id}/index.html"));
    let first: Vec<String> = frows[..50].iter().map(|r| phone(&fh, r)).filter(|p| unique(p)).collect();
    let rest: Vec<String> = frows[50..].iter().map(|r| phone(&fh, r)).filter(|p| unique(p)).collect();
    assert!(!first.is_empty() && !rest.is_empty());
    for p in &first {
        assert!(page.contains(p.as_str()), "reject {p} (in the first 50) is on the page");
    }
    for p in &rest {
        assert!(!page.contains(p.as_str()), "reject {p} (after the first 50) is not on the page");
    }
    assert!(header.iter().any(|h| h == "reason"));
}

#[test]
fn deep_links_use_app_url() {
    let run = acme();
    let page = run.read("campaigns/q3-winback-completed/index.html");
    assert!(page.contains("https://app.example.com"), "actions link into the app");
    assert!(
        page.contains("https://app.example.com/numbers/+14155550174")
            || page.contains("https://app.example.com/numbers/%2B14155550174"),
        "number pool links each number's record"
    );
    // The export action links the export copies.
    assert!(page.contains("export/"), "export action links the export copies");
}

#[test]
fn export_strings_are_escaped_and_markdown_sanitised() {
    let run = acme();
    let id = "promo-cancelled";
    for page in ["index.html", "tasks.html", "report.html"] {
        let text = run.read(&format!("campaigns/{id}/{page}"));
        assert!(!text.contains("<Holiday>"), "{page}: campaign name is escaped");
        assert!(!text.to_ascii_lowercase().contains("<script>alert"), "{page}: no script from the export");
    }
    let overview = run.read(&format!("campaigns/{id}/index.html"));
    assert!(overview.contains("&lt;Holiday&gt;"), "the escaped name is shown");
    assert!(overview.contains("Cancelled by the marketing team"), "ended banner gives status_reason");
    assert!(!run.read("index.html").contains("<Holiday>"));
    let draft = run.read("campaigns/spring-recall-draft/index.html");
    assert!(draft.contains("<strong>cleaning</strong>"), "description Markdown is rendered");
}

/// The longest stretch of `text` that HTML escaping leaves as it is.
fn plain_fragment(text: &str) -> &str {
    text.split(['&', '<', '>', '"', '\'', '/']).max_by_key(|s| s.len()).unwrap_or("")
}

#[test]
fn reasons_and_warnings_are_on_the_page() {
    let run = acme();
    let paused = run.read("campaigns/billing-paused/index.html");
    assert!(paused.contains("Paused by billing: the workspace"), "paused page says why");
    let warnings = strings(&run.summary("billing-paused")["warnings"]);
    assert!(!warnings.is_empty());
    for warning in &warnings {
        let fragment = plain_fragment(warning);
        assert!(paused.contains(fragment), "warning {warning:?} is on the page");
    }
    for page in ["index.html", "tasks.html", "report.html"] {
        let text = run.read(&format!("campaigns/survey-failed/{page}"));
        assert!(text.contains("Stopped by the platform: the agent"), "failed banner on {page}");
    }
    let dispatch = run.read("campaigns/reactivation-running/index.html");
    assert!(
        ["carrier_rejected", "carrier rejected", "Carrier rejected"].iter().any(|r| dispatch.contains(r)),
        "dispatch health lists errors by reason"
    );
}

#[test]
fn pages_make_no_external_requests() {
    let run = acme();
    for rel in run.files().into_iter().filter(|f| f.ends_with(".html")) {
        let text = run.read(&rel);
        assert!(!text.contains("src=\"http") && !text.contains("src='http"), "{rel} loads a remote resource");
        for tag in
            text.match_indices("<link").map(|(at, _)| &text[at..text[at..].find('>').map_or(text.len(), |e| at + e)])
        {
            assert!(!tag.contains("href=\"http") && !tag.contains("href=\"//"), "{rel}: remote {tag}");
        }
    }
}

#[test]
fn operator_notes_open_the_overview_only() {
    let run = acme();
    let overview = run.read("campaigns/q3-winback-completed/index.html");
    let notes = overview.find("id=\"notes\"").expect("the Overview shows the operator's notes");
    let funnel = overview.find("id=\"funnel\"").expect("the Overview shows the funnel");
    assert!(notes < funnel, "the notes come before the layout's sections");
    for tab in ["report.html", "tasks.html"] {
        let page = run.read(&format!("campaigns/q3-winback-completed/{tab}"));
        assert!(!page.contains("id=\"notes\""), "{tab} repeats the operator's notes");
    }
    // A campaign without notes has no notes block.
    assert!(!run.read("campaigns/intake-draft-empty/index.html").contains("id=\"notes\""));
}

/// The head of every page: a Content-Security-Policy that allows no script and
/// no request outside the snapshot, a title naming the page, and the stylesheet
/// linked (HTML pages) rather than inlined (only printed pages inline it).
#[test]
fn every_page_head_forbids_script_and_names_the_page() {
    let run = acme();
    let csp = r#"<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'">"#;
    let pages = crate::common::html_pages(&run.out);
    assert!(pages.len() > 40, "{} pages", pages.len());
    for page in pages {
        let html = std::fs::read_to_string(&page).unwrap();
        let head = &html[..html.find("</head>").unwrap_or_else(|| panic!("{}: no head", page.display()))];
        assert!(head.contains(csp), "{}: no script-free CSP in\n{head}", page.display());
        assert!(!head.contains("<script") && !head.contains("<style"), "{}", page.display());
        let title = head.split("<title>").nth(1).and_then(|t| t.split("</title>").next()).unwrap_or("");
        assert!(
            title.ends_with(" · Acme Dental") && title.len() > " · Acme Dental".len(),
            "{}: title {title:?}",
            page.display()
        );
    }
    let q3 = run.read("campaigns/q3-winback-completed/report.html");
    assert!(q3.contains("<title>Q3 Win-back · Report · Acme Dental</title>"), "{}", &q3[..400]);
}

#[test]
fn layouts_builds_only_the_campaigns_of_those_layouts() {
    let run = Cli::build(crate::common::ACME_INPUTS).args(["--layouts", "ended"]).run();
    run.expect_code(0);
    let manifest = run.manifest();
    let built: Vec<String> =
        manifest["campaigns"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_string()).collect();
    let mut ended = v(ENDED);
    ended.sort();
    assert_eq!(built, ended);
    assert_eq!(manifest["built_with"]["layouts"], serde_json::json!(["ended"]));
    let list = run.read("index.html");
    for id in DRAFTS.iter().chain(ACTIVE) {
        assert!(!run.has(id, "index.html"), "{id} was built");
        assert!(!list.contains(&format!("campaigns/{id}/")), "the list links {id}");
    }
    let run = Cli::build(crate::common::ACME_INPUTS).args(["--layouts", "draft,active"]).run();
    run.expect_code(0);
    assert_eq!(run.manifest()["campaigns"].as_array().unwrap().len(), DRAFTS.len() + ACTIVE.len());
}
