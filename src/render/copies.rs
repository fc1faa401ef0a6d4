//! Export copies (`export/…`): the campaign's data as the run's role may see it.
//!
//! Restricted columns are dropped (not blanked), contact data is masked under
//! `--redact contacts`, and cells a spreadsheet would take for a formula are
//! neutralised, because people open these files in spreadsheets.

use std::io::Write;

use serde_json::Value;

use crate::output::{AtomicFile, OutputError, Staged};
use crate::redact::{Mask, free_mask, is_restricted, typed_mask};

/// What a copy must leave out or mask.
#[derive(Debug, Clone, Copy)]
pub struct CopyRules {
    pub show_latency: bool,
    pub redact: bool,
}

/// Makes a cell safe to open in a spreadsheet: text starting with `=`, `+`, `-`, `@`,
/// tab or carriage return gets a leading `'`, except plain numbers (`+14155550123`, `-2.5`).
pub fn spreadsheet_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    // A masked number (`+1 415 ••• ••12`) has nothing a spreadsheet could run.
    let masked = || cell.chars().all(|c| c.is_ascii_digit() || "+ •".contains(c));
    if !risky || is_plain_number(cell) || masked() {
        std::borrow::Cow::Borrowed(cell)
    } else {
        std::borrow::Cow::Owned(format!("'{cell}"))
    }
}

fn is_plain_number(s: &str) -> bool {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let mut parts = body.splitn(2, '.');
    let int = parts.next().unwrap_or("");
    let frac = parts.next();
    !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

/// A CSV export copy being written row by row.
pub struct CsvCopy<'a> {
    writer: csv::Writer<AtomicFile<'a>>,
    keep: Vec<usize>,
    masks: Vec<Mask>,
}

impl<'a> CsvCopy<'a> {
    /// Starts a copy with `headers`; `free_form` tables mask by column name heuristics.
    pub fn new(file: AtomicFile<'a>, headers: &[&str], rules: CopyRules, free_form: bool) -> std::io::Result<Self> {
        let keep: Vec<usize> =
            (0..headers.len()).filter(|&i| rules.show_latency || !is_restricted(headers[i])).collect();
        let masks = keep
            .iter()
            .map(|&i| match (rules.redact, free_form) {
                (false, _) => Mask::None,
                (true, true) => free_mask(headers[i]),
                (true, false) => typed_mask(headers[i]),
            })
            .collect();
        let mut writer = csv::WriterBuilder::new().from_writer(file);
        writer
            .write_record(keep.iter().map(|&i| spreadsheet_safe(headers[i]).into_owned()))
            .map_err(std::io::Error::from)?;
        Ok(CsvCopy { writer, keep, masks })
    }

    /// Writes one row given in header order.
    pub fn write<'r>(&mut self, cells: impl Fn(usize) -> &'r str) -> std::io::Result<()> {
        for (k, &i) in self.keep.iter().enumerate() {
            let masked = self.masks[k].apply(cells(i));
            self.writer.write_field(spreadsheet_safe(&masked).as_bytes())?;
        }
        // An empty record ends the row whose fields were just written.
        self.writer.write_record(std::iter::empty::<&[u8]>()).map_err(std::io::Error::from)
    }

    /// Finishes the copy under its temporary name.
    pub fn stage(self) -> Result<Staged, OutputError> {
        match self.writer.into_inner() {
            Ok(file) => file.stage(),
            Err(e) => {
                let cause = match e.error().raw_os_error() {
                    Some(code) => std::io::Error::from_raw_os_error(code),
                    None => std::io::Error::new(e.error().kind(), e.error().to_string()),
                };
                let path = e.into_inner().get_ref().path().to_path_buf();
                Err(OutputError::Io { path, cause })
            }
        }
    }
}

/// The campaign object for `export/campaign.json`, with restricted keys removed and contacts masked.
pub fn campaign_json(raw: &str, rules: CopyRules) -> Result<Vec<u8>, serde_json::Error> {
    let mut value: Value = serde_json::from_str(raw)?;
    if !rules.show_latency {
        drop_restricted(&mut value);
    }
    if rules.redact
        && let Value::Object(map) = &mut value
    {
        for (key, typed) in [("tasks", true), ("calls", true), ("audience_preview", false)] {
            if let Some(Value::Array(rows)) = map.get_mut(key) {
                mask_rows(rows, typed);
            }
        }
        if let Some(Value::Object(upload)) = map.get_mut("upload")
            && let Some(Value::Array(rows)) = upload.get_mut("rejects")
        {
            mask_rows(rows, false);
        }
    }
    let mut out = serde_json::to_vec_pretty(&value)?;
    out.write_all(b"\n").ok();
    Ok(out)
}

fn drop_restricted(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|k, _| !is_restricted(k));
            map.values_mut().for_each(drop_restricted);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_restricted),
        _ => {}
    }
}

fn mask_rows(rows: &mut [Value], typed: bool) {
    for row in rows {
        if let Value::Object(map) = row {
            for (k, v) in map.iter_mut() {
                let mask = if typed { typed_mask(k) } else { free_mask(k) };
                // Numbers are masked too: a phone exported as a JSON number is still a phone.
                let text = match v {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    _ => continue,
                };
                if mask != Mask::None {
                    *v = Value::String(mask.apply(&text).into_owned());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_but_numbers_stay() {
        assert_eq!(spreadsheet_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(spreadsheet_safe("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(spreadsheet_safe("+cmd|' /C calc'!A0"), "'+cmd|' /C calc'!A0");
        assert_eq!(spreadsheet_safe("-2+3"), "'-2+3");
        assert_eq!(spreadsheet_safe("+14155550123"), "+14155550123");
        assert_eq!(spreadsheet_safe("-2.5"), "-2.5");
        assert_eq!(spreadsheet_safe("Ana"), "Ana");
    }

    #[test]
    fn restricted_keys_vanish_at_any_depth() {
        let raw = r#"{"latency":{"p50_ms":1},"tasks":[{"task_id":"t","latency_ms":5,"contact_name":"Ana Li","phone":"+14155550112"}]}"#;
        let out =
            String::from_utf8(campaign_json(raw, CopyRules { show_latency: false, redact: true }).unwrap()).unwrap();
        assert!(!out.contains("latency"));
        assert!(out.contains("A•• L•"));
        assert!(out.contains("+1 415 ••• ••12"));
    }

    #[test]
    fn extra_columns_and_numbers_are_masked_too() {
        let raw = r#"{"tasks":[{"task_id":"t","phone":"+14155550112","email":"ana@example.com","from_number":"+14155550100"}],
            "audience_preview":[{"contact_name":"Ana","phone":14155550112,"note":"call +1 415 555 0199 after 5"}]}"#;
        let out =
            String::from_utf8(campaign_json(raw, CopyRules { show_latency: true, redact: true }).unwrap()).unwrap();
        assert!(!out.contains("ana@example.com"), "{out}");
        assert!(!out.contains("14155550112"), "{out}");
        assert!(!out.contains("555 0199"), "{out}");
        assert!(out.contains("+14155550100"), "caller numbers stay: {out}");
        assert_eq!(spreadsheet_safe("+1 415 ••• ••12"), "+1 415 ••• ••12");
    }
}
