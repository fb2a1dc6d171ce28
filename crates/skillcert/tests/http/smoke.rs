use crate::on_both_backends;
use crate::support::{Backend, TestApp};

async fn health_answers_when_the_database_does(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let response = reqwest::get(app.url("/healthz")).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "ok");
}

on_both_backends!(health_answers_when_the_database_does);
