//! The review loop in the browser: a reviewer signs in at the staff entrance, opens the
//! application from the queue, marks the photo and rejects with a template and a note; the
//! candidate signs in, reads 查看原因, follows the link to the documents page, uploads a new
//! photo and resubmits; the reviewer approves the second round; the candidate sees 待缴费.

use fantoccini::Locator;

use crate::driver::Browser;
use crate::support::staff::submitted_application;
use crate::support::{GOOD_PASSWORD, TestApp};
use crate::wizard::{good_photo_jpeg, upload};
use domain::accounts::StaffRole;

fn button(text: &str) -> Locator<'static> {
    let xpath = format!("//button[normalize-space()='{text}']");
    Locator::XPath(Box::leak(xpath.into_boxed_str()))
}

fn link(text: &str) -> Locator<'static> {
    let xpath = format!("//a[normalize-space()='{text}']");
    Locator::XPath(Box::leak(xpath.into_boxed_str()))
}

async fn staff_login(b: &Browser, login: &str) {
    b.client.delete_all_cookies().await.expect("sign out");
    b.goto("/staff/review").await;
    b.wait_text("工作人员登录").await;
    assert!(b.path().await.starts_with("/staff/login"));
    b.fill("#identifier", login).await;
    b.fill("#password", GOOD_PASSWORD).await;
    b.click_and_load(button("登录工作台")).await;
    b.wait_text("报名审核").await;
    assert_eq!(b.path().await, "/staff/review");
}

async fn candidate_login(b: &Browser, phone: &str) {
    b.client.delete_all_cookies().await.expect("sign out");
    b.goto("/login").await;
    b.fill("#identifier", phone).await;
    b.fill("#password", GOOD_PASSWORD).await;
    b.click_and_load(button("登录")).await;
    b.find(Locator::Css("details.avatar-menu")).await;
}

pub async fn review_loop(b: &Browser, app: &TestApp) {
    let s = submitted_application(app, "13500135005", 77).await;
    let id = s.application_id;
    app.staff("zhou", "周审核", &[StaffRole::Reviewer]).await;

    b.step("reviewer-queue", async {
        staff_login(b, "zhou").await;
        let text = b.wait_text("张三").await;
        assert!(text.contains("符合申报条件"), "{text}");
        b.shot("review-queue").await;
    })
    .await;

    b.step("reviewer-rejects", async {
        b.click_and_load(Locator::Css(&format!("a.btn[href='/staff/review/{id}']")))
            .await;
        b.wait_text("您正在审核此报名").await;
        b.shot("review-page").await;
        b.check("input[name='mark'][value='document:photo']").await;
        b.fill(
            "input[name='note:document:photo']",
            "背景不是白色，请在白墙前重新拍摄",
        )
        .await;
        b.check("input[name='templates'][value='photo_unsuitable']")
            .await;
        b.fill("#reason_text", "其余信息无误，改正照片后即可重新提交")
            .await;
        b.shot("review-reject-filled").await;
        b.click_and_load(button("审核不通过，退回修改")).await;
        let text = b.wait_text("审核记录").await;
        assert!(text.contains("审核不通过"), "{text}");
        b.shot("review-rejected").await;
    })
    .await;

    let files = tempfile::tempdir().expect("a folder for the new photo");
    let photo = files.path().join("new-photo.jpg");
    std::fs::write(&photo, good_photo_jpeg()).expect("the new photo");

    b.step("candidate-reads-the-reasons", async {
        candidate_login(b, &s.candidate.phone).await;
        b.goto(&format!("/applications/{id}")).await;
        b.wait_text("审核不通过").await;
        b.shot("status-rejected").await;
        b.click_and_load(link("查看原因")).await;
        let text = b.wait_text("背景不是白色").await;
        assert!(text.contains("证件照不符合要求"), "{text}");
        assert!(text.contains("其余信息无误"), "{text}");
        b.shot("reasons").await;
    })
    .await;

    b.step("candidate-fixes-and-resubmits", async {
        b.click_and_load(Locator::XPath(
            "//ul[@class='marks']//a[contains(., '去修改')]",
        ))
        .await;
        assert_eq!(b.path().await, format!("/applications/{id}/documents"));
        let marks = b
            .text_of(Locator::Css("[data-testid='reviewer-marks']"))
            .await;
        assert!(marks.contains("背景不是白色"), "{marks}");
        upload(b, "photo", &photo).await;
        b.shot("photo-replaced").await;
        b.goto(&format!("/applications/{id}/review")).await;
        b.wait_text("确认报名信息").await;
        b.check("input[name='accept_commitment']").await;
        b.click_and_load(button("重新提交")).await;
        let text = b.wait_text("审核中").await;
        assert!(text.contains("已修改并重新提交"), "{text}");
        b.shot("resubmitted").await;
    })
    .await;

    b.step("reviewer-approves", async {
        staff_login(b, "zhou").await;
        b.goto(&format!("/staff/review/{id}")).await;
        let text = b.wait_text("第 2 次提交").await;
        assert!(text.contains("上次退回时标注"), "{text}");
        b.shot("review-round-2").await;
        b.click_and_load(button("审核通过")).await;
        b.wait_text("待缴费").await;
        b.shot("review-approved").await;
    })
    .await;

    b.step("candidate-sees-approval", async {
        candidate_login(b, &s.candidate.phone).await;
        b.goto(&format!("/applications/{id}")).await;
        let text = b.wait_text("待缴费").await;
        assert!(text.contains("审核通过"), "{text}");
        b.shot("status-approved").await;
    })
    .await;
}
