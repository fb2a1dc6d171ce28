//! An audit line as people read it: the JSON before and after laid out, and which of its keys
//! changed.

use serde_json::Value;
use store::audit::Entry;

pub struct EntryView {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub client_address: String,
    /// The keys whose values differ between before and after (both objects), in order.
    pub changed: Vec<String>,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// A JSON value laid out for reading: text as itself (the calendar's lines), anything else
/// indented.
pub fn readable(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => serde_json::to_string_pretty(other).unwrap_or_else(|_| other.to_string()),
    }
}

pub fn changed_keys(before: Option<&Value>, after: Option<&Value>) -> Vec<String> {
    match (before, after) {
        (Some(Value::Object(b)), Some(Value::Object(a))) => {
            let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
            keys.sort();
            keys.dedup();
            keys.into_iter()
                .filter(|k| b.get(*k) != a.get(*k))
                .cloned()
                .collect()
        }
        _ => Vec::new(),
    }
}

pub fn entry_view(e: &Entry) -> EntryView {
    EntryView {
        at: domain::time::format_instant(e.at),
        actor: e.actor.clone(),
        action: e.action.clone(),
        subject: format!("{} {}", e.subject_type, e.subject_id),
        client_address: e.client_address.clone().unwrap_or_default(),
        changed: changed_keys(e.before.as_ref(), e.after.as_ref()),
        before: e.before.as_ref().map(readable),
        after: e.after.as_ref().map(readable),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_the_keys_that_differ_are_named() {
        let before = json!({"capacity": 10, "name": "a", "site_ids": [1]});
        let after = json!({"capacity": 12, "name": "a", "site_ids": [1, 2], "extra": true});
        assert_eq!(
            changed_keys(Some(&before), Some(&after)),
            vec!["capacity", "extra", "site_ids"]
        );
        assert!(changed_keys(None, Some(&after)).is_empty());
    }

    #[test]
    fn text_is_shown_as_itself_and_objects_indented() {
        assert_eq!(readable(&json!("2025-10-01,放假\n")), "2025-10-01,放假\n");
        assert!(readable(&json!({"a": 1})).contains("\n  \"a\": 1"));
    }
}
