use super::*;
use crate::applications::form::test_support::*;

fn check(r: &RegistrationInfo) -> Vec<FieldIssue> {
    check_registration(r, &codes(), today())
}

#[test]
fn a_complete_registration_passes() {
    assert!(
        check(&registration()).is_empty(),
        "{:?}",
        check(&registration())
    );
}

#[test]
fn the_starred_fields_are_required() {
    let issues = check(&RegistrationInfo::default());
    assert_eq!(
        fields(&issues),
        [
            ("id_number", "id_number_empty"),
            ("organization", "required"),
            ("employer", "required"),
            ("hukou_type", "required"),
            ("residence_province", "required"),
            ("residence_city", "required"),
            ("residence_address", "required"),
        ]
    );
    assert_eq!(
        messages(&issues),
        [
            "请输入身份证号",
            "请填写报名单位",
            "请填写所在单位全称",
            "请填写户籍",
            "请选择现居地所在省",
            "请选择现居地所在市",
            "请填写现居地详细地址",
        ]
    );
}

#[test]
fn an_empty_id_type_means_the_resident_id_card() {
    let r = RegistrationInfo {
        id_type: String::new(),
        id_number: "110105194912310021".into(),
        ..registration()
    };
    assert_eq!(fields(&check(&r)), [("id_number", "id_number_check_digit")]);
}

#[test]
fn an_unknown_id_type_is_refused() {
    let issues = check(&RegistrationInfo {
        id_type: "军官证".into(),
        ..registration()
    });
    assert_eq!(fields(&issues), [("id_type", "id_type_invalid")]);
    assert_eq!(issues[0].message, "请选择证件类型");
}

#[test]
fn each_id_type_has_its_own_number_format() {
    let cases: [(IdType, &[&str], &[&str], &str); 4] = [
        (
            IdType::HongKongMacaoPermit,
            &["H12345678", "m1234567890", "H 1234 5678"],
            &["12345678", "H1234567", "A12345678", "H123456789"],
            "港澳居民来往内地通行证号码应为 H 或 M 开头，后接 8 位或 10 位数字",
        ),
        (
            IdType::TaiwanPermit,
            &["12345678", "1234567890"],
            &["1234567", "123456789", "T1234567"],
            "台湾居民来往大陆通行证号码应为 8 位或 10 位数字",
        ),
        (
            IdType::Passport,
            &["E12345678", "ab123", "12345678901234567"],
            &["E123", "123456789012345678", "E1234-5678"],
            "护照号码应为 5–17 位字母或数字",
        ),
        (
            IdType::ForeignPermanentResidentCard,
            &["USA123456789012", "911234567890123456"],
            &["USA12345678901", "9112345678901234567"],
            "外国人永久居留身份证号码应为 15 位或 18 位字母或数字",
        ),
    ];
    for (id_type, good, bad, message) in cases {
        for raw in good {
            assert!(
                parse_id_document(id_type, raw, today()).is_ok(),
                "{id_type:?} {raw}"
            );
            let r = RegistrationInfo {
                id_type: id_type.label().into(),
                id_number: (*raw).into(),
                ..registration()
            };
            assert!(check(&r).is_empty(), "{id_type:?} {raw}");
        }
        for raw in bad {
            let issue = parse_id_document(id_type, raw, today()).unwrap_err();
            assert_eq!(issue.code, "id_number_format", "{id_type:?} {raw}");
            assert_eq!(issue.message, message);
        }
        let empty = parse_id_document(id_type, " ", today()).unwrap_err();
        assert_eq!(
            (empty.code, empty.message.as_str()),
            ("required", "请填写证件号")
        );
    }
    assert_eq!(
        parse_id_document(IdType::HongKongMacaoPermit, "h 1234 5678", today()),
        Ok("H12345678".to_owned())
    );
}

#[test]
fn a_resident_id_number_born_after_today_is_refused() {
    let first17 = "45010320300101123";
    let raw = format!(
        "{first17}{}",
        crate::identity::id_number::check_digit(first17).unwrap()
    );
    let issue = parse_id_document(IdType::ResidentIdCard, &raw, today()).unwrap_err();
    assert_eq!(issue.code, "id_number_future_birth_date");
}

#[test]
fn id_types_round_trip_through_codes_and_labels() {
    for t in IdType::ALL {
        assert_eq!(IdType::parse(t.code()), Some(t));
        assert_eq!(IdType::parse(t.label()), Some(t));
    }
    assert_eq!(IdType::parse(""), None);
}

#[test]
fn years_of_work_is_a_whole_number_up_to_sixty() {
    for ok in ["", "0", "60", " 7 ", "7年"] {
        assert!(
            check(&RegistrationInfo {
                years_of_work: ok.into(),
                ..registration()
            })
            .is_empty(),
            "{ok}"
        );
    }
    for bad in ["61", "-1", "2.5", "五"] {
        let issues = check(&RegistrationInfo {
            years_of_work: bad.into(),
            ..registration()
        });
        assert_eq!(
            fields(&issues),
            [("years_of_work", "years_of_work_invalid")],
            "{bad}"
        );
        assert_eq!(issues[0].message, "工作年限应为 0–60 之间的整数");
    }
}

#[test]
fn enterprise_type_comes_from_its_table_and_employer_is_named_in_full() {
    let r = RegistrationInfo {
        enterprise_type: "皮包公司".into(),
        employer: "某".into(),
        organization: "机".repeat(101),
        ..registration()
    };
    let issues = check(&r);
    assert_eq!(
        fields(&issues),
        [
            ("organization", "too_long"),
            ("enterprise_type", "code_unknown"),
            ("employer", "too_long"),
        ]
    );
    assert_eq!(
        messages(&issues),
        [
            "报名单位不能超过 100 个字",
            "企业类型不在可选范围内，请从列表中选择",
            "所在单位名称应为 2–100 个字，请填写全称",
        ]
    );
}

#[test]
fn the_city_must_lie_in_the_province_and_the_district_in_the_city() {
    let r = RegistrationInfo {
        residence_province: "45".into(),
        residence_city: "3707".into(),
        residence_district: "450103".into(),
        ..registration()
    };
    let issues = check(&r);
    assert_eq!(
        fields(&issues),
        [
            ("residence_city", "division_mismatch"),
            ("residence_district", "division_mismatch"),
        ]
    );
    assert_eq!(
        messages(&issues),
        [
            "现居地所在市不属于所选省份，请重新选择",
            "现居地所在区县不属于所选城市，请重新选择",
        ]
    );
}

#[test]
fn unknown_divisions_are_refused() {
    let r = RegistrationInfo {
        hukou_province: "3707".into(),
        hukou_city: "9999".into(),
        hukou_district: "999999".into(),
        ..registration()
    };
    let issues = check(&r);
    assert_eq!(
        fields(&issues),
        [
            ("hukou_province", "division_unknown"),
            ("hukou_city", "division_unknown"),
            ("hukou_district", "division_unknown"),
        ]
    );
    assert_eq!(issues[0].message, "户口所在省不在列表中，请重新选择");
}

#[test]
fn the_residence_district_is_required_unless_the_city_has_none() {
    let r = RegistrationInfo {
        residence_district: String::new(),
        ..registration()
    };
    let issues = check(&r);
    assert_eq!(fields(&issues), [("residence_district", "required")]);
    assert_eq!(issues[0].message, "请选择现居地所在区县");
    // 东莞 has no county-level divisions.
    let dongguan = RegistrationInfo {
        residence_province: "44".into(),
        residence_city: "4419".into(),
        residence_district: String::new(),
        ..registration()
    };
    assert!(check(&dongguan).is_empty());
}

#[test]
fn optional_places_may_be_left_empty_but_not_half_chosen() {
    let empty = RegistrationInfo {
        hukou_province: String::new(),
        hukou_city: String::new(),
        hukou_district: String::new(),
        employer_province: String::new(),
        employer_city: String::new(),
        employer_district: String::new(),
        employer_address: String::new(),
        ..registration()
    };
    assert!(check(&empty).is_empty());
    let province_only = RegistrationInfo {
        hukou_province: "45".into(),
        ..empty.clone()
    };
    assert!(check(&province_only).is_empty());
    let district_without_city = RegistrationInfo {
        employer_province: String::new(),
        employer_district: "450103".into(),
        ..empty
    };
    let issues = check(&district_without_city);
    assert_eq!(
        fields(&issues),
        [
            ("employer_province", "required"),
            ("employer_city", "required")
        ]
    );
    assert_eq!(
        messages(&issues),
        ["请先选择工作单位所在省", "请先选择工作单位所在市"]
    );
}

#[test]
fn addresses_are_kept_short() {
    let r = RegistrationInfo {
        residence_address: "路".repeat(201),
        employer_address: "路".repeat(201),
        hukou_type: "户".repeat(21),
        ..registration()
    };
    assert_eq!(
        messages(&check(&r)),
        [
            "户籍不能超过 20 个字",
            "现居地详细地址不能超过 200 个字",
            "工作单位详细地址不能超过 200 个字"
        ]
    );
}

fn check_edu(e: &EducationInfo) -> Vec<FieldIssue> {
    check_education(e, &codes(), today())
}

#[test]
fn the_education_section_may_be_left_empty() {
    assert!(check_edu(&EducationInfo::default()).is_empty());
    assert!(check_edu(&education()).is_empty());
}

#[test]
fn a_begun_education_section_needs_degree_and_school() {
    let e = EducationInfo {
        major: "电子商务".into(),
        ..EducationInfo::default()
    };
    let issues = check_edu(&e);
    assert_eq!(
        fields(&issues),
        [("degree", "required"), ("school", "required")]
    );
    assert_eq!(messages(&issues), ["请选择学历", "请填写毕业（在读）学校"]);
}

#[test]
fn education_inputs_have_their_formats() {
    let e = EducationInfo {
        degree: "大学".into(),
        major: "专".repeat(51),
        diploma_number: "编号12345".into(),
        graduation_date: "2018-13".into(),
        ..education()
    };
    let issues = check_edu(&e);
    assert_eq!(
        fields(&issues),
        [
            ("degree", "code_unknown"),
            ("major", "too_long"),
            ("diploma_number", "diploma_number_format"),
            ("graduation_date", "date_invalid"),
        ]
    );
    assert_eq!(
        messages(&issues),
        [
            "学历不在可选范围内，请从列表中选择",
            "所学专业不能超过 50 个字",
            "毕业证书编号只能包含字母、数字和“-”，最多 40 位",
            "毕业时间格式不正确：日期不存在，请检查年、月、日",
        ]
    );
}

#[test]
fn a_graduation_date_may_lie_ahead_but_not_far() {
    assert!(
        check_edu(&EducationInfo {
            graduation_date: "2026-07".into(),
            ..education()
        })
        .is_empty()
    );
    let issues = check_edu(&EducationInfo {
        graduation_date: "2032-07".into(),
        ..education()
    });
    assert_eq!(
        fields(&issues),
        [("graduation_date", "graduation_date_too_late")]
    );
    assert_eq!(
        issues[0].message,
        "毕业时间不正确：在读学生请填写预计毕业时间"
    );
}
