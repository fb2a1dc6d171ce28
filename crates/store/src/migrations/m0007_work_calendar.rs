//! The working-day calendar's exceptions (`domain::calendar`): public holidays and make-up
//! working days, one row per date, kept by staff.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("work_calendar_days")
                .col(date("day").primary_key())
                // holiday | workday
                .col(string_len("kind", 16))
                .col(string_len("name", 64).default(""))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("work_calendar_days").to_owned())
            .await
    }
}
