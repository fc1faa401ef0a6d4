//! Every page written for the fixtures is valid HTML (Nu Html Checker) and has no
//! serious or critical accessibility violation (axe-core in headless Chromium).

use std::path::Path;

use crate::common::{ACME_INPUTS, Cli, Run, headless_browser, html_pages, nu_html_errors};

/// Every fixture campaign of both tenants, as an admin so restricted sections are
/// drawn too; built once for the tests of this file.
fn fixtures() -> &'static Run {
    let inputs = ACME_INPUTS.iter().chain(&["globex"]);
    let run = Cli::build(inputs).args(["--all-tenants", "--role", "admin"]).shared();
    run.expect_code(0);
    run
}

#[test]
fn every_page_passes_the_nu_html_checker() {
    let pages = html_pages(&fixtures().out);
    assert!(pages.len() > 40, "expected every tab of every fixture campaign, found {}", pages.len());
    let report = nu_html_errors(&pages);
    assert!(report.is_empty(), "Nu Html Checker errors:\n{report}");
}

#[test]
fn platform_pages_pass_the_nu_html_checker() {
    let run = Cli::build(["platforms"]).args(["--role", "admin"]).run();
    run.expect_code(0);
    let pages = html_pages(&run.out);
    assert!(pages.len() >= 14, "every tab of the five platform campaigns, found {}", pages.len());
    let report = nu_html_errors(&pages);
    assert!(report.is_empty(), "Nu Html Checker errors:\n{report}");
}

#[test]
fn no_page_has_serious_or_critical_accessibility_violations() {
    let axe = Path::new(env!("CARGO_MANIFEST_DIR")).join("tools/node_modules/axe-core/axe.min.js");
    let axe = std::fs::read_to_string(&axe)
        .unwrap_or_else(|e| panic!("{} is missing ({e}): run scripts/setup", axe.display()));
    let out = &fixtures().out;
    let mut pages = html_pages(out);
    // Every page kind: the lists, each campaign's tabs, the first Tasks page only.
    pages.retain(|p| !p.file_name().unwrap().to_string_lossy().starts_with("tasks-"));

    let profile = tempfile::tempdir().unwrap();
    let browser = headless_browser(profile.path());
    let tab = browser.new_tab().unwrap();
    let mut failures = Vec::new();
    for page in &pages {
        let url = format!("file://{}", page.display());
        tab.navigate_to(&url).unwrap();
        tab.wait_for_element("footer.page-footer").unwrap();
        tab.evaluate(&axe, false).unwrap();
        // meta-refresh is off: Active pages reload themselves (docs/export-format.md, Pages)
        // (`--refresh-seconds 0` turns it off for readers who need WCAG 2.2.1).
        let script = r#"axe.run(document, { resultTypes: ['violations'], rules: { 'meta-refresh': { enabled: false } } }).then(r => JSON.stringify(
            r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
              .map(v => v.id + ' (' + v.impact + '): ' + v.help + ' at ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', '))))"#;
        let result = tab.evaluate(script, true).unwrap();
        let text = result.value.and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
        let violations: Vec<String> =
            serde_json::from_str(&text).unwrap_or_else(|_| vec![format!("axe did not run: {text}")]);
        for v in violations {
            failures.push(format!("{}: {v}", page.strip_prefix(out).unwrap().display()));
        }
    }
    assert!(failures.is_empty(), "axe-core found serious or critical violations:\n{}", failures.join("\n"));
}
