//! The small tables beside tasks and calls: upload rejects, a draft's audience preview
//! and the number pool. Their rows, not their layout: each form writes them its way.

use campaign_report::lifecycle::Status;

use crate::phone::Phone;
use crate::plan::Plan;
use crate::rng::Rng;
use crate::rows::Tally;
use crate::vocab::{CLINICS, FIRST, LAST, POOL_LABELS, REJECT_REASONS};

/// A row the upload rejected.
pub struct Reject {
    pub row: u64,
    pub reason: usize,
    pub name: usize,
    pub phone: Phone,
}

/// The rows the upload rejected (none when the campaign has no upload).
pub fn rejects(p: &Plan, names: &[String]) -> Vec<Reject> {
    let Some(count) = p.upload_rejects else { return Vec::new() };
    let mut r = Rng::new(p.seed, p.idx, 4);
    let mut row = 1;
    (0..count)
        .map(|_| {
            row += 1 + r.below(40);
            Reject {
                row,
                reason: r.below(REJECT_REASONS.len() as u64) as usize,
                name: r.below(names.len() as u64) as usize,
                phone: Phone::random(&mut r),
            }
        })
        .collect()
}

impl Reject {
    /// The raw phone column of the rejected row.
    pub fn phone_text(&self, buf: &mut String) {
        buf.clear();
        match REJECT_REASONS[self.reason].0 {
            "invalid_phone" => {
                buf.push_str("555-0");
                buf.push_str(&self.phone.as_str()[self.phone.as_str().len() - 3..]);
            }
            "missing_field" => {}
            _ => buf.push_str(self.phone.as_str()),
        }
    }
}

const PREVIEW_ROWS: u64 = 20;

/// Audience preview rows of a draft: (name, phone, last visit, clinic).
pub fn preview(p: &Plan, now: i64) -> Vec<(usize, Phone, i64, &'static str)> {
    if p.status != Status::Draft {
        return Vec::new();
    }
    let mut r = Rng::new(p.seed, p.idx, 5);
    (0..PREVIEW_ROWS)
        .map(|_| {
            let name = r.below((FIRST.len() * LAST.len()) as u64) as usize;
            let phone = Phone::random(&mut r);
            let visit = now - 86_400 * (200 + r.below(400) as i64);
            (name, phone, visit, CLINICS[r.below(3) as usize])
        })
        .collect()
}

/// The number pool: (number, attempts, answered, flagged, label) per from number.
pub fn pool_rows<'a>(
    p: &'a Plan,
    tally: &'a Tally,
) -> impl Iterator<Item = (&'a str, u64, u64, bool, &'static str)> + 'a {
    p.from
        .iter()
        .enumerate()
        .map(|(k, n)| (n.as_str(), tally.pool[k].0, tally.pool[k].1, p.flagged == Some(k), POOL_LABELS[k]))
}
