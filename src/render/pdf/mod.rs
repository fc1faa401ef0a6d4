//! PDF renderer: prints the HTML pages already written to disk with one headless
//! Chromium per run and a pool of tabs.
//!
//! A browser is a tree of processes that outlives the tool unless something kills it
//! on every exit path, its connection can drop in the middle of a run, and its PDFs
//! carry the time they were printed. This module owns all of that: finding the
//! browser, the tab pool, a deadline per PDF with one retry on a fresh tab,
//! relaunching a browser that died, killing the whole process tree (also on SIGINT,
//! SIGTERM and SIGHUP), and rewriting the PDF dates from the snapshot time so reruns
//! with `--now` are byte-identical.
//!
//! It must not download a browser or touch the network: the pages are `file://`
//! URLs of complete, self-contained files, and Chromium is started with its
//! background networking switched off and its own `HOME` and `TMPDIR`.

use std::collections::{HashMap, HashSet};
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use headless_chrome::protocol::cdp::types::Event;
use headless_chrome::types::PrintToPdfOptions;
use headless_chrome::{Browser, LaunchOptions, Tab};

/// Browser names searched on `PATH`, in this order, when neither `--chrome` nor
/// `CHROME` names one.
pub const BROWSER_NAMES: &[&str] = &[
    "chromium-headless-shell",
    "chrome-headless-shell",
    "chromium",
    "google-chrome",
    "chrome",
    "chromium-browser",
    "google-chrome-stable",
];

/// Default deadline for one PDF.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(60);

/// How long the protocol connection may stay silent before the crate drops it. The
/// crate's default (30 s) kills the connection between two batches; our own deadline
/// bounds each PDF instead.
const IDLE_TIMEOUT: Duration = Duration::from_secs(3600);

/// A pause after which `print_all` checks the browser before handing out pages.
const IDLE_CHECK: Duration = Duration::from_secs(10);

/// How often a page's wait checks that the browser is still alive.
const LIVENESS_POLL: Duration = Duration::from_millis(250);

/// How long a dead or unresponsive browser may take to answer a health check.
const HEALTH_TIMEOUT: Duration = Duration::from_secs(5);

/// Relaunches allowed over one `Printer`'s life, so a browser that dies on every
/// page cannot keep the run going forever.
const MAX_RELAUNCHES: u32 = 3;

/// A proxy that refuses every connection (the discard port, closed on any sane host).
const DEAD_PROXY: &str = "127.0.0.1:9";

/// Prefix of the temporary folder that holds the browser's profile, HOME and TMPDIR.
const TEMP_PREFIX: &str = "campaign-report-chrome-";

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
    /// `--chrome`: the browser to use; searched for when `None` (see [`find_chrome`]).
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

// ---------------------------------------------------------------------------
// Finding the browser

/// Finds the browser: explicit path, then $CHROME, then a headless shell, chromium,
/// google-chrome, chrome on PATH.
///
/// The headless shell (Chromium's old headless mode, `chromium-headless-shell` on
/// Debian, `chrome-headless-shell` from Chrome for Testing) comes first: it prints the
/// same PDFs about twice as fast, because the full browser starts a print compositor
/// process for every document, which loads every font the page uses again.
///
/// An explicit path or `CHROME` that does not work is an error (no silent
/// fallback to another browser); on `PATH`, Ubuntu's `chromium-browser` and
/// `google-chrome-stable` are tried last. A bare name is looked up on `PATH`.
pub fn find_chrome(explicit: Option<&Path>) -> Result<PathBuf, PdfError> {
    find_chrome_in(explicit, std::env::var_os("CHROME"), std::env::var_os("PATH"))
}

/// [`find_chrome`] with the environment passed in, so tests need not change it.
fn find_chrome_in(
    explicit: Option<&Path>,
    env_chrome: Option<OsString>,
    path_var: Option<OsString>,
) -> Result<PathBuf, PdfError> {
    let path_var = path_var.unwrap_or_default();
    // An explicit choice that does not work is an error, not a reason to pick another browser.
    if let Some(explicit) = explicit {
        return resolve(explicit.as_os_str(), &path_var).ok_or_else(|| PdfError::NoBrowser {
            tried: format!("--chrome {} (not found or not executable)", explicit.display()),
        });
    }
    if let Some(env) = env_chrome.filter(|v| !v.is_empty()) {
        return resolve(&env, &path_var).ok_or_else(|| PdfError::NoBrowser {
            tried: format!("CHROME={} (not found or not executable)", Path::new(&env).display()),
        });
    }
    for name in BROWSER_NAMES {
        if let Some(found) = resolve(OsStr::new(name), &path_var) {
            return Ok(found);
        }
    }
    Err(PdfError::NoBrowser { tried: format!("{} on PATH; CHROME is not set", BROWSER_NAMES.join(", ")) })
}

/// A path with a slash is taken as is; a bare name is looked up on `PATH`.
fn resolve(name: &OsStr, path_var: &OsStr) -> Option<PathBuf> {
    let as_path = Path::new(name);
    if as_path.components().count() > 1 || as_path.is_absolute() {
        return is_executable(as_path).then(|| as_path.to_path_buf());
    }
    std::env::split_paths(path_var).map(|dir| dir.join(name)).find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
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
    current: Option<Arc<Instance>>,
    generation: u64,
    relaunches: u32,
    /// Set when a relaunch failed: later jobs fail fast with this error instead of
    /// each waiting for a browser that will not start.
    broken: Option<String>,
}

impl Printer {
    /// Finds and starts the browser (one per run); tabs open as jobs need them.
    pub fn launch(settings: &PdfSettings) -> Result<Printer, PdfError> {
        let chrome = find_chrome(settings.chrome.as_deref())?;
        install_signal_handler();
        let instance = Instance::start(&chrome, 1)?;
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
    pub fn chrome(&self) -> &Path {
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
            && !instance.healthy()
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
                    if !instance.healthy() && self.retire(&instance) {
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
    fn instance(&self) -> Result<Arc<Instance>, PdfError> {
        let mut state = lock(&self.state);
        if let Some(current) = &state.current {
            return Ok(current.clone());
        }
        if let Some(reason) = &state.broken {
            return Err(PdfError::Launch { chrome: self.chrome.clone(), reason: reason.clone() });
        }
        state.generation += 1;
        match Instance::start(&self.chrome, state.generation) {
            Ok(instance) => {
                let instance = Arc::new(instance);
                state.current = Some(instance.clone());
                Ok(instance)
            }
            Err(err) => {
                state.broken = Some(err.to_string());
                Err(err)
            }
        }
    }

    /// Kills a browser that stopped answering so the next job starts a new one.
    /// Returns false when the relaunch budget is spent (then the job counts a failure).
    fn retire(&self, instance: &Arc<Instance>) -> bool {
        let mut state = lock(&self.state);
        let is_current = state.current.as_ref().is_some_and(|c| Arc::ptr_eq(c, instance));
        if !is_current {
            // Another thread already replaced it.
            return state.broken.is_none();
        }
        if state.relaunches >= MAX_RELAUNCHES {
            state.broken = Some(format!("the browser stopped responding {} times", MAX_RELAUNCHES + 1));
            instance.shutdown();
            state.current = None;
            return false;
        }
        state.relaunches += 1;
        instance.shutdown();
        state.current = None;
        true
    }
}

impl Drop for Printer {
    fn drop(&mut self) {
        lock(&self.idle_tabs).clear();
        if let Some(instance) = lock(&self.state).current.take() {
            instance.shutdown();
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
    instance: &Arc<Instance>,
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
                if instance.shut.load(Ordering::SeqCst) || !process_alive(instance.pid) {
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
    fn open(instance: &Instance) -> Result<TabSlot, String> {
        let tab = instance.browser.new_tab().map_err(|e| format!("could not open a browser tab: {e}"))?;
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

// ---------------------------------------------------------------------------
// One browser process tree

/// One launched browser, its process id and its temporary folder.
struct Instance {
    generation: u64,
    browser: Browser,
    pid: u32,
    dir: Mutex<Option<tempfile::TempDir>>,
    shut: AtomicBool,
}

impl Instance {
    fn start(chrome: &Path, generation: u64) -> Result<Instance, PdfError> {
        // Held until the browser is registered, so a signal handler never kills
        // "everything" while a browser it cannot see yet is starting.
        let _launching = lock(&LAUNCH);
        if STOPPING.load(Ordering::SeqCst) {
            return Err(PdfError::Launch { chrome: chrome.to_path_buf(), reason: "the run is stopping".into() });
        }
        let dir = tempfile::Builder::new().prefix(TEMP_PREFIX).tempdir().map_err(PdfError::TempDir)?;
        let (profile, home, tmp) = (dir.path().join("profile"), dir.path().join("home"), dir.path().join("tmp"));
        for sub in [&profile, &home, &tmp] {
            std::fs::create_dir_all(sub).map_err(PdfError::TempDir)?;
        }
        // Registered before the launch, so a signal during it still finds the
        // processes by their profile folder.
        register(dir.path(), None);

        let text = |p: &Path| p.to_string_lossy().into_owned();
        let envs = HashMap::from([
            ("HOME".to_owned(), text(&home)),
            ("TMPDIR".to_owned(), text(&tmp)),
            ("XDG_CONFIG_HOME".to_owned(), text(&home.join(".config"))),
            ("XDG_CACHE_HOME".to_owned(), text(&home.join(".cache"))),
        ]);
        let args: Vec<&OsStr> = [
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-default-apps",
            "--disable-extensions",
            "--disable-gpu",
            "--disable-crash-reporter",
            "--hide-scrollbars",
            "--mute-audio",
        ]
        .iter()
        .map(OsStr::new)
        .collect();
        let options = LaunchOptions {
            headless: true,
            // Chromium refuses to start as root with its sandbox on.
            sandbox: !is_root(),
            path: Some(chrome.to_path_buf()),
            user_data_dir: Some(profile),
            idle_browser_timeout: IDLE_TIMEOUT,
            // Pages are local files. A remote image that slipped into a page must fail
            // at once instead of calling out or holding back the load event: every
            // http(s) request goes to a closed local port.
            proxy_server: Some(DEAD_PROXY),
            process_envs: Some(envs),
            args,
            ..LaunchOptions::default()
        };
        let browser = match Browser::new(options) {
            Ok(browser) => browser,
            Err(err) => {
                kill_tree(None, Some(dir.path()), false);
                unregister(dir.path());
                return Err(PdfError::Launch { chrome: chrome.to_path_buf(), reason: format!("{err:#}") });
            }
        };
        let Some(pid) = browser.get_process_id() else {
            unregister(dir.path());
            return Err(PdfError::Launch { chrome: chrome.to_path_buf(), reason: "no process id".into() });
        };
        register(dir.path(), Some(pid));
        Ok(Instance { generation, browser, pid, dir: Mutex::new(Some(dir)), shut: AtomicBool::new(false) })
    }

    /// Alive and answering the protocol within a few seconds.
    fn healthy(&self) -> bool {
        if self.shut.load(Ordering::SeqCst) || !process_alive(self.pid) {
            return false;
        }
        let (tx, rx) = mpsc::channel();
        let browser = self.browser.clone();
        let spawned = std::thread::Builder::new().name("pdf-health".into()).spawn(move || {
            let _ = tx.send(browser.get_version().is_ok());
        });
        spawned.is_ok() && rx.recv_timeout(HEALTH_TIMEOUT).unwrap_or(false)
    }

    /// Kills the whole process tree and removes the temporary folder. The `Browser`
    /// handle itself is dropped with the last reference; its calls fail fast then.
    fn shutdown(&self) {
        if self.shut.swap(true, Ordering::SeqCst) {
            return;
        }
        if let Some(dir) = lock(&self.dir).take() {
            kill_tree(Some(self.pid), Some(dir.path()), false);
            unregister(dir.path());
            let path = dir.path().to_path_buf();
            if dir.close().is_err() {
                // Chromium may still have been writing: try once more.
                let _ = std::fs::remove_dir_all(&path);
            }
        }
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

// ---------------------------------------------------------------------------
// Process cleanup, also on signals

/// A browser this process launched: its pid (once known) and its temporary folder.
struct Live {
    pid: Option<u32>,
    dir: PathBuf,
}

static LIVE: Mutex<Vec<Live>> = Mutex::new(Vec::new());

/// Held while a browser starts (see `Instance::start`).
static LAUNCH: Mutex<()> = Mutex::new(());

/// Set once the browsers are being killed for good: no new one may start.
static STOPPING: AtomicBool = AtomicBool::new(false);

fn register(dir: &Path, pid: Option<u32>) {
    let mut live = lock(&LIVE);
    match live.iter_mut().find(|l| l.dir == dir) {
        Some(entry) => entry.pid = pid,
        None => live.push(Live { pid, dir: dir.to_path_buf() }),
    }
}

fn unregister(dir: &Path) {
    lock(&LIVE).retain(|l| l.dir != dir);
}

/// Kills every browser this process launched and removes their temporary folders.
/// Call it only right before the process exits, on paths that skip destructors
/// (`process::exit` after a fatal error); the signal handler installed by
/// [`Printer::launch`] calls it too. A `Printer` is unusable afterwards.
pub fn kill_all_browsers() {
    STOPPING.store(true, Ordering::SeqCst);
    // A relaunch in progress finishes (and registers) first; none starts after.
    let _no_launch = lock(&LAUNCH);
    let live: Vec<Live> = std::mem::take(&mut *lock(&LIVE));
    for entry in &live {
        kill_tree(entry.pid, Some(&entry.dir), true);
    }
    for entry in &live {
        let _ = std::fs::remove_dir_all(&entry.dir);
    }
}

/// On SIGINT, SIGTERM or SIGHUP: kill the browsers, then exit with 128 + the signal
/// number (130 for Ctrl-C). Without this a signal to the tool alone leaves the whole
/// Chromium tree running.
fn install_signal_handler() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        become_subreaper();
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else { return };
        let _ = std::thread::Builder::new().name("pdf-signals".into()).spawn(move || {
            if let Some(signal) = signals.forever().next() {
                kill_all_browsers();
                std::process::exit(128 + signal);
            }
        });
    });
}

/// Kills `root` and every process descending from it, plus every process whose
/// command line names `marker` (the browser's temporary folder: this finds
/// processes orphaned by a crashed browser and those of a launch in progress).
/// Processes are stopped first, level by level, so none can fork or be
/// re-parented out of reach before the kill.
fn kill_tree(root: Option<u32>, marker: Option<&Path>, reap_root: bool) {
    let marker = marker.map(|m| m.as_os_str().as_encoded_bytes().to_vec());
    let me = std::process::id();
    let mut stopped: HashSet<u32> = HashSet::new();
    for _ in 0..32 {
        let table = process_table();
        let mut found = Vec::new();
        for (&pid, info) in &table {
            if pid == me || stopped.contains(&pid) {
                continue;
            }
            let by_root = Some(pid) == root;
            let by_parent = stopped.contains(&info.ppid);
            let by_marker = marker.as_ref().is_some_and(|m| contains(&info.cmdline, m));
            if by_root || by_parent || by_marker {
                found.push(pid);
            }
        }
        if found.is_empty() {
            break;
        }
        for pid in found {
            signal(pid, libc::SIGSTOP);
            stopped.insert(pid);
        }
    }
    for &pid in &stopped {
        signal(pid, libc::SIGKILL);
    }
    // Wait until they are gone, reaping those that became our children (see
    // `become_subreaper`), so a count of processes right after shows none. The
    // browser itself is left to its `Child` handle unless we are about to exit:
    // reaping it here would free its pid while that handle may still signal it.
    let until = Instant::now() + Duration::from_secs(2);
    loop {
        let mut pending = false;
        for &pid in &stopped {
            let Some((state, ppid)) = stat(pid) else { continue };
            if state != 'Z' && state != 'X' {
                pending = true;
            } else if ppid == me {
                if Some(pid) != root || reap_root {
                    reap(pid);
                    pending |= stat(pid).is_some();
                }
            } else if stopped.contains(&ppid) {
                // A zombie whose parent is still exiting: it is about to become ours.
                pending = true;
            }
        }
        if !pending || Instant::now() >= until {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    reap_orphans(root.filter(|_| !reap_root));
}

/// Reaps browser processes that died on their own after their parent did (a
/// crashed browser's children) and were adopted by us: they are zombies without a
/// command line by then, so only their name tells them apart. `keep` and the
/// browsers still running are left to their `Child` handles.
fn reap_orphans(keep: Option<u32>) {
    let me = std::process::id();
    let live: Vec<u32> = lock(&LIVE).iter().filter_map(|l| l.pid).collect();
    let Ok(entries) = std::fs::read_dir("/proc") else { return };
    for entry in entries.flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else { continue };
        if Some(pid) == keep || live.contains(&pid) {
            continue;
        }
        let Some((state, ppid)) = stat(pid) else { continue };
        let name = std::fs::read_to_string(entry.path().join("comm")).unwrap_or_default();
        if state == 'Z' && ppid == me && name.starts_with("chrom") {
            reap(pid);
        }
    }
}

fn reap(pid: u32) {
    if let Ok(pid) = libc::pid_t::try_from(pid) {
        let mut status = 0;
        // SAFETY: waitpid on a specific child we killed; WNOHANG never blocks.
        unsafe {
            libc::waitpid(pid, &mut status, libc::WNOHANG);
        }
    }
}

/// Makes this process adopt the orphans of the browsers it launched (Chromium's
/// crash handler double-forks, and a killed browser's children are re-parented),
/// so `kill_tree` can reap them instead of leaving zombies for init.
fn become_subreaper() {
    // SAFETY: PR_SET_CHILD_SUBREAPER takes one integer argument and has no
    // memory-safety preconditions.
    unsafe {
        libc::prctl(
            libc::PR_SET_CHILD_SUBREAPER,
            1 as libc::c_ulong,
            0 as libc::c_ulong,
            0 as libc::c_ulong,
            0 as libc::c_ulong,
        );
    }
}

fn signal(pid: u32, sig: libc::c_int) {
    if let Ok(pid) = libc::pid_t::try_from(pid) {
        // SAFETY: kill has no memory-safety preconditions; pid is a process we found.
        unsafe {
            libc::kill(pid, sig);
        }
    }
}

struct ProcInfo {
    ppid: u32,
    cmdline: Vec<u8>,
}

/// Every process visible in /proc with its parent and command line.
fn process_table() -> HashMap<u32, ProcInfo> {
    let mut table = HashMap::new();
    let Ok(entries) = std::fs::read_dir("/proc") else { return table };
    for entry in entries.flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else { continue };
        let Some((state, ppid)) = stat(pid) else { continue };
        if state == 'Z' {
            continue;
        }
        let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
        table.insert(pid, ProcInfo { ppid, cmdline });
    }
    table
}

/// State and parent pid from /proc/PID/stat (the command name may contain spaces
/// and parentheses, so parse after the last ')').
fn stat(pid: u32) -> Option<(char, u32)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &text[text.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace();
    let state = fields.next()?.chars().next()?;
    let ppid = fields.next()?.parse().ok()?;
    Some((state, ppid))
}

/// Exists and is not a zombie.
fn process_alive(pid: u32) -> bool {
    stat(pid).is_some_and(|(state, _)| state != 'Z' && state != 'X')
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
    use std::process::Command;

    fn now() -> jiff::Timestamp {
        "2026-11-27T12:00:00Z".parse().unwrap()
    }

    /// Chromium must be installed for these tests: a missing browser fails them.
    fn settings(paper: Paper, jobs: usize) -> PdfSettings {
        let chrome = find_chrome(None).expect("Chromium is needed for the PDF tests: scripts/setup --tests");
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
        let pid = printer.instance().unwrap().pid;
        // The whole tree: the browser may run under a launcher script (Debian's
        // `chromium-headless-shell`), whose death alone leaves the browser running.
        kill_tree(Some(pid), None, false);
        std::thread::sleep(Duration::from_millis(200));
        let results = printer.print_all(&[job(html.clone(), "Again"), job(html, "Again")]);
        assert!(results.iter().all(Result::is_ok), "{results:?}");
        assert_ne!(printer.instance().unwrap().pid, pid);
    }

    #[test]
    fn a_browser_killed_mid_batch_is_replaced_and_every_page_printed() {
        let dir = tempfile::tempdir().unwrap();
        let rows: String = (0..80).map(|i| format!("<p>Row {i}</p>")).collect();
        let html = page(dir.path(), "batch.html", &format!("<h1>Batch</h1>{rows}"));
        let printer = Printer::launch(&settings(Paper::A4, 2)).unwrap();
        let pid = printer.instance().unwrap().pid;
        let jobs: Vec<PdfJob> = (0..16).map(|_| job(html.clone(), "Batch")).collect();
        let killer = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(600));
            kill_tree(Some(pid), None, false);
        });
        let results = printer.print_all(&jobs);
        killer.join().unwrap();
        let failed: Vec<_> = results.iter().filter_map(|r| r.as_ref().err()).collect();
        assert!(failed.is_empty(), "{failed:?}");
        assert_ne!(printer.instance().unwrap().pid, pid, "the browser was not replaced");
        assert!(tool("pdftotext", &[], results.last().unwrap().as_ref().unwrap()).contains("Batch"));
    }

    #[test]
    fn drop_leaves_no_process_or_folder() {
        let dir = tempfile::tempdir().unwrap();
        let html = page(dir.path(), "drop.html", "<h1>Drop</h1>");
        let printer = Printer::launch(&settings(Paper::A4, 2)).unwrap();
        assert!(printer.print_all(&[job(html.clone(), "Drop"), job(html, "Drop")]).iter().all(Result::is_ok));
        let instance = printer.instance().unwrap();
        let folder = lock(&instance.dir).as_ref().unwrap().path().to_path_buf();
        let marker = folder.as_os_str().as_encoded_bytes().to_vec();
        drop(instance);
        let count = || process_table().values().filter(|p| contains(&p.cmdline, &marker)).count();
        assert!(count() > 0, "the browser's processes are not found by their profile folder");
        drop(printer);
        assert_eq!(count(), 0, "browser processes left after drop");
        assert!(!folder.exists(), "temporary folder left after drop");
    }

    #[test]
    fn bogus_browser_path_is_an_error_that_says_how_to_install() {
        let err = find_chrome(Some(Path::new("/nonexistent/chromium"))).unwrap_err();
        let message = err.to_string();
        assert!(
            message.contains("/nonexistent/chromium") && message.contains("apt-get install chromium-headless-shell"),
            "{message}"
        );
        let err = find_chrome_in(None, None, Some(OsString::from("/nonexistent"))).unwrap_err();
        assert!(
            err.to_string().contains("chromium-headless-shell, chrome-headless-shell, chromium, google-chrome"),
            "{err}"
        );
        let err = find_chrome_in(None, Some(OsString::from("/nope/chrome")), None).unwrap_err();
        assert!(err.to_string().contains("CHROME=/nope/chrome"), "{err}");
    }

    #[test]
    fn a_headless_shell_is_preferred_over_the_full_browser() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let fake = |name: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, "#!/bin/sh\n").unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
            path
        };
        let path_var = Some(dir.path().as_os_str().to_owned());
        let chromium = fake("chromium");
        assert_eq!(find_chrome_in(None, None, path_var.clone()).unwrap(), chromium);
        let shell = fake("chromium-headless-shell");
        assert_eq!(find_chrome_in(None, None, path_var.clone()).unwrap(), shell);
        // An explicit choice still wins.
        assert_eq!(find_chrome_in(None, Some(chromium.clone().into_os_string()), path_var).unwrap(), chromium);
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
