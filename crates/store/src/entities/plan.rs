use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "plans")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub code: String,
    pub name: String,
    pub occupation_id: i64,
    pub level: i16,
    pub registration_opens_at: DateTimeUtc,
    pub registration_closes_at: DateTimeUtc,
    pub exam_starts_at: DateTimeUtc,
    pub exam_ends_at: DateTimeUtc,
    pub fee_fen: i64,
    pub capacity: i32,
    pub payment_closes_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
