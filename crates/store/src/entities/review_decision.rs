use sea_orm::entity::prelude::*;

/// A reviewer's decision on one round of an application (`store::review`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "review_decisions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub application_id: i64,
    pub round: i32,
    pub reviewer_account_id: i64,
    pub reviewer_name: String,
    pub decision: String,
    pub templates: String,
    pub reason_text: String,
    pub marks: String,
    pub decided_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
