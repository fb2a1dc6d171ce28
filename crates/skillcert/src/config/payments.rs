//! The `[payments]` section: which provider takes the exam fee (`simulated`, the default, or
//! `wechat`), the site's public address for callbacks, and WeChat Pay's merchant settings.
//! Checked at start-up: a missing key or an unreadable key file stops it with its name.

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::Secret;
use super::sms::Problems;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PaymentProviderName {
    /// Pays on a confirm page of the platform itself (demos, development, tests).
    #[default]
    Simulated,
    /// WeChat Pay Native, API v3.
    Wechat,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PaymentsConfig {
    pub provider: PaymentProviderName,
    /// The platform's public address, e.g. `https://skillcert.example.cn`: WeChat Pay's
    /// callbacks go to `{site_url}/api/v1/payments/notify/wechat`. Required with WeChat Pay;
    /// without it the simulated QR code uses the address the candidate's browser used.
    pub site_url: Option<String>,
    /// How often the background sweep runs (lost callbacks, expiry, refunds, reconciliation).
    pub sweep_seconds: u64,
    /// `[payments.wechat]`, read when `provider = "wechat"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wechat: Option<WechatSettings>,
}

/// `[payments.wechat]`: the merchant's account (商户号), its API certificate's serial and
/// private key file, the APIv3 key, and how WeChat Pay's own signatures are checked (platform
/// certificate files, or the WeChat Pay public key and its id).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WechatSettings {
    pub endpoint: Option<String>,
    pub mchid: String,
    pub appid: String,
    pub merchant_serial_no: String,
    /// `apiclient_key.pem` (PKCS#8).
    pub private_key_file: Option<PathBuf>,
    pub apiv3_key: Option<Secret>,
    /// Platform certificate files (`wechatpay_*.pem`).
    pub platform_certificate_files: Vec<PathBuf>,
    /// The WeChat Pay public key file (`pub_key.pem`) and its id (`PUB_KEY_ID_…`).
    pub public_key_file: Option<PathBuf>,
    pub public_key_id: Option<String>,
    pub timeout_secs: Option<u64>,
}

pub const DEFAULT_SWEEP_SECONDS: u64 = 20;

impl PaymentsConfig {
    pub fn sweep_interval(&self) -> Duration {
        Duration::from_secs(if self.sweep_seconds == 0 {
            DEFAULT_SWEEP_SECONDS
        } else {
            self.sweep_seconds
        })
    }

    /// The WeChat Pay client's settings, once every key is there and every file reads.
    pub fn wechat_config(&self) -> anyhow::Result<integrations::payments::wechat::WechatPayConfig> {
        use integrations::payments::wechat::{WechatPayConfig, WechatPayPublicKey};
        let settings = self.wechat.clone().unwrap_or_default();
        let mut problems = Problems::new("payments.wechat");
        let site_ok = self
            .site_url
            .as_deref()
            .is_some_and(|s| s.starts_with("https://"));
        if !site_ok {
            problems.list.push(
                "payments.site_url must be the platform's https:// address (WeChat Pay calls back there)"
                    .into(),
            );
        }
        problems.require("mchid", !settings.mchid.trim().is_empty());
        problems.require("appid", !settings.appid.trim().is_empty());
        problems.require(
            "merchant_serial_no",
            !settings.merchant_serial_no.trim().is_empty(),
        );
        problems.require("private_key_file", settings.private_key_file.is_some());
        let apiv3 = settings
            .apiv3_key
            .as_ref()
            .map(|k| k.expose().to_owned())
            .unwrap_or_default();
        problems.require("apiv3_key", !apiv3.is_empty());
        let read = |path: &PathBuf, problems: &mut Problems| -> String {
            std::fs::read_to_string(path).unwrap_or_else(|e| {
                problems.list.push(format!(
                    "payments.wechat: cannot read {}: {e}",
                    path.display()
                ));
                String::new()
            })
        };
        let private_key = settings
            .private_key_file
            .as_ref()
            .map(|p| read(p, &mut problems))
            .unwrap_or_default();
        let certificates: Vec<String> = settings
            .platform_certificate_files
            .iter()
            .map(|p| read(p, &mut problems))
            .collect();
        let public_key = match (&settings.public_key_file, &settings.public_key_id) {
            (Some(file), Some(id)) => Some(WechatPayPublicKey {
                key_id: id.clone(),
                public_key_pem: read(file, &mut problems),
            }),
            (None, None) => None,
            _ => {
                problems
                    .list
                    .push("payments.wechat.public_key_file and public_key_id go together".into());
                None
            }
        };
        if certificates.is_empty() && public_key.is_none() {
            problems.list.push(
                "payments.wechat needs platform_certificate_files or public_key_file with public_key_id, to check WeChat Pay's signatures"
                    .into(),
            );
        }
        let timeout_secs = settings.timeout_secs.unwrap_or(10);
        if timeout_secs == 0 {
            problems
                .list
                .push("payments.wechat.timeout_secs must be at least 1".into());
        }
        problems.finish()?;
        Ok(WechatPayConfig {
            endpoint: settings
                .endpoint
                .unwrap_or_else(|| "https://api.mch.weixin.qq.com".into()),
            mchid: settings.mchid,
            appid: settings.appid,
            merchant_serial_no: settings.merchant_serial_no,
            merchant_private_key_pem: private_key,
            apiv3_key: apiv3,
            platform_certificates_pem: certificates,
            wechatpay_public_key: public_key,
            timeout: Duration::from_secs(timeout_secs),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wechat_pay_without_its_keys_names_every_missing_one() {
        let config = PaymentsConfig {
            provider: PaymentProviderName::Wechat,
            ..PaymentsConfig::default()
        };
        let error = config.wechat_config().unwrap_err().to_string();
        for key in [
            "site_url",
            "mchid",
            "appid",
            "merchant_serial_no",
            "private_key_file",
            "apiv3_key",
            "platform_certificate_files",
        ] {
            assert!(error.contains(key), "{key} in {error}");
        }
    }
}
