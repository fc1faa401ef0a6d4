//! The XMP metadata packet of an archival PDF: the PDF/A identification and the
//! document's title, dates, creator tool and producer, the same values DocInfo
//! holds (docs/pdf.md, "Archival PDFs").

/// What the packet states; every value is also written to DocInfo.
pub(super) struct Facts<'a> {
    /// 2 or 3 (`pdfaid:part`); the conformance level is always B.
    pub part: u8,
    pub title: &'a str,
    /// The snapshot time, as `xmp:CreateDate`, `xmp:ModifyDate` and `xmp:MetadataDate`.
    pub date: jiff::Timestamp,
    pub creator_tool: &'a str,
    pub producer: &'a str,
}

/// The packet, ready to be the catalog's `/Metadata` stream (UTF-8, uncompressed).
pub(super) fn packet(facts: &Facts) -> Vec<u8> {
    let date = facts.date.strftime("%Y-%m-%dT%H:%M:%S+00:00").to_string();
    format!(
        concat!(
            "<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n",
            "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n",
            " <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n",
            "  <rdf:Description rdf:about=\"\"\n",
            "    xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\"\n",
            "    xmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n",
            "    xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\"\n",
            "    xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\">\n",
            "   <pdfaid:part>{part}</pdfaid:part>\n",
            "   <pdfaid:conformance>B</pdfaid:conformance>\n",
            "   <dc:format>application/pdf</dc:format>\n",
            "   <dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">{title}</rdf:li></rdf:Alt></dc:title>\n",
            "   <xmp:CreateDate>{date}</xmp:CreateDate>\n",
            "   <xmp:ModifyDate>{date}</xmp:ModifyDate>\n",
            "   <xmp:MetadataDate>{date}</xmp:MetadataDate>\n",
            "   <xmp:CreatorTool>{creator}</xmp:CreatorTool>\n",
            "   <pdf:Producer>{producer}</pdf:Producer>\n",
            "  </rdf:Description>\n",
            " </rdf:RDF>\n",
            "</x:xmpmeta>\n",
            "<?xpacket end=\"r\"?>"
        ),
        part = facts.part,
        title = xml_text(facts.title),
        date = date,
        creator = xml_text(facts.creator_tool),
        producer = xml_text(facts.producer),
    )
    .into_bytes()
}

/// Text as XML character data: markup escaped, and the characters XML 1.0 forbids
/// (most control characters) replaced, since an export's campaign name may hold them.
fn xml_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_packet_names_the_part_and_escapes_the_title() {
        let facts = Facts {
            part: 3,
            title: "Q3 <win-back> & \u{7}more",
            date: "2026-11-27T12:00:00Z".parse().unwrap(),
            creator_tool: "campaign-report",
            producer: "Skia/PDF m156; campaign-report",
        };
        let xmp = String::from_utf8(packet(&facts)).unwrap();
        assert!(xmp.contains("<pdfaid:part>3</pdfaid:part>"));
        assert!(xmp.contains("<pdfaid:conformance>B</pdfaid:conformance>"));
        assert!(xmp.contains(">Q3 &lt;win-back&gt; &amp; \u{fffd}more</rdf:li>"));
        assert!(xmp.contains("<xmp:CreateDate>2026-11-27T12:00:00+00:00</xmp:CreateDate>"));
    }
}
