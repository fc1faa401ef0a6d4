//! The pipeline runs one way (docs/architecture.md): this test reads every
//! `crate::…` and `super::…` path in `src/` and fails on any that points against the
//! declared order, so the shape stays true as modules are added.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// Every unit of the library, lowest first. A unit may use units of a lower rank
/// only; units of the same rank are peers and never use each other. Keep this
/// table and the one in docs/architecture.md the same.
const ORDER: &[(&str, u8)] = &[
    ("os", 0),
    ("model", 0),
    ("sync", 0),
    ("lifecycle", 1),
    ("output", 1),
    ("browser", 1),
    ("scratch", 1),
    ("text", 2),
    ("redact", 3),
    ("export", 4),
    ("figures", 5),
    ("view", 6),
    ("render", 7),
    ("render::copies", 7),
    ("render::html", 7),
    ("render::mail", 7),
    ("render::pdf", 7),
    ("render::summary", 7),
    ("pipeline", 8),
    ("deliver", 9),
    ("merge", 9),
];

/// The renderers are peers inside `render`: each is a unit of its own.
const SPLIT: &[&str] = &["render"];

fn rank(unit: &str) -> Option<u8> {
    ORDER.iter().find(|(u, _)| *u == unit).map(|(_, r)| *r)
}

/// The unit a module path (`["render", "pdf", "printer"]`) belongs to.
fn unit_of(path: &[String]) -> Option<String> {
    let first = path.first()?;
    match path.get(1) {
        Some(second) if SPLIT.contains(&first.as_str()) && rank(&format!("{first}::{second}")).is_some() => {
            Some(format!("{first}::{second}"))
        }
        _ => Some(first.clone()),
    }
}

/// The module path of a source file: `src/render/pdf/printer.rs` → `render::pdf::printer`.
fn module_of(file: &Path, src: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap();
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    let last = parts.pop().unwrap();
    let stem = last.trim_end_matches(".rs");
    if stem != "mod" && stem != "lib" {
        parts.push(stem.to_string());
    }
    parts
}

/// The source without comments and string literals, so only code is read.
fn code_only(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i..].starts_with(b"//") {
            while i < bytes.len() && bytes[i] != b'\n' {
                i += 1;
            }
        } else if bytes[i..].starts_with(b"/*") {
            i += 2;
            while i < bytes.len() && !bytes[i..].starts_with(b"*/") {
                if bytes[i] == b'\n' {
                    out.push('\n');
                }
                i += 1;
            }
            i += 2;
        } else if bytes[i] == b'"' {
            // A string literal (raw strings in this crate hold no `crate::` paths).
            out.push('"');
            i += 1;
            while i < bytes.len() && bytes[i] != b'"' {
                if bytes[i] == b'\\' {
                    i += 1;
                }
                if i < bytes.len() && bytes[i] == b'\n' {
                    out.push('\n');
                }
                i += 1;
            }
            out.push('"');
            i += 1;
        } else if bytes[i] == b'\'' && i + 2 < bytes.len() && (bytes[i + 2] == b'\'' || bytes[i + 1] == b'\\') {
            // A char literal such as '"' or '\n'.
            let end = bytes[i + 1..].iter().position(|b| *b == b'\'').map_or(bytes.len(), |p| i + 2 + p);
            out.push_str("' '");
            i = end;
        } else {
            let c = text[i..].chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// Every path a file uses that starts at `crate::` or `super::`, resolved to a module
/// path (its first two names), with its line.
fn paths_used(code: &str, module: &[String]) -> Vec<(usize, Vec<String>)> {
    let inline = inline_modules(code);
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = find_root(&code[from..]).map(|p| p + from) {
        let line = code[..at].matches('\n').count() + 1;
        let tail = &code[at..];
        let (base, after) = match tail.strip_prefix("crate::") {
            Some(t) => (Vec::new(), t),
            None => {
                // Inside `mod tests { … }`, `super` is the file's own module.
                let mut base = module.to_vec();
                base.extend(inline.iter().filter(|(_, span)| span.contains(&at)).map(|(name, _)| name.clone()));
                let mut t = tail;
                while let Some(next) = t.strip_prefix("super::") {
                    base.pop();
                    t = next;
                }
                (base, t)
            }
        };
        for path in first_names(after) {
            let mut full = base.clone();
            full.extend(path);
            found.push((line, full));
        }
        // Past the whole root (`super::super::`), so its inner `super::` is not read again.
        from = at + (tail.len() - after.len());
    }
    found
}

/// The first one or two names of a path tail: `figures::percent(` → `[figures, percent]`;
/// a group `{model::X, view}` gives one path per member.
fn first_names(tail: &str) -> Vec<Vec<String>> {
    let word = |s: &str| -> String { s.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect() };
    if let Some(group) = tail.strip_prefix('{') {
        let mut members = Vec::new();
        let mut depth = 0;
        let mut start = 0;
        for (i, c) in group.char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => {
                    members.push(&group[start..i]);
                    break;
                }
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    members.push(&group[start..i]);
                    start = i + 1;
                }
                _ => {}
            }
        }
        return members.into_iter().flat_map(|m| first_names(m.trim())).collect();
    }
    let first = word(tail);
    if first.is_empty() || first == "self" {
        return Vec::new();
    }
    let second = tail[first.len()..].strip_prefix("::").map(word).unwrap_or_default();
    vec![if second.is_empty() { vec![first] } else { vec![first, second] }]
}

/// The modules declared inline in a file (`mod tests { … }`) and the span of their bodies.
fn inline_modules(code: &str) -> Vec<(String, std::ops::Range<usize>)> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = code[from..].find("mod ").map(|p| p + from) {
        from = at + 4;
        if code[..at].chars().next_back().is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let rest = &code[at + 4..];
        let name: String = rest.trim_start().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        let after_name = rest.trim_start()[name.len()..].trim_start();
        if name.is_empty() || !after_name.starts_with('{') {
            continue;
        }
        let open = at + 4 + (rest.len() - after_name.len());
        let mut depth = 0;
        let mut close = code.len();
        for (i, c) in code[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        close = open + i;
                        break;
                    }
                }
                _ => {}
            }
        }
        found.push((name, open..close));
    }
    found
}

fn find_root(text: &str) -> Option<usize> {
    let c = text.find("crate::");
    let s = text.find("super::");
    let at = match (c, s) {
        (Some(a), Some(b)) => a.min(b),
        (a, b) => a.or(b)?,
    };
    // Not part of a longer word (`$crate::`, `my_crate::`).
    let before = text[..at].chars().next_back();
    if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
        return find_root(&text[at + 1..]).map(|p| p + at + 1);
    }
    Some(at)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn imports_follow_the_declared_order() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut violations = Vec::new();
    let mut undeclared = BTreeSet::new();
    let mut checked = 0;
    for file in &files {
        let module = module_of(file, &src);
        // The binary (main.rs, cli.rs, watchdog.rs) and the crate root sit above the pipeline.
        let Some(from) = unit_of(&module) else { continue };
        if ["main", "cli", "watchdog"].contains(&from.as_str()) {
            continue;
        }
        let Some(from_rank) = rank(&from) else {
            undeclared.insert(from);
            continue;
        };
        let code = code_only(&fs::read_to_string(file).unwrap());
        for (line, path) in paths_used(&code, &module) {
            let Some(to) = unit_of(&path) else { continue };
            checked += 1;
            if to == from || (from.starts_with("render::") && to == "render") {
                continue;
            }
            match rank(&to) {
                Some(to_rank) if to_rank < from_rank => {}
                Some(_) => violations.push(format!(
                    "{}:{line}: {from} uses {} ({to} is not below {from})",
                    file.strip_prefix(src.parent().unwrap()).unwrap().display(),
                    path.join("::")
                )),
                None => {
                    undeclared.insert(to);
                }
            }
        }
    }
    assert!(undeclared.is_empty(), "modules missing from the declared order (tests/architecture.rs): {undeclared:?}");
    assert!(checked > 100, "only {checked} paths were read: the scan is broken");
    assert!(violations.is_empty(), "imports against the declared order:\n{}", violations.join("\n"));
}

#[test]
fn the_scan_sees_every_kind_of_path() {
    let module = vec!["render".to_string(), "pdf".to_string(), "printer".to_string()];
    let code = code_only(
        "use crate::{model::Campaign, view};\nlet x = crate::figures::percent(1, 2); // crate::pipeline\n\
         use super::super::html::Page;\nlet s = \"crate::output\";\nuse super::footer;\nuse crate::{\n    lifecycle::{Layout, Tab},\n    text,\n};\n\
         mod tests { use super::Printer; }",
    );
    let paths: Vec<(usize, String)> =
        paths_used(&code, &module).into_iter().map(|(l, p)| (l, unit_of(&p).unwrap())).collect();
    assert_eq!(
        paths,
        [
            (1, "model".to_string()),
            (1, "view".to_string()),
            (2, "figures".to_string()),
            (3, "render::html".to_string()),
            (5, "render::pdf".to_string()),
            (6, "lifecycle".to_string()),
            (6, "text".to_string()),
            (10, "render::pdf".to_string())
        ]
    );
}
