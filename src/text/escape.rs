//! The one HTML escaper: every string from an export reaches a page (a template
//! value, the PDF footer, Markdown before it is parsed) through here.
//!
//! Besides `&`, `<`, `>`, `"` and `'`, it replaces the characters HTML forbids in a
//! document (control characters other than tab, line feed and carriage return, and
//! noncharacters) with U+FFFD, so a control character in an export cannot make a
//! page invalid.

use std::borrow::Cow;

/// Whether HTML forbids this character in a document (controls other than tab, line
/// feed and carriage return, and noncharacters).
pub fn forbidden_in_html(c: char) -> bool {
    let n = c as u32;
    (n < 0x20 && !matches!(c, '\t' | '\n' | '\r'))
        || (0x7f..=0x9f).contains(&n)
        || (0xfdd0..=0xfdef).contains(&n)
        || (n & 0xfffe) == 0xfffe
}

/// The text with every character HTML forbids replaced by U+FFFD.
pub fn clean(text: &str) -> Cow<'_, str> {
    // Most text is ASCII without controls: one pass over the bytes says so, and only
    // text with a control or a non-ASCII byte is read again character by character.
    let maybe = |b: &u8| (*b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || *b >= 0x7f;
    if !text.as_bytes().iter().any(maybe) {
        return Cow::Borrowed(text);
    }
    if text.chars().any(forbidden_in_html) {
        Cow::Owned(text.chars().map(|c| if forbidden_in_html(c) { '\u{fffd}' } else { c }).collect())
    } else {
        Cow::Borrowed(text)
    }
}

/// Escapes text for HTML content and quoted attribute values into `out`.
pub fn escape_html(text: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    tera::escape_html(&clean(text), out)
}

/// Escapes text for HTML content and quoted attribute values.
pub fn escaped(text: &str) -> String {
    let mut out = Vec::with_capacity(text.len());
    escape_html(text, &mut out).expect("writing to memory cannot fail");
    String::from_utf8(out).expect("escaping keeps UTF-8")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_and_forbidden_characters_cannot_pass() {
        assert_eq!(
            escaped("<script>alert(1)</script> & 'x' \"y\""),
            "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#39;x&#39; &quot;y&quot;"
        );
        assert_eq!(escaped("a\u{0}b\u{7f}c\u{fffe}\td"), "a\u{fffd}b\u{fffd}c\u{fffd}\td");
        assert!(matches!(clean("plain text"), Cow::Borrowed(_)));
    }
}
