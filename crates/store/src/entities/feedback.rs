use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "feedback")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub account_id: i64,
    pub application_id: Option<i64>,
    pub category: String,
    pub text: String,
    pub screenshot_key: Option<String>,
    pub screenshot_type: Option<String>,
    pub screenshot_size: Option<i64>,
    pub screenshot_sha256: Option<String>,
    pub created_at: DateTimeUtc,
    pub answer_text: Option<String>,
    pub answered_by: Option<i64>,
    pub answered_by_name: Option<String>,
    pub answered_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
