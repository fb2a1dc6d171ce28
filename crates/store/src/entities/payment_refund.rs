use sea_orm::entity::prelude::*;

/// One refund of an order, all or part (`store::payments`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payment_refunds")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub order_id: i64,
    pub out_refund_no: String,
    pub amount_fen: i64,
    pub cause: String,
    pub reason: String,
    pub state: String,
    pub refund_id: Option<String>,
    pub requested_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub succeeded_at: Option<DateTimeUtc>,
    pub last_error: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
