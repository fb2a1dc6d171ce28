use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "employer_imports")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub account_id: i64,
    pub file_name: String,
    pub records: String,
    pub refused_rows: i32,
    pub created_at: DateTimeUtc,
    pub applied_at: Option<DateTimeUtc>,
    pub inserted: Option<i32>,
    pub updated: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
