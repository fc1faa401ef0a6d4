//! `deliver`: sends each subscription the PDFs of a snapshot that `build` wrote, to
//! the recipients they are meant for, once per change (docs/delivery.md).
//!
//! Safe by construction: a subscription is refused unless the snapshot was built for
//! its tenant, role and redaction, so nobody is mailed what their role may not see.
//! Each recipient gets their own copy (one SMTP transaction per recipient), so a
//! recipient the server refuses is tried again next run without anyone else being
//! sent anything twice. It reads the snapshot and writes only the delivery record
//! (or, with `--dry-run`, `.eml` files): it holds the snapshot folder's lock so a
//! build never changes the PDFs while they are sent.

pub mod message;
pub mod record;
pub mod snapshot;
pub mod subscriptions;
pub mod transport;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use jiff::Timestamp;
use lettre::Address;
use lettre::message::Mailbox;

use crate::output::{FolderLock, OutputError};
use crate::render::mail::{MailRenderer, TemplateError};
use message::{Draft, Headline, Setting};
use record::{Delivered, Record, RecordError};
use snapshot::{Campaign, Snapshot, SnapshotError};
use subscriptions::{ConfigError, Mode, Send, Subscription, Subscriptions};
use transport::{Failure, Mailer, Poster, Retry};

/// What `deliver` is asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    /// The snapshot folder `build` wrote (`--out`).
    pub out: PathBuf,
    pub subscriptions: PathBuf,
    /// The delivery record (default: beside the subscriptions file).
    pub state: Option<PathBuf>,
    /// Write the messages as `.eml` files here instead of sending them.
    pub dry_run: Option<PathBuf>,
    pub templates: Option<PathBuf>,
    pub wait_lock: Duration,
}

/// A problem that stops `deliver` before anything is sent (exit status 2).
#[derive(Debug, thiserror::Error)]
pub enum DeliverError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
    #[error(transparent)]
    Record(#[from] RecordError),
    #[error(transparent)]
    Template(#[from] TemplateError),
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error(
        "{what} {} is inside the snapshot folder {}, which may be published; it names recipients: put it elsewhere{hint}",
        path.display(),
        out.display()
    )]
    InsideSnapshot { what: &'static str, path: PathBuf, out: PathBuf, hint: &'static str },
    #[error("cannot write {}: {}", path.display(), crate::os::describe(cause))]
    Write { path: PathBuf, cause: std::io::Error },
}

/// What a run did.
#[derive(Debug, Default)]
pub struct Report {
    pub notes: Vec<String>,
    pub problems: Vec<String>,
    /// Messages (and webhook calls) delivered, or written with `--dry-run`.
    pub sent: usize,
    /// Campaign × recipient pairs not sent because the recipient already has that PDF.
    pub unchanged: usize,
    /// Messages that could not be delivered.
    pub failed: usize,
}

/// The default delivery record of a subscriptions file: `subs.toml` → `subs.delivered.json`.
pub fn default_state(subscriptions: &Path) -> PathBuf {
    let stem = subscriptions.file_stem().map_or_else(|| "subscriptions".into(), |s| s.to_string_lossy().into_owned());
    subscriptions.with_file_name(format!("{stem}.delivered.json"))
}

/// Runs `deliver`.
pub fn run(options: &Options) -> Result<Report, DeliverError> {
    let subs = subscriptions::load(&options.subscriptions)?;
    let state = options.state.clone().unwrap_or_else(|| default_state(&options.subscriptions));
    refuse_inside(&options.out, &state, "the delivery record", " with --state FILE")?;
    if let Some(dir) = &options.dry_run {
        refuse_inside(&options.out, dir, "--dry-run", "")?;
    }
    let renderer = MailRenderer::new(options.templates.as_deref())?;
    let mut report = Report { notes: renderer.notes().to_vec(), ..Report::default() };

    if !options.out.is_dir() {
        return Err(SnapshotError::Missing(options.out.clone()).into());
    }
    // A build never changes the snapshot while it is sent, and two deliveries sharing
    // a record never interleave.
    let _snapshot_lock = FolderLock::acquire(&options.out, options.wait_lock)?;
    let record_folder = state.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let _record_lock = match options.dry_run {
        None => Some(FolderLock::acquire(record_folder, options.wait_lock)?),
        Some(_) => None,
    };
    let snapshots = snapshot::load_all(&options.out)?;
    let record = Record::load(&state)?;

    let mut run = Run {
        subs: &subs,
        renderer: &renderer,
        record,
        dry_run: options.dry_run.clone(),
        mailer: None,
        poster: None,
        saved_at: Instant::now(),
        report: &mut report,
    };
    for subscription in &subs.subscriptions {
        run.subscription(subscription, &snapshots)?;
    }
    if run.dry_run.is_none() {
        run.record.save()?;
    }
    Ok(report)
}

fn refuse_inside(out: &Path, path: &Path, what: &'static str, hint: &'static str) -> Result<(), DeliverError> {
    let Ok(out_real) = std::fs::canonicalize(out) else { return Ok(()) };
    // The path itself may not exist yet: its nearest existing folder decides.
    let mut probe = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let real = loop {
        if let Ok(real) = std::fs::canonicalize(&probe) {
            break real;
        }
        if !probe.pop() {
            return Ok(());
        }
    };
    if real.starts_with(&out_real) {
        return Err(DeliverError::InsideSnapshot { what, path: path.to_path_buf(), out: out.to_path_buf(), hint });
    }
    Ok(())
}

/// One run's state across subscriptions.
struct Run<'a> {
    subs: &'a Subscriptions,
    renderer: &'a MailRenderer,
    record: Record,
    dry_run: Option<PathBuf>,
    /// Started when the first message is due; `Err` when it cannot start.
    mailer: Option<Result<Mailer, String>>,
    poster: Option<Poster>,
    saved_at: Instant,
    report: &'a mut Report,
}

/// Where one message goes.
enum Target<'a> {
    Mail(&'a Mailbox),
    Webhook(&'a url::Url),
}

impl Target<'_> {
    /// The key of the delivery record: the address, or the webhook's host and a digest
    /// of its URL (a chat webhook's URL is its secret, so it is not written).
    fn key(&self) -> String {
        match self {
            Target::Mail(m) => m.email.to_string().to_lowercase(),
            Target::Webhook(url) => {
                let digest = crate::output::sha256_hex(url.as_str().as_bytes());
                format!("webhook {} {}", url.host_str().unwrap_or(""), &digest[..12])
            }
        }
    }

    fn shown(&self) -> String {
        match self {
            Target::Mail(m) => m.email.to_string(),
            Target::Webhook(url) => transport::shown_url(url),
        }
    }
}

impl Run<'_> {
    fn subscription(&mut self, sub: &Subscription, snapshots: &BTreeMap<String, Snapshot>) -> Result<(), DeliverError> {
        let name = &sub.name;
        let Some(snapshot) = snapshots.get(&sub.tenant) else {
            let held: Vec<&str> = snapshots.keys().map(String::as_str).collect();
            self.problem(format!(
                "subscription {name:?} refused: the snapshot holds no campaigns of tenant {:?} (it holds {})",
                sub.tenant,
                held.join(", ")
            ));
            return Ok(());
        };
        let built = &snapshot.manifest.built_with;
        if built.role != sub.role {
            self.problem(format!(
                "subscription {name:?} refused: it is for role {:?}, but the snapshot of {} was built for role {:?}; \
                 build a snapshot with --role {} for it",
                sub.role, sub.tenant, built.role, sub.role
            ));
            return Ok(());
        }
        if built.redact != sub.redact {
            let said =
                |r: &Option<String>| r.as_deref().map_or("not redacted".to_string(), |r| format!("redact = {r:?}"));
            self.problem(format!(
                "subscription {name:?} refused: it asks for {}, but the snapshot of {} is {}",
                said(&sub.redact),
                sub.tenant,
                said(&built.redact)
            ));
            return Ok(());
        }

        // The campaigns the filters select, each read once (PDF checked against the manifest).
        for id in &snapshot.manifest.failed {
            if sub.campaigns.as_ref().is_none_or(|g| g.iter().any(|g| g.matches(id))) {
                self.report
                    .notes
                    .push(format!("subscription {name:?}: campaign {id} is not sent: its last build failed"));
            }
        }
        let mut campaigns: Vec<Campaign> = Vec::new();
        for record in &snapshot.manifest.campaigns {
            if !sub.selects(&record.id, &record.status, record.layout) {
                continue;
            }
            match snapshot.campaign(record) {
                Ok(c) => campaigns.push(c),
                Err(e) => self.problem(format!("subscription {name:?}: campaign {} is not sent: {e}", record.id)),
            }
        }
        if campaigns.is_empty() {
            self.report.notes.push(format!("subscription {name:?}: no campaign of the snapshot matches its filters"));
            return Ok(());
        }

        let timezone = sub.timezone.as_ref().unwrap_or(&built.timezone);
        let tenant = snapshot.manifest.tenant.name.to_string();
        let setting = Setting {
            zone: timezone.zone(),
            zone_name: timezone.as_str(),
            tenant: &tenant,
            app_url: built.app_url.as_deref(),
            generated_at: snapshot.manifest.generated_at.parse().ok(),
        };
        let headlines: Vec<Headline> = campaigns.iter().map(|c| message::headline(c, &setting)).collect();

        let targets: Vec<Target> = match &sub.webhook {
            Some(url) => vec![Target::Webhook(url)],
            None => sub.recipients().into_iter().map(Target::Mail).collect(),
        };
        for target in &targets {
            let key = target.key();
            let due: Vec<usize> = (0..campaigns.len())
                .filter(|&i| sub.send == Send::Always || self.changed(name, &key, &campaigns[i]))
                .collect();
            self.report.unchanged += campaigns.len() - due.len();
            if due.is_empty() {
                continue;
            }
            match sub.mode {
                Mode::PerCampaign => {
                    for &i in &due {
                        self.deliver(sub, &setting, target, &[i], &campaigns, &headlines)?;
                    }
                }
                Mode::Digest => self.deliver(sub, &setting, target, &due, &campaigns, &headlines)?,
            }
        }
        Ok(())
    }

    /// Whether `campaign` changed since `recipient` was last sent it: its PDF differs,
    /// and not only by the snapshot time (an Active campaign is rebuilt by every build
    /// without `--now`; its `content_key` says whether anything but the clock changed).
    fn changed(&self, subscription: &str, recipient: &str, campaign: &Campaign) -> bool {
        let Some(last) = self.record.last(subscription, recipient, &campaign.record.id) else { return true };
        if last.pdf_sha256 == campaign.pdf_sha256 {
            return false;
        }
        !(last.content_key.is_some() && last.content_key == campaign.record.content_key)
    }

    fn problem(&mut self, text: String) {
        self.report.problems.push(text);
    }

    /// Builds and sends one message (one campaign, or a digest of several) to `target`,
    /// and records the outcome for each campaign in it.
    fn deliver(
        &mut self,
        sub: &Subscription,
        setting: &Setting,
        target: &Target,
        which: &[usize],
        campaigns: &[Campaign],
        headlines: &[Headline],
    ) -> Result<(), DeliverError> {
        let key = target.key();
        let ids: Vec<(&str, &str)> =
            which.iter().map(|&i| (campaigns[i].record.id.as_str(), campaigns[i].pdf_sha256.as_str())).collect();
        let content_keys: Vec<Option<String>> =
            which.iter().map(|&i| campaigns[i].record.content_key.clone()).collect();
        let domain = self.domain();
        let message_id = message::message_id(&sub.name, &key, &ids, &domain);
        let cap = sub.attachment_cap();
        let draft = if let [i] = which
            && sub.mode == Mode::PerCampaign
        {
            message::campaign_message(
                self.renderer,
                &sub.name,
                setting,
                headlines[*i].clone(),
                &campaigns[*i].pdf,
                cap,
                message_id.clone(),
            )?
        } else {
            let pdfs: Vec<&[u8]> = which.iter().map(|&i| campaigns[i].pdf.as_slice()).collect();
            let chosen: Vec<Headline> = which.iter().map(|&i| headlines[i].clone()).collect();
            message::digest_message(self.renderer, &sub.name, setting, chosen, &pdfs, cap, message_id.clone())?
        };
        let (what, stem) = match (sub.mode, which) {
            (Mode::PerCampaign, [i]) => {
                (format!("campaign {}", campaigns[*i].record.id), campaigns[*i].record.id.clone())
            }
            _ => (format!("a digest of {} campaigns", which.len()), "digest".to_string()),
        };

        let outcome = match target {
            Target::Mail(to) => self.mail(sub, to, &draft, &stem),
            Target::Webhook(url) => {
                let chosen: Vec<&Headline> = which.iter().map(|&i| &headlines[i]).collect();
                self.webhook(sub, setting, url, &draft, &chosen, &stem)
            }
        };
        let now = Timestamp::now().round(jiff::Unit::Second).unwrap_or_else(|_| Timestamp::now()).to_string();
        match outcome {
            Ok(()) => {
                self.report.sent += 1;
                if self.dry_run.is_none() {
                    for ((id, sha), content_key) in ids.iter().zip(content_keys) {
                        let delivered = Delivered {
                            pdf_sha256: sha.to_string(),
                            content_key,
                            message_id: message_id.clone(),
                            at: now.clone(),
                        };
                        self.record.delivered(&sub.name, &key, id, delivered);
                    }
                    self.save_now_and_then()?;
                }
            }
            Err(failure) => {
                self.report.failed += 1;
                self.problem(format!(
                    "subscription {:?}: {what} to {}: {}",
                    sub.name,
                    target.shown(),
                    failure.reason()
                ));
                // A permanent refusal is worth remembering; a server that could not be
                // reached leaves the record as it was.
                if let Failure::Permanent(reason) = &failure {
                    for (id, sha) in &ids {
                        let failed =
                            record::Failure { pdf_sha256: sha.to_string(), at: now.clone(), reason: reason.clone() };
                        self.record.failed(&sub.name, &key, id, failed);
                    }
                }
            }
        }
        Ok(())
    }

    /// The Message-ID's domain: the sender's.
    fn domain(&self) -> String {
        self.subs.smtp.as_ref().map_or_else(|| "campaign-report.invalid".into(), |s| s.from.email.domain().to_string())
    }

    fn mail(&mut self, sub: &Subscription, to: &Mailbox, draft: &Draft, stem: &str) -> Result<(), Failure> {
        let from = match &self.subs.smtp {
            Some(smtp) => smtp.from.clone(),
            None => return Err(Failure::Broken("the subscriptions file has no [smtp] table".into())),
        };
        let bytes =
            message::mime(draft, &from, &sub.to, &sub.cc, std::time::SystemTime::now()).map_err(Failure::Permanent)?;
        if let Some(dir) = &self.dry_run {
            let name = format!("{}--{}.eml", safe(stem), safe(to.email.as_ref()));
            return write_dry(dir, &sub.name, &name, &bytes);
        }
        let mailer = self
            .mailer
            .get_or_insert_with(|| Mailer::new(self.subs.smtp.as_ref().expect("checked above")))
            .as_mut()
            .map_err(|reason| Failure::Broken(reason.clone()))?;
        let from_address: Address = from.email.clone();
        let to_address: Address = to.email.clone();
        mailer.send(&from_address, &to_address, &bytes)
    }

    fn webhook(
        &mut self,
        sub: &Subscription,
        setting: &Setting,
        url: &url::Url,
        draft: &Draft,
        campaigns: &[&Headline],
        stem: &str,
    ) -> Result<(), Failure> {
        let body = serde_json::json!({
            "subscription": sub.name,
            "tenant": setting.tenant,
            "timezone": setting.zone_name,
            "message_id": draft.message_id,
            "subject": draft.subject,
            "text": draft.bodies.text,
            "campaigns": campaigns,
        });
        let bytes = serde_json::to_vec_pretty(&body).expect("JSON serialises");
        if let Some(dir) = &self.dry_run {
            let name = format!("{}--webhook.json", safe(stem));
            return write_dry(dir, &sub.name, &name, &bytes);
        }
        let retry =
            self.subs.smtp.as_ref().map_or(Retry { attempts: 4, first_delay: Duration::from_secs(1) }, |s| Retry {
                attempts: s.attempts.unwrap_or(4),
                first_delay: Duration::from_millis(s.retry_delay_ms.unwrap_or(1000)),
            });
        self.poster.get_or_insert_with(|| Poster::new(retry)).post(url, &bytes)
    }
}

/// Writes one message of `--dry-run` as `DIR/<subscription>/<name>`.
fn write_dry(dir: &Path, subscription: &str, name: &str, bytes: &[u8]) -> Result<(), Failure> {
    let folder = dir.join(safe(subscription));
    std::fs::create_dir_all(&folder).and_then(|_| std::fs::write(folder.join(name), bytes)).map_err(|e| {
        Failure::Broken(format!("cannot write {}: {}", folder.join(name).display(), crate::os::describe(&e)))
    })
}

impl Run<'_> {
    /// Saves the record at most once a second while messages go out (and once at the
    /// end of the run), so a killed run re-sends at most the last second's messages.
    fn save_now_and_then(&mut self) -> Result<(), DeliverError> {
        if self.saved_at.elapsed() >= Duration::from_secs(1) {
            self.record.save()?;
            self.saved_at = Instant::now();
        }
        Ok(())
    }
}

/// A file name made of letters, digits, `-`, `_`, `.` and `@`.
fn safe(text: &str) -> String {
    text.chars().map(|c| if c.is_ascii_alphanumeric() || "-_.@".contains(c) { c } else { '_' }).collect()
}
