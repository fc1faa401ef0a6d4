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
    let mut outline = Outline::default();
    let events = Parser::new_ext(markdown, options).map(|event| match event {
        Event::Start(Tag::Heading { level, id, classes, attrs }) => {
            Event::Start(Tag::Heading { level: outline.open(level), id, classes, attrs })
        }
        Event::End(TagEnd::Heading(_)) => Event::End(TagEnd::Heading(outline.current)),
        other => other,
    });
    html::push_html(&mut unsafe_html, events);
    // A link whose URL was refused keeps only `rel`, which HTML allows on links with an href.
    CLEANER.clean(&unsafe_html).to_string().replace(&format!("<a rel=\"{REL}\">"), "<a>")
}

/// The levels Markdown headings get on a page. Markdown sits inside a section whose
/// own heading is an h2, and a heading outline must never skip a level: the first
/// heading becomes an h3, and each later one is one level below the nearest earlier
/// heading of a higher Markdown level (h6 at most), whatever levels the author used.
struct Outline {
    /// Markdown levels of the headings the current one sits under, and its own.
    open: Vec<HeadingLevel>,
    /// Page level of the current heading.
    current: HeadingLevel,
}

impl Default for Outline {
    fn default() -> Outline {
        Outline { open: Vec::new(), current: HeadingLevel::H3 }
    }
}

impl Outline {
    /// The page level of a heading of Markdown level `level`.
    fn open(&mut self, level: HeadingLevel) -> HeadingLevel {
        while self.open.last().is_some_and(|&above| above >= level) {
            self.open.pop();
        }
        self.open.push(level);
        self.current = match self.open.len() {
            1 => HeadingLevel::H3,
            2 => HeadingLevel::H4,
            3 => HeadingLevel::H5,
            _ => HeadingLevel::H6,
        };
        self.current
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

    /// Page levels of the headings in `html`, in order.
    fn heading_levels(html: &str) -> Vec<u8> {
        html.match_indices("<h")
            .filter_map(|(at, _)| html[at + 2..].chars().next()?.to_digit(10))
            .map(|d| d as u8)
            .collect()
    }

    #[test]
    fn headings_start_at_h3_and_never_skip_a_level() {
        assert_eq!(heading_levels(&to_html("## Goal\n\ntext")), [3]);
        assert_eq!(heading_levels(&to_html("# A\n### B\n## C\n#### D\n# E\n###### F")), [3, 4, 4, 5, 3, 4]);
        assert_eq!(heading_levels(&to_html("# 1\n## 2\n### 3\n#### 4\n##### 5\n###### 6")), [3, 4, 5, 6, 6, 6]);
        // Every sequence of four Markdown levels.
        for n in 0..6usize.pow(4) {
            let levels: Vec<usize> = (0..4).map(|i| n / 6usize.pow(i) % 6 + 1).collect();
            let markdown: String = levels.iter().map(|&l| format!("{} h\n\n", "#".repeat(l))).collect();
            let out = heading_levels(&to_html(&markdown));
            assert_eq!(out[0], 3, "{levels:?}");
            assert!(out.windows(2).all(|w| (3..=w[0] + 1).contains(&w[1])), "{levels:?} became {out:?}");
        }
    }
}
