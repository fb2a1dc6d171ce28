use sea_orm::entity::prelude::*;

/// The simulated provider's side of a refund.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "simulated_pay_refunds")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub out_refund_no: String,
    pub out_trade_no: String,
    pub refund_id: String,
    pub amount_fen: i64,
    pub status: String,
    pub created_at: DateTimeUtc,
    pub succeeded_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
