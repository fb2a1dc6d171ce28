use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "eligibility_rules")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub occupation_id: i64,
    pub level: i16,
    pub position: i32,
    pub kind: String,
    pub required_level: Option<i16>,
    pub years_of_work: Option<i16>,
    pub years_counted_from: String,
    pub education_codes: Option<String>,
    pub education_or_above: bool,
    pub related_major: bool,
    pub related_occupation: bool,
    /// No longer offered; kept for the applications that claim it (migration m0011).
    pub retired: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
