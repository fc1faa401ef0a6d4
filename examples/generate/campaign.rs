//! The campaign object (`campaign.json`, or one entry of `campaigns.json` /
//! `campaigns.jsonl`) up to its inline tables: identity, tenant, status and dates,
//! config, `stats`, dispatch, latency, upload and audience preview.

use campaign_report::lifecycle::{Layout, Status};
use campaign_report::model::TaskStatus;

use crate::line::{Line, civil_from_days};
use crate::options::Options;
use crate::plan::Plan;
use crate::rng::Rng;
use crate::tables::{preview, rejects};
use crate::vocab::{REJECT_REASONS, VOICES};

/// Writes the campaign object up to its tables; the caller adds the inline tables and `}`.
pub fn campaign_head(
    l: &mut Line,
    o: &Options,
    p: &Plan,
    counts: &[u64; 7],
    names: &[String],
    inline: bool,
    pretty: bool,
) {
    let sep = if pretty { ",\n  " } else { "," };
    let day = |d: i64, h: i64, m: i64| d * 86_400 + h * 3600 + m * 60;
    let mut r = Rng::new(p.seed, p.idx, 6);
    let status = p.status.clone();
    l.s(if pretty { "{\n  " } else { "{" }).s("\"schema_version\":1");
    l.s(sep).s("\"id\":").js(&p.id);
    l.s(sep).s("\"name\":").js(&p.name);
    l.s(sep).s("\"tenant\":{\"id\":").js(&o.tenant).s(",\"name\":").js(&o.tenant_name).s("}");
    l.s(sep).s("\"status\":").js(status.word());
    let reason = match &status {
        Status::Failed => Some("Carrier outage: the SIP trunk rejected every call for two hours"),
        Status::Cancelled => Some("Cancelled by the clinic: the offer ended early"),
        Status::Paused => Some("Paused by the operator for the holiday"),
        _ => None,
    };
    if let Some(reason) = reason {
        l.s(sep).s("\"status_reason\":").js(reason);
    }
    let desc = format!(
        "Call everyone on the **{}** list about *{}*.\n\n- Offer the first free slot\n- Log the outcome after every call\n",
        p.id, p.theme
    );
    l.s(sep).s("\"description_md\":").js(&desc);
    let (created, updated) = match &status {
        Status::Draft | Status::Scheduled => (o.now - 86_400 * (3 + (p.idx % 7) as i64), o.now - 3600),
        Status::Running => (day(p.start_day - 10, 15, 0), o.now - 60),
        Status::Paused => (day(p.start_day - 10, 15, 0), day(p.end_day + 1, 15, 0)),
        _ => (day(p.start_day - 10, 15, 0), day(p.end_day, 23, 35)),
    };
    l.s(sep).s("\"created_at\":\"").ts(created).s("\"");
    l.s(sep).s("\"updated_at\":\"").ts(updated).s("\"");
    if p.draft_complete {
        l.s(sep).s("\"scheduled_start_at\":\"").ts(day(p.start_day, 14, 0)).s("\"");
    }
    if !matches!(status, Status::Draft | Status::Scheduled) {
        l.s(sep).s("\"started_at\":\"").ts(day(p.start_day, 14, 0) + 2).s("\"");
    }
    if status == Status::Paused {
        l.s(sep).s("\"paused_at\":\"").ts(day(p.end_day + 1, 15, 0)).s("\"");
    }
    if status.layout() == Layout::Ended {
        l.s(sep).s("\"ended_at\":\"").ts(day(p.end_day, 23, 30)).s("\"");
    }
    l.s(sep).s("\"timezone\":").js(p.timezone);

    // config
    l.s(sep).s("\"config\":{\"agent\":{\"name\":").js(&format!("{} agent", p.theme));
    l.s(",\"voice\":").js(VOICES[p.idx as usize % VOICES.len()]);
    l.s(",\"script_md\":").js(&format!("Hello {{{{contact_name}}}}, this is **{}** calling.", o.tenant_name));
    l.s("},\"from_numbers\":[");
    for (k, n) in p.from.iter().enumerate() {
        l.s(if k > 0 { "," } else { "" }).js(n);
    }
    l.s("]");
    if p.draft_complete {
        let days = if p.idx.is_multiple_of(2) {
            "[\"mon\",\"tue\",\"wed\",\"thu\",\"fri\"]"
        } else {
            "[\"mon\",\"tue\",\"wed\",\"thu\",\"fri\",\"sat\"]"
        };
        l.s(",\"calling_window\":{\"days\":").s(days).s(",\"start\":\"09:00\",\"end\":\"19:00\"}");
    }
    l.s(",\"max_attempts\":4,\"retry_interval_minutes\":").u(p.retry_minutes);
    l.s(",\"concurrency\":").u(p.concurrency);
    let list = format!("{}-{}.csv", p.id, p.theme.split(' ').next().unwrap_or("list").to_ascii_lowercase());
    if p.upload_rejects.is_some() {
        l.s(",\"audience\":{\"source\":\"csv_upload\"");
    } else {
        l.s(",\"audience\":{\"source\":\"crm_segment\"");
    }
    let size = if status == Status::Draft { o.tasks } else { p.tasks };
    if p.draft_complete {
        l.s(",\"size\":").u(size);
    }
    l.s(",\"list_name\":").js(&list).s("}");
    l.s(",\"goal_outcomes\":[\"booked\",\"callback_booked\"]}");

    if p.tasks > 0 {
        l.s(sep).s("\"stats\":{\"total\":").u(p.tasks);
        for s in TaskStatus::ALL {
            l.s(",").js(s.as_str()).s(":").u(counts[*s as usize]);
        }
        l.s("}");
    }
    if status.layout() == Layout::Active {
        let running = status == Status::Running;
        l.s(sep).s("\"dispatch\":{\"queued\":").u(counts[TaskStatus::Queued as usize]);
        l.s(",\"in_flight\":").u(counts[TaskStatus::InProgress as usize]);
        let (sent, errors) = if running { (10 + r.below(200), r.below(6)) } else { (0, 0) };
        l.s(",\"dispatched_last_hour\":").u(sent).s(",\"errors_last_hour\":").u(errors);
        match &status {
            Status::Running => {
                l.s(",\"last_dispatch_at\":\"").ts(o.now - 30 - r.below(600) as i64).s("\"");
            }
            Status::Paused => {
                l.s(",\"last_dispatch_at\":\"").ts(day(p.end_day + 1, 14, 58)).s("\"");
            }
            _ => {}
        }
        l.s(",\"concurrency_limit\":").u(p.concurrency);
        if status != Status::Scheduled {
            l.s(",\"errors_by_reason\":{\"carrier_rejected\":").u(errors + r.below(30));
            l.s(",\"rate_limited\":").u(r.below(10)).s("}");
        }
        l.s("}");
    }
    if !matches!(status, Status::Draft | Status::Scheduled) {
        let p50 = 900 + r.below(600);
        l.s(sep).s("\"latency\":{\"p50_ms\":").u(p50).s(",\"p95_ms\":").u(p50 * 2 + r.below(900));
        l.s(",\"time_to_first_word_ms\":").u(p50 + 200 + r.below(300));
        l.s(",\"post_dial_delay_ms\":").u(2500 + r.below(1500)).s("}");
    }
    if p.upload_rejects.is_some() {
        let rej = rejects(p, names);
        let dup = rej.iter().filter(|x| REJECT_REASONS[x.reason].0 == "duplicate").count() as u64;
        let accepted = if status == Status::Draft { o.tasks } else { p.tasks };
        l.s(sep).s("\"upload\":{\"id\":\"upl-").s(&p.id).s("\",\"file_name\":").js(&list);
        l.s(",\"status\":\"completed\",\"uploaded_at\":\"").ts(created + 1800).s("\"");
        l.s(",\"rows_total\":").u(accepted + rej.len() as u64).s(",\"rows_accepted\":").u(accepted);
        l.s(",\"rows_rejected\":").u(rej.len() as u64).s(",\"rows_duplicate\":").u(dup);
        if inline {
            l.s(",\"rejects\":[");
            let mut phone = String::new();
            for (k, x) in rej.iter().enumerate() {
                let (reason, detail) = REJECT_REASONS[x.reason];
                x.phone_text(&mut phone);
                l.s(if k > 0 { "," } else { "" }).s("{\"row\":").u(x.row).s(",\"reason\":").js(reason);
                l.s(",\"detail\":").js(detail).s(",\"contact_name\":").js(&names[x.name]);
                l.s(",\"phone\":").js(&phone).s(",\"source\":\"crm-export\"}");
            }
            l.s("]");
        }
        l.s("}");
    }
    if inline && status == Status::Draft {
        l.s(sep).s("\"audience_preview\":[");
        for (k, (name, phone, visit, clinic)) in preview(p, o.now).iter().enumerate() {
            l.s(if k > 0 { "," } else { "" }).s("{\"contact_name\":").js(&names[*name]);
            l.s(",\"phone\":\"").s(phone.as_str()).s("\",\"last_visit\":\"");
            let (y, m, d) = civil_from_days(visit.div_euclid(86_400));
            l.pad(y as u64, 4).s("-").pad(m, 2).s("-").pad(d, 2).s("\",\"clinic\":").js(clinic).s("}");
        }
        l.s("]");
    }
}
