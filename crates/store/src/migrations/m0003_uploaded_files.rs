//! Uploaded files (证件信息上传): one row per upload; the bytes live in the file storage under
//! `storage_key`. A re-upload of the same kind marks the previous row replaced.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("uploaded_files")
                .col(big_pk_auto("id"))
                .col(big_integer("application_id"))
                // The owner: a file is served to this account (and, later, to staff) only.
                .col(big_integer("account_id"))
                .col(string_len("kind", 48))
                // 64 hex characters of random bytes, never derived from a name or an id.
                .col(string_len("storage_key", 64).unique_key())
                .col(string_len("file_type", 8))
                .col(big_integer("byte_size"))
                .col(string_len("sha256", 64))
                // As the candidate's device named it; shown, never used as a path.
                .col(string_len("original_name", 255))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("replaced_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("uploaded_files", "application_id")
                        .to("applications", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from("uploaded_files", "account_id")
                        .to("accounts", "id")
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_uploaded_files_application")
                .table("uploaded_files")
                .col("application_id")
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("uploaded_files").to_owned())
            .await
    }
}
