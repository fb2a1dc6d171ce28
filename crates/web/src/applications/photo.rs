//! Decoding uploaded images: every JPEG or PNG must decode (within size limits that stop a
//! small file from claiming a huge picture), and the photo's pixels are measured for
//! `domain::applications::documents::check_photo`, which judges them.

use std::io::Cursor;

use domain::applications::documents::{FileType, PhotoFacts};
use image::{ImageFormat, ImageReader, Limits, RgbImage};

/// The largest picture decoded: a 48-megapixel phone camera fits; a "decompression bomb" does not.
const MAX_SIDE: u32 = 10_000;
const MAX_ALLOC: u64 = 256 * 1024 * 1024;

/// Decodes an image of the given type (already sniffed from its content).
pub fn decode(file_type: FileType, bytes: &[u8]) -> Option<RgbImage> {
    let format = match file_type {
        FileType::Jpeg => ImageFormat::Jpeg,
        FileType::Png => ImageFormat::Png,
        FileType::Pdf => return None,
    };
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits);
    reader.decode().ok().map(|img| img.to_rgb8())
}

/// The band measured as background: its width in pixels, a few pixels or 3% of the shorter side.
fn band_width(width: u32, height: u32) -> u32 {
    (width.min(height) * 3 / 100)
        .clamp(3, 24)
        .min(width.min(height) / 2)
        .max(1)
}

/// Measures a decoded photo. The background is read from a band along the top edge and down
/// the left and right edges to two thirds of the height: the bottom of an ID photo is the
/// person's shoulders, which are not background.
pub fn measure(image: &RgbImage, byte_size: usize) -> PhotoFacts {
    let (width, height) = image.dimensions();
    let band = band_width(width, height);
    let side_bottom = (height * 2 / 3).max(band);
    let mut lumas: Vec<f32> = Vec::new();
    let mut saturation_sum = 0f64;
    for (x, y, pixel) in image.enumerate_pixels() {
        let in_top = y < band;
        let in_sides = y < side_bottom && (x < band || x >= width.saturating_sub(band));
        if !(in_top || in_sides) {
            continue;
        }
        let [r, g, b] = pixel.0.map(f32::from);
        lumas.push(0.299 * r + 0.587 * g + 0.114 * b);
        let max = r.max(g).max(b);
        let min = r.min(g).min(b);
        saturation_sum += if max > 0.0 {
            f64::from((max - min) / max)
        } else {
            0.0
        };
    }
    let (mean, p10, saturation) = if lumas.is_empty() {
        (f32::NAN, f32::NAN, f32::NAN)
    } else {
        let n = lumas.len();
        let mean = (lumas.iter().map(|l| f64::from(*l)).sum::<f64>() / n as f64) as f32;
        let saturation = (saturation_sum / n as f64) as f32;
        let index = (n - 1) / 10;
        let (_, p10, _) = lumas.select_nth_unstable_by(index, f32::total_cmp);
        (mean, *p10, saturation)
    };
    PhotoFacts {
        bytes: byte_size,
        width,
        height,
        border_mean_luma: mean,
        border_min_luma_p10: p10,
        border_saturation: saturation,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::applications::documents::{DocumentKind, check_photo, check_upload};
    use image::{Rgb, RgbImage};

    /// A portrait "photo": a background colour with a dark head and shoulders in the middle.
    fn portrait(width: u32, height: u32, background: [u8; 3]) -> RgbImage {
        RgbImage::from_fn(width, height, |x, y| {
            let cx = width as f32 / 2.0;
            let head = ((x as f32 - cx) / (width as f32 * 0.2)).powi(2)
                + ((y as f32 - height as f32 * 0.4) / (height as f32 * 0.2)).powi(2)
                <= 1.0;
            let shoulders = y as f32 > height as f32 * 0.75;
            if head || shoulders {
                Rgb([40, 30, 30])
            } else {
                Rgb(background)
            }
        })
    }

    fn jpeg(image: &RgbImage, quality: u8) -> Vec<u8> {
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
            .encode_image(image)
            .unwrap();
        out
    }

    #[test]
    fn a_white_background_measures_bright_and_neutral() {
        let facts = measure(&portrait(358, 441, [252, 252, 252]), 50_000);
        assert_eq!((facts.width, facts.height), (358, 441));
        assert!(facts.border_mean_luma > 245.0, "{facts:?}");
        assert!(facts.border_min_luma_p10 > 245.0, "{facts:?}");
        assert!(facts.border_saturation < 0.02, "{facts:?}");
        assert!(check_photo(&facts).is_empty(), "{:?}", check_photo(&facts));
    }

    #[test]
    fn a_grey_background_is_too_dark() {
        let facts = measure(&portrait(358, 441, [150, 150, 150]), 50_000);
        assert!((facts.border_mean_luma - 150.0).abs() < 1.0, "{facts:?}");
        let codes: Vec<_> = check_photo(&facts).iter().map(|i| i.code).collect();
        assert_eq!(codes, ["photo_background"]);
    }

    #[test]
    fn a_blue_background_is_coloured() {
        let facts = measure(&portrait(358, 441, [200, 225, 255]), 50_000);
        assert!(facts.border_saturation > 0.15, "{facts:?}");
        let codes: Vec<_> = check_photo(&facts).iter().map(|i| i.code).collect();
        assert_eq!(codes, ["photo_background_color"]);
    }

    #[test]
    fn a_dark_edge_pulls_the_tenth_percentile_down() {
        // White, except a dark strip down the left edge: the mean stays bright, p10 does not.
        let mut image = portrait(358, 441, [255, 255, 255]);
        for y in 0..441 {
            for x in 0..6 {
                image.put_pixel(x, y, Rgb([20, 20, 20]));
            }
        }
        let facts = measure(&image, 50_000);
        assert!(facts.border_min_luma_p10 < 100.0, "{facts:?}");
    }

    #[test]
    fn decodes_a_jpeg_and_refuses_a_truncated_one() {
        let bytes = jpeg(&portrait(300, 420, [255, 255, 255]), 90);
        let decoded = decode(FileType::Jpeg, &bytes).expect("decodes");
        assert_eq!(decoded.dimensions(), (300, 420));
        let truncated = &bytes[..bytes.len() * 2 / 3];
        // The decoder alone may accept it; the end-of-image check does not.
        assert!(check_upload(DocumentKind::IdCardFront, truncated).is_err());
        assert!(decode(FileType::Jpeg, b"\xFF\xD8\xFFnot a jpeg\xFF\xD9").is_none());
        assert!(decode(FileType::Pdf, b"%PDF-1.4").is_none());
    }
}
