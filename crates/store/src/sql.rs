//! Raw SQL for the few statements sea-query cannot say portably (`FOR UPDATE SKIP LOCKED` in a
//! sub-select, `RETURNING` from an update): placeholders spelled as each backend wants them.

use sea_orm::{DatabaseBackend, Statement, Value};

/// A statement's values with the backend's placeholders (`$1`… on PostgreSQL, `?` on SQLite),
/// numbered in the order they are bound.
pub(crate) struct Sql {
    backend: DatabaseBackend,
    values: Vec<Value>,
}

impl Sql {
    pub(crate) fn new(backend: DatabaseBackend) -> Sql {
        Sql {
            backend,
            values: Vec::new(),
        }
    }

    pub(crate) fn bind(&mut self, value: impl Into<Value>) -> String {
        self.values.push(value.into());
        match self.backend {
            DatabaseBackend::Postgres => format!("${}", self.values.len()),
            _ => "?".to_owned(),
        }
    }

    pub(crate) fn statement(self, sql: String) -> Statement {
        Statement::from_sql_and_values(self.backend, sql, self.values)
    }
}
