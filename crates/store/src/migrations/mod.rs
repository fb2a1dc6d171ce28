//! One migration set for both backends, written with sea-query's portable schema builder. A
//! migration that needs backend-specific SQL says why beside it.

use sea_orm_migration::prelude::*;

mod m0001_foundation;
mod m0002_applications;
mod m0003_uploaded_files;
mod m0004_seat_stripes;
mod m0005_jobs;
mod m0006_audit_log;
mod m0007_work_calendar;
mod m0008_review;
mod m0009_notifications;
mod m0010_console_management;
mod m0011_catalogue_console;
mod m0012_feedback;
mod m0013_organization_contacts;
mod m0014_payments;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_foundation::Migration),
            Box::new(m0002_applications::Migration),
            Box::new(m0003_uploaded_files::Migration),
            Box::new(m0004_seat_stripes::Migration),
            Box::new(m0005_jobs::Migration),
            Box::new(m0006_audit_log::Migration),
            Box::new(m0007_work_calendar::Migration),
            Box::new(m0008_review::Migration),
            Box::new(m0009_notifications::Migration),
            Box::new(m0010_console_management::Migration),
            Box::new(m0011_catalogue_console::Migration),
            Box::new(m0012_feedback::Migration),
            Box::new(m0013_organization_contacts::Migration),
            Box::new(m0014_payments::Migration),
        ]
    }
}

/// Applies every pending migration.
pub async fn run(db: &crate::Db) -> Result<(), DbErr> {
    Migrator::up(db.writer(), None).await
}
