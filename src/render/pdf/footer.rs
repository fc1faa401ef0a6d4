//! The footer Chromium prints at the bottom of every PDF page: campaign name,
//! snapshot time and "Page N of M".
//!
//! It exists apart because the campaign name is untrusted text from an export and
//! goes into an HTML template the browser renders: every value put in the
//! template is escaped first, by the one escaper every page uses (which also
//! replaces the characters HTML forbids). It must not take markup from its callers.

use crate::text::escape::escaped;

/// The footer: campaign name, snapshot time and "Page N of M". Chromium renders it
/// in the bottom margin with a default font size of zero, hence the explicit size.
/// `style` is CSS the footer's document gets first (a PDF/A's fonts; trusted, never
/// from an export).
pub(super) fn footer_template(title: &str, snapshot: &str, style: &str) -> String {
    format!(
        concat!(
            r#"{style}<div style="box-sizing: border-box; width: 100%; padding: 0 12mm; display: flex; "#,
            r#"justify-content: space-between; gap: 6mm; font-size: 8px; color: #555; "#,
            r#"font-family: 'DejaVu Sans', 'Noto Sans', 'Noto Sans CJK SC', 'Noto Sans Arabic', "#,
            r#"'Noto Sans Hebrew', 'Noto Color Emoji', sans-serif;">"#,
            r#"<span style="overflow: hidden; white-space: nowrap; text-overflow: ellipsis;">{title} · {snapshot}</span>"#,
            r#"<span style="white-space: nowrap;">Page <span class="pageNumber"></span> of "#,
            r#"<span class="totalPages"></span></span></div>"#
        ),
        style = if style.is_empty() { String::new() } else { format!("<style>{style}</style>") },
        title = escaped(title),
        snapshot = escaped(snapshot),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn footer_escapes_the_campaign_name() {
        let footer = footer_template("<script>alert(1)</script> & 'x'", "now", "");
        assert!(!footer.contains("<script>"));
        assert!(footer.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#39;x&#39;"));
        assert!(footer.contains(r#"<span class="pageNumber"></span>"#));
        // A control character in a name cannot break the footer's markup either.
        assert!(footer_template("Spring\u{7}recall", "now", "").contains("Spring\u{fffd}recall"));
    }
}
