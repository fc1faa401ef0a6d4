//! The SMTP server: what it accepts, refuses and saves, over plain TCP, STARTTLS and
//! implicit TLS, checked with clients that verify its certificate.

use std::io::Write;
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::common::{SmtpServer, free_port};
use crate::{Smtp, base64, expect, python};

const WAIT: Duration = Duration::from_secs(5);

const MESSAGE: &[u8] = b"From: reports@x.test\r\nTo: a@x.test\r\nSubject: Weekly\r\n\r\nHello,\r\n.a line that starts with a dot\r\n..and two\r\n";

#[test]
fn plain_messages_are_saved_as_sent_in_order() {
    let server = SmtpServer::builder().start();
    let mut smtp = Smtp::connect(server.port());
    let ehlo = smtp.command("EHLO client.test");
    expect(250, &ehlo);
    assert!(!ehlo.contains("STARTTLS") && !ehlo.contains("AUTH"), "plain SMTP offers neither: {ehlo}");
    smtp.send("reports@x.test", &["a@x.test", "b@x.test"], MESSAGE);
    smtp.send("other@x.test", &["c@x.test"], b"Subject: second\r\n\r\nbody\r\n");
    expect(221, &smtp.command("QUIT"));

    let received = server.wait_for(2, WAIT);
    assert_eq!(received.len(), 2);
    let first = &received[0];
    assert_eq!(first.mail_from, "reports@x.test");
    assert_eq!(first.rcpt_tos, ["a@x.test", "b@x.test"]);
    assert_eq!(first.auth_user, None);
    assert!(!first.tls);
    assert_eq!(first.raw, MESSAGE, "the DATA bytes, dot-unstuffed");
    assert_eq!(first.mail().subject.as_deref(), Some("Weekly"));
    assert_eq!(received[1].mail_from, "other@x.test");
    assert_eq!(received[1].rcpt_tos, ["c@x.test"]);
    server.stop();
}

#[test]
fn starttls_and_auth_with_a_client_that_verifies_the_test_ca() {
    let server = SmtpServer::builder().require_tls().auth("reports", "s3cret").start();
    let mut smtp = Smtp::connect(server.port());
    let ehlo = smtp.command("EHLO client.test");
    assert!(ehlo.contains("STARTTLS"), "STARTTLS offered: {ehlo}");
    assert_eq!(smtp.command("MAIL FROM:<reports@x.test>"), "530 Must issue a STARTTLS command first");

    // Python's ssl checks the chain against the CA, strictly, and the name: both SANs.
    let script = r#"
import smtplib, ssl, sys
port, ca = int(sys.argv[1]), sys.argv[2]
context = ssl.create_default_context(cafile=ca)
context.verify_flags |= ssl.VERIFY_X509_STRICT
for host in ("localhost", "127.0.0.1"):
    with smtplib.SMTP(host, port, timeout=10) as smtp:
        smtp.starttls(context=context)
        try:
            smtp.login("reports", "wrong")
        except smtplib.SMTPAuthenticationError as e:
            print("wrong password:", e.smtp_code)
        smtp.login("reports", "s3cret")
        smtp.sendmail("reports@x.test", ["a@x.test"], b"Subject: via " + host.encode() + b"\r\n\r\nhi\r\n")
        print("sent via", host)
"#;
    let ca = server.ca_pem().display().to_string();
    let out = python(script, &[server.port().to_string(), ca]);
    assert_eq!(out, "wrong password: 535\nsent via localhost\nwrong password: 535\nsent via 127.0.0.1\n");

    let received = server.wait_for(2, WAIT);
    for (message, host) in received.iter().zip(["localhost", "127.0.0.1"]) {
        assert_eq!(message.auth_user.as_deref(), Some("reports"));
        assert!(message.tls);
        assert_eq!(message.mail().subject, Some(format!("via {host}")));
    }
    server.stop();
}

#[test]
fn auth_plain_and_login_without_tls() {
    let server = SmtpServer::builder().auth("reports", "s3cret").start();
    let mut smtp = Smtp::connect(server.port());
    let ehlo = smtp.command("EHLO client.test");
    assert!(ehlo.lines().any(|l| l.contains("AUTH") && l.contains("PLAIN") && l.contains("LOGIN")), "{ehlo}");
    assert_eq!(smtp.command("MAIL FROM:<reports@x.test>"), "530 5.7.0 Authentication required");
    let wrong = base64(b"\0reports\0wrong");
    assert_eq!(smtp.command(&format!("AUTH PLAIN {wrong}")), "535 5.7.8 Authentication credentials invalid");
    expect(334, &smtp.command("AUTH LOGIN"));
    expect(334, &smtp.command(&base64(b"reports")));
    expect(235, &smtp.command(&base64(b"s3cret")));
    smtp.send("reports@x.test", &["a@x.test"], MESSAGE);

    let received = server.wait_for(1, WAIT);
    assert_eq!(received[0].auth_user.as_deref(), Some("reports"));
    assert!(!received[0].tls);
    server.stop();
}

#[test]
fn implicit_tls_verified_by_openssl_and_python() {
    let server = SmtpServer::builder().implicit_tls().start();
    let ca = server.ca_pem();
    let port = server.port().to_string();
    // QUIT, then s_client ends when the server closes the connection.
    let mut s_client = Command::new("openssl")
        .args(["s_client", "-connect", &format!("127.0.0.1:{port}"), "-CAfile"])
        .arg(&ca)
        .args(["-verify_return_error", "-verify_hostname", "localhost", "-x509_strict", "-purpose", "sslserver"])
        .arg("-quiet")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run openssl s_client");
    s_client.stdin.take().expect("stdin").write_all(b"QUIT\r\n").expect("write QUIT");
    let output = s_client.wait_with_output().expect("wait for openssl s_client");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "s_client failed: {stdout}\n{stderr}");
    assert!(stdout.starts_with("220 ") && stdout.contains("\n221 "), "greeting and QUIT over TLS: {stdout}");

    let script = r#"
import smtplib, ssl, sys
context = ssl.create_default_context(cafile=sys.argv[2])
context.verify_flags |= ssl.VERIFY_X509_STRICT
with smtplib.SMTP_SSL("localhost", int(sys.argv[1]), context=context, timeout=10) as smtp:
    smtp.sendmail("reports@x.test", ["a@x.test"], b"Subject: 465\r\n\r\nhi\r\n")
"#;
    python(script, &[port, ca.display().to_string()]);
    let received = server.wait_for(1, WAIT);
    assert!(received[0].tls);
    assert_eq!(received[0].auth_user, None);
    server.stop();
}

#[test]
fn a_rejected_recipient_gets_550_and_the_others_the_message() {
    let server = SmtpServer::builder().reject("gone@x.test").start();
    let mut smtp = Smtp::connect(server.port());
    expect(250, &smtp.command("EHLO client.test"));
    expect(250, &smtp.command("MAIL FROM:<reports@x.test>"));
    assert_eq!(smtp.command("RCPT TO:<gone@x.test>"), "550 5.1.1 mailbox unavailable");
    expect(250, &smtp.command("RCPT TO:<a@x.test>"));
    expect(250, &smtp.data(MESSAGE));

    let received = server.wait_for(1, WAIT);
    assert_eq!(received[0].rcpt_tos, ["a@x.test"]);
    server.stop();
}

#[test]
fn tempfails_count_across_connections_then_accept() {
    let server = SmtpServer::builder().tempfail("later@x.test", 2).tempfail_data(1).start();
    let try_again = "451 4.3.0 try again later";
    for _ in 0..2 {
        let mut smtp = Smtp::connect(server.port());
        expect(250, &smtp.command("EHLO client.test"));
        expect(250, &smtp.command("MAIL FROM:<reports@x.test>"));
        assert_eq!(smtp.command("RCPT TO:<later@x.test>"), try_again);
        expect(221, &smtp.command("QUIT"));
    }
    let mut smtp = Smtp::connect(server.port());
    expect(250, &smtp.command("EHLO client.test"));
    expect(250, &smtp.command("MAIL FROM:<reports@x.test>"));
    expect(250, &smtp.command("RCPT TO:<later@x.test>"));
    assert_eq!(smtp.data(MESSAGE), try_again, "the first DATA");
    assert!(server.received().is_empty(), "a refused DATA is not kept");
    smtp.send("reports@x.test", &["later@x.test"], MESSAGE);

    let received = server.wait_for(1, WAIT);
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].rcpt_tos, ["later@x.test"]);
    server.stop();
}

#[test]
fn a_server_down_then_up_again_on_a_fixed_port() {
    let port = free_port();
    assert!(TcpStream::connect(("127.0.0.1", port)).is_err(), "nothing listens on a free port");
    let first = SmtpServer::builder().port(port).start();
    assert_eq!(first.port(), port);
    let mut smtp = Smtp::connect(port);
    expect(250, &smtp.command("EHLO client.test"));
    smtp.send("reports@x.test", &["a@x.test"], MESSAGE);
    expect(221, &smtp.command("QUIT"));
    assert_eq!(first.wait_for(1, WAIT).len(), 1);
    first.stop();
    assert!(TcpStream::connect(("127.0.0.1", port)).is_err(), "down once stopped");

    let second = SmtpServer::builder().port(port).start();
    let mut smtp = Smtp::connect(port);
    expect(250, &smtp.command("EHLO client.test"));
    assert!(second.received().is_empty(), "a new server starts empty");
    drop(second);
    assert!(TcpStream::connect(("127.0.0.1", port)).is_err(), "down once dropped");
}
