//! The campaign's data inside a PDF/A-3b file: `summary.json` and the export copies
//! as associated files (docs/pdf.md, "Archival PDFs").
//!
//! Each file is an embedded file stream with its MIME type and modification date,
//! a file specification with its `/AFRelationship`, listed in the catalog's `/AF`
//! array and in the `/EmbeddedFiles` name tree, where readers find attachments.
//! Files past the size cap stay out, and a short note embedded in their place says
//! which and where the full copies live. The bytes come from the files the run
//! wrote, so they are what the role may see.

use std::path::PathBuf;

use lopdf::{Dictionary, Document, Object, Stream};

/// What an embedded file is to the document (`/AFRelationship`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relationship {
    /// The data the document was made from (the export copies).
    Data,
    /// Something that adds to the document (the summary, the note on files left out).
    Supplement,
}

impl Relationship {
    fn name(self) -> &'static str {
        match self {
            Relationship::Data => "Data",
            Relationship::Supplement => "Supplement",
        }
    }
}

/// Where an attachment's bytes are.
#[derive(Debug, Clone)]
pub enum Source {
    Bytes(Vec<u8>),
    /// A file the run wrote (still under its temporary name while the PDFs print).
    File(PathBuf),
}

/// One file to embed in a PDF/A-3b file.
#[derive(Debug, Clone)]
pub struct Attachment {
    /// The file name a reader shows and saves it under (`tasks.csv`).
    pub name: String,
    /// Its MIME type (`text/csv`), the embedded file's `/Subtype`.
    pub mime: &'static str,
    pub relationship: Relationship,
    /// A line for the reader's attachments panel (`/Desc`).
    pub description: String,
    /// Its size in bytes, for the cap.
    pub size: u64,
    /// Where the full copy lives in the snapshot (`campaigns/<id>/export/tasks.csv`).
    pub snapshot_path: String,
    pub source: Source,
}

impl Attachment {
    fn bytes(&self) -> Result<std::borrow::Cow<'_, [u8]>, String> {
        match &self.source {
            Source::Bytes(bytes) => Ok(bytes.as_slice().into()),
            Source::File(path) => {
                std::fs::read(path).map(Into::into).map_err(|e| format!("cannot read {} to attach it: {e}", self.name))
            }
        }
    }
}

/// The attachments whose sizes add up to at most `cap` bytes, taken in order; when
/// some are left out, a note saying which and where their full copies live is
/// attached, and the same sentence is returned for the printed page.
pub fn within_cap(candidates: Vec<Attachment>, cap: u64) -> (Vec<Attachment>, Option<String>) {
    let mut total = 0u64;
    let mut kept = Vec::with_capacity(candidates.len() + 1);
    let mut left_out = Vec::new();
    for attachment in candidates {
        if total + attachment.size <= cap {
            total += attachment.size;
            kept.push(attachment);
        } else {
            left_out.push(attachment);
        }
    }
    if left_out.is_empty() {
        return (kept, None);
    }
    let printed = format!(
        "Not attached to this PDF, over its {:.0} MB limit for attachments: {}. Their full copies are in \
         the snapshot this PDF was built in: {}.",
        cap as f64 / 1e6,
        left_out.iter().map(|a| format!("{} ({})", a.name, size(a.size))).collect::<Vec<_>>().join(", "),
        left_out.iter().map(|a| a.snapshot_path.as_str()).collect::<Vec<_>>().join(", "),
    );
    {
        let list: Vec<String> =
            left_out.iter().map(|a| format!("- {} ({}): {}\n", a.name, size(a.size), a.snapshot_path)).collect();
        let text = format!(
            "These files of the campaign are not attached to this PDF: together with the others they \
             would pass the cap of {:.0} MB (--pdf-attach-max-mb). Their full copies live in the \
             snapshot folder this PDF was built in:\n\n{}",
            cap as f64 / 1e6,
            list.concat()
        );
        kept.push(Attachment {
            name: "attachments-left-out.txt".into(),
            mime: "text/plain",
            relationship: Relationship::Supplement,
            description: "Which files were too large to attach, and where their full copies live".into(),
            size: text.len() as u64,
            snapshot_path: String::new(),
            source: Source::Bytes(text.into_bytes()),
        });
    }
    (kept, Some(printed))
}

/// A file size for people: kB below a megabyte, else MB with one decimal (10^3 and 10^6 bytes).
fn size(bytes: u64) -> String {
    if bytes < 1_000_000 { format!("{} kB", bytes.div_ceil(1000)) } else { format!("{:.1} MB", bytes as f64 / 1e6) }
}

/// Embeds the attachments as associated files of the document; `date` is their
/// modification date (a PDF date string). Returns every byte embedded, in order,
/// for the file's ID.
pub(super) fn embed(doc: &mut Document, attachments: &[Attachment], date: &str) -> Result<Vec<u8>, String> {
    let mut seen = Vec::new();
    let mut names: Vec<(Vec<u8>, Object)> = Vec::new();
    let mut af = Vec::new();
    for attachment in attachments {
        let bytes = attachment.bytes()?;
        seen.extend_from_slice(attachment.name.as_bytes());
        seen.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
        seen.extend_from_slice(&bytes);
        let mut params = Dictionary::new();
        params.set("Size", bytes.len() as i64);
        params.set("ModDate", Object::string_literal(date));
        let mut dict = Dictionary::new();
        dict.set("Type", "EmbeddedFile");
        dict.set("Subtype", attachment.mime);
        dict.set("Params", params);
        let mut stream = Stream::new(dict, bytes.into_owned());
        stream.compress().map_err(|e| format!("cannot compress {}: {e}", attachment.name))?;
        let file = doc.add_object(stream);
        let mut ef = Dictionary::new();
        ef.set("F", file);
        ef.set("UF", file);
        let mut spec = Dictionary::new();
        spec.set("Type", "Filespec");
        spec.set("F", Object::string_literal(attachment.name.as_str()));
        spec.set("UF", super::text_string(&attachment.name));
        spec.set("Desc", super::text_string(&attachment.description));
        spec.set("AFRelationship", attachment.relationship.name());
        spec.set("EF", ef);
        let spec = doc.add_object(spec);
        names.push((attachment.name.as_bytes().to_vec(), Object::Reference(spec)));
        af.push(Object::Reference(spec));
    }
    if af.is_empty() {
        return Ok(seen);
    }
    // A name tree's keys are sorted by their bytes.
    names.sort_by(|a, b| a.0.cmp(&b.0));
    let tree: Vec<Object> = names.into_iter().flat_map(|(k, v)| [Object::string_literal(k), v]).collect();
    let mut embedded = Dictionary::new();
    embedded.set("Names", tree);
    let catalog_names = match doc.catalog().ok().and_then(|c| c.get(b"Names").ok()) {
        Some(Object::Reference(id)) => Some(*id),
        _ => None,
    };
    let bad = |e: lopdf::Error| format!("the PDF's catalog cannot be changed: {e}");
    let names_dict = match catalog_names {
        Some(id) => doc.get_dictionary_mut(id).map_err(bad)?,
        None => {
            let catalog = doc.catalog_mut().map_err(bad)?;
            if !matches!(catalog.get(b"Names"), Ok(Object::Dictionary(_))) {
                catalog.set("Names", Dictionary::new());
            }
            catalog.get_mut(b"Names").and_then(Object::as_dict_mut).map_err(bad)?
        }
    };
    names_dict.set("EmbeddedFiles", embedded);
    doc.catalog_mut().map_err(bad)?.set("AF", af);
    Ok(seen)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, size: u64) -> Attachment {
        Attachment {
            name: name.into(),
            mime: "text/csv",
            relationship: Relationship::Data,
            description: String::new(),
            size,
            snapshot_path: format!("campaigns/c/export/{name}"),
            source: Source::Bytes(Vec::new()),
        }
    }

    #[test]
    fn files_past_the_cap_are_left_out_with_a_note_that_says_where_they_are() {
        let (kept, printed) =
            within_cap(vec![file("summary.json", 10), file("tasks.csv", 95), file("calls.csv", 80)], 100);
        let printed = printed.expect("a sentence for the page");
        assert!(printed.contains("tasks.csv (1 kB)") && printed.contains("export/tasks.csv"), "{printed}");
        let names: Vec<&str> = kept.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["summary.json", "calls.csv", "attachments-left-out.txt"]);
        let Source::Bytes(note) = &kept[2].source else { panic!("the note is text") };
        let note = String::from_utf8(note.clone()).unwrap();
        assert!(note.contains("- tasks.csv (1 kB): campaigns/c/export/tasks.csv"), "{note}");
        assert!(!note.contains("calls.csv"));
        let (kept, printed) = within_cap(vec![file("summary.json", 10)], 100);
        assert_eq!((kept.len(), printed), (1, None));
    }
}
