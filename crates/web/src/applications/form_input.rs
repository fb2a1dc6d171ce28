//! Reading a wizard page's form into the draft. The posted fields overlay the section as it was
//! saved (a page posts only its own fields); checkboxes are listed in `_checkboxes` so that an
//! unticked one reads as false; work history rows come as `work_history[i].field`.

use std::collections::BTreeMap;

use domain::applications::form::ApplicationDraft;
use domain::applications::work_history::WorkPeriodInput;
use serde_json::Value;

use super::sections::Section;

pub type Posted = Vec<(String, String)>;

pub fn value<'a>(posted: &'a Posted, name: &str) -> Option<&'a str> {
    posted
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Overlays `posted` on one JSON object: strings replace strings, listed checkboxes set booleans,
/// numbers and nulls (the claimed rule) parse from text.
fn overlay(target: &mut serde_json::Map<String, Value>, posted: &Posted) {
    let checkboxes: Vec<&str> = value(posted, "_checkboxes")
        .unwrap_or_default()
        .split(',')
        .filter(|s| !s.is_empty())
        .collect();
    for (key, current) in target.iter_mut() {
        match current {
            Value::Bool(b) if checkboxes.contains(&key.as_str()) => {
                *b = matches!(value(posted, key), Some("on" | "true" | "1"));
            }
            Value::String(s) => {
                if let Some(v) = value(posted, key) {
                    *s = v.to_owned();
                }
            }
            Value::Number(_) | Value::Null => {
                if let Some(v) = value(posted, key) {
                    *current = v
                        .trim()
                        .parse::<i64>()
                        .map(Value::from)
                        .unwrap_or(Value::Null);
                }
            }
            _ => {}
        }
    }
}

fn overlay_section<T: serde::Serialize + serde::de::DeserializeOwned>(
    section: &mut T,
    posted: &Posted,
) {
    if let Ok(Value::Object(mut map)) = serde_json::to_value(&*section) {
        overlay(&mut map, posted);
        if let Ok(updated) = serde_json::from_value(Value::Object(map)) {
            *section = updated;
        }
    }
}

/// The work history rows posted, in index order; blank rows are dropped.
pub fn work_rows(posted: &Posted) -> Vec<WorkPeriodInput> {
    let mut rows: BTreeMap<usize, serde_json::Map<String, Value>> = BTreeMap::new();
    for (key, v) in posted {
        let Some(rest) = key.strip_prefix("work_history[") else {
            continue;
        };
        let Some((index, field)) = rest.split_once("].") else {
            continue;
        };
        let Ok(index) = index.parse::<usize>() else {
            continue;
        };
        if index >= 100 {
            continue;
        }
        rows.entry(index)
            .or_default()
            .insert(field.to_owned(), Value::String(v.clone()));
    }
    rows.into_values()
        .filter_map(|mut map| {
            let base = serde_json::to_value(WorkPeriodInput::default()).ok()?;
            let Value::Object(mut full) = base else {
                return None;
            };
            full.append(&mut map);
            serde_json::from_value::<WorkPeriodInput>(Value::Object(full)).ok()
        })
        .filter(|row| !is_blank(row))
        .collect()
}

fn is_blank(row: &WorkPeriodInput) -> bool {
    [
        &row.start,
        &row.end,
        &row.employer,
        &row.employer_uscc,
        &row.post,
        &row.referee,
        &row.referee_phone,
    ]
    .iter()
    .all(|v| v.trim().is_empty())
}

/// The draft after a page of `section` was posted.
pub fn apply(draft: &ApplicationDraft, section: Section, posted: &Posted) -> ApplicationDraft {
    let mut draft = draft.clone();
    match section {
        Section::Basic => overlay_section(&mut draft.basic, posted),
        Section::Identity => overlay_section(&mut draft.identity, posted),
        Section::Registration => overlay_section(&mut draft.registration, posted),
        Section::History => {
            overlay_section(&mut draft.education, posted);
            draft.work_history = work_rows(posted);
        }
        Section::Declaration => overlay_section(&mut draft.declaration, posted),
        Section::Documents | Section::Review => {}
    }
    draft
}

#[cfg(test)]
mod tests {
    use super::*;

    fn posted(pairs: &[(&str, &str)]) -> Posted {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn a_page_changes_only_its_own_fields() {
        let mut draft = ApplicationDraft::default();
        draft.basic.name = "张三".into();
        draft.basic.email = "a@b.cn".into();
        let after = apply(
            &draft,
            Section::Basic,
            &posted(&[("email", "z@b.cn"), ("csrf", "x")]),
        );
        assert_eq!(after.basic.name, "张三");
        assert_eq!(after.basic.email, "z@b.cn");
    }

    #[test]
    fn work_rows_come_back_in_order_without_blank_ones() {
        let rows = work_rows(&posted(&[
            ("work_history[1].employer", "乙公司"),
            ("work_history[0].employer", "甲公司"),
            ("work_history[0].start", "2018-01"),
            ("work_history[2].employer", ""),
        ]));
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].employer, "甲公司");
        assert_eq!(rows[0].start, "2018-01");
        assert_eq!(rows[1].employer, "乙公司");
    }

    #[test]
    fn an_unticked_listed_checkbox_reads_as_false() {
        let mut draft = ApplicationDraft::default();
        draft.education.related_major = true;
        let after = apply(
            &draft,
            Section::History,
            &posted(&[("_checkboxes", "related_major")]),
        );
        assert!(!after.education.related_major);
        let after = apply(&draft, Section::History, &posted(&[]));
        assert!(after.education.related_major, "not on the page: unchanged");
    }
}
