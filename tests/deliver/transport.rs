//! Transport: STARTTLS with a test certificate authority and AUTH, implicit TLS, a
//! certificate nobody vouches for, a wrong password, and webhooks to a local HTTP
//! server.

use std::time::Duration;

use crate::common::{HttpServer, SmtpServer};
use crate::{Site, attached, subscription};

fn tls_smtp(server: &SmtpServer, security: &str, ca: bool) -> String {
    let ca = if ca { format!("ca_file = {:?}\n", server.ca_pem().display().to_string()) } else { String::new() };
    format!(
        "[smtp]\nhost = \"localhost\"\nport = {}\nsecurity = {security:?}\nfrom = \"reports@example.com\"\n\
         username = \"reports\"\npassword_env = \"TEST_SMTP_PASSWORD\"\n{ca}attempts = 2\nretry_delay_ms = 20\n",
        server.port()
    )
}

fn deliver_with_password(site: &Site, password: &str) -> crate::common::Run {
    crate::common::Cli::new(["deliver"])
        .arg(site.snapshot())
        .arg("--subscriptions")
        .arg(site.subs())
        .env("TEST_SMTP_PASSWORD", password)
        .run()
}

#[test]
fn starttls_with_a_private_ca_and_auth() {
    let site = Site::new("viewer");
    let server = SmtpServer::builder().starttls().require_tls().auth("reports", "s3cret").start();
    site.write_subs(
        &tls_smtp(&server, "starttls", true),
        &subscription("s", "viewer", &["a@example.com"], "campaigns = [\"q3-*\"]"),
    );
    let run = deliver_with_password(&site, "s3cret");
    run.expect_code(0);
    let got = server.wait_for(1, Duration::from_secs(10));
    assert_eq!(got.len(), 1, "{}", run.stderr);
    assert!(got[0].tls, "sent without TLS");
    assert_eq!(got[0].auth_user.as_deref(), Some("reports"));
    assert_eq!(attached(&got[0].mail()), ["q3-winback-completed"]);
}

#[test]
fn implicit_tls() {
    let site = Site::new("viewer");
    let server = SmtpServer::builder().implicit_tls().auth("reports", "s3cret").start();
    site.write_subs(
        &tls_smtp(&server, "tls", true),
        &subscription("s", "viewer", &["a@example.com"], "campaigns = [\"q3-*\"]"),
    );
    deliver_with_password(&site, "s3cret").expect_code(0);
    let got = server.wait_for(1, Duration::from_secs(10));
    assert_eq!(got.len(), 1);
    assert!(got[0].tls);
}

#[test]
fn an_unknown_certificate_or_a_wrong_password_stops_the_mail_with_one_clear_error_each() {
    let site = Site::new("viewer");
    let server = SmtpServer::builder().starttls().require_tls().auth("reports", "s3cret").start();
    let sub = subscription("s", "viewer", &["a@example.com"], "layouts = [\"ended\"]");
    let ended = site.ids("ended").len();

    // Without the CA, the server's certificate is not trusted; nothing falls back to plain text.
    site.write_subs(&tls_smtp(&server, "starttls", false), &sub);
    let run = deliver_with_password(&site, "s3cret");
    run.expect_code(1);
    let errors: Vec<&str> = run.stderr.lines().filter(|l| l.contains("error:")).collect();
    assert_eq!(errors.len(), ended, "{}", run.stderr);
    assert!(errors[0].contains("TLS with the mail server localhost:"), "{}", run.stderr);
    assert!(errors[1..].iter().all(|l| l.contains("not tried")), "{}", run.stderr);

    site.write_subs(&tls_smtp(&server, "starttls", true), &sub);
    let run = deliver_with_password(&site, "wrong");
    run.expect_code(1);
    assert!(run.stderr.contains("refused the login") && run.stderr.contains("535"), "{}", run.stderr);
    assert!(!run.stderr.contains("wrong"), "the password is printed: {}", run.stderr);

    // No password in the environment: said before anything is tried.
    let run = crate::common::Cli::new(["deliver"]).arg(site.snapshot()).arg("--subscriptions").arg(site.subs()).run();
    run.expect_code(1);
    assert!(
        run.stderr.contains("the environment variable TEST_SMTP_PASSWORD (smtp.password_env) is not set"),
        "{}",
        run.stderr
    );
    std::thread::sleep(Duration::from_millis(200));
    assert!(server.received().is_empty());
}

#[test]
fn a_webhook_gets_one_json_post_per_campaign_and_a_server_error_is_tried_again() {
    let site = Site::new("viewer");
    let hook = HttpServer::builder().fail_first(1, 503).start();
    let url = hook.url("/hooks/T0001/SECRET");
    let sub = format!(
        "[[subscription]]\nname = \"chat\"\ntenant = \"acme\"\nrole = \"viewer\"\nwebhook = {url:?}\nlayouts = [\"ended\"]\n"
    );
    // Webhooks only: no [smtp] needed.
    site.write_subs("", &sub);
    let run = site.deliver(&[]);
    run.expect_code(0);
    let ended = site.ids("ended");
    let requests = hook.wait_for(ended.len() + 1, Duration::from_secs(15));
    assert_eq!(requests.len(), ended.len() + 1, "{}", run.stderr);
    assert_eq!(requests[0].status, 503);
    let mut seen = Vec::new();
    for request in &requests[1..] {
        assert_eq!(request.path, "/hooks/T0001/SECRET");
        assert_eq!(request.headers.get("content-type").map(String::as_str), Some("application/json"));
        let body = request.json();
        assert_eq!(body["subscription"], "chat");
        assert_eq!(body["tenant"], "Acme Dental");
        let campaign = &body["campaigns"][0];
        seen.push(campaign["id"].as_str().unwrap().to_string());
        let sha = campaign["pdf_sha256"].as_str().unwrap();
        let pdf = site.pdf(campaign["id"].as_str().unwrap());
        let digest: String = <sha2::Sha256 as sha2::Digest>::digest(&pdf).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(sha, digest);
        assert!(body["text"].as_str().unwrap().contains("data as of"), "{body}");
    }
    seen.sort();
    let mut ended = ended;
    ended.sort();
    assert_eq!(seen, ended);
    // The secret path is in no message and not in the record.
    let record = std::fs::read_to_string(site.record()).unwrap();
    assert!(!record.contains("SECRET") && !run.stderr.contains("SECRET"), "{record}");
    // Nothing is due the second time.
    site.deliver(&[]).expect_code(0);
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(hook.received().len(), ended.len() + 1);
}
