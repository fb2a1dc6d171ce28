//! The seed's navigation has more than is built yet. Each such section answers with a plain page
//! that says what it will hold and that it is not open yet, rather than a dead link.

use axum::Router;
use axum::response::IntoResponse;
use axum::routing::get;

use crate::error::PageResult;
use crate::pages::{Layout, MessagePage, Section, render};
use crate::session::Session;
use crate::state::AppState;

const SECTIONS: &[(&str, Section, &str, &str)] = &[
    (
        "/scores",
        Section::Scores,
        "考试成绩",
        "成绩发布后，您可以在这里查看理论、操作（及综合评审）成绩。此功能尚未开放。",
    ),
    (
        "/certificates",
        Section::Certificates,
        "我的证书",
        "证书核发后，您可以在这里查看和下载电子证书，并获得可供查验的二维码。此功能尚未开放。",
    ),
    (
        "/exam",
        Section::Exam,
        "前往考试",
        "考试开始后，这里将提供考试入口和考场信息。此功能尚未开放。",
    ),
];

pub fn router() -> Router<AppState> {
    let mut router = Router::new();
    for &(path, section, title, message) in SECTIONS {
        router = router.route(
            path,
            get(move |session: Session| async move { page(session, section, title, message) }),
        );
    }
    router
}

fn page(session: Session, section: Section, title: &str, message: &str) -> PageResult {
    let page = MessagePage {
        layout: Layout::new(&session, section),
        title: title.to_owned(),
        message: message.to_owned(),
        code: None,
        links: vec![("/plans".into(), "查看认定计划".into())],
    };
    Ok(render(&page)?.into_response())
}
