//! Test support: the text of a PDF as a reader extracts it, through each font's ToUnicode map.
//!
//! lopdf's own `extract_text` cannot parse the ToUnicode CMaps typst writes (their PostScript
//! resource header), so the few lines of CMap this needs are read here: `bfchar` and `bfrange`
//! entries from two-byte codes (typst writes every font as Identity-H) to UTF-16.

use std::collections::HashMap;

use lopdf::content::Content;
use lopdf::{Document, Object};

/// Every page's text in reading order of the content streams, whitespace removed (table cells
/// wrap wherever their column ends).
pub fn text_of(pdf: &[u8]) -> String {
    let doc = Document::load_mem(pdf).expect("a PDF lopdf can read");
    let mut out = String::new();
    for (_, page_id) in doc.get_pages() {
        let maps: HashMap<Vec<u8>, HashMap<u16, String>> = doc
            .get_page_fonts(page_id)
            .expect("page fonts")
            .into_iter()
            .map(|(name, font)| {
                let map = font
                    .get(b"ToUnicode")
                    .and_then(Object::as_reference)
                    .and_then(|id| doc.get_object(id))
                    .and_then(Object::as_stream)
                    .map(|s| {
                        parse_cmap(
                            &s.decompressed_content()
                                .unwrap_or_else(|_| s.content.clone()),
                        )
                    })
                    .unwrap_or_default();
                (name, map)
            })
            .collect();
        let content = Content::decode(&doc.get_page_content(page_id).expect("page content"))
            .expect("a content stream lopdf can read");
        let mut font: Option<&HashMap<u16, String>> = None;
        for op in &content.operations {
            match op.operator.as_str() {
                "Tf" => {
                    font = op
                        .operands
                        .first()
                        .and_then(|o| o.as_name().ok())
                        .and_then(|n| maps.get(n));
                }
                "Tj" | "TJ" | "'" | "\"" => {
                    for operand in &op.operands {
                        decode(operand, font, &mut out);
                    }
                }
                _ => {}
            }
        }
    }
    out.chars().filter(|c| !c.is_whitespace()).collect()
}

fn decode(operand: &Object, font: Option<&HashMap<u16, String>>, out: &mut String) {
    match operand {
        Object::String(bytes, _) => {
            for pair in bytes.chunks(2) {
                let code = u16::from_be_bytes([pair[0], *pair.get(1).unwrap_or(&0)]);
                match font.and_then(|f| f.get(&code)) {
                    Some(text) => out.push_str(text),
                    None => out.push('\u{FFFD}'),
                }
            }
        }
        Object::Array(items) => items.iter().for_each(|i| decode(i, font, out)),
        _ => {}
    }
}

/// The `<code> <unicode>` lines of `beginbfchar` and the `<lo> <hi> <unicode>` lines of
/// `beginbfrange` sections.
fn parse_cmap(data: &[u8]) -> HashMap<u16, String> {
    let text = String::from_utf8_lossy(data);
    let mut map = HashMap::new();
    let mut section = "";
    for line in text.lines() {
        let line = line.trim();
        if line.ends_with("beginbfchar") {
            section = "char";
            continue;
        }
        if line.ends_with("beginbfrange") {
            section = "range";
            continue;
        }
        if line.starts_with("end") {
            section = "";
            continue;
        }
        let hex: Vec<&str> = line
            .split(['<', '>'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        match (section, hex.as_slice()) {
            ("char", [code, unicode]) => {
                map.insert(parse_code(code), utf16(unicode));
            }
            ("range", [lo, hi, unicode]) => {
                let (lo, hi) = (parse_code(lo), parse_code(hi));
                let first = u16::from_str_radix(unicode, 16).expect("one UTF-16 unit");
                for code in lo..=hi {
                    map.insert(code, String::from_utf16_lossy(&[first + (code - lo)]));
                }
            }
            _ => {}
        }
    }
    map
}

fn parse_code(hex: &str) -> u16 {
    u16::from_str_radix(hex, 16).expect("a two-byte code")
}

fn utf16(hex: &str) -> String {
    let units: Vec<u16> = hex
        .as_bytes()
        .chunks(4)
        .map(|c| u16::from_str_radix(std::str::from_utf8(c).unwrap(), 16).unwrap())
        .collect();
    String::from_utf16_lossy(&units)
}
