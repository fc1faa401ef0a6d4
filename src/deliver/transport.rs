//! Sending: SMTP (lettre) and webhooks (ureq), each attempt classified as delivered,
//! worth another try (4xx replies, dropped connections, timeouts) or final (5xx
//! replies), with a bounded exponential back-off between tries.
//!
//! A failure that no other message can escape (the server cannot be reached, TLS or
//! authentication fails) stops the transport: the messages after it are reported
//! at once instead of each waiting out its own retries.

use std::time::Duration;

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{Address, SmtpTransport, Transport};

use super::subscriptions::{Security, Smtp};

/// How an attempt ended when it did not deliver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Worth trying again later in this run.
    Transient(String),
    /// The server could not be reached: worth trying again, and if it stays so, no
    /// other message will get through either.
    Unreachable(String),
    /// Trying again will not help this message (a 5xx reply: the recipient is refused).
    Permanent(String),
    /// Nothing can be sent through this transport in this run.
    Broken(String),
}

impl Failure {
    pub fn reason(&self) -> &str {
        match self {
            Failure::Transient(r) | Failure::Unreachable(r) | Failure::Permanent(r) | Failure::Broken(r) => r,
        }
    }
}

/// Tries, waits and the first wait.
#[derive(Debug, Clone, Copy)]
pub struct Retry {
    pub attempts: u32,
    pub first_delay: Duration,
}

impl Retry {
    const MAX_DELAY: Duration = Duration::from_secs(30);

    /// Runs `attempt` until it delivers, fails for good, or the tries run out; the
    /// last failure of a transient kind is returned as it is.
    pub fn run<T>(&self, mut attempt: impl FnMut() -> Result<T, Failure>) -> Result<T, Failure> {
        let mut delay = self.first_delay;
        let mut tries = 1;
        loop {
            match attempt() {
                Err(Failure::Transient(_) | Failure::Unreachable(_)) if tries < self.attempts.max(1) => {
                    std::thread::sleep(delay);
                    delay = (delay * 2).min(Self::MAX_DELAY);
                    tries += 1;
                }
                Err(Failure::Transient(reason)) => {
                    return Err(Failure::Transient(format!("{reason} (after {tries} tries)")));
                }
                Err(Failure::Unreachable(reason)) => {
                    return Err(Failure::Unreachable(format!("{reason} (after {tries} tries)")));
                }
                other => return other,
            }
        }
    }
}

/// The mail server, connected per message.
pub struct Mailer {
    transport: SmtpTransport,
    server: String,
    retry: Retry,
    broken: Option<String>,
}

impl Mailer {
    /// A transport for `[smtp]`; the password is read from the environment variable it names.
    pub fn new(smtp: &Smtp) -> Result<Mailer, String> {
        let tls = match smtp.security {
            Security::None => Tls::None,
            Security::Starttls => Tls::Required(tls_parameters(smtp)?),
            Security::Tls => Tls::Wrapper(tls_parameters(smtp)?),
        };
        let timeout = Duration::from_secs(smtp.timeout_seconds.unwrap_or(30));
        let mut builder =
            SmtpTransport::builder_dangerous(smtp.host.as_str()).port(smtp.port()).tls(tls).timeout(Some(timeout));
        if let (Some(user), Some(var)) = (&smtp.username, &smtp.password_env) {
            let password = std::env::var(var).map_err(|_| {
                format!(
                    "the environment variable {var} (smtp.password_env) is not set: it must hold the password of {user}"
                )
            })?;
            builder = builder.credentials(Credentials::new(user.clone(), password));
        }
        let retry = Retry {
            attempts: smtp.attempts.unwrap_or(4),
            first_delay: Duration::from_millis(smtp.retry_delay_ms.unwrap_or(1000)),
        };
        Ok(Mailer { transport: builder.build(), server: format!("{}:{}", smtp.host, smtp.port()), retry, broken: None })
    }

    /// Sends `message` to one recipient (the envelope's; its headers may name others).
    pub fn send(&mut self, from: &Address, to: &Address, message: &[u8]) -> Result<(), Failure> {
        if let Some(reason) = &self.broken {
            return Err(Failure::Broken(format!("not tried: {reason}")));
        }
        let envelope =
            Envelope::new(Some(from.clone()), vec![to.clone()]).map_err(|e| Failure::Permanent(e.to_string()))?;
        let server = self.server.clone();
        let transport = &self.transport;
        let result =
            self.retry.run(|| transport.send_raw(&envelope, message).map(|_| ()).map_err(|e| classify(&server, &e)));
        match result {
            Err(Failure::Unreachable(reason) | Failure::Broken(reason)) => {
                self.broken = Some(reason.clone());
                Err(Failure::Broken(reason))
            }
            other => other,
        }
    }
}

fn tls_parameters(smtp: &Smtp) -> Result<TlsParameters, String> {
    let mut builder = TlsParameters::builder(smtp.host.clone());
    if let Some(path) = &smtp.ca_file {
        let pem = std::fs::read(path)
            .map_err(|e| format!("cannot read smtp.ca_file {}: {}", path.display(), crate::os::describe(&e)))?;
        let cert = Certificate::from_pem(&pem)
            .map_err(|e| format!("smtp.ca_file {} is not a PEM certificate: {e}", path.display()))?;
        builder = builder.add_root_certificate(cert);
    }
    builder.build().map_err(|e| format!("cannot set up TLS for {}: {e}", smtp.host))
}

fn classify(server: &str, e: &lettre::transport::smtp::Error) -> Failure {
    let text = crate::os::chain(e);
    if let Some(code) = e.status() {
        let code = code.to_string();
        // Authentication refused, or TLS demanded: no message will get through.
        if ["530", "534", "535", "538"].contains(&code.as_str()) {
            return Failure::Broken(format!("the mail server {server} refused the login: {text}"));
        }
        return match e.is_transient() {
            true => Failure::Transient(format!("the mail server {server} answered {text}")),
            false => Failure::Permanent(format!("the mail server {server} refused it: {text}")),
        };
    }
    // rustls' refusals (an unknown issuer, a name mismatch) come as network errors.
    let lower = text.to_lowercase();
    if e.is_tls() || ["certificate", "tls", "handshake"].iter().any(|w| lower.contains(w)) {
        return Failure::Broken(format!("TLS with the mail server {server} failed: {text}"));
    }
    if e.is_timeout() {
        return Failure::Transient(format!("the mail server {server} did not answer in time: {text}"));
    }
    if e.is_client() || e.is_response() {
        return Failure::Permanent(format!("the exchange with the mail server {server} failed: {text}"));
    }
    // A connection that could not be made or was dropped.
    Failure::Unreachable(format!("the mail server {server} could not be reached: {text}"))
}

/// Webhooks: JSON POSTs with a timeout.
pub struct Poster {
    agent: ureq::Agent,
    retry: Retry,
}

impl Poster {
    pub fn new(retry: Retry) -> Poster {
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(30)))
            .http_status_as_error(false)
            .build();
        Poster { agent: config.into(), retry }
    }

    /// POSTs `body` (JSON) to `url`.
    pub fn post(&self, url: &url::Url, body: &[u8]) -> Result<(), Failure> {
        let shown = shown_url(url);
        self.retry.run(|| {
            let response = self
                .agent
                .post(url.as_str())
                .header("content-type", "application/json")
                .header("user-agent", concat!("campaign-report/", env!("CARGO_PKG_VERSION")))
                .send(body);
            match response {
                Ok(r) if r.status().is_success() => Ok(()),
                Ok(r) => {
                    let status = r.status();
                    let reason = format!("the webhook {shown} answered HTTP {status}");
                    match status.as_u16() {
                        408 | 425 | 429 | 500..=599 => Err(Failure::Transient(reason)),
                        _ => Err(Failure::Permanent(reason)),
                    }
                }
                Err(e) => Err(Failure::Unreachable(format!(
                    "the webhook {shown} could not be reached: {}",
                    crate::os::chain(&e)
                ))),
            }
        })
    }
}

/// A webhook's address as messages show it: its origin only, because the path of a
/// chat webhook is its secret.
pub fn shown_url(url: &url::Url) -> String {
    format!("{}://{}/…", url.scheme(), url.host_str().unwrap_or(""))
        + &url.port().map(|p| format!(" (port {p})")).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transient_failures_are_tried_again_with_growing_waits_and_a_bound() {
        let retry = Retry { attempts: 3, first_delay: Duration::from_millis(1) };
        let mut tries = 0;
        let result: Result<(), Failure> = retry.run(|| {
            tries += 1;
            Err(Failure::Transient("451".into()))
        });
        assert_eq!(tries, 3);
        assert_eq!(result, Err(Failure::Transient("451 (after 3 tries)".into())));
        let mut tries = 0;
        let result = retry.run(|| {
            tries += 1;
            if tries < 2 { Err(Failure::Transient("451".into())) } else { Ok(tries) }
        });
        assert_eq!(result, Ok(2));
        let mut tries = 0;
        let result: Result<(), Failure> = retry.run(|| {
            tries += 1;
            Err(Failure::Permanent("550".into()))
        });
        assert_eq!((tries, result), (1, Err(Failure::Permanent("550".into()))));
    }

    #[test]
    fn a_webhook_is_shown_without_its_secret_path() {
        let url = url::Url::parse("https://hooks.example.com/services/T000/B000/SECRET").unwrap();
        assert_eq!(shown_url(&url), "https://hooks.example.com/…");
    }
}
