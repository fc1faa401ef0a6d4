//! Only what changed, to whom it is due: the delivery record across runs, a refused
//! recipient tried again without anyone else getting a copy twice, a server that is
//! down leaving the record as it was.

use std::time::Duration;

use crate::common::{Cli, SmtpServer, fixture, free_port};
use crate::{Site, attached, copy, parsed, plain_smtp, subscription};

#[test]
fn a_second_run_sends_nothing_and_a_rebuilt_campaign_goes_out_alone() {
    let site = Site::new("viewer");
    let server = SmtpServer::builder().start();
    let sub = subscription("all", "viewer", &["a@example.com", "b@example.com"], "");
    site.write_subs(&plain_smtp(&server), &sub);
    site.deliver(&[]).expect_code(0);
    let all = site.campaigns().len();
    assert_eq!(server.wait_for(all * 2, Duration::from_secs(10)).len(), all * 2);

    let again = site.deliver(&[]);
    again.expect_code(0);
    assert!(again.stderr.contains(&format!("0 sent, {} already delivered", all * 2)), "{}", again.stderr);
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(server.received().len(), all * 2, "a second run sent mail");

    // One campaign's data changes; the build rewrites only it, and only it is sent.
    let inputs = tempfile::tempdir().unwrap();
    let acme = inputs.path().join("acme");
    copy(&fixture("acme"), &acme);
    let file = acme.join("q3/q3-winback-completed/campaign.json");
    let text = std::fs::read_to_string(&file).unwrap().replace("\"Q3 Win-back\"", "\"Q3 Win-back (final)\"");
    std::fs::write(&file, text).unwrap();
    let build = Cli::build([&acme]).out(site.snapshot()).format("html,json,pdf").run();
    build.expect_code(0);
    assert!(build.stderr.contains("1 built"), "{}", build.stderr);
    site.deliver(&[]).expect_code(0);
    let messages = parsed(&server.wait_for(all * 2 + 2, Duration::from_secs(10)));
    let new: Vec<_> = messages[all * 2..].iter().map(|(r, m)| (r.clone(), attached(m))).collect();
    assert_eq!(
        new,
        [
            ("a@example.com".to_string(), vec!["q3-winback-completed".to_string()]),
            ("b@example.com".to_string(), vec!["q3-winback-completed".to_string()])
        ]
    );
    assert!(messages[all * 2].1.subject.as_deref().unwrap().starts_with("Q3 Win-back (final): Completed"));
}

#[test]
fn an_active_campaign_built_again_with_nothing_new_is_not_sent_again() {
    // Without --now, Active campaigns are rebuilt on every build: their PDFs state a
    // new snapshot time, but nothing else in them changed.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snapshot");
    let build = |now: &str| Cli::build(["acme"]).out(&out).format("html,json,pdf").now(now).run();
    build("2026-11-27T12:00:00Z").expect_code(0);
    let server = SmtpServer::builder().start();
    let subs = dir.path().join("subs.toml");
    std::fs::write(
        &subs,
        format!(
            "{}\n{}",
            plain_smtp(&server),
            subscription("ops", "viewer", &["ops@example.com"], "layouts = [\"active\"]")
        ),
    )
    .unwrap();
    let deliver = || Cli::new(["deliver"]).arg(&out).arg("--subscriptions").arg(&subs).run();
    deliver().expect_code(0);
    let active = server.wait_for(1, Duration::from_secs(10)).len();
    assert!(active >= 3, "{active}");
    let pdf = |id: &str| std::fs::read(out.join(format!("campaigns/{id}/{id}.pdf"))).unwrap();
    let before = pdf("reactivation-running");

    // The same data, a later --now: new PDF bytes, the same content key.
    build("2026-11-27T13:00:00Z").expect_code(0);
    assert_ne!(pdf("reactivation-running"), before, "the PDF did not change: the test proves nothing");
    let run = deliver();
    run.expect_code(0);
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(server.received().len(), active, "sent again:\n{}", run.stderr);
}

#[test]
fn a_refused_recipient_gets_it_next_run_and_nobody_else_twice() {
    let site = Site::new("viewer");
    let refusing = SmtpServer::builder().reject("bob@example.com").start();
    let sub = subscription("team", "viewer", &["alice@example.com", "bob@example.com"], "layouts = [\"ended\"]");
    site.write_subs(&plain_smtp(&refusing), &sub);
    let first = site.deliver(&[]);
    first.expect_code(1);
    let ended = site.ids("ended").len();
    let got = parsed(&refusing.wait_for(ended, Duration::from_secs(10)));
    assert!(got.iter().all(|(r, _)| r == "alice@example.com"), "{:?}", got.iter().map(|(r, _)| r).collect::<Vec<_>>());
    assert_eq!(got.len(), ended);
    let errors: Vec<&str> = first.stderr.lines().filter(|l| l.contains("error:")).collect();
    assert_eq!(errors.len(), ended, "{}", first.stderr);
    assert!(errors.iter().all(|l| l.contains("to bob@example.com") && l.contains("550")), "{}", first.stderr);
    // Refused for good this run: one try each, not retried.
    assert!(!first.stderr.contains("tries"), "{}", first.stderr);
    let record: serde_json::Value = serde_json::from_slice(&std::fs::read(site.record()).unwrap()).unwrap();
    let bob = &record["deliveries"]["team"]["bob@example.com"]["q3-winback-completed"];
    assert!(bob["delivered"].is_null() && bob["failed"]["reason"].as_str().unwrap().contains("550"), "{bob}");
    refusing.stop();

    let accepting = SmtpServer::builder().start();
    site.write_subs(&plain_smtp(&accepting), &sub);
    let second = site.deliver(&[]);
    second.expect_code(0);
    let got = parsed(&accepting.wait_for(ended, Duration::from_secs(10)));
    assert_eq!(got.len(), ended);
    assert!(got.iter().all(|(r, _)| r == "bob@example.com"), "alice got a copy twice");
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(accepting.received().len(), ended);
}

#[test]
fn a_transient_refusal_is_tried_again_within_the_run() {
    let site = Site::new("viewer");
    let server = SmtpServer::builder().tempfail("carol@example.com", 1).tempfail_data(1).start();
    let smtp = plain_smtp(&server).replace("attempts = 2", "attempts = 4");
    site.write_subs(&smtp, &subscription("c", "viewer", &["carol@example.com"], "campaigns = [\"q3-*\"]"));
    let run = site.deliver(&[]);
    run.expect_code(0);
    assert_eq!(server.wait_for(1, Duration::from_secs(10)).len(), 1, "{}", run.stderr);
}

#[test]
fn with_the_server_down_the_error_is_clear_the_exit_is_1_and_the_record_is_unchanged() {
    let site = Site::new("viewer");
    let server = SmtpServer::builder().start();
    let sub = subscription("team", "viewer", &["alice@example.com"], "layouts = [\"ended\"]");
    site.write_subs(&plain_smtp(&server), &sub);
    site.deliver(&[]).expect_code(0);
    let before = std::fs::read(site.record()).unwrap();

    // Another recipient is due, and nothing listens any more.
    let port = free_port();
    server.stop();
    let down = plain_smtp_on(port);
    let sub = subscription("team", "viewer", &["alice@example.com", "dave@example.com"], "layouts = [\"ended\"]");
    site.write_subs(&down, &sub);
    let started = std::time::Instant::now();
    let run = site.deliver(&[]);
    run.expect_code(1);
    let errors: Vec<&str> = run.stderr.lines().filter(|l| l.contains("error:")).collect();
    assert_eq!(errors.len(), site.ids("ended").len(), "{}", run.stderr);
    assert!(errors[0].contains(&format!("the mail server 127.0.0.1:{port} could not be reached")), "{}", run.stderr);
    assert!(errors[1..].iter().all(|l| l.contains("not tried")), "{}", run.stderr);
    assert!(started.elapsed() < Duration::from_secs(20), "every message waited out its retries");
    assert_eq!(std::fs::read(site.record()).unwrap(), before, "the record changed");
}

fn plain_smtp_on(port: u16) -> String {
    format!(
        "[smtp]\nhost = \"127.0.0.1\"\nport = {port}\nsecurity = \"none\"\nfrom = \"reports@example.com\"\nattempts = 2\nretry_delay_ms = 20\ntimeout_seconds = 5\n"
    )
}
