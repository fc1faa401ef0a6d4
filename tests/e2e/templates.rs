//! Task rows written by the tool (no template overridden) and drawn by the built-in
//! template from values (any template overridden) give the same pages, byte for byte
//! (docs/templates.md, "Task rows").

use std::path::Path;

use crate::common::{ACME_INPUTS, Cli, Run, files_under};

/// A `--templates` folder that overrides `header.html` with the built-in text itself:
/// the pages must not change, but every row then goes through the templates.
fn same_header(dir: &Path) -> std::path::PathBuf {
    let theme = dir.join("theme");
    Cli::new(["init-templates"]).arg(&theme).run().expect_code(0);
    for entry in files_under(&theme) {
        if entry != "header.html" {
            std::fs::remove_file(theme.join(&entry)).unwrap();
        }
    }
    theme
}

fn pages(run: &Run) -> Vec<String> {
    run.files().into_iter().filter(|f| f.ends_with(".html")).collect()
}

#[test]
fn rows_written_by_the_tool_equal_rows_drawn_by_the_template() {
    let tmp = tempfile::tempdir().unwrap();
    let theme = same_header(tmp.path());
    let configs: [&[&str]; 3] =
        [&["--role", "viewer"], &["--role", "admin"], &["--role", "viewer", "--redact", "contacts"]];
    for (i, extra) in configs.iter().enumerate() {
        let build = |name: &str, templates: bool| {
            let mut cli = Cli::build(ACME_INPUTS).out(tmp.path().join(format!("{name}-{i}"))).args(*extra);
            if templates {
                cli = cli.arg("--templates").arg(&theme);
            }
            let run = cli.run();
            run.expect_code(0);
            run
        };
        let (direct, drawn) = (build("direct", false), build("drawn", true));
        let files = pages(&direct);
        assert_eq!(files, pages(&drawn), "{extra:?}");
        let mut rows = 0;
        for file in &files {
            let page = direct.read(file);
            rows += page.matches("<tr><td>").count();
            assert!(page == drawn.read(file), "{file} differs with {extra:?}");
        }
        assert!(rows > 3000, "the pages hold {rows} task rows");
        if extra.contains(&"admin") {
            let tasks = direct.read("campaigns/q3-winback-completed/tasks.html");
            assert!(tasks.contains("<th scope=\"col\" class=\"num\">Latency</th>"), "admin pages show latency");
        }
    }
}

#[test]
fn a_template_error_on_a_later_tasks_page_fails_that_campaign_alone() {
    // Page 4 of q3-winback-completed's six Tasks pages (read again as a stream) fails.
    let tmp = tempfile::tempdir().unwrap();
    let theme = tmp.path().join("theme");
    std::fs::create_dir_all(theme.join("sections")).unwrap();
    let tasks = crate::common::fixture("../templates/sections/tasks.html");
    let body = std::fs::read_to_string(tasks).unwrap();
    let broken =
        format!("{{% if page.tasks.pager and page.file == \"tasks-4.html\" %}}{{{{ nosuch }}}}{{% endif %}}\n{body}");
    std::fs::write(theme.join("sections/tasks.html"), broken).unwrap();
    let run = Cli::build(ACME_INPUTS).arg("--templates").arg(&theme).run();
    run.expect_code(1);
    assert!(run.stderr.contains("q3-winback-completed") && run.stderr.contains("nosuch"), "{}", run.stderr);
    assert!(!run.has("q3-winback-completed", "tasks.html"), "none of its files is written");
    assert!(run.has("reactivation-running", "tasks.html"), "the other campaigns are built");
}
