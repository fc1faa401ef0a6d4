//! Archival PDFs: the PDF Chromium printed, made PDF/A-2b or PDF/A-3b
//! (`--pdf-variant`, docs/pdf.md "Archival PDFs").
//!
//! It exists because an archive wants a file that still opens decades later and
//! carries its evidence with it. After printing, it adds what the standard asks of
//! the file's structure: XMP metadata that DocInfo agrees with (`xmp`), an sRGB
//! output intent with the ICC profile shipped beside this file, a trailer `/ID`
//! derived from the content (so reruns with `--now` stay byte-identical), print
//! flags on annotations and a catalog without JavaScript; for PDF/A-3b, the
//! campaign's data as associated files (`attachments`). It must not change page
//! content: the text a reader extracts is the plain PDF's. Fonts are the one thing
//! decided before printing ([`PRINT_FONTS`]).

mod attachments;
mod xmp;

use lopdf::{Dictionary, Document, Object, Stream, StringFormat};
use sha2::{Digest, Sha256};

pub use attachments::{Attachment, Relationship, Source, within_cap};

/// The sRGB profile of the output intent (`sRGB.icc.LICENSE` beside it names its licence).
const SRGB_ICC: &[u8] = include_bytes!("sRGB.icc");

/// The archival variants of `--pdf-variant`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// PDF/A-2b: ISO 19005-2, level B (the page looks the same in thirty years).
    A2b,
    /// PDF/A-3b: as PDF/A-2b, with the campaign's data embedded as associated files.
    A3b,
}

impl Variant {
    /// The option's value, as `manifest.json` records it: `pdf/a-2b` or `pdf/a-3b`.
    pub fn name(self) -> &'static str {
        match self {
            Variant::A2b => "pdf/a-2b",
            Variant::A3b => "pdf/a-3b",
        }
    }

    fn part(self) -> u8 {
        match self {
            Variant::A2b => 2,
            Variant::A3b => 3,
        }
    }

    /// Whether the variant carries the campaign's data.
    pub fn attaches(self) -> bool {
        self == Variant::A3b
    }
}

/// Noto Emoji, the monochrome outline emoji font (OFL 1.1: `fonts/OFL.txt`; where it
/// comes from: `fonts/README.md`).
const NOTO_EMOJI: &[u8] = include_bytes!("fonts/NotoEmoji-Regular.ttf");

/// The fontconfig file a browser printing PDF/A reads, in the run's folder ([`write_fonts`]).
pub const FONTCONFIG_FILE: &str = "fonts/fonts.conf";

/// The browser's fonts for PDF/A (docs/pdf.md, "Archival PDFs"). Chromium prints a
/// CFF-flavoured OpenType font (Debian's Noto Sans CJK) and a colour emoji font as
/// Type 3 fonts, which a PDF/A validator cannot vouch for. The browser that prints
/// PDF/A therefore reads this fontconfig file: the system's configuration, plus Noto
/// Emoji (shipped with the tool), with the colour emoji font and the CFF CJK fonts
/// turned away and their names served by Noto Emoji and WenQuanYi Zen Hei (TrueType,
/// installed by `scripts/setup`). Symbols Noto Emoji lacks fall back to Symbola. The
/// pages and their style sheet are unchanged.
const FONTCONFIG: &str = r#"<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <dir>FONTS</dir>
  <selectfont>
    <rejectfont>
      <pattern><patelt name="family"><string>Noto Color Emoji</string></patelt></pattern>
      <glob>*/NotoSansCJK*</glob>
      <glob>*/NotoSerifCJK*</glob>
    </rejectfont>
  </selectfont>
  <match target="pattern">
    <test name="family"><string>Noto Color Emoji</string></test>
    <edit name="family" mode="assign" binding="strong"><string>Noto Emoji</string><string>Symbola</string></edit>
  </match>
  <match target="pattern">
    <test name="family" compare="contains"><string>CJK</string></test>
    <edit name="family" mode="assign" binding="strong"><string>WenQuanYi Zen Hei</string></edit>
  </match>
</fontconfig>
"#;

/// CSS for a page (and the footer) printed as PDF/A: no bold or italic synthesised,
/// which Chromium would draw as Type 3 fonts.
pub const PRINT_FONTS: &str = "* { font-synthesis: none; }\n";

/// Writes the fonts of a PDF/A and the fontconfig file naming them into the run's
/// folder `run` ([`FONTCONFIG_FILE`]).
pub fn write_fonts(run: &std::path::Path) -> std::io::Result<()> {
    let folder = run.join("fonts");
    std::fs::create_dir_all(&folder)?;
    std::fs::write(folder.join("NotoEmoji-Regular.ttf"), NOTO_EMOJI)?;
    let conf = FONTCONFIG.replace("FONTS", &crate::text::escape::escaped(&folder.to_string_lossy()));
    std::fs::write(run.join(FONTCONFIG_FILE), conf)
}

/// What makes one campaign's PDF archival.
#[derive(Debug, Clone)]
pub struct Archival {
    pub variant: Variant,
    /// The document's title (DocInfo `/Title` and XMP `dc:title`).
    pub title: String,
    /// The files to embed (PDF/A-3b), already within the size cap ([`within_cap`]).
    pub attachments: Vec<Attachment>,
    /// The sentence the printed page carries when files were left out (which, and where their copies live).
    pub left_out: Option<String>,
}

/// The PDF `pdf` (as printed, dates already the snapshot time) made `archival`'s
/// variant, with `now` as every date it states.
pub(super) fn convert(pdf: &[u8], archival: &Archival, now: jiff::Timestamp) -> Result<Vec<u8>, String> {
    let bad = |e: lopdf::Error| format!("the PDF could not be made {}: {e}", archival.variant.name());
    let mut doc = Document::load_mem(pdf).map_err(bad)?;
    if doc.trailer.has(b"Encrypt") {
        return Err("the browser's PDF is encrypted, which PDF/A forbids".into());
    }
    let date = format!("D:{}+00'00'", now.strftime("%Y%m%d%H%M%S"));
    let mut id = Sha256::new();
    id.update(pdf);
    id.update(archival.variant.name());
    id.update(archival.title.as_bytes());

    clean_catalog(&mut doc).map_err(bad)?;
    flag_annotations(&mut doc);
    clean_type3_fonts(&mut doc);
    add_output_intent(&mut doc).map_err(bad)?;
    let producer = describe(&mut doc, archival, &date).map_err(bad)?;
    let creator_tool = creator_tool();
    let xmp = xmp::packet(&xmp::Facts {
        part: archival.variant.part(),
        title: &archival.title,
        date: now,
        creator_tool: &creator_tool,
        producer: &producer,
    });
    let mut dict = Dictionary::new();
    dict.set("Type", "Metadata");
    dict.set("Subtype", "XML");
    let metadata = doc.add_object(Stream::new(dict, xmp).with_compression(false));
    doc.catalog_mut().map_err(bad)?.set("Metadata", metadata);
    if archival.variant.attaches() {
        id.update(attachments::embed(&mut doc, &archival.attachments, &date)?);
    }

    let digest = id.finalize();
    let file_id = Object::String(digest[..16].to_vec(), StringFormat::Hexadecimal);
    doc.trailer.set("ID", vec![file_id.clone(), file_id]);
    // Associated files are a PDF 1.7 feature (with PDF/A-3's extension); both
    // variants say 1.7, the version PDF/A-2 and 3 build on.
    doc.version = "1.7".into();
    let mut out = Vec::with_capacity(pdf.len() + SRGB_ICC.len() + 4096);
    doc.save_to(&mut out).map_err(|e| format!("the PDF could not be written: {e}"))?;
    Ok(out)
}

/// The catalog as PDF/A wants it: no JavaScript or automatic actions, and viewer
/// preferences without the `/Type` the standard's schema does not know.
fn clean_catalog(doc: &mut Document) -> lopdf::Result<()> {
    let names = match doc.catalog()?.get(b"Names") {
        Ok(Object::Reference(id)) => Some(*id),
        _ => None,
    };
    if let Some(id) = names {
        doc.get_dictionary_mut(id)?.remove(b"JavaScript");
    }
    let catalog = doc.catalog_mut()?;
    catalog.remove(b"AA");
    if let Ok(Object::Dictionary(names)) = catalog.get_mut(b"Names") {
        names.remove(b"JavaScript");
    }
    if let Ok(Object::Dictionary(open)) = catalog.get(b"OpenAction")
        && !open.get(b"S").and_then(Object::as_name).is_ok_and(|s| s == b"GoTo")
    {
        catalog.remove(b"OpenAction");
    }
    if let Ok(Object::Dictionary(prefs)) = catalog.get_mut(b"ViewerPreferences") {
        prefs.remove(b"Type");
    }
    Ok(())
}

/// Every annotation printed and visible (`/F 4`), without automatic actions, and
/// with only link actions that go to a place or a web address.
fn flag_annotations(doc: &mut Document) {
    for object in doc.objects.values_mut() {
        let Ok(dict) = object.as_dict_mut() else { continue };
        if !dict.has(b"Subtype") || !(dict.has_type(b"Annot") || dict.has(b"Rect")) {
            continue;
        }
        dict.set("F", 4);
        dict.remove(b"AA");
        let allowed = match dict.get(b"A") {
            Ok(Object::Dictionary(action)) => {
                action.get(b"S").and_then(Object::as_name).is_ok_and(|s| s == b"URI" || s == b"GoTo")
            }
            _ => true,
        };
        if !allowed {
            dict.remove(b"A");
        }
    }
}

/// Chromium writes a `/CIDToGIDMap` into its Type 3 fonts (colour emoji), a key only
/// CID fonts have; it goes. The Type 3 font stays: see docs/pdf.md on fonts.
fn clean_type3_fonts(doc: &mut Document) {
    for object in doc.objects.values_mut() {
        if let Ok(dict) = object.as_dict_mut()
            && dict.has_type(b"Font")
            && dict.get(b"Subtype").and_then(Object::as_name).is_ok_and(|s| s == b"Type3")
        {
            dict.remove(b"CIDToGIDMap");
        }
    }
}

/// The sRGB output intent every colour of the page is read against.
fn add_output_intent(doc: &mut Document) -> lopdf::Result<()> {
    let mut dict = Dictionary::new();
    dict.set("N", 3);
    let mut profile = Stream::new(dict, SRGB_ICC.to_vec());
    profile.compress()?;
    let profile = doc.add_object(profile);
    let mut intent = Dictionary::new();
    intent.set("Type", "OutputIntent");
    intent.set("S", "GTS_PDFA1");
    intent.set("OutputConditionIdentifier", Object::string_literal("sRGB IEC61966-2.1"));
    intent.set("RegistryName", Object::string_literal("http://www.color.org"));
    intent.set("Info", Object::string_literal("sRGB IEC61966-2.1"));
    intent.set("DestOutputProfile", profile);
    doc.catalog_mut()?.set("OutputIntents", vec![Object::Dictionary(intent)]);
    Ok(())
}

/// The tool that made the document, as DocInfo `/Creator` and XMP `xmp:CreatorTool`.
fn creator_tool() -> String {
    format!("campaign-report {}", env!("CARGO_PKG_VERSION"))
}

/// Writes DocInfo as the XMP packet states it: title, creator, producer and the
/// snapshot time as both dates. Returns the producer: the browser's PDF library
/// (Chromium's `/Producer`), then this tool.
fn describe(doc: &mut Document, archival: &Archival, date: &str) -> lopdf::Result<String> {
    let info = match doc.trailer.get(b"Info") {
        Ok(Object::Reference(id)) => *id,
        _ => {
            let id = doc.add_object(Dictionary::new());
            doc.trailer.set("Info", id);
            id
        }
    };
    let dict = doc.get_dictionary_mut(info)?;
    let printed_by =
        dict.get(b"Producer").and_then(Object::as_str).ok().map(|p| String::from_utf8_lossy(p).into_owned());
    let producer = match printed_by {
        Some(p) if !p.is_empty() => format!("{p}; {}", creator_tool()),
        _ => creator_tool(),
    };
    dict.set("Title", text_string(&archival.title));
    dict.set("Creator", text_string(&creator_tool()));
    dict.set("Producer", text_string(&producer));
    dict.set("CreationDate", Object::string_literal(date));
    dict.set("ModDate", Object::string_literal(date));
    Ok(producer)
}

/// A PDF text string: ASCII as a literal, anything else UTF-16BE with its byte order mark.
fn text_string(text: &str) -> Object {
    if text.chars().all(|c| c.is_ascii() && !c.is_ascii_control()) {
        return Object::string_literal(text);
    }
    let mut bytes = vec![0xfe, 0xff];
    bytes.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
    Object::String(bytes, StringFormat::Hexadecimal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_strings_are_ascii_literals_or_utf16() {
        assert_eq!(text_string("Spring recall"), Object::string_literal("Spring recall"));
        let Object::String(bytes, StringFormat::Hexadecimal) = text_string("café") else { panic!("UTF-16") };
        assert_eq!(bytes, [0xfe, 0xff, 0, b'c', 0, b'a', 0, b'f', 0, 0xe9]);
    }

    #[test]
    fn the_shipped_profile_is_an_rgb_display_profile() {
        assert_eq!(&SRGB_ICC[12..20], b"mntrRGB ");
        assert_eq!(&SRGB_ICC[36..40], b"acsp");
    }
}
