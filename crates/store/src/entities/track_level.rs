use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "track_levels")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub track_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub level: i16,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
