//! One attempt at printing one page: a helper thread that drives a tab (open it,
//! load the page, wait for its load event, print), bounded by a deadline, and the
//! print options every PDF gets.
//!
//! It exists because the protocol calls block with no deadline of their own and
//! do not notice a browser that died; the worker waits for the helper in short
//! slices instead. It does not retry, relaunch or rewrite the PDF: that is
//! `printer`'s and `dates`' job.

use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};

use super::printer::Launch;
use super::{Paper, PdfJob, footer};
use crate::browser::{CdpError, Page};

/// How often a page's wait checks that the browser is still alive.
const LIVENESS_POLL: Duration = Duration::from_millis(250);

/// The tab an attempt leaves usable, and its PDF or why it failed.
type Attempted = (Option<TabSlot>, Result<Vec<u8>, Failure>);

/// Why one attempt failed.
pub(super) enum Failure {
    Timeout,
    Error(String),
}

impl Failure {
    fn because(what: &str, err: impl std::fmt::Display) -> Failure {
        Failure::Error(format!("{what}: {err}"))
    }
}

/// Where a tab gets the page to print.
pub(super) enum Source {
    /// A file the browser reads itself (a browser the tool started).
    File(String),
    /// The page's bytes, answered to the browser's request for `url` (a browser
    /// given with `--browser`, which cannot read the tool's files).
    Served { url: String, html: Arc<Vec<u8>> },
}

/// One attempt at one page, bounded by `deadline`. The protocol calls run on a
/// helper thread with the same deadline; the worker waits for it in short slices
/// and gives up at once when the browser dies.
pub(super) fn attempt(
    launch: &Arc<Launch>,
    slot: Option<TabSlot>,
    source: &Arc<Source>,
    options: &Value,
    deadline: Duration,
) -> (Option<TabSlot>, Result<Vec<u8>, Failure>) {
    let started = Instant::now();
    let until = started + deadline;
    let (tx, rx) = mpsc::channel::<Box<Attempted>>();
    let launch_for_helper = launch.clone();
    let source = source.clone();
    let options = options.clone();
    let spawned = std::thread::Builder::new().name("pdf-page".into()).spawn(move || {
        let launch = launch_for_helper;
        let slot = match slot {
            Some(slot) => slot,
            None => match TabSlot::open(&launch, until) {
                Ok(slot) => slot,
                Err(err) => {
                    let _ = tx.send(Box::new((None, Err(err))));
                    return;
                }
            },
        };
        let result = slot.print(&source, options, until);
        if let Err(mpsc::SendError(late)) = tx.send(Box::new((Some(slot), result))) {
            // The worker gave up on this attempt: its tab must not linger.
            if let Some(slot) = late.0 {
                slot.close_in_background();
            }
        }
    });
    if let Err(err) = spawned {
        return (None, Err(Failure::Error(format!("could not start a thread: {err}"))));
    }
    loop {
        let left = deadline.saturating_sub(started.elapsed());
        // Waits in short slices: a browser that died is noticed at once.
        match rx.recv_timeout(left.min(LIVENESS_POLL)) {
            Ok(done) => {
                let (slot, result) = *done;
                return (slot, result);
            }
            Err(RecvTimeoutError::Timeout) if !left.is_zero() => {
                if !launch.instance.alive() {
                    return (None, Err(Failure::Error("the browser stopped while printing".into())));
                }
            }
            Err(RecvTimeoutError::Timeout) => return (None, Err(Failure::Timeout)),
            Err(RecvTimeoutError::Disconnected) => {
                return (None, Err(Failure::Error("the printing thread stopped".into())));
            }
        }
    }
}

/// The print options of one PDF (`Page.printToPDF`): paper, margins, footer.
pub(super) fn print_options(paper: Paper, job: &PdfJob) -> Value {
    let (width, height) = paper.inches();
    let mm = |v: f64| v / 25.4;
    json!({
        "landscape": false,
        "displayHeaderFooter": true,
        "printBackground": true,
        "paperWidth": width,
        "paperHeight": height,
        // The same margins as the print stylesheet, so pages without one still
        // leave room for the footer.
        "marginTop": mm(14.0),
        "marginBottom": mm(16.0),
        "marginLeft": mm(12.0),
        "marginRight": mm(12.0),
        "headerTemplate": "<span></span>",
        "footerTemplate": footer::footer_template(
            &job.title,
            &job.snapshot,
            if job.archival.is_some() { super::archival::PRINT_FONTS } else { "" },
        ),
        // The page to print ends its style sheet with the paper's `@page { size }`
        // (`Paper::page_rule`), so preferring the CSS page size keeps the style
        // sheet's margins and still prints on the paper asked for. Not preferring
        // it would scale an A4 layout down onto Letter instead. A page without a
        // size gets the paper width and height above.
        "preferCSSPageSize": true,
        "generateTaggedPDF": false,
        "generateDocumentOutline": false,
    })
}

/// A tab of the pool.
pub(super) struct TabSlot {
    /// The launch of the browser the tab belongs to.
    pub(super) generation: u64,
    page: Page,
}

impl TabSlot {
    fn open(launch: &Launch, until: Instant) -> Result<TabSlot, Failure> {
        match launch.instance.open_page(until) {
            Ok(page) => Ok(TabSlot { generation: launch.generation, page }),
            Err(CdpError::Timeout) => Err(Failure::Timeout),
            Err(err) => Err(Failure::because("could not open a browser tab", err)),
        }
    }

    /// Loads the page, waits for its load event (not for network idle, which costs
    /// about a second a page), and prints it.
    fn print(&self, source: &Source, options: Value, until: Instant) -> Result<Vec<u8>, Failure> {
        let failed = |what: &str, err: CdpError| match err {
            CdpError::Timeout => Failure::Timeout,
            err => Failure::because(what, err),
        };
        let loaded = match source {
            Source::File(url) => self.page.load(url, until),
            Source::Served { url, html } => self.page.load_served(url, html, until),
        };
        loaded.map_err(|e| failed("the page did not load", e))?;
        let printed = self
            .page
            .call("Page.printToPDF", options, until)
            .map_err(|e| failed("the browser could not print the page", e))?;
        let data = printed.get("data").and_then(Value::as_str).unwrap_or_default();
        base64::engine::general_purpose::STANDARD
            .decode(data)
            .map_err(|e| Failure::because("the browser's PDF is not base64", e))
    }

    /// Closes the tab without waiting for the browser.
    pub(super) fn close_in_background(self) {
        let _ = std::thread::Builder::new().name("pdf-tab-close".into()).spawn(move || {
            self.page.close(Duration::from_secs(5));
        });
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use crate::render::pdf::testing::{SCRIPTS, job, page, settings, tool};
    use crate::render::pdf::{Paper, Printer};

    #[test]
    fn prints_text_in_every_script_with_footer() {
        let dir = tempfile::tempdir().unwrap();
        let first = page(dir.path(), "one.html", &format!("<h1>Spring recall</h1><p class=band>{SCRIPTS}</p>"));
        let long: String = (0..120).map(|i| format!("<p>Row {i} — строка {i}</p>")).collect();
        let second = page(dir.path(), "two.html", &format!("<h1>Second report</h1>{long}"));
        let printer = Printer::launch(&settings(Paper::A4, 2)).unwrap();
        let results = printer.print_all(&[job(first, "Spring <recall> & \"co\""), job(second, "Второй")]);
        assert_eq!(results.len(), 2);
        let first = results[0].as_ref().unwrap();
        let text = tool("pdftotext", &[], first);
        for word in ["Spring recall", "café", "Кириллица", "漢字かな", "Page 1 of 1", "Spring <recall> & \"co\""]
        {
            assert!(text.contains(word), "{word:?} missing from:\n{text}");
        }
        // Arabic comes back in visual order from pdftotext; check its letters.
        assert!(text.contains('ع') && text.contains('ب'), "Arabic missing from:\n{text}");
        assert!(text.contains("2026-11-27 07:00 EST"));
        let second = results[1].as_ref().unwrap();
        let text = tool("pdftotext", &[], second);
        assert!(text.contains("Second report") && text.contains("Второй"), "{text}");
        assert!(text.contains("Page 1 of ") && text.contains("Page 2 of "), "{text}");
        let info = tool("pdfinfo", &[], first);
        assert!(info.contains("(A4)"), "not A4:\n{info}");
        tool("qpdf", &["--check"], first);
    }

    /// Letter wins over a style sheet that says A4 when the paper rule follows it, and
    /// a page without any size gets the paper from the print options. One browser prints both.
    #[test]
    fn pages_print_on_the_paper_asked_for() {
        let dir = tempfile::tempdir().unwrap();
        let ruled =
            page(dir.path(), "letter.html", &format!("<h1>Letter</h1><style>{}</style>", Paper::Letter.page_rule()));
        let bare = dir.path().join("bare.html");
        std::fs::write(&bare, "<!doctype html><title>bare</title><h1>Bare</h1>").unwrap();
        let printer = Printer::launch(&settings(Paper::Letter, 1)).unwrap();
        for (name, result) in
            ["ruled", "bare"].into_iter().zip(printer.print_all(&[job(ruled, "Letter"), job(bare, "Bare")]))
        {
            let info = tool("pdfinfo", &[], &result.unwrap());
            assert!(info.contains("612 x 792"), "{name}: not Letter:\n{info}");
        }
    }

    #[test]
    fn remote_resources_fail_fast_instead_of_loading() {
        let dir = tempfile::tempdir().unwrap();
        let html = page(
            dir.path(),
            "remote.html",
            "<h1>Remote</h1><img src=\"http://192.0.2.1/x.png\"><img src=\"https://example.com/y.png\">",
        );
        let mut settings = settings(Paper::A4, 1);
        settings.deadline = Duration::from_secs(10);
        let printer = Printer::launch(&settings).unwrap();
        let started = Instant::now();
        let pdf = printer.print_all(&[job(html, "Remote")]).remove(0).unwrap();
        assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
        assert!(tool("pdftotext", &[], &pdf).contains("Remote"));
    }
}
