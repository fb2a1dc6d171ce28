//! A job queue in the database (notifications first): a job survives the process stopping, is
//! retried with backoff, and is enqueued once per event (`dedupe_key`).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("jobs")
                .col(big_pk_auto("id"))
                .col(string_len("queue", 32))
                // One job per event: enqueuing the same event again does nothing.
                .col(string_len("dedupe_key", 160).unique_key())
                .col(text("payload"))
                // pending, running, done, dead
                .col(string_len("state", 16))
                .col(integer("attempts").default(0))
                .col(integer("max_attempts"))
                .col(timestamp_with_time_zone("run_at"))
                // While running: when the worker's lease ends and another may take the job.
                .col(timestamp_with_time_zone_null("locked_until"))
                .col(text_null("last_error"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("finished_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_jobs_due")
                .table("jobs")
                .col("queue")
                .col("state")
                .col("run_at")
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("jobs").to_owned()).await
    }
}
