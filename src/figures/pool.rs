//! Number pool health: per from-number attempts, answers and a verdict (docs/export-format.md).

use std::collections::BTreeMap;

use serde::Serialize;

use super::{CallCounts, TaskCounts};
use crate::model::{Campaign, PoolNumber, Workspace, word_enum};

word_enum! {
    /// Health verdict of one number.
    Health {
        Ok = "ok",
        LowAnswerRate = "low_answer_rate",
        Flagged = "flagged",
    }
}

/// One number of the pool.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PoolRow {
    pub number: String,
    pub attempts: Option<u64>,
    pub answered: Option<u64>,
    pub answer_rate: Option<f64>,
    pub health: Health,
    /// The app's label for the number, from the `number_pool` table.
    #[serde(skip)]
    pub label: Option<String>,
}

/// The pool rows: configured numbers in config order, then the others seen in the data in order.
pub(super) fn rows(
    campaign: &Campaign,
    workspace: &Workspace,
    tasks: Option<&TaskCounts>,
    calls: Option<&CallCounts>,
    pool: Option<&[PoolNumber]>,
) -> Vec<PoolRow> {
    let mut numbers: Vec<String> = Vec::new();
    for n in campaign.config.from_numbers.iter().flatten() {
        if !numbers.iter().any(|x| x == n.as_str()) {
            numbers.push(n.to_string());
        }
    }
    let mut seen: Vec<&str> = Vec::new();
    seen.extend(tasks.iter().flat_map(|t| t.numbers.iter().map(String::as_str)));
    seen.extend(calls.iter().flat_map(|c| c.per_number.keys().map(String::as_str)));
    seen.extend(pool.iter().flat_map(|p| p.iter().map(|r| r.number.as_str())));
    seen.sort_unstable();
    seen.dedup();
    for n in seen {
        if !numbers.iter().any(|x| x == n) {
            numbers.push(n.to_string());
        }
    }

    let by_number: BTreeMap<&str, &PoolNumber> =
        pool.iter().flat_map(|p| p.iter().map(|r| (r.number.as_str(), r))).collect();
    numbers
        .into_iter()
        .map(|number| {
            let entry = by_number.get(number.as_str());
            let (attempts, answered) = match (calls, entry) {
                (Some(c), _) => {
                    let (a, b) = c.per_number.get(&number).copied().unwrap_or((0, 0));
                    (Some(a), Some(b))
                }
                (None, Some(e)) => (Some(e.attempts.unwrap_or(0)), Some(e.answered.unwrap_or(0))),
                (None, None) if pool.is_some() => (Some(0), Some(0)),
                (None, None) => (None, None),
            };
            let answer_rate = match (attempts, answered) {
                (Some(a), Some(b)) if a > 0 => Some(b as f64 / a as f64),
                _ => None,
            };
            let flagged = entry.is_some_and(|e| e.flagged == Some(true));
            let low = attempts.is_some_and(|a| a >= workspace.min_attempts_for_health)
                && answer_rate.is_some_and(|r| r < workspace.low_answer_rate);
            let health = if flagged {
                Health::Flagged
            } else if low {
                Health::LowAnswerRate
            } else {
                Health::Ok
            };
            let label = entry.and_then(|e| e.label.clone()).filter(|l| !l.trim().is_empty());
            PoolRow { number, attempts, answered, answer_rate, health, label }
        })
        .collect()
}
