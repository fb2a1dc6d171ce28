use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "accounts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub phone_hash: Option<String>,
    pub phone_enc: Option<Vec<u8>>,
    pub id_number_hash: Option<String>,
    pub id_number_enc: Option<Vec<u8>>,
    pub login_name: Option<String>,
    pub real_name: String,
    pub email: Option<String>,
    pub identity: Option<String>,
    pub password_hash: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Set when an administrator disabled the account (migration m0010).
    pub disabled_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
