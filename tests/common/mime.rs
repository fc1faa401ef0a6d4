//! An e-mail read back the way a mail client reads it ([`Mail`]), with mail-parser:
//! a reading independent of the library that wrote it, for tests to assert on.

use mail_parser::{Address, MessageParser, MessagePart, MimeHeaders, PartType};

/// A parsed RFC 5322 message: the top-level headers decoded, and its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    /// `Subject`, encoded words decoded.
    pub subject: Option<String>,
    /// `Message-ID` without its angle brackets.
    pub message_id: Option<String>,
    /// The address (no display name) of the first `From`.
    pub from: Option<String>,
    /// The addresses of every `To` header, group members included.
    pub to: Vec<String>,
    /// The addresses of every `Cc` header.
    pub cc: Vec<String>,
    /// Whether a `Bcc` header is there at all (it should not be, once sent).
    pub bcc_header_present: bool,
    /// `Date` as RFC 3339 with its offset (`2026-11-27T12:00:00+00:00`), when it parses.
    pub date: Option<String>,
    /// The first text/plain body part, decoded (line ends as sent).
    pub text: Option<String>,
    /// The first text/html body part, decoded.
    pub html: Option<String>,
    /// Every attachment, in order.
    pub attachments: Vec<Attachment>,
    /// Every top-level header in order: the name as written, the value unfolded
    /// (line breaks removed) and trimmed, encoded words left as they are.
    pub headers: Vec<(String, String)>,
}

/// An attachment of a [`Mail`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// The `filename` of Content-Disposition, else the `name` of Content-Type.
    pub filename: Option<String>,
    /// `type/subtype`, lower case, without parameters.
    pub content_type: String,
    /// The content, transfer encoding (base64, quoted-printable) undone.
    pub bytes: Vec<u8>,
}

impl Mail {
    /// Parses raw message bytes; panics when they hold no header at all.
    pub fn parse(raw: &[u8]) -> Mail {
        let message = MessageParser::new()
            .parse(raw)
            .unwrap_or_else(|| panic!("not an e-mail message:\n{}", String::from_utf8_lossy(raw)));
        let addresses = |all: &mut dyn Iterator<Item = &Address>| -> Vec<String> {
            all.flat_map(|a| a.iter()).filter_map(|a| a.address()).map(str::to_string).collect()
        };
        let headers: Vec<(String, String)> = message
            .headers()
            .iter()
            .map(|h| {
                let (field, start, end) = (h.offset_field as usize, h.offset_start as usize, h.offset_end as usize);
                let name = String::from_utf8_lossy(&raw[field..start]);
                let value = String::from_utf8_lossy(&raw[start..end]).replace(['\r', '\n'], "");
                (name.trim_end().trim_end_matches(':').trim_end().to_string(), value.trim().to_string())
            })
            .collect();
        Mail {
            subject: message.subject().map(str::to_string),
            message_id: message.message_id().map(str::to_string),
            from: message.from().and_then(|a| a.first()).and_then(|a| a.address()).map(str::to_string),
            to: addresses(&mut message.all_to()),
            cc: addresses(&mut message.all_cc()),
            bcc_header_present: headers.iter().any(|(name, _)| name.eq_ignore_ascii_case("bcc")),
            date: message.date().map(|d| d.to_rfc3339()),
            text: message.text_bodies().find(|p| is_type(p, "text", "plain")).and_then(text_of),
            html: message.html_bodies().find(|p| is_type(p, "text", "html")).and_then(text_of),
            attachments: message.attachments().map(attachment).collect(),
            headers,
        }
    }

    /// The value of the first header of that name (any case), as in [`Mail::headers`].
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// Whether a part is `ctype/subtype` (a part without Content-Type is text/plain).
fn is_type(part: &MessagePart, ctype: &str, subtype: &str) -> bool {
    match part.content_type() {
        None => (ctype, subtype) == ("text", "plain"),
        Some(t) => {
            t.c_type.eq_ignore_ascii_case(ctype)
                && t.c_subtype.as_deref().is_some_and(|s| s.eq_ignore_ascii_case(subtype))
        }
    }
}

/// A text part's decoded text; mail-parser would turn HTML into text, this does not.
fn text_of(part: &MessagePart) -> Option<String> {
    match &part.body {
        PartType::Text(text) | PartType::Html(text) => Some(text.to_string()),
        _ => None,
    }
}

fn attachment(part: &MessagePart) -> Attachment {
    let content_type = match part.content_type() {
        Some(t) => match &t.c_subtype {
            Some(subtype) => format!("{}/{subtype}", t.c_type),
            None => t.c_type.to_string(),
        },
        None => "text/plain".into(),
    };
    Attachment {
        filename: part.attachment_name().map(str::to_string),
        content_type: content_type.to_ascii_lowercase(),
        bytes: part.contents().to_vec(),
    }
}
