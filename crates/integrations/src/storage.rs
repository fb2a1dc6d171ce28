//! Where uploaded files' bytes live. The database records who owns a file and what it is; the
//! bytes are kept here under a random key ([`new_key`]) that never derives from a name or an id,
//! so that nothing about a key can be guessed, and they are served only through handlers that
//! check the owner (there is no URL to the storage itself).
//!
//! The embedded default is [`LocalFileStorage`], a folder on disk. An S3-compatible store can
//! implement [`FileStorage`] later (with the `object_store` crate) without touching its callers.

use std::io::Write;
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use rand::RngCore;

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("no stored file under this key")]
    NotFound,
    #[error("invalid storage key")]
    InvalidKey,
    #[error("file storage failed: {0}")]
    Io(#[from] std::io::Error),
}

#[async_trait]
pub trait FileStorage: Send + Sync + 'static {
    /// Stores `bytes` under `key`, durably, replacing nothing: keys are fresh.
    async fn put(&self, key: &str, bytes: &[u8]) -> Result<(), StorageError>;
    async fn get(&self, key: &str) -> Result<Vec<u8>, StorageError>;
    /// Deleting a key that holds nothing is not an error.
    async fn delete(&self, key: &str) -> Result<(), StorageError>;
}

/// A fresh storage key: 32 random bytes as 64 lowercase hex characters.
pub fn new_key() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Whether `key` is one [`new_key`] could have made: anything else (a path, `..`) never reaches
/// the file system.
pub fn is_valid_key(key: &str) -> bool {
    key.len() == 64 && key.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Files in a local folder: `root/ab/cd/abcd…` (two levels of shards keep folders small).
/// A file is written to a temporary name, flushed to disk, then renamed into place, so that a
/// crash never leaves half a file under a key.
#[derive(Debug, Clone)]
pub struct LocalFileStorage {
    root: PathBuf,
}

impl LocalFileStorage {
    pub fn new(root: impl Into<PathBuf>) -> LocalFileStorage {
        LocalFileStorage { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn path_of(&self, key: &str) -> Result<PathBuf, StorageError> {
        if !is_valid_key(key) {
            return Err(StorageError::InvalidKey);
        }
        Ok(self.root.join(&key[0..2]).join(&key[2..4]).join(key))
    }
}

fn write_durably(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().expect("a sharded path has a folder");
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(
        ".{}.tmp-{}",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("file"),
        new_key().get(..8).unwrap_or("0")
    ));
    let result = (|| {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)?;
        // The rename itself is durable once the folder is synced.
        #[cfg(unix)]
        std::fs::File::open(dir)?.sync_all()?;
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[async_trait]
impl FileStorage for LocalFileStorage {
    async fn put(&self, key: &str, bytes: &[u8]) -> Result<(), StorageError> {
        let path = self.path_of(key)?;
        let bytes = bytes.to_vec();
        tokio::task::spawn_blocking(move || write_durably(&path, &bytes))
            .await
            .map_err(|e| StorageError::Io(std::io::Error::other(e)))??;
        Ok(())
    }

    async fn get(&self, key: &str) -> Result<Vec<u8>, StorageError> {
        let path = self.path_of(key)?;
        match tokio::fs::read(&path).await {
            Ok(bytes) => Ok(bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(StorageError::NotFound),
            Err(e) => Err(e.into()),
        }
    }

    async fn delete(&self, key: &str) -> Result<(), StorageError> {
        let path = self.path_of(key)?;
        match tokio::fs::remove_file(&path).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn stores_reads_and_deletes_under_sharded_random_keys() {
        let dir = tempfile::tempdir().unwrap();
        let storage = LocalFileStorage::new(dir.path());
        let key = new_key();
        assert!(is_valid_key(&key));
        storage.put(&key, b"hello").await.unwrap();
        assert_eq!(storage.get(&key).await.unwrap(), b"hello");
        let on_disk = dir.path().join(&key[0..2]).join(&key[2..4]).join(&key);
        assert!(on_disk.exists());
        // No temporary file is left beside it.
        assert_eq!(
            std::fs::read_dir(on_disk.parent().unwrap())
                .unwrap()
                .count(),
            1
        );
        storage.delete(&key).await.unwrap();
        assert!(matches!(
            storage.get(&key).await,
            Err(StorageError::NotFound)
        ));
        storage.delete(&key).await.unwrap();
    }

    #[tokio::test]
    async fn refuses_keys_it_did_not_make() {
        let dir = tempfile::tempdir().unwrap();
        let storage = LocalFileStorage::new(dir.path());
        for key in ["../etc/passwd", "", "ABCDEF", &"g".repeat(64)] {
            assert!(matches!(
                storage.get(key).await,
                Err(StorageError::InvalidKey)
            ));
            assert!(matches!(
                storage.put(key, b"x").await,
                Err(StorageError::InvalidKey)
            ));
        }
        assert_ne!(new_key(), new_key());
    }
}
