//! Opening an upload: what kind of file it is, whether it is within the limits, and the
//! cells of the sheets we need, as [`Val`]s. Formulas without a cached result are refused
//! here (the importer never evaluates formulas).

use crate::cells::{Val, date_to_serial};
use crate::{CellError, MAX_BYTES, MAX_ROWS, MAX_UNPACKED_BYTES, column_letter};
use calamine::{DataRef, Reader, Xlsx};
use std::io::Cursor;

/// Rows above the data a sheet may have (title, header, examples, notes).
const HEADER_ALLOWANCE: u32 = 40;
/// Columns read from a sheet; cells beyond are ignored.
const MAX_COLS: u32 = 200;

/// The sheets of a workbook that the importer asked for.
pub(crate) struct Book {
    sheets: Vec<Sheet>,
}

impl Book {
    pub fn get(&self, name: &str) -> Option<&Sheet> {
        self.sheets.iter().find(|s| s.name == name)
    }
}

/// One sheet's cells, dense by row (0-based) and column.
pub(crate) struct Sheet {
    pub name: &'static str,
    pub rows: Vec<Vec<Val>>,
}

static EMPTY: Val = Val::Empty;

impl Sheet {
    pub fn cell(&self, row: u32, col: u32) -> &Val {
        self.rows
            .get(row as usize)
            .and_then(|r| r.get(col as usize))
            .unwrap_or(&EMPTY)
    }
}

const XLS_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Opens an xlsx upload and reads the wanted sheets (`(name, required)`).
pub(crate) fn open(bytes: &[u8], wanted: &[(&'static str, bool)]) -> Result<Book, Vec<CellError>> {
    sniff(bytes).map_err(|e| vec![*e])?;
    let mut wb = Xlsx::new(Cursor::new(bytes)).map_err(|e| {
        vec![CellError::file(format!(
            "无法读取该 xlsx 工作簿（文件可能已损坏）：{e}。请在 Excel/WPS 中打开后另存为 .xlsx 再上传"
        ))]
    })?;
    let names = wb.sheet_names();
    let mut errors = Vec::new();
    let mut sheets = Vec::new();
    for &(name, required) in wanted {
        let Some(actual) = names.iter().find(|n| n.trim() == name) else {
            if required {
                errors.push(CellError::sheet(
                    name,
                    format!(
                        "缺少工作表「{name}」（文件中的工作表：{}）；请使用本系统导出的模板，不要修改工作表名称",
                        names
                            .iter()
                            .map(|n| format!("「{n}」"))
                            .collect::<Vec<_>>()
                            .join("")
                    ),
                ));
            }
            continue;
        };
        let actual = actual.clone();
        match read_sheet(&mut wb, &actual, name) {
            Ok(sheet) => {
                errors.extend(missing_results(&mut wb, &actual, &sheet));
                sheets.push(sheet);
            }
            Err(e) => errors.push(*e),
        }
    }
    if errors.is_empty() {
        Ok(Book { sheets })
    } else {
        Err(errors)
    }
}

/// Refuses what is not an xlsx workbook, with the reason a user can act on.
fn sniff(bytes: &[u8]) -> Result<(), Box<CellError>> {
    if bytes.len() > MAX_BYTES {
        return Err(Box::new(CellError::file(format!(
            "文件大小 {:.1} MB，超过上限 {} MB；请删除多余的工作表、图片或空行，或分批导入",
            bytes.len() as f64 / (1024.0 * 1024.0),
            MAX_BYTES / (1024 * 1024)
        ))));
    }
    if bytes.is_empty() {
        return Err(Box::new(CellError::file(
            "文件是空的（0 字节）；请重新选择 .xlsx 文件",
        )));
    }
    if bytes.starts_with(&XLS_MAGIC) {
        return Err(Box::new(CellError::file(
            "这是旧版 Excel 97-2003（.xls）或 WPS（.et）格式的文件，或设置了打开密码；请在 Excel/WPS 中「另存为」Excel 工作簿（.xlsx）、取消密码后再上传",
        )));
    }
    if !bytes.starts_with(b"PK\x03\x04") {
        // Text, possibly cut inside a multi-byte character at the end of the sample, or
        // UTF-16 (Excel's "Unicode text").
        let text = match std::str::from_utf8(&bytes[..bytes.len().min(4096)]) {
            Ok(_) => true,
            Err(e) => e.error_len().is_none(),
        } || bytes.starts_with(&[0xFF, 0xFE])
            || bytes.starts_with(&[0xFE, 0xFF]);
        return Err(Box::new(CellError::file(if text {
            "不是 xlsx 文件：内容是纯文本（如 CSV），可能只是改了扩展名；请在 Excel/WPS 中打开后「另存为」Excel 工作簿（.xlsx）"
        } else {
            "不是 xlsx 文件（无法识别的文件格式）；请上传用 Excel 或 WPS 保存的 .xlsx 文件"
        })));
    }
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| {
        CellError::file(
            "文件已损坏：不是完整的 xlsx 压缩包（可能下载或复制不完整）；请重新保存后上传",
        )
    })?;
    let mut unpacked: u64 = 0;
    let mut has_workbook = false;
    for i in 0..zip.len() {
        let Ok(entry) = zip.by_index_raw(i) else {
            return Err(Box::new(CellError::file(
                "文件已损坏：压缩包内容无法读取；请重新保存后上传",
            )));
        };
        unpacked = unpacked.saturating_add(entry.size());
        if entry.name().is_ok_and(|n| n == "xl/workbook.xml") {
            has_workbook = true;
        }
    }
    if !has_workbook {
        return Err(Box::new(CellError::file(
            "这是一个 zip 压缩包，但不是 xlsx 工作簿（缺少 xl/workbook.xml）；请上传 Excel/WPS 保存的 .xlsx 文件",
        )));
    }
    if unpacked > MAX_UNPACKED_BYTES {
        return Err(Box::new(CellError::file(format!(
            "工作簿解压后超过 {} MB，超出上限；请删除多余内容或分批导入",
            MAX_UNPACKED_BYTES / (1024 * 1024)
        ))));
    }
    Ok(())
}

fn val(d: &DataRef<'_>) -> Val {
    match d {
        DataRef::Empty => Val::Empty,
        DataRef::String(s) => Val::Text(s.clone()),
        DataRef::SharedString(s) => Val::Text((*s).to_string()),
        DataRef::Float(f) => Val::Num(*f),
        DataRef::Int(i) => Val::Num(*i as f64),
        DataRef::Bool(b) => Val::Bool(*b),
        DataRef::DateTime(dt) if dt.is_duration() => Val::Num(dt.as_f64()),
        DataRef::DateTime(dt) => {
            // Through calendar components, so that workbooks in the 1904 date system
            // give the same dates.
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            chrono::NaiveDate::from_ymd_opt(i32::from(y), u32::from(m), u32::from(d))
                .map_or(Val::Date(dt.as_f64()), |date| {
                    Val::Date(date_to_serial(date))
                })
        }
        DataRef::DateTimeIso(s) => Val::IsoDate(s.clone()),
        DataRef::DurationIso(s) => Val::Text(s.clone()),
        DataRef::Error(e) => Val::Error(e.to_string()),
    }
}

/// Streams a sheet's cells, stopping as soon as it is too long.
fn read_sheet(
    wb: &mut Xlsx<Cursor<&[u8]>>,
    actual: &str,
    name: &'static str,
) -> Result<Sheet, Box<CellError>> {
    let unreadable =
        |e: &dyn std::fmt::Display| CellError::sheet(name, format!("工作表无法读取：{e}"));
    let mut reader = wb
        .worksheet_cells_reader(actual)
        .map_err(|e| unreadable(&e))?;
    let mut rows: Vec<Vec<Val>> = Vec::new();
    let limit = MAX_ROWS + HEADER_ALLOWANCE;
    loop {
        let cell = match reader.next_cell() {
            Ok(Some(c)) => c,
            Ok(None) => break,
            Err(e) => return Err(Box::new(unreadable(&e))),
        };
        let (r, c) = cell.get_position();
        let v = val(cell.get_value());
        if v.is_blank() || c >= MAX_COLS {
            continue;
        }
        if r >= limit {
            return Err(Box::new(CellError {
                row: Some(r + 1),
                ..CellError::sheet(
                    name,
                    format!(
                        "数据超过 {MAX_ROWS} 行的上限（第{}行仍有内容）；请分批导入，或删除表格下方多余的内容",
                        r + 1
                    ),
                )
            }));
        }
        let (r, c) = (r as usize, c as usize);
        if rows.len() <= r {
            rows.resize_with(r + 1, Vec::new);
        }
        let row = &mut rows[r];
        if row.len() <= c {
            row.resize(c + 1, Val::Empty);
        }
        row[c] = v;
    }
    Ok(Sheet { name, rows })
}

/// Formula cells whose cached result is missing (a file written by a program that does
/// not calculate, never opened in Excel): their value is unknown.
fn missing_results(wb: &mut Xlsx<Cursor<&[u8]>>, actual: &str, sheet: &Sheet) -> Vec<CellError> {
    let Ok(formulas) = wb.worksheet_formula(actual) else {
        return Vec::new();
    };
    let Some((r0, c0)) = formulas.start() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (dr, dc, f) in formulas.used_cells() {
        if f.trim().is_empty() {
            continue;
        }
        let (r, c) = (r0 + dr as u32, c0 + dc as u32);
        if matches!(sheet.cell(r, c), Val::Empty) {
            out.push(CellError {
                sheet: Some(sheet.name.to_string()),
                row: Some(r + 1),
                column: Some(column_letter(c)),
                field: None,
                value: Some(format!("={f}")),
                message: "公式没有计算结果（缓存值缺失）；请在 Excel/WPS 中打开该文件、保存后再上传，或把公式改为数值".into(),
            });
        }
    }
    out
}
