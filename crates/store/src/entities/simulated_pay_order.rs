use sea_orm::entity::prelude::*;

/// The simulated provider's side of an order (what WeChat Pay would hold).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "simulated_pay_orders")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub out_trade_no: String,
    pub description: String,
    pub amount_fen: i64,
    pub expires_at: DateTimeUtc,
    pub trade_state: String,
    pub transaction_id: Option<String>,
    pub paid_at: Option<DateTimeUtc>,
    pub notify_url: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
