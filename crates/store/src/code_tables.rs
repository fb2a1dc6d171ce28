//! Code tables: GB/T 2260 administrative divisions and the short national code lists (ethnic
//! groups, political status, education, …). They ship as CSV files under `store/data/` (sources
//! and licences in `data/SOURCES.md`), are loaded into the database on first start, and are read
//! from the database afterwards so that staff can edit them.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::entities::{code_item, division};
use crate::{Db, StoreError};

/// The kinds of short code lists, each with its embedded CSV (`code,name[,rank]`).
pub const CODE_LISTS: &[(&str, &str)] = &[
    ("ethnic_group", include_str!("../data/ethnic_groups.csv")),
    (
        "political_status",
        include_str!("../data/political_status.csv"),
    ),
    ("education", include_str!("../data/education_levels.csv")),
    ("id_type", include_str!("../data/id_types.csv")),
    (
        "candidate_source",
        include_str!("../data/candidate_sources.csv"),
    ),
    (
        "assessment_category",
        include_str!("../data/assessment_categories.csv"),
    ),
    (
        "enterprise_type",
        include_str!("../data/enterprise_types.csv"),
    ),
];

pub const DIVISIONS_CSV: &str = include_str!("../data/divisions.csv");
pub const RELATED_OCCUPATIONS_CSV: &str = include_str!("../data/related_occupations.csv");

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeItem {
    pub code: String,
    pub name: String,
    pub rank: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Division {
    pub code: String,
    pub name: String,
    pub parent_code: Option<String>,
    pub kind: String,
}

/// Rows of a small CSV file with a header, as maps from column name to value. Our files hold no
/// quoted fields; a malformed row is a build-time bug, caught by the tests below.
pub fn csv_rows(text: &str) -> Vec<HashMap<&str, &str>> {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header: Vec<&str> = lines
        .next()
        .unwrap_or_default()
        .trim_start_matches('\u{feff}')
        .split(',')
        .map(str::trim)
        .collect();
    lines
        .map(|line| {
            header
                .iter()
                .copied()
                .zip(line.split(',').map(str::trim))
                .collect()
        })
        .collect()
}

pub async fn items(db: &Db, kind: &str) -> Result<Vec<CodeItem>, StoreError> {
    Ok(code_item::Entity::find()
        .filter(code_item::Column::Kind.eq(kind))
        .order_by_asc(code_item::Column::Position)
        .all(db.reader())
        .await?
        .into_iter()
        .map(|r| CodeItem {
            code: r.code,
            name: r.name,
            rank: r.rank,
        })
        .collect())
}

/// Education code → name, for rendering eligibility rules.
pub async fn education_names(db: &Db) -> Result<HashMap<String, String>, StoreError> {
    Ok(items(db, "education")
        .await?
        .into_iter()
        .map(|i| (i.code, i.name))
        .collect())
}

/// The provinces (`parent` None) or the children of one division.
pub async fn divisions<C: ConnectionTrait>(
    conn: &C,
    parent: Option<&str>,
) -> Result<Vec<Division>, StoreError> {
    let query = match parent {
        None => division::Entity::find().filter(division::Column::ParentCode.is_null()),
        Some(p) => division::Entity::find().filter(division::Column::ParentCode.eq(p)),
    };
    Ok(query
        .order_by_asc(division::Column::Code)
        .all(conn)
        .await?
        .into_iter()
        .map(|d| Division {
            code: d.code,
            name: d.name,
            parent_code: d.parent_code,
            kind: d.kind,
        })
        .collect())
}

/// Every code and division in memory, for the form checks (`domain::applications::form::CodeBook`),
/// which run on every wizard step. Loaded at start-up.
#[derive(Debug, Default)]
pub struct CodeSnapshot {
    items: HashMap<String, Vec<CodeItem>>,
    divisions: HashMap<String, Division>,
    children: HashMap<String, Vec<String>>,
}

impl CodeSnapshot {
    pub async fn load(db: &Db) -> Result<CodeSnapshot, StoreError> {
        let mut snapshot = CodeSnapshot::default();
        for row in code_item::Entity::find()
            .order_by_asc(code_item::Column::Position)
            .all(db.reader())
            .await?
        {
            snapshot.items.entry(row.kind).or_default().push(CodeItem {
                code: row.code,
                name: row.name,
                rank: row.rank,
            });
        }
        for d in division::Entity::find()
            .order_by_asc(division::Column::Code)
            .all(db.reader())
            .await?
        {
            let parent = d.parent_code.clone().unwrap_or_default();
            snapshot
                .children
                .entry(parent)
                .or_default()
                .push(d.code.clone());
            snapshot.divisions.insert(
                d.code.clone(),
                Division {
                    code: d.code,
                    name: d.name,
                    parent_code: d.parent_code,
                    kind: d.kind,
                },
            );
        }
        Ok(snapshot)
    }

    pub fn items(&self, kind: &str) -> &[CodeItem] {
        self.items.get(kind).map(Vec::as_slice).unwrap_or_default()
    }

    pub fn name(&self, kind: &str, code: &str) -> Option<&str> {
        self.items(kind)
            .iter()
            .find(|i| i.code == code)
            .map(|i| i.name.as_str())
    }

    pub fn rank(&self, kind: &str, code: &str) -> Option<i32> {
        self.items(kind)
            .iter()
            .find(|i| i.code == code)
            .and_then(|i| i.rank)
    }

    pub fn division(&self, code: &str) -> Option<&Division> {
        self.divisions.get(code)
    }

    /// Provinces for `None` (or an empty parent), else the children of `parent`.
    pub fn children(&self, parent: Option<&str>) -> Vec<&Division> {
        self.children
            .get(parent.unwrap_or_default())
            .map(|codes| codes.iter().filter_map(|c| self.divisions.get(c)).collect())
            .unwrap_or_default()
    }
}

impl domain::applications::form::CodeBook for CodeSnapshot {
    fn has(&self, kind: &str, code: &str) -> bool {
        self.items(kind).iter().any(|i| i.code == code)
    }

    fn division_parent(&self, code: &str) -> Option<String> {
        self.divisions.get(code).and_then(|d| d.parent_code.clone())
    }

    fn is_division(&self, code: &str) -> bool {
        self.divisions.contains_key(code)
    }

    fn has_children(&self, code: &str) -> bool {
        self.children.get(code).is_some_and(|c| !c.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_code_list_has_unique_codes_and_names() {
        for (kind, csv) in CODE_LISTS {
            let rows = csv_rows(csv);
            assert!(!rows.is_empty(), "{kind} is empty");
            let codes: HashSet<_> = rows.iter().map(|r| r["code"]).collect();
            assert_eq!(codes.len(), rows.len(), "{kind} repeats a code");
            assert!(
                rows.iter().all(|r| !r["name"].is_empty()),
                "{kind} has an empty name"
            );
        }
    }

    #[test]
    fn the_standard_lists_have_their_standard_sizes() {
        let count =
            |kind: &str| csv_rows(CODE_LISTS.iter().find(|(k, _)| *k == kind).unwrap().1).len();
        assert_eq!(count("ethnic_group"), 58, "56 groups + 其他 + 外国血统");
        assert_eq!(count("political_status"), 13);
    }

    #[test]
    fn every_division_hangs_from_an_existing_parent() {
        let rows = csv_rows(DIVISIONS_CSV);
        let codes: HashSet<_> = rows.iter().map(|r| r["code"]).collect();
        assert_eq!(codes.len(), rows.len(), "division codes repeat");
        let provinces = rows.iter().filter(|r| r["kind"] == "province").count();
        assert_eq!(provinces, 34);
        for r in &rows {
            let parent = r["parent"];
            assert!(
                parent.is_empty() || codes.contains(parent),
                "{} has no parent {parent}",
                r["code"]
            );
        }
        assert!(rows.len() > 3000, "only {} divisions", rows.len());
    }
}
