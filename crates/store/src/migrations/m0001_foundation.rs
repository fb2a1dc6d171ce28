//! Accounts, sessions, SMS codes, rate limits, code tables, the catalogue and plans.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn fk(
    from: (&'static str, &'static str),
    to: (&'static str, &'static str),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

fn index(table: &'static str, name: &'static str, cols: &[&'static str]) -> IndexCreateStatement {
    let mut idx = Index::create();
    idx.name(name).table(table);
    for c in cols {
        idx.col(*c);
    }
    idx.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // --- accounts -------------------------------------------------------------------------
        m.create_table(
            Table::create()
                .table("accounts")
                .col(big_pk_auto("id"))
                // Keyed fingerprints (see store::pii) keep identifiers unique and findable.
                .col(string_len_null("phone_hash", 64).unique_key())
                .col(blob_null("phone_enc"))
                .col(string_len_null("id_number_hash", 64).unique_key())
                .col(blob_null("id_number_enc"))
                .col(string_len_null("login_name", 32).unique_key())
                .col(string_len("real_name", 64))
                .col(string_len_null("email", 254))
                .col(string_len_null("identity", 16))
                .col(string_len("password_hash", 255))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("account_roles")
                .col(big_integer("account_id"))
                .col(string_len("role", 32))
                .primary_key(Index::create().col("account_id").col("role"))
                .foreign_key(&mut fk(("account_roles", "account_id"), ("accounts", "id")))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("sessions")
                // SHA-256 of the cookie's token: a copy of this table opens no session.
                .col(string_len("id_hash", 64).primary_key())
                .col(big_integer_null("account_id"))
                .col(string_len("csrf_token", 64))
                .col(text("data"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("expires_at"))
                .foreign_key(&mut fk(("sessions", "account_id"), ("accounts", "id")))
                .to_owned(),
        )
        .await?;
        m.create_index(index("sessions", "idx_sessions_account", &["account_id"]))
            .await?;
        m.create_index(index("sessions", "idx_sessions_expires", &["expires_at"]))
            .await?;

        m.create_table(
            Table::create()
                .table("sms_codes")
                .col(big_pk_auto("id"))
                .col(string_len("phone_hash", 64))
                .col(blob("phone_enc"))
                .col(string_len("purpose", 32))
                .col(string_len("code_hash", 64))
                .col(integer("wrong_attempts").default(0))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("expires_at"))
                .col(timestamp_with_time_zone_null("consumed_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "sms_codes",
            "idx_sms_codes_phone",
            &["phone_hash", "purpose", "created_at"],
        ))
        .await?;

        // Sliding-window rate limits: one key row per bucket (updated first, so that concurrent
        // transactions on one bucket queue on its row lock) and one event row per counted action.
        m.create_table(
            Table::create()
                .table("rate_limit_keys")
                .col(string_len("bucket", 128).primary_key())
                .col(timestamp_with_time_zone("touched_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("rate_limit_events")
                .col(big_pk_auto("id"))
                .col(string_len("bucket", 128))
                .col(timestamp_with_time_zone("at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "rate_limit_events",
            "idx_rate_limit_events_bucket",
            &["bucket", "at"],
        ))
        .await?;

        // --- code tables ----------------------------------------------------------------------
        m.create_table(
            Table::create()
                .table("code_items")
                .col(string_len("kind", 32))
                .col(string_len("code", 16))
                .col(string_len("name", 64))
                .col(integer("position"))
                .col(integer_null("rank"))
                .primary_key(Index::create().col("kind").col("code"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("divisions")
                .col(string_len("code", 6).primary_key())
                .col(string_len("name", 64))
                .col(string_len_null("parent_code", 6))
                .col(string_len("kind", 16))
                .to_owned(),
        )
        .await?;
        m.create_index(index("divisions", "idx_divisions_parent", &["parent_code"]))
            .await?;

        // --- catalogue ------------------------------------------------------------------------
        m.create_table(
            Table::create()
                .table("occupations")
                .col(big_pk_auto("id"))
                .col(string_len_uniq("code", 32))
                .col(string_len("name", 64))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("occupation_levels")
                .col(big_integer("occupation_id"))
                .col(small_integer("level"))
                .col(string_len("name", 32))
                .primary_key(Index::create().col("occupation_id").col("level"))
                .foreign_key(&mut fk(
                    ("occupation_levels", "occupation_id"),
                    ("occupations", "id"),
                ))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("tracks")
                .col(big_pk_auto("id"))
                .col(big_integer("occupation_id"))
                .col(string_len("name", 64))
                .col(integer("position"))
                .foreign_key(&mut fk(("tracks", "occupation_id"), ("occupations", "id")))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("track_levels")
                .col(big_integer("track_id"))
                .col(small_integer("level"))
                .primary_key(Index::create().col("track_id").col("level"))
                .foreign_key(&mut fk(("track_levels", "track_id"), ("tracks", "id")))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("eligibility_rules")
                .col(big_pk_auto("id"))
                .col(big_integer("occupation_id"))
                .col(small_integer("level"))
                .col(integer("position"))
                .col(string_len("kind", 32))
                .col(small_integer_null("required_level"))
                .col(small_integer_null("years_of_work"))
                .col(string_len("years_counted_from", 16))
                // Comma-separated education codes (code_items kind `education`).
                .col(string_len_null("education_codes", 255))
                .col(boolean("education_or_above"))
                .col(boolean("related_major"))
                .col(boolean("related_occupation"))
                .foreign_key(&mut fk(
                    ("eligibility_rules", "occupation_id"),
                    ("occupations", "id"),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "eligibility_rules",
            "idx_eligibility_rules_level",
            &["occupation_id", "level", "position"],
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("related_occupations")
                .col(big_pk_auto("id"))
                .col(big_integer("occupation_id"))
                .col(string_len("name", 64))
                .col(string_len_null("code", 32))
                .col(integer("position"))
                .foreign_key(&mut fk(
                    ("related_occupations", "occupation_id"),
                    ("occupations", "id"),
                ))
                .to_owned(),
        )
        .await?;

        // --- plans ----------------------------------------------------------------------------
        m.create_table(
            Table::create()
                .table("exam_sites")
                .col(big_pk_auto("id"))
                .col(string_len("name", 128))
                .col(string_len("address", 255))
                .col(string_len_null("division_code", 6))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("plans")
                .col(big_pk_auto("id"))
                .col(string_len_uniq("code", 32))
                .col(string_len("name", 128))
                .col(big_integer("occupation_id"))
                .col(small_integer("level"))
                .col(timestamp_with_time_zone("registration_opens_at"))
                .col(timestamp_with_time_zone("registration_closes_at"))
                .col(timestamp_with_time_zone("exam_starts_at"))
                .col(timestamp_with_time_zone("exam_ends_at"))
                .col(big_integer("fee_fen"))
                .col(integer("capacity"))
                .col(integer("seats_taken").default(0))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk(("plans", "occupation_id"), ("occupations", "id")))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "plans",
            "idx_plans_level",
            &["level", "registration_opens_at"],
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("plan_sites")
                .col(big_integer("plan_id"))
                .col(big_integer("site_id"))
                .primary_key(Index::create().col("plan_id").col("site_id"))
                .foreign_key(&mut fk(("plan_sites", "plan_id"), ("plans", "id")))
                .foreign_key(&mut fk(("plan_sites", "site_id"), ("exam_sites", "id")))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "plan_sites",
            "plans",
            "exam_sites",
            "related_occupations",
            "eligibility_rules",
            "track_levels",
            "tracks",
            "occupation_levels",
            "occupations",
            "divisions",
            "code_items",
            "rate_limit_events",
            "rate_limit_keys",
            "sms_codes",
            "sessions",
            "account_roles",
            "accounts",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
