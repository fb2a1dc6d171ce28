//! The typst markup of the registration form: one bordered table of nine columns on A4, the
//! seed's rows in the seed's order, the photo box in the top-right corner.
//!
//! Column grid (mm): label 23 · 23 · 16 · 16 · 13 · 17 · 20 · rest (27) · photo 27. Every row is built
//! from these columns with spans, as the seed's table is.

use std::fmt::Write;

use super::labels as l;
use super::{EducationRow, RegistrationForm, WorkRow};
use crate::fonts::FAMILY;
use crate::markup::{inline, string};

/// Where the photo is served from in the typst world; fixed, so typst's cache keys stay stable.
pub const PHOTO_PATH: &str = "/photo.img";

/// The form's markup; the photo (if any) is read from [`PHOTO_PATH`], in `photo_format`
/// ("jpg" or "png").
pub fn markup(form: &RegistrationForm, photo_format: Option<&str>) -> String {
    let mut m = String::with_capacity(16 * 1024);
    prelude(&mut m);
    heading(&mut m, form);
    m.push_str("#table(\n");
    m.push_str("  columns: (23mm, 23mm, 16mm, 16mm, 13mm, 17mm, 20mm, 1fr, 27mm),\n");
    m.push_str("  align: center + horizon,\n  stroke: 0.6pt,\n  inset: (x: 2.5pt, y: 4.5pt),\n");
    applicant(&mut m, form, photo_format);
    declaration(&mut m, form);
    conditions(&mut m, form);
    closing(&mut m, form);
    m.push_str(")\n");
    let _ = writeln!(m, "#v(2mm)\n#text(size: 8.5pt)[{}]", inline(l::NOTE));
    m
}

fn prelude(m: &mut String) {
    let _ = write!(
        m,
        r#"#set document(title: {title})
#set page(paper: "a4", margin: (x: 14mm, top: 12mm, bottom: 12mm))
#set text(font: {family}, size: 9.5pt, lang: "zh", region: "cn")
#set par(leading: 0.55em, spacing: 0.6em)
#let lb(body) = text(weight: "bold", body)
#let section(body, hint: none) = table.cell(colspan: 9, fill: luma(232), align: left + horizon,
  [#text(weight: "bold", body)#if hint != none [#h(0.5em)#text(size: 8pt, hint)]])
#let tick(on) = box(width: 0.9em, height: 0.9em, stroke: 0.6pt, baseline: 0.12em,
  align(center + horizon, if on {{ text(size: 0.8em, "✓") }}))
#let blank(width) = box(width: width, stroke: (bottom: 0.5pt), height: 0.9em)
"#,
        title = string(l::TITLE),
        family = string(FAMILY),
    );
}

fn heading(m: &mut String, form: &RegistrationForm) {
    let _ = write!(
        m,
        r#"#align(center, text(size: 17pt, weight: "bold", tracking: 0.08em, {title}))
#v(1mm)
#grid(columns: (1fr, auto), gutter: 4pt,
  [{plan}{plan_name}#h(1em){code}{plan_code}], [{submitted}{submitted_at}])
#v(1mm)
"#,
        title = string(l::TITLE),
        plan = inline(l::PLAN),
        plan_name = inline(&form.plan_name),
        code = inline(l::PLAN_CODE),
        plan_code = inline(&form.plan_code),
        submitted = inline(l::SUBMITTED_AT),
        submitted_at = inline(&form.submitted_at),
    );
}

/// A bold label cell.
fn label(text: &str) -> String {
    format!("lb({})", string(text))
}

/// A label cell over two columns (the diploma's long labels).
fn wide_label(text: &str) -> String {
    format!("table.cell(colspan: 2, lb({}))", string(text))
}

/// A label cell spanning rows.
fn label_rows(text: &str, rows: usize) -> String {
    format!("table.cell(rowspan: {rows}, lb({}))", string(text))
}

/// A value cell spanning columns.
fn value(text: &str, colspan: usize) -> String {
    if colspan == 1 {
        string(text)
    } else {
        format!("table.cell(colspan: {colspan}, {})", string(text))
    }
}

/// A value cell spanning columns, left-aligned (long text: addresses, sentences).
fn value_left(text: &str, colspan: usize) -> String {
    format!(
        "table.cell(colspan: {colspan}, align: left + horizon, {})",
        string(text)
    )
}

fn row(m: &mut String, cells: &[String]) {
    m.push_str("  ");
    m.push_str(&cells.join(", "));
    m.push_str(",\n");
}

fn applicant(m: &mut String, form: &RegistrationForm, photo_format: Option<&str>) {
    let a = &form.applicant;
    let _ = writeln!(m, "  section({}),", string(l::APPLICANT));
    let photo = match photo_format {
        Some(format) => format!(
            "table.cell(rowspan: 5, inset: 2pt, image({}, format: {}, width: 25mm, height: 35mm, fit: \"cover\"))",
            string(PHOTO_PATH),
            string(format)
        ),
        None => format!(
            "table.cell(rowspan: 5, text(fill: luma(120))[{}#linebreak(){}])",
            inline(l::PHOTO),
            inline(l::PHOTO_HINT)
        ),
    };
    row(
        m,
        &[
            label(l::NAME),
            value(&a.name, 1),
            label(l::GENDER),
            value(&a.gender, 1),
            label(l::ETHNICITY),
            value(&a.ethnicity, 1),
            label(l::BIRTH_DATE),
            value(&a.birth_date, 1),
            photo,
        ],
    );
    row(
        m,
        &[
            label(l::POLITICAL_STATUS),
            value(&a.political_status, 1),
            label(l::EDUCATION),
            value(&a.education, 1),
            label(l::IDENTITY),
            value(&a.identity, 3),
        ],
    );
    let id_label = if a.id_type.is_empty() || a.id_type == l::RESIDENT_ID_CARD {
        l::ID_NUMBER.to_owned()
    } else {
        format!("{}（{}）", l::OTHER_ID_NUMBER, a.id_type)
    };
    row(m, &[label(&id_label), value_left(&a.id_number, 7)]);
    row(m, &[label(l::EMPLOYER), value_left(&a.employer, 7)]);
    row(
        m,
        &[
            label(l::ADDRESS),
            value_left(&a.address, 4),
            label(l::PHONE),
            value(&a.phone, 2),
        ],
    );
}

fn declaration(m: &mut String, form: &RegistrationForm) {
    let d = &form.declaration;
    let _ = writeln!(m, "  section({}),", string(l::DECLARATION));
    row(
        m,
        &[
            label_rows(l::DECLARATION_SITUATION, 3),
            label(l::OCCUPATION),
            value(&form.occupation, 3),
            label(l::LEVEL),
            value(&form.level, 3),
        ],
    );
    row(m, &[label(l::ELIGIBILITY), value_left(&d.eligibility, 7)]);
    let assessment = format!(
        "table.cell(colspan: 7, align: left + horizon)[#tick({first}) {first_label}#h(2em)#tick({promo}) {promo_label}{number}]",
        first = d.promotion_from.is_none(),
        first_label = inline(l::FIRST_TIME),
        promo = d.promotion_from.is_some(),
        promo_label = inline(l::PROMOTION),
        number = inline(d.promotion_from.as_deref().unwrap_or("")),
    );
    row(m, &[label(l::ASSESSMENT), assessment]);
}

fn conditions(m: &mut String, form: &RegistrationForm) {
    let _ = writeln!(
        m,
        "  section({}, hint: {}),",
        string(l::CONDITIONS),
        string(l::CONDITIONS_HINT)
    );
    let blank_education = [EducationRow::default()];
    let education: &[EducationRow] = if form.education.is_empty() {
        &blank_education
    } else {
        &form.education
    };
    for (i, e) in education.iter().enumerate() {
        let mut first = Vec::new();
        if i == 0 {
            first.push(label_rows(l::EDUCATION_CONDITION, 2 * education.len()));
        }
        first.extend([
            label(l::DEGREE),
            value(&e.degree, 2),
            wide_label(l::SCHOOL),
            value(&e.school, 3),
        ]);
        row(m, &first);
        let diploma = match (e.diploma_number.is_empty(), e.date.is_empty()) {
            (_, true) => e.diploma_number.clone(),
            (true, false) => format!("（{}）", e.date),
            (false, false) => format!("{}（{}）", e.diploma_number, e.date),
        };
        row(
            m,
            &[
                label(l::MAJOR),
                value(&e.major, 2),
                wide_label(l::DIPLOMA),
                value(&diploma, 3),
            ],
        );
    }

    // Two blank rows when the candidate listed no work, so the printed form can still be
    // filled in by hand.
    let blank_work = [WorkRow::default(), WorkRow::default()];
    let work: &[WorkRow] = if form.work_history.is_empty() {
        &blank_work
    } else {
        &form.work_history
    };
    row(
        m,
        &[
            label_rows(l::WORK_CONDITION, work.len() + 2),
            label_rows(l::RESUME, work.len() + 1),
            format!("table.cell(colspan: 2, {})", label(l::PERIOD)),
            format!("table.cell(colspan: 2, {})", label(l::WORK_EMPLOYER)),
            label(l::POST),
            label(l::REFEREE),
            label(l::PHONE),
        ],
    );
    for w in work {
        row(
            m,
            &[
                value(&w.period, 2),
                value(&w.employer, 2),
                value(&w.post, 1),
                value(&w.referee, 1),
                value(&w.referee_phone, 1),
            ],
        );
    }
    row(m, &[label(l::TOTAL), value_left(&form.work_total, 7)]);
}

fn closing(m: &mut String, form: &RegistrationForm) {
    let mut commitment = inline(l::COMMITMENT_LEAD);
    for (i, paragraph) in form.commitment.iter().enumerate() {
        let _ = write!(
            commitment,
            " {}",
            inline(&format!("{}、{paragraph}", i + 1))
        );
    }
    let _ = writeln!(
        m,
        "  table.cell(rowspan: 1, lb({})), table.cell(colspan: 8, align: left + top, inset: (x: 5pt, y: 6pt))[{commitment}#v(5mm)#align(right)[{sign}#blank(28mm)#h(2em){date}]],",
        string(l::COMMITMENT),
        sign = inline(l::SIGNATURE),
        date = inline(l::DATE_BLANK),
    );
    let _ = writeln!(
        m,
        "  lb({}), table.cell(colspan: 8, align: left + bottom, inset: (x: 5pt, y: 6pt))[#v(16mm)#align(right)[{reviewer}#blank(28mm)#h(2em){date}]],",
        string(l::REVIEW),
        reviewer = inline(l::REVIEWER),
        date = inline(l::DATE_BLANK),
    );
    let _ = writeln!(
        m,
        "  table.cell(colspan: 9, align: left + top, inset: (x: 5pt, y: 6pt))[#par(leading: 1.1em, {score})#v(3mm)#align(right)[{seal}#h(4em){date}]],",
        score = string(l::SCORE),
        seal = inline(l::SEAL),
        date = inline(l::DATE_BLANK),
    );
}
