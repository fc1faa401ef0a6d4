//! Pins the rendered markup of a few fixture pages, one insta snapshot per part
//! of a page (`tests/e2e/snapshots/<page>__<part>.snap`): the page header, each
//! `<section id="…">` (named after its id), the footer, and `body`, the rest of
//! `<body>` (the page's skeleton, with its warnings and banners). The `<head>` is
//! left out. A change to the templates or the view shows up here as a readable diff
//! of the parts it touches; review it and update with
//! `INSTA_UPDATE=always cargo test --test e2e snapshots`.

use crate::common::{Cli, Run};

/// The fixtures of the bundle directory alone, so the list is the directory's.
fn acme_directory() -> &'static Run {
    let run = Cli::build(["acme"]).shared();
    run.expect_code(0);
    run
}

#[test]
fn draft_overview() {
    let sections = ["notes", "readiness", "configuration", "audience-preview", "csv-upload", "number-pool"];
    assert_parts("draft_overview", "campaigns/spring-recall-draft/index.html", &sections);
}

#[test]
fn paused_overview() {
    assert_parts("paused_overview", "campaigns/billing-paused/index.html", &["progress", "dispatch-health", "tasks"]);
}

#[test]
fn failed_report() {
    assert_parts("failed_report", "campaigns/survey-failed/report.html", &["funnel", "analysis", "results"]);
}

#[test]
fn campaign_list() {
    assert_parts("campaign_list", "index.html", &["active", "draft", "ended"]);
}

/// Snapshots each part of the page at `rel` as `<page>__<part>` (a section id's
/// dashes made underscores), after checking that the page has exactly these
/// sections, in this order.
fn assert_parts(page: &str, rel: &str, sections: &[&str]) {
    let parts = parts(&acme_directory().read(rel));
    let names: Vec<&str> = parts.iter().map(|p| p.name.as_str()).collect();
    let expected = [&["body", "header"], sections, &["footer"]].concat();
    assert_eq!(names, expected, "{rel}: parts in page order");
    for part in &parts {
        let head = ["<head>", "<head ", "<title", "<meta"].iter().any(|tag| part.markup.contains(tag));
        assert!(!head, "{rel}: {} holds the head or some of it", part.name);
        let name = format!("{page}__{}", part.name.replace('-', "_"));
        insta::with_settings!({
            prepend_module_to_snapshot => false,
            omit_expression => true,
            description => format!("{rel}: {}", part.what),
        }, {
            insta::assert_snapshot!(name, part.markup);
        });
    }
}

/// One snapshotted stretch of a page.
struct Part {
    /// `body`, `header`, `footer`, or the section's id.
    name: String,
    /// Where it is, for the snapshot's description.
    what: String,
    markup: String,
}

/// The parts of a page, in page order: `body` (what `<body>` holds besides the
/// other parts: its own tag, the skip link, `<main>` and the warnings or banners
/// in it, without blank lines), the site header, each `<section id>`, the footer.
fn parts(page: &str) -> Vec<Part> {
    let start = page.find("<body").expect("a <body>");
    let body = &page[start..start + element_len(&page[start..], "body")];
    let mut parts = vec![element(body, "<header class=\"site-header\"", "header")];
    let mut at = 0;
    while let Some(found) = body[at..].find("<section").map(|i| at + i) {
        let markup = &body[found..found + element_len(&body[found..], "section")];
        let open = &markup[..markup.find('>').expect("<section …>")];
        let id = attribute(open, "id").unwrap_or_else(|| panic!("a section without an id: {open}>"));
        parts.push(Part { name: id.into(), what: format!("<section id=\"{id}\">"), markup: markup.into() });
        at = found + markup.len();
    }
    parts.push(element(body, "<footer class=\"page-footer\"", "footer"));
    let mut rest = body.to_string();
    for part in &parts {
        rest = rest.replacen(&part.markup, "", 1);
    }
    let rest: Vec<&str> = rest.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let what = "<body> less its header, sections and footer".into();
    parts.insert(0, Part { name: "body".into(), what, markup: rest.join("\n") });
    parts
}

/// The first element of `page` opening with `open` (the tag and some of its
/// attributes), closing tag included.
fn element(page: &str, open: &str, name: &str) -> Part {
    let start = page.find(open).unwrap_or_else(|| panic!("no {open}> in the page"));
    let tag = open.trim_start_matches('<').split(' ').next().unwrap_or_default();
    let len = element_len(&page[start..], tag);
    Part { name: name.into(), what: format!("{open}>"), markup: page[start..start + len].into() }
}

/// Length of the `tag` element `text` starts with, through its matching closing tag.
fn element_len(text: &str, tag: &str) -> usize {
    let (open, close) = (format!("<{tag}"), format!("</{tag}>"));
    let mut depth = 0;
    let mut at = 0;
    loop {
        let next_open = text[at..].find(&open).map(|i| at + i);
        let next_close = text[at..].find(&close).map(|i| at + i).unwrap_or_else(|| panic!("{open} is not closed"));
        match next_open {
            Some(o) if o < next_close => {
                depth += 1;
                at = o + open.len();
            }
            _ => {
                depth -= 1;
                at = next_close + close.len();
                if depth == 0 {
                    return at;
                }
            }
        }
    }
}

/// The value of `name="…"` in an opening tag.
fn attribute<'a>(open: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let start = open.find(&key)? + key.len();
    open[start..].find('"').map(|len| &open[start..start + len])
}
