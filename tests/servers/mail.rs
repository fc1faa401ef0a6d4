//! `Mail::parse` reads every field of a multipart message, and its attachment byte
//! for byte, before and after a trip through the SMTP server.

use std::time::Duration;

use crate::common::{Attachment, Mail, SmtpServer};
use crate::{Smtp, base64, expect};

/// A PDF-like attachment: every byte value, so that nothing survives by luck.
fn attachment_bytes() -> Vec<u8> {
    let mut bytes = b"%PDF-1.7\n".to_vec();
    bytes.extend((0..2000).map(|i| (i * 7 % 256) as u8));
    bytes
}

fn message() -> Vec<u8> {
    let encoded = base64(&attachment_bytes());
    let lines: Vec<&str> = encoded.as_bytes().chunks(76).map(|l| std::str::from_utf8(l).expect("ASCII")).collect();
    let head = "From: \"Campaign Reports\" <reports@x.test>\r\n\
        To: a@x.test, \"Bee, B.\" <b@x.test>\r\n\
        Cc: c@x.test\r\n\
        Subject: =?utf-8?q?Q3_r=C3=A9sum=C3=A9?=\r\n\
        Date: Fri, 27 Nov 2026 12:00:00 +0100\r\n\
        Message-ID: <20261127.abc@x.test>\r\n\
        X-Campaign: acme-q3\r\n \twith a folded line\r\n\
        MIME-Version: 1.0\r\n\
        Content-Type: multipart/mixed; boundary=\"outer\"\r\n\
        \r\n\
        --outer\r\n\
        Content-Type: multipart/alternative; boundary=\"inner\"\r\n\
        \r\n\
        --inner\r\n\
        Content-Type: text/plain; charset=utf-8\r\n\
        Content-Transfer-Encoding: quoted-printable\r\n\
        \r\n\
        R=C3=A9sum=C3=A9 attached.\r\n\
        .leading dot\r\n\
        --inner\r\n\
        Content-Type: text/html; charset=utf-8\r\n\
        \r\n\
        <p>R\u{e9}sum\u{e9} attached.</p>\r\n\
        --inner--\r\n\
        --outer\r\n\
        Content-Type: application/pdf; name=\"acme-q3.pdf\"\r\n\
        Content-Disposition: attachment; filename=\"acme-q3.pdf\"\r\n\
        Content-Transfer-Encoding: base64\r\n\
        \r\n";
    format!("{head}{}\r\n--outer--\r\n", lines.join("\r\n")).into_bytes()
}

fn check(mail: &Mail) {
    assert_eq!(mail.subject.as_deref(), Some("Q3 résumé"));
    assert_eq!(mail.message_id.as_deref(), Some("20261127.abc@x.test"));
    assert_eq!(mail.from.as_deref(), Some("reports@x.test"));
    assert_eq!(mail.to, ["a@x.test", "b@x.test"]);
    assert_eq!(mail.cc, ["c@x.test"]);
    assert!(!mail.bcc_header_present);
    assert_eq!(mail.date.as_deref(), Some("2026-11-27T12:00:00+01:00"));
    assert_eq!(mail.text.as_deref(), Some("Résumé attached.\r\n.leading dot"));
    assert_eq!(mail.html.as_deref(), Some("<p>Résumé attached.</p>"));
    let pdf = Attachment {
        filename: Some("acme-q3.pdf".into()),
        content_type: "application/pdf".into(),
        bytes: attachment_bytes(),
    };
    assert_eq!(mail.attachments, [pdf]);
    let names: Vec<&str> = mail.headers.iter().map(|(name, _)| name.as_str()).collect();
    let expected = ["From", "To", "Cc", "Subject", "Date", "Message-ID", "X-Campaign", "MIME-Version", "Content-Type"];
    assert_eq!(names, expected);
    assert_eq!(mail.header("subject"), Some("=?utf-8?q?Q3_r=C3=A9sum=C3=A9?="), "raw, not decoded");
    assert_eq!(mail.header("X-CAMPAIGN"), Some("acme-q3 \twith a folded line"), "unfolded");
    assert_eq!(mail.header("To"), Some("a@x.test, \"Bee, B.\" <b@x.test>"));
}

#[test]
fn a_multipart_message_reads_back_field_by_field() {
    check(&Mail::parse(&message()));
}

#[test]
fn a_message_through_the_server_is_byte_equal_and_reads_the_same() {
    let server = SmtpServer::builder().start();
    let mut smtp = Smtp::connect(server.port());
    expect(250, &smtp.command("EHLO client.test"));
    smtp.send("reports@x.test", &["a@x.test", "b@x.test", "c@x.test"], &message());
    let received = server.wait_for(1, Duration::from_secs(5));
    assert!(received[0].raw == message(), "the server saves the bytes as sent");
    check(&received[0].mail());
    server.stop();
}

#[test]
fn a_bcc_header_and_a_text_only_message() {
    let mail = Mail::parse(b"From: a@x.test\r\nBcc: hidden@x.test\r\nSubject: plain\r\n\r\njust text\r\n");
    assert!(mail.bcc_header_present);
    assert_eq!(mail.text.as_deref(), Some("just text\r\n"));
    assert_eq!((mail.html, mail.attachments, mail.message_id, mail.date), (None, vec![], None, None));
}

#[test]
fn an_html_only_message_has_no_text_part() {
    let mail = Mail::parse(b"From: a@x.test\r\nContent-Type: text/html\r\n\r\n<p>hi</p>\r\n");
    assert_eq!(mail.text, None, "mail-parser's text conversion of the HTML is not a text part");
    assert_eq!(mail.html.as_deref(), Some("<p>hi</p>\r\n"));
}
