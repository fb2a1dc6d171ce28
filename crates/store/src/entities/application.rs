use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "applications")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub account_id: i64,
    pub plan_id: i64,
    pub status: String,
    pub draft: String,
    pub step_reached: i16,
    pub eligibility_acknowledged: bool,
    pub eligibility_met: bool,
    pub round: i32,
    pub submitted_at: Option<DateTimeUtc>,
    pub payment_due_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
