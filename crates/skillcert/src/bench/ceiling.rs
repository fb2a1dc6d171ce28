//! The transaction ceiling: how many submissions per second the store's submission transaction
//! itself takes, with no HTTP, no session and no review in front of it. The same
//! `store::applications::submit` the handler ends with, called from C tasks at once on
//! applications loaded beforehand (the load is the request's work, not the transaction's).

use chrono::Utc;
use store::applications::{Application, ChangeError};

use super::prepare::ReadyCandidate;
use super::tasks::{self, Attempt, CeilingFigures};

pub async fn measure(
    db: &store::Db,
    candidates: &[ReadyCandidate],
    concurrency: usize,
) -> anyhow::Result<CeilingFigures> {
    let applications = load(db, candidates).await?;
    let db = db.clone();
    Ok(tasks::drive(
        "transaction ceiling",
        applications,
        concurrency,
        move |application| {
            let db = db.clone();
            async move {
                let result =
                    store::applications::submit(&db, &application, true, false, Utc::now()).await;
                match result {
                    Ok(Ok(_)) => Attempt::Submitted,
                    Ok(Err(ChangeError::Full)) => Attempt::Full,
                    Ok(Err(e)) => Attempt::Error(format!("{e:?}")),
                    Err(e) => Attempt::Error(e.to_string()),
                }
            }
        },
    )
    .await)
}

/// The candidates' applications as the handler loads them (`get_owned`), before the clock starts.
pub async fn load(
    db: &store::Db,
    candidates: &[ReadyCandidate],
) -> anyhow::Result<Vec<Application>> {
    let mut applications = Vec::with_capacity(candidates.len());
    for c in candidates {
        let application = store::applications::get_owned(db, c.application_id, c.account_id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("application {} vanished", c.application_id))?;
        applications.push(application);
    }
    Ok(applications)
}
