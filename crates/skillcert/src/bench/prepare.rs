//! Candidates ready to press 提交, made straight through the store: an account, a live session
//! and a complete level-1 draft with every required document uploaded, on plans made for the
//! purpose. Nothing here goes through HTTP: signing up over HTTP would hash a password per
//! candidate and run into the SMS limits, and preparation is not what is measured.
//!
//! The draft is the one the HTTP tests submit (`level1_draft` in `tests/http/applications.rs`):
//! a 二级 certificate since 2019 and work since 2011 "至今", which meets level 1's first
//! alternative, so the server's whole review passes.

use std::sync::{Mutex, OnceLock};

use anyhow::{Context, bail};
use chrono::{Duration, NaiveDate, Utc};
use domain::accounts::Identity;
use domain::applications::documents::{DocumentKind, FileType, check_upload, required_documents};
use domain::applications::form::ApplicationDraft;
use domain::catalogue::Level;
use domain::identity::id_number::IdNumber;
use domain::identity::phone::Phone;
use domain::identity::real_name::RealName;
use domain::plans::{ExamWindow, RegistrationWindow};
use integrations::storage::FileStorage;
use serde_json::json;
use sha2::{Digest, Sha256};
use store::applications::DraftSave;
use store::files::NewFile;

use super::concurrent::join_all;
use super::photos;

/// One candidate ready to press 提交: an account, a live session, a complete draft with every
/// required document uploaded.
#[derive(Debug, Clone)]
pub struct ReadyCandidate {
    pub account_id: i64,
    pub application_id: i64,
    pub plan_id: i64,
    /// Value for the Cookie header, e.g. "skillcert_session=TOKEN".
    pub cookie: String,
    pub csrf: String,
}

/// Candidates made at once: the database does the waiting, the pools bound the real parallelism.
const PREPARE_CONCURRENCY: usize = 16;
/// ID numbers carry an odd 3-digit sequence (a man) and a birth date: 500 candidates per day.
const PER_BIRTH_DAY: u32 = 500;
/// Birth dates run from 1975-01-01 for about 20 years, all adults who can have worked since 2011.
const MAX_SERIAL: u32 = PER_BIRTH_DAY * 7_300;
const REAL_NAME: &str = "张三";
/// Marks the plans made here, so that the seeded plan is told apart from them.
const PLAN_CODE_PREFIX: &str = "BENCH-";

/// Creates `count` level-1 plans of the seeded 电子商务师 occupation (same sites/fee as the seeded
/// level-1 plan), registration open now for days, each with `capacity_each` seats. Returns their
/// ids.
pub async fn create_plans(
    db: &store::Db,
    count: usize,
    capacity_each: u32,
) -> anyhow::Result<Vec<i64>> {
    let (seeded, site_ids) = seeded_level1_plan(db).await?;
    let now = Utc::now();
    // Opened a day ago: any submission from now on is inside the window, and the seeded plan
    // (opened an hour before seeding) sorts before these in the plan list.
    let opens = now - Duration::days(1);
    let closes = now + Duration::days(30);
    let registration = RegistrationWindow::new(opens, closes)?;
    let exam_start = closes + Duration::days(7);
    let exam = ExamWindow::new(exam_start, exam_start + Duration::hours(3))?;
    // Codes must differ between batches made in one database.
    let batch = store::sessions::random_token()[..8].to_owned();
    let mut ids = Vec::with_capacity(count);
    for i in 0..count {
        let id = store::plans::insert(
            db.writer(),
            store::plans::NewPlan {
                code: format!("{PLAN_CODE_PREFIX}{batch}-{i}"),
                name: format!("{} 一级 (压测批次 {batch}-{i})", seeded.occupation_name),
                occupation_id: seeded.occupation_id,
                level: seeded.level,
                registration,
                exam,
                fee: seeded.fee,
                capacity: capacity_each,
                site_ids: site_ids.clone(),
                payment_closes_at: None,
            },
            now,
        )
        .await
        .context("creating a bench plan")?;
        ids.push(id);
    }
    Ok(ids)
}

/// The seeded level-1 plan and its sites: the newest level-1 plan not made by the bench.
async fn seeded_level1_plan(db: &store::Db) -> anyhow::Result<(store::plans::Plan, Vec<i64>)> {
    let level = Level::new(1).expect("level 1 exists");
    let mut page = 1;
    loop {
        let found = store::plans::list(db, Some(level), page).await?;
        if let Some(plan) = found
            .plans
            .into_iter()
            .find(|p| !p.code.starts_with(PLAN_CODE_PREFIX))
        {
            let (plan, sites) = store::plans::get(db, plan.id)
                .await?
                .context("the seeded level-1 plan vanished")?;
            return Ok((plan, sites.into_iter().map(|s| s.id).collect()));
        }
        if found.page >= found.pages {
            bail!("no seeded level-1 plan: is the database seeded?");
        }
        page += 1;
    }
}

/// Creates `count` candidates with serials starting at `first_serial` (unique phones and valid
/// GB 11643 ID numbers derived from the serial, so several batches in one database never
/// collide), each with a session and a complete draft on `plans[i % plans.len()]`, files stored
/// through `files` and recorded in the database. Direct store calls, no HTTP. One password hash
/// is made and shared.
pub async fn ready_candidates(
    db: &store::Db,
    pii: &store::pii::Pii,
    files: &dyn FileStorage,
    plans: &[i64],
    first_serial: u32,
    count: usize,
) -> anyhow::Result<Vec<ReadyCandidate>> {
    if plans.is_empty() {
        bail!("no plans to prepare candidates for");
    }
    let last = u64::from(first_serial) + count as u64;
    if last > u64::from(MAX_SERIAL) {
        bail!("candidate serials run up to {MAX_SERIAL}; {first_serial}+{count} is beyond");
    }
    let shared = Shared::load(db, plans[0]).await?;
    let next = Mutex::new(0usize);
    let done: Mutex<Vec<Option<ReadyCandidate>>> = Mutex::new(vec![None; count]);
    let (next, done, shared) = (&next, &done, &shared);
    let workers: Vec<_> = (0..PREPARE_CONCURRENCY.min(count.max(1)))
        .map(|_| async move {
            loop {
                let i = {
                    let mut next = next.lock().expect("counter");
                    if *next >= count {
                        return anyhow::Ok(());
                    }
                    *next += 1;
                    *next - 1
                };
                let serial = first_serial + u32::try_from(i).expect("checked against MAX_SERIAL");
                let plan_id = plans[i % plans.len()];
                let ready = one_candidate(db, pii, files, shared, serial, plan_id)
                    .await
                    .with_context(|| format!("preparing candidate {serial}"))?;
                done.lock().expect("results")[i] = Some(ready);
            }
        })
        .collect();
    for result in join_all(workers).await {
        result?;
    }
    let done = std::mem::take(&mut *done.lock().expect("results"));
    Ok(done
        .into_iter()
        .map(|c| c.expect("every candidate was prepared"))
        .collect())
}

/// What every candidate of a batch shares: the password hash, the claimed alternative and the
/// documents it needs, with their bytes.
struct Shared {
    password_hash: String,
    claimed_rule: i64,
    documents: Vec<Document>,
}

struct Document {
    kind: DocumentKind,
    name: &'static str,
    bytes: &'static [u8],
    file_type: FileType,
    sha256: String,
}

impl Shared {
    async fn load(db: &store::Db, plan_id: i64) -> anyhow::Result<Shared> {
        let (plan, _) = store::plans::get(db, plan_id)
            .await?
            .with_context(|| format!("plan {plan_id} does not exist"))?;
        let rules = store::catalogue::rules_with_ids(db, plan.occupation_id, plan.level).await?;
        let (claimed_rule, rule) = rules
            .into_iter()
            .next()
            .context("the plan's level has no eligibility alternative")?;
        // The draft is a promotion (晋级鉴定), as level1_draft's declaration says.
        let kinds = required_documents(Some(&rule), true);
        let mut documents = Vec::new();
        for kind in kinds {
            let (name, bytes) = file_for(kind);
            // The same check the upload handler makes: a bench that stored files the server
            // would refuse would measure a form no candidate can submit.
            let file_type = check_upload(kind, bytes)
                .map_err(|e| anyhow::anyhow!("bench file for {}: {e}", kind.code()))?;
            documents.push(Document {
                kind,
                name,
                bytes,
                file_type,
                sha256: hex::encode(Sha256::digest(bytes)),
            });
        }
        Ok(Shared {
            // One argon2 hash for everyone: hashing is seconds of CPU per hundred candidates.
            password_hash: store::passwords::hash("bench-kaoshi-2024".to_owned()).await?,
            claimed_rule,
            documents,
        })
    }
}

/// The file a candidate uploads for a document kind, as the HTTP tests do: the good photo, a PNG
/// for the ID card's sides, a PDF for the rest.
fn file_for(kind: DocumentKind) -> (&'static str, &'static [u8]) {
    static PNG: OnceLock<Vec<u8>> = OnceLock::new();
    match kind {
        DocumentKind::Photo => ("photo.jpg", photos::good_photo()),
        DocumentKind::IdCardFront | DocumentKind::IdCardBack => {
            ("id-card.png", PNG.get_or_init(photos::small_png).as_slice())
        }
        _ => ("scan.pdf", photos::SMALL_PDF),
    }
}

async fn one_candidate(
    db: &store::Db,
    pii: &store::pii::Pii,
    files: &dyn FileStorage,
    shared: &Shared,
    serial: u32,
    plan_id: i64,
) -> anyhow::Result<ReadyCandidate> {
    let now = Utc::now();
    let phone = phone_of(serial);
    let id_number = id_number_of(serial);
    let account_id = store::accounts::register(
        db,
        pii,
        store::accounts::NewAccount {
            phone: Phone::parse(&phone).map_err(|e| anyhow::anyhow!("phone {phone}: {e:?}"))?,
            password_hash: shared.password_hash.clone(),
            email: None,
            real_name: RealName::parse(REAL_NAME).map_err(|e| anyhow::anyhow!("{e:?}"))?,
            id_number: IdNumber::parse(&id_number)
                .map_err(|e| anyhow::anyhow!("ID number {id_number}: {e:?}"))?,
            identity: Identity::Worker,
        },
        now,
    )
    .await?
    .map_err(|e| anyhow::anyhow!("serial {serial} is taken ({e:?}): use other serials"))?;
    let (token, session) =
        store::sessions::create(db, Some(account_id), "{}", Duration::days(7), now).await?;
    let application =
        store::applications::draft_for(db, account_id, plan_id, &ApplicationDraft::default(), now)
            .await?;
    let draft = level1_draft(&phone, &id_number, shared.claimed_rule)?;
    store::applications::save_draft(
        db,
        application.id,
        account_id,
        DraftSave {
            draft: &draft,
            // The wizard's position of 申报信息, the last page before the documents.
            step_reached: 5,
            changed_fields: &[],
            eligibility_met: None,
        },
        now,
    )
    .await?
    .map_err(|e| anyhow::anyhow!("saving the draft: {e:?}"))?;
    for document in &shared.documents {
        let key = integrations::storage::new_key();
        files.put(&key, document.bytes).await?;
        store::files::record(
            db,
            &NewFile {
                application_id: application.id,
                account_id,
                kind: document.kind,
                storage_key: key,
                file_type: document.file_type,
                byte_size: i64::try_from(document.bytes.len())?,
                sha256: document.sha256.clone(),
                original_name: document.name.to_owned(),
            },
            now,
        )
        .await?
        .map_err(|e| anyhow::anyhow!("recording {}: {e:?}", document.kind.code()))?;
    }
    Ok(ReadyCandidate {
        account_id,
        application_id: application.id,
        plan_id,
        cookie: format!("{}={token}", web::session::COOKIE_NAME),
        csrf: session.csrf_token,
    })
}

/// 137 followed by the serial: a valid mobile number of its own for each serial.
fn phone_of(serial: u32) -> String {
    format!("137{serial:08}")
}

/// The birth date an ID number of `serial` carries.
fn birth_of(serial: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(1975, 1, 1).expect("a date")
        + Duration::days(i64::from(serial / PER_BIRTH_DAY))
}

/// A Nanning (450103) ID number of a man: the birth date and the odd sequence number come from
/// the serial, the check character from GB 11643.
fn id_number_of(serial: u32) -> String {
    let sequence = 2 * (serial % PER_BIRTH_DAY) + 1;
    let first17 = format!("450103{}{sequence:03}", birth_of(serial).format("%Y%m%d"));
    let check = domain::identity::id_number::check_digit(&first17).expect("17 digits");
    format!("{first17}{check}")
}

/// One row of the work history (工作经历), as the API takes it.
pub fn work_row(
    start: &str,
    end: &str,
    employer: &str,
    post: &str,
    referee: &str,
) -> serde_json::Value {
    json!({
        "start": start, "end": end, "employer": employer, "employer_uscc": "",
        "post": post, "referee": referee, "referee_phone": "13800138000",
    })
}

fn level1_draft(
    phone: &str,
    id_number: &str,
    claimed_rule: i64,
) -> anyhow::Result<ApplicationDraft> {
    let value = level1_draft_json(REAL_NAME, phone, id_number, claimed_rule)?;
    Ok(serde_json::from_value(value)?)
}

/// A draft that passes every check for a level-1 plan, as the API takes it: a 二级 certificate
/// since 2019 and work since 2011 "至今", which meets the level's alternative `claimed_rule`.
/// The bench's candidates and the HTTP tests' both submit it.
pub fn level1_draft_json(
    real_name: &str,
    phone: &str,
    id_number: &str,
    claimed_rule: i64,
) -> anyhow::Result<serde_json::Value> {
    let id = IdNumber::parse(id_number).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let birth_date = id.birth_date().format("%Y-%m-%d").to_string();
    Ok(json!({
        "basic": {
            "name": real_name, "gender": "male", "birth_date": birth_date,
            "ethnicity": "01", "political_status": "", "education": "21",
            "mobile": phone, "phone": "0771-1234567", "email": "zhangsan@example.com",
            "postcode": "530000", "assessment_category": "01", "candidate_source": "03",
        },
        "identity": { "identity": "worker" },
        "registration": {
            "id_type": "resident_id_card", "id_number": id_number,
            "organization": "南宁职业技能培训中心", "years_of_work": "15",
            "enterprise_type": "03", "employer": "广西云商电子商务有限公司", "hukou_type": "城镇",
            "hukou_province": "", "hukou_city": "", "hukou_district": "",
            "residence_province": "450000", "residence_city": "450100",
            "residence_district": "450103", "residence_address": "民族大道 1 号",
            "employer_province": "", "employer_city": "", "employer_district": "",
            "employer_address": "",
        },
        "education": {
            "degree": "31", "school": "广西职业技术学院", "major": "电子商务",
            "diploma_number": "", "graduation_date": "2011-07", "related_major": true,
        },
        "work_history": [
            work_row("2011-08", "2016-12", "广西云商电子商务有限公司", "运营专员", "李四"),
            work_row("2017-01", "至今", "南宁跨境贸易有限公司", "运营经理", "赵六"),
        ],
        "declaration": {
            "kind": "promotion", "previous_certificate_number": "S000045000001202021000123",
            "previous_occupation": "电子商务师", "previous_level": "2",
            "previous_issued_on": "2019-06-01", "claimed_rule": claimed_rule, "track": "",
            "apprenticeship_completed": false, "preparatory_technician_since": "",
        },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials_give_distinct_valid_phones_and_id_numbers() {
        let serials = [0, 1, 499, 500, 12_345, MAX_SERIAL - 1];
        let mut ids = std::collections::HashSet::new();
        for serial in serials {
            let id = IdNumber::parse(&id_number_of(serial)).expect("a valid ID number");
            assert_eq!(id.birth_date(), birth_of(serial));
            assert!(
                ids.insert(id.as_str().to_owned()),
                "serial {serial} repeats"
            );
            Phone::parse(&phone_of(serial)).expect("a valid phone");
        }
    }

    #[test]
    fn the_draft_reads_as_the_form() {
        let draft = level1_draft(&phone_of(7), &id_number_of(7), 3).expect("a draft");
        assert_eq!(draft.declaration.claimed_rule, Some(3));
        assert_eq!(draft.basic.birth_date, "1975-01-01");
        assert_eq!(draft.work_history.len(), 2);
    }
}
