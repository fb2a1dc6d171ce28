//! Start-up, in the library so that tests start the real thing: open the database, migrate,
//! seed, make sure an administrator exists, build the router and bind (port 0 for tests).

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use chrono::Utc;
use domain::accounts::StaffRole;
use integrations::sms::aliyun::AliyunSms;
use integrations::sms::tencent::TencentSms;
use integrations::sms::{LogSender, SmsSender};
use integrations::storage::{FileStorage, LocalFileStorage};
use rand::RngCore;
use store::{Db, DbOptions, Pii};
use tokio::net::TcpListener;
use web::{AppState, WebSettings};

use crate::config::{Config, PaymentProviderName, SmsProvider};

/// Everything opened and checked, not yet listening.
pub struct Prepared {
    pub state: AppState,
    /// Set on the very first start: the generated administrator password, to print once.
    pub first_admin_password: Option<String>,
}

pub async fn open_database(config: &Config) -> anyhow::Result<Db> {
    let options = DbOptions {
        max_connections: config.max_connections,
        sqlite_synchronous_full: config.sqlite_synchronous_full,
    };
    Db::connect(&config.database_url, &options)
        .await
        .with_context(|| format!("opening {}", config.database_url_redacted()))
}

pub async fn migrate(db: &Db) -> anyhow::Result<()> {
    store::migrations::run(db)
        .await
        .context("running migrations")
}

pub async fn prepare(config: &Config) -> anyhow::Result<Prepared> {
    let db = open_database(config).await?;
    migrate(&db).await?;
    if store::seed::seed_if_empty(&db, Utc::now()).await? {
        tracing::info!("seeded the catalogue, code tables and demo plans");
    }
    let first_admin_password = ensure_administrator(&db).await?;
    std::fs::create_dir_all(config.files_dir())
        .with_context(|| format!("creating {}", config.files_dir().display()))?;
    // Files live in a local folder; an S3-compatible FileStorage can be chosen here later.
    let files: Arc<dyn FileStorage> = Arc::new(LocalFileStorage::new(config.files_dir()));
    let pii = Pii::new(&secret_key(config)?);
    let sms = sms_sender(config)?;
    let settings = WebSettings {
        secure_cookies: config.secure_cookies,
        trust_forwarded_for: config.trust_forwarded_for,
        ..WebSettings::default()
    };
    let codes = Arc::new(store::code_tables::CodeSnapshot::load(&db).await?);
    Ok(Prepared {
        state: AppState {
            db: db.clone(),
            pii,
            sms,
            files,
            codes,
            settings: Arc::new(settings),
            plans: Arc::default(),
            payments: payments_of(config, &db)?,
            documents: Arc::new(
                documents::Renderer::new(&documents::RendererSettings {
                    extra_font_dir: config.font_dir.clone(),
                })
                .context("loading the document fonts")?,
            ),
        },
        first_admin_password,
    })
}

/// The payment provider `payments.provider` names, its settings checked.
fn payments_of(config: &Config, db: &Db) -> anyhow::Result<payments::Payments> {
    let settings = payments::PaymentSettings {
        site_url: config.payments.site_url.clone(),
    };
    Ok(match config.payments.provider {
        PaymentProviderName::Simulated => payments::Payments::simulated(db.clone(), settings),
        PaymentProviderName::Wechat => {
            let wechat = config.payments.wechat_config()?;
            tracing::info!(mchid = %wechat.mchid, endpoint = %wechat.endpoint, "payments through WeChat Pay");
            let client = integrations::payments::wechat::WechatPay::new(wechat)?;
            payments::Payments::new(db.clone(), Arc::new(client), settings)
        }
    })
}

/// The SMS provider `sms.provider` names, its settings checked: a missing key, an unmapped
/// template the application sends or an unusable endpoint stops start-up.
fn sms_sender(config: &Config) -> anyhow::Result<Arc<dyn SmsSender>> {
    let needed: Vec<&str> = domain::identity::sms_code::CodePurpose::ALL
        .iter()
        .map(|purpose| purpose.template())
        .collect();
    let sender: Arc<dyn SmsSender> = match config.sms.provider {
        SmsProvider::Log => Arc::new(LogSender::new(config.outbox_dir())),
        SmsProvider::Aliyun => {
            let settings = config.sms.aliyun_config(&needed)?;
            tracing::info!(sign_name = %settings.sign_name, endpoint = %settings.endpoint, "SMS through Aliyun");
            Arc::new(AliyunSms::new(settings)?)
        }
        SmsProvider::Tencent => {
            let settings = config.sms.tencent_config(&needed)?;
            tracing::info!(sign_name = %settings.sign_name, region = %settings.region, "SMS through Tencent Cloud");
            Arc::new(TencentSms::new(settings)?)
        }
    };
    Ok(sender)
}

/// On a database with no administrator, creates `admin` with a random password and returns it.
async fn ensure_administrator(db: &Db) -> anyhow::Result<Option<String>> {
    if store::accounts::any_with_role(db, StaffRole::Administrator).await? {
        return Ok(None);
    }
    let password = random_password();
    let hash = store::passwords::hash(password.clone()).await?;
    match store::accounts::create_staff(
        db,
        "admin",
        "系统管理员",
        &[StaffRole::Administrator],
        hash,
        Utc::now(),
    )
    .await?
    {
        Ok(_) => Ok(Some(password)),
        // Another instance starting at the same moment made it first.
        Err(store::accounts::StaffError::LoginNameTaken) => Ok(None),
    }
}

/// 16 characters from an alphabet without look-alikes (no 0/O, 1/l/I), with letters and digits.
pub fn random_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 16];
    loop {
        rand::rng().fill_bytes(&mut bytes);
        let password: String = bytes
            .iter()
            .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
            .collect();
        let has_digit = password.chars().any(|c| c.is_ascii_digit());
        let has_letter = password.chars().any(|c| c.is_ascii_alphabetic());
        if has_digit && has_letter {
            return password;
        }
    }
}

/// The master key for personal data: configured, or kept in `<data_dir>/secret.key`.
fn secret_key(config: &Config) -> anyhow::Result<[u8; 32]> {
    if let Some(secret) = &config.secret_key {
        return parse_key(secret.expose())
            .context("SKILLCERT_SECRET_KEY must be 64 hex characters");
    }
    let path = config.data_dir.join("secret.key");
    if path.exists() {
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        return parse_key(text.trim())
            .with_context(|| format!("{} is not 64 hex characters", path.display()));
    }
    let mut key = [0u8; 32];
    rand::rng().fill_bytes(&mut key);
    write_private(&path, &hex::encode(key))?;
    tracing::warn!(
        path = %path.display(),
        "generated a new secret key for personal data; back it up: without it, stored phone and ID numbers cannot be read"
    );
    Ok(key)
}

fn parse_key(text: &str) -> anyhow::Result<[u8; 32]> {
    let bytes = hex::decode(text)?;
    bytes
        .try_into()
        .map_err(|_| anyhow::anyhow!("expected 32 bytes"))
}

fn write_private(path: &Path, contents: &str) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    use std::io::Write;
    let mut file = options
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(contents.as_bytes())?;
    file.sync_all()?;
    Ok(())
}

/// A bound, ready server.
pub struct Application {
    listener: TcpListener,
    state: AppState,
    worker: crate::worker::WorkerConfig,
    /// How often the payment sweep runs (with the worker).
    payment_sweep: std::time::Duration,
}

impl Application {
    pub async fn bind(config: &Config, state: AppState) -> anyhow::Result<Application> {
        let listener = TcpListener::bind(&config.listen)
            .await
            .with_context(|| format!("listening on {}", config.listen))?;
        Ok(Application {
            listener,
            state,
            worker: config.worker.clone(),
            payment_sweep: config.payments.sweep_interval(),
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// Serves until `shutdown` completes, then finishes the requests in flight.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        // Housekeeping lives as long as the server: it stops when `run` returns or is dropped
        // (tests and the bench drop servers whose database they then close).
        let _housekeeping = AbortOnDrop(spawn_housekeeping(self.state.db.clone()));
        // The worker too (dropping its handle stops it); after a graceful stop of the server it
        // finishes the jobs in hand.
        let worker = self.worker.enabled.then(|| {
            crate::worker::spawn(
                crate::worker::JobContext {
                    db: self.state.db.clone(),
                    pii: self.state.pii.clone(),
                    sms: self.state.sms.clone(),
                },
                &self.worker,
            )
        });
        // The payment sweep runs where the worker runs: lost callbacks, expiry, refunds and the
        // daily reconciliation (`payments::Payments::sweep`).
        let _payment_sweep = self.worker.enabled.then(|| {
            AbortOnDrop(spawn_payment_sweep(
                self.state.payments.clone(),
                self.payment_sweep,
            ))
        });
        let app = web::router(self.state);
        let served = axum::serve(
            self.listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await
        .context("serving HTTP");
        if let Some(worker) = worker {
            worker.shutdown(std::time::Duration::from_secs(10)).await;
        }
        served
    }
}

struct AbortOnDrop(tokio::task::JoinHandle<()>);

fn spawn_payment_sweep(
    payments: payments::Payments,
    every: std::time::Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        // The first round one interval after start, not at once: a starting instance (and
        // every test server) has nothing to sweep yet that cannot wait.
        let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            let report = payments.sweep(Utc::now()).await;
            if report != payments::SweepReport::default() {
                tracing::info!(?report, "payment sweep");
            }
        }
    })
}

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Deletes expired sessions and old rate-limit events every ten minutes.
fn spawn_housekeeping(db: Db) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(600));
        loop {
            every.tick().await;
            let now = Utc::now();
            if let Err(e) = store::sessions::purge_expired(&db, now).await {
                tracing::warn!(error = %e, "purging sessions");
            }
            if let Err(e) = store::rate_limits::purge(db.writer(), now).await {
                tracing::warn!(error = %e, "purging rate-limit events");
            }
        }
    })
}

#[cfg(test)]
mod sms_tests {
    use super::*;
    use crate::config::{AliyunSettings, Secret, SmsConfig, TencentSettings};

    fn with_sms(sms: SmsConfig) -> Config {
        Config {
            sms,
            ..Config::default()
        }
    }

    #[test]
    fn a_provider_without_its_settings_stops_start_up_naming_the_keys() {
        let config = with_sms(SmsConfig {
            provider: SmsProvider::Tencent,
            ..SmsConfig::default()
        });
        let err = sms_sender(&config).err().expect("refused").to_string();
        assert!(err.contains("sms.tencent.secret_key is missing"), "{err}");
        assert!(
            err.contains("sms.tencent.templates.verification_code.id"),
            "{err}"
        );
    }

    #[test]
    fn a_complete_aliyun_section_builds_the_sender_and_a_bad_endpoint_does_not() {
        let mut aliyun = AliyunSettings {
            access_key_id: "LTAI5tKeyId".into(),
            access_key_secret: Some(Secret::new("secret")),
            sign_name: "技能认证中心".into(),
            ..AliyunSettings::default()
        };
        for purpose in domain::identity::sms_code::CodePurpose::ALL {
            aliyun
                .templates
                .insert(purpose.template().into(), "SMS_1".into());
        }
        let mut config = with_sms(SmsConfig {
            provider: SmsProvider::Aliyun,
            aliyun: Some(aliyun),
            tencent: Some(TencentSettings::default()),
        });
        assert!(sms_sender(&config).is_ok());

        config.sms.aliyun.as_mut().unwrap().endpoint = "https://dysmsapi.aliyuncs.com/v2".into();
        let err = sms_sender(&config).err().expect("refused").to_string();
        assert!(err.contains("endpoint"), "{err}");
    }
}
