//! `deliver` end to end (docs/delivery.md): snapshots built with PDFs by the real
//! binary, delivered to a real SMTP server (aiosmtpd) and a real HTTP server that
//! the tests start on 127.0.0.1, every message read back with a MIME parser.

#[path = "../common/mod.rs"]
mod common;

mod mail;
mod record;
mod safety;
mod transport;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::{Cli, Mail, Received, Run, SmtpServer};

/// A snapshot of the acme fixtures with PDFs, built once per role and test binary;
/// tests copy it before they change anything.
fn pristine(role: &str) -> &'static Path {
    static VIEWER: OnceLock<Run> = OnceLock::new();
    static ADMIN: OnceLock<Run> = OnceLock::new();
    let cell = if role == "admin" { &ADMIN } else { &VIEWER };
    let run = cell.get_or_init(|| Cli::build(["acme"]).format("html,json,pdf").args(["--role", role]).run());
    run.expect_code(0);
    &run.out
}

/// A folder of the test's own: `snapshot/` (a copy of a pristine snapshot) and room
/// for the subscriptions file and the record.
struct Site {
    dir: tempfile::TempDir,
}

impl Site {
    fn new(role: &str) -> Site {
        let dir = tempfile::tempdir().unwrap();
        copy(pristine(role), &dir.path().join("snapshot"));
        Site { dir }
    }

    fn snapshot(&self) -> PathBuf {
        self.dir.path().join("snapshot")
    }

    fn subs(&self) -> PathBuf {
        self.dir.path().join("subs.toml")
    }

    fn record(&self) -> PathBuf {
        self.dir.path().join("subs.delivered.json")
    }

    /// Writes the subscriptions file: `[smtp]` for `server` (when given) and `rest`.
    fn write_subs(&self, smtp: &str, rest: &str) {
        std::fs::write(self.subs(), format!("{smtp}\n{rest}")).unwrap();
    }

    /// `deliver SNAPSHOT --subscriptions SUBS` and `extra`.
    fn deliver(&self, extra: &[&str]) -> Run {
        Cli::new(["deliver"]).arg(self.snapshot()).arg("--subscriptions").arg(self.subs()).args(extra).run()
    }

    /// The bytes of the snapshot's PDF of campaign `id`.
    fn pdf(&self, id: &str) -> Vec<u8> {
        std::fs::read(self.snapshot().join(format!("campaigns/{id}/{id}.pdf"))).unwrap()
    }

    /// The campaign ids of the snapshot with their layout.
    fn campaigns(&self) -> Vec<(String, String)> {
        let text = std::fs::read_to_string(self.snapshot().join("manifest.json")).unwrap();
        let manifest: serde_json::Value = serde_json::from_str(&text).unwrap();
        manifest["campaigns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["id"].as_str().unwrap().to_string(), c["layout"].as_str().unwrap().to_string()))
            .collect()
    }

    fn ids(&self, layout: &str) -> Vec<String> {
        self.campaigns().into_iter().filter(|(_, l)| l == layout).map(|(id, _)| id).collect()
    }
}

/// `[smtp]` for a plain-text server, trying twice with short waits.
fn plain_smtp(server: &SmtpServer) -> String {
    format!(
        "[smtp]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"none\"\nfrom = \"Campaign reports <reports@example.com>\"\n\
         attempts = 2\nretry_delay_ms = 20\ntimeout_seconds = 10\n",
        server.port()
    )
}

/// A subscription block.
fn subscription(name: &str, role: &str, to: &[&str], more: &str) -> String {
    let to: Vec<String> = to.iter().map(|t| format!("{t:?}")).collect();
    format!("[[subscription]]\nname = {name:?}\ntenant = \"acme\"\nrole = {role:?}\nto = [{}]\n{more}\n", to.join(", "))
}

fn copy(from: &Path, to: &Path) {
    let status = std::process::Command::new("cp").arg("-a").arg(from).arg(to).status().unwrap();
    assert!(status.success());
}

/// Each message the server accepted, parsed, with its envelope recipient.
fn parsed(received: &[Received]) -> Vec<(String, Mail)> {
    received
        .iter()
        .map(|r| {
            assert_eq!(r.rcpt_tos.len(), 1, "one recipient per transaction: {:?}", r.rcpt_tos);
            (r.rcpt_tos[0].clone(), r.mail())
        })
        .collect()
}

/// The campaign ids a message's attachments are the PDFs of.
fn attached(mail: &Mail) -> Vec<String> {
    mail.attachments
        .iter()
        .map(|a| a.filename.clone().unwrap_or_default().trim_end_matches(".pdf").to_string())
        .collect()
}

/// The text pdftotext reads from a PDF.
fn pdf_text(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.pdf");
    std::fs::write(&path, bytes).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext is needed (scripts/setup --tests installs poppler-utils)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}
