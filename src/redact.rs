//! What a role or `--redact contacts` may not see: restricted metrics are dropped,
//! contact names and numbers are masked, in every file the tool writes.
//!
//! A leaf of the pipeline: the view and every renderer ask it how to mask a value,
//! so a page, a PDF and an export copy mask the same way. It decides nothing else.

use std::borrow::Cow;

use crate::text::phone;

/// How `--redact contacts` masks a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mask {
    /// Left as it is.
    None,
    /// A contact's name: first letters kept.
    Name,
    /// A contact's number or address: country code and last digits kept.
    Phone,
    /// Free text: only the phone numbers inside it.
    Digits,
}

impl Mask {
    /// The masked value.
    pub fn apply(self, cell: &str) -> Cow<'_, str> {
        match self {
            Mask::None => Cow::Borrowed(cell),
            Mask::Phone if cell.is_empty() => Cow::Borrowed(cell),
            Mask::Name => Cow::Owned(mask_name(cell)),
            Mask::Phone => Cow::Owned(mask_phone(cell)),
            Mask::Digits => Cow::Owned(mask_numbers_in(cell)),
        }
    }
}

/// The mask of a free-form column (preview, rejected rows, extra columns): contact data
/// by its column name, and in the other columns the phone numbers inside the text.
pub fn free_mask(column: &str) -> Mask {
    if !is_contact_column(column) {
        Mask::Digits
    } else if column.to_ascii_lowercase().contains("name") {
        Mask::Name
    } else {
        Mask::Phone
    }
}

/// Columns that carry a contact's name, number or address.
pub fn is_contact_column(column: &str) -> bool {
    let c = column.to_ascii_lowercase();
    let names = c.contains("name") && !matches!(c.as_str(), "file_name" | "list_name" | "campaign_name" | "agent_name");
    names
        || ["phone", "mobile", "email", "tel", "to_number", "number", "contact", "address", "street", "cell"]
            .iter()
            .any(|k| c.contains(k))
}

/// Whether a column or key holds restricted metrics.
pub fn is_restricted(name: &str) -> bool {
    name.to_ascii_lowercase().contains("latency")
}

/// Typed tables (tasks, calls): the columns of the format that hold a contact's name or
/// number; extra columns are judged by their name like a free-form table's.
pub fn typed_mask(column: &str) -> Mask {
    match column {
        "contact_name" => Mask::Name,
        "phone" | "to_number" => Mask::Phone,
        "task_id" | "status" | "attempts" | "last_result" | "outcome" | "talk_seconds" | "last_attempt_at"
        | "from_number" | "latency_ms" | "call_id" | "started_at" | "result" | "duration_seconds" | "cost" => {
            Mask::None
        }
        other => free_mask(other),
    }
}

/// A phone number masked for people outside the team: `+1 415 ••• ••12`.
///
/// Keeps the country code, the first three national digits and the last two, so a
/// number can be recognised but not dialled. Any other text keeps its last two characters.
pub fn mask_phone(raw: &str) -> String {
    let digits: String = raw.chars().filter(|c| c.is_ascii_digit()).collect();
    if raw.trim_start().starts_with('+') && digits.len() >= 7 {
        // The country code is what the international format puts before its first separator.
        let formatted = phone(&format!("+{digits}"));
        let cc_len = formatted[1..].find(|c: char| !c.is_ascii_digit()).unwrap_or(1).clamp(1, 3);
        let (cc, national) = digits.split_at(cc_len.min(digits.len() - 5));
        let last = &national[national.len() - 2..];
        // Three leading digits (an area code) stay only where enough others are hidden.
        return if national.len() >= 9 {
            format!("+{cc} {} ••• ••{last}", &national[..3])
        } else {
            format!("+{cc} ••• ••{last}")
        };
    }
    mask_text(raw, 2)
}

/// Masks the phone numbers inside free text (runs of 7 or more digits, with the spaces,
/// dashes, dots and brackets people write between them).
pub fn mask_numbers_in(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let part_of_number = |c: char| c.is_ascii_digit() || " +-.()".contains(c);
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() || (chars[i] == '+' && chars.get(i + 1).is_some_and(char::is_ascii_digit)) {
            let start = i;
            while i < chars.len() && part_of_number(chars[i]) {
                i += 1;
            }
            // Separators after the last digit are not part of the number.
            let mut end = i;
            while end > start && !chars[end - 1].is_ascii_digit() {
                end -= 1;
            }
            let run: String = chars[start..end].iter().collect();
            let groups: Vec<usize> = run.split('-').map(str::len).collect();
            let date = groups == [4, 2, 2];
            if !date && run.chars().filter(char::is_ascii_digit).count() >= 7 {
                let digits: String = run.chars().filter(|c| c.is_ascii_digit() || *c == '+').collect();
                out.push_str(&mask_phone(&digits));
            } else {
                out.push_str(&run);
            }
            out.extend(&chars[end..i]);
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// Masks a contact name: the first letter of each word stays (`Maria González` → `M•••• G•••••••`).
pub fn mask_name(name: &str) -> String {
    name.split_whitespace()
        .map(|word| {
            let mut chars = word.chars();
            let first = chars.next().map(String::from).unwrap_or_default();
            first + &"•".repeat(chars.count())
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn mask_text(raw: &str, keep_last: usize) -> String {
    let n = raw.chars().count();
    if n <= keep_last {
        return "•".repeat(n);
    }
    let tail: String = raw.chars().skip(n - keep_last).collect();
    "•".repeat(n - keep_last) + &tail
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contacts_are_masked() {
        assert_eq!(mask_phone("+14155550112"), "+1 415 ••• ••12");
        assert_eq!(mask_phone("+447700900123"), "+44 770 ••• ••23");
        assert_eq!(mask_name("Maria González"), "M•••• G•••••••");
        assert_eq!(mask_phone("555-1234"), "••••••34");
        assert_eq!(mask_phone("+3541234567"), "+354 ••• ••67");
        assert_eq!(mask_numbers_in("not a phone number: 555-0199"), "not a phone number: •••••99");
        assert_eq!(mask_numbers_in("uploaded 2026-11-24, 1,200 rows"), "uploaded 2026-11-24, 1,200 rows");
        assert_eq!(mask_numbers_in("call +1 415 555 0199 after 5"), "call +1 415 ••• ••99 after 5");
        assert_eq!(mask_numbers_in("row 17"), "row 17");
    }

    #[test]
    fn columns_are_judged_by_their_names() {
        assert_eq!(free_mask("contact_name"), Mask::Name);
        assert_eq!(free_mask("Mobile"), Mask::Phone);
        assert_eq!(free_mask("file_name"), Mask::Digits);
        assert_eq!(typed_mask("to_number"), Mask::Phone);
        assert_eq!(typed_mask("from_number"), Mask::None);
        assert_eq!(typed_mask("email"), Mask::Phone);
        assert!(is_restricted("Latency_MS") && !is_restricted("talk_seconds"));
    }
}
