//! Dynamic management after recognition (第四章): the pure rules.
//!
//! - **Validity** (第十五条 "集群有效期为三年。有效期满后，由工业和信息化部组织开展复核工作，
//!   并考核集群三年发展规划目标完成情况，复核通过的有效期延长三年").
//! - **Annual reports** (第十六条 "组织集群于每年4月30日前填报集群上一年度有关工作开展情况"): a
//!   report for every calendar year of validity, due on the batch's `annual_report_due` day of
//!   the following year; reminders 30, 7 and 1 days before; overdue the day after.
//! - **Revocation** (第十七条): five grounds R1–R5, decided by the ministry on a case.
//! - **Re-examination**: targets scored achieved / partly / not achieved, and the current
//!   edition re-run.
//!
//! Nothing here reads a clock: every function takes the China calendar date it reasons about.

use crate::criteria::InputError;
use crate::criteria::VetoRule;
use crate::declaration::{Declaration, IncidentKind, IncidentLevel};
use chrono::{Datelike, Months, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;
use std::str::FromStr;

/// Days before the due date on which a reminder goes out (issue 5: 30, 7 and 1 days).
pub const REMINDER_DAYS: [i64; 3] = [30, 7, 1];

/// Default length of the re-examination window before `valid_until`, in months.
pub const DEFAULT_REEXAM_WINDOW_MONTHS: u32 = 6;

/// Longest free text (work done, problems, measures, reasons) in characters.
pub const MAX_TEXT_CHARS: usize = 20_000;

/// Parses the batch parameter `annual_report_due` ("MM-DD", e.g. "04-30") into (month, day).
pub fn parse_due_mmdd(s: &str) -> Option<(u32, u32)> {
    let (m, d) = s.trim().split_once('-')?;
    let (m, d): (u32, u32) = (m.parse().ok()?, d.parse().ok()?);
    // Checked against a leap year so that 02-29 is accepted as a parameter.
    NaiveDate::from_ymd_opt(2024, m, d).map(|_| (m, d))
}

/// The due date of the report for `year`: the `MM-DD` of year + 1 (第十六条: 4月30日;
/// 29 February falls back to 28 February in a common year).
pub fn report_due(year: i32, due_mmdd: &str) -> Option<NaiveDate> {
    let (m, d) = parse_due_mmdd(due_mmdd)?;
    NaiveDate::from_ymd_opt(year + 1, m, d).or_else(|| NaiveDate::from_ymd_opt(year + 1, m, d - 1))
}

/// The years a recognition valid over `[from, until]` reports on: every calendar year from
/// the year of recognition to the year before `until` ("每年…填报上一年度").
pub fn report_years(from: NaiveDate, until: NaiveDate) -> Vec<i32> {
    (from.year()..until.year()).collect()
}

/// A report for `year` can be filed only once the year has ended (China date).
pub fn year_has_ended(year: i32, today: NaiveDate) -> bool {
    today.year() > year
}

/// Where a report stands against its deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deadline {
    /// The year has not ended yet.
    NotYetDue,
    /// Open for filing; `days_left` until the due date (0 on the due date itself).
    Open { days_left: i64 },
    /// Past the due date without a report.
    Overdue { days: i64 },
}

pub fn deadline(year: i32, due: NaiveDate, today: NaiveDate) -> Deadline {
    if !year_has_ended(year, today) {
        return Deadline::NotYetDue;
    }
    let left = (due - today).num_days();
    if left >= 0 {
        Deadline::Open { days_left: left }
    } else {
        Deadline::Overdue { days: -left }
    }
}

/// The reminder that is due on `today` for a report due on `due`: the smallest offset in
/// [`REMINDER_DAYS`] whose day has come (so a server that was down sends the latest reminder
/// once, not a burst of stale ones). `None` before the first reminder day and after the due date.
pub fn reminder_due(due: NaiveDate, today: NaiveDate) -> Option<i64> {
    let left = (due - today).num_days();
    if left < 0 {
        return None;
    }
    REMINDER_DAYS.iter().copied().filter(|&d| left <= d).min()
}

/// The day the re-examination window opens: `months` before `valid_until`.
pub fn reexam_opens(valid_until: NaiveDate, months: u32) -> NaiveDate {
    valid_until
        .checked_sub_months(Months::new(months))
        .unwrap_or(valid_until)
}

/// A re-examination may be started from the window's opening up to and including
/// `valid_until` (第十七条（一）: "有效期满未申请复核" revokes).
pub fn reexam_open(valid_until: NaiveDate, months: u32, today: NaiveDate) -> bool {
    today >= reexam_opens(valid_until, months) && today <= valid_until
}

/// Validity after a passed re-examination: three more years from the day after the old
/// end (第十五条 "复核通过的有效期延长三年").
pub fn extended_until(valid_until: NaiveDate) -> NaiveDate {
    let next = valid_until.succ_opt().unwrap_or(valid_until);
    crate::workflow::valid_until(next)
}

/// The grounds of 第十七条.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Ground {
    R1,
    R2,
    R3,
    R4,
    R5,
}

impl Ground {
    pub const ALL: [Ground; 5] = [Ground::R1, Ground::R2, Ground::R3, Ground::R4, Ground::R5];

    pub fn as_str(self) -> &'static str {
        match self {
            Ground::R1 => "R1",
            Ground::R2 => "R2",
            Ground::R3 => "R3",
            Ground::R4 => "R4",
            Ground::R5 => "R5",
        }
    }

    /// The seed's wording.
    pub fn text_zh(self) -> &'static str {
        match self {
            Ground::R1 => "有效期满未申请复核或经复核未通过",
            Ground::R2 => "发现虚假申报或存在违法违规行为",
            Ground::R3 => "未及时报送集群年度培育情况信息表，不接受、不配合监测监督工作",
            Ground::R4 => "集群发生主导产业、空间范围、运营管理机构变更等重大变动未及时更新报备",
            Ground::R5 => {
                "集群企业发生较大及以上安全、质量和环境污染等事故，重大及以上网络安全事件和数据安全事件，以及偷税漏税、违法违规、严重失信和其它重大问题的行为"
            }
        }
    }

    pub fn article(self) -> &'static str {
        match self {
            Ground::R1 => "第十七条（一）",
            Ground::R2 => "第十七条（二）",
            Ground::R3 => "第十七条（三）",
            Ground::R4 => "第十七条（四）",
            Ground::R5 => "第十七条（五）",
        }
    }
}

impl fmt::Display for Ground {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Ground {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ground::ALL
            .into_iter()
            .find(|g| g.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| format!("撤销情形「{s}」无效，应为 R1–R5（第十七条（一）至（五））"))
    }
}

/// Does an incident meet the veto levels of the edition (SPEC §3 `N.incidents`)? Those open
/// an R5 case candidate.
pub fn incident_is_serious(rule: &VetoRule, kind: IncidentKind, level: IncidentLevel) -> bool {
    rule.min_level.get(&kind).is_some_and(|min| level >= *min)
}

/// The three kinds of major change of 第十七条（四）.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    LeadingIndustry,
    SpatialScope,
    Operator,
}

impl ChangeKind {
    pub const ALL: [ChangeKind; 3] = [
        ChangeKind::LeadingIndustry,
        ChangeKind::SpatialScope,
        ChangeKind::Operator,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::LeadingIndustry => "leading_industry",
            ChangeKind::SpatialScope => "spatial_scope",
            ChangeKind::Operator => "operator",
        }
    }
    pub fn name_zh(self) -> &'static str {
        match self {
            ChangeKind::LeadingIndustry => "主导产业",
            ChangeKind::SpatialScope => "空间范围",
            ChangeKind::Operator => "运营管理机构",
        }
    }
}

impl FromStr for ChangeKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ChangeKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s.trim())
            .ok_or_else(|| {
                format!(
                    "变动类型「{s}」无效，应为 leading_industry（主导产业）、spatial_scope（空间范围）或 operator（运营管理机构）"
                )
            })
    }
}

/// How far a plan target was met (复核: 考核集群三年发展规划目标完成情况).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Achievement {
    Achieved,
    Partly,
    NotAchieved,
}

impl Achievement {
    pub fn as_str(self) -> &'static str {
        match self {
            Achievement::Achieved => "achieved",
            Achievement::Partly => "partly",
            Achievement::NotAchieved => "not_achieved",
        }
    }
    pub fn name_zh(self) -> &'static str {
        match self {
            Achievement::Achieved => "已完成",
            Achievement::Partly => "部分完成",
            Achievement::NotAchieved => "未完成",
        }
    }
    fn parse(s: &str) -> Option<Achievement> {
        match s {
            "achieved" => Some(Achievement::Achieved),
            "partly" => Some(Achievement::Partly),
            "not_achieved" => Some(Achievement::NotAchieved),
            _ => None,
        }
    }
}

/// Progress on one plan target, in an annual report or a re-examination.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    /// Index into `declaration.plan.targets`.
    pub target: usize,
    pub actual: Option<Decimal>,
    pub status: Achievement,
    #[serde(default)]
    pub note: String,
}

/// An annual report (年度培育情况) for `year`: the figures as a declaration whose window ends
/// with `year` (so `batch_year = year + 1`), progress on the plan targets, and the work done.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnnualReport {
    pub year: i32,
    pub declaration: Declaration,
    pub progress: Vec<Progress>,
    pub work_done: String,
    pub problems: String,
    pub measures: String,
}

/// A re-examination form (复核表): each plan target scored with evidence, and the latest
/// figures as a declaration for the current edition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReexamForm {
    pub declaration: Declaration,
    pub progress: Vec<Progress>,
    pub summary: String,
}

fn err(path: &str, zh: String, en: String) -> InputError {
    InputError {
        path: if path.is_empty() {
            "$".into()
        } else {
            path.to_string()
        },
        message: zh,
        message_en: en,
    }
}

fn text_field(
    obj: &serde_json::Map<String, Value>,
    key: &str,
    errs: &mut Vec<InputError>,
) -> String {
    match obj.get(key) {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) if s.chars().count() > MAX_TEXT_CHARS => {
            errs.push(err(
                key,
                format!("不能超过 {MAX_TEXT_CHARS} 字"),
                format!("at most {MAX_TEXT_CHARS} characters"),
            ));
            String::new()
        }
        Some(Value::String(s)) => s.trim().to_string(),
        Some(_) => {
            errs.push(err(key, "应为文字".into(), "must be a string".into()));
            String::new()
        }
    }
}

fn parse_progress(v: Option<&Value>, targets: usize, errs: &mut Vec<InputError>) -> Vec<Progress> {
    let Some(v) = v else {
        return Vec::new();
    };
    let Some(items) = v.as_array() else {
        errs.push(err(
            "progress",
            "应为数组".into(),
            "must be an array".into(),
        ));
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for (i, item) in items.iter().enumerate() {
        let at = format!("progress[{i}]");
        let Some(o) = item.as_object() else {
            errs.push(err(&at, "应为对象".into(), "must be an object".into()));
            continue;
        };
        for k in o.keys() {
            if !matches!(k.as_str(), "target" | "actual" | "status" | "note") {
                errs.push(err(
                    &format!("{at}.{k}"),
                    "不认识的字段".into(),
                    "unknown field".into(),
                ));
            }
        }
        let target = match o.get("target").and_then(Value::as_u64) {
            Some(t) if (t as usize) < targets => t as usize,
            Some(t) => {
                errs.push(err(
                    &format!("{at}.target"),
                    format!("规划目标序号 {t} 不存在（共 {targets} 项，从 0 开始）"),
                    format!("no plan target {t} ({targets} targets, counted from 0)"),
                ));
                continue;
            }
            None => {
                errs.push(err(
                    &format!("{at}.target"),
                    "缺少规划目标序号（非负整数）".into(),
                    "missing target index (non-negative integer)".into(),
                ));
                continue;
            }
        };
        if !seen.insert(target) {
            errs.push(err(
                &format!("{at}.target"),
                format!("规划目标 {target} 重复填写"),
                format!("plan target {target} given twice"),
            ));
        }
        let actual = match o.get("actual") {
            None | Some(Value::Null) => None,
            Some(Value::Number(n)) => match Decimal::from_str(&n.to_string()) {
                Ok(d) => Some(d),
                Err(_) => {
                    errs.push(err(
                        &format!("{at}.actual"),
                        "数值无法识别".into(),
                        "not a decimal number".into(),
                    ));
                    None
                }
            },
            Some(_) => {
                errs.push(err(
                    &format!("{at}.actual"),
                    "应为数字".into(),
                    "must be a number".into(),
                ));
                None
            }
        };
        let status = match o
            .get("status")
            .and_then(Value::as_str)
            .map(Achievement::parse)
        {
            Some(Some(s)) => s,
            _ => {
                errs.push(err(
                    &format!("{at}.status"),
                    "完成情况应为 achieved（已完成）、partly（部分完成）或 not_achieved（未完成）"
                        .into(),
                    "status must be achieved, partly or not_achieved".into(),
                ));
                continue;
            }
        };
        let note = match o.get("note") {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.trim().to_string(),
            Some(_) => {
                errs.push(err(
                    &format!("{at}.note"),
                    "应为文字".into(),
                    "must be a string".into(),
                ));
                String::new()
            }
        };
        out.push(Progress {
            target,
            actual,
            status,
            note,
        });
    }
    out
}

fn parse_embedded_declaration(
    obj: &serde_json::Map<String, Value>,
    errs: &mut Vec<InputError>,
) -> Option<Declaration> {
    match obj.get("declaration") {
        None => {
            errs.push(err(
                "declaration",
                "缺少年度数据（申报数据格式）".into(),
                "missing declaration".into(),
            ));
            None
        }
        Some(d) => match crate::criteria::parse_declaration_value(d) {
            Ok(d) => Some(d),
            Err(list) => {
                errs.extend(list.into_iter().map(|e| InputError {
                    path: if e.path.is_empty() || e.path == "$" {
                        "declaration".into()
                    } else {
                        format!("declaration.{}", e.path)
                    },
                    ..e
                }));
                None
            }
        },
    }
}

fn object<'a>(
    value: &'a Value,
    allowed: &[&str],
    errs: &mut Vec<InputError>,
) -> Option<&'a serde_json::Map<String, Value>> {
    let Some(obj) = value.as_object() else {
        errs.push(err(
            "",
            "应为 JSON 对象".into(),
            "must be a JSON object".into(),
        ));
        return None;
    };
    for k in obj.keys() {
        if !allowed.contains(&k.as_str()) {
            errs.push(err(k, "不认识的字段".into(), "unknown field".into()));
        }
    }
    Some(obj)
}

/// Parses an annual report, listing every problem with its JSON path. `year` must have ended
/// by `today` and the declaration's window must end with it.
pub fn parse_annual_report(
    value: &Value,
    today: NaiveDate,
) -> Result<AnnualReport, Vec<InputError>> {
    let mut errs = Vec::new();
    let Some(obj) = object(
        value,
        &[
            "year",
            "declaration",
            "progress",
            "work_done",
            "problems",
            "measures",
        ],
        &mut errs,
    ) else {
        return Err(errs);
    };
    let year = match obj.get("year").and_then(Value::as_i64) {
        Some(y) if (2000..=2100).contains(&y) => Some(y as i32),
        _ => {
            errs.push(err(
                "year",
                "报告年度应为 2000–2100 之间的整数".into(),
                "year must be an integer between 2000 and 2100".into(),
            ));
            None
        }
    };
    if let Some(y) = year
        && !year_has_ended(y, today)
    {
        errs.push(err(
            "year",
            format!("{y}年度尚未结束，{}年1月1日起才能填报", y + 1),
            format!(
                "the year {y} has not ended; reports open on 1 January {}",
                y + 1
            ),
        ));
    }
    let declaration = parse_embedded_declaration(obj, &mut errs);
    if let (Some(y), Some(d)) = (year, &declaration)
        && d.batch_year != y + 1
    {
        errs.push(err(
            "declaration.batch_year",
            format!(
                "年度报告的数据应截至报告年度：batch_year 应为 {}（数据年份 {}–{}），现为 {}",
                y + 1,
                y - 2,
                y,
                d.batch_year
            ),
            format!("batch_year must be {} for the report of {y}", y + 1),
        ));
    }
    let targets = declaration.as_ref().map_or(0, |d| d.plan.targets.len());
    let progress = parse_progress(obj.get("progress"), targets, &mut errs);
    let work_done = text_field(obj, "work_done", &mut errs);
    let problems = text_field(obj, "problems", &mut errs);
    let measures = text_field(obj, "measures", &mut errs);
    if work_done.is_empty() && errs.iter().all(|e| e.path != "work_done") {
        errs.push(err(
            "work_done",
            "请填写本年度工作开展情况（第十六条）".into(),
            "work done is required".into(),
        ));
    }
    match (year, declaration, errs.is_empty()) {
        (Some(year), Some(declaration), true) => Ok(AnnualReport {
            year,
            declaration,
            progress,
            work_done,
            problems,
            measures,
        }),
        _ => Err(errs),
    }
}

/// Parses a re-examination form: every plan target of the declaration must be scored, a
/// target not achieved needs a note with the evidence or reasons.
pub fn parse_reexam_form(value: &Value) -> Result<ReexamForm, Vec<InputError>> {
    let mut errs = Vec::new();
    let Some(obj) = object(value, &["declaration", "progress", "summary"], &mut errs) else {
        return Err(errs);
    };
    let declaration = parse_embedded_declaration(obj, &mut errs);
    let targets = declaration.as_ref().map_or(0, |d| d.plan.targets.len());
    let progress = parse_progress(obj.get("progress"), targets, &mut errs);
    if declaration.is_some() {
        for t in 0..targets {
            if !progress.iter().any(|p| p.target == t) {
                errs.push(err(
                    "progress",
                    format!("规划目标 {t} 未评分：复核须逐项考核三年发展规划目标（第十五条）"),
                    format!("plan target {t} is not scored"),
                ));
            }
        }
        if targets == 0 {
            errs.push(err(
                "declaration.plan.targets",
                "没有三年发展规划目标，无法考核完成情况（第十五条）".into(),
                "no plan targets to assess".into(),
            ));
        }
    }
    for (i, p) in progress.iter().enumerate() {
        if p.status != Achievement::Achieved && p.note.is_empty() {
            errs.push(err(
                &format!("progress[{i}].note"),
                format!("「{}」的目标须说明原因和佐证", p.status.name_zh()),
                "a target not fully achieved needs a note".into(),
            ));
        }
    }
    let summary = text_field(obj, "summary", &mut errs);
    match (declaration, errs.is_empty()) {
        (Some(declaration), true) => Ok(ReexamForm {
            declaration,
            progress,
            summary,
        }),
        _ => Err(errs),
    }
}

/// Share of plan targets achieved (partly counts half), for the re-examination summary.
pub fn achievement_rate(progress: &[Progress]) -> Option<Decimal> {
    if progress.is_empty() {
        return None;
    }
    let score: Decimal = progress
        .iter()
        .map(|p| match p.status {
            Achievement::Achieved => Decimal::ONE,
            Achievement::Partly => Decimal::new(5, 1),
            Achievement::NotAchieved => Decimal::ZERO,
        })
        .sum();
    Some(score / Decimal::from(progress.len() as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn due_date_is_a_parameter_of_the_batch() {
        assert_eq!(report_due(2024, "04-30"), Some(d(2025, 4, 30)));
        assert_eq!(report_due(2024, "03-31"), Some(d(2025, 3, 31)));
        assert_eq!(report_due(2022, "02-29"), Some(d(2023, 2, 28)));
        assert_eq!(report_due(2023, "02-29"), Some(d(2024, 2, 29)));
        assert_eq!(report_due(2024, "04-31"), None);
        assert_eq!(report_due(2024, "4/30"), None);
    }

    #[test]
    fn report_years_cover_each_year_of_validity() {
        assert_eq!(
            report_years(d(2022, 11, 30), d(2025, 11, 29)),
            vec![2022, 2023, 2024]
        );
        assert_eq!(
            report_years(d(2023, 1, 15), d(2026, 1, 14)),
            vec![2023, 2024, 2025]
        );
    }

    #[test]
    fn deadline_boundaries() {
        let due = d(2025, 4, 30);
        assert_eq!(deadline(2024, due, d(2024, 12, 31)), Deadline::NotYetDue);
        assert_eq!(
            deadline(2024, due, d(2025, 1, 1)),
            Deadline::Open { days_left: 119 }
        );
        assert_eq!(
            deadline(2024, due, d(2025, 4, 30)),
            Deadline::Open { days_left: 0 }
        );
        assert_eq!(
            deadline(2024, due, d(2025, 5, 1)),
            Deadline::Overdue { days: 1 }
        );
    }

    #[test]
    fn reminders_at_30_7_and_1_days() {
        let due = d(2025, 4, 30);
        assert_eq!(reminder_due(due, d(2025, 3, 30)), None); // 31 days before
        assert_eq!(reminder_due(due, d(2025, 3, 31)), Some(30));
        assert_eq!(reminder_due(due, d(2025, 4, 22)), Some(30)); // 8 days before
        assert_eq!(reminder_due(due, d(2025, 4, 23)), Some(7));
        assert_eq!(reminder_due(due, d(2025, 4, 28)), Some(7));
        assert_eq!(reminder_due(due, d(2025, 4, 29)), Some(1));
        assert_eq!(reminder_due(due, d(2025, 4, 30)), Some(1));
        assert_eq!(reminder_due(due, d(2025, 5, 1)), None);
    }

    #[test]
    fn reexam_window_and_extension() {
        let until = d(2025, 11, 29);
        assert_eq!(reexam_opens(until, 6), d(2025, 5, 29));
        assert!(!reexam_open(until, 6, d(2025, 5, 28)));
        assert!(reexam_open(until, 6, d(2025, 5, 29)));
        assert!(reexam_open(until, 6, until));
        assert!(!reexam_open(until, 6, d(2025, 11, 30)));
        assert_eq!(extended_until(until), d(2028, 11, 29));
        // 31 August minus 6 months is the end of February.
        assert_eq!(reexam_opens(d(2026, 8, 31), 6), d(2026, 2, 28));
    }

    #[test]
    fn serious_incidents_follow_the_edition_veto_levels() {
        let edition = crate::criteria::Edition::builtin("2022").unwrap();
        let rule = edition
            .criteria
            .iter()
            .find_map(|c| c.veto.clone())
            .unwrap();
        use IncidentKind::*;
        use IncidentLevel::*;
        assert!(!incident_is_serious(&rule, Safety, General));
        assert!(incident_is_serious(&rule, Safety, Larger));
        assert!(!incident_is_serious(&rule, Cyber, Larger));
        assert!(incident_is_serious(&rule, Cyber, Major));
        assert!(incident_is_serious(&rule, Tax, General));
    }

    #[test]
    fn grounds_parse_and_quote_the_seed() {
        assert_eq!("r3".parse::<Ground>(), Ok(Ground::R3));
        assert!("R6".parse::<Ground>().is_err());
        assert_eq!(Ground::R4.article(), "第十七条（四）");
        assert!(Ground::R3.text_zh().contains("年度培育情况信息表"));
    }

    fn eligible() -> Value {
        let text = include_str!("../../../examples/declaration-eligible.json");
        serde_json::from_str(text).unwrap()
    }

    fn report(year: i64) -> Value {
        let mut decl = eligible();
        decl["batch_year"] = serde_json::json!(year + 1);
        serde_json::json!({
            "year": year, "declaration": decl,
            "progress": [{"target": 0, "actual": 1300, "status": "partly", "note": "研发投入增长"}],
            "work_done": "举办对接会 3 场", "problems": "", "measures": ""
        })
    }

    #[test]
    fn annual_report_parses_when_window_matches() {
        let decl = eligible();
        let batch_year = decl["batch_year"].as_i64().unwrap();
        let r = parse_annual_report(&report(batch_year - 1), d(2030, 1, 1)).unwrap();
        assert_eq!(r.year as i64, batch_year - 1);
        assert_eq!(r.progress[0].status, Achievement::Partly);
    }

    #[test]
    fn annual_report_errors_name_every_path() {
        let decl = eligible();
        let batch_year = decl["batch_year"].as_i64().unwrap();
        let mut v = report(batch_year - 1);
        v["declaration"]["batch_year"] = serde_json::json!(batch_year + 5);
        v["progress"][0]["target"] = serde_json::json!(99);
        v["work_done"] = serde_json::json!("");
        v["extra"] = serde_json::json!(1);
        let errs = parse_annual_report(&v, d(2030, 1, 1)).unwrap_err();
        let paths: Vec<&str> = errs.iter().map(|e| e.path.as_str()).collect();
        for p in ["extra", "progress[0].target", "work_done"] {
            assert!(paths.contains(&p), "{p} missing from {paths:?}");
        }
        // The declaration's own window check reports under declaration.*.
        assert!(
            paths.iter().any(|p| p.starts_with("declaration")),
            "{paths:?}"
        );
    }

    #[test]
    fn annual_report_for_a_year_not_ended_is_refused() {
        let decl = eligible();
        let batch_year = decl["batch_year"].as_i64().unwrap();
        let y = batch_year - 1;
        let errs = parse_annual_report(&report(y), d(y as i32, 12, 31)).unwrap_err();
        assert!(
            errs.iter()
                .any(|e| e.path == "year" && e.message.contains("尚未结束"))
        );
        assert!(parse_annual_report(&report(y), d(y as i32 + 1, 1, 1)).is_ok());
    }

    #[test]
    fn reexam_form_requires_every_target_scored_and_reasons() {
        let decl = eligible();
        let n = decl["plan"]["targets"].as_array().map_or(0, Vec::len);
        assert!(n >= 1, "the example declaration has plan targets");
        let progress: Vec<Value> = (0..n)
            .map(|i| serde_json::json!({"target": i, "status": "achieved"}))
            .collect();
        let ok = serde_json::json!({"declaration": decl, "progress": progress, "summary": "完成"});
        let form = parse_reexam_form(&ok).unwrap();
        assert_eq!(achievement_rate(&form.progress), Some(Decimal::ONE));

        let mut bad = ok.clone();
        bad["progress"][0] = serde_json::json!({"target": 0, "status": "not_achieved"});
        if n > 1 {
            bad["progress"].as_array_mut().unwrap().pop();
        }
        let errs = parse_reexam_form(&bad).unwrap_err();
        assert!(errs.iter().any(|e| e.path == "progress[0].note"));
        if n > 1 {
            assert!(
                errs.iter()
                    .any(|e| e.path == "progress" && e.message.contains("未评分"))
            );
        }
    }
}
