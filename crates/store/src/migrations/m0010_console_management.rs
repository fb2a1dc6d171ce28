//! What the console's management areas need beyond the foundation: the documents a plan asks
//! for on top of the eligibility alternative's (`plan_documents`), and a way to disable a staff
//! account without deleting it (its audit lines keep pointing at it): `accounts.disabled_at`.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("plan_documents")
                .col(big_integer("plan_id"))
                // A `DocumentKind` code (`diploma`, …).
                .col(string_len("kind", 40))
                .primary_key(Index::create().col("plan_id").col("kind"))
                .foreign_key(
                    ForeignKey::create()
                        .from("plan_documents", "plan_id")
                        .to("plans", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        // Null: the account may log in. Set: disabled at that instant.
        m.alter_table(
            Table::alter()
                .table("accounts")
                .add_column(timestamp_with_time_zone_null("disabled_at"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("accounts")
                .drop_column("disabled_at")
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table("plan_documents").to_owned())
            .await
    }
}
