//! Notifications: one in-app notification per status change of an application (the event is
//! its key, so a job that runs again inserts nothing), with the state of its SMS beside it so
//! that a job run again after a successful send does not send again; and the templates staff
//! have changed (a template not stored here is the default in `domain::notifications`).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("notifications")
                .col(big_pk_auto("id"))
                .col(big_integer("account_id"))
                // A status change's notification: its application and timeline event (one
                // notification per event). Absent for what concerns no application.
                .col(big_integer_null("application_id"))
                .col(big_integer_null("event_id").unique_key())
                // An answer to the account's feedback (意见反馈): one notification per feedback.
                .col(big_integer_null("feedback_id").unique_key())
                .col(string_len("template_key", 32))
                .col(text("title"))
                .col(text("body"))
                .col(string_len("link", 200))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("read_at"))
                // pending, sent, refused (the provider will never take it), no_phone, none (in-app only)
                .col(string_len("sms_status", 16))
                .col(text("sms_text"))
                .col(integer("sms_attempts").default(0))
                // The provider's last refusal or failure, for staff.
                .col(text_null("sms_error"))
                .col(timestamp_with_time_zone_null("sms_sent_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("notifications", "account_id")
                        .to("accounts", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from("notifications", "application_id")
                        .to("applications", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from("notifications", "event_id")
                        .to("application_events", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        // The bell's unread count, read with every logged-in page.
        m.create_index(
            Index::create()
                .name("idx_notifications_unread")
                .table("notifications")
                .col("account_id")
                .col("read_at")
                .to_owned(),
        )
        .await?;
        // The notification centre, newest change first.
        m.create_index(
            Index::create()
                .name("idx_notifications_account")
                .table("notifications")
                .col("account_id")
                .col("created_at")
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("notification_templates")
                .col(string_len("key", 32).primary_key())
                .col(text("sms_text"))
                .col(text("title"))
                .col(text("body"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(big_integer_null("updated_by"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("notification_templates").to_owned())
            .await?;
        m.drop_table(Table::drop().table("notifications").to_owned())
            .await
    }
}
