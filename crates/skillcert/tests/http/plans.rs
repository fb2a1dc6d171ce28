//! The plan catalogue: the list with the seed's level filter, each plan's page with its
//! eligibility alternatives in plain Chinese, and the same as JSON.

use crate::on_both_backends;
use crate::support::{ApiError, Backend, TestApp};

async fn get_json(app: &TestApp, path: &str) -> serde_json::Value {
    let response = reqwest::get(app.url(path)).await.unwrap();
    assert_eq!(response.status(), 200, "GET {path}");
    response.json().await.unwrap()
}

async fn get_page(app: &TestApp, path: &str) -> (u16, String) {
    let response = reqwest::get(app.url(path)).await.unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

/// The id of the seeded plan of `level`.
async fn plan_of_level(app: &TestApp, level: u8) -> i64 {
    let list = get_json(app, &format!("/api/v1/plans?level={level}")).await;
    list["plans"][0]["id"]
        .as_i64()
        .expect("a plan of that level")
}

async fn the_plan_list_shows_five_seeded_plans_open_for_registration(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (status, html) = get_page(&app, "/plans").await;
    assert_eq!(status, 200);
    assert_eq!(
        html.matches("<article class=\"plan-card\"").count(),
        5,
        "{html}"
    );
    assert_eq!(
        html.matches("class=\"state state-open\">报名中<").count(),
        5
    );
    for level in [
        "一级/高级技师",
        "二级/技师",
        "三级/高级工",
        "四级/中级工",
        "五级/初级工",
    ] {
        assert!(html.contains(level), "{level}");
    }
    for words in ["报名时间", "考试时间", "考试费用", "剩余名额", ">报名</a>"] {
        assert!(html.contains(words), "{words}");
    }
    // The filter reads as in the seed.
    for chip in ["全部", "一级", "二级", "三级", "四级", "五级"] {
        assert!(html.contains(&format!(">{chip}</a>")), "{chip}");
    }

    // The home page shows the open plans too.
    let (status, home) = get_page(&app, "/").await;
    assert_eq!(status, 200);
    assert_eq!(home.matches("<article class=\"plan-card\"").count(), 5);
}

async fn the_level_filter_shows_only_plans_of_that_level(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (status, html) = get_page(&app, "/plans?level=1").await;
    assert_eq!(status, 200);
    assert_eq!(html.matches("<article class=\"plan-card\"").count(), 1);
    assert!(html.contains("level-badge level-1\">一级/高级技师"));
    assert!(!html.contains("level-badge level-2"));
    assert!(html.contains("class=\"chip selected\" aria-current=\"true\">一级</a>"));

    let (_, html) = get_page(&app, "/plans?level=5").await;
    assert_eq!(html.matches("<article class=\"plan-card\"").count(), 1);
    assert!(html.contains("level-badge level-5\">五级/初级工"));

    // An unknown level on the page shows every plan rather than an error.
    let (status, html) = get_page(&app, "/plans?level=9").await;
    assert_eq!(status, 200);
    assert_eq!(html.matches("<article class=\"plan-card\"").count(), 5);
}

async fn a_plan_page_lists_the_eligibility_alternatives_as_chinese_sentences(backend: Backend) {
    let app = TestApp::spawn(backend).await;

    let level1 = plan_of_level(&app, 1).await;
    let (status, html) = get_page(&app, &format!("/plans/{level1}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("申报条件") && html.contains("符合以下条件之一者"));
    assert!(
        html.contains("二级/技师") && html.contains("4 年"),
        "{html}"
    );
    assert!(html.contains("电子商务师（4-01-02-02）"));
    assert!(html.contains("南宁职业技能鉴定中心考点"));
    assert!(!html.contains("方向"), "level 1 has no tracks");

    let level4 = plan_of_level(&app, 4).await;
    let (_, html) = get_page(&app, &format!("/plans/{level4}")).await;
    let list = html
        .split("<ol class=\"eligibility\">")
        .nth(1)
        .and_then(|rest| rest.split("</ol>").next())
        .expect("the eligibility list");
    assert_eq!(
        list.matches("<li>").count(),
        3,
        "level 4 has three alternatives: {list}"
    );
    assert!(html.contains("五级/初级工") && html.contains("6 年"));
    assert!(html.contains("网商、跨境电子商务师"));
}

async fn an_unknown_plan_is_a_not_found_page_in_chinese(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for path in ["/plans/999999", "/plans/abc", "/plans/999999/apply"] {
        let response = reqwest::get(app.url(path)).await.unwrap();
        assert_eq!(response.status(), 404, "{path}");
        let content_type = response.headers()[reqwest::header::CONTENT_TYPE].clone();
        assert!(content_type.to_str().unwrap().starts_with("text/html"));
        let html = response.text().await.unwrap();
        assert!(html.contains("页面不存在"), "{html}");
    }
}

async fn applying_asks_a_visitor_to_log_in_first(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let id = plan_of_level(&app, 3).await;
    let response = app
        .client()
        .get(app.url(&format!("/plans/{id}/apply")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(
        response.headers()[reqwest::header::LOCATION]
            .to_str()
            .unwrap(),
        format!("/login?next=/plans/{id}/apply")
    );
}

on_both_backends!(
    the_plan_list_shows_five_seeded_plans_open_for_registration,
    the_level_filter_shows_only_plans_of_that_level,
    a_plan_page_lists_the_eligibility_alternatives_as_chinese_sentences,
    an_unknown_plan_is_a_not_found_page_in_chinese,
    applying_asks_a_visitor_to_log_in_first,
);

// --- the API ------------------------------------------------------------------------------------

async fn the_plan_api_lists_filters_and_pages(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let all = get_json(&app, "/api/v1/plans").await;
    assert_eq!(all["total"], 5);
    assert_eq!(all["page"], 1);
    assert_eq!(all["pages"], 1);
    let plans = all["plans"].as_array().unwrap();
    assert_eq!(plans.len(), 5);
    let mut levels: Vec<i64> = plans.iter().map(|p| p["level"].as_i64().unwrap()).collect();
    levels.sort();
    assert_eq!(levels, [1, 2, 3, 4, 5]);
    for plan in plans {
        assert_eq!(plan["state"], "open");
        assert_eq!(plan["state_label"], "报名中");
        assert_eq!(plan["seats_left"], plan["capacity"]);
        assert!(plan["fee_fen"].as_i64().unwrap() > 0);
        let window = plan["registration_window"].as_str().unwrap();
        assert_eq!(
            window.len(),
            "2021-06-10 10:00:00 - 2021-06-12 12:00:00".len(),
            "{window}"
        );
        assert!(plan["name"].as_str().unwrap().starts_with("电子商务师 "));
    }

    let level1 = get_json(&app, "/api/v1/plans?level=1").await;
    assert_eq!(level1["total"], 1);
    assert_eq!(level1["plans"][0]["level"], 1);
    assert_eq!(level1["plans"][0]["level_name"], "一级/高级技师");

    // A page past the end shows the last page.
    let beyond = get_json(&app, "/api/v1/plans?page=7").await;
    assert_eq!(beyond["page"], 1);
    assert_eq!(beyond["plans"].as_array().unwrap().len(), 5);

    for bad in ["9", "0", "abc", "-1"] {
        let response = reqwest::get(app.url(&format!("/api/v1/plans?level={bad}")))
            .await
            .unwrap();
        let e = ApiError::from(response).await;
        assert_eq!(e.status, 422, "level={bad}");
        assert_eq!(e.field("level").code, "level_invalid");
    }
}

async fn the_plan_api_gives_eligibility_tracks_and_sites(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for level in 1..=5u8 {
        let id = plan_of_level(&app, level).await;
        let plan = get_json(&app, &format!("/api/v1/plans/{id}")).await;
        assert_eq!(plan["id"], id);
        assert_eq!(plan["level"], level);
        assert_eq!(plan["occupation_code"], "4-01-02-02");
        let eligibility = plan["eligibility"].as_array().unwrap();
        assert!(!eligibility.is_empty(), "level {level}");
        for sentence in eligibility {
            let s = sentence.as_str().unwrap();
            assert!(crate::support::is_chinese(s) && s.ends_with('。'), "{s}");
        }
        let tracks: Vec<&str> = plan["tracks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        if level == 1 {
            assert!(tracks.is_empty(), "level 1 is undivided");
            assert_eq!(eligibility.len(), 1);
            let only = eligibility[0].as_str().unwrap();
            assert!(
                only.contains("二级/技师") && only.contains("4 年"),
                "{only}"
            );
        } else {
            assert_eq!(tracks, ["网商", "跨境电子商务师"], "level {level}");
        }
        let sites = plan["sites"].as_array().unwrap();
        assert!(!sites.is_empty());
        assert!(
            sites
                .iter()
                .all(|s| s["name"].is_string() && s["address"].is_string())
        );
        assert!(!plan["related_occupations"].as_array().unwrap().is_empty());
    }

    for path in ["/api/v1/plans/999999", "/api/v1/plans/abc"] {
        let e = ApiError::from(reqwest::get(app.url(path)).await.unwrap()).await;
        assert_eq!(e.status, 404, "{path}");
        assert_eq!(e.code, "not_found");
    }
}

on_both_backends!(
    the_plan_api_lists_filters_and_pages,
    the_plan_api_gives_eligibility_tracks_and_sites,
);
