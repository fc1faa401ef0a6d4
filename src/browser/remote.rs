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

/// Asks `http://host:port/json/version` for `webSocketDebuggerUrl`. The host is
/// resolved first and asked by address: Chromium answers only requests whose Host is
/// an address or `localhost` (a Service name such as `chromium:9222` would be
/// refused), and the endpoint it names is reached at the address asked, whatever host
/// the browser believes it has (behind a proxy or a load balancer).
fn version_endpoint(base: &url::Url, timeout: Duration) -> Result<String, String> {
    let addr = base
        .socket_addrs(|| Some(80))
        .ok()
        .and_then(|addrs| addrs.into_iter().next())
        .ok_or_else(|| format!("cannot resolve {base}"))?;
    let at = format!("http://{addr}/json/version");
    let agent = ureq::Agent::config_builder().timeout_global(Some(timeout)).build().new_agent();
    let mut answer = agent.get(&at).call().map_err(|e| format!("{at}: {e}"))?;
    let text = answer.body_mut().read_to_string().map_err(|e| format!("{at}: {e}"))?;
    let body: serde_json::Value = serde_json::from_str(&text).map_err(|e| format!("{at}: not DevTools JSON: {e}"))?;
    let named = body
        .get("webSocketDebuggerUrl")
        .and_then(serde_json::Value::as_str)
        .and_then(|u| url::Url::parse(u).ok())
        .ok_or_else(|| format!("{at} names no webSocketDebuggerUrl"))?;
    Ok(format!("ws://{addr}{}", named.path()))
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
