//! The webhook server: every POST saved with what it was answered, the first ones failed on request.

use std::time::Duration;

use crate::common::HttpServer;
use crate::http;

#[test]
fn fails_the_first_posts_then_answers_200_and_keeps_them_all() {
    let server = HttpServer::builder().fail_first(2, 503).start();
    assert_eq!(server.url("/hooks/a"), format!("http://127.0.0.1:{}/hooks/a", server.port()));
    assert_eq!(server.url("hooks/a"), server.url("/hooks/a"));
    assert_eq!(http(server.port(), "GET", "/health", &[], "").0, 200);

    let headers = [("Content-Type", "application/json"), ("X-Signature", "sha256=abc")];
    let statuses: Vec<u16> = (1..=3)
        .map(|n| {
            http(
                server.port(),
                "POST",
                "/hooks/campaign?try=1",
                &headers,
                &format!(r#"{{"attempt":{n},"name":"Café"}}"#),
            )
            .0
        })
        .collect();
    assert_eq!(statuses, [503, 503, 200]);

    let received = server.wait_for(3, Duration::from_secs(5));
    assert_eq!(received.iter().map(|r| r.status).collect::<Vec<_>>(), [503, 503, 200]);
    for (n, request) in (1..).zip(&received) {
        assert_eq!(request.path, "/hooks/campaign?try=1");
        assert_eq!(request.headers["content-type"], "application/json");
        assert_eq!(request.headers["x-signature"], "sha256=abc");
        assert_eq!(request.json(), serde_json::json!({"attempt": n, "name": "Café"}));
    }
    server.stop();
}
