//! What a message says: the headline of each campaign (status, data time, progress
//! or funnel, warnings, a deep link), its subject, its Message-ID, and the MIME
//! message itself.
//!
//! Only figures a snapshot already shows its role are used (the pages' progress and
//! key figure, `summary.json`'s funnel, readiness and dispatch), and never a latency:
//! a message can hold nothing its snapshot's pages do not.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::snapshot::Campaign;
use crate::lifecycle::Layout;
use crate::output::hex;
use crate::render::mail::{Bodies, MailRenderer, TemplateError};
use crate::text::format;

/// One line of figures.
#[derive(Debug, Clone, Serialize)]
pub struct Fact {
    pub label: String,
    pub value: String,
}

/// A campaign as a message shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Headline {
    pub id: String,
    pub name: String,
    pub status: String,
    pub layout: Layout,
    pub data_as_of: String,
    pub stale: bool,
    pub figures: Vec<Fact>,
    pub warnings: Vec<String>,
    /// The campaign in the app, when the workspace has an `app_url`.
    pub link: Option<String>,
    /// The attachment's file name, or null when the PDF was left out.
    pub attached: Option<String>,
    /// Why the PDF is not attached (empty when it is).
    pub left_out: String,
    /// SHA-256 of the campaign's PDF.
    pub pdf_sha256: String,
}

/// Where and how times are shown, and the snapshot's facts every message shares.
pub struct Setting<'a> {
    pub zone: TimeZone,
    pub zone_name: &'a str,
    pub tenant: &'a str,
    pub app_url: Option<&'a str>,
    /// The snapshot's time, when a campaign states no data time.
    pub generated_at: Option<Timestamp>,
}

/// The headline of `campaign`.
pub fn headline(campaign: &Campaign, setting: &Setting) -> Headline {
    let entry = &campaign.record.entry;
    let summary = &campaign.summary;
    let fact = |label: &str, value: String| Fact { label: label.into(), value };
    let mut figures = Vec::new();
    match &summary.progress {
        Some(p) => figures.push(fact(
            "Progress",
            format!(
                "{} of {} tasks done ({})",
                format::thousands(p.done),
                format::thousands(p.total),
                format::percent(p.percent)
            ),
        )),
        None if entry.progress != "—" => figures.push(fact("Progress", entry.progress.clone())),
        None => {}
    }
    match campaign.record.layout {
        Layout::Draft => {
            figures.push(fact("Readiness", entry.key_figure.clone()));
            for check in summary.readiness.iter().flatten().filter(|c| !c.ok) {
                figures.push(fact(&format!("Not ready: {}", format::words(&check.check)), check.detail.clone()));
            }
        }
        Layout::Active => {
            match &summary.dispatch {
                Some(d) => figures.push(fact("Dispatch", format::words(&d.verdict))),
                None => figures.push(fact("In short", entry.key_figure.clone())),
            }
            if let Some(finish) = summary.pace.as_ref().and_then(|p| p.estimated_finish) {
                figures.push(fact("Estimated finish", format::time(finish, &setting.zone)));
            }
        }
        Layout::Ended => {
            figures.push(fact("Result", entry.key_figure.clone()));
            for stage in summary.funnel.iter().flatten() {
                figures.push(fact(&format::label(&stage.stage), format::thousands(stage.count)));
            }
        }
    }
    let data_time = summary.data_as_of.or(setting.generated_at);
    Headline {
        id: campaign.record.id.clone(),
        name: campaign.record.name.clone(),
        status: entry.status.clone(),
        layout: campaign.record.layout,
        data_as_of: format::time_or_dash(data_time, &setting.zone),
        stale: summary.data_stale,
        figures,
        warnings: summary.warnings.clone(),
        link: setting.app_url.map(|base| format!("{}/campaigns/{}", base.trim_end_matches('/'), campaign.record.id)),
        attached: Some(pdf_name(&campaign.record.id)),
        left_out: String::new(),
        pdf_sha256: campaign.pdf_sha256.clone(),
    }
}

/// The attachment's file name.
pub fn pdf_name(id: &str) -> String {
    format!("{id}.pdf")
}

/// A message ready to send: its headers' facts, its bodies and its attachments.
pub struct Draft {
    pub subject: String,
    pub message_id: String,
    pub bodies: Bodies,
    pub attachments: Vec<(String, Vec<u8>)>,
}

#[derive(Serialize)]
struct CampaignContext<'a> {
    tenant: &'a str,
    subscription: &'a str,
    timezone: &'a str,
    campaign: &'a Headline,
}

#[derive(Serialize)]
struct DigestContext<'a> {
    tenant: &'a str,
    subscription: &'a str,
    timezone: &'a str,
    summary: String,
    campaigns: &'a [Headline],
}

/// The Message-ID of what `recipient` of `subscription` is sent: derived from the
/// subscription, the campaigns and their PDFs' digests, and the recipient, so a
/// message sent twice (the tool died between the server's acceptance and the record)
/// carries the same id and mail clients can tell it is a duplicate.
pub fn message_id(subscription: &str, recipient: &str, campaigns: &[(&str, &str)], domain: &str) -> String {
    let mut digest = Sha256::new();
    for part in [subscription, recipient] {
        digest.update(part.as_bytes());
        digest.update([0]);
    }
    for (id, sha) in campaigns {
        digest.update(id.as_bytes());
        digest.update([0]);
        digest.update(sha.as_bytes());
        digest.update([0]);
    }
    format!("<{}.campaign-report@{domain}>", &hex(&digest.finalize())[..32])
}

/// A message about one campaign.
pub fn campaign_message(
    renderer: &MailRenderer,
    subscription: &str,
    setting: &Setting,
    mut headline: Headline,
    pdf: &[u8],
    cap: u64,
    message_id: String,
) -> Result<Draft, TemplateError> {
    let mut attachments = Vec::new();
    if pdf.len() as u64 <= cap {
        attachments.push((pdf_name(&headline.id), pdf.to_vec()));
    } else {
        headline.attached = None;
        headline.left_out = too_big(pdf.len() as u64, cap, headline.link.is_some());
    }
    let context =
        CampaignContext { tenant: setting.tenant, subscription, timezone: setting.zone_name, campaign: &headline };
    let bodies = renderer.render("campaign", &context)?;
    let subject = format!("{}: {} ({})", headline.name, headline.status, setting.tenant);
    Ok(Draft { subject, message_id, bodies, attachments })
}

/// One message listing several campaigns, their PDFs attached in order while they fit under `cap`.
pub fn digest_message(
    renderer: &MailRenderer,
    subscription: &str,
    setting: &Setting,
    mut headlines: Vec<Headline>,
    pdfs: &[&[u8]],
    cap: u64,
    message_id: String,
) -> Result<Draft, TemplateError> {
    let mut attachments = Vec::new();
    let mut total = 0u64;
    for (headline, pdf) in headlines.iter_mut().zip(pdfs) {
        let size = pdf.len() as u64;
        if total + size <= cap {
            total += size;
            attachments.push((pdf_name(&headline.id), pdf.to_vec()));
        } else {
            headline.attached = None;
            headline.left_out = format!(
                "Its PDF ({}) is not attached: the message would pass its {} limit for attachments.{}",
                megabytes(size),
                megabytes(cap),
                if headline.link.is_some() { " Open it in the app." } else { "" }
            );
        }
    }
    let n = headlines.len();
    let summary = match n {
        1 => "1 campaign report".to_string(),
        n => format!("{n} campaign reports"),
    };
    let left_out = headlines.iter().filter(|h| h.attached.is_none()).count();
    let summary = match left_out {
        0 => summary,
        k => format!("{summary} ({k} PDF{} not attached, see below)", if k == 1 { "" } else { "s" }),
    };
    let context = DigestContext {
        tenant: setting.tenant,
        subscription,
        timezone: setting.zone_name,
        summary: summary.clone(),
        campaigns: &headlines,
    };
    let bodies = renderer.render("digest", &context)?;
    let subject = format!("{}: {summary}", setting.tenant);
    Ok(Draft { subject, message_id, bodies, attachments })
}

fn too_big(size: u64, cap: u64, linked: bool) -> String {
    format!(
        "The PDF ({}) is not attached: it is larger than the {} limit for attachments.{}",
        megabytes(size),
        megabytes(cap),
        if linked { " Open it in the app." } else { "" }
    )
}

/// `2.4 MB`.
fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1_000_000.0)
}

/// The RFC 5322 message: `to` and `cc` in its headers (Bcc never is), a text and an
/// HTML part, the PDFs attached.
pub fn mime(
    draft: &Draft,
    from: &Mailbox,
    to: &[Mailbox],
    cc: &[Mailbox],
    date: std::time::SystemTime,
) -> Result<Vec<u8>, String> {
    let mut builder = lettre::Message::builder()
        .from(from.clone())
        .subject(draft.subject.clone())
        .message_id(Some(draft.message_id.clone()))
        .date(date);
    for m in to {
        builder = builder.to(m.clone());
    }
    for m in cc {
        builder = builder.cc(m.clone());
    }
    let alternative = MultiPart::alternative()
        .singlepart(SinglePart::plain(draft.bodies.text.clone()))
        .singlepart(SinglePart::html(draft.bodies.html.clone()));
    let mut mixed = MultiPart::mixed().multipart(alternative);
    let pdf = ContentType::parse("application/pdf").expect("a valid content type");
    for (name, bytes) in &draft.attachments {
        mixed = mixed.singlepart(Attachment::new(name.clone()).body(bytes.clone(), pdf.clone()));
    }
    let mut message = builder.multipart(mixed).map_err(|e| e.to_string())?;
    // An automatic message (RFC 3834): auto-responders do not answer it.
    message
        .headers_mut()
        .insert_raw(HeaderValue::new(HeaderName::new_from_ascii_str("Auto-Submitted"), "auto-generated".to_string()));
    Ok(message.formatted())
}
