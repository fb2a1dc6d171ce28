//! The catalogue and reference data in the staff console:
//! - `eligibility_rules.retired`: an alternative staff change or remove is retired, never
//!   deleted, because applications name the alternative they claim by its id; a retired one is
//!   no longer offered, and an application that claims it keeps being judged by it.
//! - `employer_imports`: an employer file checked and waiting for the administrator's
//!   confirmation (the rows that passed, as JSON), so that the file is read once and the
//!   confirmation applies exactly what the report showed, from any instance.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("eligibility_rules")
                .add_column(boolean("retired").default(false))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("employer_imports")
                .col(big_pk_auto("id"))
                .col(big_integer("account_id"))
                .col(string_len("file_name", 128))
                // JSON: [{row, name, uscc, founded_on, deregistered_on}], the rows that passed.
                .col(text("records"))
                .col(integer("refused_rows"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("applied_at"))
                .col(integer_null("inserted"))
                .col(integer_null("updated"))
                .foreign_key(
                    ForeignKey::create()
                        .from("employer_imports", "account_id")
                        .to("accounts", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("employer_imports").to_owned())
            .await?;
        m.alter_table(
            Table::alter()
                .table("eligibility_rules")
                .drop_column("retired")
                .to_owned(),
        )
        .await
    }
}
