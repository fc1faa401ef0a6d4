//! One attempt at printing one page: a helper thread that drives a tab (open it,
//! load the page, wait for its load event, print), bounded by a deadline, and the
//! print options every PDF gets.
//!
//! It exists because the protocol calls block with no deadline of their own and
//! do not notice a browser that died; the worker waits for the helper in short
//! slices instead. It does not retry, relaunch or rewrite the PDF: that is
//! `printer`'s and `dates`' job.

use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use headless_chrome::Tab;
use headless_chrome::protocol::cdp::types::Event;
use headless_chrome::types::PrintToPdfOptions;

use super::printer::Launch;
use super::{Paper, PdfJob, footer, lock};

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

/// What the helper thread of one attempt reports.
enum Report {
    /// The tab it uses (reported early so a timed-out attempt can close it).
    Tab(Arc<Tab>),
    Done(Box<Attempted>),
}

/// One attempt at one page, bounded by `deadline`. The protocol calls block (up to
/// the crate's idle timeout), so they run on a helper thread that is abandoned when
/// the deadline passes; closing its tab or killing the browser ends it.
pub(super) fn attempt(
    launch: &Arc<Launch>,
    slot: Option<TabSlot>,
    url: &str,
    options: &PrintToPdfOptions,
    deadline: Duration,
) -> (Option<TabSlot>, Result<Vec<u8>, Failure>) {
    let started = Instant::now();
    let (tx, rx) = mpsc::channel();
    let launch_for_helper = launch.clone();
    let url = url.to_owned();
    let options = clone_options(options);
    let spawned = std::thread::Builder::new().name("pdf-page".into()).spawn(move || {
        let launch = launch_for_helper;
        let slot = match slot {
            Some(slot) => slot,
            None => match TabSlot::open(&launch) {
                Ok(slot) => slot,
                Err(err) => {
                    let _ = tx.send(Report::Done(Box::new((None, Err(Failure::Error(err))))));
                    return;
                }
            },
        };
        let _ = tx.send(Report::Tab(slot.tab.clone()));
        let result = slot.print(&url, options, started + deadline);
        if let Err(mpsc::SendError(Report::Done(late))) = tx.send(Report::Done(Box::new((Some(slot), result)))) {
            // The worker gave up on this attempt: its tab must not linger.
            if let Some(slot) = late.0 {
                slot.close_in_background();
            }
        }
    });
    if let Err(err) = spawned {
        return (None, Err(Failure::Error(format!("could not start a thread: {err}"))));
    }
    let mut tab = None;
    loop {
        let left = deadline.saturating_sub(started.elapsed());
        // Waits in short slices: the crate's own waits (a new tab, a load event) do
        // not notice a browser that died, and nothing is gained by sitting them out.
        match rx.recv_timeout(left.min(LIVENESS_POLL)) {
            Ok(Report::Tab(t)) => tab = Some(t),
            Ok(Report::Done(done)) => {
                let (slot, result) = *done;
                return (slot, result);
            }
            Err(RecvTimeoutError::Timeout) if !left.is_zero() => {
                if !launch.instance.alive() {
                    return (None, Err(Failure::Error("the browser stopped while printing".into())));
                }
            }
            Err(RecvTimeoutError::Timeout) => {
                if let Some(tab) = tab {
                    close_tab_in_background(tab);
                }
                return (None, Err(Failure::Timeout));
            }
            Err(RecvTimeoutError::Disconnected) => {
                return (None, Err(Failure::Error("the printing thread stopped".into())));
            }
        }
    }
}

/// The print options of one PDF: paper, margins, footer.
pub(super) fn print_options(paper: Paper, job: &PdfJob) -> PrintToPdfOptions {
    let (width, height) = paper.inches();
    let mm = |v: f64| v / 25.4;
    PrintToPdfOptions {
        landscape: Some(false),
        display_header_footer: Some(true),
        print_background: Some(true),
        scale: None,
        paper_width: Some(width),
        paper_height: Some(height),
        // The same margins as the print stylesheet, so pages without one still
        // leave room for the footer.
        margin_top: Some(mm(14.0)),
        margin_bottom: Some(mm(16.0)),
        margin_left: Some(mm(12.0)),
        margin_right: Some(mm(12.0)),
        page_ranges: None,
        ignore_invalid_page_ranges: None,
        header_template: Some("<span></span>".into()),
        footer_template: Some(footer::footer_template(
            &job.title,
            &job.snapshot,
            if job.archival.is_some() { super::archival::PRINT_FONTS } else { "" },
        )),
        // The page to print ends its style sheet with the paper's `@page { size }`
        // (`Paper::page_rule`), so preferring the CSS page size keeps the style
        // sheet's margins and still prints on the paper asked for. Not preferring
        // it would scale an A4 layout down onto Letter instead. A page without a
        // size gets the paper width and height above.
        prefer_css_page_size: Some(true),
        transfer_mode: None,
        generate_document_outline: Some(false),
        generate_tagged_pdf: Some(false),
    }
}

/// `PrintToPdfOptions` is not `Clone`.
fn clone_options(o: &PrintToPdfOptions) -> PrintToPdfOptions {
    PrintToPdfOptions {
        landscape: o.landscape,
        display_header_footer: o.display_header_footer,
        print_background: o.print_background,
        scale: o.scale,
        paper_width: o.paper_width,
        paper_height: o.paper_height,
        margin_top: o.margin_top,
        margin_bottom: o.margin_bottom,
        margin_left: o.margin_left,
        margin_right: o.margin_right,
        page_ranges: o.page_ranges.clone(),
        ignore_invalid_page_ranges: o.ignore_invalid_page_ranges,
        header_template: o.header_template.clone(),
        footer_template: o.footer_template.clone(),
        prefer_css_page_size: o.prefer_css_page_size,
        transfer_mode: None,
        generate_document_outline: o.generate_document_outline,
        generate_tagged_pdf: o.generate_tagged_pdf,
    }
}

/// A tab of the pool and the load events of its page.
pub(super) struct TabSlot {
    /// The launch of the browser the tab belongs to.
    pub(super) generation: u64,
    tab: Arc<Tab>,
    loads: Receiver<()>,
}

impl TabSlot {
    fn open(launch: &Launch) -> Result<TabSlot, String> {
        let tab = launch.instance.browser().new_tab().map_err(|e| format!("could not open a browser tab: {e}"))?;
        let (tx, loads) = mpsc::channel();
        let tx = Mutex::new(tx);
        tab.add_event_listener(Arc::new(move |event: &Event| {
            if let Event::PageLoadEventFired(_) = event {
                let _ = lock(&tx).send(());
            }
        }))
        .map_err(|e| format!("could not listen to the tab's events: {e}"))?;
        Ok(TabSlot { generation: launch.generation, tab, loads })
    }

    /// Loads the page, waits for its load event (not for network idle, which costs
    /// about a second a page), and prints it.
    fn print(&self, url: &str, options: PrintToPdfOptions, until: Instant) -> Result<Vec<u8>, Failure> {
        while self.loads.try_recv().is_ok() {}
        self.tab.navigate_to(url).map_err(|e| Failure::because("the page did not load", e))?;
        match self.loads.recv_timeout(until.saturating_duration_since(Instant::now())) {
            Ok(()) => {}
            Err(RecvTimeoutError::Timeout) => return Err(Failure::Timeout),
            Err(RecvTimeoutError::Disconnected) => {
                return Err(Failure::Error("the tab went away while loading".into()));
            }
        }
        self.tab.print_to_pdf(Some(options)).map_err(|e| Failure::because("the browser could not print the page", e))
    }

    pub(super) fn close_in_background(self) {
        close_tab_in_background(self.tab);
    }
}

fn close_tab_in_background(tab: Arc<Tab>) {
    let _ = std::thread::Builder::new().name("pdf-tab-close".into()).spawn(move || {
        let _ = tab.close_target();
    });
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
