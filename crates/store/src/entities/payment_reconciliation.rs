use sea_orm::entity::prelude::*;

/// One day's comparison of our paid orders with the provider's bill.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payment_reconciliations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub provider: String,
    pub bill_date: Date,
    pub created_at: DateTimeUtc,
    pub outcome: String,
    pub report: String,
    pub requested_by: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
