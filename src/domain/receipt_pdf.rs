//! A receipt as a one-page PDF: the slip's lines in a monospaced TrueType font with Cyrillic
//! (DejaVu Sans Mono by default), embedded whole as a CID font with a ToUnicode map, so the
//! page prints the same everywhere and its text can be searched and copied.
//!
//! Written by hand (a PDF of one page of text is a dozen objects); the font is read from a
//! file (`[desk] pdf_font`), never shipped with kassa.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::receipt::Receipt;

/// Where Debian's fonts-dejavu-core puts the font used unless `[desk] pdf_font` says otherwise.
pub const DEFAULT_FONT: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PdfError {
    #[error("{0} is not a TrueType font kassa can read")]
    BadFont(String),
    #[error("the font has no glyph for '{0}'")]
    NoGlyph(char),
}

/// Characters per line on the PDF slip (80 mm paper).
pub const PDF_WIDTH: usize = 42;
const FONT_SIZE: f32 = 9.0;
const LEADING: f32 = 11.5;
const MARGIN: f32 = 14.0;

/// The receipt as PDF bytes, in `font` (the bytes of a TrueType file named `font_name`).
pub fn receipt_pdf(r: &Receipt, font: &[u8], font_name: &str) -> Result<Vec<u8>, PdfError> {
    let face = ttf_parser::Face::parse(font, 0).map_err(|_| PdfError::BadFont(font_name.to_string()))?;
    let per_em = f32::from(face.units_per_em());
    let scale = |v: f32| v * 1000.0 / per_em;
    let lines = r.lines(PDF_WIDTH);
    // every character's glyph and width (in thousandths of the font size)
    let mut glyphs: BTreeMap<u16, (char, u16)> = BTreeMap::new();
    let mut encoded: Vec<String> = Vec::with_capacity(lines.len());
    for line in &lines {
        let mut hex = String::with_capacity(line.len() * 4);
        for c in line.chars() {
            let gid = face.glyph_index(c).ok_or(PdfError::NoGlyph(c))?;
            let advance = face.glyph_hor_advance(gid).unwrap_or(0);
            glyphs.entry(gid.0).or_insert((c, scale(f32::from(advance)).round() as u16));
            let _ = write!(hex, "{:04X}", gid.0);
        }
        encoded.push(hex);
    }
    let advance_m = face.glyph_index('M').and_then(|g| face.glyph_hor_advance(g)).unwrap_or(0);
    let char_width = scale(f32::from(advance_m)) / 1000.0 * FONT_SIZE;
    let page_w = (MARGIN * 2.0 + char_width * PDF_WIDTH as f32).ceil();
    let page_h = (MARGIN * 2.0 + LEADING * lines.len() as f32).ceil();

    let mut content =
        format!("BT /F1 {FONT_SIZE} Tf {LEADING} TL {MARGIN} {} Td\n", page_h - MARGIN - FONT_SIZE);
    for hex in &encoded {
        let _ = writeln!(content, "<{hex}> Tj T*");
    }
    content.push_str("ET\n");

    let widths: String = glyphs.iter().map(|(gid, (_, w))| format!("{gid} [{w}] ")).collect();
    let mut cmap = String::from(
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def /CMapType 2 def\n\
         1 begincodespacerange <0000> <FFFF> endcodespacerange\n",
    );
    for chunk in glyphs.iter().collect::<Vec<_>>().chunks(100) {
        let _ = writeln!(cmap, "{} beginbfchar", chunk.len());
        for (gid, (c, _)) in chunk {
            let mut units = [0u16; 2];
            let utf16: String = c.encode_utf16(&mut units).iter().map(|u| format!("{u:04X}")).collect();
            let _ = writeln!(cmap, "<{gid:04X}> <{utf16}>");
        }
        cmap.push_str("endbfchar\n");
    }
    cmap.push_str("endcmap CMapName currentdict /CMap defineresource pop end end\n");

    let bbox = face.global_bounding_box();
    let base = "DejaVuSansMono";
    let objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {page_w} {page_h}] \
             /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>"
        )
        .into_bytes(),
        format!(
            "<< /Type /Font /Subtype /Type0 /BaseFont /{base} /Encoding /Identity-H \
             /DescendantFonts [6 0 R] /ToUnicode 7 0 R >>"
        )
        .into_bytes(),
        stream(content.as_bytes(), ""),
        format!(
            "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /{base} \
             /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> \
             /FontDescriptor 8 0 R /CIDToGIDMap /Identity /DW 600 /W [{widths}] >>"
        )
        .into_bytes(),
        stream(cmap.as_bytes(), ""),
        format!(
            "<< /Type /FontDescriptor /FontName /{base} /Flags 33 /FontBBox [{} {} {} {}] \
             /ItalicAngle 0 /Ascent {} /Descent {} /CapHeight {} /StemV 80 /FontFile2 9 0 R >>",
            scale(f32::from(bbox.x_min)).round(),
            scale(f32::from(bbox.y_min)).round(),
            scale(f32::from(bbox.x_max)).round(),
            scale(f32::from(bbox.y_max)).round(),
            scale(f32::from(face.ascender())).round(),
            scale(f32::from(face.descender())).round(),
            scale(f32::from(face.capital_height().unwrap_or(face.ascender()))).round(),
        )
        .into_bytes(),
        stream(font, &format!(" /Length1 {}", font.len())),
    ];
    let mut pdf: Vec<u8> = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, body) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        pdf.extend_from_slice(body);
        pdf.extend_from_slice(b"\nendobj\n");
    }
    let xref = pdf.len();
    let mut tail = format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for o in offsets {
        let _ = writeln!(tail, "{o:010} 00000 n ");
    }
    let _ =
        write!(tail, "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1);
    pdf.extend_from_slice(tail.as_bytes());
    Ok(pdf)
}

fn stream(data: &[u8], extra: &str) -> Vec<u8> {
    let mut out = format!("<< /Length {}{extra} >>\nstream\n", data.len()).into_bytes();
    out.extend_from_slice(data);
    out.extend_from_slice(b"\nendstream");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_font_that_is_not_one_is_refused() {
        let r = super::super::receipt::tests::sample(false);
        assert!(matches!(receipt_pdf(&r, b"not a font", "x.ttf"), Err(PdfError::BadFont(_))));
    }
}
