//! Where a value is in a JSON text, by its path (`tasks[3].talk_seconds`), so an
//! error points at the line and column where the offending value starts.
//!
//! serde_json reports a value it refuses at the position it had reached, which is
//! after the value (on the next line when the value ends its line); the path that
//! `serde_path_to_error` gives is exact, so the value is found again by walking the
//! text. The walk reads only the text's structure: strings, brackets and commas.

/// One step of a path: a key of an object or an index of an array.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Key(String),
    Index(usize),
}

/// The steps of a path as `serde_path_to_error` and the tool's own errors write it:
/// keys joined by `.`, indexes in brackets (`config.from_numbers[1]`); `.` is the root.
pub fn steps(path: &str) -> Vec<Step> {
    let mut steps = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (key, mut rest) = match part.find('[') {
            Some(at) => (&part[..at], &part[at..]),
            None => (part, ""),
        };
        if !key.is_empty() {
            steps.push(Step::Key(key.to_string()));
        }
        while let Some(inner) = rest.strip_prefix('[') {
            let Some(end) = inner.find(']') else { break };
            if let Ok(i) = inner[..end].parse() {
                steps.push(Step::Index(i));
            }
            rest = &inner[end + 1..];
        }
    }
    steps
}

/// The byte offset where the value at `steps` starts in `text`, or `None` when the
/// text does not hold it (a missing key, or text that is not JSON there).
pub fn value_offset(text: &str, steps: &[Step]) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut at = skip_space(bytes, 0);
    for step in steps {
        at = match (step, bytes.get(at)?) {
            (Step::Key(key), b'{') => member(text, at, key)?,
            (Step::Index(index), b'[') => element(bytes, at, *index)?,
            _ => return None,
        };
    }
    Some(at)
}

/// The start of the value of `key` in the object starting at `open`.
fn member(text: &str, open: usize, key: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut at = skip_space(bytes, open + 1);
    while bytes.get(at)? != &b'}' {
        let end = string_end(bytes, at)?;
        let name = serde_json::from_str::<String>(&text[at..end]).ok()?;
        at = skip_space(bytes, end);
        if bytes.get(at)? != &b':' {
            return None;
        }
        at = skip_space(bytes, at + 1);
        if name == key {
            return Some(at);
        }
        at = skip_space(bytes, value_end(bytes, at)?);
        if bytes.get(at) == Some(&b',') {
            at = skip_space(bytes, at + 1);
        }
    }
    None
}

/// The start of element `index` of the array starting at `open`.
fn element(bytes: &[u8], open: usize, index: usize) -> Option<usize> {
    let mut at = skip_space(bytes, open + 1);
    for _ in 0..index {
        if bytes.get(at)? == &b']' {
            return None;
        }
        at = skip_space(bytes, value_end(bytes, at)?);
        if bytes.get(at)? != &b',' {
            return None;
        }
        at = skip_space(bytes, at + 1);
    }
    (bytes.get(at)? != &b']').then_some(at)
}

pub(super) fn skip_space(bytes: &[u8], mut at: usize) -> usize {
    while bytes.get(at).is_some_and(|b| b.is_ascii_whitespace()) {
        at += 1;
    }
    at
}

/// The byte after the string starting at `at` (its closing quote included).
pub(super) fn string_end(bytes: &[u8], at: usize) -> Option<usize> {
    if bytes.get(at)? != &b'"' {
        return None;
    }
    let mut i = at + 1;
    loop {
        match bytes.get(i)? {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
}

/// The byte after the value starting at `at`.
pub(super) fn value_end(bytes: &[u8], at: usize) -> Option<usize> {
    match bytes.get(at)? {
        b'"' => string_end(bytes, at),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut i = at;
            loop {
                match bytes.get(i)? {
                    b'"' => {
                        i = string_end(bytes, i)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
        }
        _ => {
            let len = bytes[at..].iter().position(|b| matches!(b, b',' | b'}' | b']') || b.is_ascii_whitespace());
            Some(at + len.unwrap_or(bytes.len() - at))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at<'a>(text: &'a str, path: &str) -> Option<&'a str> {
        value_offset(text, &steps(path)).map(|i| &text[i..(i + 6).min(text.len())])
    }

    #[test]
    fn paths_read_as_steps() {
        assert_eq!(
            steps("tasks[3].talk_seconds"),
            [Step::Key("tasks".into()), Step::Index(3), Step::Key("talk_seconds".into())]
        );
        assert_eq!(
            steps("config.from_numbers[1]"),
            [Step::Key("config".into()), Step::Key("from_numbers".into()), Step::Index(1)]
        );
        assert_eq!(steps("."), []);
        assert_eq!(steps("rows[0][2]"), [Step::Key("rows".into()), Step::Index(0), Step::Index(2)]);
    }

    #[test]
    fn values_are_found_at_their_first_character() {
        let text = r#"{"a": {"b\"c": [1, {"d": "x,]}"}, -2.5e3]}, "e" : [ ], "f": true}"#;
        assert_eq!(at(text, "a.b\"c[1].d"), Some("\"x,]}\""));
        assert_eq!(at(text, "a.b\"c[2]"), Some("-2.5e3"));
        assert_eq!(at(text, "f"), Some("true}"));
        assert_eq!(at(text, "e"), Some("[ ], \""));
        assert_eq!(at(text, "e[0]"), None);
        assert_eq!(at(text, "a.b\"c[3]"), None);
        assert_eq!(at(text, "missing"), None);
        assert_eq!(at(text, "f[0]"), None, "not an array");
        assert_eq!(at("[1,", "[1]"), None, "cut short");
    }
}
