//! 意见反馈: one row per piece of feedback a candidate sends, with its optional screenshot (the
//! bytes live in the file storage under `screenshot_key`, like uploaded documents) and the staff
//! answer beside it (a feedback is answered once; `answered_at` is null while it waits).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("feedback")
                .col(big_pk_auto("id"))
                .col(big_integer("account_id"))
                // One of the sender's own applications, if the feedback is about one.
                .col(big_integer_null("application_id"))
                .col(string_len("category", 16))
                .col(text("text"))
                // 64 hex characters of random bytes, never derived from a name or an id.
                .col(string_len_null("screenshot_key", 64).unique_key())
                .col(string_len_null("screenshot_type", 8))
                .col(big_integer_null("screenshot_size"))
                .col(string_len_null("screenshot_sha256", 64))
                .col(timestamp_with_time_zone("created_at"))
                .col(text_null("answer_text"))
                .col(big_integer_null("answered_by"))
                // The answering staff member's name as the candidate sees it, kept if the
                // account is later removed.
                .col(string_len_null("answered_by_name", 100))
                .col(timestamp_with_time_zone_null("answered_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("feedback", "account_id")
                        .to("accounts", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from("feedback", "application_id")
                        .to("applications", "id")
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .to_owned(),
        )
        .await?;
        // The candidate's own list, newest first.
        m.create_index(
            Index::create()
                .name("idx_feedback_account")
                .table("feedback")
                .col("account_id")
                .col("id")
                .to_owned(),
        )
        .await?;
        // The staff list: unanswered first.
        m.create_index(
            Index::create()
                .name("idx_feedback_answered")
                .table("feedback")
                .col("answered_at")
                .col("id")
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("feedback").to_owned())
            .await
    }
}
