//! PDF renderer: prints the HTML pages already written to disk with one headless
//! Chromium per run and a pool of tabs.
//!
//! A browser's connection can drop in the middle of a run, and its PDFs carry the
//! time they were printed. This module owns what that means for PDFs: the tab
//! pool, a deadline per PDF with one retry on a fresh tab, relaunching a browser
//! that died, and rewriting the PDF dates from the snapshot time so reruns with
//! `--now` are byte-identical. Finding, starting and killing the browser (also on
//! SIGINT, SIGTERM and SIGHUP) is [`crate::browser`]'s job.
//!
//! It must not download a browser or touch the network: the pages are `file://`
//! URLs of complete, self-contained files, and the browser runs with its
//! background networking switched off and its own `HOME` and `TMPDIR`.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use headless_chrome::Tab;
use headless_chrome::protocol::cdp::types::Event;
use headless_chrome::types::PrintToPdfOptions;

use crate::browser::{self, BrowserError, Instance};

/// Default deadline for one PDF.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(60);

/// A pause after which `print_all` checks the browser before handing out pages.
const IDLE_CHECK: Duration = Duration::from_secs(10);

/// How often a page's wait checks that the browser is still alive.
const LIVENESS_POLL: Duration = Duration::from_millis(250);

/// Relaunches allowed over one `Printer`'s life, so a browser that dies on every
/// page cannot keep the run going forever.
const MAX_RELAUNCHES: u32 = 3;

/// Paper size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Paper {
    /// ISO A4, 210 × 297 mm.
    #[default]
    A4,
    /// US Letter, 8.5 × 11 in.
    Letter,
}

impl Paper {
    /// Width and height in inches, as the DevTools protocol wants them.
    fn inches(self) -> (f64, f64) {
        match self {
            Paper::A4 => (210.0 / 25.4, 297.0 / 25.4),
            Paper::Letter => (8.5, 11.0),
        }
    }

    /// The CSS rule that puts a printed page on this paper. The page to print ends its
    /// style sheet with it, so it wins over any `@page { size }` before it (a custom
    /// style sheet's included) in every browser, headless shell or full.
    pub fn page_rule(self) -> &'static str {
        match self {
            Paper::A4 => "@page { size: A4 portrait; }",
            Paper::Letter => "@page { size: letter portrait; }",
        }
    }
}

impl std::str::FromStr for Paper {
    type Err = String;

    fn from_str(s: &str) -> Result<Paper, String> {
        match s.to_ascii_lowercase().as_str() {
            "a4" => Ok(Paper::A4),
            "letter" => Ok(Paper::Letter),
            _ => Err(format!("unknown paper {s:?} (expected a4 or letter)")),
        }
    }
}

/// One PDF to print.
#[derive(Debug, Clone)]
pub struct PdfJob {
    /// Absolute path of a complete, self-contained HTML file (CSS inline) to print via file://.
    pub html: PathBuf,
    /// Campaign name for the footer (untrusted text from an export, escaped here).
    pub title: String,
    /// Snapshot time as shown on the pages, e.g. "2026-11-27 07:00 EST", for the footer.
    pub snapshot: String,
}

/// How to print: which browser, paper, how many tabs, and the snapshot time.
#[derive(Debug, Clone)]
pub struct PdfSettings {
    /// `--chrome`: the browser to use; searched for when `None` (see [`crate::browser`]).
    pub chrome: Option<PathBuf>,
    /// `--paper`.
    pub paper: Paper,
    /// Tabs in the pool (`--jobs`); 0 counts as 1.
    pub jobs: usize,
    /// Deadline for one PDF; a PDF that misses it is retried once on a fresh tab.
    pub deadline: Duration,
    /// Snapshot time written as the PDFs' `/CreationDate` and `/ModDate`.
    pub now: jiff::Timestamp,
}

/// Why a PDF could not be printed.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// No usable browser was found.
    #[error(
        "no Chromium or Chrome browser found to print PDFs (tried {tried}); install one (on \
         Debian `apt-get install chromium-headless-shell`, the fastest, or `apt-get install \
         chromium`), or point `--chrome PATH` or the CHROME environment variable at a browser"
    )]
    NoBrowser {
        /// What was tried, for the message.
        tried: String,
    },
    /// The browser was found but did not start.
    #[error("could not start the browser {chrome}: {reason}")]
    Launch {
        /// The browser executable.
        chrome: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// The temporary folder for the browser's profile could not be made.
    #[error("could not create a temporary folder for the browser: {0}")]
    TempDir(#[source] std::io::Error),
    /// Printing one page failed.
    #[error("could not print {html} to PDF: {reason}")]
    Print {
        /// The page.
        html: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// Printing one page missed its deadline twice.
    #[error("printing {html} to PDF did not finish within {} s (retried once)", deadline.as_secs_f64())]
    Timeout {
        /// The page.
        html: PathBuf,
        /// The deadline per attempt.
        deadline: Duration,
    },
}

impl From<BrowserError> for PdfError {
    /// The browser's own errors, worded for a run that prints PDFs.
    fn from(err: BrowserError) -> PdfError {
        match err {
            BrowserError::NoBrowser { tried } => PdfError::NoBrowser { tried },
            BrowserError::Launch { chrome, reason } => PdfError::Launch { chrome, reason },
            BrowserError::TempDir(err) => PdfError::TempDir(err),
        }
    }
}

// ---------------------------------------------------------------------------
// The printer

/// A running headless browser with a pool of tabs.
pub struct Printer {
    chrome: PathBuf,
    paper: Paper,
    tabs: usize,
    deadline: Duration,
    now: jiff::Timestamp,
    state: Mutex<State>,
    /// Tabs left open by earlier `print_all` calls, reused by the next.
    idle_tabs: Mutex<Vec<TabSlot>>,
    /// When a page was last printed, to check the browser after a pause.
    last_used: Mutex<Instant>,
}

/// The current browser, replaced when it dies.
struct State {
    current: Option<Arc<Launched>>,
    generation: u64,
    relaunches: u32,
    /// Set when a relaunch failed: later jobs fail fast with this error instead of
    /// each waiting for a browser that will not start.
    broken: Option<String>,
}

/// A browser of this printer and which launch it is: a tab opened in an earlier
/// launch is gone with its browser.
struct Launched {
    generation: u64,
    instance: Instance,
}

impl Printer {
    /// Finds and starts the browser (one per run); tabs open as jobs need them.
    pub fn launch(settings: &PdfSettings) -> Result<Printer, PdfError> {
        let chrome = browser::find_chrome(settings.chrome.as_deref())?;
        let instance = Launched { generation: 1, instance: Instance::start(&chrome)? };
        Ok(Printer {
            chrome,
            paper: settings.paper,
            tabs: settings.jobs.max(1),
            deadline: settings.deadline,
            now: settings.now,
            state: Mutex::new(State { current: Some(Arc::new(instance)), generation: 1, relaunches: 0, broken: None }),
            idle_tabs: Mutex::new(Vec::new()),
            last_used: Mutex::new(Instant::now()),
        })
    }

    /// The browser executable in use.
    pub fn chrome(&self) -> &std::path::Path {
        &self.chrome
    }

    /// Prints every job, in parallel over the tab pool; result i belongs to job i. Bytes are the final, normalised PDF.
    pub fn print_all(&self, jobs: &[PdfJob]) -> Vec<Result<Vec<u8>, PdfError>> {
        if jobs.is_empty() {
            return Vec::new();
        }
        // A connection that dropped while we were idle is found here, not on the first page.
        let idle = lock(&self.last_used).elapsed() > IDLE_CHECK;
        if idle
            && let Ok(instance) = self.instance()
            && !instance.instance.healthy()
        {
            self.retire(&instance);
        }
        let next = AtomicUsize::new(0);
        let results: Vec<Mutex<Option<PdfResult>>> = jobs.iter().map(|_| Mutex::new(None)).collect();
        std::thread::scope(|scope| {
            for _ in 0..self.tabs.min(jobs.len()) {
                scope.spawn(|| {
                    let mut slot = lock(&self.idle_tabs).pop();
                    loop {
                        let i = next.fetch_add(1, Ordering::SeqCst);
                        let Some(job) = jobs.get(i) else { break };
                        let result = self.print_one(job, &mut slot);
                        *lock(&results[i]) = Some(result);
                        *lock(&self.last_used) = Instant::now();
                    }
                    if let Some(slot) = slot {
                        lock(&self.idle_tabs).push(slot);
                    }
                });
            }
        });
        results
            .into_iter()
            .map(|r| {
                r.into_inner().unwrap_or_else(|e| e.into_inner()).unwrap_or_else(|| {
                    Err(PdfError::Print { html: PathBuf::new(), reason: "a printing thread stopped".into() })
                })
            })
            .collect()
    }

    /// One PDF: up to two attempts, plus new attempts after a browser relaunch.
    fn print_one(&self, job: &PdfJob, slot: &mut Option<TabSlot>) -> Result<Vec<u8>, PdfError> {
        if !job.html.is_file() {
            return Err(PdfError::Print { html: job.html.clone(), reason: "the HTML file does not exist".into() });
        }
        let url = url::Url::from_file_path(&job.html)
            .map_err(|()| PdfError::Print { html: job.html.clone(), reason: "the path is not absolute".into() })?;
        let options = self.print_options(job);
        let mut failures = 0;
        loop {
            let instance = self.instance()?;
            if slot.as_ref().is_some_and(|s| s.generation != instance.generation) {
                *slot = None;
            }
            match attempt(&instance, slot.take(), url.as_str(), &options, self.deadline) {
                (Some(tab), Ok(pdf)) => {
                    *slot = Some(tab);
                    return normalise_dates(pdf, self.now)
                        .map_err(|reason| PdfError::Print { html: job.html.clone(), reason });
                }
                (tab, outcome) => {
                    if let Some(tab) = tab {
                        tab.close_in_background();
                    }
                    if !instance.instance.healthy() && self.retire(&instance) {
                        // The browser died under this page: that was not the page's fault.
                        continue;
                    }
                    failures += 1;
                    if failures >= 2 {
                        return Err(match outcome {
                            Err(Failure::Timeout) => {
                                PdfError::Timeout { html: job.html.clone(), deadline: self.deadline }
                            }
                            Err(Failure::Error(reason)) => PdfError::Print { html: job.html.clone(), reason },
                            Ok(_) => PdfError::Print { html: job.html.clone(), reason: "no tab".into() },
                        });
                    }
                }
            }
        }
    }

    fn print_options(&self, job: &PdfJob) -> PrintToPdfOptions {
        let (width, height) = self.paper.inches();
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
            footer_template: Some(footer_template(&job.title, &job.snapshot)),
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

    /// The current browser, started again if it was retired.
    fn instance(&self) -> Result<Arc<Launched>, PdfError> {
        let mut state = lock(&self.state);
        if let Some(current) = &state.current {
            return Ok(current.clone());
        }
        if let Some(reason) = &state.broken {
            return Err(PdfError::Launch { chrome: self.chrome.clone(), reason: reason.clone() });
        }
        state.generation += 1;
        match Instance::start(&self.chrome) {
            Ok(instance) => {
                let instance = Arc::new(Launched { generation: state.generation, instance });
                state.current = Some(instance.clone());
                Ok(instance)
            }
            Err(err) => {
                let err = PdfError::from(err);
                state.broken = Some(err.to_string());
                Err(err)
            }
        }
    }

    /// Kills a browser that stopped answering so the next job starts a new one.
    /// Returns false when the relaunch budget is spent (then the job counts a failure).
    fn retire(&self, instance: &Arc<Launched>) -> bool {
        let mut state = lock(&self.state);
        let is_current = state.current.as_ref().is_some_and(|c| Arc::ptr_eq(c, instance));
        if !is_current {
            // Another thread already replaced it.
            return state.broken.is_none();
        }
        if state.relaunches >= MAX_RELAUNCHES {
            state.broken = Some(format!("the browser stopped responding {} times", MAX_RELAUNCHES + 1));
            instance.instance.shutdown();
            state.current = None;
            return false;
        }
        state.relaunches += 1;
        instance.instance.shutdown();
        state.current = None;
        true
    }
}

impl Drop for Printer {
    fn drop(&mut self) {
        lock(&self.idle_tabs).clear();
        if let Some(instance) = lock(&self.state).current.take() {
            instance.instance.shutdown();
        }
    }
}

/// The final bytes of one PDF, or why there are none.
type PdfResult = Result<Vec<u8>, PdfError>;

/// The tab an attempt leaves usable, and its PDF or why it failed.
type Attempted = (Option<TabSlot>, Result<Vec<u8>, Failure>);

/// Why one attempt failed.
enum Failure {
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
fn attempt(
    instance: &Arc<Launched>,
    slot: Option<TabSlot>,
    url: &str,
    options: &PrintToPdfOptions,
    deadline: Duration,
) -> (Option<TabSlot>, Result<Vec<u8>, Failure>) {
    let started = Instant::now();
    let (tx, rx) = mpsc::channel();
    let instance_for_helper = instance.clone();
    let url = url.to_owned();
    let options = clone_options(options);
    let spawned = std::thread::Builder::new().name("pdf-page".into()).spawn(move || {
        let instance = instance_for_helper;
        let slot = match slot {
            Some(slot) => slot,
            None => match TabSlot::open(&instance) {
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
                if !instance.instance.alive() {
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
struct TabSlot {
    generation: u64,
    tab: Arc<Tab>,
    loads: Receiver<()>,
}

impl TabSlot {
    fn open(instance: &Launched) -> Result<TabSlot, String> {
        let tab = instance.instance.browser().new_tab().map_err(|e| format!("could not open a browser tab: {e}"))?;
        let (tx, loads) = mpsc::channel();
        let tx = Mutex::new(tx);
        tab.add_event_listener(Arc::new(move |event: &Event| {
            if let Event::PageLoadEventFired(_) = event {
                let _ = lock(&tx).send(());
            }
        }))
        .map_err(|e| format!("could not listen to the tab's events: {e}"))?;
        Ok(TabSlot { generation: instance.generation, tab, loads })
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

    fn close_in_background(self) {
        close_tab_in_background(self.tab);
    }
}

fn close_tab_in_background(tab: Arc<Tab>) {
    let _ = std::thread::Builder::new().name("pdf-tab-close".into()).spawn(move || {
        let _ = tab.close_target();
    });
}

/// The footer: campaign name, snapshot time and "Page N of M". Chromium renders it
/// in the bottom margin with a default font size of zero, hence the explicit size.
fn footer_template(title: &str, snapshot: &str) -> String {
    format!(
        concat!(
            r#"<div style="box-sizing: border-box; width: 100%; padding: 0 12mm; display: flex; "#,
            r#"justify-content: space-between; gap: 6mm; font-size: 8px; color: #555; "#,
            r#"font-family: 'DejaVu Sans', 'Noto Sans', 'Noto Sans CJK SC', 'Noto Sans Arabic', "#,
            r#"'Noto Sans Hebrew', 'Noto Color Emoji', sans-serif;">"#,
            r#"<span style="overflow: hidden; white-space: nowrap; text-overflow: ellipsis;">{title} · {snapshot}</span>"#,
            r#"<span style="white-space: nowrap;">Page <span class="pageNumber"></span> of "#,
            r#"<span class="totalPages"></span></span></div>"#
        ),
        title = escape_html(title),
        snapshot = escape_html(snapshot),
    )
}

/// Escapes text for HTML content and attribute values.
fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

// ---------------------------------------------------------------------------
// Reproducible bytes

/// Rewrites `/CreationDate` and `/ModDate` to `now` (UTC) and drops any `/ID`, so
/// two prints of the same page are byte-identical. Chromium writes both dates as
/// fixed-width literals in an uncompressed info dictionary, so they are replaced in
/// place with a string of the same length and every offset stays valid; anything
/// else goes through `lopdf`, which rewrites the file.
fn normalise_dates(pdf: Vec<u8>, now: jiff::Timestamp) -> Result<Vec<u8>, String> {
    let date = format!("D:{}+00'00'", now.strftime("%Y%m%d%H%M%S"));
    match normalise_in_place(pdf, date.as_bytes()) {
        Ok(pdf) => Ok(pdf),
        Err(pdf) => normalise_with_lopdf(&pdf, &date),
    }
}

/// The equal-length rewrite; gives the input back when the file does not look
/// like Chromium's usual output.
fn normalise_in_place(mut pdf: Vec<u8>, date: &[u8]) -> Result<Vec<u8>, Vec<u8>> {
    if contains(&pdf, b"/ID [") || contains(&pdf, b"/ID[") || contains(&pdf, b"/ObjStm") {
        return Err(pdf);
    }
    let mut rewritten = 0;
    for key in [&b"/CreationDate ("[..], &b"/ModDate ("[..]] {
        let mut from = 0;
        while let Some(at) = find(&pdf[from..], key) {
            let start = from + at + key.len();
            let Some(len) = pdf[start..].iter().take(64).position(|&b| b == b')') else { return Err(pdf) };
            let old = &pdf[start..start + len];
            if !old.starts_with(b"D:") || len != date.len() || old.contains(&b'\\') {
                return Err(pdf);
            }
            pdf[start..start + len].copy_from_slice(date);
            rewritten += 1;
            from = start + len;
        }
    }
    if rewritten == 0 { Err(pdf) } else { Ok(pdf) }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn normalise_with_lopdf(pdf: &[u8], date: &str) -> Result<Vec<u8>, String> {
    let bad = |e: lopdf::Error| format!("the browser's PDF could not be read back: {e}");
    let mut doc = lopdf::Document::load_mem(pdf).map_err(bad)?;
    doc.trailer.remove(b"ID");
    let info = doc.trailer.get(b"Info").and_then(lopdf::Object::as_reference).ok();
    if let Some(id) = info {
        let dict = doc.get_dictionary_mut(id).map_err(bad)?;
        for key in [&b"CreationDate"[..], &b"ModDate"[..]] {
            if dict.has(key) {
                dict.set(key, lopdf::Object::string_literal(date));
            }
        }
    }
    let mut out = Vec::with_capacity(pdf.len());
    doc.save_to(&mut out).map_err(|e| format!("the PDF could not be written: {e}"))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;
    use std::process::Command;

    fn now() -> jiff::Timestamp {
        "2026-11-27T12:00:00Z".parse().unwrap()
    }

    /// Chromium must be installed for these tests: a missing browser fails them.
    fn settings(paper: Paper, jobs: usize) -> PdfSettings {
        let chrome = browser::find_chrome(None).expect("Chromium is needed for the PDF tests: scripts/setup --tests");
        PdfSettings { chrome: Some(chrome), paper, jobs, deadline: DEFAULT_DEADLINE, now: now() }
    }

    fn page(dir: &Path, name: &str, body: &str) -> PathBuf {
        let path = dir.join(name);
        let html = format!(
            "<!doctype html><html><head><meta charset=\"utf-8\"><title>{name}</title><style>\
             @page {{ size: A4; margin: 14mm 12mm 16mm; }} body {{ font-family: 'DejaVu Sans', 'Noto Sans', \
             'Noto Sans CJK SC', 'Noto Sans Arabic', 'Noto Color Emoji', sans-serif; }} \
             .band {{ background: #c8f7c5; }}</style></head><body>{body}</body></html>"
        );
        std::fs::write(&path, html).unwrap();
        path
    }

    fn job(html: PathBuf, title: &str) -> PdfJob {
        PdfJob { html, title: title.into(), snapshot: "2026-11-27 07:00 EST".into() }
    }

    fn tool(name: &str, args: &[&str], pdf: &[u8]) -> String {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("out.pdf");
        std::fs::write(&file, pdf).unwrap();
        let mut cmd = Command::new(name);
        cmd.args(args).arg(&file);
        if name == "pdftotext" {
            cmd.arg("-");
        }
        let out = cmd.output().unwrap_or_else(|e| panic!("{name} is needed (apt-get install poppler-utils qpdf): {e}"));
        assert!(out.status.success(), "{name} failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    const SCRIPTS: &str = "Latin café · Кириллица · العربية · 漢字かな · 🎉";

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

    #[test]
    fn same_page_and_time_give_the_same_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let html = page(dir.path(), "same.html", &format!("<h1>Same</h1><p>{SCRIPTS}</p>"));
        let printer = Printer::launch(&settings(Paper::A4, 1)).unwrap();
        let a = printer.print_all(&[job(html.clone(), "Same")]).remove(0).unwrap();
        // A second browser, to rule out anything cached in the first.
        drop(printer);
        let printer = Printer::launch(&settings(Paper::A4, 1)).unwrap();
        let b = printer.print_all(&[job(html, "Same")]).remove(0).unwrap();
        assert!(a == b, "two prints of the same page differ");
        assert!(contains(&a, b"/CreationDate (D:20261127120000+00'00')"));
        tool("qpdf", &["--check"], &a);
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

    #[test]
    fn a_page_that_never_loads_times_out_twice_and_fails_alone() {
        let dir = tempfile::tempdir().unwrap();
        let stuck = page(dir.path(), "stuck.html", "<h1>Stuck</h1><script>for (;;) {}</script>");
        let good = page(dir.path(), "fine.html", "<h1>Fine</h1>");
        let mut settings = settings(Paper::A4, 2);
        settings.deadline = Duration::from_secs(3);
        let printer = Printer::launch(&settings).unwrap();
        let started = Instant::now();
        let results = printer.print_all(&[job(stuck, "Stuck"), job(good.clone(), "Fine"), job(good, "Fine")]);
        assert!(matches!(results[0], Err(PdfError::Timeout { .. })), "{:?}", results[0]);
        assert!(results[1].is_ok() && results[2].is_ok(), "{results:?}");
        let took = started.elapsed();
        assert!(took >= Duration::from_secs(6) && took < Duration::from_secs(20), "took {took:?}");
    }

    #[test]
    fn missing_page_fails_alone() {
        let dir = tempfile::tempdir().unwrap();
        let good = page(dir.path(), "good.html", "<h1>Good</h1>");
        let printer = Printer::launch(&settings(Paper::A4, 2)).unwrap();
        let results = printer.print_all(&[job(dir.path().join("missing.html"), "x"), job(good, "Good")]);
        assert!(matches!(results[0], Err(PdfError::Print { .. })));
        assert!(results[1].is_ok());
    }

    #[test]
    fn relaunches_a_browser_that_died() {
        let dir = tempfile::tempdir().unwrap();
        let html = page(dir.path(), "again.html", "<h1>Again</h1>");
        let printer = Printer::launch(&settings(Paper::A4, 1)).unwrap();
        assert!(printer.print_all(&[job(html.clone(), "Again")])[0].is_ok());
        let pid = printer.instance().unwrap().instance.pid();
        browser::testing::crash(pid);
        std::thread::sleep(Duration::from_millis(200));
        let results = printer.print_all(&[job(html.clone(), "Again"), job(html, "Again")]);
        assert!(results.iter().all(Result::is_ok), "{results:?}");
        assert_ne!(printer.instance().unwrap().instance.pid(), pid);
    }

    #[test]
    fn a_browser_killed_mid_batch_is_replaced_and_every_page_printed() {
        let dir = tempfile::tempdir().unwrap();
        let rows: String = (0..80).map(|i| format!("<p>Row {i}</p>")).collect();
        let html = page(dir.path(), "batch.html", &format!("<h1>Batch</h1>{rows}"));
        let printer = Printer::launch(&settings(Paper::A4, 2)).unwrap();
        let pid = printer.instance().unwrap().instance.pid();
        let jobs: Vec<PdfJob> = (0..16).map(|_| job(html.clone(), "Batch")).collect();
        let killer = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(600));
            browser::testing::crash(pid);
        });
        let results = printer.print_all(&jobs);
        killer.join().unwrap();
        let failed: Vec<_> = results.iter().filter_map(|r| r.as_ref().err()).collect();
        assert!(failed.is_empty(), "{failed:?}");
        assert_ne!(printer.instance().unwrap().instance.pid(), pid, "the browser was not replaced");
        assert!(tool("pdftotext", &[], results.last().unwrap().as_ref().unwrap()).contains("Batch"));
    }

    #[test]
    fn drop_leaves_no_process_or_folder() {
        let dir = tempfile::tempdir().unwrap();
        let html = page(dir.path(), "drop.html", "<h1>Drop</h1>");
        let printer = Printer::launch(&settings(Paper::A4, 2)).unwrap();
        assert!(printer.print_all(&[job(html.clone(), "Drop"), job(html, "Drop")]).iter().all(Result::is_ok));
        let folder = printer.instance().unwrap().instance.folder().unwrap();
        let count = || browser::testing::processes_naming(&folder);
        assert!(count() > 0, "the browser's processes are not found by their profile folder");
        drop(printer);
        assert_eq!(count(), 0, "browser processes left after drop");
        assert!(!folder.exists(), "temporary folder left after drop");
    }

    #[test]
    fn no_browser_is_an_error_that_says_how_to_install() {
        let err = browser::find_chrome(Some(Path::new("/nonexistent/chromium"))).unwrap_err();
        assert_eq!(
            PdfError::from(err).to_string(),
            "no Chromium or Chrome browser found to print PDFs (tried --chrome /nonexistent/chromium (not found \
             or not executable)); install one (on Debian `apt-get install chromium-headless-shell`, the fastest, \
             or `apt-get install chromium`), or point `--chrome PATH` or the CHROME environment variable at a \
             browser"
        );
        let err = BrowserError::Launch { chrome: "/usr/bin/chromium".into(), reason: "it fell over".into() };
        assert_eq!(PdfError::from(err).to_string(), "could not start the browser /usr/bin/chromium: it fell over");
        let err = BrowserError::TempDir(std::io::Error::other("disk full"));
        assert_eq!(PdfError::from(err).to_string(), "could not create a temporary folder for the browser: disk full");
    }

    #[test]
    fn footer_escapes_the_campaign_name() {
        let footer = footer_template("<script>alert(1)</script> & 'x'", "now");
        assert!(!footer.contains("<script>"));
        assert!(footer.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#39;x&#39;"));
        assert!(footer.contains(r#"<span class="pageNumber"></span>"#));
    }

    #[test]
    fn dates_are_rewritten_in_place() {
        let pdf = b"%PDF-1.4\n1 0 obj\n<</Creator (Chromium) /CreationDate (D:20240101093000+02'00') /ModDate (D:20240101093000+02'00')>>\nendobj\n".to_vec();
        let out = normalise_in_place(pdf.clone(), b"D:20261127120000+00'00'").unwrap();
        assert_eq!(out.len(), pdf.len());
        assert!(contains(&out, b"/CreationDate (D:20261127120000+00'00') /ModDate (D:20261127120000+00'00')"));
    }
}
