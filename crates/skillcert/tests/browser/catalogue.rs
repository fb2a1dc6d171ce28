//! The rule form's live preview in the browser: an administrator signs in at the staff
//! entrance, opens a new eligibility alternative for 四级, and as they type the sentence appears,
//! a mistake shows beside its input and goes away when fixed; saved, the alternative is listed
//! under its level. Then the reference data: an employer file with one bad row is checked,
//! its report read and the import confirmed; the code tables are shown.

use fantoccini::Locator;

use crate::driver::Browser;
use crate::support::{GOOD_PASSWORD, TestApp};
use domain::accounts::StaffRole;

const SENTENCE: &str = "累计从事本职业或相关职业工作满 11 年（含）以上。";

fn button(text: &str) -> Locator<'static> {
    let xpath = format!("//button[normalize-space()='{text}']");
    Locator::XPath(Box::leak(xpath.into_boxed_str()))
}

/// The text of the live sentence once it satisfies `holds`.
async fn sentence_until(b: &Browser, what: &str, holds: impl Fn(&str) -> bool) -> String {
    b.wait_until(what, async || {
        let text = text_content(b, "#rule-sentence").await;
        holds(&text).then_some(text)
    })
    .await
}

/// An element's text, shown or not (an empty message slot has no size, so it is not "shown").
async fn text_content(b: &Browser, css: &str) -> String {
    let script = format!("return document.querySelector(\"{css}\").textContent.trim()");
    b.js(&script).await.as_str().unwrap_or_default().to_owned()
}

async fn error_beside(b: &Browser, field: &str) -> String {
    text_content(b, &format!("[data-error-for='{field}']")).await
}

pub async fn rule_preview(b: &Browser, app: &TestApp) {
    app.staff("guanli", "管理员", &[StaffRole::Administrator])
        .await;

    b.step("admin-signs-in", async {
        b.goto("/staff/catalogue").await;
        b.wait_text("工作人员登录").await;
        b.fill("#identifier", "guanli").await;
        b.fill("#password", GOOD_PASSWORD).await;
        b.click_and_load(button("登录工作台")).await;
        b.wait_text("职业目录").await;
        assert_eq!(b.path().await, "/staff/catalogue");
        b.shot("catalogue").await;
    })
    .await;

    b.step("occupation", async {
        b.click_and_load(Locator::Css("a.btn[href^='/staff/catalogue/']"))
            .await;
        b.wait_text("申报条件").await;
        b.shot("occupation").await;
        b.click_and_load(Locator::Css("a[href$='/rules/new?level=4']"))
            .await;
        b.wait_text("新增申报条件").await;
    })
    .await;

    b.step("live-preview", async {
        b.fill("#years_of_work", "11").await;
        let text = sentence_until(b, "the sentence for 11 years", |t| t == SENTENCE).await;
        assert_eq!(text, SENTENCE);
        b.shot("rule-preview").await;

        // A mistake: shown beside its input, no sentence.
        b.fill("#years_of_work", "31").await;
        sentence_until(b, "the sentence to go", |t| {
            t.contains("请按标出的提示修改")
        })
        .await;
        let message = error_beside(b, "years_of_work").await;
        assert_eq!(message, "工作年限需在 1–30 年之间");
        b.shot("rule-preview-mistake").await;

        // Certificate kind without a level: the message moves to that input.
        b.fill("#years_of_work", "11").await;
        b.check("input[name='kind'][value='certificate']").await;
        b.wait_until("the message beside the certificate level", async || {
            let m = error_beside(b, "required_level").await;
            (!m.is_empty()).then_some(m)
        })
        .await;
        assert_eq!(error_beside(b, "years_of_work").await, "");
        b.check("input[name='kind'][value='experience']").await;
        sentence_until(b, "the sentence again", |t| t == SENTENCE).await;
        assert_eq!(error_beside(b, "required_level").await, "");
    })
    .await;

    b.step("saved", async {
        b.click_and_load(button("保存")).await;
        let text = b.wait_text(SENTENCE).await;
        assert!(b.path().await.starts_with("/staff/catalogue/"), "{text}");
        b.shot("rule-saved").await;
    })
    .await;

    b.step("employer-import", async {
        let file = b.dir().join("单位名录.csv");
        std::fs::write(
            &file,
            "单位名称,统一社会信用代码,成立日期\n\
             广西浏览器测试有限公司,,2015-03-01\n\
             ,,2016-01-01\n\
             南宁浏览器商行,,2018年7月9日\n",
        )
        .expect("write the employer file");
        b.goto("/staff/employers").await;
        b.wait_text("导入名录").await;
        b.find(Locator::Css("#file"))
            .await
            .send_keys(&file.display().to_string())
            .await
            .expect("choose the file");
        b.click_and_load(button("上传并检查")).await;
        let text = b.wait_text("导入检查结果").await;
        assert!(
            text.contains("第 3 行") && text.contains("单位名称不能为空"),
            "{text}"
        );
        b.shot("employer-report").await;
        b.click_and_load(button("确认导入 2 家单位")).await;
        let text = b.wait_text("新增 2 家").await;
        assert!(text.contains("南宁浏览器商行"), "{text}");
        b.shot("employers-imported").await;
    })
    .await;

    b.step("code-tables", async {
        b.goto("/staff/code-tables").await;
        b.wait_text("不能在工作台修改").await;
        b.shot("code-tables").await;
    })
    .await;
}
