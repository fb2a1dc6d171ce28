use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sms_codes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub phone_hash: String,
    pub phone_enc: Vec<u8>,
    pub purpose: String,
    pub code_hash: String,
    pub wrong_attempts: i32,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub consumed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
