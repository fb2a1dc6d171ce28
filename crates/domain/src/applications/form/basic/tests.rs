use super::*;
use crate::applications::form::test_support::*;

fn check(b: &BasicInfo, with_id: bool) -> Vec<FieldIssue> {
    let id = id();
    check_basic(b, with_id.then_some(&id), &codes(), today())
}

#[test]
fn a_complete_basic_info_passes() {
    assert!(check(&basic(), true).is_empty());
    assert!(check(&basic(), false).is_empty());
}

#[test]
fn the_starred_fields_are_required_and_the_others_optional() {
    let empty = BasicInfo::default();
    let issues = check(&empty, false);
    assert_eq!(
        fields(&issues),
        [
            ("name", "real_name_empty"),
            ("birth_date", "required"),
            ("ethnicity", "required"),
            ("education", "required"),
            ("mobile", "phone_empty"),
            ("phone", "phone_missing"),
            ("email", "email_empty"),
            ("candidate_source", "required"),
        ]
    );
    assert_eq!(
        messages(&issues),
        [
            "请输入姓名",
            "请填写出生日期",
            "请选择民族",
            "请选择文化程度",
            "请输入手机号",
            "请填写联系电话",
            "请输入邮箱",
            "请选择考生来源",
        ]
    );
    let optional_left_empty = BasicInfo {
        gender: String::new(),
        political_status: String::new(),
        postcode: String::new(),
        assessment_category: String::new(),
        ..basic()
    };
    assert!(check(&optional_left_empty, true).is_empty());
}

#[test]
fn the_name_follows_the_real_name_rules() {
    let issues = check(
        &BasicInfo {
            name: "王123".into(),
            ..basic()
        },
        true,
    );
    assert_eq!(fields(&issues), [("name", "real_name_characters")]);
}

#[test]
fn the_birth_date_must_agree_with_the_id_number() {
    let issues = check(
        &BasicInfo {
            birth_date: "1996-06-28".into(),
            ..basic()
        },
        true,
    );
    assert_eq!(fields(&issues), [("birth_date", "birth_date_mismatch")]);
    assert_eq!(
        issues[0].message,
        "出生日期与身份证号不一致（身份证号显示为 1996-06-29）"
    );
    // Without a known ID number any real date passes.
    assert!(
        check(
            &BasicInfo {
                birth_date: "1996-06-28".into(),
                ..basic()
            },
            false
        )
        .is_empty()
    );
    // Other spellings of the same date agree.
    assert!(
        check(
            &BasicInfo {
                birth_date: "1996年6月29日".into(),
                ..basic()
            },
            true
        )
        .is_empty()
    );
}

#[test]
fn a_malformed_or_future_birth_date_is_refused() {
    let issues = check(
        &BasicInfo {
            birth_date: "1996-02-30".into(),
            ..basic()
        },
        false,
    );
    assert_eq!(fields(&issues), [("birth_date", "date_invalid")]);
    assert_eq!(
        issues[0].message,
        "出生日期格式不正确：日期不存在，请检查年、月、日"
    );
    let issues = check(
        &BasicInfo {
            birth_date: "June 1996".into(),
            ..basic()
        },
        false,
    );
    assert_eq!(
        issues[0].message,
        "出生日期格式不正确：日期格式应为 1996-06-29"
    );
    let issues = check(
        &BasicInfo {
            birth_date: "2025-06-16".into(),
            ..basic()
        },
        false,
    );
    assert_eq!(fields(&issues), [("birth_date", "birth_date_future")]);
    assert_eq!(issues[0].message, "出生日期不能晚于今天");
}

#[test]
fn the_gender_must_agree_with_the_id_number() {
    let issues = check(
        &BasicInfo {
            gender: "女".into(),
            ..basic()
        },
        true,
    );
    assert_eq!(fields(&issues), [("gender", "gender_mismatch")]);
    assert_eq!(
        issues[0].message,
        "性别与身份证号不一致（身份证号显示为男）"
    );
    let issues = check(
        &BasicInfo {
            gender: "x".into(),
            ..basic()
        },
        true,
    );
    assert_eq!(fields(&issues), [("gender", "gender_invalid")]);
    assert_eq!(issues[0].message, "请选择性别：男或女");
    assert!(
        check(
            &BasicInfo {
                gender: "男".into(),
                ..basic()
            },
            true
        )
        .is_empty()
    );
}

#[test]
fn codes_must_come_from_their_tables() {
    let b = BasicInfo {
        ethnicity: "99".into(),
        political_status: "88".into(),
        education: "大学".into(),
        assessment_category: "免考".into(),
        candidate_source: "游客".into(),
        ..basic()
    };
    let issues = check(&b, true);
    assert_eq!(
        fields(&issues),
        [
            ("ethnicity", "code_unknown"),
            ("political_status", "code_unknown"),
            ("education", "code_unknown"),
            ("assessment_category", "code_unknown"),
            ("candidate_source", "code_unknown"),
        ]
    );
    assert_eq!(issues[0].message, "民族不在可选范围内，请从列表中选择");
    assert_eq!(issues[1].message, "政治面貌不在可选范围内，请从列表中选择");
    assert_eq!(issues[3].message, "鉴定分类不在可选范围内，请从列表中选择");
}

#[test]
fn mobile_phone_and_email_have_their_formats() {
    let b = BasicInfo {
        mobile: "0771-1234567".into(),
        phone: "12345".into(),
        email: "wang@qq".into(),
        ..basic()
    };
    let issues = check(&b, true);
    assert_eq!(
        fields(&issues),
        [
            ("mobile", "phone_format"),
            ("phone", "phone_format"),
            ("email", "email_format"),
        ]
    );
    assert_eq!(
        messages(&issues),
        [
            "请输入正确的 11 位手机号",
            "联系电话应为 11 位手机号或带区号的固定电话，如 0771-1234567",
            "邮箱格式不正确，例如 name@example.com",
        ]
    );
    // The contact phone may be the mobile number again.
    assert!(
        check(
            &BasicInfo {
                phone: "151-2345-1234".into(),
                ..basic()
            },
            true
        )
        .is_empty()
    );
}

#[test]
fn the_postcode_is_six_digits_when_given() {
    for bad in ["53000", "5300001", "53OOOO"] {
        let issues = check(
            &BasicInfo {
                postcode: bad.into(),
                ..basic()
            },
            true,
        );
        assert_eq!(fields(&issues), [("postcode", "postcode_format")], "{bad}");
        assert_eq!(issues[0].message, "邮政编码应为 6 位数字，不知道可留空");
    }
    assert!(
        check(
            &BasicInfo {
                postcode: " 530000 ".into(),
                ..basic()
            },
            true
        )
        .is_empty()
    );
}

#[test]
fn the_identity_is_teacher_student_or_worker() {
    for ok in ["teacher", "student", "worker"] {
        assert!(
            check_identity(&IdentityChoice {
                identity: ok.into()
            })
            .is_empty()
        );
    }
    let missing = check_identity(&IdentityChoice::default());
    assert_eq!(fields(&missing), [("identity", "required")]);
    assert_eq!(missing[0].message, "请选择身份：教师、学生或职工");
    let bad = check_identity(&IdentityChoice {
        identity: "boss".into(),
    });
    assert_eq!(fields(&bad), [("identity", "identity_invalid")]);
    assert_eq!(bad[0].message, "身份只能是教师、学生或职工");
}
