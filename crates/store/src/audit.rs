//! The staff audit log: every staff action is one line, written in the transaction of the change
//! it records (so a line exists exactly when the change does), with the record before and after
//! as JSON. There is no function here to change or delete a line, and the database refuses it
//! too (triggers, migration m0006). Administrators search it by actor, action, subject and time.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, LikeExpr};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};

use crate::entities::audit_entry as row;
use crate::{Db, StoreError};

pub const PAGE_SIZE: u64 = 50;

/// A staff action to record.
#[derive(Debug, Clone)]
pub struct NewEntry<'a> {
    pub actor_account_id: Option<i64>,
    /// How the actor is called now (login name); kept if the account is later removed.
    pub actor: &'a str,
    /// `subject.verb`: `plan.update`, `application.reject`, `staff.create` …
    pub action: &'a str,
    pub subject_type: &'a str,
    pub subject_id: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub client_address: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_account_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub subject_type: String,
    pub subject_id: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub client_address: Option<String>,
}

/// What to look for; every field narrows the search.
#[derive(Debug, Clone, Default)]
pub struct Search {
    pub actor_account_id: Option<i64>,
    /// An action, or a prefix of one ending in `.` (`plan.` for every plan action).
    pub action: Option<String>,
    pub subject: Option<(String, String)>,
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
pub struct EntryPage {
    pub entries: Vec<Entry>,
    pub page: u64,
    pub pages: u64,
    pub total: u64,
}

/// Records a staff action, in the caller's transaction.
pub async fn record<C: ConnectionTrait>(
    conn: &C,
    entry: NewEntry<'_>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    row::Entity::insert(row::ActiveModel {
        at: Set(now),
        actor_account_id: Set(entry.actor_account_id),
        actor: Set(entry.actor.to_owned()),
        action: Set(entry.action.to_owned()),
        subject_type: Set(entry.subject_type.to_owned()),
        subject_id: Set(entry.subject_id),
        before: Set(entry.before.map(|v| v.to_string())),
        after: Set(entry.after.map(|v| v.to_string())),
        client_address: Set(entry.client_address),
        ..Default::default()
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// One page (from 1) of the lines that match, newest first.
pub async fn search(db: &Db, search: &Search, page: u64) -> Result<EntryPage, StoreError> {
    let mut query = row::Entity::find()
        .order_by_desc(row::Column::At)
        .order_by_desc(row::Column::Id);
    if let Some(actor) = search.actor_account_id {
        query = query.filter(row::Column::ActorAccountId.eq(actor));
    }
    if let Some(action) = &search.action {
        query = if action.ends_with('.') {
            // `_` is common in actions (`staff.reset_password`) and a LIKE wildcard: escaped.
            let escaped: String = action
                .chars()
                .flat_map(|c| match c {
                    '%' | '_' | '\\' => vec!['\\', c],
                    c => vec![c],
                })
                .collect();
            query.filter(
                Expr::col(row::Column::Action)
                    .like(LikeExpr::new(format!("{escaped}%")).escape('\\')),
            )
        } else {
            query.filter(row::Column::Action.eq(action.as_str()))
        };
    }
    if let Some((kind, id)) = &search.subject {
        query = query
            .filter(row::Column::SubjectType.eq(kind.as_str()))
            .filter(row::Column::SubjectId.eq(id.as_str()));
    }
    if let Some(from) = search.from {
        query = query.filter(row::Column::At.gte(from));
    }
    if let Some(until) = search.until {
        query = query.filter(row::Column::At.lt(until));
    }
    let paginator = query.paginate(db.reader(), PAGE_SIZE);
    let counts = paginator.num_items_and_pages().await?;
    let pages = std::cmp::max(counts.number_of_pages, 1);
    let page = page.clamp(1, pages);
    let entries = paginator
        .fetch_page(page - 1)
        .await?
        .into_iter()
        .map(|r| Entry {
            id: r.id,
            at: r.at,
            actor_account_id: r.actor_account_id,
            actor: r.actor,
            action: r.action,
            subject_type: r.subject_type,
            subject_id: r.subject_id,
            before: r.before.and_then(|t| serde_json::from_str(&t).ok()),
            after: r.after.and_then(|t| serde_json::from_str(&t).ok()),
            client_address: r.client_address,
        })
        .collect();
    Ok(EntryPage {
        entries,
        page,
        pages,
        total: counts.number_of_items,
    })
}
