//! The files bench candidates upload, made here once per process (nothing downloaded): an ID
//! photo that passes the photo checks (JPEG of 40–80 KB, 358×441, white background, as the
//! tests' `good_photo`), a small PNG for the ID card and a whole one-page PDF.

use std::sync::OnceLock;

use image::{Rgb, RgbImage};

/// A minimal but whole PDF (one empty page, with `%%EOF`).
pub const SMALL_PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";

/// A photo that passes every check. Encoding takes a moment, so it is made once.
pub fn good_photo() -> &'static [u8] {
    static PHOTO: OnceLock<Vec<u8>> = OnceLock::new();
    PHOTO.get_or_init(|| jpeg_within(&portrait(358, 441), 50_000..=75_000))
}

/// A small PNG (the ID card's sides).
pub fn small_png() -> Vec<u8> {
    let image = RgbImage::from_fn(64, 40, |x, y| Rgb([(x * 4) as u8, (y * 6) as u8, 128]));
    let mut out = std::io::Cursor::new(Vec::new());
    image
        .write_to(&mut out, image::ImageFormat::Png)
        .expect("PNG encodes");
    out.into_inner()
}

/// A portrait on white: a noisy (detailed) head and shoulders in the middle keeps the JPEG above
/// 40 KB; the plain band along the top and sides is what the background check measures.
fn portrait(width: u32, height: u32) -> RgbImage {
    // xorshift: the same photo on every run.
    let mut state: u32 = 0x9E37_79B9;
    let mut noise = move || {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        (state >> 24) as u8
    };
    let margin_x = width / 6;
    let margin_top = height / 7;
    RgbImage::from_fn(width, height, |x, y| {
        if x >= margin_x && x < width - margin_x && y >= margin_top {
            let n = noise();
            Rgb([n, n / 2 + 40, 255 - n])
        } else {
            Rgb([255, 255, 255])
        }
    })
}

fn jpeg(image: &RgbImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(image)
        .expect("JPEG encodes");
    out
}

/// A JPEG whose size lands within `range` (a binary search on the quality, as the page's
/// in-browser fix does).
fn jpeg_within(image: &RgbImage, range: std::ops::RangeInclusive<usize>) -> Vec<u8> {
    let (mut low, mut high) = (1u8, 100u8);
    while low <= high {
        let quality = low + (high - low) / 2;
        let bytes = jpeg(image, quality);
        if range.contains(&bytes.len()) {
            return bytes;
        }
        if bytes.len() < *range.start() {
            low = quality + 1;
        } else {
            high = quality - 1;
        }
    }
    panic!("no JPEG quality lands within {range:?}");
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::applications::documents::{DocumentKind, FileType, check_upload};

    #[test]
    fn the_files_pass_the_upload_checks() {
        assert!(matches!(
            check_upload(DocumentKind::Photo, good_photo()),
            Ok(FileType::Jpeg)
        ));
        assert!(matches!(
            check_upload(DocumentKind::IdCardFront, &small_png()),
            Ok(FileType::Png)
        ));
        assert!(matches!(
            check_upload(DocumentKind::PreviousCertificate, SMALL_PDF),
            Ok(FileType::Pdf)
        ));
    }
}
