//! The `log` provider: sends nothing, writes each message to the log and to an outbox file.

use std::path::PathBuf;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio::io::AsyncWriteExt;

use super::{SmsError, SmsMessage, SmsSender};

/// One line of the outbox file.
#[derive(Debug, Serialize, serde::Deserialize, PartialEq)]
pub struct OutboxLine {
    pub phone: String,
    pub template: String,
    pub params: serde_json::Map<String, serde_json::Value>,
    pub text: String,
    /// The message's idempotency key, when it has one (see [`SmsMessage::dedupe_key`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dedupe_key: Option<String>,
    pub at: DateTime<Utc>,
}

pub struct LogSender {
    outbox: PathBuf,
    // Appends from concurrent requests must not interleave within a line.
    lock: tokio::sync::Mutex<()>,
}

impl LogSender {
    /// Writes to `outbox_dir/sms.jsonl`, creating the folder on first use.
    pub fn new(outbox_dir: impl Into<PathBuf>) -> LogSender {
        LogSender {
            outbox: outbox_dir.into().join("sms.jsonl"),
            lock: tokio::sync::Mutex::new(()),
        }
    }

    pub fn outbox_file(&self) -> &std::path::Path {
        &self.outbox
    }
}

#[async_trait]
impl SmsSender for LogSender {
    async fn send(&self, message: &SmsMessage) -> Result<(), SmsError> {
        tracing::info!(phone = %message.phone, template = %message.template, text = %message.text, "SMS (log provider)");
        let line = OutboxLine {
            phone: message.phone.as_str().to_owned(),
            template: message.template.clone(),
            params: message.params.clone(),
            text: message.text.clone(),
            dedupe_key: message.dedupe_key.clone(),
            at: Utc::now(),
        };
        let mut bytes = serde_json::to_vec(&line).map_err(|e| SmsError::Refused(e.to_string()))?;
        bytes.push(b'\n');
        let unavailable = |e: std::io::Error| SmsError::Unavailable(format!("outbox: {e}"));
        let _guard = self.lock.lock().await;
        if let Some(dir) = self.outbox.parent() {
            tokio::fs::create_dir_all(dir).await.map_err(unavailable)?;
        }
        let mut file = tokio::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.outbox)
            .await
            .map_err(unavailable)?;
        file.write_all(&bytes).await.map_err(unavailable)?;
        file.flush().await.map_err(unavailable)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use domain::identity::phone::Phone;

    use super::*;

    #[tokio::test]
    async fn the_log_sender_appends_one_json_line_per_message() {
        let dir = tempfile::tempdir().unwrap();
        let sender = LogSender::new(dir.path().join("outbox"));
        for code in ["123456", "654321"] {
            let mut params = serde_json::Map::new();
            params.insert("code".into(), code.into());
            sender
                .send(&SmsMessage {
                    phone: Phone::parse("13800138000").unwrap(),
                    template: "verification_code".into(),
                    params,
                    text: format!("code {code}"),
                    dedupe_key: (code == "654321").then(|| "event-7".to_owned()),
                })
                .await
                .unwrap();
        }
        let text = std::fs::read_to_string(sender.outbox_file()).unwrap();
        let lines: Vec<OutboxLine> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].phone, "13800138000");
        assert_eq!(lines[1].params["code"], "654321");
        assert_eq!(lines[1].template, "verification_code");
        assert_eq!(lines[0].dedupe_key, None);
        assert_eq!(lines[1].dedupe_key.as_deref(), Some("event-7"));
        assert!(!text.lines().next().unwrap().contains("dedupe_key"));
    }
}
