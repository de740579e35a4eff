//! Workbook → declaration JSON → [`Declaration`].
//!
//! The cells are read into the declaration JSON of SPEC §3 (a `serde_json::Value`) while
//! recording, for each JSON path, the cell it came from. Cell-level problems (a USCC that
//! is not 18 characters, text in a number cell, an unknown dropdown value) are found here;
//! the rest (missing window years, a figure year not among the data years, an empty
//! required field…) by `jiqun_domain::criteria::parse_declaration_value`, whose JSON-path
//! errors are mapped back to their cells. So the workbook accepts exactly what the JSON
//! form accepts, and the user gets every problem at once, by sheet, row and column.

use crate::cells::{self, Val};
use crate::read::{self, Book, Sheet};
use crate::schema::{
    self, ATTESTATIONS, BATCH_YEAR, CLUSTER_FIELDS, Column, EXAMPLE_MARK, FIGURE_COLUMNS, FIGURES,
    Field, INCIDENTS, Kind, ROSTER, SHARING_ITEMS, TARGETS, TITLE_ROWS, TOTALS, Table,
    normalize_label,
};
use crate::{CellError, column_letter};
use jiqun_domain::criteria::parse_declaration_value;
use jiqun_domain::declaration::Declaration;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde_json::{Map, Number, Value};
use std::collections::{HashMap, HashSet};

/// Most problems listed for one upload; the rest are counted.
pub const MAX_ERRORS: usize = 500;

/// Rows above the header that may hold titles or notes.
const HEADER_SEARCH_ROWS: u32 = 30;

/// Sheets of the declaration workbook, in the order errors are listed; `true` = required.
pub(crate) const DECLARATION_SHEETS: [(&str, bool); 8] = [
    (schema::SHEET_CLUSTER, true),
    (schema::SHEET_ROSTER, true),
    (schema::SHEET_FIGURES, true),
    (schema::SHEET_TITLES, false),
    (schema::SHEET_TARGETS, false),
    (schema::SHEET_INCIDENTS, false),
    (schema::SHEET_TOTALS, false),
    (schema::SHEET_ATTESTATIONS, false),
];

/// Reads a declaration workbook (the template of [`crate::export_template`] filled in, or
/// one written by [`crate::export_declaration`]).
///
/// Returns the same [`Declaration`] as the JSON form would, or every problem found, each
/// located by sheet, row and column, in Chinese.
pub fn import_declaration(bytes: &[u8]) -> Result<Declaration, Vec<CellError>> {
    let book = read::open(bytes, &DECLARATION_SHEETS)?;
    let mut imp = Importer::new(&book, &DECLARATION_SHEETS);
    let mut root = Map::new();
    imp.cluster(&mut root, &BATCH_YEAR);
    let _plan = imp.declaration_tables(&mut root, &TARGETS);
    imp.finish(&Value::Object(root))
}

/// Where a JSON value came from.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Loc {
    pub sheet: &'static str,
    /// 0-based row.
    pub row: u32,
    /// 0-based column; `None` for a whole row.
    pub col: Option<u32>,
    pub field: &'static str,
}

/// The rows of a table sheet below its header.
pub(crate) struct TableRows {
    pub table: &'static Table,
    /// Column of each of the table's columns in the sheet (`None` when absent).
    pub cols: Vec<Option<u32>>,
    /// Data rows (0-based), examples and blank rows left out.
    pub rows: Vec<u32>,
}

pub(crate) struct Importer<'b> {
    book: &'b Book,
    order: &'b [(&'static str, bool)],
    pub errors: Vec<CellError>,
    /// (sheet, row, col) of each cell already reported.
    bad: HashSet<(&'static str, u32, u32)>,
    origins: HashMap<String, Loc>,
}

impl<'b> Importer<'b> {
    pub fn new(book: &'b Book, order: &'b [(&'static str, bool)]) -> Self {
        Importer {
            book,
            order,
            errors: Vec::new(),
            bad: HashSet::new(),
            origins: HashMap::new(),
        }
    }

    fn sheet(&self, name: &str) -> Option<&'b Sheet> {
        self.book.get(name)
    }

    pub fn origin(&mut self, path: String, loc: Loc) {
        self.origins.insert(path, loc);
    }

    /// Reports a problem of one cell.
    pub fn cell_error(&mut self, loc: Loc, message: impl Into<String>) {
        if let Some(c) = loc.col {
            self.bad.insert((loc.sheet, loc.row, c));
        }
        let value = match (self.sheet(loc.sheet), loc.col) {
            (Some(s), Some(c)) => Some(s.cell(loc.row, c).shown()),
            _ => None,
        };
        self.errors.push(CellError {
            sheet: Some(loc.sheet.to_string()),
            row: Some(loc.row + 1),
            column: loc.col.map(column_letter),
            field: Some(loc.field.to_string()),
            value,
            message: message.into(),
        });
    }

    /// Reads one cell as the JSON value of its kind (`None` when blank or wrong; a wrong
    /// value is reported).
    pub fn read(&mut self, loc: Loc, kind: Kind) -> Option<Value> {
        let sheet = self.sheet(loc.sheet)?;
        let col = loc.col?;
        let v = sheet.cell(loc.row, col);
        if v.is_blank() {
            return None;
        }
        let result = convert(v, kind);
        match result {
            Ok(value) => value,
            Err(msg) => {
                self.cell_error(loc, msg);
                None
            }
        }
    }

    // -----------------------------------------------------------------------------------
    // Key–value sheets (集群信息, 工作情况).

    /// Finds each field's row by its label and returns the location of its value cell.
    pub fn fields(&mut self, sheet_name: &'static str, fields: &[Field]) -> Vec<Option<Loc>> {
        let Some(sheet) = self.sheet(sheet_name) else {
            return vec![None; fields.len()];
        };
        let wanted: Vec<String> = fields.iter().map(|f| normalize_label(f.label)).collect();
        let mut found: Vec<Option<Loc>> = vec![None; fields.len()];
        for (r, row) in sheet.rows.iter().enumerate() {
            let Some((c, label)) = row.iter().enumerate().find_map(|(c, v)| match v {
                Val::Text(t) if !cells::trim(t).is_empty() => Some((c, t)),
                _ => None,
            }) else {
                continue;
            };
            let label = normalize_label(label);
            if let Some(i) = wanted.iter().position(|w| *w == label)
                && found[i].is_none()
            {
                found[i] = Some(Loc {
                    sheet: sheet_name,
                    row: r as u32,
                    col: Some(c as u32 + 1),
                    field: fields[i].label,
                });
            }
        }
        let mut missing = Vec::new();
        for (f, loc) in fields.iter().zip(&found) {
            if loc.is_none() && f.required {
                missing.push(format!("「{}」", f.label));
            }
        }
        if !missing.is_empty() {
            self.errors.push(CellError::sheet(
                sheet_name,
                format!(
                    "缺少{}一行（A列填项目名称、B列填内容；请使用本系统导出的模板）",
                    missing.join("")
                ),
            ));
        }
        found
    }

    /// 集群信息 into the declaration root; `year_field` is 认定年度 (a declaration) or
    /// 报告年度 (an annual report: the batch year is the next one). Returns the year read.
    pub fn cluster(&mut self, root: &mut Map<String, Value>, year_field: &Field) -> Option<i32> {
        let mut fields = vec![*year_field];
        fields.extend_from_slice(&CLUSTER_FIELDS);
        let locs = self.fields(schema::SHEET_CLUSTER, &fields);
        let mut year = None;
        for (f, loc) in fields.iter().zip(locs) {
            let Some(loc) = loc else { continue };
            let value = self.read(loc, f.kind);
            if f.key == schema::REPORT_YEAR.key {
                self.origin("batch_year".into(), loc);
                year = value.as_ref().and_then(Value::as_i64);
                if let Some(y) = year {
                    root.insert("batch_year".into(), Value::from(y + 1));
                }
                continue;
            }
            self.origin(f.key.to_string(), loc);
            if f.key == BATCH_YEAR.key {
                year = value.as_ref().and_then(Value::as_i64);
            }
            if let Some(v) = value {
                set_path(root, f.key, v);
            }
        }
        // Present even when empty, so that each missing field is reported at its row.
        root.entry("cluster")
            .or_insert_with(|| Value::Object(Map::new()));
        year.and_then(|y| i32::try_from(y).ok())
    }

    // -----------------------------------------------------------------------------------
    // Table sheets.

    /// Locates the header row and the data rows of a table sheet.
    pub fn table(&mut self, table: &'static Table) -> Option<TableRows> {
        let sheet = self.sheet(table.name)?;
        let wanted: Vec<String> = table
            .columns
            .iter()
            .map(|c| normalize_label(c.label))
            .collect();
        let mut best: Option<(u32, Vec<Option<u32>>, usize)> = None;
        for (r, row) in sheet
            .rows
            .iter()
            .enumerate()
            .take(HEADER_SEARCH_ROWS as usize)
        {
            let mut cols: Vec<Option<u32>> = vec![None; wanted.len()];
            for (c, v) in row.iter().enumerate() {
                let Val::Text(t) = v else { continue };
                let label = normalize_label(t);
                if let Some(i) = wanted.iter().position(|w| *w == label)
                    && cols[i].is_none()
                {
                    cols[i] = Some(c as u32);
                }
            }
            let hits = cols.iter().filter(|c| c.is_some()).count();
            if hits > best.as_ref().map_or(0, |b| b.2) {
                let complete = table
                    .columns
                    .iter()
                    .zip(&cols)
                    .all(|(c, found)| !c.required || found.is_some());
                best = Some((r as u32, cols, hits));
                if complete {
                    break;
                }
            }
        }
        let Some((header, cols, _)) = best else {
            let required: Vec<String> = table
                .columns
                .iter()
                .filter(|c| c.required)
                .map(|c| format!("「{}」", c.label))
                .collect();
            self.errors.push(CellError::sheet(
                table.name,
                format!(
                    "找不到表头行（前{HEADER_SEARCH_ROWS}行中没有{}等列名）；请使用本系统导出的模板",
                    required.join("")
                ),
            ));
            return None;
        };
        let missing: Vec<String> = table
            .columns
            .iter()
            .zip(&cols)
            .filter(|(c, found)| c.required && found.is_none())
            .map(|(c, _)| format!("「{}」", c.label))
            .collect();
        if !missing.is_empty() {
            self.errors.push(CellError {
                row: Some(header + 1),
                ..CellError::sheet(
                    table.name,
                    format!("表头缺少列{}；请不要删除或改名模板中的列", missing.join("")),
                )
            });
            return None;
        }
        let seq = cols.first().copied().flatten();
        let mapped: Vec<u32> = cols
            .iter()
            .zip(table.columns)
            .filter(|(_, c)| c.key != schema::SEQ.key)
            .filter_map(|(c, _)| *c)
            .collect();
        let mut rows = Vec::new();
        for r in header + 1..sheet.rows.len() as u32 {
            if is_example(sheet, r, seq) {
                continue;
            }
            if mapped.iter().all(|&c| sheet.cell(r, c).is_blank()) {
                continue;
            }
            rows.push(r);
        }
        Some(TableRows { table, cols, rows })
    }

    pub fn loc(&self, t: &TableRows, row: u32, key: &str) -> Loc {
        let i = t.table.index_of(key).unwrap_or(0);
        let column: &Column = &t.table.columns[i.min(t.table.columns.len() - 1)];
        Loc {
            sheet: t.table.name,
            row,
            col: t.cols.get(i).copied().flatten(),
            field: column.label,
        }
    }

    /// Reads a column of a row into `obj[key]`, recording `path.key`.
    pub fn put(
        &mut self,
        obj: &mut Map<String, Value>,
        t: &TableRows,
        row: u32,
        key: &'static str,
        path: &str,
    ) -> Option<Value> {
        let i = t.table.index_of(key)?;
        let kind = t.table.columns[i].kind;
        let loc = self.loc(t, row, key);
        self.origin(format!("{path}.{key}"), loc);
        let v = self.read(loc, kind)?;
        obj.insert(key.to_string(), v.clone());
        Some(v)
    }

    /// A required cell of this crate's own (not a JSON field): reported when blank.
    fn required(&mut self, t: &TableRows, row: u32, key: &'static str) -> Option<Value> {
        let i = t.table.index_of(key)?;
        let loc = self.loc(t, row, key);
        let blank = match (self.sheet(loc.sheet), loc.col) {
            (Some(s), Some(c)) => s.cell(row, c).is_blank(),
            _ => true,
        };
        if blank {
            self.cell_error(loc, "必填项未填写");
            return None;
        }
        self.read(loc, t.table.columns[i].kind)
    }

    /// 企业名录, 年度数据, 企业称号, the plan sheet, 风险事件, 集群汇总, 定性说明.
    /// Returns the rows of the plan sheet.
    pub fn declaration_tables(
        &mut self,
        root: &mut Map<String, Value>,
        plan: &'static Table,
    ) -> Option<TableRows> {
        self.enterprises(root);
        let plan = self.targets(root, plan);
        self.incidents(root);
        self.totals(root);
        self.attestations(root);
        plan
    }

    fn enterprises(&mut self, root: &mut Map<String, Value>) {
        let mut list: Vec<Map<String, Value>> = Vec::new();
        // USCC → (index in list, row).
        let mut by_uscc: HashMap<String, (usize, u32)> = HashMap::new();
        let roster = self.table(&ROSTER);
        // Without a readable roster, rows of the other sheets cannot be matched: the
        // roster's problem is the one to report.
        let roster_ok = roster.is_some();
        if let Some(t) = roster {
            for &r in &t.rows {
                let i = list.len();
                let path = format!("enterprises[{i}]");
                let uscc_loc = self.loc(&t, r, "uscc");
                let uscc = match (self.sheet(t.table.name), uscc_loc.col) {
                    (Some(s), Some(c)) => cells::uscc(s.cell(r, c)).ok().flatten(),
                    _ => None,
                };
                if let Some(u) = &uscc
                    && let Some(&(_, first)) = by_uscc.get(u)
                {
                    self.cell_error(
                        uscc_loc,
                        format!(
                            "与第{}行的统一社会信用代码重复；同一企业在企业名录中只填一行（年度数据、企业称号按代码对应）",
                            first + 1
                        ),
                    );
                    continue;
                }
                self.origin(
                    path.clone(),
                    Loc {
                        col: None,
                        ..uscc_loc
                    },
                );
                let mut obj = Map::new();
                for c in t.table.columns {
                    if c.key.starts_with('_') {
                        continue;
                    }
                    self.put(&mut obj, &t, r, c.key, &path);
                }
                if let Some(u) = uscc {
                    by_uscc.insert(u, (i, r));
                }
                list.push(obj);
            }
        }
        let n = list.len();
        let mut figures: Vec<Map<String, Value>> = vec![Map::new(); n];
        let mut titles: Vec<Vec<Value>> = vec![Vec::new(); n];

        if let Some(t) = self.table(&FIGURES) {
            let mut seen: HashMap<(usize, i64), u32> = HashMap::new();
            for &r in &t.rows {
                let uscc = self.required(&t, r, "uscc");
                let year = self.required(&t, r, "_year").and_then(|v| v.as_i64());
                let Some(i) = self.owner(&t, r, uscc.as_ref(), &by_uscc, roster_ok) else {
                    continue;
                };
                let Some(year) = year else { continue };
                let year_loc = self.loc(&t, r, "_year");
                if let Some(first) = seen.insert((i, year), r) {
                    self.cell_error(
                        year_loc,
                        format!("与第{}行重复：同一企业同一年度只填一行", first + 1),
                    );
                    continue;
                }
                let path = format!("enterprises[{i}].figures.{year}");
                self.origin(path.clone(), year_loc);
                let mut obj = Map::new();
                for c in &FIGURE_COLUMNS {
                    self.put(&mut obj, &t, r, c.key, &path);
                }
                figures[i].insert(year.to_string(), Value::Object(obj));
            }
        }

        if let Some(t) = self.table(&TITLE_ROWS) {
            for &r in &t.rows {
                let uscc = self.required(&t, r, "uscc");
                let Some(i) = self.owner(&t, r, uscc.as_ref(), &by_uscc, roster_ok) else {
                    continue;
                };
                let k = titles[i].len();
                let path = format!("enterprises[{i}].titles[{k}]");
                self.origin(
                    path.clone(),
                    Loc {
                        col: None,
                        ..self.loc(&t, r, "kind")
                    },
                );
                let mut obj = Map::new();
                self.put(&mut obj, &t, r, "kind", &path);
                self.put(&mut obj, &t, r, "year", &path);
                titles[i].push(Value::Object(obj));
            }
        }

        let list: Vec<Value> = list
            .into_iter()
            .zip(figures)
            .zip(titles)
            .map(|((mut obj, f), t)| {
                if !f.is_empty() {
                    obj.insert("figures".into(), Value::Object(f));
                }
                if !t.is_empty() {
                    obj.insert("titles".into(), Value::Array(t));
                }
                Value::Object(obj)
            })
            .collect();
        root.insert("enterprises".into(), Value::Array(list));
    }

    /// The roster entry a row of 年度数据 or 企业称号 belongs to.
    fn owner(
        &mut self,
        t: &TableRows,
        row: u32,
        uscc: Option<&Value>,
        by_uscc: &HashMap<String, (usize, u32)>,
        roster_ok: bool,
    ) -> Option<usize> {
        let u = uscc?.as_str()?;
        match by_uscc.get(u) {
            Some(&(i, _)) => Some(i),
            None if !roster_ok => None,
            None => {
                let loc = self.loc(t, row, "uscc");
                self.cell_error(
                    loc,
                    format!(
                        "「{}」中没有这个统一社会信用代码；请先在「{}」中填写该企业，或核对代码",
                        schema::SHEET_ROSTER,
                        schema::SHEET_ROSTER
                    ),
                );
                None
            }
        }
    }

    fn totals(&mut self, root: &mut Map<String, Value>) {
        let Some(t) = self.table(&TOTALS) else { return };
        let mut out = Map::new();
        let mut seen: HashMap<i64, u32> = HashMap::new();
        for &r in &t.rows {
            let Some(year) = self.required(&t, r, "_year").and_then(|v| v.as_i64()) else {
                continue;
            };
            let year_loc = self.loc(&t, r, "_year");
            if let Some(first) = seen.insert(year, r) {
                self.cell_error(
                    year_loc,
                    format!("与第{}行重复：每个年度只填一行", first + 1),
                );
                continue;
            }
            let path = format!("totals.{year}");
            self.origin(path.clone(), year_loc);
            let mut obj = Map::new();
            for c in &FIGURE_COLUMNS {
                self.put(&mut obj, &t, r, c.key, &path);
            }
            out.insert(year.to_string(), Value::Object(obj));
        }
        if !out.is_empty() {
            root.insert("totals".into(), Value::Object(out));
        }
    }

    fn incidents(&mut self, root: &mut Map<String, Value>) {
        let Some(t) = self.table(&INCIDENTS) else {
            return;
        };
        let mut out = Vec::new();
        for &r in &t.rows {
            let path = format!("incidents[{}]", out.len());
            self.origin(
                path.clone(),
                Loc {
                    col: None,
                    ..self.loc(&t, r, "date")
                },
            );
            let mut obj = Map::new();
            for c in t.table.columns {
                if c.key != schema::SEQ.key {
                    self.put(&mut obj, &t, r, c.key, &path);
                }
            }
            out.push(Value::Object(obj));
        }
        if !out.is_empty() {
            root.insert("incidents".into(), Value::Array(out));
        }
    }

    fn attestations(&mut self, root: &mut Map<String, Value>) {
        let Some(t) = self.table(&ATTESTATIONS) else {
            return;
        };
        let mut out = Map::new();
        for &r in &t.rows {
            let Some(key) = self.required(&t, r, "_key") else {
                continue;
            };
            let Some(key) = key.as_str().map(str::to_string) else {
                continue;
            };
            let item_loc = self.loc(&t, r, "_item");
            let kind = if key == "supply_chain_sharing" {
                Kind::Choice(&SHARING_ITEMS)
            } else {
                Kind::Text
            };
            let list = out
                .entry(key.clone())
                .or_insert_with(|| Value::Array(Vec::new()));
            let Value::Array(items) = list else { continue };
            let j = items.len();
            let blank = self
                .sheet(t.table.name)
                .zip(item_loc.col)
                .is_none_or(|(s, c)| s.cell(r, c).is_blank());
            if blank {
                self.cell_error(item_loc, "必填项未填写");
                continue;
            }
            let value = self.read(item_loc, kind);
            let key_loc = self.loc(&t, r, "_key");
            self.origins
                .entry(format!("attestations.{key}"))
                .or_insert(key_loc);
            self.origins
                .insert(format!("attestations.{key}[{j}]"), item_loc);
            if let Some(v) = value
                && let Some(Value::Array(items)) = out.get_mut(&key)
            {
                items.push(v);
            }
        }
        if !out.is_empty() {
            root.insert("attestations".into(), Value::Object(out));
        }
    }

    /// 规划目标 (or 目标进展 of an annual report): `plan.targets`, one per row, in order.
    fn targets(
        &mut self,
        root: &mut Map<String, Value>,
        table: &'static Table,
    ) -> Option<TableRows> {
        let t = self.table(table)?;
        let mut out = Vec::new();
        for &r in &t.rows {
            let path = format!("plan.targets[{}]", out.len());
            self.origin(
                path.clone(),
                Loc {
                    col: None,
                    ..self.loc(&t, r, "area")
                },
            );
            let mut obj = Map::new();
            for key in ["area", "metric", "baseline", "target", "year"] {
                self.put(&mut obj, &t, r, key, &path);
            }
            out.push(Value::Object(obj));
        }
        if !out.is_empty() {
            let mut plan = Map::new();
            plan.insert("targets".into(), Value::Array(out));
            root.insert("plan".into(), Value::Object(plan));
        }
        Some(t)
    }

    /// Validates the JSON with the declaration parser, maps its errors to cells, and
    /// returns the declaration or every error.
    pub fn finish(mut self, value: &Value) -> Result<Declaration, Vec<CellError>> {
        let parsed = parse_declaration_value(value);
        if let Err(errs) = &parsed {
            for e in errs {
                let message = friendly(&e.message);
                match self.locate(&e.path) {
                    Some(loc) => {
                        if let Some(c) = loc.col
                            && self.bad.contains(&(loc.sheet, loc.row, c))
                        {
                            continue;
                        }
                        self.cell_error(loc, message);
                    }
                    None => self
                        .errors
                        .push(CellError::file(format!("{}：{message}", e.path))),
                }
            }
        }
        match parsed {
            Ok(decl) if self.errors.is_empty() => Ok(decl),
            _ => Err(self.into_errors()),
        }
    }

    /// Errors sorted by sheet (in workbook order), row and column, capped at
    /// [`MAX_ERRORS`].
    pub fn into_errors(self) -> Vec<CellError> {
        let order = self.order;
        let rank = |e: &CellError| {
            let sheet = match &e.sheet {
                None => 0,
                Some(s) => order
                    .iter()
                    .position(|(n, _)| n == s)
                    .map_or(order.len() + 1, |p| p + 1),
            };
            let col = e.column.as_deref().map_or(0, str::len);
            (sheet, e.row.unwrap_or(0), col, e.column.clone())
        };
        let mut errors = self.errors;
        errors.sort_by_key(|e| rank(e));
        cap(errors)
    }

    fn locate(&self, path: &str) -> Option<Loc> {
        let mut p = path;
        loop {
            if let Some(l) = self.origins.get(p) {
                return Some(*l);
            }
            let cut = p.rfind(['.', '['])?;
            p = &p[..cut];
        }
    }
}

/// Keeps the first [`MAX_ERRORS`] and says how many more there were.
pub(crate) fn cap(mut errors: Vec<CellError>) -> Vec<CellError> {
    if errors.len() > MAX_ERRORS {
        let more = errors.len() - MAX_ERRORS;
        errors.truncate(MAX_ERRORS);
        errors.push(CellError::file(format!(
            "另有 {more} 处问题未列出；请先修正以上问题后重新导入"
        )));
    }
    errors
}

/// A declaration-parser message as a spreadsheet user reads it.
fn friendly(message: &str) -> String {
    if message.starts_with("缺少必填字段") || message.starts_with("必填字段不能为 null")
    {
        return "必填项未填写".into();
    }
    if message.starts_with("不能为空字符串") {
        return "不能为空".into();
    }
    message
        .replace(" 不在 years 中", " 不在「集群信息」的「数据年度」中")
        .replace("至少填写一个国民经济行业代码", "至少填写一个行业代码")
}

/// Whether a row is one of the template's example rows (first column 「示例」).
fn is_example(sheet: &Sheet, row: u32, seq: Option<u32>) -> bool {
    let mark = |v: &Val| matches!(v, Val::Text(t) if cells::trim(t) == EXAMPLE_MARK);
    if let Some(c) = seq
        && mark(sheet.cell(row, c))
    {
        return true;
    }
    sheet
        .rows
        .get(row as usize)
        .and_then(|cells| cells.iter().find(|v| !v.is_blank()))
        .is_some_and(mark)
}

/// A cell as the JSON value of its kind.
pub(crate) fn convert(v: &Val, kind: Kind) -> Result<Option<Value>, String> {
    Ok(match kind {
        Kind::Text => cells::text(v)?.map(Value::String),
        Kind::Code => cells::code(v)?.map(Value::String),
        Kind::Uscc => cells::uscc(v)?.map(Value::String),
        Kind::Number => cells::number(v)?.map(json_number),
        Kind::Count => cells::count(v)?.map(json_number),
        Kind::Year => cells::year(v)?.map(Value::from),
        Kind::YesNo => cells::yes_no(v)?.map(Value::Bool),
        Kind::Date => cells::date(v)?.map(Value::String),
        Kind::Choice(ch) => cells::choice(v, ch)?.map(Value::String),
        Kind::CodeList => {
            cells::code_list(v)?.map(|l| Value::Array(l.into_iter().map(Value::String).collect()))
        }
        Kind::YearList => {
            cells::year_list(v)?.map(|l| Value::Array(l.into_iter().map(Value::from).collect()))
        }
    })
}

/// A decimal as a JSON number: integers exactly, others through the binary number whose
/// shortest text is the same digits (they have at most 15 significant digits, see
/// [`cells::EXCEL_DIGITS`]).
pub(crate) fn json_number(d: Decimal) -> Value {
    let d = d.normalize();
    if d.scale() == 0
        && let Some(i) = d.to_i64()
    {
        return Value::from(i);
    }
    match cells::to_f64(d).and_then(Number::from_f64) {
        Some(n) => Value::Number(n),
        None => Value::String(d.to_string()),
    }
}

/// `root["a"]["b"]["c"] = v` for the key "a.b.c", creating objects on the way.
pub(crate) fn set_path(root: &mut Map<String, Value>, key: &str, v: Value) {
    let mut parts = key.split('.').peekable();
    let mut map = root;
    while let Some(part) = parts.next() {
        if parts.peek().is_none() {
            map.insert(part.to_string(), v);
            return;
        }
        let entry = map
            .entry(part.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        if !entry.is_object() {
            *entry = Value::Object(Map::new());
        }
        let Value::Object(next) = entry else { return };
        map = next;
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::str::FromStr;

    #[test]
    fn set_path_builds_objects() {
        let mut m = Map::new();
        set_path(&mut m, "cluster.operator.name", Value::from("管委会"));
        set_path(&mut m, "cluster.name", Value::from("x"));
        set_path(&mut m, "edition", Value::from("2022"));
        assert_eq!(
            Value::Object(m),
            serde_json::json!({"cluster": {"operator": {"name": "管委会"}, "name": "x"}, "edition": "2022"})
        );
    }

    #[test]
    fn json_numbers_are_exact() {
        for s in ["0", "42", "86.5", "0.24", "41.7", "-3", "1000000000000"] {
            let d = Decimal::from_str(s).unwrap();
            let v = json_number(d);
            assert_eq!(Decimal::from_str(&v.to_string()).unwrap(), d, "{s}");
        }
        assert!(json_number(Decimal::from(7)).is_i64());
    }

    #[test]
    fn parser_messages_read_as_spreadsheet_messages() {
        assert_eq!(friendly("缺少必填字段"), "必填项未填写");
        assert!(friendly("年份 2017 不在 years 中（2019、2020、2021）").contains("数据年度"));
    }

    #[test]
    fn too_many_errors_are_counted() {
        let errs: Vec<CellError> = (0..MAX_ERRORS + 7)
            .map(|i| CellError::file(i.to_string()))
            .collect();
        let capped = cap(errs);
        assert_eq!(capped.len(), MAX_ERRORS + 1);
        assert!(capped[MAX_ERRORS].message.contains("另有 7 处"));
    }
}
