//! Reproducible bytes: the dates Chromium stamps into a PDF become the snapshot
//! time, and any file ID goes.
//!
//! It exists so that two runs with the same `--now` over the same input write
//! byte-identical PDFs (`docs/pdf.md`, "Reproducible bytes"). It must change
//! nothing else in the file: the page content is the browser's.

/// Rewrites `/CreationDate` and `/ModDate` to `now` (UTC) and drops any `/ID`, so
/// two prints of the same page are byte-identical. Chromium writes both dates as
/// fixed-width literals in an uncompressed info dictionary, so they are replaced in
/// place with a string of the same length and every offset stays valid; anything
/// else goes through `lopdf`, which rewrites the file.
pub(super) fn normalise_dates(pdf: Vec<u8>, now: jiff::Timestamp) -> Result<Vec<u8>, String> {
    let date = format!("D:{}+00'00'", now.strftime("%Y%m%d%H%M%S"));
    match normalise_in_place(pdf, date.as_bytes()) {
        Ok(pdf) => Ok(pdf),
        Err(pdf) => normalise_with_lopdf(&pdf, &date),
    }
}

/// The equal-length rewrite; gives the input back when the file does not look
/// like Chromium's usual output.
fn normalise_in_place(mut pdf: Vec<u8>, date: &[u8]) -> Result<Vec<u8>, Vec<u8>> {
    if contains(&pdf, b"/ID [") || contains(&pdf, b"/ID[") || contains(&pdf, b"/ObjStm") {
        return Err(pdf);
    }
    let mut rewritten = 0;
    for key in [&b"/CreationDate ("[..], &b"/ModDate ("[..]] {
        let mut from = 0;
        while let Some(at) = find(&pdf[from..], key) {
            let start = from + at + key.len();
            let Some(len) = pdf[start..].iter().take(64).position(|&b| b == b')') else { return Err(pdf) };
            let old = &pdf[start..start + len];
            if !old.starts_with(b"D:") || len != date.len() || old.contains(&b'\\') {
                return Err(pdf);
            }
            pdf[start..start + len].copy_from_slice(date);
            rewritten += 1;
            from = start + len;
        }
    }
    if rewritten == 0 { Err(pdf) } else { Ok(pdf) }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

fn normalise_with_lopdf(pdf: &[u8], date: &str) -> Result<Vec<u8>, String> {
    let bad = |e: lopdf::Error| format!("the browser's PDF could not be read back: {e}");
    let mut doc = lopdf::Document::load_mem(pdf).map_err(bad)?;
    doc.trailer.remove(b"ID");
    let info = doc.trailer.get(b"Info").and_then(lopdf::Object::as_reference).ok();
    if let Some(id) = info {
        let dict = doc.get_dictionary_mut(id).map_err(bad)?;
        for key in [&b"CreationDate"[..], &b"ModDate"[..]] {
            if dict.has(key) {
                dict.set(key, lopdf::Object::string_literal(date));
            }
        }
    }
    let mut out = Vec::with_capacity(pdf.len());
    doc.save_to(&mut out).map_err(|e| format!("the PDF could not be written: {e}"))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::pdf::testing::{SCRIPTS, job, page, settings, tool};
    use crate::render::pdf::{Paper, Printer};

    #[test]
    fn same_page_and_time_give_the_same_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let html = page(dir.path(), "same.html", &format!("<h1>Same</h1><p>{SCRIPTS}</p>"));
        let printer = Printer::launch(&settings(Paper::A4, 1)).unwrap();
        let a = printer.print_all(&[job(html.clone(), "Same")]).remove(0).unwrap();
        // A second browser, to rule out anything cached in the first.
        drop(printer);
        let printer = Printer::launch(&settings(Paper::A4, 1)).unwrap();
        let b = printer.print_all(&[job(html, "Same")]).remove(0).unwrap();
        assert!(a == b, "two prints of the same page differ");
        assert!(contains(&a, b"/CreationDate (D:20261127120000+00'00')"));
        tool("qpdf", &["--check"], &a);
    }

    #[test]
    fn dates_are_rewritten_in_place() {
        let pdf = b"%PDF-1.4\n1 0 obj\n<</Creator (Chromium) /CreationDate (D:20240101093000+02'00') /ModDate (D:20240101093000+02'00')>>\nendobj\n".to_vec();
        let out = normalise_in_place(pdf.clone(), b"D:20261127120000+00'00'").unwrap();
        assert_eq!(out.len(), pdf.len());
        assert!(contains(&out, b"/CreationDate (D:20261127120000+00'00') /ModDate (D:20261127120000+00'00')"));
    }
}
