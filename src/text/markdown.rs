//! Markdown from exports (operator notes, agent scripts), rendered and sanitised.
//!
//! Exports are typed by anyone: raw HTML is dropped by the sanitiser, links keep
//! only http, https and mailto, and images are removed because a page must never
//! fetch anything from the network.

use std::collections::HashSet;
use std::sync::LazyLock;

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};

const REL: &str = "noopener noreferrer nofollow";

static CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::default();
    b.rm_tags(["img"])
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .url_relative(ammonia::UrlRelative::Deny)
        .link_rel(Some(REL));
    b
});

/// Renders Markdown to sanitised HTML.
pub fn to_html(markdown: &str) -> String {
    // Characters HTML forbids would make the page invalid: they go before parsing.
    let markdown = super::escape::clean(markdown);
    let markdown = markdown.as_ref();
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    // Notes sit inside a section with its own heading: their headings start at h3.
    let events = Parser::new_ext(markdown, options).map(|event| match event {
        Event::Start(Tag::Heading { level, id, classes, attrs }) => {
            Event::Start(Tag::Heading { level: demote(level), id, classes, attrs })
        }
        Event::End(TagEnd::Heading(level)) => Event::End(TagEnd::Heading(demote(level))),
        other => other,
    });
    html::push_html(&mut unsafe_html, events);
    // A link whose URL was refused keeps only `rel`, which HTML allows on links with an href.
    CLEANER.clean(&unsafe_html).to_string().replace(&format!("<a rel=\"{REL}\">"), "<a>")
}

fn demote(level: HeadingLevel) -> HeadingLevel {
    match level {
        HeadingLevel::H1 => HeadingLevel::H3,
        HeadingLevel::H2 => HeadingLevel::H4,
        HeadingLevel::H3 => HeadingLevel::H5,
        _ => HeadingLevel::H6,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_runs_and_nothing_is_fetched() {
        let out = to_html(
            "**Hi** <script>alert(1)</script> [x](javascript:alert(1)) [d](data:text/html,1) \
             ![i](https://example.com/p.png) <img src=x onerror=alert(1)> [ok](https://example.com)",
        );
        assert!(out.contains("<strong>Hi</strong>"));
        assert!(!out.contains("<script"));
        assert!(!out.contains("javascript:"));
        assert!(!out.contains("data:"));
        assert!(!out.contains("<img"));
        assert!(!out.contains("onerror"));
        assert!(out.contains("href=\"https://example.com\""));
    }
}
