//! A call's outcome label from a platform's analysis (docs/platforms.md, "Outcome"):
//! the value of the workspace's `platforms.outcome_key` in the structured analysis
//! when one is configured, else the platform's success evaluation.

use serde_json::{Map, Value};

/// The label for a success evaluation that says yes.
pub const SUCCESS: &str = "success";
/// The label for a success evaluation that says no.
pub const UNSUCCESSFUL: &str = "unsuccessful";

/// The outcome of one call: `data[key]` when a key is configured, else `success` read
/// as a verdict (`true`/`"true"` → `success`, `false`/`"false"` → `unsuccessful`, any
/// other text or number as it is).
pub fn of(success: Option<&Value>, data: Option<&Map<String, Value>>, key: Option<&str>) -> Option<String> {
    match key {
        Some(key) => data.and_then(|d| d.get(key)).and_then(label),
        None => success.and_then(verdict),
    }
}

fn verdict(value: &Value) -> Option<String> {
    match value {
        Value::Bool(true) => Some(SUCCESS.into()),
        Value::Bool(false) => Some(UNSUCCESSFUL.into()),
        Value::String(s) if s.trim().eq_ignore_ascii_case("true") => Some(SUCCESS.into()),
        Value::String(s) if s.trim().eq_ignore_ascii_case("false") => Some(UNSUCCESSFUL.into()),
        other => label(other),
    }
}

/// A JSON value as a label: text trimmed, numbers and booleans written out; nothing for
/// null, empty text, lists and objects.
fn label(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_success_evaluation_reads_as_a_verdict() {
        assert_eq!(of(Some(&json!(true)), None, None).as_deref(), Some("success"));
        assert_eq!(of(Some(&json!("False")), None, None).as_deref(), Some("unsuccessful"));
        assert_eq!(of(Some(&json!(8)), None, None).as_deref(), Some("8"));
        assert_eq!(of(Some(&json!("")), None, None), None);
        assert_eq!(of(None, None, None), None);
    }

    #[test]
    fn a_configured_key_reads_the_structured_analysis() {
        let data = json!({"appointment": " booked ", "score": 3}).as_object().cloned().unwrap();
        assert_eq!(of(Some(&json!(true)), Some(&data), Some("appointment")).as_deref(), Some("booked"));
        assert_eq!(of(Some(&json!(true)), Some(&data), Some("missing")), None);
        assert_eq!(of(None, Some(&data), Some("score")).as_deref(), Some("3"));
    }
}
