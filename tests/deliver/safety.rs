//! Safe by construction: a subscription for another role, redaction or tenant is
//! refused (and the others go on); the record never goes inside the snapshot; a
//! PDF changed after the build is not sent; delivery waits for a build's lock.

use std::time::Duration;

use crate::common::{Cli, SmtpServer};
use crate::{Site, parsed, plain_smtp, subscription};

#[test]
fn a_subscription_for_another_role_redaction_or_tenant_is_refused_and_the_others_go_on() {
    let site = Site::new("admin");
    let server = SmtpServer::builder().start();
    let viewer = subscription("viewers", "viewer", &["v@example.com"], "");
    let redacted = subscription("redacted", "admin", &["r@example.com"], "redact = \"contacts\"");
    let other =
        subscription("globex", "admin", &["g@example.com"], "").replace("tenant = \"acme\"", "tenant = \"globex\"");
    let admin = subscription("admins", "admin", &["a@example.com"], "campaigns = [\"q3-*\"]");
    site.write_subs(&plain_smtp(&server), &format!("{viewer}{redacted}{other}{admin}"));
    let run = site.deliver(&[]);
    run.expect_code(1);
    for said in [
        "subscription \"viewers\" refused: it is for role \"viewer\", but the snapshot of acme was built for role \"admin\"",
        "subscription \"redacted\" refused: it asks for redact = \"contacts\", but the snapshot of acme is not redacted",
        "subscription \"globex\" refused: the snapshot holds no campaigns of tenant \"globex\" (it holds acme)",
    ] {
        assert!(run.stderr.contains(said), "{said:?} not said:\n{}", run.stderr);
    }
    let messages = parsed(&server.wait_for(1, Duration::from_secs(10)));
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(server.received().len(), 1);
    assert_eq!(messages[0].0, "a@example.com");
}

#[test]
fn the_record_is_never_written_inside_the_snapshot() {
    let site = Site::new("viewer");
    let server = SmtpServer::builder().start();
    site.write_subs(&plain_smtp(&server), &subscription("s", "viewer", &["a@example.com"], ""));
    let inside = site.snapshot().join("state.json");
    let run = site.deliver(&["--state", inside.to_str().unwrap()]);
    run.expect_code(2);
    assert!(run.stderr.contains("is inside the snapshot folder"), "{}", run.stderr);
    assert!(!inside.exists());
    assert!(server.received().is_empty());
}

#[test]
fn a_pdf_changed_after_the_build_is_not_sent() {
    let site = Site::new("viewer");
    let server = SmtpServer::builder().start();
    site.write_subs(
        &plain_smtp(&server),
        &subscription("s", "viewer", &["a@example.com"], "campaigns = [\"q3-*\", \"survey-*\"]"),
    );
    let pdf = site.snapshot().join("campaigns/survey-failed/survey-failed.pdf");
    let mut bytes = std::fs::read(&pdf).unwrap();
    bytes.extend_from_slice(b"%tampered\n");
    std::fs::write(&pdf, bytes).unwrap();
    let run = site.deliver(&[]);
    run.expect_code(1);
    assert!(
        run.stderr
            .contains("campaign survey-failed is not sent: campaigns/survey-failed/survey-failed.pdf does not match"),
        "{}",
        run.stderr
    );
    let messages = parsed(&server.wait_for(1, Duration::from_secs(10)));
    assert_eq!(messages.len(), 1, "the other campaign still goes");
}

#[test]
fn delivery_waits_for_a_build_holding_the_snapshot() {
    let site = Site::new("viewer");
    let server = SmtpServer::builder().start();
    site.write_subs(&plain_smtp(&server), &subscription("s", "viewer", &["a@example.com"], "campaigns = [\"q3-*\"]"));
    // A build in progress holds the folder's lock (flock(1) takes the same kernel lock).
    let mut holder = std::process::Command::new("flock")
        .arg(site.snapshot())
        .args(["sleep", "3"])
        .spawn()
        .expect("flock (util-linux)");
    std::thread::sleep(Duration::from_millis(300));
    let busy = site.deliver(&[]);
    busy.expect_code(2);
    assert!(busy.stderr.contains("is being written by another run"), "{}", busy.stderr);
    assert!(server.received().is_empty());
    let waited = site.deliver(&["--wait-lock", "30"]);
    waited.expect_code(0);
    holder.wait().unwrap();
    assert_eq!(server.wait_for(1, Duration::from_secs(10)).len(), 1);
}

#[test]
fn a_subscriptions_file_with_a_password_is_refused_before_anything_is_sent() {
    let site = Site::new("viewer");
    let server = SmtpServer::builder().start();
    let smtp = plain_smtp(&server) + "username = \"u\"\npassword = \"hunter2\"\n";
    site.write_subs(&smtp, &subscription("s", "viewer", &["a@example.com"], ""));
    let run = site.deliver(&[]);
    run.expect_code(2);
    let said = "subs.toml:10:12: smtp.password: a password in the subscriptions file is refused";
    assert!(run.stderr.contains(said), "{}", run.stderr);
    assert!(run.stderr.contains("password_env") && !run.stderr.contains("hunter2"), "{}", run.stderr);
    assert!(server.received().is_empty());
    // A snapshot folder that is not there is said, and not created.
    site.write_subs(&plain_smtp(&server), &subscription("s", "viewer", &["a@example.com"], ""));
    let missing = site.dir.path().join("no-snapshot");
    let run = Cli::new(["deliver"]).arg(&missing).arg("--subscriptions").arg(site.subs()).run();
    run.expect_code(2);
    assert!(run.stderr.contains("holds no snapshot"), "{}", run.stderr);
    assert!(!missing.exists());
}
