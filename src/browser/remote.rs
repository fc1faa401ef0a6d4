//! Browsers the tool did not start (`--browser URL`): where their DevTools endpoint
//! is (docs/scale-out.md, "Remote browsers").
//!
//! A `ws://` address is the endpoint itself; an `http://host:port` address is asked
//! for it at `/json/version`, as Chromium and browser pools answer. It starts and
//! kills nothing.

use std::time::Duration;

/// The WebSocket address of the browser at `url`.
pub(crate) fn endpoint(url: &str, timeout: Duration) -> Result<String, String> {
    let parsed = url::Url::parse(url).map_err(|e| format!("{url:?} is not a DevTools address: {e}"))?;
    match parsed.scheme() {
        "ws" => Ok(url.to_string()),
        "http" => version_endpoint(&parsed, timeout),
        other => Err(format!(
            "{url:?}: a DevTools address is http://host:port or ws://host:port/devtools/browser/…, not {other}://"
        )),
    }
}

/// Asks `http://host:port/json/version` for `webSocketDebuggerUrl`.
fn version_endpoint(base: &url::Url, timeout: Duration) -> Result<String, String> {
    let at = base.join("/json/version").map_err(|e| e.to_string())?;
    let agent = ureq::Agent::config_builder().timeout_global(Some(timeout)).build().new_agent();
    let mut answer = agent.get(at.as_str()).call().map_err(|e| format!("{at}: {e}"))?;
    let text = answer.body_mut().read_to_string().map_err(|e| format!("{at}: {e}"))?;
    let body: serde_json::Value = serde_json::from_str(&text).map_err(|e| format!("{at}: not DevTools JSON: {e}"))?;
    body.get("webSocketDebuggerUrl")
        .and_then(serde_json::Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| format!("{at} names no webSocketDebuggerUrl"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_other_than_http_and_ws_are_refused() {
        let wait = Duration::from_secs(1);
        assert_eq!(
            endpoint("ws://127.0.0.1:9222/devtools/browser/x", wait).unwrap(),
            "ws://127.0.0.1:9222/devtools/browser/x"
        );
        for bad in ["file:///tmp/x", "127.0.0.1:9222", "ftp://host/"] {
            assert!(endpoint(bad, wait).is_err(), "{bad}");
        }
        assert!(endpoint("http://127.0.0.1:9/", wait).unwrap_err().contains("127.0.0.1:9"));
    }
}
