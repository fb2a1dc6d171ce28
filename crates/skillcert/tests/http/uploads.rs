//! 证件信息上传: documents judged by their content (type by magic bytes, size per kind,
//! truncated files refused, the photo's size, shape and white background), through the API and
//! the page's plain multipart forms; a re-upload replacing the previous file; files served to
//! their owner only, under keys nobody can guess; and submission checks that list what is
//! missing.

use serde_json::Value;

use crate::on_both_backends;
use crate::support::uploads::{
    good_photo, grey_photo, jpeg, portrait, small_pdf, small_png, upload_document,
    upload_required_documents, wrong_size_photo,
};
use crate::support::{ApiError, Backend, Candidate, TestApp, csrf_in, id_number, sign_up_via_api};

async fn candidate(app: &TestApp, n: u16) -> Candidate {
    sign_up_via_api(
        app,
        &format!("1370000{n:04}"),
        &id_number("19880512", 2 * n + 1),
    )
    .await
}

/// The candidate's application for the seeded level-1 plan (no tracks; ID card and photo only).
async fn open_application(app: &TestApp, c: &Candidate) -> i64 {
    let plans: Value = reqwest::get(app.url("/api/v1/plans?level=1"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let plan = plans["plans"][0]["id"].as_i64().expect("a level-1 plan");
    let response = c
        .client
        .post(app.url(&format!("/api/v1/plans/{plan}/application")))
        .header("X-CSRF-Token", &c.csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "open the application");
    let body: Value = response.json().await.unwrap();
    body["id"].as_i64().expect("application id")
}

/// The same candidate logged in on another client (a session of its own).
async fn log_in_elsewhere(app: &TestApp, c: &Candidate) -> Candidate {
    let client = app.client();
    let response = client
        .post(app.url("/api/v1/session"))
        .json(&serde_json::json!({ "identifier": c.phone, "password": c.password }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "log in on another client");
    let body: Value = response.json().await.unwrap();
    Candidate {
        client,
        csrf: body["csrf_token"].as_str().unwrap().to_owned(),
        phone: c.phone.clone(),
        id_number: c.id_number.clone(),
        password: c.password.clone(),
        real_name: c.real_name.clone(),
    }
}

async fn upload(
    c: &Candidate,
    app: &TestApp,
    id: i64,
    kind: &str,
    name: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    upload_document(app, &c.client, &c.csrf, id, kind, name, bytes).await
}

/// Uploads and expects a refusal; returns the codes of its findings.
async fn refused(
    c: &Candidate,
    app: &TestApp,
    id: i64,
    kind: &str,
    name: &str,
    bytes: Vec<u8>,
) -> (String, Vec<String>) {
    let e = ApiError::from(upload(c, app, id, kind, name, bytes).await).await;
    assert_eq!(e.status, 422, "{:?}", e.body);
    assert!(e.fields.iter().all(|f| f.field == kind), "{:?}", e.body);
    (e.code, e.fields.into_iter().map(|f| f.code).collect())
}

async fn documents(app: &TestApp, c: &Candidate, id: i64) -> Value {
    let response = c
        .client
        .get(app.url(&format!("/api/v1/applications/{id}/documents")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

fn current_file(documents: &Value, kind: &str) -> Value {
    documents
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == kind)
        .unwrap_or_else(|| panic!("{kind} is not required: {documents}"))["file"]
        .clone()
}

async fn uploads_are_judged_by_their_content(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let c = candidate(&app, 1).await;
    let id = open_application(&app, &c).await;

    // What the level-1 plan needs, with its requirement in words; nothing uploaded yet.
    let listed = documents(&app, &c, id).await;
    let kinds: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["id_card_front", "id_card_back", "photo"]);
    assert!(
        listed[2]["requirement"]
            .as_str()
            .unwrap()
            .contains("40–80 KB")
    );
    assert_eq!(listed[2]["accepts"], serde_json::json!(["image/jpeg"]));
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["file"].is_null())
    );

    // A good photo is accepted.
    let photo = good_photo();
    let response = upload(&c, &app, id, "photo", "证件照.jpg", photo.clone()).await;
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    let first = body["file"].clone();
    assert_eq!(first["kind"], "photo");
    assert_eq!(first["file_type"], "jpeg");
    assert_eq!(first["byte_size"], photo.len());
    assert_eq!(first["original_name"], "证件照.jpg");
    assert_eq!(body["issues"], serde_json::json!([]));

    // Each bad photo is refused with its code.
    let (code, codes) = refused(&c, &app, id, "photo", "small.jpg", wrong_size_photo()).await;
    assert!(codes.contains(&"photo_too_small".to_owned()), "{codes:?}");
    assert!(
        codes.contains(&"photo_not_portrait".to_owned()),
        "{codes:?}"
    );
    assert_eq!(code, codes[0]);
    let (_, codes) = refused(&c, &app, id, "photo", "grey.jpg", grey_photo()).await;
    assert_eq!(codes, ["photo_background"]);
    let (_, codes) = refused(&c, &app, id, "photo", "photo.png", small_png()).await;
    assert_eq!(codes, ["upload_type_not_accepted"]);
    // The name says JPEG, the content is a PDF.
    let (_, codes) = refused(&c, &app, id, "photo", "photo.jpg", small_pdf()).await;
    assert_eq!(codes, ["upload_type_not_accepted"]);
    // Cut off in transfer: no end-of-image marker, although a decoder would show it.
    let truncated = photo[..photo.len() * 3 / 4].to_vec();
    let (_, codes) = refused(&c, &app, id, "photo", "cut.jpg", truncated.clone()).await;
    assert_eq!(codes, ["upload_truncated"]);
    let (_, codes) = refused(&c, &app, id, "id_card_front", "cut.jpg", truncated).await;
    assert_eq!(codes, ["upload_truncated"]);
    // Over 80 KB, and under 40 KB (a plain white picture compresses to almost nothing).
    let big = jpeg(&portrait(600, 840, [255, 255, 255]), 95);
    assert!(big.len() > 80 * 1024, "{}", big.len());
    let (_, codes) = refused(&c, &app, id, "photo", "big.jpg", big).await;
    assert_eq!(codes, ["upload_too_large"]);
    let tiny = jpeg(
        &image::RgbImage::from_pixel(358, 441, image::Rgb([255, 255, 255])),
        90,
    );
    let (_, codes) = refused(&c, &app, id, "photo", "tiny.jpg", tiny).await;
    assert_eq!(codes, ["photo_file_too_small"]);
    // Not a type we take at all, and nothing at all.
    let (_, codes) = refused(
        &c,
        &app,
        id,
        "id_card_front",
        "id.jpg",
        b"GIF89a not really".to_vec(),
    )
    .await;
    assert_eq!(codes, ["upload_unknown_type"]);
    let (_, codes) = refused(&c, &app, id, "id_card_front", "empty.jpg", Vec::new()).await;
    assert_eq!(codes, ["upload_empty"]);
    // A JPEG whose header and end marker are right but whose content is not an image.
    let (_, codes) = refused(
        &c,
        &app,
        id,
        "id_card_front",
        "junk.jpg",
        b"\xFF\xD8\xFFjunk junk junk\xFF\xD9".to_vec(),
    )
    .await;
    assert_eq!(codes, ["upload_undecodable"]);
    // Over the 5 MB of a document (and over the 6 MB the upload route reads at all).
    let mut five_mb = small_pdf();
    five_mb.splice(9..9, std::iter::repeat_n(b' ', 5 * 1024 * 1024));
    let (_, codes) = refused(&c, &app, id, "id_card_back", "huge.pdf", five_mb).await;
    assert_eq!(codes, ["upload_too_large"]);
    let mut seven_mb = small_pdf();
    seven_mb.splice(9..9, std::iter::repeat_n(b' ', 7 * 1024 * 1024));
    // The server answers before the body ends and drops the connection: a session of its own.
    let elsewhere = log_in_elsewhere(&app, &c).await;
    let e =
        ApiError::from(upload(&elsewhere, &app, id, "id_card_back", "huge.pdf", seven_mb).await)
            .await;
    assert_eq!(
        (e.status, e.code.as_str()),
        (422, "upload_too_large"),
        "{:?}",
        e.body
    );
    // An unknown kind is not a place to upload to.
    let e = ApiError::from(upload(&c, &app, id, "selfie", "a.jpg", good_photo()).await).await;
    assert_eq!(e.status, 404);

    // The refusals changed nothing: the first photo is still the current one.
    assert_eq!(
        current_file(&documents(&app, &c, id).await, "photo")["id"],
        first["id"]
    );

    // The ID card as a PDF (named .jpg: the content decides) and as a PNG.
    let response = upload(&c, &app, id, "id_card_front", "front.jpg", small_pdf()).await;
    assert_eq!(response.status(), 201);
    let front: Value = response.json().await.unwrap();
    assert_eq!(front["file"]["file_type"], "pdf");
    let response = upload(&c, &app, id, "id_card_back", "back.png", small_png()).await;
    assert_eq!(response.status(), 201);

    // A new photo replaces the previous one.
    let response = upload(&c, &app, id, "photo", "new.jpg", photo.clone()).await;
    assert_eq!(response.status(), 201);
    let second: Value = response.json().await.unwrap();
    assert_ne!(second["file"]["id"], first["id"]);
    let listed = documents(&app, &c, id).await;
    assert_eq!(current_file(&listed, "photo")["id"], second["file"]["id"]);
    assert_eq!(current_file(&listed, "id_card_front")["file_type"], "pdf");
    assert_eq!(current_file(&listed, "id_card_back")["file_type"], "png");
}

async fn files_are_served_to_their_owner_only(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let owner = candidate(&app, 1).await;
    let other = candidate(&app, 2).await;
    let id = open_application(&app, &owner).await;
    let other_id = open_application(&app, &other).await;
    let photo = good_photo();
    let response = upload(&owner, &app, id, "photo", "我的照片.jpg", photo.clone()).await;
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    let url = body["file"]["url"].as_str().unwrap().to_owned();
    let file_id = body["file"]["id"].as_i64().unwrap();
    assert_eq!(url, format!("/applications/{id}/files/{file_id}"));

    // The owner reads it back, byte for byte, with headers that keep it private.
    let response = owner.client.get(app.url(&url)).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "image/jpeg");
    assert_eq!(headers["cache-control"], "private, no-store");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert!(disposition.starts_with("inline;"), "{disposition}");
    assert!(
        disposition.contains("filename*=UTF-8''%E6%88%91%E7%9A%84%E7%85%A7%E7%89%87.jpg"),
        "{disposition}"
    );
    assert_eq!(response.bytes().await.unwrap().as_ref(), photo.as_slice());

    // Another candidate: not found, by page or API, to read, list or upload.
    let response = other.client.get(app.url(&url)).send().await.unwrap();
    assert_eq!(response.status(), 404);
    // Their own application id with the owner's file id does not reach it either.
    let response = other
        .client
        .get(app.url(&format!("/applications/{other_id}/files/{file_id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let response = other
        .client
        .get(app.url(&format!("/api/v1/applications/{id}/documents")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let e = ApiError::from(upload(&other, &app, id, "photo", "x.jpg", good_photo()).await).await;
    assert_eq!(e.status, 404);
    let page_csrf = {
        let page = other
            .client
            .get(app.url(&format!("/applications/{other_id}/documents")))
            .send()
            .await
            .unwrap();
        csrf_in(&page.text().await.unwrap())
    };
    let form = reqwest::multipart::Form::new()
        .text("csrf", page_csrf)
        .part(
            "file",
            reqwest::multipart::Part::bytes(good_photo()).file_name("x.jpg"),
        );
    let response = other
        .client
        .post(app.url(&format!("/applications/{id}/documents/photo")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    // Nothing of theirs landed on the owner's application.
    let listed = documents(&app, &owner, id).await;
    assert_eq!(current_file(&listed, "photo")["id"], file_id);

    // A visitor who is not logged in is sent to log in.
    let response = app.client().get(app.url(&url)).send().await.unwrap();
    assert_eq!(response.status(), 303);
    assert!(
        response.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/login"),
    );
    let response = app
        .client()
        .get(app.url(&format!("/api/v1/applications/{id}/documents")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);

    // On disk the file is under a random key, in shards; nothing there says whose or what it is.
    let stored: Vec<_> = walk(&app.config.files_dir());
    assert_eq!(stored.len(), 1, "{stored:?}");
    let name = stored[0].file_name().unwrap().to_str().unwrap().to_owned();
    assert_eq!(name.len(), 64);
    assert!(name.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(std::fs::read(&stored[0]).unwrap(), photo);
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(walk(&path));
        } else {
            found.push(path);
        }
    }
    found
}

async fn the_documents_page_uploads_without_javascript(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let c = candidate(&app, 1).await;
    let id = open_application(&app, &c).await;
    let page_path = format!("/applications/{id}/documents");
    let page = c.client.get(app.url(&page_path)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    for shown in [
        "身份证人像面",
        "身份证国徽面",
        "白底证件照",
        "尚未上传",
        "40–80 KB",
    ] {
        assert!(html.contains(shown), "{shown}");
    }
    assert!(html.contains(&format!(
        "action=\"/applications/{id}/documents/photo\" enctype=\"multipart/form-data\""
    )));
    let csrf = csrf_in(&html);
    let post = |bytes: Vec<u8>, token: Option<&str>| {
        let mut form = reqwest::multipart::Form::new();
        if let Some(t) = token {
            form = form.text("csrf", t.to_owned());
        }
        form = form.part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name("照片.jpg"),
        );
        c.client
            .post(app.url(&format!("/applications/{id}/documents/photo")))
            .multipart(form)
            .send()
    };

    // Without the form's token: refused.
    let response = post(good_photo(), None).await.unwrap();
    assert_eq!(response.status(), 403);
    let response = post(good_photo(), Some("forged")).await.unwrap();
    assert_eq!(response.status(), 403);

    // A grey background: the page again, the message beside the photo, in Chinese.
    let response = post(grey_photo(), Some(&csrf)).await.unwrap();
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("照片背景需为白色"), "{html}");
    assert!(html.contains("在线调整"));

    // A good one: back to the page, which shows it with a preview and a replace button.
    let response = post(good_photo(), Some(&csrf)).await.unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(
        response.headers()["location"],
        format!("/applications/{id}/documents#doc-photo").as_str()
    );
    let html = c
        .client
        .get(app.url(&page_path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let file = current_file(&documents(&app, &c, id).await, "photo");
    let href = format!("/applications/{id}/files/{}", file["id"]);
    assert!(
        html.contains(&format!("<img class=\"document-thumb\" src=\"{href}\"")),
        "{html}"
    );
    assert!(html.contains("照片.jpg"));
    assert!(html.contains("上传并替换"));
}

async fn submission_lists_missing_documents(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let c = candidate(&app, 1).await;
    let id = open_application(&app, &c).await;
    let missing = |checks: &Value| -> Vec<String> {
        checks["issues"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["code"] == "document_missing")
            .map(|i| i["field"].as_str().unwrap().to_owned())
            .collect()
    };
    let checks = async || -> Value {
        c.client
            .get(app.url(&format!("/api/v1/applications/{id}/checks")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    };
    assert_eq!(
        missing(&checks().await),
        ["id_card_front", "id_card_back", "photo"]
    );
    // Submitting now is refused, with the missing documents among the reasons.
    let response = c
        .client
        .post(app.url(&format!("/api/v1/applications/{id}/submit")))
        .header("X-CSRF-Token", &c.csrf)
        .json(&serde_json::json!({ "accept_commitment": true, "acknowledge_ineligible": true }))
        .send()
        .await
        .unwrap();
    let e = ApiError::from(response).await;
    assert_eq!(e.status, 422);
    assert_eq!(e.field("photo").code, "document_missing");

    // The review page names them under 证件信息上传.
    let review = c
        .client
        .get(app.url(&format!("/applications/{id}/review")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(review.contains("请上传白底证件照"), "{review}");

    upload_required_documents(&app, &c.client, &c.csrf, id).await;
    assert!(missing(&checks().await).is_empty());
}

on_both_backends!(
    uploads_are_judged_by_their_content,
    files_are_served_to_their_owner_only,
    the_documents_page_uploads_without_javascript,
    submission_lists_missing_documents,
);
