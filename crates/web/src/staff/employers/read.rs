//! Reading an employer file into rows of cells, for `domain::applications::employer_import`
//! to judge. CSV in UTF-8 (with or without BOM) or GB18030 (which includes GBK: Excel in China
//! saves "CSV" in GBK), and XLSX (the first worksheet). An old binary `.xls` is refused with a
//! hint to save it as one of those. What is judged is the content, not the file's name.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

/// The most rows a file may have (a larger registry is imported in parts).
pub const MAX_ROWS: usize = 20_000;

/// An XLSX is a zip: its parts together may inflate to at most this much (a small file that
/// inflates to gigabytes is refused before it is read).
const MAX_INFLATED: u64 = 64 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error("文件是空的")]
    Empty,
    #[error("不支持旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 或 CSV 后再导入")]
    OldExcel,
    #[error("无法识别文件的文字编码，请另存为 UTF-8 或 GBK 编码的 CSV")]
    Encoding,
    #[error("CSV 文件第 {0} 行格式有误（引号未闭合等），请检查后再导入")]
    Csv(u64),
    #[error("无法读取该 Excel 文件，请确认它是 .xlsx 格式且未损坏")]
    Xlsx,
    #[error("Excel 文件中没有工作表")]
    NoSheet,
    #[error("文件超过 {MAX_ROWS} 行，请分成几个文件导入")]
    TooManyRows,
}

impl ReadError {
    pub fn code(&self) -> &'static str {
        match self {
            ReadError::Empty => "import_empty",
            ReadError::OldExcel => "import_xls_unsupported",
            ReadError::Encoding => "import_encoding",
            ReadError::Csv(_) => "import_csv_malformed",
            ReadError::Xlsx => "import_xlsx_unreadable",
            ReadError::NoSheet => "import_no_sheet",
            ReadError::TooManyRows => "import_too_many_rows",
        }
    }
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// The file's rows: the first is its header.
pub fn read_rows(bytes: &[u8]) -> Result<Vec<Vec<String>>, ReadError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ReadError::Empty);
    }
    if bytes.starts_with(OLE_MAGIC) {
        return Err(ReadError::OldExcel);
    }
    let rows = if bytes.starts_with(ZIP_MAGIC) {
        xlsx_rows(bytes)?
    } else {
        csv_rows(&decode_text(bytes)?)?
    };
    if rows.len() > MAX_ROWS + 1 {
        return Err(ReadError::TooManyRows);
    }
    Ok(rows)
}

/// UTF-8 when the bytes are UTF-8 (a BOM is dropped), else GB18030, the superset of GBK and
/// GB2312. Text that is neither is refused rather than read with replacement characters.
pub fn decode_text(bytes: &[u8]) -> Result<String, ReadError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(text.to_owned());
    }
    let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
    if had_errors {
        return Err(ReadError::Encoding);
    }
    Ok(text.into_owned())
}

fn csv_rows(text: &str) -> Result<Vec<Vec<String>>, ReadError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            ReadError::Csv(e.position().map_or(rows.len() as u64 + 1, |p| p.line()))
        })?;
        rows.push(record.iter().map(str::to_owned).collect());
        if rows.len() > MAX_ROWS + 1 {
            return Err(ReadError::TooManyRows);
        }
    }
    Ok(rows)
}

fn xlsx_rows(bytes: &[u8]) -> Result<Vec<Vec<String>>, ReadError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| ReadError::Xlsx)?;
    let mut inflated: u64 = 0;
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(|_| ReadError::Xlsx)?;
        inflated = inflated.saturating_add(entry.size());
    }
    if inflated > MAX_INFLATED {
        return Err(ReadError::Xlsx);
    }
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|_| ReadError::Xlsx)?;
    let range = workbook
        .worksheet_range_at(0)
        .ok_or(ReadError::NoSheet)?
        .map_err(|_| ReadError::Xlsx)?;
    if range.height() > MAX_ROWS + 1 {
        return Err(ReadError::TooManyRows);
    }
    // Rows keep their spreadsheet numbers: leading empty rows stay, as empty rows.
    let first_row = range.start().map_or(0, |(r, _)| r as usize);
    let first_col = range.start().map_or(0, |(_, c)| c as usize);
    let mut rows: Vec<Vec<String>> = vec![Vec::new(); first_row];
    for row in range.rows() {
        let mut cells = vec![String::new(); first_col];
        cells.extend(row.iter().map(cell_text));
        rows.push(cells);
    }
    Ok(rows)
}

/// A cell as text: whole numbers without ".0" (a credit code typed as a number, a year), dates
/// as 2015-03-01.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => if *b { "是" } else { "否" }.to_owned(),
        Data::DateTime(d) => {
            let (y, m, day, ..) = d.to_ymd_hms_milli();
            format!("{y:04}-{m:02}-{day:02}")
        }
        Data::Error(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_or_without_bom_and_gbk_read_the_same() {
        let text = "单位名称,统一社会信用代码\n广西云商电子商务有限公司,\n";
        let plain = read_rows(text.as_bytes()).unwrap();
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(text.as_bytes());
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        assert_eq!(read_rows(&bom).unwrap(), plain);
        assert_eq!(read_rows(&gbk).unwrap(), plain);
        assert_eq!(plain[1][0], "广西云商电子商务有限公司");
    }

    #[test]
    fn quoted_fields_may_hold_commas() {
        let rows = read_rows("name,uscc\n\"甲,乙公司\",\n".as_bytes()).unwrap();
        assert_eq!(rows[1], ["甲,乙公司", ""]);
    }

    #[test]
    fn bytes_that_are_no_text_are_refused_not_guessed() {
        assert_eq!(
            read_rows(&[0xFF, 0xFF, 0x00, 0x81]),
            Err(ReadError::Encoding)
        );
        assert_eq!(read_rows(b"  \n"), Err(ReadError::Empty));
        let mut xls = OLE_MAGIC.to_vec();
        xls.extend_from_slice(&[0; 64]);
        assert_eq!(read_rows(&xls), Err(ReadError::OldExcel));
        assert_eq!(read_rows(b"PK\x03\x04broken"), Err(ReadError::Xlsx));
    }

    #[test]
    fn too_many_rows_are_refused() {
        let text = "name\n".to_owned() + &"甲\n".repeat(MAX_ROWS + 1);
        assert_eq!(read_rows(text.as_bytes()), Err(ReadError::TooManyRows));
    }

    #[test]
    fn cells_read_as_people_typed_them() {
        assert_eq!(cell_text(&Data::Float(2015.0)), "2015");
        assert_eq!(cell_text(&Data::Float(1.5)), "1.5");
        assert_eq!(cell_text(&Data::Int(7)), "7");
        assert_eq!(cell_text(&Data::Empty), "");
    }
}
