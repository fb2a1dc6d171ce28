use sea_orm::DbErr;

/// A failure of the storage layer that the caller cannot fix by changing its input. Input
/// problems (a taken phone number, a wrong code) are each repository's own error enum.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] DbErr),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    #[error("background task failed: {0}")]
    Task(String),
}

/// True when `err` is a unique-constraint violation, on either backend.
pub(crate) fn is_unique_violation(err: &DbErr) -> bool {
    matches!(
        err.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}
