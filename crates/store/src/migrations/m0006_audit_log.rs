//! The staff audit log: who did what to which record, when, with the record before and after.
//! Append-only in the database itself: triggers refuse every UPDATE and DELETE, so that not even
//! a bug (or a hand with SQL access through the application's account) can rewrite history.

use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("audit_log")
                .col(big_pk_auto("id"))
                .col(timestamp_with_time_zone("at"))
                .col(big_integer_null("actor_account_id"))
                // The actor as they were called then (a login name), kept if the account goes.
                .col(string_len("actor", 64))
                // `plan.update`, `application.reject`, `staff.create` …
                .col(string_len("action", 64))
                .col(string_len("subject_type", 32))
                .col(string_len("subject_id", 64))
                .col(text_null("before"))
                .col(text_null("after"))
                .col(string_len_null("client_address", 64))
                .to_owned(),
        )
        .await?;
        for (name, cols) in [
            ("idx_audit_log_at", vec!["at"]),
            ("idx_audit_log_actor", vec!["actor_account_id", "at"]),
            (
                "idx_audit_log_subject",
                vec!["subject_type", "subject_id", "at"],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table("audit_log");
            for c in cols {
                index.col(c);
            }
            m.create_index(index.to_owned()).await?;
        }
        let conn = m.get_connection();
        match conn.get_database_backend() {
            DatabaseBackend::Postgres => {
                conn.execute_unprepared(
                    "CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$ \
                     BEGIN RAISE EXCEPTION 'audit_log is append-only'; END; \
                     $$ LANGUAGE plpgsql",
                )
                .await?;
                conn.execute_unprepared(
                    "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log \
                     FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
                )
                .await?;
            }
            _ => {
                for (name, event) in [
                    ("audit_log_no_update", "UPDATE"),
                    ("audit_log_no_delete", "DELETE"),
                ] {
                    conn.execute_unprepared(&format!(
                        "CREATE TRIGGER {name} BEFORE {event} ON audit_log \
                         BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
                    ))
                    .await?;
                }
            }
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("audit_log").to_owned())
            .await?;
        if m.get_connection().get_database_backend() == DatabaseBackend::Postgres {
            m.get_connection()
                .execute_unprepared("DROP FUNCTION IF EXISTS audit_log_append_only()")
                .await?;
        }
        Ok(())
    }
}
