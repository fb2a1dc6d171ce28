//! Configuration in three layers: built-in defaults, then `skillcert.toml` (or the file named by
//! `--config`), then `SKILLCERT_*` environment variables (`SKILLCERT_DATABASE_URL`,
//! `SKILLCERT_LISTEN`, …; a nested key with `__`: `SKILLCERT_SMS__PROVIDER`). Secrets are wrapped
//! so that printing the configuration never shows them.

use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

mod payments;
mod sms;
pub use payments::{PaymentProviderName, PaymentsConfig, WechatSettings};
pub use sms::{AliyunSettings, SmsConfig, SmsProvider, TencentSettings, TencentTemplateSettings};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `sqlite://PATH` (embedded default) or `postgres://USER@HOST:PORT/DB`.
    pub database_url: String,
    /// Address and port to listen on.
    pub listen: String,
    /// Where the SQLite file, the secret key, uploaded files and the SMS outbox live.
    pub data_dir: PathBuf,
    /// Uploaded files; default `<data_dir>/files`.
    pub files_dir: Option<PathBuf>,
    /// 64 hex characters. Default: read from, or on first start written to,
    /// `<data_dir>/secret.key`. Encrypts phone and ID numbers: losing it loses them.
    pub secret_key: Option<Secret>,
    /// PostgreSQL pool size (SQLite: reader pool, at most 8).
    pub max_connections: u32,
    /// SQLite `synchronous=FULL` instead of `NORMAL`.
    pub sqlite_synchronous_full: bool,
    /// Mark cookies `Secure`: set when users reach the site over HTTPS.
    pub secure_cookies: bool,
    /// Behind a reverse proxy that sets `X-Forwarded-For`: take the client address from it.
    pub trust_forwarded_for: bool,
    /// `[sms]`: `provider = "log"` (the log and `<data_dir>/outbox/sms.jsonl`, nothing sent),
    /// `"aliyun"` or `"tencent"` with its `[sms.aliyun]` / `[sms.tencent]` settings.
    #[serde(default)]
    pub sms: SmsConfig,
    /// Log filter, e.g. `info` or `skillcert=debug,info`.
    pub log: String,
    /// The background worker (`[worker]`: enabled, poll_interval_ms, lease_seconds,
    /// concurrency).
    #[serde(default)]
    pub worker: crate::worker::WorkerConfig,
    /// Extra fonts for documents (`.ttf`/`.otf`/`.ttc`), for characters the embedded Noto Sans
    /// CJK SC subset lacks. None: the embedded font only.
    #[serde(default)]
    pub font_dir: Option<PathBuf>,
    #[serde(default)]
    pub payments: PaymentsConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            database_url: "sqlite://data/skillcert.db".into(),
            listen: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("data"),
            files_dir: None,
            secret_key: None,
            max_connections: 16,
            sqlite_synchronous_full: false,
            secure_cookies: false,
            trust_forwarded_for: false,
            sms: SmsConfig::default(),
            log: "info,sqlx=warn,sea_orm=warn,sea_orm_migration=warn".into(),
            worker: crate::worker::WorkerConfig::default(),
            font_dir: None,
            payments: PaymentsConfig::default(),
        }
    }
}

impl Config {
    /// Defaults, then the TOML file (if it exists), then the environment.
    pub fn load(file: Option<&Path>) -> Result<Config, Box<figment::Error>> {
        let default_file = PathBuf::from("skillcert.toml");
        let file = file.map(Path::to_path_buf).unwrap_or(default_file);
        Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::file(file))
            .merge(Env::prefixed("SKILLCERT_").split("__"))
            .extract()
            .map_err(Box::new)
    }

    pub fn files_dir(&self) -> PathBuf {
        self.files_dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("files"))
    }

    pub fn outbox_dir(&self) -> PathBuf {
        self.data_dir.join("outbox")
    }

    /// The database URL with any password replaced, for logs.
    pub fn database_url_redacted(&self) -> String {
        redact_url_password(&self.database_url)
    }
}

/// `postgres://user:pw@host/db` → `postgres://user:***@host/db`.
pub fn redact_url_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((userinfo, host)) = rest.split_once('@') else {
        return url.to_owned();
    };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

/// A secret string: `Debug` and `Serialize` never show it.
#[derive(Clone, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str("***")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_and_passwords_never_print() {
        let config = Config {
            secret_key: Some(Secret::new("ab".repeat(32))),
            database_url: "postgres://app:hunter2@db:5432/skillcert".into(),
            ..Config::default()
        };
        let shown = format!("{config:?}");
        assert!(!shown.contains(&"ab".repeat(32)));
        assert!(config.database_url_redacted().contains("app:***@db"));
        assert!(!config.database_url_redacted().contains("hunter2"));
    }

    #[test]
    // figment's Jail fixes the closure's error type.
    #[allow(clippy::result_large_err)]
    fn environment_overrides_file_overrides_defaults() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "skillcert.toml",
                "listen = \"0.0.0.0:9000\"\nsecure_cookies = true\n",
            )?;
            jail.set_env("SKILLCERT_LISTEN", "127.0.0.1:7000");
            jail.set_env("SKILLCERT_DATABASE_URL", "postgres://u@h/db");
            let config = Config::load(None).map_err(|e| *e)?;
            assert_eq!(config.listen, "127.0.0.1:7000");
            assert_eq!(config.database_url, "postgres://u@h/db");
            assert!(config.secure_cookies);
            assert_eq!(config.data_dir, PathBuf::from("data"));
            Ok(())
        });
    }
}
