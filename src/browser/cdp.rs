//! The DevTools protocol over one WebSocket: numbered calls answered by id, page
//! events handed to the page that waits for them, and a connection that notices
//! its own end (docs/pdf.md, "How pages are printed").
//!
//! Only the few commands the tool sends are used, as JSON: a browser's version, a
//! new page (in a browser context of its own for a browser the tool did not start),
//! navigation, its load event, answering the page's requests (`Fetch`), a call the
//! caller names (printing), and closing the page. Every call has a deadline; nothing waits on a browser that
//! went away. It knows nothing of PDFs.

use std::collections::HashMap;
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tungstenite::protocol::{Role, WebSocketConfig};
use tungstenite::{Message, WebSocket};

use super::lock;

/// Why a call did not return a result.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum CdpError {
    /// No answer before the deadline.
    #[error("the browser did not answer in time")]
    Timeout,
    /// The connection is gone (the browser stopped or closed it).
    #[error("the connection to the browser was closed")]
    Closed,
    /// The browser answered with an error.
    #[error("{0}")]
    Browser(String),
}

/// Replies awaited by call id, and page events by session.
#[derive(Default)]
struct Waiting {
    calls: HashMap<u64, Sender<Result<Value, CdpError>>>,
    pages: HashMap<String, Sender<Value>>,
}

struct Inner {
    /// The sending half: a WebSocket over a clone of the reader's stream.
    writer: Mutex<WebSocket<TcpStream>>,
    /// Shut down on drop, which ends the reader thread.
    stream: TcpStream,
    next_id: AtomicU64,
    waiting: Mutex<Waiting>,
    closed: AtomicBool,
}

impl Drop for Inner {
    fn drop(&mut self) {
        let _ = self.stream.shutdown(Shutdown::Both);
    }
}

/// A connection to a browser's DevTools endpoint (`ws://host:port/devtools/browser/…`).
#[derive(Clone)]
pub(crate) struct Connection {
    inner: Arc<Inner>,
}

impl Connection {
    /// Connects within `timeout`.
    pub(crate) fn open(url: &str, timeout: Duration) -> Result<Connection, String> {
        let parsed = url::Url::parse(url).map_err(|e| format!("bad DevTools address {url:?}: {e}"))?;
        if parsed.scheme() != "ws" {
            return Err(format!("bad DevTools address {url:?}: only ws:// is supported"));
        }
        let addr = parsed
            .socket_addrs(|| Some(80))
            .ok()
            .and_then(|addrs| addrs.into_iter().next())
            .ok_or_else(|| format!("cannot resolve the DevTools address {url:?}"))?;
        let stream = TcpStream::connect_timeout(&addr, timeout).map_err(|e| format!("cannot connect to {url}: {e}"))?;
        let _ = stream.set_nodelay(true);
        stream.set_read_timeout(Some(timeout)).map_err(|e| e.to_string())?;
        // A PDF comes back as one base64 message: no limit below what a long report needs.
        let config = WebSocketConfig::default().max_message_size(Some(1 << 30)).max_frame_size(None);
        let (reader, _) = tungstenite::client::client_with_config(url, stream, Some(config))
            .map_err(|e| format!("DevTools handshake with {url} failed: {e}"))?;
        let socket = reader.get_ref();
        socket.set_read_timeout(None).map_err(|e| e.to_string())?;
        let writer = WebSocket::from_raw_socket(socket.try_clone().map_err(|e| e.to_string())?, Role::Client, None);
        let inner = Arc::new(Inner {
            writer: Mutex::new(writer),
            stream: socket.try_clone().map_err(|e| e.to_string())?,
            next_id: AtomicU64::new(1),
            waiting: Mutex::default(),
            closed: AtomicBool::new(false),
        });
        let weak = Arc::downgrade(&inner);
        std::thread::Builder::new()
            .name("devtools-read".into())
            .spawn(move || read_loop(reader, weak))
            .map_err(|e| format!("could not start a thread: {e}"))?;
        Ok(Connection { inner })
    }

    /// Sends `method` (to a page when `session` is given) and waits for its result until `until`.
    fn call(&self, session: Option<&str>, method: &str, params: Value, until: Instant) -> Result<Value, CdpError> {
        if self.inner.closed.load(Ordering::SeqCst) {
            return Err(CdpError::Closed);
        }
        let id = self.inner.next_id.fetch_add(1, Ordering::SeqCst);
        let (tx, rx) = mpsc::channel();
        lock(&self.inner.waiting).calls.insert(id, tx);
        let mut message = json!({ "id": id, "method": method, "params": params });
        if let Some(session) = session {
            message["sessionId"] = Value::from(session);
        }
        let sent = lock(&self.inner.writer).send(Message::text(message.to_string()));
        if sent.is_err() {
            lock(&self.inner.waiting).calls.remove(&id);
            return Err(CdpError::Closed);
        }
        let answer = match rx.recv_timeout(until.saturating_duration_since(Instant::now())) {
            Ok(answer) => answer,
            Err(RecvTimeoutError::Timeout) => Err(CdpError::Timeout),
            Err(RecvTimeoutError::Disconnected) => Err(CdpError::Closed),
        };
        lock(&self.inner.waiting).calls.remove(&id);
        answer
    }

    /// Whether the browser answers within `timeout`.
    pub(crate) fn answers(&self, timeout: Duration) -> bool {
        self.call(None, "Browser.getVersion", json!({}), Instant::now() + timeout).is_ok()
    }

    /// Whether the connection ended (the browser stopped or closed it).
    pub(crate) fn is_closed(&self) -> bool {
        self.inner.closed.load(Ordering::SeqCst)
    }

    /// Ends the connection: every call on it fails at once from now on.
    pub(crate) fn close(&self) {
        self.inner.closed.store(true, Ordering::SeqCst);
        let _ = self.inner.stream.shutdown(Shutdown::Both);
    }

    /// A browser context of this connection's own, closed with its pages when the
    /// connection ends: a browser the tool did not start keeps no tab of it.
    pub(crate) fn own_context(&self, until: Instant) -> Result<String, CdpError> {
        let created = self.call(None, "Target.createBrowserContext", json!({ "disposeOnDetach": true }), until)?;
        text(&created, "browserContextId")
    }

    /// Opens a blank page (in `context` when given) and listens to its events.
    pub(crate) fn open_page(&self, context: Option<&str>, until: Instant) -> Result<Page, CdpError> {
        let mut params = json!({ "url": "about:blank" });
        if let Some(context) = context {
            params["browserContextId"] = Value::from(context);
        }
        let created = self.call(None, "Target.createTarget", params, until)?;
        let target = text(&created, "targetId")?;
        let page = (|| {
            let attached =
                self.call(None, "Target.attachToTarget", json!({ "targetId": target, "flatten": true }), until)?;
            let session = text(&attached, "sessionId")?;
            let (tx, events) = mpsc::channel();
            lock(&self.inner.waiting).pages.insert(session.clone(), tx);
            let page = Page { connection: self.clone(), target: target.clone(), session, events };
            page.call("Page.enable", json!({}), until)?;
            Ok(page)
        })();
        if page.is_err() {
            let _ = self.call(None, "Target.closeTarget", json!({ "targetId": target }), until);
        }
        page
    }
}

/// One page (a tab) of the browser, reached through its own session.
pub(crate) struct Page {
    connection: Connection,
    target: String,
    session: String,
    events: Receiver<Value>,
}

impl Page {
    /// Calls `method` on this page.
    pub(crate) fn call(&self, method: &str, params: Value, until: Instant) -> Result<Value, CdpError> {
        self.connection.call(Some(&self.session), method, params, until)
    }

    /// Loads `url` and waits for its load event (not for network idle).
    pub(crate) fn load(&self, url: &str, until: Instant) -> Result<(), CdpError> {
        while self.events.try_recv().is_ok() {}
        let navigated = self.call("Page.navigate", json!({ "url": url }), until)?;
        if let Some(error) = navigated.get("errorText").and_then(Value::as_str) {
            return Err(CdpError::Browser(format!("the page did not load: {error}")));
        }
        self.until_loaded(until, |_| Ok(()))
    }

    /// Loads `html` as the page at `url` without the browser reading any file: every
    /// request of the page is paused by the protocol's request interception
    /// (`Fetch`), the page's own answered with `html`, any other failed, so nothing
    /// of the page reaches the network (docs/scale-out.md, "Remote browsers").
    pub(crate) fn load_served(&self, url: &str, html: &[u8], until: Instant) -> Result<(), CdpError> {
        use base64::Engine;
        while self.events.try_recv().is_ok() {}
        self.call("Fetch.enable", json!({ "patterns": [{ "urlPattern": "*" }] }), until)?;
        let body = base64::engine::general_purpose::STANDARD.encode(html);
        // The navigation is answered only once its request is: it waits on its own
        // thread while this one answers the requests.
        std::thread::scope(|scope| {
            let (connection, session) = (self.connection.clone(), self.session.clone());
            let navigation =
                scope.spawn(move || connection.call(Some(&session), "Page.navigate", json!({ "url": url }), until));
            let loaded = self.until_loaded(until, |event| self.answer(event, url, &body, until));
            let navigated = navigation.join().map_err(|_| CdpError::Closed)??;
            if let Some(error) = navigated.get("errorText").and_then(Value::as_str) {
                return Err(CdpError::Browser(format!("the page did not load: {error}")));
            }
            loaded
        })
    }

    /// Answers a paused request: the page at `url` with `body` (base64), anything else refused.
    fn answer(&self, event: &Value, url: &str, body: &str, until: Instant) -> Result<(), CdpError> {
        if event["method"] != "Fetch.requestPaused" {
            return Ok(());
        }
        let id = event["params"]["requestId"].clone();
        if event["params"]["request"]["url"] == url {
            let headers = json!([{ "name": "Content-Type", "value": "text/html; charset=utf-8" }]);
            let answer = json!({ "requestId": id, "responseCode": 200, "responseHeaders": headers, "body": body });
            self.call("Fetch.fulfillRequest", answer, until).map(drop)
        } else {
            let refused = json!({ "requestId": id, "errorReason": "BlockedByClient" });
            self.call("Fetch.failRequest", refused, until).map(drop)
        }
    }

    /// Waits for the page's load event, handing every other event to `other`.
    fn until_loaded(
        &self,
        until: Instant,
        mut other: impl FnMut(&Value) -> Result<(), CdpError>,
    ) -> Result<(), CdpError> {
        loop {
            match self.events.recv_timeout(until.saturating_duration_since(Instant::now())) {
                Ok(event) if event["method"] == "Page.loadEventFired" => return Ok(()),
                Ok(event) => other(&event)?,
                Err(RecvTimeoutError::Timeout) => return Err(CdpError::Timeout),
                Err(RecvTimeoutError::Disconnected) => return Err(CdpError::Closed),
            }
        }
    }

    /// Closes the page (waiting at most `timeout`).
    pub(crate) fn close(&self, timeout: Duration) {
        let until = Instant::now() + timeout;
        let _ = self.connection.call(None, "Target.closeTarget", json!({ "targetId": self.target }), until);
    }
}

impl Drop for Page {
    fn drop(&mut self) {
        lock(&self.connection.inner.waiting).pages.remove(&self.session);
    }
}

/// A string field of a result.
fn text(result: &Value, field: &str) -> Result<String, CdpError> {
    result
        .get(field)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| CdpError::Browser(format!("the browser's answer has no {field}")))
}

/// Reads every message until the connection ends, then fails whatever still waits.
fn read_loop(mut reader: WebSocket<TcpStream>, inner: std::sync::Weak<Inner>) {
    loop {
        let message = reader.read();
        let Some(inner) = inner.upgrade() else { return };
        let text = match message {
            Ok(Message::Text(text)) => text,
            Ok(Message::Close(_)) | Err(_) => {
                inner.closed.store(true, Ordering::SeqCst);
                // Dropping the senders wakes every waiter with `Closed`.
                let mut waiting = lock(&inner.waiting);
                waiting.calls.clear();
                waiting.pages.clear();
                return;
            }
            Ok(_) => continue,
        };
        let Ok(message) = serde_json::from_str::<Value>(text.as_str()) else { continue };
        dispatch(&inner, message);
    }
}

/// Hands one message to the call or the page that waits for it.
fn dispatch(inner: &Inner, mut message: Value) {
    if let Some(id) = message.get("id").and_then(Value::as_u64) {
        let Some(tx) = lock(&inner.waiting).calls.remove(&id) else { return };
        let answer = match message.get_mut("error") {
            Some(error) => {
                let text = error.get("message").and_then(Value::as_str).unwrap_or("unknown error");
                Err(CdpError::Browser(text.to_string()))
            }
            None => Ok(message.get_mut("result").map(Value::take).unwrap_or(Value::Null)),
        };
        let _ = tx.send(answer);
    } else if message.get("method").is_some()
        && let Some(session) = message.get("sessionId").and_then(Value::as_str)
        && let Some(tx) = lock(&inner.waiting).pages.get(session)
    {
        let _ = tx.send(message);
    }
}
