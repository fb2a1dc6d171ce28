use sea_orm::entity::prelude::*;

/// One payment attempt (`store::payments`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payment_orders")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub application_id: i64,
    pub account_id: i64,
    pub plan_id: i64,
    pub out_trade_no: String,
    pub provider: String,
    pub amount_fen: i64,
    pub state: String,
    pub code_url: Option<String>,
    pub expires_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub paid_at: Option<DateTimeUtc>,
    pub transaction_id: Option<String>,
    pub closed_at: Option<DateTimeUtc>,
    pub refunded_fen: i64,
    pub check_requested_at: Option<DateTimeUtc>,
    pub last_checked_at: Option<DateTimeUtc>,
    pub offline_method: Option<String>,
    pub offline_reference: Option<String>,
    pub offline_note: Option<String>,
    pub recorded_by: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
