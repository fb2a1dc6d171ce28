//! 证件信息上传: which documents an application needs, what each must be, and what makes an
//! upload acceptable. The type of a file is read from its content (magic bytes), never from its
//! name; a truncated image is refused even though image decoders accept it.
//!
//! The photo's pixels are measured by the caller (an image decoder is I/O-heavy and not a
//! rule); [`check_photo`] judges the measurements.

use serde::{Deserialize, Serialize};

use super::issues::FieldIssue;
use crate::catalogue::EligibilityRule;

const KB: usize = 1024;
const MB: usize = 1024 * KB;

/// The photo's size limits (the seed: "JPG格式，40k-80k").
pub const PHOTO_MIN_BYTES: usize = 40 * KB;
pub const PHOTO_MAX_BYTES: usize = 80 * KB;
/// Every other document's limit: a phone camera's JPEG or a scanned PDF.
pub const DOCUMENT_MAX_BYTES: usize = 5 * MB;

/// The smallest photo accepted: a 1-inch ID photo (25×35 mm) at 300 dpi.
pub const PHOTO_MIN_WIDTH: u32 = 295;
pub const PHOTO_MIN_HEIGHT: u32 = 413;
/// Height over width: 1-inch is 1.4; crops from 3:4 (1.33) to 2:3 (1.5) pass, with margin.
pub const PHOTO_RATIO: std::ops::RangeInclusive<f32> = 1.2..=1.6;
/// A white or near-white background, measured on the border pixels.
pub const PHOTO_MIN_BORDER_MEAN_LUMA: f32 = 200.0;
pub const PHOTO_MIN_BORDER_P10_LUMA: f32 = 170.0;
/// HSV saturation (0..=1) of the border: above this it is a coloured (blue, red) background.
pub const PHOTO_MAX_BORDER_SATURATION: f32 = 0.15;

/// A kind of uploaded document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    IdCardFront,
    IdCardBack,
    Photo,
    PreviousCertificate,
    Diploma,
    ApprenticeshipProof,
    PreparatoryTechnicianCertificate,
    RegistrationForm,
    Other,
}

impl DocumentKind {
    pub const ALL: [DocumentKind; 9] = [
        DocumentKind::IdCardFront,
        DocumentKind::IdCardBack,
        DocumentKind::Photo,
        DocumentKind::PreviousCertificate,
        DocumentKind::Diploma,
        DocumentKind::ApprenticeshipProof,
        DocumentKind::PreparatoryTechnicianCertificate,
        DocumentKind::RegistrationForm,
        DocumentKind::Other,
    ];

    pub fn code(&self) -> &'static str {
        match self {
            DocumentKind::IdCardFront => "id_card_front",
            DocumentKind::IdCardBack => "id_card_back",
            DocumentKind::Photo => "photo",
            DocumentKind::PreviousCertificate => "previous_certificate",
            DocumentKind::Diploma => "diploma",
            DocumentKind::ApprenticeshipProof => "apprenticeship_proof",
            DocumentKind::PreparatoryTechnicianCertificate => "preparatory_technician_certificate",
            DocumentKind::RegistrationForm => "registration_form",
            DocumentKind::Other => "other",
        }
    }

    pub fn parse(raw: &str) -> Option<DocumentKind> {
        DocumentKind::ALL.into_iter().find(|k| k.code() == raw)
    }

    pub fn label(&self) -> &'static str {
        match self {
            DocumentKind::IdCardFront => "身份证人像面",
            DocumentKind::IdCardBack => "身份证国徽面",
            DocumentKind::Photo => "白底证件照",
            DocumentKind::PreviousCertificate => "上一级别证书",
            DocumentKind::Diploma => "毕业证书",
            DocumentKind::ApprenticeshipProof => "学徒期满证明",
            DocumentKind::PreparatoryTechnicianCertificate => "预备技师证书",
            DocumentKind::RegistrationForm => "职业技能认定登记表（签字后扫描）",
            DocumentKind::Other => "其他材料",
        }
    }

    /// What the upload must be, in words, shown beside its upload button.
    pub fn requirement(&self) -> &'static str {
        match self {
            DocumentKind::IdCardFront => {
                "身份证人像面照片，拍摄清晰、四角完整、无遮挡和反光，证件在有效期内；JPG、PNG 或 PDF，不超过 5 MB"
            }
            DocumentKind::IdCardBack => {
                "身份证国徽面照片，拍摄清晰、四角完整、有效期限可辨认；JPG、PNG 或 PDF，不超过 5 MB"
            }
            DocumentKind::Photo => {
                "JPG 格式，40–80 KB，白色背景，竖向，至少 295×413 像素；须为本人近期电子版证件照，不得翻拍身份证照片或使用过度美颜的自拍"
            }
            DocumentKind::PreviousCertificate => {
                "上一级别职业资格证书或职业技能等级证书的照片或扫描件，证书编号清晰可辨；JPG、PNG 或 PDF，不超过 5 MB"
            }
            DocumentKind::Diploma => {
                "毕业证书的照片或扫描件（在校应届生可上传学校出具的在读证明）；JPG、PNG 或 PDF，不超过 5 MB"
            }
            DocumentKind::ApprenticeshipProof => {
                "学徒期满证明的照片或扫描件，须加盖单位公章；JPG、PNG 或 PDF，不超过 5 MB"
            }
            DocumentKind::PreparatoryTechnicianCertificate => {
                "预备技师证书的照片或扫描件；JPG、PNG 或 PDF，不超过 5 MB"
            }
            DocumentKind::RegistrationForm => {
                "下载登记表，打印后本人签字，拍照或扫描上传，字迹工整、无涂改；JPG、PNG 或 PDF，不超过 5 MB"
            }
            DocumentKind::Other => {
                "其他需要说明的材料（如单位更名证明）；JPG、PNG 或 PDF，不超过 5 MB"
            }
        }
    }

    /// The largest file accepted for this kind.
    pub fn max_bytes(&self) -> usize {
        match self {
            DocumentKind::Photo => PHOTO_MAX_BYTES,
            _ => DOCUMENT_MAX_BYTES,
        }
    }

    /// Whether a file of this type is accepted for this kind: the photo only as JPEG (what the
    /// printed form and the province's system take), others as JPEG, PNG or PDF.
    pub fn accepts(&self, file_type: FileType) -> bool {
        match self {
            DocumentKind::Photo => file_type == FileType::Jpeg,
            _ => true,
        }
    }

    /// The document an eligibility rule's document name ([`EligibilityRule::required_documents`])
    /// stands for.
    pub fn from_rule_document(name: &str) -> Option<DocumentKind> {
        match name {
            "上一级别证书" => Some(DocumentKind::PreviousCertificate),
            "毕业证书" => Some(DocumentKind::Diploma),
            "学徒期满证明" => Some(DocumentKind::ApprenticeshipProof),
            "预备技师证书" => Some(DocumentKind::PreparatoryTechnicianCertificate),
            _ => DocumentKind::ALL.into_iter().find(|k| k.label() == name),
        }
    }
}

impl std::fmt::Display for DocumentKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// The documents to upload: the ID card's two sides and the photo always; the previous-level
/// certificate for a promotion; and what the claimed alternative needs. In the order of
/// [`DocumentKind::ALL`], each once.
///
/// The signed registration form is not among them: it is generated from the submitted
/// application, so it is uploaded (or handed in at the exam) afterwards.
pub fn required_documents(
    rule_claimed: Option<&EligibilityRule>,
    promotion: bool,
) -> Vec<DocumentKind> {
    let mut kinds = vec![
        DocumentKind::IdCardFront,
        DocumentKind::IdCardBack,
        DocumentKind::Photo,
    ];
    if promotion || rule_claimed.is_some_and(|r| r.required_level().is_some()) {
        kinds.push(DocumentKind::PreviousCertificate);
    }
    if let Some(rule) = rule_claimed {
        kinds.extend(
            rule.required_documents()
                .into_iter()
                .filter_map(DocumentKind::from_rule_document),
        );
    }
    kinds.sort_unstable();
    kinds.dedup();
    kinds
}

/// A file type we accept, as read from the content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FileType {
    Jpeg,
    Png,
    Pdf,
}

impl FileType {
    pub fn mime(&self) -> &'static str {
        match self {
            FileType::Jpeg => "image/jpeg",
            FileType::Png => "image/png",
            FileType::Pdf => "application/pdf",
        }
    }

    pub fn extension(&self) -> &'static str {
        match self {
            FileType::Jpeg => "jpg",
            FileType::Png => "png",
            FileType::Pdf => "pdf",
        }
    }

    pub fn is_image(&self) -> bool {
        matches!(self, FileType::Jpeg | FileType::Png)
    }
}

const JPEG_MAGIC: &[u8] = &[0xFF, 0xD8, 0xFF];
const PNG_MAGIC: &[u8] = &[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
const PDF_MAGIC: &[u8] = b"%PDF-";
/// The last 12 bytes of every PNG: the empty IEND chunk and its CRC.
const PNG_END: &[u8] = &[
    0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];

/// The type of a file from its first bytes.
pub fn sniff(bytes: &[u8]) -> Option<FileType> {
    if bytes.starts_with(JPEG_MAGIC) {
        Some(FileType::Jpeg)
    } else if bytes.starts_with(PNG_MAGIC) {
        Some(FileType::Png)
    } else if bytes.starts_with(PDF_MAGIC) {
        Some(FileType::Pdf)
    } else {
        None
    }
}

/// Trailing bytes some tools and transfers append after the end of a file.
fn without_padding(bytes: &[u8]) -> &[u8] {
    let end = bytes
        .iter()
        .rposition(|b| *b != 0 && !b.is_ascii_whitespace())
        .map_or(0, |i| i + 1);
    &bytes[..end]
}

/// Whether a JPEG is whole: it starts with SOI (FF D8) and ends with the EOI marker (FF D9),
/// allowing trailing zero padding or whitespace. A truncated upload lacks the EOI, yet image
/// decoders show it with a grey lower part.
pub fn jpeg_is_complete(bytes: &[u8]) -> bool {
    let body = without_padding(bytes);
    body.len() >= 4 && body.starts_with(&[0xFF, 0xD8]) && body.ends_with(&[0xFF, 0xD9])
}

/// Whether a PNG ends with its IEND chunk (trailing padding allowed).
pub fn png_is_complete(bytes: &[u8]) -> bool {
    let body = without_padding(bytes);
    body.starts_with(PNG_MAGIC)
        && body.len() >= PNG_MAGIC.len() + PNG_END.len()
        && body.ends_with(PNG_END)
}

/// Whether a PDF has its end-of-file marker `%%EOF` near the end (incremental updates and
/// trailing newlines put it a little before the last byte).
pub fn pdf_is_complete(bytes: &[u8]) -> bool {
    let body = without_padding(bytes);
    let tail = &body[body.len().saturating_sub(1024)..];
    body.starts_with(PDF_MAGIC) && tail.windows(5).any(|w| w == b"%%EOF")
}

/// Whether a file of the given type is whole.
pub fn is_complete(file_type: FileType, bytes: &[u8]) -> bool {
    match file_type {
        FileType::Jpeg => jpeg_is_complete(bytes),
        FileType::Png => png_is_complete(bytes),
        FileType::Pdf => pdf_is_complete(bytes),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UploadError {
    #[error("文件是空的，请重新选择")]
    Empty,
    #[error("文件太大：{label}不能超过 {}", size_text(*.max_bytes))]
    TooLarge {
        label: &'static str,
        max_bytes: usize,
    },
    #[error("只能上传 JPG、PNG 或 PDF 文件（按文件内容识别，改扩展名无效）")]
    UnknownType,
    #[error("{label}只能上传 JPG 格式")]
    NotAccepted { label: &'static str },
    #[error("文件不完整（可能上传中断或已损坏），请重新上传")]
    Truncated,
}

impl UploadError {
    pub fn code(&self) -> &'static str {
        match self {
            UploadError::Empty => "upload_empty",
            UploadError::TooLarge { .. } => "upload_too_large",
            UploadError::UnknownType => "upload_unknown_type",
            UploadError::NotAccepted { .. } => "upload_type_not_accepted",
            UploadError::Truncated => "upload_truncated",
        }
    }
}

/// "80 KB", "5 MB": a size limit in words (KB rounded up).
pub fn size_text(bytes: usize) -> String {
    if bytes >= MB && bytes.is_multiple_of(MB) {
        format!("{} MB", bytes / MB)
    } else if bytes >= MB {
        format!("{:.1} MB", bytes as f64 / MB as f64)
    } else {
        format!("{} KB", bytes.div_ceil(KB))
    }
}

/// Checks an upload of `kind` by its content: not empty, within the kind's size limit, a type
/// the kind accepts, and whole. The photo's own rules (size floor, shape, background) are
/// [`check_photo`]'s.
pub fn check_upload(kind: DocumentKind, bytes: &[u8]) -> Result<FileType, UploadError> {
    if bytes.is_empty() {
        return Err(UploadError::Empty);
    }
    if bytes.len() > kind.max_bytes() {
        return Err(UploadError::TooLarge {
            label: kind.label(),
            max_bytes: kind.max_bytes(),
        });
    }
    let file_type = sniff(bytes).ok_or(UploadError::UnknownType)?;
    if !kind.accepts(file_type) {
        return Err(UploadError::NotAccepted {
            label: kind.label(),
        });
    }
    if !is_complete(file_type, bytes) {
        return Err(UploadError::Truncated);
    }
    Ok(file_type)
}

/// Measurements of a photo, taken by the caller after decoding it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PhotoFacts {
    pub bytes: usize,
    pub width: u32,
    pub height: u32,
    /// Mean luma (0..=255) of the border pixels (a band around the edge, where the background
    /// shows).
    pub border_mean_luma: f32,
    /// The 10th percentile of the border's luma: a shadow or a dark object at the edge pulls it
    /// down even when the mean is bright.
    pub border_min_luma_p10: f32,
    /// Mean HSV saturation (0..=1) of the border pixels.
    pub border_saturation: f32,
}

/// The adjust-in-browser hint every fixable photo finding ends with.
const FIX_ONLINE: &str = "或使用下方“在线调整”";

/// Judges a photo: 40–80 KB, portrait with an ID-photo ratio, at least 295×413 pixels, a white
/// or near-white background. Each finding says what to do. Field "photo".
pub fn check_photo(f: &PhotoFacts) -> Vec<FieldIssue> {
    const FIELD: &str = "photo";
    let mut issues = Vec::new();

    if f.bytes < PHOTO_MIN_BYTES {
        issues.push(FieldIssue::error(
            FIELD,
            "photo_file_too_small",
            format!(
                // Rounded down, so that 40 959 bytes does not read as "40 KB, too small".
                "照片文件太小（{} KB），需为 40–80 KB：请上传更清晰的原图，{FIX_ONLINE}",
                f.bytes / KB
            ),
        ));
    } else if f.bytes > PHOTO_MAX_BYTES {
        issues.push(FieldIssue::error(
            FIELD,
            "photo_file_too_large",
            format!(
                "照片文件太大（{} KB），需为 40–80 KB：请压缩后重新上传，{FIX_ONLINE}压缩",
                f.bytes.div_ceil(KB)
            ),
        ));
    }

    let ratio = f.height as f32 / f.width.max(1) as f32;
    if f.height <= f.width {
        issues.push(FieldIssue::error(
            FIELD,
            "photo_not_portrait",
            format!("照片需为竖向（高度大于宽度）：请裁剪为证件照比例后重新上传，{FIX_ONLINE}"),
        ));
    } else if !PHOTO_RATIO.contains(&ratio) {
        issues.push(FieldIssue::error(
            FIELD,
            "photo_ratio",
            format!(
                "照片比例不对（当前 {}×{}），证件照宽高比约为 5:7（如 295×413）：请裁剪后重新上传，{FIX_ONLINE}",
                f.width, f.height
            ),
        ));
    }

    if f.width < PHOTO_MIN_WIDTH || f.height < PHOTO_MIN_HEIGHT {
        issues.push(FieldIssue::error(
            FIELD,
            "photo_too_small",
            format!(
                "照片尺寸太小（当前 {}×{} 像素），至少需 295×413 像素：请上传原始照片，不要使用截图或缩略图",
                f.width, f.height
            ),
        ));
    }

    // Written as "not at least" so that an unmeasurable (NaN) value fails too.
    let bright = f.border_mean_luma >= PHOTO_MIN_BORDER_MEAN_LUMA
        && f.border_min_luma_p10 >= PHOTO_MIN_BORDER_P10_LUMA;
    let neutral = f.border_saturation <= PHOTO_MAX_BORDER_SATURATION;
    if !bright {
        issues.push(FieldIssue::error(
            FIELD,
            "photo_background",
            "照片背景需为白色，请在白色墙前重新拍摄后上传（在线调整只能裁剪和压缩，不能更换背景）"
                .to_owned(),
        ));
    } else if !neutral {
        issues.push(FieldIssue::error(
            FIELD,
            "photo_background_color",
            "照片背景需为白色，不能是蓝色、红色等彩色背景：请在白色墙前重新拍摄后上传".to_owned(),
        ));
    }
    issues
}

#[cfg(test)]
mod tests;
