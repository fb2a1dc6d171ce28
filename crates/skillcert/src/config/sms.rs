//! The `[sms]` section: which provider sends SMS (`log`, `aliyun`, `tencent`) and each
//! provider's account, sign name and template map. Checked when the server starts, so that a
//! missing key stops start-up with its name rather than failing the first candidate's sign-up.

use std::collections::BTreeMap;
use std::time::Duration;

use integrations::sms::aliyun::{self, AliyunSmsConfig};
use integrations::sms::tencent::{self, TencentSmsConfig, TencentTemplate};
use serde::{Deserialize, Deserializer, Serialize};

use super::Secret;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmsProvider {
    /// Sends nothing: the log and `<data_dir>/outbox/sms.jsonl`.
    #[default]
    Log,
    Aliyun,
    Tencent,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SmsConfig {
    pub provider: SmsProvider,
    /// `[sms.aliyun]`, read when `provider = "aliyun"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aliyun: Option<AliyunSettings>,
    /// `[sms.tencent]`, read when `provider = "tencent"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tencent: Option<TencentSettings>,
}

/// `[sms.aliyun]`. Keys left out are reported by [`SmsConfig::aliyun_config`].
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AliyunSettings {
    pub access_key_id: String,
    pub access_key_secret: Option<Secret>,
    /// The approved signature name (签名名称).
    pub sign_name: String,
    pub endpoint: String,
    pub timeout_secs: u64,
    /// Our template name → Aliyun template code, e.g. `verification_code = "SMS_154950909"`.
    pub templates: BTreeMap<String, String>,
}

impl Default for AliyunSettings {
    fn default() -> Self {
        AliyunSettings {
            access_key_id: String::new(),
            access_key_secret: None,
            sign_name: String::new(),
            endpoint: aliyun::DEFAULT_ENDPOINT.into(),
            timeout_secs: DEFAULT_TIMEOUT_SECS,
            templates: BTreeMap::new(),
        }
    }
}

/// `[sms.tencent]`. Keys left out are reported by [`SmsConfig::tencent_config`].
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TencentSettings {
    pub secret_id: String,
    pub secret_key: Option<Secret>,
    /// The SMS application's SdkAppId (digits; written with or without quotes).
    #[serde(deserialize_with = "string_or_number")]
    pub sdk_app_id: String,
    pub region: String,
    /// The approved signature content (签名内容).
    pub sign_name: String,
    pub endpoint: String,
    pub timeout_secs: u64,
    /// Our template name → Tencent template id and our parameter names in the template's
    /// `{1}`, `{2}`, … order, e.g. `verification_code = { id = "1110", params = ["code"] }`.
    pub templates: BTreeMap<String, TencentTemplateSettings>,
}

impl Default for TencentSettings {
    fn default() -> Self {
        TencentSettings {
            secret_id: String::new(),
            secret_key: None,
            sdk_app_id: String::new(),
            region: tencent::DEFAULT_REGION.into(),
            sign_name: String::new(),
            endpoint: tencent::DEFAULT_ENDPOINT.into(),
            timeout_secs: DEFAULT_TIMEOUT_SECS,
            templates: BTreeMap::new(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TencentTemplateSettings {
    #[serde(deserialize_with = "string_or_number")]
    pub id: String,
    #[serde(default)]
    pub params: Vec<String>,
}

const DEFAULT_TIMEOUT_SECS: u64 = 10;

/// Ids that are digits arrive as numbers from TOML (`id = 1110`) and from the environment
/// (figment reads `1400006666` as an integer); both mean the same id.
fn string_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Text(String),
        Number(u64),
    }
    Ok(match Raw::deserialize(d)? {
        Raw::Text(text) => text,
        Raw::Number(n) => n.to_string(),
    })
}

/// Every problem found in one section, reported together.
/// What is missing from a provider's section, reported all at once at start-up (the payment
/// settings use it too).
pub(super) struct Problems {
    section: &'static str,
    pub(super) list: Vec<String>,
}

impl Problems {
    pub(super) fn new(section: &'static str) -> Problems {
        Problems {
            section,
            list: Vec::new(),
        }
    }

    /// A required key that is empty or absent.
    pub(super) fn require(&mut self, key: &str, present: bool) {
        if !present {
            let env = format!("SKILLCERT_{}__{}", self.section, key)
                .replace('.', "__")
                .to_ascii_uppercase();
            self.list
                .push(format!("{}.{key} is missing (or set {env})", self.section));
        }
    }

    pub(super) fn finish(self) -> anyhow::Result<()> {
        if self.list.is_empty() {
            Ok(())
        } else {
            let what = if self.section.starts_with("payments") {
                "the payment provider"
            } else {
                "the SMS provider"
            };
            anyhow::bail!(
                "{what} is not fully configured:\n  - {}",
                self.list.join("\n  - ")
            )
        }
    }
}

fn timeout(secs: u64, section: &str, problems: &mut Problems) -> Duration {
    if secs == 0 {
        problems
            .list
            .push(format!("{section}.timeout_secs must be at least 1"));
    }
    Duration::from_secs(secs)
}

impl SmsConfig {
    /// The Aliyun client's settings, once every required key is there and each of `needed`
    /// (the templates the application sends) has a template code.
    pub fn aliyun_config(&self, needed: &[&str]) -> anyhow::Result<AliyunSmsConfig> {
        let settings = self.aliyun.clone().unwrap_or_default();
        let mut problems = Problems::new("sms.aliyun");
        problems.require("access_key_id", !settings.access_key_id.trim().is_empty());
        let secret = settings
            .access_key_secret
            .as_ref()
            .filter(|s| !s.expose().is_empty());
        problems.require("access_key_secret", secret.is_some());
        problems.require("sign_name", !settings.sign_name.trim().is_empty());
        for template in needed {
            let mapped = settings
                .templates
                .get(*template)
                .is_some_and(|code| !code.trim().is_empty());
            problems.require(&format!("templates.{template}"), mapped);
        }
        let timeout = timeout(settings.timeout_secs, "sms.aliyun", &mut problems);
        problems.finish()?;
        Ok(AliyunSmsConfig {
            access_key_id: settings.access_key_id,
            access_key_secret: integrations::sms_signing::Secret::new(
                secret.map(Secret::expose).unwrap_or_default(),
            ),
            sign_name: settings.sign_name,
            endpoint: settings.endpoint,
            timeout,
            templates: settings.templates,
        })
    }

    /// The Tencent client's settings, once every required key is there and each of `needed`
    /// (the templates the application sends) has a template id.
    pub fn tencent_config(&self, needed: &[&str]) -> anyhow::Result<TencentSmsConfig> {
        let settings = self.tencent.clone().unwrap_or_default();
        let mut problems = Problems::new("sms.tencent");
        problems.require("secret_id", !settings.secret_id.trim().is_empty());
        let secret = settings
            .secret_key
            .as_ref()
            .filter(|s| !s.expose().is_empty());
        problems.require("secret_key", secret.is_some());
        problems.require("sdk_app_id", !settings.sdk_app_id.trim().is_empty());
        problems.require("region", !settings.region.trim().is_empty());
        problems.require("sign_name", !settings.sign_name.trim().is_empty());
        for template in needed {
            let mapped = settings
                .templates
                .get(*template)
                .is_some_and(|t| !t.id.trim().is_empty());
            problems.require(&format!("templates.{template}.id"), mapped);
        }
        let timeout = timeout(settings.timeout_secs, "sms.tencent", &mut problems);
        problems.finish()?;
        Ok(TencentSmsConfig {
            secret_id: settings.secret_id,
            secret_key: integrations::sms_signing::Secret::new(
                secret.map(Secret::expose).unwrap_or_default(),
            ),
            sdk_app_id: settings.sdk_app_id,
            region: settings.region,
            sign_name: settings.sign_name,
            endpoint: settings.endpoint,
            timeout,
            templates: settings
                .templates
                .into_iter()
                .map(|(ours, t)| {
                    (
                        ours,
                        TencentTemplate {
                            id: t.id,
                            params: t.params,
                        },
                    )
                })
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::Config;
    use super::*;

    const NEEDED: [&str; 2] = ["verification_code", "reset_password_code"];

    #[test]
    fn the_log_provider_is_the_default() {
        assert_eq!(Config::default().sms.provider, SmsProvider::Log);
    }

    #[test]
    // figment's Jail fixes the closure's error type.
    #[allow(clippy::result_large_err)]
    fn aliyun_settings_from_the_file_with_the_secret_from_the_environment() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "skillcert.toml",
                r#"
                [sms]
                provider = "aliyun"
                [sms.aliyun]
                access_key_id = "LTAI5tKeyId"
                sign_name = "技能认证中心"
                [sms.aliyun.templates]
                verification_code = "SMS_1"
                reset_password_code = "SMS_2"
                "#,
            )?;
            jail.set_env("SKILLCERT_SMS__ALIYUN__ACCESS_KEY_SECRET", "from-the-env");
            let config = Config::load(None).map_err(|e| *e)?;
            assert_eq!(config.sms.provider, SmsProvider::Aliyun);
            let aliyun = config.sms.aliyun_config(&NEEDED).unwrap();
            assert_eq!(aliyun.endpoint, "https://dysmsapi.aliyuncs.com");
            assert_eq!(aliyun.timeout, Duration::from_secs(10));
            assert_eq!(aliyun.templates["reset_password_code"], "SMS_2");
            assert!(!format!("{config:?} {aliyun:?}").contains("from-the-env"));
            Ok(())
        });
    }

    #[test]
    #[allow(clippy::result_large_err)]
    fn tencent_ids_may_be_written_as_numbers() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "skillcert.toml",
                r#"
                [sms]
                provider = "tencent"
                [sms.tencent]
                secret_id = "AKIDid"
                secret_key = "key"
                sign_name = "技能认证中心"
                [sms.tencent.templates]
                verification_code = { id = 1110, params = ["code", "minutes"] }
                reset_password_code = { id = "1111", params = ["code"] }
                "#,
            )?;
            jail.set_env("SKILLCERT_SMS__TENCENT__SDK_APP_ID", "1400006666");
            let config = Config::load(None).map_err(|e| *e)?;
            let tencent = config.sms.tencent_config(&NEEDED).unwrap();
            assert_eq!(tencent.sdk_app_id, "1400006666");
            assert_eq!(tencent.region, "ap-guangzhou");
            let code = &tencent.templates["verification_code"];
            assert_eq!(code.id, "1110");
            assert_eq!(code.params, ["code", "minutes"]);
            Ok(())
        });
    }

    #[test]
    fn every_missing_key_is_named_with_its_environment_variable() {
        let config = SmsConfig {
            provider: SmsProvider::Aliyun,
            aliyun: None,
            tencent: None,
        };
        let err = config.aliyun_config(&NEEDED).unwrap_err().to_string();
        for key in [
            "sms.aliyun.access_key_id is missing",
            "sms.aliyun.access_key_secret is missing (or set SKILLCERT_SMS__ALIYUN__ACCESS_KEY_SECRET)",
            "sms.aliyun.sign_name",
            "sms.aliyun.templates.verification_code",
            "sms.aliyun.templates.reset_password_code",
        ] {
            assert!(err.contains(key), "{key} not in: {err}");
        }

        let config = SmsConfig {
            provider: SmsProvider::Tencent,
            aliyun: None,
            tencent: Some(TencentSettings {
                secret_id: "AKIDid".into(),
                secret_key: Some(Secret::new("")),
                timeout_secs: 0,
                ..TencentSettings::default()
            }),
        };
        let err = config.tencent_config(&NEEDED).unwrap_err().to_string();
        assert!(!err.contains("secret_id"), "{err}");
        for key in [
            "sms.tencent.secret_key",
            "sms.tencent.sdk_app_id",
            "sms.tencent.templates.verification_code.id",
            "timeout_secs must be at least 1",
        ] {
            assert!(err.contains(key), "{key} not in: {err}");
        }
    }

    #[test]
    #[allow(clippy::result_large_err)]
    fn an_unknown_provider_is_refused_when_loading() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("skillcert.toml", "[sms]\nprovider = \"twilio\"\n")?;
            let err = Config::load(None).unwrap_err().to_string();
            assert!(err.contains("twilio") && err.contains("aliyun"), "{err}");
            Ok(())
        });
    }
}
