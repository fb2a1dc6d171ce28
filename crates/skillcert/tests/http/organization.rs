//! 本单位报名: an organization contact reads only the applications naming their organization;
//! only an administrator says which organization that is.

use domain::accounts::StaffRole;
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::support::staff::submitted_application;
use crate::support::{ApiError, Backend, TestApp};

async fn a_contact_reads_their_organizations_applications_only(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let s = submitted_application(&app, "13700006661", 61).await;
    let admin = app
        .staff("guanliyuan", "管理员", &[StaffRole::Administrator])
        .await;
    let contact = app
        .staff("lianxiren", "联系人甲", &[StaffRole::OrganizationContact])
        .await;
    let elsewhere = app
        .staff("lianxiren2", "联系人乙", &[StaffRole::OrganizationContact])
        .await;
    let reviewer = app
        .staff("shenheyuan", "审核员", &[StaffRole::Reviewer])
        .await;

    // Not yet linked to an organization: told so.
    let e = ApiError::from(
        contact
            .client
            .get(app.url("/api/v1/staff/organization/applications"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (e.status, e.code.as_str()),
        (409, "organization_unassigned")
    );

    let assign = async |who: &crate::support::staff::StaffUser, target: i64, org: &str| {
        who.client
            .put(app.url(&format!("/api/v1/staff/organization-contacts/{target}")))
            .header("X-CSRF-Token", &who.csrf)
            .json(&json!({ "organization": org }))
            .send()
            .await
            .unwrap()
    };
    // Only an administrator links contacts, and only contacts.
    assert_eq!(
        assign(&reviewer, contact.account_id, "南宁职业技能培训中心")
            .await
            .status(),
        403
    );
    let e = ApiError::from(assign(&admin, reviewer.account_id, "南宁职业技能培训中心").await).await;
    assert_eq!(
        (e.status, e.code.as_str()),
        (422, "not_organization_contact")
    );
    assert_eq!(
        assign(&admin, contact.account_id, "南宁职业技能培训中心")
            .await
            .status(),
        204
    );
    assert_eq!(
        assign(&admin, elsewhere.account_id, "南宁职业技能培训中心分部")
            .await
            .status(),
        204
    );

    let seen: Value = contact
        .client
        .get(app.url("/api/v1/staff/organization/applications"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(seen["organization"], "南宁职业技能培训中心");
    let ids: Vec<i64> = seen["applications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![s.application_id]);
    assert_eq!(seen["applications"][0]["status"], "under_review");
    // A name that only starts the same is another organization.
    let other: Value = elsewhere
        .client
        .get(app.url("/api/v1/staff/organization/applications"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(other["applications"].as_array().unwrap().is_empty());
    let page = contact
        .client
        .get(app.url("/staff/organization"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("张三") && page.contains("审核中"), "{page}");

    // Read-only: the contact cannot review, and a reviewer or a candidate cannot read this.
    let r = contact
        .client
        .get(app.url("/api/v1/staff/review"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    for client in [&reviewer.client, &s.candidate.client] {
        let r = client
            .get(app.url("/api/v1/staff/organization/applications"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        let r = client
            .get(app.url("/staff/organization"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
    }
    let anonymous = app.client();
    let r = anonymous
        .get(app.url("/api/v1/staff/organization/applications"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

on_both_backends!(a_contact_reads_their_organizations_applications_only);
