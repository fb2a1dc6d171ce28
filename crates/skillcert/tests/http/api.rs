//! The rest of the API: code tables, divisions, the OpenAPI document, and how unknown addresses
//! and malformed requests are answered.

use serde_json::json;

use crate::on_both_backends;
use crate::support::{ApiError, Backend, TestApp};

async fn get_json(app: &TestApp, path: &str) -> serde_json::Value {
    let response = reqwest::get(app.url(path)).await.unwrap();
    assert_eq!(response.status(), 200, "GET {path}");
    response.json().await.unwrap()
}

fn names(items: &serde_json::Value) -> Vec<&str> {
    items
        .as_array()
        .expect("a list")
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect()
}

async fn code_tables_list_the_national_codes(backend: Backend) {
    let app = TestApp::spawn(backend).await;

    let ethnic = get_json(&app, "/api/v1/code-tables/ethnic_group").await;
    let ethnic_names = names(&ethnic);
    assert_eq!(ethnic_names.len(), 58);
    assert_eq!(ethnic[0], json!({ "code": "01", "name": "汉族" }));
    assert!(ethnic_names.contains(&"壮族"));

    let political = get_json(&app, "/api/v1/code-tables/political_status").await;
    assert_eq!(names(&political).len(), 13);
    assert_eq!(names(&political)[0], "中共党员");
    assert!(names(&political).contains(&"群众"));

    let education = get_json(&app, "/api/v1/code-tables/education").await;
    for name in ["博士研究生", "大学本科", "技工学校"] {
        assert!(names(&education).contains(&name), "{name}");
    }
    let id_types = get_json(&app, "/api/v1/code-tables/id_type").await;
    assert_eq!(names(&id_types)[0], "居民身份证");

    let e = ApiError::from(
        reqwest::get(app.url("/api/v1/code-tables/blood_type"))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(e.status, 404);
    assert_eq!(e.code, "not_found");
}

async fn divisions_cascade_from_provinces_to_districts(backend: Backend) {
    let app = TestApp::spawn(backend).await;

    let provinces = get_json(&app, "/api/v1/divisions").await;
    assert_eq!(provinces.as_array().unwrap().len(), 34);
    assert!(
        provinces
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["kind"] == "province")
    );
    assert!(names(&provinces).contains(&"广西壮族自治区"));

    let guangxi = get_json(&app, "/api/v1/divisions?parent=450000").await;
    assert!(guangxi.as_array().unwrap().contains(&json!({
        "code": "450100", "name": "南宁市", "kind": "city"
    })));
    assert!(names(&guangxi).contains(&"柳州市"));
    assert!(
        guangxi
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["kind"] == "city")
    );

    let nanning = get_json(&app, "/api/v1/divisions?parent=450100").await;
    assert!(names(&nanning).contains(&"青秀区"));

    let nothing = get_json(&app, "/api/v1/divisions?parent=999999").await;
    assert_eq!(nothing, json!([]));

    for bad in ["45", "4500000", "45000a"] {
        let e = ApiError::from(
            reqwest::get(app.url(&format!("/api/v1/divisions?parent={bad}")))
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(e.status, 422, "{bad}");
        assert_eq!(e.field("parent").code, "division_code_invalid");
    }
}

/// Every route under `/api/v1`, as the router declares them.
const API_ROUTES: &[(&str, &str)] = &[
    ("post", "/api/v1/sms-codes"),
    ("post", "/api/v1/signup/verify"),
    ("post", "/api/v1/signup"),
    ("get", "/api/v1/session"),
    ("post", "/api/v1/session"),
    ("delete", "/api/v1/session"),
    ("post", "/api/v1/password-reset"),
    ("get", "/api/v1/me"),
    ("get", "/api/v1/plans"),
    ("get", "/api/v1/plans/{id}"),
    ("get", "/api/v1/code-tables/{kind}"),
    ("get", "/api/v1/divisions"),
];

async fn the_openapi_document_describes_every_api_route(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let doc = get_json(&app, "/api/openapi.json").await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    assert!(doc["info"]["title"].is_string());
    let paths = doc["paths"].as_object().expect("paths");
    for (method, path) in API_ROUTES {
        let operation = &paths
            .get(*path)
            .unwrap_or_else(|| panic!("{path} is not documented"))[*method];
        assert!(operation.is_object(), "{method} {path} is not documented");
        assert!(operation["responses"].is_object(), "{method} {path}");
    }
    assert!(
        paths.keys().all(|p| p.starts_with("/api/v1/")),
        "{:?}",
        paths.keys()
    );
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    assert!(schemas.contains_key("ErrorBody"));

    // And every documented operation answers (no documented route is missing from the router).
    for (method, path) in API_ROUTES {
        let url = app.url(&path.replace("{id}", "1").replace("{kind}", "education"));
        let client = reqwest::Client::new();
        let response = match *method {
            "get" => client.get(url).send().await,
            "post" => client.post(url).json(&json!({})).send().await,
            _ => client.delete(url).send().await,
        }
        .unwrap();
        assert_ne!(response.status(), 404, "{method} {path}");
        assert_ne!(response.status(), 405, "{method} {path}");
    }
}

async fn unknown_api_paths_answer_json_and_unknown_pages_answer_a_chinese_page(backend: Backend) {
    let app = TestApp::spawn(backend).await;

    let e = ApiError::from(reqwest::get(app.url("/api/v1/nothing-here")).await.unwrap()).await;
    assert_eq!(e.status, 404);
    assert_eq!(e.code, "not_found");
    assert!(e.fields.is_empty());

    let page = reqwest::get(app.url("/nothing-here")).await.unwrap();
    assert_eq!(page.status(), 404);
    let content_type = page.headers()[reqwest::header::CONTENT_TYPE].clone();
    assert!(content_type.to_str().unwrap().starts_with("text/html"));
    let html = page.text().await.unwrap();
    assert!(html.contains("<html lang=\"zh-CN\">"));
    assert!(html.contains("页面不存在") && html.contains("返回首页"));
}

async fn a_malformed_api_request_gets_the_same_error_shape(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = reqwest::Client::new();

    // Not JSON at all.
    let response = client
        .post(app.url("/api/v1/sms-codes"))
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    let e = ApiError::from(response).await;
    assert_eq!(e.status, 400);

    // JSON without a required member.
    let response = client
        .post(app.url("/api/v1/sms-codes"))
        .json(&json!({ "phone": "13800138000" }))
        .send()
        .await
        .unwrap();
    let e = ApiError::from(response).await;
    assert_eq!(e.status, 422);

    // A form where JSON belongs.
    let response = client
        .post(app.url("/api/v1/session"))
        .form(&[("identifier", "13800138000"), ("password", "x")])
        .send()
        .await
        .unwrap();
    let e = ApiError::from(response).await;
    assert_eq!(e.status, 415);

    // An unknown purpose is named.
    let response = client
        .post(app.url("/api/v1/sms-codes"))
        .json(&json!({ "phone": "13800138000", "purpose": "login" }))
        .send()
        .await
        .unwrap();
    let e = ApiError::from(response).await;
    assert_eq!(e.status, 422);
    assert_eq!(e.field("purpose").code, "purpose_invalid");
    assert!(app.outbox().is_empty());
}

async fn health_answers_ok_without_a_session(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let response = app.client().get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(!response.headers().contains_key(reqwest::header::SET_COOKIE));
    assert_eq!(response.text().await.unwrap(), "ok");
}

on_both_backends!(
    code_tables_list_the_national_codes,
    divisions_cascade_from_provinces_to_districts,
    the_openapi_document_describes_every_api_route,
    unknown_api_paths_answer_json_and_unknown_pages_answer_a_chinese_page,
    a_malformed_api_request_gets_the_same_error_shape,
    health_answers_ok_without_a_session,
);
