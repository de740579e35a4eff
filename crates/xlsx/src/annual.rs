//! The annual report (年度培育情况报告, 第十六条: "集群发展规划执行情况、目标进展、工作经验、
//! 问题与改进措施", filed by 30 April of the next year).
//!
//! Its JSON, which the workbook imports to and exports from:
//!
//! ```json
//! {"year": 2025,
//!  "declaration": {"batch_year": 2026, …},
//!  "progress": [{"target": 0, "actual": 1300, "status": "achieved", "note": "…"}],
//!  "work_done": "…", "problems": "…", "measures": "…"}
//! ```
//!
//! `declaration` is a declaration whose batch year is `year + 1`, so its window is
//! `year − 2 … year`; `target` indexes `declaration.plan.targets`; `status` is one of
//! `achieved`, `partly`, `not_achieved` (已完成/部分完成/未完成).

use crate::import::Importer;
use crate::read;
use crate::schema::{self, CLUSTER_FIELDS, PROGRESS, REPORT_YEAR, STATUSES, WORK_FIELDS};
use crate::write::{
    Out, cluster_values, styles, target_values, write_fields, write_instructions,
    write_shared_tables, write_table, write_tail_tables,
};
use crate::{CellError, ExportError, TemplateKind};
use jiqun_domain::criteria::parse_declaration_value;
use jiqun_domain::declaration::Declaration;
use rust_decimal::Decimal;
use rust_xlsxwriter::Workbook;
use serde_json::{Map, Value};
use std::str::FromStr;

/// Sheets of the annual workbook, in the order errors are listed; `true` = required.
const ANNUAL_SHEETS: [(&str, bool); 9] = [
    (schema::SHEET_CLUSTER, true),
    (schema::SHEET_ROSTER, true),
    (schema::SHEET_FIGURES, true),
    (schema::SHEET_TITLES, false),
    (schema::SHEET_PROGRESS, true),
    (schema::SHEET_WORK, false),
    (schema::SHEET_INCIDENTS, false),
    (schema::SHEET_TOTALS, false),
    (schema::SHEET_ATTESTATIONS, false),
];

/// Progress on one plan target, as read from the report's JSON.
struct Progress {
    actual: Option<Decimal>,
    status: Option<String>,
    note: Option<String>,
}

fn annual_workbook(
    year: Option<i32>,
    d: Option<&Declaration>,
    progress: &[Option<Progress>],
    work: [Out; 3],
) -> Result<Vec<u8>, ExportError> {
    let st = styles();
    let mut wb = Workbook::new();
    write_instructions(&mut wb, &st, TemplateKind::Annual)?;
    let mut fields = vec![REPORT_YEAR];
    fields.extend_from_slice(&CLUSTER_FIELDS);
    let values = d.map(|d| cluster_values(d, year.map_or(Out::Blank, |y| Out::Int(i64::from(y)))));
    write_fields(
        &mut wb,
        &st,
        schema::SHEET_CLUSTER,
        "集群基本信息（年度培育情况报告）",
        &fields,
        values.as_deref(),
        40.0,
    )?;
    write_shared_tables(&mut wb, &st, d)?;
    let rows: Vec<Vec<Out>> = d
        .map(|d| {
            d.plan
                .targets
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    let mut row = target_values(t);
                    match progress.get(i).and_then(Option::as_ref) {
                        Some(p) => {
                            row.push(p.actual.map_or(Out::Blank, Out::Num));
                            row.push(p.status.as_deref().map_or(Out::Blank, |s| {
                                Out::Text(STATUSES.label_of(s).to_string())
                            }));
                            row.push(p.note.clone().map_or(Out::Blank, Out::Text));
                        }
                        None => row.extend([Out::Blank, Out::Blank, Out::Blank]),
                    }
                    row
                })
                .collect()
        })
        .unwrap_or_default();
    write_table(&mut wb, &st, &PROGRESS, &rows, d.is_none())?;
    let work_values = d.map(|_| work);
    write_fields(
        &mut wb,
        &st,
        schema::SHEET_WORK,
        "年度工作情况",
        &WORK_FIELDS,
        work_values.as_ref().map(|w| w.as_slice()),
        80.0,
    )?;
    write_tail_tables(&mut wb, &st, d)?;
    Ok(wb.save_to_buffer()?)
}

/// An empty annual-report workbook.
pub fn export_annual_template() -> Result<Vec<u8>, ExportError> {
    annual_workbook(None, None, &[], [Out::Blank, Out::Blank, Out::Blank])
}

/// A filled annual-report workbook from the report's JSON (see the module doc).
pub fn export_annual(report: &Value) -> Result<Vec<u8>, ExportError> {
    let mut errs = Vec::new();
    let Some(obj) = report.as_object() else {
        return Err(ExportError::Invalid(vec!["$：应为对象".into()]));
    };
    let decl = match obj.get("declaration") {
        Some(v) => match parse_declaration_value(v) {
            Ok(d) => Some(d),
            Err(e) => {
                errs.extend(e.iter().map(|e| format!("declaration.{e}")));
                None
            }
        },
        None => {
            errs.push("declaration：缺少必填字段".into());
            None
        }
    };
    let year = obj
        .get("year")
        .and_then(Value::as_i64)
        .and_then(|y| i32::try_from(y).ok());
    match (year, &decl) {
        (None, _) => errs.push("year：应为年份（整数）".into()),
        (Some(y), Some(d)) if d.batch_year != y + 1 => errs.push(format!(
            "declaration.batch_year：应为报告年度的下一年 {}（数据年度 {}–{}），实为 {}",
            y + 1,
            y - 2,
            y,
            d.batch_year
        )),
        _ => {}
    }
    let n_targets = decl.as_ref().map_or(0, |d| d.plan.targets.len());
    let mut progress: Vec<Option<Progress>> = (0..n_targets).map(|_| None).collect();
    if let Some(list) = obj.get("progress") {
        let Some(list) = list.as_array() else {
            return Err(ExportError::Invalid(vec!["progress：应为数组".into()]));
        };
        for (i, p) in list.iter().enumerate() {
            let at = |k: &str| format!("progress[{i}].{k}");
            let target = p.get("target").and_then(Value::as_u64).map(|t| t as usize);
            let Some(target) = target.filter(|t| *t < n_targets) else {
                errs.push(format!(
                    "{}：应为规划目标的序号（0–{}）",
                    at("target"),
                    n_targets.saturating_sub(1)
                ));
                continue;
            };
            let actual = match p.get("actual") {
                None | Some(Value::Null) => None,
                Some(Value::Number(n)) => match Decimal::from_str(&n.to_string())
                    .or_else(|_| Decimal::from_scientific(&n.to_string()))
                {
                    Ok(d) => Some(d),
                    Err(_) => {
                        errs.push(format!("{}：数值无效", at("actual")));
                        None
                    }
                },
                Some(_) => {
                    errs.push(format!("{}：应为数字", at("actual")));
                    None
                }
            };
            let status = match p.get("status") {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) if STATUSES.options.iter().any(|(_, c)| c == s) => {
                    Some(s.clone())
                }
                Some(_) => {
                    errs.push(format!(
                        "{}：应为 achieved、partly 或 not_achieved",
                        at("status")
                    ));
                    None
                }
            };
            let note = p.get("note").and_then(Value::as_str).map(str::to_string);
            if progress[target].is_some() {
                errs.push(format!("{}：规划目标 {target} 的进展重复", at("target")));
            }
            progress[target] = Some(Progress {
                actual,
                status,
                note,
            });
        }
    }
    if !errs.is_empty() {
        return Err(ExportError::Invalid(errs));
    }
    let text = |k: &str| {
        obj.get(k)
            .and_then(Value::as_str)
            .map_or(Out::Blank, |s| Out::Text(s.to_string()))
    };
    annual_workbook(
        year,
        decl.as_ref(),
        &progress,
        [text("work_done"), text("problems"), text("measures")],
    )
}

/// Reads an annual-report workbook into the report's JSON (see the module doc), or every
/// problem found, located by sheet, row and column.
pub fn import_annual(bytes: &[u8]) -> Result<Value, Vec<CellError>> {
    let book = read::open(bytes, &ANNUAL_SHEETS)?;
    let mut imp = Importer::new(&book, &ANNUAL_SHEETS);
    let mut root = Map::new();
    let year = imp.cluster(&mut root, &REPORT_YEAR);
    let plan = imp.declaration_tables(&mut root, &PROGRESS);

    // 目标进展: the progress columns of each target row.
    let mut progress = Vec::new();
    if let Some(t) = plan {
        for (i, &r) in t.rows.iter().enumerate() {
            let mut p = Map::new();
            let path = format!("progress[{i}]");
            imp.put(&mut p, &t, r, "actual", &path);
            imp.put(&mut p, &t, r, "status", &path);
            imp.put(&mut p, &t, r, "note", &path);
            if !p.is_empty() {
                let mut entry = Map::new();
                entry.insert("target".into(), Value::from(i));
                entry.extend(p);
                progress.push(Value::Object(entry));
            }
        }
    }

    // 工作情况.
    let locs = imp.fields(schema::SHEET_WORK, &WORK_FIELDS);
    let mut work = Map::new();
    for (f, loc) in WORK_FIELDS.iter().zip(locs) {
        let text = loc
            .and_then(|l| imp.read(l, f.kind))
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        work.insert(f.key.to_string(), Value::String(text));
    }

    let decl = imp.finish(&Value::Object(root))?;
    let declaration = jiqun_domain::generate::to_json(&decl)
        .map_err(|e| vec![CellError::file(format!("无法生成报告数据：{e}"))])?;
    let mut out = Map::new();
    out.insert("year".into(), year.map_or(Value::Null, Value::from));
    out.insert("declaration".into(), declaration);
    out.insert("progress".into(), Value::Array(progress));
    out.extend(work);
    Ok(Value::Object(out))
}
