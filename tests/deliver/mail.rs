//! What is sent: one message per campaign and recipient with its PDF attached, or a
//! digest; a viewer's messages hold no latency; `--dry-run` writes `.eml` files.

use std::collections::BTreeSet;
use std::time::Duration;

use crate::common::{Mail, SmtpServer};
use crate::{Site, attached, parsed, pdf_text, plain_smtp, subscription};

#[test]
fn a_first_run_sends_each_recipient_each_selected_campaign_with_its_pdf() {
    let site = Site::new("viewer");
    let server = SmtpServer::builder().start();
    let more = "bcc = [\"audit@example.com\"]\nlayouts = [\"ended\"]\ntimezone = \"America/New_York\"";
    let sub = subscription("directors", "viewer", &["director@example.com", "Ops Lead <ops@example.com>"], more);
    site.write_subs(&plain_smtp(&server), &sub);
    let run = site.deliver(&[]);
    run.expect_code(0);

    let ended = site.ids("ended");
    assert!(ended.len() >= 3, "{ended:?}");
    let messages = parsed(&server.wait_for(ended.len() * 3, Duration::from_secs(10)));
    assert_eq!(messages.len(), ended.len() * 3, "{}", run.stderr);
    assert!(run.stderr.contains(&format!("{} sent, 0 already delivered, 0 failed", ended.len() * 3)), "{}", run.stderr);

    let mut pairs = BTreeSet::new();
    let mut ids = BTreeSet::new();
    for (rcpt, mail) in &messages {
        let [id] = attached(mail).try_into().unwrap_or_else(|a: Vec<String>| panic!("one PDF per message: {a:?}"));
        assert!(ended.contains(&id), "{id} is not an ended campaign");
        assert_eq!(mail.attachments[0].bytes, site.pdf(&id), "{id}.pdf is not the snapshot's");
        assert_eq!(mail.attachments[0].content_type, "application/pdf");
        assert!(pairs.insert((rcpt.clone(), id.clone())), "{id} sent twice to {rcpt}");
        // Headers name To, never Bcc.
        assert_eq!(mail.to, ["director@example.com", "ops@example.com"]);
        assert!(!mail.bcc_header_present);
        assert!(!mail.headers.iter().any(|(_, v)| v.contains("audit@example.com")), "the Bcc recipient is named");
        let text = mail.text.as_deref().unwrap();
        let html = mail.html.as_deref().unwrap();
        assert!(text.contains("Times are in America/New_York."), "{text}");
        assert!(text.contains(" EST") || text.contains(" EDT"), "{text}");
        assert!(
            text.contains("https://app.example.com/campaigns/")
                && html.contains("<a href=\"https://app.example.com/campaigns/")
        );
        assert!(mail.subject.as_deref().unwrap().ends_with("(Acme Dental)"), "{:?}", mail.subject);
        assert!(ids.insert(mail.message_id.clone().unwrap()), "a Message-ID used twice");
    }
    // The Ended headline: the same figures as the campaign's pages.
    let (_, q3) =
        messages.iter().find(|(r, m)| r == "director@example.com" && attached(m) == ["q3-winback-completed"]).unwrap();
    let text = q3.text.as_deref().unwrap();
    for line in [
        "Q3 Win-back: Completed",
        "Progress: 3,000 of 3,000 tasks done (100.0%)",
        "Result: 685 of 3,000 reached the goal",
        "Goal reached: 685",
    ] {
        assert!(text.contains(line), "{line:?} missing:\n{text}");
    }

    // The record, beside the subscriptions file, private, keyed by recipient.
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(site.record()).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    let record: serde_json::Value = serde_json::from_slice(&std::fs::read(site.record()).unwrap()).unwrap();
    let q3 = &record["deliveries"]["directors"]["audit@example.com"]["q3-winback-completed"]["delivered"];
    assert_eq!(q3["pdf_sha256"].as_str().unwrap().len(), 64);
    assert!(q3["message_id"].as_str().unwrap().ends_with(".campaign-report@example.com>"));
}

#[test]
fn a_viewers_messages_hold_no_latency_value() {
    // The admin snapshot shows latency, so the test can tell.
    let admin = Site::new("admin");
    let admin_text: String = admin.ids("ended").iter().map(|id| pdf_text(&admin.pdf(id))).collect();
    assert!(admin_text.contains("Latency"), "the admin PDFs show no latency: the test proves nothing");

    let site = Site::new("viewer");
    let server = SmtpServer::builder().start();
    let digest = subscription("weekly", "viewer", &["weekly@example.com"], "mode = \"digest\"");
    let each = subscription("each", "viewer", &["each@example.com"], "");
    site.write_subs(&plain_smtp(&server), &format!("{digest}{each}"));
    site.deliver(&[]).expect_code(0);
    let all = site.campaigns().len();
    let messages = parsed(&server.wait_for(1 + all, Duration::from_secs(10)));
    assert_eq!(messages.len(), 1 + all);
    for (_, mail) in &messages {
        let mut said = vec![mail.subject.clone().unwrap_or_default(), mail.text.clone().unwrap_or_default()];
        said.push(mail.html.clone().unwrap_or_default());
        said.extend(mail.attachments.iter().map(|a| pdf_text(&a.bytes)));
        for text in said {
            for word in ["Latency", "latency", "p95", "p50", "time to first"] {
                assert!(!text.contains(word), "{word:?} in a viewer's message:\n{text}");
            }
        }
    }
}

#[test]
fn a_digest_lists_every_changed_campaign_and_says_which_pdfs_it_left_out() {
    let site = Site::new("viewer");
    let server = SmtpServer::builder().start();
    // Room for about two of the PDFs.
    let sizes: Vec<usize> = site.ids("active").iter().map(|id| site.pdf(id).len()).collect();
    let cap = (sizes.iter().take(2).sum::<usize>() + 1000) as f64 / 1_000_000.0;
    let more = format!("mode = \"digest\"\nlayouts = [\"active\"]\nmax_attachments_mb = {cap}");
    site.write_subs(&plain_smtp(&server), &subscription("weekly", "viewer", &["weekly@example.com"], &more));
    site.deliver(&[]).expect_code(0);
    let messages = parsed(&server.wait_for(1, Duration::from_secs(10)));
    assert_eq!(messages.len(), 1);
    let mail = &messages[0].1;
    let active = site.ids("active");
    assert!(active.len() > 2, "{active:?}");
    assert_eq!(attached(mail).len(), 2, "{:?}", attached(mail));
    let text = mail.text.as_deref().unwrap();
    let left_out = active.len() - 2;
    assert!(mail.subject.as_deref().unwrap().contains(&format!("{left_out} PDF")), "{:?}", mail.subject);
    assert_eq!(text.matches("is not attached: the message would pass its").count(), left_out, "{text}");
    for id in &active {
        assert!(mail.html.as_deref().unwrap().contains(&format!("/campaigns/{id}")), "{id} not listed");
    }
}

#[test]
fn dry_run_writes_messages_a_mime_parser_reads_and_sends_nothing() {
    let site = Site::new("viewer");
    let server = SmtpServer::builder().start();
    let sub = subscription(
        "directors",
        "viewer",
        &["director@example.com"],
        "bcc = [\"audit@example.com\"]\nlayouts = [\"draft\"]",
    );
    site.write_subs(&plain_smtp(&server), &sub);
    let dir = tempfile::tempdir().unwrap();
    let run = site.deliver(&["--dry-run", dir.path().to_str().unwrap()]);
    run.expect_code(0);
    let drafts = site.ids("draft");
    let files = crate::common::files_under(dir.path());
    assert_eq!(files.len(), drafts.len() * 2, "{files:?}");
    for file in &files {
        let mail = Mail::parse(&std::fs::read(dir.path().join(file)).unwrap());
        let [id] = attached(&mail).try_into().unwrap();
        assert!(file.starts_with(&format!("directors/{id}--")), "{file}");
        assert_eq!(mail.attachments[0].bytes, site.pdf(&id));
        assert!(mail.text.as_deref().unwrap().contains("Readiness: "), "{:?}", mail.text);
    }
    std::thread::sleep(Duration::from_millis(300));
    assert!(server.received().is_empty(), "a dry run sent mail");
    assert!(!site.record().exists(), "a dry run wrote the record");
    // No password is needed to review.
    assert!(run.stderr.contains("(nothing sent, the record unchanged)"), "{}", run.stderr);
}
