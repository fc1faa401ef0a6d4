//! The PDF as its reader gets it, page by page: it stands alone (no file or page of
//! the snapshot named, no link into the snapshot), no page ends with a heading or a
//! table header without rows, and phone numbers, ids and times never wrap.

use std::collections::BTreeSet;
use std::path::Path;

use crate::common::{Cli, Run, files_under};
use crate::printing::{acme, text, tool};

/// The globex fixtures printed on A4.
fn globex() -> &'static Run {
    Cli::build(["globex"]).format("html,json,pdf").args(["--tenant", "globex"]).shared()
}

/// Every printed PDF with the campaign folder it belongs to.
fn pdfs() -> Vec<(std::path::PathBuf, std::path::PathBuf)> {
    let mut found = Vec::new();
    for run in [acme(), globex()] {
        run.expect_code(0);
        for rel in files_under(&run.out).into_iter().filter(|f| f.ends_with(".pdf")) {
            let pdf = run.out.join(&rel);
            found.push((pdf.clone(), pdf.parent().unwrap().to_path_buf()));
        }
    }
    assert!(found.len() >= 12, "only {} PDFs", found.len());
    found
}

fn pages(pdf: &Path) -> usize {
    let info = tool("pdfinfo", &[], pdf);
    info.lines().find_map(|l| l.strip_prefix("Pages:")).expect("a page count").trim().parse().unwrap()
}

/// The text of each page, laid out as printed, without its footer line.
fn page_texts(pdf: &Path) -> Vec<Vec<String>> {
    let total = pages(pdf);
    (1..=total)
        .map(|n| {
            let page = tool("pdftotext", &["-layout", "-f", &n.to_string(), "-l", &n.to_string()], pdf);
            let footer = format!("Page {n} of {total}");
            page.lines().filter(|l| !l.trim().is_empty() && !l.contains(&footer)).map(str::to_string).collect()
        })
        .collect()
}

/// The pieces of a laid-out line: runs of text separated by two spaces or more.
fn segments(line: &str) -> Vec<String> {
    line.split("  ").map(|s| s.split_whitespace().collect::<Vec<_>>().join(" ")).filter(|s| !s.is_empty()).collect()
}

/// Inner texts of the elements matching `open` (e.g. `<h2`) up to `close` in `html`, tags removed.
fn texts_of(html: &str, open: &str, close: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find(open) {
        let after = &rest[at..];
        let Some(start) = after.find('>') else { break };
        let Some(end) = after.find(close) else { break };
        let inner = &after[start + 1..end];
        let mut plain = String::new();
        let mut in_tag = false;
        for c in inner.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => plain.push(c),
                _ => {}
            }
        }
        let plain = plain.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&#39;", "'");
        found.push(plain.split_whitespace().collect::<Vec<_>>().join(" "));
        rest = &after[end..];
    }
    found
}

/// The numbers of the number pool table, as shown (before any label).
fn pool_numbers(html: &str) -> Vec<String> {
    html.split("<tr data-number=")
        .skip(1)
        .filter_map(|row| {
            let cell = &row[row.find("<th scope=\"row\">")? + "<th scope=\"row\">".len()..];
            let cell = if cell.starts_with("<a ") { &cell[cell.find('>')? + 1..] } else { cell };
            Some(cell[..cell.find('<')?].trim().to_string())
        })
        .collect()
}

#[test]
fn no_page_ends_with_a_heading_or_a_table_header_without_rows() {
    let mut problems = Vec::new();
    for (pdf, dir) in pdfs() {
        let html = std::fs::read_to_string(dir.join("index.html")).unwrap();
        let mut headings: BTreeSet<String> = ["h2", "h3"]
            .iter()
            .flat_map(|h| texts_of(&html, &format!("<{h}"), &format!("</{h}>")))
            .chain(texts_of(&html, "<caption", "</caption>"))
            .collect();
        headings.insert("Appendix: tasks".into());
        let header_cells: BTreeSet<String> = texts_of(&html, "<th scope=\"col\"", "</th>").into_iter().collect();
        let pages = page_texts(&pdf);
        // The last page ends the document: what ends it is not cut off.
        for (n, lines) in pages.iter().enumerate().take(pages.len() - 1) {
            let Some(last) = lines.last() else { continue };
            let parts = segments(last);
            let heading = parts.iter().find(|p| headings.iter().any(|h| h == *p || h.starts_with(&format!("{p} "))));
            let bare_header = parts.iter().all(|p| header_cells.contains(p) || p.starts_with("Bar"));
            if let Some(h) = heading {
                problems.push(format!("{} page {}: ends with the heading {h:?}", pdf.display(), n + 1));
            } else if bare_header {
                problems.push(format!("{} page {}: ends with a table header: {last:?}", pdf.display(), n + 1));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn phone_numbers_ids_and_times_never_wrap() {
    let mut problems = Vec::new();
    for (pdf, dir) in pdfs() {
        let lines: Vec<String> =
            text(&pdf).lines().map(|l| l.split_whitespace().collect::<Vec<_>>().join(" ")).collect();
        // The PDF lists the first 200 tasks, the first of the Tasks tab's rows.
        let tasks = std::fs::read_to_string(dir.join("tasks.html")).unwrap_or_default();
        let overview = std::fs::read_to_string(dir.join("index.html")).unwrap();
        let mut values: Vec<String> = Vec::new();
        values.extend(texts_of(&tasks, "<td class=\"phone\"", "</td>").into_iter().take(400));
        values.extend(texts_of(&tasks, "<td class=\"time\"", "</td>").into_iter().take(200));
        values.extend(texts_of(&tasks, "<tr><td>", "</td>").into_iter().take(200));
        values.extend(texts_of(&overview, "<span class=\"nowrap\"", "</span>"));
        values.extend(pool_numbers(&overview));
        for value in values.into_iter().filter(|v| !v.is_empty()) {
            if !lines.iter().any(|l| l.contains(&value)) {
                problems.push(format!("{}: {value:?} is not on one line", pdf.display()));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_pdf_names_no_file_of_the_snapshot_and_links_only_into_the_app() {
    for (pdf, _) in pdfs() {
        let text = text(&pdf).split_whitespace().collect::<Vec<_>>().join(" ");
        for name in
            ["tasks.html", "export/", "upload_rejects.csv", "tasks.csv", "calls.csv", "Tasks tab", "of this snapshot"]
        {
            assert!(!text.contains(name), "{} names {name:?}:\n{text}", pdf.display());
        }
        // Links work for a reader who has only the PDF: into the app, or the notes' own web links.
        let urls = tool("pdfinfo", &["-url"], &pdf);
        for line in urls.lines().skip(1) {
            let url = line.split_whitespace().last().unwrap_or("");
            let absolute = ["https://", "http://", "mailto:"].iter().any(|s| url.starts_with(s));
            assert!(absolute, "{}: a link the reader cannot follow: {line}", pdf.display());
        }
    }
}

#[test]
fn each_table_is_shown_once() {
    // Q3's numbers are in its number pool section; the results say so instead of repeating them.
    let text = text(&acme().pdf("q3-winback-completed"));
    assert_eq!(text.matches("Answer rate").count(), 1, "the per-number table is shown twice");
    assert!(text.contains("The figures of each caller number are under Number pool health."));
}
