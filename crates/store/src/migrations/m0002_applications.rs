//! Applications (报名) with their drafts and timelines, uploaded files, and the employer registry.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("applications")
                .col(big_pk_auto("id"))
                .col(big_integer("account_id"))
                .col(big_integer("plan_id"))
                .col(string_len("status", 32))
                // The whole form as JSON (domain::applications::form::ApplicationDraft), so that a
                // half-filled step always saves; checks run on it, not on columns.
                .col(text("draft"))
                .col(small_integer("step_reached").default(0))
                .col(boolean("eligibility_acknowledged").default(false))
                .col(boolean("eligibility_met").default(false))
                .col(integer("round").default(0))
                .col(timestamp_with_time_zone_null("submitted_at"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("applications", "account_id")
                        .to("accounts", "id")
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from("applications", "plan_id")
                        .to("plans", "id")
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
        // One application per candidate per plan, held by the database.
        m.create_index(
            Index::create()
                .name("uq_applications_account_plan")
                .table("applications")
                .col("account_id")
                .col("plan_id")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_applications_plan_status")
                .table("applications")
                .col("plan_id")
                .col("status")
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("application_events")
                .col(big_pk_auto("id"))
                .col(big_integer("application_id"))
                .col(timestamp_with_time_zone("at"))
                .col(big_integer_null("actor_account_id"))
                .col(string_len("actor", 16))
                .col(string_len("kind", 32))
                .col(string_len_null("from_status", 32))
                .col(string_len("to_status", 32))
                // What changed (field names) or why (a reason), as JSON.
                .col(text("detail"))
                .foreign_key(
                    ForeignKey::create()
                        .from("application_events", "application_id")
                        .to("applications", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_application_events_application")
                .table("application_events")
                .col("application_id")
                .col("id")
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("employers")
                .col(big_pk_auto("id"))
                .col(string_len("name", 128))
                .col(string_len_null("uscc", 18).unique_key())
                .col(date_null("founded_on"))
                .col(date_null("deregistered_on"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_employers_name")
                .table("employers")
                .col("name")
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["employers", "application_events", "applications"] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
