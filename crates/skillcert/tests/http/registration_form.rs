//! 登记表 as a PDF: the candidate downloads the registration form of a submitted application to
//! print and sign; nobody else can; characters the fonts cannot print are named, never dropped.

use serde_json::Value;

use crate::on_both_backends;
use crate::support::staff::submitted_application;
use crate::support::{Backend, TestApp};

// The seeded level-1 draft is a man's: the ID numbers' sequences are odd (an even one is a woman's).

fn form_path(id: i64) -> String {
    format!("/applications/{id}/registration-form.pdf")
}

async fn a_candidate_downloads_the_registration_form_of_a_submitted_application(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let s = submitted_application(&app, "13712340001", 11).await;
    let c = &s.candidate;

    // The status page offers the download.
    let status_page = c
        .client
        .get(app.url(&format!("/applications/{}", s.application_id)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        status_page.contains(&form_path(s.application_id))
            && status_page.contains("下载登记表（PDF）"),
        "no download link on the status page"
    );

    let response = c
        .client
        .get(app.url(&form_path(s.application_id)))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    let plan: Value = c
        .client
        .get(app.url(&format!("/api/v1/plans/{}", s.plan_id)))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let code = plan["code"].as_str().expect("the plan's code");
    let disposition = response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.starts_with("attachment;")
            && disposition.contains(&format!(
                "filename*=UTF-8''%E7%99%BB%E8%AE%B0%E8%A1%A8-{code}.pdf"
            )),
        "登记表-{code}.pdf, RFC 5987-encoded: {disposition}"
    );
    let bytes = response.bytes().await.unwrap();
    assert!(bytes.starts_with(b"%PDF-"), "a PDF");
    // The font ships with the project and is embedded (subset) in the document.
    assert!(
        bytes.windows(21).any(|w| w == b"NotoSansCJKsc-Regular"),
        "the embedded CJK font is in the PDF"
    );
}

async fn another_candidate_cannot_download_someone_elses_form(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let owner = submitted_application(&app, "13712340002", 15).await;
    let other = submitted_application(&app, "13712340003", 13).await;

    let response = other
        .candidate
        .client
        .get(app.url(&form_path(owner.application_id)))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    assert_ne!(response.headers()["content-type"], "application/pdf");

    // Nor can a visitor who is not logged in: they are sent to log in.
    let anonymous = app
        .client()
        .get(app.url(&form_path(owner.application_id)))
        .send()
        .await
        .unwrap();
    assert!(
        anonymous.status().is_redirection(),
        "{}",
        anonymous.status()
    );
    assert_eq!(anonymous.headers()["location"], "/login", "sent to log in");
}

async fn characters_the_fonts_lack_are_named_instead_of_printed_blank(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let s = submitted_application(&app, "13712340004", 17).await;
    let c = &s.candidate;
    let id = s.application_id;

    // The candidate edits the address under review, with 𠮷 (CJK Extension B).
    let application: Value = c
        .client
        .get(app.url(&format!("/api/v1/applications/{id}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut draft = application["draft"].clone();
    draft["registration"]["residence_address"] = Value::from("𠮷祥路 8 号");
    let saved = c
        .client
        .put(app.url(&format!("/api/v1/applications/{id}/draft")))
        .header("X-CSRF-Token", &c.csrf)
        .json(&draft)
        .send()
        .await
        .unwrap();
    assert_eq!(
        saved.status(),
        200,
        "edit under review: {}",
        saved.text().await.unwrap()
    );

    let response = c.client.get(app.url(&form_path(id))).send().await.unwrap();
    assert_eq!(response.status(), 422);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"),
        "a page for the browser"
    );
    let page = response.text().await.unwrap();
    assert!(
        page.contains("通信地址") && page.contains("𠮷（U+20BB7）"),
        "the field and the character are named: {page}"
    );
}

on_both_backends!(
    a_candidate_downloads_the_registration_form_of_a_submitted_application,
    another_candidate_cannot_download_someone_elses_form,
    characters_the_fonts_lack_are_named_instead_of_printed_blank,
);
