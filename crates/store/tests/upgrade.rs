//! Upgrading a database made before seat stripes (migrations up to m0003, seats counted in
//! `plans.seats_taken`): every plan gets its stripes with the seats already taken, the column
//! goes, and the seats still add up.

use sea_orm::ConnectionTrait;
use sea_orm_migration::MigratorTrait;
use store::Db;
use store::migrations::Migrator;

mod common;

async fn seats_taken_before_stripes_survive_the_upgrade(db: Db) {
    Migrator::up(db.writer(), Some(3)).await.unwrap();
    // This version's seed writes stripes, which the old schema lacks: the occupation and plans
    // are made by hand, as the old version had them.
    let conn = db.writer();
    conn.execute_unprepared(
        "INSERT INTO occupations (code, name) VALUES ('4-01-02-02', '电子商务师')",
    )
    .await
    .unwrap();
    let occupation: i64 = conn
        .query_one_raw(sea_orm::Statement::from_string(
            conn.get_database_backend(),
            "SELECT id FROM occupations LIMIT 1",
        ))
        .await
        .unwrap()
        .expect("an occupation")
        .try_get("", "id")
        .unwrap();
    for (code, capacity, taken) in [("OLD-1", 40, 7), ("OLD-2", 3, 3), ("OLD-3", 2, 5)] {
        conn.execute_unprepared(&format!(
            "INSERT INTO plans (code, name, occupation_id, level, registration_opens_at, \
             registration_closes_at, exam_starts_at, exam_ends_at, fee_fen, capacity, \
             seats_taken, created_at, updated_at) VALUES ('{code}', '{code}', {occupation}, 1, \
             '2026-01-01 00:00:00+00:00', '2026-02-01 00:00:00+00:00', \
             '2026-03-01 00:00:00+00:00', '2026-03-02 00:00:00+00:00', 60000, {capacity}, \
             {taken}, '2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00')"
        ))
        .await
        .unwrap();
    }
    Migrator::up(db.writer(), None).await.unwrap();

    for (code, capacity, taken) in [("OLD-1", 40, 7), ("OLD-2", 3, 3), ("OLD-3", 5, 5)] {
        let id: i64 = conn
            .query_one_raw(sea_orm::Statement::from_string(
                conn.get_database_backend(),
                format!("SELECT id FROM plans WHERE code = '{code}'"),
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get("", "id")
            .unwrap();
        let (plan, _) = store::plans::get(&db, id).await.unwrap().unwrap();
        assert_eq!(plan.seats_taken, taken, "{code}");
        let stripe_capacity: i64 = conn
            .query_one_raw(sea_orm::Statement::from_string(
                conn.get_database_backend(),
                format!(
                    "SELECT CAST(SUM(capacity) AS BIGINT) AS c FROM plan_seat_stripes \
                     WHERE plan_id = {id}"
                ),
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get("", "c")
            .unwrap();
        // An over-filled plan's stripes hold its seats; the plan's own capacity is unchanged.
        assert_eq!(stripe_capacity, capacity, "{code}");
    }
}

on_both!(seats_taken_before_stripes_survive_the_upgrade);
