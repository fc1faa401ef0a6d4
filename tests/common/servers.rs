//! Real servers the delivery tests talk to, on 127.0.0.1: an SMTP server
//! ([`SmtpServer`], aiosmtpd) and an HTTP server for webhooks ([`HttpServer`]).
//!
//! Each is a Python script in `tests/servers/` run with Debian's [`PYTHON`], in a
//! temporary folder of its own where it saves what it receives; the test reads it
//! back from there. `scripts/setup --tests` installs the interpreter, aiosmtpd and
//! `openssl` (the test certificates); missing, they fail the test, never skip it.
//! A server is stopped when dropped, and stops by itself when the test process
//! dies (it watches its stdin, a pipe the process holds).

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::Deserialize;

use super::mime::Mail;

/// The interpreter of the servers: Debian's, not whatever `python3` comes first on
/// `PATH` (pyenv, say), because aiosmtpd is installed for it (`python3-aiosmtpd`).
pub const PYTHON: &str = "/usr/bin/python3";

const SETUP: &str = "run scripts/setup --tests";

/// How long a server may take to listen.
const START_TIMEOUT: Duration = Duration::from_secs(20);

/// How long a server may take to exit after SIGTERM before it is killed.
const STOP_TIMEOUT: Duration = Duration::from_secs(5);

/// A port nothing listens on now, for a server started later on a fixed port (see
/// [`SmtpServerBuilder::port`]). The OS could hand it out again meanwhile, which is
/// unlikely within a test.
pub fn free_port() -> u16 {
    let listener = TcpListener::bind(("127.0.0.1", 0)).expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local address").port()
}

/// An SMTP server; see [`SmtpServer::builder`].
#[derive(Debug)]
pub struct SmtpServer {
    process: Process,
    certificates: Option<Certificates>,
}

/// The options of an [`SmtpServer`]: by default plain SMTP, no AUTH, every
/// recipient accepted, on a port the OS picks.
#[must_use]
#[derive(Debug, Default, Clone)]
pub struct SmtpServerBuilder {
    port: Option<u16>,
    starttls: bool,
    require_tls: bool,
    implicit_tls: bool,
    auth: Option<(String, String)>,
    reject: Vec<String>,
    tempfail: Vec<(String, u32)>,
    tempfail_data: u32,
}

/// A message the SMTP server accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// `MAIL FROM` (envelope sender).
    pub mail_from: String,
    /// The accepted `RCPT TO`s, in order (envelope recipients).
    pub rcpt_tos: Vec<String>,
    /// The user that authenticated, if any.
    pub auth_user: Option<String>,
    /// Whether the message came over TLS (STARTTLS or implicit).
    pub tls: bool,
    /// The DATA bytes as received, dot-unstuffed, CRLF line ends.
    pub raw: Vec<u8>,
}

/// An HTTP server for webhooks; see [`HttpServer::builder`].
#[derive(Debug)]
pub struct HttpServer {
    process: Process,
}

/// The options of an [`HttpServer`]: by default every POST answered 200, on a port the OS picks.
#[must_use]
#[derive(Debug, Clone)]
pub struct HttpServerBuilder {
    port: Option<u16>,
    fail_first: u32,
    fail_status: u16,
}

/// A POST the HTTP server received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The request target, query included.
    pub path: String,
    /// Lower-cased names; repeated headers joined with `", "`.
    pub headers: BTreeMap<String, String>,
    /// The body as UTF-8 (invalid bytes replaced).
    pub body: String,
    /// The status the server answered.
    pub status: u16,
}

impl SmtpServer {
    /// The options; `.start()` starts the server.
    pub fn builder() -> SmtpServerBuilder {
        SmtpServerBuilder::default()
    }

    /// The port it listens on (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.process.port
    }

    /// The test CA that signed the server's certificate (PEM); panics unless TLS was asked for.
    pub fn ca_pem(&self) -> PathBuf {
        let certificates = self.certificates.as_ref();
        certificates
            .map(|c| c.ca.clone())
            .expect("this SMTP server has no TLS: build it with .starttls() or .implicit_tls()")
    }

    /// The messages accepted so far, in order of acceptance.
    pub fn received(&self) -> Vec<Received> {
        self.process.saved("eml").iter().map(|eml| read_received(eml)).collect()
    }

    /// [`SmtpServer::received`] once it holds at least `n` messages; panics after `timeout`.
    pub fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Received> {
        self.process.wait_for(n, timeout, "messages", || self.received())
    }

    /// What the server wrote to stderr so far (its errors and warnings).
    pub fn log(&self) -> String {
        self.process.log()
    }

    /// Stops the server (SIGTERM) and removes its folder; panics unless it exited cleanly.
    pub fn stop(mut self) {
        self.process.stop();
    }
}

impl SmtpServerBuilder {
    /// Binds this port (see [`free_port`]) instead of one the OS picks.
    pub fn port(mut self, port: u16) -> Self {
        self.port = Some(port);
        self
    }

    /// Offers STARTTLS, with a certificate for `localhost` and `127.0.0.1` signed by [`SmtpServer::ca_pem`].
    pub fn starttls(mut self) -> Self {
        self.starttls = true;
        self
    }

    /// Refuses MAIL with 530 before STARTTLS (and offers STARTTLS).
    pub fn require_tls(mut self) -> Self {
        self.starttls = true;
        self.require_tls = true;
        self
    }

    /// TLS from the first byte, as on port 465 (no STARTTLS).
    pub fn implicit_tls(mut self) -> Self {
        self.implicit_tls = true;
        self
    }

    /// Offers AUTH PLAIN and LOGIN for these credentials (wrong ones get 535), and
    /// refuses MAIL with 530 before AUTH. AUTH is offered without TLS too.
    pub fn auth(mut self, user: &str, password: &str) -> Self {
        self.auth = Some((user.into(), password.into()));
        self
    }

    /// `RCPT TO` this address gets `550 5.1.1 mailbox unavailable`.
    pub fn reject(mut self, address: &str) -> Self {
        self.reject.push(address.into());
        self
    }

    /// `RCPT TO` this address gets `451 4.3.0 try again later` the first `times` it
    /// is tried (counted across connections, for the server's life), then is accepted.
    pub fn tempfail(mut self, address: &str, times: u32) -> Self {
        self.tempfail.push((address.into(), times));
        self
    }

    /// The first `times` DATA commands get `451 4.3.0 try again later` after the
    /// data is sent (the message is not kept).
    pub fn tempfail_data(mut self, times: u32) -> Self {
        self.tempfail_data = times;
        self
    }

    /// Starts the server and waits until it listens.
    pub fn start(self) -> SmtpServer {
        assert!(!(self.starttls && self.implicit_tls), "STARTTLS and implicit TLS exclude each other");
        let dir = server_dir("smtp-server-");
        let mut args: Vec<OsString> = Vec::new();
        let certificates = (self.starttls || self.implicit_tls).then(|| Certificates::make(&dir.path().join("tls")));
        if let Some(c) = &certificates {
            args.push(if self.implicit_tls { "--implicit-tls" } else { "--starttls" }.into());
            args.extend([c.cert.clone().into(), c.key.clone().into()]);
        }
        if self.require_tls {
            args.push("--require-tls".into());
        }
        if let Some((user, password)) = &self.auth {
            args.extend(["--auth".into(), format!("{user}:{password}").into()]);
        }
        for address in &self.reject {
            args.extend(["--reject".into(), address.into()]);
        }
        for (address, times) in &self.tempfail {
            args.extend(["--tempfail".into(), format!("{address}:{times}").into()]);
        }
        args.extend(["--tempfail-data".into(), self.tempfail_data.to_string().into()]);
        let process = Process::start("SMTP", "smtp_server.py", dir, self.port, args);
        SmtpServer { process, certificates }
    }
}

impl Received {
    /// The message parsed.
    pub fn mail(&self) -> Mail {
        Mail::parse(&self.raw)
    }
}

impl HttpServer {
    /// The options; `.start()` starts the server.
    pub fn builder() -> HttpServerBuilder {
        HttpServerBuilder { port: None, fail_first: 0, fail_status: 500 }
    }

    /// The port it listens on (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.process.port
    }

    /// `http://127.0.0.1:PORT/path`.
    pub fn url(&self, path: &str) -> String {
        let slash = if path.starts_with('/') { "" } else { "/" };
        format!("http://127.0.0.1:{}{slash}{path}", self.port())
    }

    /// The POSTs received so far, failed ones included, in order of arrival.
    pub fn received(&self) -> Vec<Request> {
        self.process.saved("json").iter().map(|json| read_request(json)).collect()
    }

    /// [`HttpServer::received`] once it holds at least `n` requests; panics after `timeout`.
    pub fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Request> {
        self.process.wait_for(n, timeout, "requests", || self.received())
    }

    /// What the server wrote to stderr so far (a line per request, and errors).
    pub fn log(&self) -> String {
        self.process.log()
    }

    /// Stops the server (SIGTERM) and removes its folder; panics unless it exited cleanly.
    pub fn stop(mut self) {
        self.process.stop();
    }
}

impl HttpServerBuilder {
    /// Binds this port (see [`free_port`]) instead of one the OS picks.
    pub fn port(mut self, port: u16) -> Self {
        self.port = Some(port);
        self
    }

    /// Answers the first `n` POSTs with `status` instead of 200.
    pub fn fail_first(mut self, n: u32, status: u16) -> Self {
        self.fail_first = n;
        self.fail_status = status;
        self
    }

    /// Starts the server and waits until it listens.
    pub fn start(self) -> HttpServer {
        let dir = server_dir("http-server-");
        let args = vec![
            "--fail-first".into(),
            self.fail_first.to_string().into(),
            "--fail-status".into(),
            self.fail_status.to_string().into(),
        ];
        HttpServer { process: Process::start("HTTP", "http_server.py", dir, self.port, args) }
    }
}

impl Request {
    /// The body parsed as JSON; panics when it is not.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("body of POST {} is not JSON ({e}): {}", self.path, self.body))
    }
}

/// One server script running, and the folder it writes into; stopped on drop.
#[derive(Debug)]
struct Process {
    name: &'static str,
    child: Option<Child>,
    /// The server's stdin, held open: the server stops when it closes.
    stdin: Option<ChildStdin>,
    port: u16,
    dir: tempfile::TempDir,
}

impl Process {
    /// Runs `tests/servers/<script>` with the options every server takes, then `args`,
    /// and waits for its port file.
    fn start(
        name: &'static str,
        script: &str,
        dir: tempfile::TempDir,
        port: Option<u16>,
        args: Vec<OsString>,
    ) -> Process {
        assert!(Path::new(PYTHON).is_file(), "{PYTHON} is missing, which runs the test {name} server: {SETUP}");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/servers").join(script);
        let port_file = dir.path().join("port");
        let log_path = dir.path().join("server.log");
        let log = fs::File::create(&log_path).unwrap_or_else(|e| panic!("cannot create {}: {e}", log_path.display()));
        let mut cmd = Command::new(PYTHON);
        cmd.arg(&script).arg("--dir").arg(dir.path().join("received")).arg("--port-file").arg(&port_file);
        cmd.arg("--exit-on-stdin-eof").args(args);
        if let Some(port) = port {
            cmd.args(["--port", &port.to_string()]);
        }
        cmd.stdin(Stdio::piped()).stdout(Stdio::null()).stderr(log);
        let mut child =
            cmd.spawn().unwrap_or_else(|e| panic!("cannot run {PYTHON} {}: {e} ({SETUP})", script.display()));
        let stdin = child.stdin.take();
        let deadline = Instant::now() + START_TIMEOUT;
        let port = loop {
            if let Ok(text) = fs::read_to_string(&port_file)
                && let Ok(port) = text.trim().parse()
            {
                break port;
            }
            let log = || fs::read_to_string(&log_path).unwrap_or_default();
            if let Some(status) = child.try_wait().expect("wait for the server") {
                panic!(
                    "the test {name} server exited ({status}) before it listened ({SETUP} if aiosmtpd is missing):\n{}",
                    log()
                );
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!("the test {name} server did not listen within {START_TIMEOUT:?}:\n{}", log());
            }
            sleep(Duration::from_millis(10));
        };
        Process { name, child: Some(child), stdin, port, dir }
    }

    /// The files `NNNN.<ext>` the server saved, in order of their numbers.
    fn saved(&self, ext: &str) -> Vec<PathBuf> {
        let folder = self.dir.path().join("received");
        let entries = fs::read_dir(&folder).unwrap_or_else(|e| panic!("cannot list {}: {e}", folder.display()));
        let mut numbered: Vec<(u64, PathBuf)> = entries
            .map(|entry| entry.expect("folder entry").path())
            .filter(|path| path.extension().is_some_and(|e| e == ext))
            .filter_map(|path| Some((path.file_stem()?.to_str()?.parse().ok()?, path)))
            .collect();
        numbered.sort();
        numbered.into_iter().map(|(_, path)| path).collect()
    }

    fn wait_for<T>(&self, n: usize, timeout: Duration, what: &str, received: impl Fn() -> Vec<T>) -> Vec<T> {
        let deadline = Instant::now() + timeout;
        loop {
            let got = received();
            if got.len() >= n {
                return got;
            }
            if Instant::now() > deadline {
                panic!(
                    "the test {} server got {} {what} in {timeout:?}, not {n}; its log:\n{}",
                    self.name,
                    got.len(),
                    self.log()
                );
            }
            sleep(Duration::from_millis(20));
        }
    }

    fn log(&self) -> String {
        fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    /// Stops the server; panics unless it exited with status 0.
    fn stop(&mut self) {
        if let Some(status) = self.shutdown() {
            assert!(status.success(), "the test {} server exited with {status}; its log:\n{}", self.name, self.log());
        }
    }

    /// SIGTERM, then SIGKILL when it has not exited within [`STOP_TIMEOUT`].
    fn shutdown(&mut self) -> Option<ExitStatus> {
        let mut child = self.child.take()?;
        if let Ok(pid) = libc::pid_t::try_from(child.id()) {
            // SAFETY: a plain kill(2) of our own child, which has not been waited for.
            unsafe { libc::kill(pid, libc::SIGTERM) };
        }
        let deadline = Instant::now() + STOP_TIMEOUT;
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break Some(status),
                Ok(None) if Instant::now() < deadline => sleep(Duration::from_millis(10)),
                _ => {
                    let _ = child.kill();
                    break child.wait().ok();
                }
            }
        };
        self.stdin = None;
        status
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// A temporary folder for one server's files.
fn server_dir(prefix: &str) -> tempfile::TempDir {
    tempfile::Builder::new().prefix(prefix).tempdir().expect("temp dir")
}

/// What the SMTP server saves beside each message, `NNNN.json`.
#[derive(Deserialize)]
struct Envelope {
    mail_from: String,
    rcpt_tos: Vec<String>,
    auth_user: Option<String>,
    tls: bool,
}

fn read_received(eml: &Path) -> Received {
    let meta = eml.with_extension("json");
    let text = fs::read(&meta).unwrap_or_else(|e| panic!("cannot read {}: {e}", meta.display()));
    let envelope: Envelope = serde_json::from_slice(&text).unwrap_or_else(|e| panic!("{}: {e}", meta.display()));
    let raw = fs::read(eml).unwrap_or_else(|e| panic!("cannot read {}: {e}", eml.display()));
    let Envelope { mail_from, rcpt_tos, auth_user, tls } = envelope;
    Received { mail_from, rcpt_tos, auth_user, tls, raw }
}

/// What the HTTP server saves of each POST, `NNNN.json`.
#[derive(Deserialize)]
struct SavedRequest {
    path: String,
    headers: BTreeMap<String, String>,
    body: String,
    status: u16,
}

fn read_request(json: &Path) -> Request {
    let text = fs::read(json).unwrap_or_else(|e| panic!("cannot read {}: {e}", json.display()));
    let saved: SavedRequest = serde_json::from_slice(&text).unwrap_or_else(|e| panic!("{}: {e}", json.display()));
    let SavedRequest { path, headers, body, status } = saved;
    Request { path, headers, body, status }
}

/// A test CA and a server certificate it signed for `localhost` and `127.0.0.1`.
#[derive(Debug)]
struct Certificates {
    ca: PathBuf,
    cert: PathBuf,
    key: PathBuf,
}

/// The `openssl` configuration: what a strict verifier (rustls, `-x509_strict`)
/// wants of a CA and of a server certificate.
const OPENSSL_CONFIG: &str = "\
[req]
distinguished_name = dn
prompt = no
[dn]
CN = campaign-report test
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
";

impl Certificates {
    /// Makes them in `dir` with the `openssl` CLI (P-256 keys, valid 30 days).
    fn make(dir: &Path) -> Certificates {
        fs::create_dir_all(dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
        fs::write(dir.join("openssl.cnf"), OPENSSL_CONFIG).expect("write openssl.cnf");
        let new_key = ["-config", "openssl.cnf", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
        let ca = ["req", "-x509", "-extensions", "ca", "-days", "30", "-subj", "/CN=campaign-report test CA"];
        openssl(dir, &[&ca[..], &new_key, &["-keyout", "ca.key", "-out", "ca.pem"]].concat());
        let request = ["req", "-new", "-subj", "/CN=localhost", "-keyout", "server.key", "-out", "server.csr"];
        openssl(dir, &[&request[..], &new_key].concat());
        // A serial of its own, so that no two servers' certificates look alike.
        let serial = SystemTime::now().duration_since(UNIX_EPOCH).expect("clock").as_nanos().to_string();
        let sign = ["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-set_serial", &serial];
        let server = ["-days", "30", "-extfile", "openssl.cnf", "-extensions", "server", "-out", "server.pem"];
        openssl(dir, &[&sign[..], &server].concat());
        Certificates { ca: dir.join("ca.pem"), cert: dir.join("server.pem"), key: dir.join("server.key") }
    }
}

/// Runs `openssl ARGS` in `dir`.
fn openssl(dir: &Path, args: &[&str]) {
    let output = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run openssl, which makes the test certificates: {e} ({SETUP})"));
    assert!(output.status.success(), "openssl {args:?} failed: {}", String::from_utf8_lossy(&output.stderr));
}
