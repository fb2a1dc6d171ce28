use std::io::Cursor;
use std::sync::LazyLock;

use super::*;
use crate::pdf_text::text_of;
use crate::{RenderError, Renderer, RendererSettings};

/// One renderer for the whole test binary: loading the fonts is the slow part.
static RENDERER: LazyLock<Renderer> =
    LazyLock::new(|| Renderer::new(&RendererSettings::default()).unwrap());

fn photo(format: image::ImageFormat) -> Vec<u8> {
    let img = image::RgbImage::from_fn(250, 350, |x, y| {
        if (x / 25 + y / 25) % 2 == 0 {
            image::Rgb([40, 90, 160])
        } else {
            image::Rgb([240, 240, 240])
        }
    });
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, format).unwrap();
    out.into_inner()
}

pub(crate) fn full_form() -> RegistrationForm {
    RegistrationForm {
        plan_name: "2026年第三批电子商务师一级认定".to_owned(),
        plan_code: "GX-2026-003".to_owned(),
        occupation: "电子商务师".to_owned(),
        level: "一级/高级技师".to_owned(),
        applicant: Applicant {
            name: "欧阳娜娜".to_owned(),
            gender: "女".to_owned(),
            birth_date: "1990-03-07".to_owned(),
            id_type: "居民身份证".to_owned(),
            id_number: "11010519900307002X".to_owned(),
            ethnicity: "汉族".to_owned(),
            political_status: "中国共产党党员".to_owned(),
            education: "大学本科".to_owned(),
            phone: "13800138000".to_owned(),
            address: "广西壮族自治区南宁市青秀区民族大道 100 号 2 栋 1201 室".to_owned(),
            employer: "广西南宁某某电子商务有限公司".to_owned(),
            identity: "企业职工".to_owned(),
        },
        declaration: DeclarationFacts {
            eligibility: "取得本职业或相关职业二级/技师职业资格证书（技能等级证书）后，累计从事本职业或相关职业工作4年（含）以上。".to_owned(),
            promotion_from: Some("S000045000002213000123".to_owned()),
        },
        education: vec![EducationRow {
            degree: "大学本科".to_owned(),
            school: "广西大学".to_owned(),
            major: "电子商务".to_owned(),
            diploma_number: "105931201205000123".to_owned(),
            date: "2012-07".to_owned(),
        }],
        work_history: vec![
            WorkRow {
                period: "2012-07—2016-06".to_owned(),
                employer: "南宁市某某网络科技有限公司".to_owned(),
                post: "运营专员".to_owned(),
                referee: "李明".to_owned(),
                referee_phone: "0771-5551234".to_owned(),
            },
            WorkRow {
                period: "2016-07—至今".to_owned(),
                employer: "广西南宁某某电子商务有限公司".to_owned(),
                post: "运营主管".to_owned(),
                referee: "王芳".to_owned(),
                referee_phone: "13900139000".to_owned(),
            },
        ],
        work_total: "14年4个月".to_owned(),
        commitment: SEED_COMMITMENT.iter().map(|s| (*s).to_owned()).collect(),
        photo: Some(photo(image::ImageFormat::Jpeg)),
        submitted_at: "2026-11-29 10:05".to_owned(),
    }
}

#[test]
fn a_full_form_renders_as_a_pdf_with_the_embedded_font_and_its_chinese_text() {
    let pdf = RENDERER.render_registration_form(&full_form()).unwrap();
    let bytes = pdf.as_bytes();
    assert!(bytes.starts_with(b"%PDF-"), "not a PDF");
    let raw = String::from_utf8_lossy(bytes);
    assert!(
        raw.contains("NotoSansCJKsc-Regular"),
        "the embedded font is not in the PDF"
    );
    let text = text_of(bytes);
    for expected in [
        "职业技能等级认定登记表",
        "欧阳娜娜",
        "申请人基本信息",
        "申报信息",
        "适用申报条件对应信息",
        "11010519900307002X",
        "广西南宁某某电子商务有限公司",
        "运营主管",
        "14年4个月",
        "本人承诺",
        "认定机构审核意见",
        "认定机构(盖章)",
        "S000045000002213000123",
        "GX-2026-003",
    ] {
        assert!(text.contains(expected), "{expected} missing from: {text}");
    }
}

#[test]
fn the_photo_may_be_png_or_absent() {
    let mut form = full_form();
    form.photo = Some(photo(image::ImageFormat::Png));
    assert!(RENDERER.render_registration_form(&form).is_ok());
    form.photo = None;
    let text = text_of(RENDERER.render_registration_form(&form).unwrap().as_bytes());
    assert!(text.contains("照片"), "no box for a glued-on photo: {text}");
}

#[test]
fn a_photo_that_is_neither_jpeg_nor_png_is_refused() {
    let mut form = full_form();
    form.photo = Some(b"GIF89a not a photo".to_vec());
    assert!(matches!(
        RENDERER.render_registration_form(&form),
        Err(RenderError::PhotoFormat)
    ));
}

#[test]
fn typst_syntax_in_user_text_prints_literally() {
    let tricky = r#"张#三$x$*粗*_斜_\[链]<lab>@ref`c`"引号"//注释/*块*/=标题 #set"#;
    let mut form = full_form();
    form.applicant.name = tricky.to_owned();
    form.applicant.address = "地址\\".to_owned();
    form.work_history[0].employer = "#{panic()}".to_owned();
    let text = text_of(
        RENDERER
            .render_registration_form(&form)
            .expect("markup characters must not break the document")
            .as_bytes(),
    );
    let expected: String = tricky.chars().filter(|c| !c.is_whitespace()).collect();
    assert!(
        text.contains(&expected),
        "{expected} not printed as typed in: {text}"
    );
    assert!(text.contains("地址\\"), "{text}");
    assert!(text.contains("#{panic()}"), "{text}");
}

#[test]
fn a_character_outside_the_fonts_is_reported_by_field_and_nothing_is_rendered() {
    let mut form = full_form();
    form.applicant.name = "吉𠮷".to_owned();
    form.work_history[1].referee = "王\u{E000}".to_owned();
    let err = RENDERER.render_registration_form(&form).unwrap_err();
    let fields = err.unprintable().expect("an unprintable error");
    assert_eq!(fields.len(), 2);
    assert_eq!(fields[0].field, "姓名");
    assert_eq!(fields[0].characters, vec!['𠮷']);
    assert_eq!(fields[1].field, "证明人（第 2 段工作经历）");
    assert_eq!(fields[1].characters, vec!['\u{E000}']);
    assert!(err.to_string().contains("U+20BB7"));
}

#[test]
fn an_ordinary_name_passes_the_coverage_check() {
    assert!(RENDERER.unprintable(&full_form()).is_empty());
}

#[test]
fn every_label_prints_in_both_embedded_faces() {
    let fonts = RENDERER.fonts();
    for label in labels::ALL {
        for c in label.chars().filter(|c| !c.is_whitespace()) {
            assert!(fonts.prints(c), "regular face lacks {c} of {label}");
            assert!(fonts.bold_prints(c), "bold face lacks {c} of {label}");
        }
    }
}

#[test]
fn an_empty_form_still_renders_its_blank_rows() {
    let form = RegistrationForm {
        commitment: SEED_COMMITMENT.iter().map(|s| (*s).to_owned()).collect(),
        ..RegistrationForm::default()
    };
    let text = text_of(RENDERER.render_registration_form(&form).unwrap().as_bytes());
    assert!(text.contains("符合学历条件"), "{text}");
    assert!(text.contains("合计"), "{text}");
}

#[test]
fn another_id_document_is_labelled_with_its_type() {
    let mut form = full_form();
    form.applicant.id_type = "护照".to_owned();
    form.applicant.id_number = "E12345678".to_owned();
    let text = text_of(RENDERER.render_registration_form(&form).unwrap().as_bytes());
    assert!(text.contains("证件号码（护照）"), "{text}");
}

#[test]
fn a_font_folder_with_a_broken_font_file_is_a_startup_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("broken.ttf"), b"not a font").unwrap();
    std::fs::write(dir.path().join("readme.txt"), b"ignored").unwrap();
    let settings = RendererSettings {
        extra_font_dir: Some(dir.path().to_owned()),
    };
    assert!(matches!(
        Renderer::new(&settings),
        Err(crate::fonts::FontError::NotAFont { .. })
    ));
    std::fs::remove_file(dir.path().join("broken.ttf")).unwrap();
    assert_eq!(Renderer::new(&settings).unwrap().fonts().len(), 2);
}

#[test]
fn renders_can_run_on_several_threads_at_once() {
    let form = full_form();
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..2)
            .map(|_| s.spawn(|| RENDERER.render_registration_form(&form).unwrap()))
            .collect();
        let pdfs: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        assert_eq!(pdfs[0], pdfs[1], "the same form must give the same bytes");
    });
    crate::evict_cache(0);
}

#[test]
#[ignore = "writes /tmp/registration-form.pdf for a look"]
fn write_sample() {
    let pdf = RENDERER.render_registration_form(&full_form()).unwrap();
    std::fs::write("/tmp/registration-form.pdf", pdf.as_bytes()).unwrap();
}
