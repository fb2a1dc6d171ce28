//! Payments: orders (one per payment attempt), their refunds, the trail of everything the
//! provider told us about them, the daily reconciliation reports, each application's payment
//! deadline, and the simulated provider's own books (its "remote side", kept here so that a
//! demo survives a restart).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("plans")
                // 缴费截止: empty means three days before the exam (`domain::payments`).
                .add_column(timestamp_with_time_zone_null("payment_closes_at"))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("applications")
                // Set on approval, moved later only by staff extending it.
                .add_column(timestamp_with_time_zone_null("payment_due_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("payment_orders")
                .col(big_pk_auto("id"))
                .col(big_integer("application_id"))
                .col(big_integer("account_id"))
                .col(big_integer("plan_id"))
                .col(string_len("out_trade_no", 32).unique_key())
                // simulated | wechat | offline
                .col(string_len("provider", 16))
                .col(big_integer("amount_fen"))
                // domain::payments::OrderState
                .col(string_len("state", 16))
                .col(text_null("code_url"))
                .col(timestamp_with_time_zone("expires_at"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(timestamp_with_time_zone_null("paid_at"))
                .col(string_len_null("transaction_id", 64))
                .col(timestamp_with_time_zone_null("closed_at"))
                // The sum of refunds that succeeded.
                .col(big_integer("refunded_fen").default(0))
                // When the candidate said they paid ("我已支付，刷新状态"): the sweep asks the
                // provider about it first.
                .col(timestamp_with_time_zone_null("check_requested_at"))
                .col(timestamp_with_time_zone_null("last_checked_at"))
                // An offline payment: bank_transfer | cash, the reference and note, and who
                // recorded it.
                .col(string_len_null("offline_method", 16))
                .col(string_len_null("offline_reference", 64))
                .col(text_null("offline_note"))
                .col(big_integer_null("recorded_by"))
                .foreign_key(
                    ForeignKey::create()
                        .from("payment_orders", "application_id")
                        .to("applications", "id")
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
        // At most one open order per application: a second attempt must first close the old
        // order (at the provider too), so a candidate can never have two payable QR codes.
        // A partial unique index, the same statement on SQLite and PostgreSQL.
        m.get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_payment_orders_one_open ON payment_orders (application_id) \
                 WHERE state = 'pending'",
            )
            .await?;
        m.create_index(
            Index::create()
                .name("idx_payment_orders_state_created")
                .table("payment_orders")
                .col("state")
                .col("created_at")
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_payment_orders_application")
                .table("payment_orders")
                .col("application_id")
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("payment_refunds")
                .col(big_pk_auto("id"))
                .col(big_integer("order_id"))
                .col(string_len("out_refund_no", 64).unique_key())
                .col(big_integer("amount_fen"))
                // domain::payments::RefundCause
                .col(string_len("cause", 16))
                .col(text("reason"))
                // domain::payments::RefundState
                .col(string_len("state", 16))
                .col(string_len_null("refund_id", 64))
                .col(big_integer_null("requested_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(timestamp_with_time_zone_null("succeeded_at"))
                .col(text_null("last_error"))
                .foreign_key(
                    ForeignKey::create()
                        .from("payment_refunds", "order_id")
                        .to("payment_orders", "id")
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_payment_refunds_order")
                .table("payment_refunds")
                .col("order_id")
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("payment_events")
                .col(big_pk_auto("id"))
                .col(big_integer("order_id"))
                .col(timestamp_with_time_zone("at"))
                // callback | query | candidate | staff | sweep
                .col(string_len("source", 16))
                // created, paid, duplicate, closed, amount_mismatch, refund_requested, …
                .col(string_len("kind", 32))
                .col(text("detail"))
                .foreign_key(
                    ForeignKey::create()
                        .from("payment_events", "order_id")
                        .to("payment_orders", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_payment_events_order")
                .table("payment_events")
                .col("order_id")
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("payment_reconciliations")
                .col(big_pk_auto("id"))
                .col(string_len("provider", 16))
                .col(date("bill_date"))
                .col(timestamp_with_time_zone("created_at"))
                // balanced | differences | failed
                .col(string_len("outcome", 16))
                // JSON: counts, totals and every domain::payments::Difference.
                .col(text("report"))
                .col(big_integer_null("requested_by"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_payment_reconciliations_day")
                .table("payment_reconciliations")
                .col("provider")
                .col("bill_date")
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("simulated_pay_orders")
                .col(string_len("out_trade_no", 32).primary_key())
                .col(text("description"))
                .col(big_integer("amount_fen"))
                .col(timestamp_with_time_zone("expires_at"))
                // NOTPAY | SUCCESS | REFUND | CLOSED
                .col(string_len("trade_state", 16))
                .col(string_len_null("transaction_id", 64))
                .col(timestamp_with_time_zone_null("paid_at"))
                .col(text("notify_url"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("simulated_pay_refunds")
                .col(string_len("out_refund_no", 64).primary_key())
                .col(string_len("out_trade_no", 32))
                .col(string_len("refund_id", 64))
                .col(big_integer("amount_fen"))
                .col(string_len("status", 16))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("succeeded_at"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "simulated_pay_refunds",
            "simulated_pay_orders",
            "payment_reconciliations",
            "payment_events",
            "payment_refunds",
            "payment_orders",
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        m.alter_table(
            Table::alter()
                .table("applications")
                .drop_column("payment_due_at")
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("plans")
                .drop_column("payment_closes_at")
                .to_owned(),
        )
        .await
    }
}
