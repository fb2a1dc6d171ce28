use super::*;
use crate::catalogue::{Level, standard_rules_for_e_commerce};
use proptest::prelude::*;

fn rules(n: u8) -> Vec<EligibilityRule> {
    standard_rules_for_e_commerce()
        .into_iter()
        .filter(|(l, _)| l.get() == n)
        .map(|(l, f)| EligibilityRule::parse(l, f).unwrap())
        .collect()
}

fn jpeg(body_len: usize) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0];
    bytes.extend(std::iter::repeat_n(0x42, body_len));
    bytes.extend([0xFF, 0xD9]);
    bytes
}

fn png() -> Vec<u8> {
    let mut bytes = PNG_MAGIC.to_vec();
    bytes.extend([0, 0, 0, 13]);
    bytes.extend(b"IHDR");
    bytes.extend([0; 17]);
    bytes.extend(PNG_END);
    bytes
}

fn pdf() -> Vec<u8> {
    b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n".to_vec()
}

#[test]
fn kinds_have_labels_limits_and_round_trip_through_their_codes() {
    let labels: Vec<&str> = DocumentKind::ALL.iter().map(DocumentKind::label).collect();
    assert_eq!(
        labels,
        [
            "身份证人像面",
            "身份证国徽面",
            "白底证件照",
            "上一级别证书",
            "毕业证书",
            "学徒期满证明",
            "预备技师证书",
            "职业技能认定登记表（签字后扫描）",
            "其他材料"
        ]
    );
    for kind in DocumentKind::ALL {
        assert_eq!(DocumentKind::parse(kind.code()), Some(kind));
        assert!(!kind.requirement().is_empty());
    }
    assert_eq!(DocumentKind::parse("selfie"), None);
    assert_eq!(DocumentKind::Photo.max_bytes(), 80 * 1024);
    assert_eq!(DocumentKind::Diploma.max_bytes(), 5 * 1024 * 1024);
    assert!(
        DocumentKind::Photo
            .requirement()
            .starts_with("JPG 格式，40–80 KB，白色背景，竖向，至少 295×413 像素")
    );
}

#[test]
fn the_photo_is_jpeg_only_and_other_documents_take_jpeg_png_or_pdf() {
    assert!(DocumentKind::Photo.accepts(FileType::Jpeg));
    assert!(!DocumentKind::Photo.accepts(FileType::Png));
    assert!(!DocumentKind::Photo.accepts(FileType::Pdf));
    for kind in DocumentKind::ALL
        .into_iter()
        .filter(|k| *k != DocumentKind::Photo)
    {
        for t in [FileType::Jpeg, FileType::Png, FileType::Pdf] {
            assert!(kind.accepts(t), "{kind:?} {t:?}");
        }
    }
    assert_eq!(FileType::Pdf.mime(), "application/pdf");
    assert_eq!(FileType::Jpeg.extension(), "jpg");
    assert!(FileType::Png.is_image() && !FileType::Pdf.is_image());
}

#[test]
fn every_application_needs_the_id_card_and_the_photo() {
    assert_eq!(
        required_documents(None, false),
        [
            DocumentKind::IdCardFront,
            DocumentKind::IdCardBack,
            DocumentKind::Photo
        ]
    );
}

#[test]
fn a_promotion_needs_the_previous_certificate() {
    assert_eq!(
        required_documents(None, true),
        [
            DocumentKind::IdCardFront,
            DocumentKind::IdCardBack,
            DocumentKind::Photo,
            DocumentKind::PreviousCertificate
        ]
    );
}

#[test]
fn the_claimed_alternative_adds_what_it_needs_once() {
    // 四级 certificate + 高级技工学校/技师学院/高职 graduate: certificate and diploma.
    let certificate_and_school = &rules(3)[1];
    assert_eq!(
        required_documents(Some(certificate_and_school), true),
        [
            DocumentKind::IdCardFront,
            DocumentKind::IdCardBack,
            DocumentKind::Photo,
            DocumentKind::PreviousCertificate,
            DocumentKind::Diploma
        ]
    );
    // Claimed without ticking promotion: the certificate is still needed.
    assert!(
        required_documents(Some(&rules(1)[0]), false).contains(&DocumentKind::PreviousCertificate)
    );
    assert!(
        required_documents(Some(&rules(5)[1]), false).contains(&DocumentKind::ApprenticeshipProof)
    );
    assert!(
        required_documents(Some(&rules(2)[2]), false)
            .contains(&DocumentKind::PreparatoryTechnicianCertificate)
    );
    assert_eq!(required_documents(Some(&rules(5)[0]), false).len(), 3);
    assert_eq!(Level::new(3).unwrap(), rules(3)[1].level());
}

#[test]
fn rule_document_names_map_to_kinds() {
    assert_eq!(
        DocumentKind::from_rule_document("毕业证书"),
        Some(DocumentKind::Diploma)
    );
    assert_eq!(
        DocumentKind::from_rule_document("其他材料"),
        Some(DocumentKind::Other)
    );
    assert_eq!(DocumentKind::from_rule_document("户口本"), None);
}

#[test]
fn files_are_typed_by_their_magic_bytes() {
    assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xDB]), Some(FileType::Jpeg));
    assert_eq!(sniff(&png()), Some(FileType::Png));
    assert_eq!(sniff(b"%PDF-1.4"), Some(FileType::Pdf));
    assert_eq!(sniff(&[0xFF, 0xD8]), None, "too short to be a JPEG");
    assert_eq!(sniff(b"GIF89a"), None);
    assert_eq!(sniff(b"<svg xmlns="), None);
    assert_eq!(sniff(b"PK\x03\x04"), None);
    assert_eq!(sniff(&[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A]), None);
    assert_eq!(sniff(b"%PDF"), None);
    assert_eq!(sniff(b""), None);
}

#[test]
fn a_jpeg_is_complete_only_with_its_end_of_image_marker() {
    let whole = jpeg(100);
    assert!(jpeg_is_complete(&whole));
    let mut padded = whole.clone();
    padded.extend([0, 0, b'\n', b' ', b'\r', 0]);
    assert!(jpeg_is_complete(&padded));
    assert!(!jpeg_is_complete(&whole[..whole.len() - 1]));
    assert!(!jpeg_is_complete(&whole[..50]));
    let mut garbage_after = whole.clone();
    garbage_after.push(0x42);
    assert!(!jpeg_is_complete(&garbage_after));
    assert!(!jpeg_is_complete(&[0xFF, 0xD9]));
    assert!(!jpeg_is_complete(&[0xFF, 0xD8, 0xFF]));
    assert!(!jpeg_is_complete(b""));
    let mut not_jpeg = png();
    not_jpeg.extend([0xFF, 0xD9]);
    assert!(!jpeg_is_complete(&not_jpeg));
}

#[test]
fn png_and_pdf_completeness_look_for_their_end_markers() {
    assert!(png_is_complete(&png()));
    let p = png();
    assert!(!png_is_complete(&p[..p.len() - 4]));
    assert!(pdf_is_complete(&pdf()));
    let d = pdf();
    assert!(!pdf_is_complete(&d[..d.len() - 4]));
    assert!(is_complete(FileType::Jpeg, &jpeg(10)));
}

#[test]
fn an_upload_is_checked_by_content_size_type_and_completeness() {
    assert_eq!(
        check_upload(DocumentKind::Photo, &jpeg(50 * 1024)),
        Ok(FileType::Jpeg)
    );
    assert_eq!(
        check_upload(DocumentKind::Diploma, &pdf()),
        Ok(FileType::Pdf)
    );
    assert_eq!(
        check_upload(DocumentKind::IdCardFront, &png()),
        Ok(FileType::Png)
    );
    assert_eq!(
        check_upload(DocumentKind::Diploma, b""),
        Err(UploadError::Empty)
    );
    let too_big = check_upload(DocumentKind::Photo, &jpeg(81 * 1024)).unwrap_err();
    assert_eq!(too_big.code(), "upload_too_large");
    assert_eq!(too_big.to_string(), "文件太大：白底证件照不能超过 80 KB");
    let too_big = check_upload(DocumentKind::Diploma, &vec![0; 5 * 1024 * 1024 + 1]).unwrap_err();
    assert_eq!(too_big.to_string(), "文件太大：毕业证书不能超过 5 MB");
    assert_eq!(
        check_upload(DocumentKind::Diploma, b"GIF89a..."),
        Err(UploadError::UnknownType)
    );
    let png_photo = check_upload(DocumentKind::Photo, &png()).unwrap_err();
    assert_eq!(png_photo.to_string(), "白底证件照只能上传 JPG 格式");
    let truncated = jpeg(1000);
    assert_eq!(
        check_upload(DocumentKind::IdCardBack, &truncated[..600]),
        Err(UploadError::Truncated)
    );
    assert_eq!(UploadError::Truncated.code(), "upload_truncated");
}

#[test]
fn sizes_are_worded_in_kb_and_mb() {
    assert_eq!(size_text(80 * 1024), "80 KB");
    assert_eq!(size_text(39 * 1024 + 1), "40 KB");
    assert_eq!(size_text(5 * 1024 * 1024), "5 MB");
    assert_eq!(size_text(1536 * 1024), "1.5 MB");
}

fn good_photo() -> PhotoFacts {
    PhotoFacts {
        bytes: 60 * 1024,
        width: 295,
        height: 413,
        border_mean_luma: 240.0,
        border_min_luma_p10: 220.0,
        border_saturation: 0.03,
    }
}

fn codes(f: &PhotoFacts) -> Vec<&'static str> {
    check_photo(f).iter().map(|i| i.code).collect()
}

#[test]
fn a_good_photo_passes() {
    assert!(check_photo(&good_photo()).is_empty());
}

#[test]
fn the_photo_file_is_forty_to_eighty_kb_inclusive() {
    for bytes in [40 * 1024, 80 * 1024] {
        assert!(
            codes(&PhotoFacts {
                bytes,
                ..good_photo()
            })
            .is_empty(),
            "{bytes}"
        );
    }
    let small = check_photo(&PhotoFacts {
        bytes: 40 * 1024 - 1,
        ..good_photo()
    });
    assert_eq!(small[0].code, "photo_file_too_small");
    assert_eq!(
        small[0].message,
        "照片文件太小（39 KB），需为 40–80 KB：请上传更清晰的原图，或使用下方“在线调整”"
    );
    let large = check_photo(&PhotoFacts {
        bytes: 80 * 1024 + 1,
        ..good_photo()
    });
    assert_eq!(large[0].code, "photo_file_too_large");
    assert_eq!(
        large[0].message,
        "照片文件太大（81 KB），需为 40–80 KB：请压缩后重新上传，或使用下方“在线调整”压缩"
    );
    assert_eq!(large[0].field, "photo");
}

#[test]
fn the_photo_is_portrait_with_an_id_photo_ratio() {
    let square = check_photo(&PhotoFacts {
        width: 500,
        height: 500,
        ..good_photo()
    });
    assert_eq!(square[0].code, "photo_not_portrait");
    assert_eq!(
        square[0].message,
        "照片需为竖向（高度大于宽度）：请裁剪为证件照比例后重新上传，或使用下方“在线调整”"
    );
    // 1.2 and 1.6 are the bounds.
    assert!(
        codes(&PhotoFacts {
            width: 400,
            height: 480,
            ..good_photo()
        })
        .is_empty()
    );
    assert!(
        codes(&PhotoFacts {
            width: 400,
            height: 640,
            ..good_photo()
        })
        .is_empty()
    );
    let narrow = check_photo(&PhotoFacts {
        width: 400,
        height: 641,
        ..good_photo()
    });
    assert_eq!(narrow[0].code, "photo_ratio");
    assert_eq!(
        narrow[0].message,
        "照片比例不对（当前 400×641），证件照宽高比约为 5:7（如 295×413）：请裁剪后重新上传，或使用下方“在线调整”"
    );
    assert_eq!(
        codes(&PhotoFacts {
            width: 400,
            height: 479,
            ..good_photo()
        }),
        ["photo_ratio"]
    );
}

#[test]
fn the_photo_is_at_least_295_by_413_pixels() {
    let small = check_photo(&PhotoFacts {
        width: 294,
        height: 413,
        ..good_photo()
    });
    assert_eq!(small.len(), 1);
    assert_eq!(small[0].code, "photo_too_small");
    assert_eq!(
        small[0].message,
        "照片尺寸太小（当前 294×413 像素），至少需 295×413 像素：请上传原始照片，不要使用截图或缩略图"
    );
    assert_eq!(
        codes(&PhotoFacts {
            width: 295,
            height: 412,
            ..good_photo()
        }),
        ["photo_too_small"]
    );
}

#[test]
fn the_photo_background_is_white_or_near_white() {
    let at_bounds = PhotoFacts {
        border_mean_luma: 200.0,
        border_min_luma_p10: 170.0,
        border_saturation: 0.15,
        ..good_photo()
    };
    assert!(check_photo(&at_bounds).is_empty());
    let grey = check_photo(&PhotoFacts {
        border_mean_luma: 199.9,
        ..at_bounds
    });
    assert_eq!(grey[0].code, "photo_background");
    assert_eq!(
        grey[0].message,
        "照片背景需为白色，请在白色墙前重新拍摄后上传（在线调整只能裁剪和压缩，不能更换背景）"
    );
    let shadow = PhotoFacts {
        border_min_luma_p10: 169.9,
        ..at_bounds
    };
    assert_eq!(codes(&shadow), ["photo_background"]);
    let light_blue = check_photo(&PhotoFacts {
        border_saturation: 0.16,
        ..at_bounds
    });
    assert_eq!(light_blue[0].code, "photo_background_color");
    assert_eq!(
        light_blue[0].message,
        "照片背景需为白色，不能是蓝色、红色等彩色背景：请在白色墙前重新拍摄后上传"
    );
    let unmeasured = PhotoFacts {
        border_mean_luma: f32::NAN,
        ..at_bounds
    };
    assert_eq!(codes(&unmeasured), ["photo_background"]);
}

#[test]
fn every_failure_of_a_bad_photo_is_listed_at_once() {
    // The bad photo: wrong size and a grey background.
    let bad = PhotoFacts {
        bytes: 200 * 1024,
        width: 640,
        height: 480,
        border_mean_luma: 128.0,
        border_min_luma_p10: 90.0,
        border_saturation: 0.02,
    };
    assert_eq!(
        codes(&bad),
        [
            "photo_file_too_large",
            "photo_not_portrait",
            "photo_background"
        ]
    );
}

proptest! {
    #[test]
    fn a_jpeg_cut_anywhere_before_its_end_is_incomplete(body in prop::collection::vec(any::<u8>(), 0..200), cut in 0usize..200) {
        let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0];
        // The crafted body has no 0xFF, so no false EOI appears before the real one.
        bytes.extend(body.iter().map(|b| if *b == 0xFF { 0xFE } else { *b }));
        bytes.extend([0xFF, 0xD9]);
        prop_assert!(jpeg_is_complete(&bytes));
        let cut = cut.min(bytes.len() - 1);
        prop_assert!(!jpeg_is_complete(&bytes[..cut]));
    }

    #[test]
    fn sniffing_and_checking_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        let _ = sniff(&bytes);
        let _ = jpeg_is_complete(&bytes);
        let _ = png_is_complete(&bytes);
        let _ = pdf_is_complete(&bytes);
        for kind in DocumentKind::ALL {
            let _ = check_upload(kind, &bytes);
        }
    }

    #[test]
    fn any_photo_inside_every_bound_passes(
        bytes in (40 * 1024usize)..=(80 * 1024),
        width in 295u32..800,
        ratio in 1.2f32..=1.6,
        mean in 200f32..=255.0,
        p10 in 170f32..=255.0,
        saturation in 0f32..=0.15,
    ) {
        let height = ((width as f32 * ratio) as u32).max(413);
        let ratio_now = height as f32 / width as f32;
        prop_assume!(PHOTO_RATIO.contains(&ratio_now));
        let facts = PhotoFacts {
            bytes, width, height,
            border_mean_luma: mean,
            border_min_luma_p10: p10,
            border_saturation: saturation,
        };
        prop_assert!(check_photo(&facts).is_empty(), "{:?}", facts);
    }
}
