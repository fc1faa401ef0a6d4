//! Recognising an export file by its shape: the top-level keys of its first object
//! (docs/platforms.md, "Recognising the inputs").
//!
//! Only the start of the file is read, so a day of Twilio call records is not read
//! twice; the keys that tell the platforms apart come first in every object they write.

use std::io::Read;
use std::path::Path;

use crate::export::locate::{self, Step};

/// What a file holds, as far as its first object tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A campaign object of the native format (or a `{"campaigns": [...]}` wrapper).
    Native,
    /// A Vapi Campaign object.
    VapiCampaign,
    /// Vapi Call objects.
    VapiCalls,
    /// A Retell batch call object.
    RetellBatch,
    /// Retell call objects.
    RetellCalls,
    /// Twilio Call resources.
    TwilioCalls,
    /// An empty list: calls of any platform.
    Empty,
    /// Nothing the tool recognises.
    Unknown,
}

/// How much of a file is read to recognise it.
const HEAD_BYTES: u64 = 1 << 20;

/// The shape of the file at `path` (unreadable files are `Unknown`: reading them later says why).
pub fn of_file(path: &Path) -> Shape {
    let mut head = Vec::new();
    let read = std::fs::File::open(path).and_then(|f| f.take(HEAD_BYTES).read_to_end(&mut head));
    if read.is_err() {
        return Shape::Unknown;
    }
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&head);
    of_text(&String::from_utf8_lossy(head))
}

/// The shape of a JSON text (or its start): an object, a list of objects, a Retell
/// `{"items": [...]}` page, or JSON lines.
pub fn of_text(text: &str) -> Shape {
    let bytes = text.as_bytes();
    let start = locate::skip_space(bytes, 0);
    match bytes.get(start) {
        Some(b'[') => {
            let first = locate::skip_space(bytes, start + 1);
            match bytes.get(first) {
                Some(b']') => Shape::Empty,
                Some(b'{') => of_keys(&top_keys(text, first)),
                _ => Shape::Unknown,
            }
        }
        Some(b'{') => {
            let keys = top_keys(text, start);
            if keys.iter().any(|k| k == "items") && !keys.iter().any(|k| k == "call_id") {
                let items = &text[start..];
                return match locate::value_offset(items, &[Step::Key("items".into())]) {
                    Some(at) => of_text(&items[at..]),
                    None => Shape::Unknown,
                };
            }
            of_keys(&keys)
        }
        _ => Shape::Unknown,
    }
}

/// The shape that a set of top-level keys says.
fn of_keys(keys: &[String]) -> Shape {
    let has = |k: &str| keys.iter().any(|key| key == k);
    if has("tenant") || has("campaigns") {
        Shape::Native
    } else if has("batch_call_id") && !has("call_id") {
        Shape::RetellBatch
    } else if has("call_id") && (has("call_status") || has("agent_id")) {
        Shape::RetellCalls
    } else if has("sid") && has("account_sid") {
        Shape::TwilioCalls
    } else if is_vapi_campaign(keys) {
        Shape::VapiCampaign
    } else if ["orgId", "endedReason", "phoneCallProvider", "phoneCallProviderId"].iter().any(|k| has(k)) {
        Shape::VapiCalls
    } else {
        Shape::Unknown
    }
}

/// A Vapi Campaign: its `customers` with one of its camelCase settings, or its org
/// with its call counters. Vapi writes `customers` before `orgId`, so a long customer
/// list may hide the org beyond the start of the file that is read.
fn is_vapi_campaign(keys: &[String]) -> bool {
    let has = |k: &str| keys.iter().any(|key| key == k);
    let settings = ["orgId", "phoneNumberId", "assistantId", "workflowId", "squadId", "schedulePlan", "dialPlan"];
    (has("customers") && settings.iter().any(|k| has(k)))
        || (has("orgId") && keys.iter().any(|k| k.starts_with("callsCounter")))
}

/// The keys of the object starting at `open`, as far as the text holds them.
fn top_keys(text: &str, open: usize) -> Vec<String> {
    let bytes = text.as_bytes();
    let mut keys = Vec::new();
    let mut at = locate::skip_space(bytes, open + 1);
    while bytes.get(at) == Some(&b'"') {
        let Some(end) = locate::string_end(bytes, at) else { break };
        let Ok(key) = serde_json::from_str::<String>(&text[at..end]) else { break };
        keys.push(key);
        at = locate::skip_space(bytes, end);
        if bytes.get(at) != Some(&b':') {
            break;
        }
        at = locate::skip_space(bytes, at + 1);
        let Some(end) = locate::value_end(bytes, at) else { break };
        at = locate::skip_space(bytes, end);
        if bytes.get(at) == Some(&b',') {
            at = locate::skip_space(bytes, at + 1);
        }
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_platform_is_told_by_its_keys() {
        assert_eq!(of_text(r#"{"id": "c", "tenant": {"id": "t"}}"#), Shape::Native);
        assert_eq!(of_text(r#"{"campaigns": []}"#), Shape::Native);
        assert_eq!(of_text(r#"{"id": "x", "orgId": "o", "customers": []}"#), Shape::VapiCampaign);
        assert_eq!(of_text(r#"{"id": "x", "orgId": "o", "callsCounterEnded": 3}"#), Shape::VapiCampaign);
        assert_eq!(of_text(r#"[{"id": "x", "orgId": "o", "endedReason": "voicemail"}]"#), Shape::VapiCalls);
        assert_eq!(of_text(r#"{"id": "x", "orgId": "o", "type": "outboundPhoneCall"}"#), Shape::VapiCalls);
        assert_eq!(of_text(r#"{"batch_call_id": "b", "total_task_count": 3}"#), Shape::RetellBatch);
        assert_eq!(of_text(r#"[{"call_id": "c", "call_status": "ended", "batch_call_id": "b"}]"#), Shape::RetellCalls);
        assert_eq!(of_text(r#"{"items": [{"call_id": "c", "agent_id": "a"}], "has_more": false}"#), Shape::RetellCalls);
        assert_eq!(of_text("{\"sid\": \"CA1\", \"account_sid\": \"AC1\"}\n{\"sid\": \"CA2\"}"), Shape::TwilioCalls);
        assert_eq!(of_text(" [ ] "), Shape::Empty);
        assert_eq!(of_text(r#"{"hello": 1}"#), Shape::Unknown);
        assert_eq!(of_text("not json"), Shape::Unknown);
    }

    #[test]
    fn a_cut_off_file_is_told_by_the_keys_it_shows() {
        let head = r#"{"orgId": "o", "customers": [{"number": "+14155550100"}, {"numb"#;
        assert_eq!(of_text(head), Shape::VapiCampaign);
        let head = r#"{"status": "ended", "phoneNumberId": "p", "customers": [{"number": "+14155550100"}, {"numb"#;
        assert_eq!(of_text(head), Shape::VapiCampaign, "the org comes after the customers");
        let head = r#"{"type": "outboundPhoneCall", "endedReason": "voicemail", "messages": [{"role": "bot", "mess"#;
        assert_eq!(of_text(head), Shape::VapiCalls);
    }
}
