//! The payment QR code as inline SVG: the page needs no image request and no JavaScript.

use qrcode::QrCode;
use qrcode::render::svg;

/// An SVG drawing of `text` as a QR code (error correction M), or `None` if it is too long.
pub fn svg(text: &str) -> Option<String> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M).ok()?;
    Some(
        code.render::<svg::Color>()
            .min_dimensions(220, 220)
            .quiet_zone(true)
            .dark_color(svg::Color("#000000"))
            .light_color(svg::Color("#ffffff"))
            .build(),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_code_url_draws_as_an_svg() {
        let drawn = super::svg("weixin://wxpay/bizpayurl?pr=abc123").unwrap();
        assert!(drawn.contains("<svg") && drawn.contains("</svg>"));
        assert!(drawn.contains("#000000"));
    }
}
