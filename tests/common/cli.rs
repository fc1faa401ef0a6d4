//! The one way the tests run the binary: [`Cli`] is the command line; what a run
//! leaves is a [`Run`], or a [`Live`] while it goes on (see `run.rs`).

use std::ffi::{OsStr, OsString};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, Once, OnceLock};

use super::checkers::one_browser_at_a_time;
use super::run::{Live, Root, Run};
use super::{NOW, fixture};

/// A `campaign-report` command line.
///
/// [`Cli::build`] writes into a fresh temporary folder, HTML and JSON only (no
/// browser), at the fixed time [`NOW`]; [`Cli::out`], [`Cli::format`] and
/// [`Cli::now`] change that. Every run gets a `TMPDIR` of its own, so whatever a run
/// leaves there (the browser's folders, say) is told apart from other runs', and a cache
/// folder (`XDG_CACHE_HOME`) of its own. A run
/// whose formats include `pdf` waits until no other Chromium of the test binary runs.
#[must_use]
#[derive(Debug)]
pub struct Cli {
    /// Subcommand and inputs, or the whole command line of [`Cli::new`].
    args: Vec<OsString>,
    /// `--out`, `--format` and `--now` are added (a `build`).
    defaults: bool,
    out: Option<PathBuf>,
    format: String,
    now: String,
    extra: Vec<OsString>,
    env: Vec<(OsString, OsString)>,
    cwd: Cwd,
}

#[derive(Debug)]
enum Cwd {
    Inherit,
    /// An empty folder of the run's own, reported as [`Run::out`].
    Empty,
    Dir(PathBuf),
}

impl Cli {
    /// Exactly these arguments, nothing added.
    pub fn new<S: AsRef<OsStr>>(args: impl IntoIterator<Item = S>) -> Cli {
        Cli {
            args: args.into_iter().map(|a| a.as_ref().to_owned()).collect(),
            defaults: false,
            out: None,
            format: String::new(),
            now: String::new(),
            extra: Vec::new(),
            env: Vec::new(),
            cwd: Cwd::Inherit,
        }
    }

    /// `build INPUTS --out TEMP --format html,json --now NOW`; inputs are relative
    /// to `fixtures/` unless absolute.
    pub fn build<P: AsRef<Path>>(inputs: impl IntoIterator<Item = P>) -> Cli {
        let mut cli = Cli::new(["build"]).inputs(inputs);
        cli.defaults = true;
        cli.format = "html,json".into();
        cli.now = NOW.into();
        cli
    }

    /// `check INPUTS`, run from an empty folder of its own (its [`Run::out`], where
    /// nothing should appear).
    pub fn check<P: AsRef<Path>>(inputs: impl IntoIterator<Item = P>) -> Cli {
        let mut cli = Cli::new(["check"]).inputs(inputs);
        cli.cwd = Cwd::Empty;
        cli
    }

    fn inputs<P: AsRef<Path>>(mut self, inputs: impl IntoIterator<Item = P>) -> Cli {
        self.args.extend(inputs.into_iter().map(|i| fixture(i).into_os_string()));
        self
    }

    /// Writes into `dir` (which may hold an earlier snapshot) instead of a temporary folder.
    pub fn out(mut self, dir: impl AsRef<Path>) -> Cli {
        self.out = Some(dir.as_ref().to_path_buf());
        self
    }

    /// `--format LIST` instead of `html,json`.
    pub fn format(mut self, list: &str) -> Cli {
        self.format = list.into();
        self
    }

    /// `--now TIME` instead of [`NOW`].
    pub fn now(mut self, time: &str) -> Cli {
        self.now = time.into();
        self
    }

    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Cli {
        self.extra.push(arg.as_ref().to_owned());
        self
    }

    pub fn args<S: AsRef<OsStr>>(self, args: impl IntoIterator<Item = S>) -> Cli {
        args.into_iter().fold(self, Cli::arg)
    }

    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Cli {
        self.env.push((key.as_ref().to_owned(), value.as_ref().to_owned()));
        self
    }

    pub fn current_dir(mut self, dir: impl AsRef<Path>) -> Cli {
        self.cwd = Cwd::Dir(dir.as_ref().to_path_buf());
        self
    }

    /// Runs to the end.
    pub fn run(self) -> Run {
        let root = Root::Temp(tempfile::tempdir().expect("temp dir"));
        self.run_in(root)
    }

    /// Starts the run and returns at once; stdout is dropped and stderr kept for [`Live::stderr`].
    pub fn spawn(self) -> Live {
        let root = Root::Temp(tempfile::tempdir().expect("temp dir"));
        let printing = self.prints().then(one_browser_at_a_time);
        let (mut cmd, out, tmpdir) = self.command(root.path());
        let stderr = root.path().join("stderr.txt");
        let log = fs::File::create(&stderr).expect("stderr log");
        let child = cmd.stdout(Stdio::null()).stderr(log).spawn().expect("start campaign-report");
        Live::new(child, out, tmpdir, stderr, printing, root)
    }

    /// The run of this command line, done once per test binary and shared by every
    /// test that asks for it; its output must only be read.
    pub fn shared(self) -> &'static Run {
        static BUILDS: Mutex<Vec<(String, &'static OnceLock<Run>)>> = Mutex::new(Vec::new());
        assert!(self.out.is_none(), "a shared run writes into a folder of its own");
        let key = format!("{self:?}");
        let (index, cell) = {
            let mut builds = BUILDS.lock().unwrap_or_else(|e| e.into_inner());
            let index = builds.iter().position(|(k, _)| *k == key).unwrap_or_else(|| {
                builds.push((key, Box::leak(Box::default())));
                builds.len() - 1
            });
            (index, builds[index].1)
        };
        cell.get_or_init(|| self.run_in(Root::Kept(shared_root(index))))
    }

    fn prints(&self) -> bool {
        self.defaults && self.format.split(',').any(|f| f.trim() == "pdf")
    }

    fn run_in(self, root: Root) -> Run {
        let _printing = self.prints().then(one_browser_at_a_time);
        let (mut cmd, out, tmpdir) = self.command(root.path());
        let output = cmd.output().expect("run campaign-report");
        Run::new(root, out, tmpdir, output)
    }

    /// The command, the folder reported as its output and its `TMPDIR`, all under `root`.
    fn command(self, root: &Path) -> (Command, PathBuf, PathBuf) {
        let tmpdir = root.join("tmp");
        fs::create_dir_all(&tmpdir).expect("the run's TMPDIR");
        let mut out = self.out.unwrap_or_else(|| root.join("out"));
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_campaign-report"));
        cmd.args(&self.args);
        if self.defaults {
            cmd.arg("--out").arg(&out).args(["--format", &self.format, "--now", &self.now]);
        }
        // The input digest cache (docs/performance.md) of the run's own, unless a test sets one.
        cmd.args(&self.extra).env("TMPDIR", &tmpdir).env("XDG_CACHE_HOME", root.join("cache")).envs(self.env);
        match self.cwd {
            Cwd::Inherit => {}
            Cwd::Empty => {
                out = root.join("cwd");
                fs::create_dir_all(&out).expect("empty working folder");
                cmd.current_dir(&out);
            }
            Cwd::Dir(dir) => {
                cmd.current_dir(dir);
            }
        }
        (cmd, out, tmpdir)
    }
}

/// Folder of the `index`-th shared run: `crt-<pid>-<index>` in the system's
/// temporary folder (short, so the browser's socket paths under it stay within
/// the system's limit). Folders of test processes that have ended are removed first.
fn shared_root(index: usize) -> PathBuf {
    static CLEANED: Once = Once::new();
    let tmp = std::env::temp_dir();
    CLEANED.call_once(|| {
        for entry in fs::read_dir(&tmp).into_iter().flatten().flatten() {
            let name = entry.file_name();
            let pid = name.to_str().and_then(|n| n.strip_prefix("crt-")).and_then(|n| n.split_once('-')).map(|p| p.0);
            if pid.is_some_and(|pid| pid.parse::<u32>().is_ok() && !Path::new("/proc").join(pid).exists()) {
                let _ = fs::remove_dir_all(entry.path());
            }
        }
    });
    let root = tmp.join(format!("crt-{}-{index}", std::process::id()));
    let _ = fs::remove_dir_all(&root);
    fs::create_dir_all(&root).expect("shared run folder");
    root
}
