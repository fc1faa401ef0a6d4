//! The test servers of `common::servers` proven with real clients: SMTP conversations
//! typed over TCP, Python's smtplib and `openssl s_client` verifying the test CA,
//! HTTP requests over TCP; and `common::Mail` reading a message back. The delivery
//! tests rely on all of it. A missing Python, aiosmtpd or openssl fails these tests
//! (`scripts/setup --tests` installs them); they never skip.

#[path = "../common/mod.rs"]
mod common;

mod http;
mod mail;
mod smtp;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::Duration;

use common::PYTHON;

/// How long a client waits for a reply.
const REPLY_TIMEOUT: Duration = Duration::from_secs(10);

/// An SMTP conversation over plain TCP, reply by reply.
pub struct Smtp {
    stream: BufReader<TcpStream>,
}

impl Smtp {
    /// Connects to 127.0.0.1:`port` and reads the greeting, which must be 220.
    pub fn connect(port: u16) -> Smtp {
        let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to the SMTP server");
        stream.set_read_timeout(Some(REPLY_TIMEOUT)).expect("read timeout");
        let mut smtp = Smtp { stream: BufReader::new(stream) };
        let greeting = smtp.reply();
        assert!(greeting.starts_with("220 "), "greeting: {greeting}");
        smtp
    }

    /// The next reply, every line of it (`250-…` up to `250 …`) joined with `\n`.
    pub fn reply(&mut self) -> String {
        let mut lines = Vec::new();
        loop {
            let mut line = String::new();
            self.stream.read_line(&mut line).expect("read a reply");
            assert!(line.ends_with("\r\n"), "reply line cut short: {line:?} after {lines:?}");
            let line = line.trim_end().to_string();
            let last = line.as_bytes().get(3) != Some(&b'-');
            lines.push(line);
            if last {
                return lines.join("\n");
            }
        }
    }

    /// Sends `line` and CRLF, and returns the reply.
    pub fn command(&mut self, line: &str) -> String {
        self.stream.get_mut().write_all(format!("{line}\r\n").as_bytes()).expect("send a command");
        self.reply()
    }

    /// `DATA`, then (on 354) `message` dot-stuffed and the final dot: the reply to
    /// the data, or to `DATA` when that was not 354. `message` must end with CRLF.
    pub fn data(&mut self, message: &[u8]) -> String {
        let reply = self.command("DATA");
        if !reply.starts_with("354 ") {
            return reply;
        }
        let mut wire = Vec::new();
        for line in message.split_inclusive(|&b| b == b'\n') {
            if line.starts_with(b".") {
                wire.push(b'.');
            }
            wire.extend_from_slice(line);
        }
        wire.extend_from_slice(b".\r\n");
        self.stream.get_mut().write_all(&wire).expect("send the data");
        self.reply()
    }

    /// One whole message, asserting every step is accepted (after EHLO and any AUTH).
    pub fn send(&mut self, from: &str, to: &[&str], message: &[u8]) {
        expect(250, &self.command(&format!("MAIL FROM:<{from}>")));
        for rcpt in to {
            expect(250, &self.command(&format!("RCPT TO:<{rcpt}>")));
        }
        expect(250, &self.data(message));
    }
}

/// Asserts the reply's code.
#[track_caller]
pub fn expect(code: u16, reply: &str) {
    assert!(
        reply.starts_with(&format!("{code} ")) || reply.starts_with(&format!("{code}-")),
        "expected {code}, got: {reply}"
    );
}

/// One HTTP/1.1 request over TCP (`Connection: close`): the status and the body.
pub fn http(port: u16, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to the HTTP server");
    stream.set_read_timeout(Some(REPLY_TIMEOUT)).expect("read timeout");
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    stream.write_all(request.as_bytes()).expect("send the request");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read the response");
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or_else(|| panic!("no head in {response:?}"));
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok());
    (status.unwrap_or_else(|| panic!("no status in {head:?}")), body.to_string())
}

/// Runs a Python script with Debian's interpreter (the servers'); its stdout, or a
/// panic with its stderr.
pub fn python(script: &str, args: &[String]) -> String {
    let output = Command::new(PYTHON).arg("-c").arg(script).args(args).output().expect("run python3");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "the Python client failed:\n{stderr}");
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

/// Base64 (RFC 4648, padded) of `bytes`, on one line.
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            let index = (n >> (18 - 6 * i)) & 63;
            out.push(if i <= chunk.len() { char::from(ALPHABET[index as usize]) } else { '=' });
        }
    }
    out
}

#[test]
fn base64_matches_rfc_4648() {
    let cases =
        [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("foobar", "Zm9vYmFy")];
    for (plain, encoded) in cases {
        assert_eq!(base64(plain.as_bytes()), encoded);
    }
}
