//! 意见反馈: what a candidate may send (a category, a text, an optional screenshot) and what
//! staff answer, as values that cannot be invalid once parsed, and the limit on how often an
//! account may send.

use chrono::Duration;

use crate::applications::documents::{FileType, is_complete, size_text, sniff};
use crate::identity::Limit;

/// The categories the form offers, in its order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FeedbackCategory {
    Registration,
    Payment,
    Exam,
    Certificate,
    System,
    Other,
}

impl FeedbackCategory {
    pub const ALL: [FeedbackCategory; 6] = [
        FeedbackCategory::Registration,
        FeedbackCategory::Payment,
        FeedbackCategory::Exam,
        FeedbackCategory::Certificate,
        FeedbackCategory::System,
        FeedbackCategory::Other,
    ];

    pub fn code(&self) -> &'static str {
        match self {
            FeedbackCategory::Registration => "registration",
            FeedbackCategory::Payment => "payment",
            FeedbackCategory::Exam => "exam",
            FeedbackCategory::Certificate => "certificate",
            FeedbackCategory::System => "system",
            FeedbackCategory::Other => "other",
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            FeedbackCategory::Registration => "报名问题",
            FeedbackCategory::Payment => "缴费问题",
            FeedbackCategory::Exam => "考试问题",
            FeedbackCategory::Certificate => "证书问题",
            FeedbackCategory::System => "系统问题",
            FeedbackCategory::Other => "其他",
        }
    }

    pub fn parse(raw: &str) -> Option<FeedbackCategory> {
        Self::ALL.into_iter().find(|c| c.code() == raw.trim())
    }
}

/// Whether staff have answered yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FeedbackStatus {
    Open,
    Answered,
}

impl FeedbackStatus {
    pub const ALL: [FeedbackStatus; 2] = [FeedbackStatus::Open, FeedbackStatus::Answered];

    pub fn code(&self) -> &'static str {
        match self {
            FeedbackStatus::Open => "open",
            FeedbackStatus::Answered => "answered",
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            FeedbackStatus::Open => "待回复",
            FeedbackStatus::Answered => "已回复",
        }
    }

    pub fn parse(raw: &str) -> Option<FeedbackStatus> {
        Self::ALL.into_iter().find(|s| s.code() == raw.trim())
    }
}

/// The most characters a feedback text or an answer may have.
pub const MAX_TEXT_CHARS: usize = 1000;

/// The largest screenshot accepted.
pub const MAX_SCREENSHOT_BYTES: usize = 5 * 1024 * 1024;

/// How often one account may send feedback: enough for a real problem and its follow-ups,
/// too few to flood the staff's list.
pub const SEND_LIMIT: Limit = Limit::new(5, Duration::hours(1));

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("请填写内容")]
    Empty,
    #[error("内容不能超过 1000 个字")]
    TooLong,
}

impl TextError {
    pub fn code(&self) -> &'static str {
        match self {
            TextError::Empty => "text_required",
            TextError::TooLong => "text_too_long",
        }
    }
}

/// A feedback text or a staff answer: trimmed, not empty, at most [`MAX_TEXT_CHARS`]
/// characters (counted as characters, not bytes: Chinese is three bytes a character).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedbackText(String);

impl FeedbackText {
    pub fn parse(raw: &str) -> Result<FeedbackText, TextError> {
        // Line breaks typed in a textarea arrive as CRLF; keep one kind.
        let text = raw.trim().replace("\r\n", "\n");
        if text.is_empty() {
            Err(TextError::Empty)
        } else if text.chars().count() > MAX_TEXT_CHARS {
            Err(TextError::TooLong)
        } else {
            Ok(FeedbackText(text))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ScreenshotError {
    #[error("截图文件为空，请重新选择")]
    Empty,
    #[error("截图太大：不能超过 5 MB")]
    TooLarge,
    #[error("截图须为 JPEG 或 PNG 图片")]
    NotAnImage,
    #[error("截图文件不完整，请重新截图后上传")]
    Truncated,
}

impl ScreenshotError {
    pub fn code(&self) -> &'static str {
        match self {
            ScreenshotError::Empty => "screenshot_empty",
            ScreenshotError::TooLarge => "screenshot_too_large",
            ScreenshotError::NotAnImage => "screenshot_not_image",
            ScreenshotError::Truncated => "screenshot_truncated",
        }
    }
}

/// Judges a screenshot by its content (never by its name or the browser's content type): a
/// complete JPEG or PNG of at most 5 MB.
pub fn check_screenshot(bytes: &[u8]) -> Result<FileType, ScreenshotError> {
    if bytes.is_empty() {
        return Err(ScreenshotError::Empty);
    }
    if bytes.len() > MAX_SCREENSHOT_BYTES {
        return Err(ScreenshotError::TooLarge);
    }
    let file_type = match sniff(bytes) {
        Some(t) if t.is_image() => t,
        _ => return Err(ScreenshotError::NotAnImage),
    };
    if !is_complete(file_type, bytes) {
        return Err(ScreenshotError::Truncated);
    }
    Ok(file_type)
}

/// "5 MB", for the form's hint.
pub fn screenshot_limit_text() -> String {
    size_text(MAX_SCREENSHOT_BYTES)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_and_statuses_round_trip_through_their_codes() {
        for c in FeedbackCategory::ALL {
            assert_eq!(FeedbackCategory::parse(c.code()), Some(c));
        }
        for s in FeedbackStatus::ALL {
            assert_eq!(FeedbackStatus::parse(s.code()), Some(s));
        }
        assert_eq!(FeedbackCategory::parse("报名问题"), None);
    }

    #[test]
    fn text_is_required_and_limited_in_characters_not_bytes() {
        assert_eq!(FeedbackText::parse("  \n ").unwrap_err(), TextError::Empty);
        let chinese = "报".repeat(MAX_TEXT_CHARS);
        assert!(FeedbackText::parse(&chinese).is_ok());
        let too_long = "报".repeat(MAX_TEXT_CHARS + 1);
        assert_eq!(
            FeedbackText::parse(&too_long).unwrap_err(),
            TextError::TooLong
        );
        assert_eq!(FeedbackText::parse(" a\r\nb ").unwrap().as_str(), "a\nb");
    }

    #[test]
    fn screenshots_are_judged_by_content() {
        assert_eq!(check_screenshot(b""), Err(ScreenshotError::Empty));
        assert_eq!(
            check_screenshot(b"GIF89a not ours"),
            Err(ScreenshotError::NotAnImage)
        );
        assert_eq!(
            check_screenshot(b"%PDF-1.4\n%%EOF"),
            Err(ScreenshotError::NotAnImage)
        );
        // A JPEG without its end-of-image marker is cut off.
        assert_eq!(
            check_screenshot(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]),
            Err(ScreenshotError::Truncated)
        );
        assert_eq!(
            check_screenshot(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0, 0xFF, 0xD9]),
            Ok(FileType::Jpeg)
        );
        let mut huge = vec![0xFF, 0xD8, 0xFF];
        huge.resize(MAX_SCREENSHOT_BYTES + 1, 0);
        assert_eq!(check_screenshot(&huge), Err(ScreenshotError::TooLarge));
    }
}
