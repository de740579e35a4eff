//! jiqun-xlsx: Excel workbooks for the people who live in Excel and WPS (SPEC §7: "Excel
//! templates with dropdowns and an instruction sheet; uploads answer with errors by sheet,
//! row and column, in Chinese").
//!
//! * [`export_template`]: an empty template (declaration or annual report) with an
//!   instruction sheet, units in the headers, dropdowns, frozen header rows and grey example
//!   rows that the importer ignores.
//! * [`export_declaration`] / [`import_declaration`]: a declaration (SPEC §3 "Declaration
//!   format") to a filled workbook and back; the import gives exactly the declaration the
//!   JSON form gives, or every problem at once, each located by sheet, row and column.
//! * [`export_annual`] / [`import_annual`]: the annual report (年度培育情况报告, 第十六条).
//!
//! Bytes in, bytes out: no files, no database, no clock.

mod annual;
pub mod cells;
mod import;
mod read;
pub mod schema;
mod write;

use serde::Serialize;
use std::fmt;

pub use annual::{export_annual, export_annual_template, import_annual};
pub use import::import_declaration;
pub use write::{export_declaration, export_template};

/// Largest workbook accepted, in bytes (20 MB).
pub const MAX_BYTES: usize = 20 * 1024 * 1024;
/// Largest total size of the workbook's parts once unpacked (guards against zip bombs).
pub const MAX_UNPACKED_BYTES: u64 = 400 * 1024 * 1024;
/// Most data rows read from one sheet (below the header).
pub const MAX_ROWS: u32 = 100_000;

/// Which workbook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TemplateKind {
    /// 申报书 (认定申报).
    #[default]
    Declaration,
    /// 年度培育情况报告 (第十六条).
    Annual,
}

/// One problem of an uploaded workbook, located as a user finds it in Excel.
///
/// Displayed as `企业名录 第12行 C列「统一社会信用代码」（填写值「9133」）：统一社会信用代码应为18位，实为4位`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CellError {
    /// Sheet name; `None` for a problem of the whole file.
    pub sheet: Option<String>,
    /// Row number as Excel shows it (1-based).
    pub row: Option<u32>,
    /// Column letter as Excel shows it ("C").
    pub column: Option<String>,
    /// The column header or field label ("统一社会信用代码").
    pub field: Option<String>,
    /// The cell's content as read.
    pub value: Option<String>,
    /// What is wrong and what to do, in Chinese.
    pub message: String,
}

impl CellError {
    /// A problem of the whole file.
    pub fn file(message: impl Into<String>) -> Self {
        CellError {
            sheet: None,
            row: None,
            column: None,
            field: None,
            value: None,
            message: message.into(),
        }
    }

    /// A problem of a sheet (no particular cell).
    pub fn sheet(sheet: &str, message: impl Into<String>) -> Self {
        CellError {
            sheet: Some(sheet.to_string()),
            ..CellError::file(message)
        }
    }
}

impl fmt::Display for CellError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut place = String::new();
        if let Some(s) = &self.sheet {
            place.push_str(s);
        }
        if let Some(r) = self.row {
            place.push_str(&format!(" 第{r}行"));
        }
        if let Some(c) = &self.column {
            place.push_str(&format!(" {c}列"));
        }
        if let Some(h) = &self.field {
            if self.column.is_none() && self.row.is_none() {
                place.push(' ');
            }
            place.push_str(&format!("「{h}」"));
        }
        if let Some(v) = self.value.as_deref().filter(|v| !v.is_empty()) {
            let shown: String = v.chars().take(40).collect();
            let more = if v.chars().count() > 40 { "…" } else { "" };
            place.push_str(&format!("（填写值「{shown}{more}」）"));
        }
        if place.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{place}：{}", self.message)
        }
    }
}

/// Excel's column letters: 0 → "A", 25 → "Z", 26 → "AA".
pub fn column_letter(col: u32) -> String {
    let mut n = col as u64 + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        out.push(char::from(b'A' + rem));
        n = (n - 1) / 26;
    }
    out.iter().rev().collect()
}

/// Why a workbook could not be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportError {
    /// The input (a declaration or an annual report as JSON) is not valid; each entry is
    /// "path：message".
    Invalid(Vec<String>),
    /// The xlsx writer failed.
    Xlsx(String),
}

impl fmt::Display for ExportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExportError::Invalid(errs) => {
                write!(f, "数据无效（{} 处问题）：{}", errs.len(), errs.join("；"))
            }
            ExportError::Xlsx(e) => write!(f, "生成 Excel 文件失败：{e}"),
        }
    }
}

impl std::error::Error for ExportError {}

impl From<rust_xlsxwriter::XlsxError> for ExportError {
    fn from(e: rust_xlsxwriter::XlsxError) -> Self {
        ExportError::Xlsx(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(2), "C");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }

    #[test]
    fn errors_read_like_a_person_wrote_them() {
        let e = CellError {
            sheet: Some("企业名录".into()),
            row: Some(12),
            column: Some("C".into()),
            field: Some("统一社会信用代码".into()),
            value: Some("9133".into()),
            message: "统一社会信用代码应为18位，实为4位".into(),
        };
        assert_eq!(
            e.to_string(),
            "企业名录 第12行 C列「统一社会信用代码」（填写值「9133」）：统一社会信用代码应为18位，实为4位"
        );
        assert_eq!(
            CellError::file("不是 xlsx 文件").to_string(),
            "不是 xlsx 文件"
        );
        assert_eq!(
            CellError::sheet("企业名录", "缺少列「企业名称」").to_string(),
            "企业名录：缺少列「企业名称」"
        );
    }
}
