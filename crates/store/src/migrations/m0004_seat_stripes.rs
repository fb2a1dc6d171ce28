//! A plan's seats counted in stripes (`domain::seats`), so that submissions at the opening do not
//! all wait on the plan's row. Existing plans get their stripes, with the seats already taken
//! spread over them, and `plans.seats_taken` is dropped: the sum of the stripes is the one truth.

use domain::seats::{STRIPES, stripes_with_taken};
use sea_orm_migration::sea_orm::{ConnectionTrait, Statement};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("plan_seat_stripes")
                .col(big_integer("plan_id"))
                .col(small_integer("stripe"))
                .col(integer("capacity"))
                .col(integer("taken").default(0))
                .primary_key(Index::create().col("plan_id").col("stripe"))
                .foreign_key(
                    ForeignKey::create()
                        .from("plan_seat_stripes", "plan_id")
                        .to("plans", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                // The database itself refuses an overbooked stripe, whatever the code does.
                .check(
                    Expr::col("taken")
                        .gte(0)
                        .and(Expr::col("taken").lte(Expr::col("capacity"))),
                )
                .to_owned(),
        )
        .await?;

        let conn = m.get_connection();
        let backend = conn.get_database_backend();
        let plans = conn
            .query_all_raw(Statement::from_string(
                backend,
                "SELECT id, capacity, seats_taken FROM plans ORDER BY id",
            ))
            .await?;
        for plan in plans {
            let id: i64 = plan.try_get("", "id")?;
            let capacity: i32 = plan.try_get("", "capacity")?;
            let taken: i32 = plan.try_get("", "seats_taken")?;
            let stripes = stripes_with_taken(non_negative(capacity), non_negative(taken), STRIPES);
            for (stripe, s) in (0i16..).zip(stripes) {
                let insert = Query::insert()
                    .into_table("plan_seat_stripes")
                    .columns(["plan_id", "stripe", "capacity", "taken"])
                    .values_panic([
                        id.into(),
                        stripe.into(),
                        i64::from(s.capacity).into(),
                        i64::from(s.taken).into(),
                    ])
                    .to_owned();
                m.exec_stmt(insert).await?;
            }
        }

        m.alter_table(
            Table::alter()
                .table("plans")
                .drop_column("seats_taken")
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("plans")
                .add_column(integer("seats_taken").default(0))
                .to_owned(),
        )
        .await?;
        m.get_connection()
            .execute_unprepared(
                "UPDATE plans SET seats_taken = COALESCE((SELECT SUM(taken) FROM plan_seat_stripes \
                 WHERE plan_seat_stripes.plan_id = plans.id), 0)",
            )
            .await?;
        m.drop_table(Table::drop().table("plan_seat_stripes").to_owned())
            .await
    }
}

fn non_negative(n: i32) -> u32 {
    <u32 as TryFrom<i32>>::try_from(n).unwrap_or(0)
}
