use super::*;
use crate::applications::state::ApplicationStatus as S;

#[test]
fn every_status_change_has_a_template_and_edits_have_none() {
    assert_eq!(
        TemplateKey::for_change(S::Draft, S::UnderReview),
        Some(TemplateKey::Submitted)
    );
    assert_eq!(
        TemplateKey::for_change(S::Rejected, S::UnderReview),
        Some(TemplateKey::Resubmitted)
    );
    assert_eq!(
        TemplateKey::for_change(S::UnderReview, S::UnderReview),
        None
    );
    for to in S::ALL.into_iter().filter(|s| *s != S::Draft) {
        let key = TemplateKey::for_change(S::Draft, to).expect("a template");
        assert_eq!(key.status(), to);
    }
}

#[test]
fn every_default_template_parses_and_renders() {
    for key in TemplateKey::ALL {
        let t = key.default_template();
        assert_eq!(
            Template::parse(key, &t.sms_text, &t.title, &t.body),
            Ok(t.clone())
        );
        let r = t.render(key, &Values::sample()).unwrap();
        assert!(!r.sms_text.contains('{'), "{key:?}: {}", r.sms_text);
        assert!(r.sms_text.contains("张三"), "{key:?}: {}", r.sms_text);
        assert_eq!(TemplateKey::parse(key.code()), Some(key));
    }
}

#[test]
fn a_rejection_says_the_reason_and_an_approval_the_fee_and_deadline() {
    let values = Values {
        name: "李四".into(),
        plan: "2022121 电子商务师（四级）".into(),
        occupation: "电子商务师".into(),
        link: "/applications/7".into(),
        reason: Some("照片不清晰".into()),
        fee: Some("150.00".into()),
        deadline: Some("2022-12-20 17:00".into()),
    };
    let rejected = TemplateKey::Rejected
        .default_template()
        .render(TemplateKey::Rejected, &values)
        .unwrap();
    assert_eq!(
        rejected.sms_text,
        "李四您好，您报名的2022121 电子商务师（四级）审核不通过，原因：照片不清晰。请登录平台修改后重新提交。"
    );
    let approved = TemplateKey::Approved
        .default_template()
        .render(TemplateKey::Approved, &values)
        .unwrap();
    assert!(
        approved
            .sms_text
            .contains("请于2022-12-20 17:00缴纳报名费150.00元")
    );
    assert!(approved.body.contains("当前状态：待缴费"));
    // Not known yet: a neutral phrase, never an empty gap or a raw placeholder.
    let unknown = Values {
        deadline: None,
        reason: None,
        ..values
    };
    let approved = TemplateKey::Approved
        .default_template()
        .render(TemplateKey::Approved, &unknown)
        .unwrap();
    assert!(approved.sms_text.contains("请于缴费截止前缴纳"));
}

#[test]
fn unknown_and_unavailable_placeholders_and_stray_braces_are_refused_with_codes() {
    let key = TemplateKey::Submitted;
    let codes = |sms: &str| -> Vec<(&'static str, &'static str)> {
        Template::parse(key, sms, "标题", "正文")
            .unwrap_err()
            .iter()
            .map(|e| (e.field().code(), e.code()))
            .collect()
    };
    assert_eq!(
        codes("{名字}您好"),
        vec![("sms_text", "template_unknown_placeholder")]
    );
    // The reason exists only for a rejection.
    assert_eq!(
        codes("原因：{原因}"),
        vec![("sms_text", "template_placeholder_not_available")]
    );
    assert_eq!(
        codes("{姓名"),
        vec![("sms_text", "template_unclosed_brace")]
    );
    assert_eq!(codes("姓名}"), vec![("sms_text", "template_stray_brace")]);
    assert_eq!(codes("   "), vec![("sms_text", "template_empty")]);
    assert_eq!(
        codes(&"字".repeat(470)),
        vec![("sms_text", "template_too_long")]
    );
    let all = Template::parse(key, "", "", "{x}").unwrap_err();
    assert_eq!(all.len(), 3, "every field's error at once: {all:?}");
    let message = all[2].to_string();
    assert!(
        message.contains("通知正文") && message.contains("{姓名}"),
        "{message}"
    );
    assert!(Template::parse(TemplateKey::Rejected, "原因：{原因}", "t", "b").is_ok());
}

#[test]
fn a_stored_text_that_no_longer_parses_is_not_rendered() {
    let t = Template {
        sms_text: "{费用}".into(),
        title: "t".into(),
        body: "b".into(),
    };
    let e = t
        .render(TemplateKey::Withdrawn, &Values::sample())
        .unwrap_err();
    assert_eq!(e.code(), "template_placeholder_not_available");
}

#[test]
fn sms_parts_follow_the_70_and_67_character_rule() {
    assert_eq!(sms_length(""), SmsLength { chars: 0, parts: 0 });
    assert_eq!(sms_length(&"字".repeat(70)).parts, 1);
    assert_eq!(sms_length(&"字".repeat(71)).parts, 2);
    assert_eq!(sms_length(&"字".repeat(134)).parts, 2);
    assert_eq!(sms_length(&"字".repeat(135)).parts, 3);
    // Characters, not bytes: "a" and "字" count the same.
    assert_eq!(sms_length("a字").chars, 2);
}

#[test]
fn a_long_reason_is_cut_in_the_sms_and_kept_whole_in_the_app() {
    let reason = "材".repeat(300);
    let values = Values {
        reason: Some(reason.clone()),
        ..Values::sample()
    };
    let r = TemplateKey::Rejected
        .default_template()
        .render(TemplateKey::Rejected, &values)
        .unwrap();
    assert!(r.body.contains(&reason));
    assert!(!r.sms_text.contains(&reason));
    assert!(
        r.sms_text
            .contains(&format!("{}…（详见平台）", "材".repeat(SMS_REASON_CHARS)))
    );
    assert!(sms_length(&r.sms_text).parts <= 2, "{}", r.sms_text);
}
