//! Review: the claim that keeps two reviewers off one application, and every reviewer's decision
//! (one row per round: approved, or rejected with its reasons and the marked parts), kept so that
//! the candidate and later reviewers see the history of every round.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("review_claims")
                // One claim per application at most: claiming is an upsert on this key.
                .col(big_integer("application_id").primary_key())
                .col(big_integer("reviewer_account_id"))
                .col(string_len("reviewer_name", 64))
                .col(timestamp_with_time_zone("claimed_at"))
                .col(timestamp_with_time_zone("expires_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("review_claims", "application_id")
                        .to("applications", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("review_decisions")
                .col(big_pk_auto("id"))
                .col(big_integer("application_id"))
                .col(integer("round"))
                .col(big_integer("reviewer_account_id"))
                .col(string_len("reviewer_name", 64))
                // approved | rejected
                .col(string_len("decision", 16))
                // JSON: the reason templates' codes, and [{part, note}] marks.
                .col(text("templates"))
                .col(text("reason_text"))
                .col(text("marks"))
                .col(timestamp_with_time_zone("decided_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("review_decisions", "application_id")
                        .to("applications", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_review_decisions_application")
                .table("review_decisions")
                .col("application_id")
                .col("round")
                .to_owned(),
        )
        .await?;
        // The queue lists applications by status and submission time.
        m.create_index(
            Index::create()
                .name("idx_applications_status_submitted")
                .table("applications")
                .col("status")
                .col("submitted_at")
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("idx_applications_status_submitted")
                .table("applications")
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table("review_decisions").to_owned())
            .await?;
        m.drop_table(Table::drop().table("review_claims").to_owned())
            .await
    }
}
