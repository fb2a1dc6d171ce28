//! Files for the upload tests, made here (nothing downloaded): a good ID photo (white background,
//! 358×441, 40–80 KB JPEG), bad ones, a small PNG and a small PDF; and the helper every test
//! that submits an application needs: [`upload_required_documents`].

use image::{Rgb, RgbImage};

use super::TestApp;

/// A deterministic noise generator (xorshift), so that every run makes the same files.
struct Noise(u32);

impl Noise {
    fn next(&mut self) -> u8 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 17;
        self.0 ^= self.0 << 5;
        (self.0 >> 24) as u8
    }
}

/// A portrait "photo" on `background`: a noisy (detailed) head and shoulders in the middle that
/// keeps the JPEG above 40 KB, and a plain background band along the top and sides.
pub fn portrait(width: u32, height: u32, background: [u8; 3]) -> RgbImage {
    let mut noise = Noise(0x9E37_79B9);
    let margin_x = width / 6;
    let margin_top = height / 7;
    RgbImage::from_fn(width, height, |x, y| {
        let inside = x >= margin_x && x < width - margin_x && y >= margin_top;
        if inside {
            let n = noise.next();
            Rgb([n, n / 2 + 40, 255 - n])
        } else {
            Rgb(background)
        }
    })
}

pub fn jpeg(image: &RgbImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(image)
        .expect("JPEG encodes");
    out
}

/// A JPEG of `image` whose size is within `range` bytes (a binary search on the quality, as the
/// page's in-browser fix does).
pub fn jpeg_within(image: &RgbImage, range: std::ops::RangeInclusive<usize>) -> Vec<u8> {
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

fn cached(cell: &'static std::sync::OnceLock<Vec<u8>>, make: impl FnOnce() -> Vec<u8>) -> Vec<u8> {
    cell.get_or_init(make).clone()
}

/// A photo that passes every check: JPEG, 40–80 KB, 358×441, white background.
pub fn good_photo() -> Vec<u8> {
    static CELL: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    cached(&CELL, || {
        jpeg_within(&portrait(358, 441, [255, 255, 255]), 50_000..=75_000)
    })
}

/// Right size and shape, grey background.
pub fn grey_photo() -> Vec<u8> {
    static CELL: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    cached(&CELL, || {
        jpeg_within(&portrait(358, 441, [150, 150, 150]), 50_000..=75_000)
    })
}

/// White background, 40–80 KB, but landscape and below the minimum dimensions.
pub fn wrong_size_photo() -> Vec<u8> {
    static CELL: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    cached(&CELL, || {
        jpeg_within(&portrait(280, 200, [255, 255, 255]), 41_000..=79_000)
    })
}

/// A small PNG (for the ID card sides and certificates).
pub fn small_png() -> Vec<u8> {
    let image = RgbImage::from_fn(64, 40, |x, y| Rgb([(x * 4) as u8, (y * 6) as u8, 128]));
    let mut out = std::io::Cursor::new(Vec::new());
    image
        .write_to(&mut out, image::ImageFormat::Png)
        .expect("PNG encodes");
    out.into_inner()
}

/// A minimal but whole PDF (one empty page, with `%%EOF`).
pub fn small_pdf() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n".to_vec()
}

/// POST /api/v1/applications/{id}/documents/{kind} with `bytes` as the multipart field `file`.
pub async fn upload_document(
    app: &TestApp,
    client: &reqwest::Client,
    csrf: &str,
    application_id: i64,
    kind: &str,
    file_name: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    let part = reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_owned());
    client
        .post(app.url(&format!(
            "/api/v1/applications/{application_id}/documents/{kind}"
        )))
        .header("X-CSRF-Token", csrf)
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .expect("POST a document")
}

/// Uploads a valid file for every document the application needs now (the list follows the
/// declaration: call it after the declaration is saved): the good photo, a PNG for the ID card
/// and a PDF for the rest. Call it before submitting: submission is refused while a required
/// document is missing.
pub async fn upload_required_documents(
    app: &TestApp,
    client: &reqwest::Client,
    csrf: &str,
    application_id: i64,
) {
    let listed = client
        .get(app.url(&format!("/api/v1/applications/{application_id}/documents")))
        .send()
        .await
        .expect("GET the documents");
    assert_eq!(listed.status(), 200, "list the required documents");
    let documents: serde_json::Value = listed.json().await.expect("JSON");
    for document in documents.as_array().expect("a list") {
        let kind = document["kind"].as_str().expect("kind");
        let (name, bytes) = match kind {
            "photo" => ("photo.jpg", good_photo()),
            "id_card_front" | "id_card_back" => ("id-card.png", small_png()),
            _ => ("scan.pdf", small_pdf()),
        };
        let response = upload_document(app, client, csrf, application_id, kind, name, bytes).await;
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        assert_eq!(status, 201, "upload {kind}: {text}");
    }
}
