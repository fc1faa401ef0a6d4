//! Hostile exports: script payloads in every string field must come out as text.
//! Pages are loaded in headless Chromium, which must find no script element, no
//! event-handler attribute, no `javascript:` link and no sign that a payload ran.

use crate::common::{Bundle, Cli, Inputs, headless_browser, html_pages, nu_html_errors};
use serde_json::json;

/// Payloads tried in every field.
const PAYLOADS: &[&str] = &[
    "<script>window.__pwned=1</script>",
    "\"><img src=x onerror=\"window.__pwned=2\">",
    "'><svg onload='window.__pwned=3'>",
    "javascript:window.__pwned=4",
    "</title><script>window.__pwned=5</script>",
    "<a href=\"javascript:window.__pwned=6\">x</a>",
    "{{ campaign.id }}{% raw %}",
    "=HYPERLINK(\"http://evil.example\",\"x\")",
    "\u{202e}gnp.exe \u{0}\u{1b}[31m",
];

fn payload(i: usize) -> String {
    PAYLOADS[i % PAYLOADS.len()].to_string()
}

/// A failed campaign with a payload in every field, and a draft with the same
/// fields and a hostile audience preview, column names included.
fn hostile_inputs() -> Inputs {
    let p = payload;
    let tasks: Vec<_> = (0..PAYLOADS.len())
        .map(|i| {
            json!({
                "task_id": format!("t{i}{}", p(i)),
                "contact_name": p(i + 1),
                "phone": "+14155550100",
                "status": "completed",
                "attempts": 1,
                "last_result": "answered",
                "outcome": p(i + 2),
                "talk_seconds": 30,
                "from_number": if i % 2 == 0 { "+14155550111" } else { "+14155550122" },
            })
        })
        .collect();
    let fields = json!({
        "name": p(0),
        "tenant": {"id": "acme", "name": p(1)},
        "status": "failed",
        "status_reason": p(2),
        "description_md": format!("{}\n\n[click](javascript:window.__pwned=7) <iframe src=\"javascript:1\"></iframe> {}", p(3), p(4)),
        "config": {
            "agent": {"name": p(5), "voice": p(6), "script_md": p(0)},
            "from_numbers": ["+14155550111", "+14155550122"],
            "audience": {"source": p(7), "list_name": p(8), "size": 10},
            "goal_outcomes": [p(2)]
        },
        "dispatch": {"errors_by_reason": {p(0): 1}},
        "upload": {
            "id": p(1), "file_name": p(2), "status": "completed", "rows_total": 3, "rows_rejected": 2,
            "rejects": [{"row": 2, "reason": p(3), "detail": p(4), p(5): p(6)}, {"row": 3, "reason": "x", "detail": p(0)}]
        },
        "tasks": tasks,
        "number_pool": [{"number": "+14155550111", "attempts": 5, "answered": 1, "flagged": false, "label": p(0)}]
    });
    let mut preview = String::from("contact_name,phone,\"<script>window.__pwned=8</script>\"\n");
    for i in 0..PAYLOADS.len() {
        let q = |s: String| format!("\"{}\"", s.replace('"', "\"\""));
        preview.push_str(&format!("{},+14155550100,{}\n", q(p(i)), q(p(i + 1))));
    }
    let inputs = Inputs::new();
    inputs.bundle(&Bundle::new("hostile").merge(fields.clone()));
    inputs.bundle(
        &Bundle::new("hostile-draft")
            .merge(fields)
            .merge(json!({"status": "draft", "tasks": null}))
            .table("audience_preview.csv", preview),
    );
    inputs
}

#[test]
fn payloads_never_run_in_any_page() {
    let inputs = hostile_inputs();
    let run = Cli::build([inputs.path()]).run();
    run.expect_code(0);

    let pages = html_pages(&run.out);
    assert!(pages.len() >= 5);
    for page in &pages {
        let text = std::fs::read_to_string(page).unwrap();
        assert!(!text.contains("<script"), "{} has a script element", page.display());
        assert!(!text.contains("onerror=\""), "{} has an event handler", page.display());
        assert!(!text.contains("href=\"javascript:"), "{} has a javascript: link", page.display());
    }
    // Control characters and payloads must not make the pages invalid either.
    let report = nu_html_errors(&pages);
    assert!(report.is_empty(), "Nu Html Checker errors:\n{report}");

    let export = run.read("campaigns/hostile/export/tasks.csv");
    assert!(
        !export.lines().any(|l| l.starts_with('=') || l.contains(",=")),
        "a formula reached the CSV copy:\n{export}"
    );

    let profile = tempfile::tempdir().unwrap();
    let browser = headless_browser(profile.path());
    let tab = browser.new_tab().unwrap();
    for page in &pages {
        tab.navigate_to(&format!("file://{}", page.display())).unwrap();
        tab.wait_for_element("footer.page-footer").unwrap();
        let probe = r#"JSON.stringify({
            pwned: window.__pwned || 0,
            scripts: document.querySelectorAll('script, iframe, object, embed').length,
            handlers: [...document.querySelectorAll('*')].filter(e => [...e.attributes].some(a => a.name.startsWith('on'))).length,
            js_links: [...document.querySelectorAll('[href],[src]')].filter(e => /^\s*javascript:/i.test(e.getAttribute('href') || e.getAttribute('src') || '')).length
        })"#;
        let value = tab.evaluate(probe, false).unwrap().value.unwrap();
        let found: serde_json::Value = serde_json::from_str(value.as_str().unwrap()).unwrap();
        assert_eq!(found, json!({"pwned": 0, "scripts": 0, "handlers": 0, "js_links": 0}), "{}", page.display());
    }
}
