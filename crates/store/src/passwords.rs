//! Password hashing with argon2id (the crate's default parameters: 19 MiB, 2 passes), run on the
//! blocking pool because one hash takes tens of milliseconds of CPU.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

use crate::StoreError;

pub async fn hash(password: String) -> Result<String, StoreError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| StoreError::Task(format!("argon2: {e}")))
    })
    .await
    .map_err(|e| StoreError::Task(e.to_string()))?
}

/// Verifies `password` against a stored PHC string. With `None` (no such account) it verifies
/// against a fixed hash anyway, so that the answer takes as long whether or not the account exists.
pub async fn verify(password: String, stored: Option<String>) -> Result<bool, StoreError> {
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let phc = stored.unwrap_or_else(|| DUMMY_HASH.to_string());
        let parsed = PasswordHash::new(&phc)
            .map_err(|e| StoreError::Corrupt(format!("password hash: {e}")))?;
        let ok = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        Ok(known && ok)
    })
    .await
    .map_err(|e| StoreError::Task(e.to_string()))?
}

/// argon2id hash of a random string nobody knows, with the default parameters.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2tpbGxjZXJ0ZHVtbXlzYWx0$2pGmYE1Cj2J0Kx2cYvjvSg7qYwZ4nqnU8m3dH0b1oWQ";

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let h = hash("s3cret-pass".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("s3cret-pass".into(), Some(h.clone())).await.unwrap());
        assert!(!verify("s3cret-pasS".into(), Some(h)).await.unwrap());
    }

    #[tokio::test]
    async fn an_unknown_account_never_verifies() {
        assert!(!verify("anything".into(), None).await.unwrap());
    }
}
