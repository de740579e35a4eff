//! Parsing a declaration (SPEC §3 "Declaration format") from JSON text.
//!
//! The text is read into a `serde_json::Value` and walked by hand, so that **every**
//! problem comes back at once, each with its JSON path (`enterprises[3].figures.2021.employees`)
//! and a Chinese and English message: unknown fields, wrong types, negative amounts,
//! non-integer counts, impossible dates, unknown enum values (with the allowed ones), missing
//! required fields, a `years` list without the three-year window, figures for years not in
//! `years`. Numbers become decimals through their text, never through binary arithmetic.
//! Nothing here panics, whatever the input.

use crate::declaration::{
    Attestations, Benchmarks, ClusterInfo, Declaration, Enterprise, Figures, Incident,
    IncidentKind, IncidentLevel, Operator, Plan, PlanArea, PlanTarget, Size, Title, TitleKind,
};
use crate::money::Wan;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;
use serde_json::{Map, Number, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

/// Years of figures a declaration must contain before its batch year (SPEC §3: "近三年").
pub const WINDOW_YEARS: i32 = 3;
/// Largest amount accepted (万元, tonnes, m³): 10^12 万元 is 10^16 yuan.
const MAX_AMOUNT: i64 = 1_000_000_000_000;
/// Largest count accepted (employees, patents).
const MAX_COUNT: u64 = 1_000_000_000;
const YEAR_RANGE: std::ops::RangeInclusive<i64> = 1900..=2100;

/// One problem of the input, located by its JSON path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InputError {
    /// e.g. "enterprises[3].figures.2021.employees"; "$" is the whole document.
    pub path: String,
    /// Chinese message.
    pub message: String,
    #[serde(skip)]
    pub message_en: String,
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}：{}", self.path, self.message)
    }
}

/// Parse and validate a declaration, reporting every problem.
pub fn parse_declaration(input: &str) -> Result<Declaration, Vec<InputError>> {
    let value: Value = match serde_json::from_str(input) {
        Ok(v) => v,
        Err(e) => {
            return Err(vec![InputError {
                path: "$".into(),
                message: format!("不是有效的 JSON（第{}行第{}列）：{e}", e.line(), e.column()),
                message_en: format!(
                    "not valid JSON (line {}, column {}): {e}",
                    e.line(),
                    e.column()
                ),
            }]);
        }
    };
    parse_declaration_value(&value)
}

/// Same as [`parse_declaration`], from an already parsed JSON value.
pub fn parse_declaration_value(value: &Value) -> Result<Declaration, Vec<InputError>> {
    let mut w = Walker { errs: Vec::new() };
    let decl = w.declaration(value);
    if w.errs.is_empty() {
        Ok(decl)
    } else {
        Err(w.errs)
    }
}

/// A JSON path, built on the stack as the walk descends and rendered to text only when a
/// problem is reported (rendering every path up front cost a quarter of a bulk run).
/// `Key(Root, "a")` renders `a`, `Key(p, "b")` renders `p.b` (or `b` if `p` renders empty),
/// `Index(p, 3)` renders `p[3]`.
#[derive(Debug, Clone, Copy)]
enum Path<'a> {
    Root,
    Key(&'a Path<'a>, &'a str),
    Index(&'a Path<'a>, usize),
}

impl Path<'_> {
    fn render(&self) -> String {
        let mut out = String::new();
        self.write_to(&mut out);
        out
    }

    fn write_to(&self, out: &mut String) {
        match self {
            Path::Root => {}
            Path::Key(parent, key) => {
                parent.write_to(out);
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Path::Index(parent, i) => {
                use std::fmt::Write as _;
                parent.write_to(out);
                // Writing to a String cannot fail.
                let _ = write!(out, "[{i}]");
            }
        }
    }
}

const ROOT: &Path<'static> = &Path::Root;

fn type_name(v: &Value) -> (&'static str, &'static str) {
    match v {
        Value::Null => ("null", "null"),
        Value::Bool(_) => ("布尔值", "a boolean"),
        Value::Number(_) => ("数字", "a number"),
        Value::String(_) => ("字符串", "a string"),
        Value::Array(_) => ("数组", "an array"),
        Value::Object(_) => ("对象", "an object"),
    }
}

/// The decimal a JSON number stands for, through its text.
///
/// Integers convert directly (the same decimal, scale 0, as their text would give); other
/// numbers are formatted into a stack buffer rather than a heap string.
fn number_to_decimal(n: &Number) -> Option<Decimal> {
    if let Some(i) = n.as_i64() {
        return Some(Decimal::from(i));
    }
    if let Some(u) = n.as_u64() {
        return Some(Decimal::from(u));
    }
    let mut buf = StackText::default();
    let text: std::borrow::Cow<'_, str> = {
        use std::fmt::Write as _;
        if write!(buf, "{n}").is_ok() {
            std::borrow::Cow::Borrowed(buf.as_str())
        } else {
            std::borrow::Cow::Owned(n.to_string())
        }
    };
    Decimal::from_str(&text)
        .ok()
        .or_else(|| Decimal::from_scientific(&text).ok())
}

/// A small fixed-size text buffer; writing more than it holds fails.
struct StackText {
    bytes: [u8; 64],
    len: usize,
}

impl Default for StackText {
    fn default() -> Self {
        StackText {
            bytes: [0; 64],
            len: 0,
        }
    }
}

impl StackText {
    fn as_str(&self) -> &str {
        // Only whole `&str`s are ever copied in, so the prefix is valid UTF-8.
        std::str::from_utf8(&self.bytes[..self.len]).unwrap_or("")
    }
}

impl std::fmt::Write for StackText {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        let dst = self.bytes.get_mut(self.len..end).ok_or(std::fmt::Error)?;
        dst.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

struct Walker {
    errs: Vec<InputError>,
}

impl Walker {
    fn err(&mut self, path: &Path<'_>, zh: impl Into<String>, en: impl Into<String>) {
        let path = path.render();
        self.errs.push(InputError {
            path: if path.is_empty() { "$".into() } else { path },
            message: zh.into(),
            message_en: en.into(),
        });
    }

    fn wrong_type(&mut self, path: &Path<'_>, v: &Value, want_zh: &str, want_en: &str) {
        let (zh, en) = type_name(v);
        self.err(
            path,
            format!("应为{want_zh}，实为{zh}"),
            format!("expected {want_en}, found {en}"),
        );
    }

    /// An object whose keys are all in `allowed`; unknown keys are reported.
    fn object<'v>(
        &mut self,
        v: &'v Value,
        path: &Path<'_>,
        allowed: &[&str],
    ) -> Option<&'v Map<String, Value>> {
        let Value::Object(map) = v else {
            self.wrong_type(path, v, "对象", "an object");
            return None;
        };
        for key in map.keys() {
            if !allowed.contains(&key.as_str()) {
                self.err(
                    &Path::Key(path, key),
                    format!("未知字段 \"{key}\"（允许的字段：{}）", allowed.join("、")),
                    format!("unknown field \"{key}\" (allowed: {})", allowed.join(", ")),
                );
            }
        }
        Some(map)
    }

    /// A required field (absent or null is reported).
    fn required<'v>(
        &mut self,
        map: &'v Map<String, Value>,
        path: &Path<'_>,
        key: &str,
    ) -> Option<&'v Value> {
        match map.get(key) {
            None => {
                self.err(
                    &Path::Key(path, key),
                    "缺少必填字段",
                    "missing required field",
                );
                None
            }
            Some(Value::Null) => {
                self.err(
                    &Path::Key(path, key),
                    "必填字段不能为 null",
                    "required field must not be null",
                );
                None
            }
            Some(v) => Some(v),
        }
    }

    /// An optional field (absent and null both mean "not given").
    fn optional<'v>(map: &'v Map<String, Value>, key: &str) -> Option<&'v Value> {
        map.get(key).filter(|v| !v.is_null())
    }

    fn string(&mut self, v: &Value, path: &Path<'_>) -> String {
        match v {
            Value::String(s) if s.trim().is_empty() => {
                self.err(path, "不能为空字符串", "must not be empty");
                String::new()
            }
            Value::String(s) => s.clone(),
            other => {
                self.wrong_type(path, other, "字符串", "a string");
                String::new()
            }
        }
    }

    fn req_string(&mut self, map: &Map<String, Value>, path: &Path<'_>, key: &str) -> String {
        match self.required(map, path, key) {
            Some(v) => self.string(v, &Path::Key(path, key)),
            None => String::new(),
        }
    }

    fn opt_string(
        &mut self,
        map: &Map<String, Value>,
        path: &Path<'_>,
        key: &str,
    ) -> Option<String> {
        Walker::optional(map, key).map(|v| self.string(v, &Path::Key(path, key)))
    }

    fn boolean(&mut self, v: &Value, path: &Path<'_>) -> bool {
        match v {
            Value::Bool(b) => *b,
            other => {
                self.wrong_type(
                    path,
                    other,
                    "布尔值（true/false）",
                    "a boolean (true/false)",
                );
                false
            }
        }
    }

    fn req_bool(&mut self, map: &Map<String, Value>, path: &Path<'_>, key: &str) -> bool {
        match self.required(map, path, key) {
            Some(v) => self.boolean(v, &Path::Key(path, key)),
            None => false,
        }
    }

    fn opt_bool(&mut self, map: &Map<String, Value>, path: &Path<'_>, key: &str) -> Option<bool> {
        Walker::optional(map, key).map(|v| self.boolean(v, &Path::Key(path, key)))
    }

    /// Any decimal (possibly negative), bounded in magnitude.
    fn decimal(&mut self, v: &Value, path: &Path<'_>) -> Option<Decimal> {
        let Value::Number(n) = v else {
            self.wrong_type(path, v, "数字", "a number");
            return None;
        };
        match number_to_decimal(n) {
            Some(d) if d.abs() <= Decimal::from(MAX_AMOUNT) => Some(d),
            _ => {
                self.err(
                    path,
                    format!("数值 {n} 超出可接受范围（绝对值不超过 {MAX_AMOUNT}）"),
                    format!("number {n} is out of range (magnitude at most {MAX_AMOUNT})"),
                );
                None
            }
        }
    }

    /// A non-negative decimal (amounts, tonnes, m³, km², intensities).
    fn amount(&mut self, v: &Value, path: &Path<'_>) -> Option<Decimal> {
        let d = self.decimal(v, path)?;
        if d.is_sign_negative() && !d.is_zero() {
            self.err(
                path,
                format!("不能为负数（{d}）"),
                format!("must not be negative ({d})"),
            );
            return None;
        }
        Some(d)
    }

    fn opt_amount(
        &mut self,
        map: &Map<String, Value>,
        path: &Path<'_>,
        key: &str,
    ) -> Option<Decimal> {
        Walker::optional(map, key).and_then(|v| self.amount(v, &Path::Key(path, key)))
    }

    /// A non-negative whole number (employees, patents). `420.0` is accepted as 420.
    fn count(&mut self, v: &Value, path: &Path<'_>) -> Option<u64> {
        let Value::Number(n) = v else {
            self.wrong_type(path, v, "非负整数", "a non-negative integer");
            return None;
        };
        if let Some(u) = n.as_u64() {
            if u > MAX_COUNT {
                self.err(
                    path,
                    format!("数值 {u} 过大（上限 {MAX_COUNT}）"),
                    format!("{u} is too large (at most {MAX_COUNT})"),
                );
                return None;
            }
            return Some(u);
        }
        match number_to_decimal(n) {
            Some(d) if d.is_sign_negative() && !d.is_zero() => {
                self.err(
                    path,
                    format!("不能为负数（{n}）"),
                    format!("must not be negative ({n})"),
                );
                None
            }
            Some(d) if d.fract().is_zero() && d <= Decimal::from(MAX_COUNT) => d.trunc().to_u64(),
            Some(d) if d.fract().is_zero() => {
                self.err(
                    path,
                    format!("数值 {n} 过大（上限 {MAX_COUNT}）"),
                    format!("{n} is too large (at most {MAX_COUNT})"),
                );
                None
            }
            _ => {
                self.err(
                    path,
                    format!("应为整数，实为 {n}"),
                    format!("expected a whole number, found {n}"),
                );
                None
            }
        }
    }

    fn opt_count(&mut self, map: &Map<String, Value>, path: &Path<'_>, key: &str) -> Option<u64> {
        Walker::optional(map, key).and_then(|v| self.count(v, &Path::Key(path, key)))
    }

    fn year(&mut self, v: &Value, path: &Path<'_>) -> Option<i32> {
        let Value::Number(n) = v else {
            self.wrong_type(path, v, "年份（整数）", "a year (integer)");
            return None;
        };
        match n.as_i64() {
            Some(y) if YEAR_RANGE.contains(&y) => i32::try_from(y).ok(),
            _ => {
                self.err(
                    path,
                    format!(
                        "年份 {n} 无效（应为 {}–{} 之间的整数）",
                        YEAR_RANGE.start(),
                        YEAR_RANGE.end()
                    ),
                    format!(
                        "invalid year {n} (a whole number {}–{})",
                        YEAR_RANGE.start(),
                        YEAR_RANGE.end()
                    ),
                );
                None
            }
        }
    }

    fn req_year(&mut self, map: &Map<String, Value>, path: &Path<'_>, key: &str) -> Option<i32> {
        self.required(map, path, key)
            .and_then(|v| self.year(v, &Path::Key(path, key)))
    }

    /// A year used as an object key ("2021").
    fn year_key(&mut self, key: &str, path: &Path<'_>, years: &BTreeSet<i32>) -> Option<i32> {
        let parsed = key
            .parse::<i64>()
            .ok()
            .filter(|y| YEAR_RANGE.contains(y) && key.len() == 4)
            .and_then(|y| i32::try_from(y).ok());
        let Some(y) = parsed else {
            self.err(
                path,
                format!("\"{key}\" 不是年份（应为四位数字，如 \"2021\"）"),
                format!("\"{key}\" is not a year (four digits such as \"2021\")"),
            );
            return None;
        };
        if !years.is_empty() && !years.contains(&y) {
            let list: Vec<String> = years.iter().map(i32::to_string).collect();
            self.err(
                path,
                format!("年份 {y} 不在 years 中（{}）", list.join("、")),
                format!("year {y} is not listed in years ({})", list.join(", ")),
            );
            return None;
        }
        Some(y)
    }

    fn enumeration<T: Copy>(
        &mut self,
        v: &Value,
        path: &Path<'_>,
        options: &[(&str, T)],
    ) -> Option<T> {
        let Value::String(s) = v else {
            self.wrong_type(path, v, "字符串", "a string");
            return None;
        };
        if let Some((_, t)) = options.iter().find(|(name, _)| name == s) {
            return Some(*t);
        }
        let names: Vec<&str> = options.iter().map(|(n, _)| *n).collect();
        self.err(
            path,
            format!("未知取值 \"{s}\"（可选：{}）", names.join("、")),
            format!("unknown value \"{s}\" (one of: {})", names.join(", ")),
        );
        None
    }

    fn date(&mut self, v: &Value, path: &Path<'_>) -> Option<NaiveDate> {
        let Value::String(s) = v else {
            self.wrong_type(
                path,
                v,
                "日期字符串（YYYY-MM-DD）",
                "a date string (YYYY-MM-DD)",
            );
            return None;
        };
        let well_formed = s.len() == 10
            && s.char_indices().all(|(i, c)| {
                if i == 4 || i == 7 {
                    c == '-'
                } else {
                    c.is_ascii_digit()
                }
            });
        if !well_formed {
            self.err(
                path,
                format!("日期 \"{s}\" 格式错误（应为 YYYY-MM-DD）"),
                format!("date \"{s}\" is malformed (YYYY-MM-DD)"),
            );
            return None;
        }
        match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                self.err(
                    path,
                    format!("日期 \"{s}\" 不存在"),
                    format!("date \"{s}\" does not exist"),
                );
                None
            }
        }
    }

    fn array<'v>(&mut self, v: &'v Value, path: &Path<'_>) -> &'v [Value] {
        match v {
            Value::Array(a) => a.as_slice(),
            other => {
                self.wrong_type(path, other, "数组", "an array");
                &[]
            }
        }
    }

    // -----------------------------------------------------------------------------------

    fn declaration(&mut self, v: &Value) -> Declaration {
        const FIELDS: &[&str] = &[
            "edition",
            "batch_year",
            "first_batch",
            "cluster",
            "years",
            "enterprises",
            "totals",
            "benchmarks",
            "incidents",
            "attestations",
            "plan",
        ];
        let empty = Map::new();
        let map = self.object(v, ROOT, FIELDS).unwrap_or(&empty);
        let edition = self.req_string(map, ROOT, "edition");
        let batch_year = self.req_year(map, ROOT, "batch_year");
        let first_batch = self.opt_bool(map, ROOT, "first_batch").unwrap_or(false);
        let cluster = match self.required(map, ROOT, "cluster") {
            Some(c) => self.cluster(c, &Path::Key(ROOT, "cluster")),
            None => None,
        };
        let years = self.years(map, batch_year);
        let year_set: BTreeSet<i32> = years.iter().copied().collect();
        let mut enterprises = Vec::new();
        if let Some(list) = self.required(map, ROOT, "enterprises") {
            let p = Path::Key(ROOT, "enterprises");
            let list = self.array(list, &p);
            for (i, e) in list.iter().enumerate() {
                enterprises.push(self.enterprise(e, &Path::Index(&p, i), &year_set));
            }
        }
        let totals = match Walker::optional(map, "totals") {
            Some(t) => self.figures_by_year(t, &Path::Key(ROOT, "totals"), &year_set),
            None => BTreeMap::new(),
        };
        let benchmarks = match Walker::optional(map, "benchmarks") {
            Some(b) => self.benchmarks(b, &Path::Key(ROOT, "benchmarks")),
            None => Benchmarks::default(),
        };
        let mut incidents = Vec::new();
        if let Some(list) = Walker::optional(map, "incidents") {
            let p = Path::Key(ROOT, "incidents");
            for (i, inc) in self.array(list, &p).iter().enumerate() {
                if let Some(x) = self.incident(inc, &Path::Index(&p, i)) {
                    incidents.push(x);
                }
            }
        }
        let attestations = match Walker::optional(map, "attestations") {
            Some(a) => self.attestations(a, &Path::Key(ROOT, "attestations")),
            None => Attestations::default(),
        };
        let plan = match Walker::optional(map, "plan") {
            Some(p) => self.plan(p, &Path::Key(ROOT, "plan")),
            None => Plan::default(),
        };
        Declaration {
            edition,
            batch_year: batch_year.unwrap_or_default(),
            first_batch,
            cluster: cluster.unwrap_or_else(empty_cluster),
            years,
            enterprises,
            totals,
            benchmarks,
            incidents,
            attestations,
            plan,
        }
    }

    fn years(&mut self, map: &Map<String, Value>, batch_year: Option<i32>) -> Vec<i32> {
        let Some(v) = self.required(map, ROOT, "years") else {
            return Vec::new();
        };
        let p = Path::Key(ROOT, "years");
        let mut years = Vec::new();
        for (i, y) in self.array(v, &p).iter().enumerate() {
            if let Some(y) = self.year(y, &Path::Index(&p, i)) {
                if years.contains(&y) {
                    self.err(
                        &Path::Index(&p, i),
                        format!("年份 {y} 重复"),
                        format!("year {y} is repeated"),
                    );
                } else {
                    years.push(y);
                }
            }
        }
        if let Some(b) = batch_year {
            let window: Vec<i32> = (b.saturating_sub(WINDOW_YEARS)..b).collect();
            let missing: Vec<String> = window
                .iter()
                .filter(|y| !years.contains(y))
                .map(i32::to_string)
                .collect();
            if !missing.is_empty() {
                let (first, last) = (b.saturating_sub(WINDOW_YEARS), b.saturating_sub(1));
                self.err(
                    &p,
                    format!(
                        "缺少认定年度 {b} 之前的完整三年 {first}–{last} 中的 {}",
                        missing.join("、")
                    ),
                    format!(
                        "missing {} of the three years {first}–{last} before batch year {b}",
                        missing.join(", ")
                    ),
                );
            }
        }
        years.sort_unstable();
        years
    }

    fn cluster(&mut self, v: &Value, path: &Path<'_>) -> Option<ClusterInfo> {
        const FIELDS: &[&str] = &[
            "name",
            "county_code",
            "leading_industry",
            "industry_codes",
            "area_km2",
            "provincial_cluster",
            "operator",
            "high_energy_industry",
            "high_water_industry",
        ];
        let map = self.object(v, path, FIELDS)?;
        let name = self.req_string(map, path, "name");
        let county_code = self.req_string(map, path, "county_code");
        let well_formed = county_code.len() == 6 && county_code.chars().all(|c| c.is_ascii_digit());
        if !county_code.is_empty() && !well_formed {
            self.err(
                &Path::Key(path, "county_code"),
                format!("\"{county_code}\" 不是六位县级行政区划代码（GB/T 2260）"),
                format!("\"{county_code}\" is not a six-digit county code (GB/T 2260)"),
            );
        }
        let leading_industry = self.req_string(map, path, "leading_industry");
        let mut industry_codes = Vec::new();
        if let Some(codes) = self.required(map, path, "industry_codes") {
            let p = Path::Key(path, "industry_codes");
            let list = self.array(codes, &p);
            if list.is_empty() && codes.is_array() {
                self.err(
                    &p,
                    "至少填写一个国民经济行业代码（GB/T 4754-2017）",
                    "give at least one GB/T 4754-2017 code",
                );
            }
            for (i, c) in list.iter().enumerate() {
                industry_codes.push(self.string(c, &Path::Index(&p, i)));
            }
        }
        let area_km2 = self.opt_amount(map, path, "area_km2");
        let provincial_cluster = self.req_bool(map, path, "provincial_cluster");
        let operator = Walker::optional(map, "operator").and_then(|o| {
            let p = Path::Key(path, "operator");
            let m = self.object(o, &p, &["name", "type"])?;
            Some(Operator {
                name: self.req_string(m, &p, "name"),
                kind: self.req_string(m, &p, "type"),
            })
        });
        let high_energy_industry = self
            .opt_bool(map, path, "high_energy_industry")
            .unwrap_or(false);
        let high_water_industry = self
            .opt_bool(map, path, "high_water_industry")
            .unwrap_or(false);
        Some(ClusterInfo {
            name,
            county_code,
            leading_industry,
            industry_codes,
            area_km2,
            provincial_cluster,
            operator,
            high_energy_industry,
            high_water_industry,
        })
    }

    fn enterprise(&mut self, v: &Value, path: &Path<'_>, years: &BTreeSet<i32>) -> Enterprise {
        const FIELDS: &[&str] = &[
            "uscc",
            "name",
            "industry_code",
            "in_leading_industry",
            "declared_size",
            "titles",
            "uses_iip",
            "policy_reached",
            "figures",
        ];
        const SIZES: &[(&str, Size)] = &[
            ("large", Size::Large),
            ("medium", Size::Medium),
            ("small", Size::Small),
            ("micro", Size::Micro),
        ];
        const TITLES: &[(&str, TitleKind)] = &[
            ("single_champion", TitleKind::SingleChampion),
            ("little_giant", TitleKind::LittleGiant),
            ("srdi_sme", TitleKind::SrdiSme),
            ("innovative_sme", TitleKind::InnovativeSme),
            ("high_tech", TitleKind::HighTech),
        ];
        let empty = Map::new();
        let map = self.object(v, path, FIELDS).unwrap_or(&empty);
        let mut titles = Vec::new();
        if let Some(list) = Walker::optional(map, "titles") {
            let p = Path::Key(path, "titles");
            for (i, t) in self.array(list, &p).iter().enumerate() {
                let tp = Path::Index(&p, i);
                let Some(m) = self.object(t, &tp, &["kind", "year"]) else {
                    continue;
                };
                let kind = self
                    .required(m, &tp, "kind")
                    .and_then(|k| self.enumeration(k, &Path::Key(&tp, "kind"), TITLES));
                let year = self.req_year(m, &tp, "year");
                if let (Some(kind), Some(year)) = (kind, year) {
                    titles.push(Title { kind, year });
                }
            }
        }
        Enterprise {
            uscc: self.req_string(map, path, "uscc"),
            name: self.req_string(map, path, "name"),
            industry_code: self.req_string(map, path, "industry_code"),
            in_leading_industry: self.req_bool(map, path, "in_leading_industry"),
            declared_size: Walker::optional(map, "declared_size")
                .and_then(|s| self.enumeration(s, &Path::Key(path, "declared_size"), SIZES)),
            titles,
            uses_iip: self.opt_bool(map, path, "uses_iip"),
            policy_reached: self.opt_bool(map, path, "policy_reached"),
            figures: match Walker::optional(map, "figures") {
                Some(f) => self.figures_by_year(f, &Path::Key(path, "figures"), years),
                None => BTreeMap::new(),
            },
        }
    }

    fn figures_by_year(
        &mut self,
        v: &Value,
        path: &Path<'_>,
        years: &BTreeSet<i32>,
    ) -> BTreeMap<i32, Figures> {
        let mut out = BTreeMap::new();
        let Value::Object(map) = v else {
            self.wrong_type(path, v, "以年份为键的对象", "an object keyed by year");
            return out;
        };
        for (key, f) in map {
            let p = Path::Key(path, key);
            let year = self.year_key(key, &p, years);
            let figures = self.figures(f, &p);
            if let Some(y) = year {
                out.insert(y, figures);
            }
        }
        out
    }

    fn figures(&mut self, v: &Value, path: &Path<'_>) -> Figures {
        const FIELDS: &[&str] = &[
            "output_value",
            "revenue",
            "employees",
            "total_assets",
            "rd_expenditure",
            "valid_invention_patents",
            "co2_t",
            "energy_tce",
            "water_m3",
            "export_value",
        ];
        let Some(map) = self.object(v, path, FIELDS) else {
            return Figures::default();
        };
        Figures {
            output_value: self.opt_amount(map, path, "output_value").map(Wan),
            revenue: self.opt_amount(map, path, "revenue").map(Wan),
            employees: self.opt_count(map, path, "employees"),
            total_assets: self.opt_amount(map, path, "total_assets").map(Wan),
            rd_expenditure: self.opt_amount(map, path, "rd_expenditure").map(Wan),
            valid_invention_patents: self.opt_count(map, path, "valid_invention_patents"),
            co2_t: self.opt_amount(map, path, "co2_t"),
            energy_tce: self.opt_amount(map, path, "energy_tce"),
            water_m3: self.opt_amount(map, path, "water_m3"),
            export_value: self.opt_amount(map, path, "export_value").map(Wan),
        }
    }

    fn benchmarks(&mut self, v: &Value, path: &Path<'_>) -> Benchmarks {
        let Some(map) = self.object(v, path, &["energy_intensity", "water_intensity"]) else {
            return Benchmarks::default();
        };
        Benchmarks {
            energy_intensity: self.opt_amount(map, path, "energy_intensity"),
            water_intensity: self.opt_amount(map, path, "water_intensity"),
        }
    }

    fn incident(&mut self, v: &Value, path: &Path<'_>) -> Option<Incident> {
        const KINDS: &[(&str, IncidentKind)] = &[
            ("safety", IncidentKind::Safety),
            ("quality", IncidentKind::Quality),
            ("environment", IncidentKind::Environment),
            ("cyber", IncidentKind::Cyber),
            ("data", IncidentKind::Data),
            ("tax", IncidentKind::Tax),
            ("illegal", IncidentKind::Illegal),
            ("dishonesty", IncidentKind::Dishonesty),
        ];
        const LEVELS: &[(&str, IncidentLevel)] = &[
            ("general", IncidentLevel::General),
            ("larger", IncidentLevel::Larger),
            ("major", IncidentLevel::Major),
            ("especially_major", IncidentLevel::EspeciallyMajor),
        ];
        let map = self.object(
            v,
            path,
            &["date", "kind", "level", "enterprise", "description"],
        )?;
        let date = self
            .required(map, path, "date")
            .and_then(|d| self.date(d, &Path::Key(path, "date")));
        let kind = self
            .required(map, path, "kind")
            .and_then(|k| self.enumeration(k, &Path::Key(path, "kind"), KINDS));
        let level = self
            .required(map, path, "level")
            .and_then(|l| self.enumeration(l, &Path::Key(path, "level"), LEVELS));
        let enterprise = self.opt_string(map, path, "enterprise");
        let description = self.opt_string(map, path, "description");
        Some(Incident {
            date: date?,
            kind: kind?,
            level: level?,
            enterprise,
            description,
        })
    }

    fn string_list(&mut self, v: &Value, path: &Path<'_>) -> Vec<String> {
        self.array(v, path)
            .iter()
            .enumerate()
            .map(|(i, s)| self.string(s, &Path::Index(path, i)))
            .collect()
    }

    /// Attestations are free-form: every key holds a list of strings.
    fn attestations(&mut self, v: &Value, path: &Path<'_>) -> Attestations {
        let Value::Object(map) = v else {
            self.wrong_type(path, v, "对象", "an object");
            return Attestations::default();
        };
        let mut out = Attestations::default();
        for (key, list) in map {
            let items = self.string_list(list, &Path::Key(path, key));
            if key == "supply_chain_sharing" {
                out.supply_chain_sharing = items;
            } else {
                out.other.insert(key.clone(), items);
            }
        }
        out
    }

    fn plan(&mut self, v: &Value, path: &Path<'_>) -> Plan {
        const AREAS: &[(&str, PlanArea)] = &[
            ("industry", PlanArea::Industry),
            ("innovation", PlanArea::Innovation),
            ("digital", PlanArea::Digital),
            ("green", PlanArea::Green),
            ("openness", PlanArea::Openness),
            ("governance", PlanArea::Governance),
        ];
        let Some(map) = self.object(v, path, &["targets"]) else {
            return Plan::default();
        };
        let mut targets = Vec::new();
        if let Some(list) = Walker::optional(map, "targets") {
            let p = Path::Key(path, "targets");
            for (i, t) in self.array(list, &p).iter().enumerate() {
                let tp = Path::Index(&p, i);
                let Some(m) =
                    self.object(t, &tp, &["area", "metric", "baseline", "target", "year"])
                else {
                    continue;
                };
                let area = self
                    .required(m, &tp, "area")
                    .and_then(|a| self.enumeration(a, &Path::Key(&tp, "area"), AREAS));
                let metric = self.req_string(m, &tp, "metric");
                let baseline = self
                    .required(m, &tp, "baseline")
                    .and_then(|b| self.decimal(b, &Path::Key(&tp, "baseline")));
                let target = self
                    .required(m, &tp, "target")
                    .and_then(|b| self.decimal(b, &Path::Key(&tp, "target")));
                let year = self.req_year(m, &tp, "year");
                if let (Some(area), Some(baseline), Some(target), Some(year)) =
                    (area, baseline, target, year)
                {
                    targets.push(PlanTarget {
                        area,
                        metric,
                        baseline,
                        target,
                        year,
                    });
                }
            }
        }
        Plan { targets }
    }
}

fn empty_cluster() -> ClusterInfo {
    ClusterInfo {
        name: String::new(),
        county_code: String::new(),
        leading_industry: String::new(),
        industry_codes: Vec::new(),
        area_km2: None,
        provincial_cluster: false,
        operator: None,
        high_energy_industry: false,
        high_water_industry: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(input: &str) -> Vec<String> {
        match parse_declaration(input) {
            Ok(_) => Vec::new(),
            Err(errs) => errs
                .into_iter()
                .map(|e| format!("{} | {}", e.path, e.message))
                .collect(),
        }
    }

    const MINIMAL: &str = r#"{
      "edition": "2022", "batch_year": 2022,
      "cluster": {"name": "测试集群", "county_code": "330782", "leading_industry": "五金",
        "industry_codes": ["C3857"], "provincial_cluster": true},
      "years": [2019, 2020, 2021],
      "enterprises": []
    }"#;

    #[test]
    fn minimal_parses() {
        let d = parse_declaration(MINIMAL).unwrap();
        assert_eq!(d.years, vec![2019, 2020, 2021]);
        assert!(!d.first_batch);
    }

    #[test]
    fn decimals_come_through_text() {
        let input = MINIMAL.replace(
            r#""enterprises": []"#,
            r#""enterprises": [{"uscc": "x", "name": "甲", "industry_code": "C3857",
               "in_leading_industry": true, "figures": {"2021": {"output_value": 38.2, "co2_t": 0.1,
               "employees": 420.0}}}]"#,
        );
        let d = parse_declaration(&input).unwrap();
        let f = &d.enterprises[0].figures[&2021];
        assert_eq!(f.output_value.unwrap().amount().to_string(), "38.2");
        assert_eq!(f.co2_t.unwrap().to_string(), "0.1");
        assert_eq!(f.employees, Some(420));
    }

    #[test]
    fn every_problem_is_reported_with_its_path() {
        let input = r#"{
          "edition": "2022", "batch_year": 2022, "colour": "red",
          "cluster": {"name": "", "county_code": "33078", "leading_industry": "五金",
            "industry_codes": ["C3857"], "provincial_cluster": "yes", "area_km2": -1},
          "years": [2020, 2021],
          "enterprises": [
            {"uscc": "x", "name": "甲", "industry_code": "C3857", "in_leading_industry": true},
            {"uscc": "y", "name": "乙", "industry_code": "C3857", "in_leading_industry": true,
             "declared_size": "huge", "titles": [{"kind": "little_giant"}],
             "figures": {"2021": {"employees": 3.5, "output_value": -2, "revenue": "100"},
                         "2017": {}}}
          ],
          "incidents": [{"date": "2021-02-30", "kind": "fire", "level": "larger"}],
          "plan": {"targets": [{"area": "space", "metric": "m", "baseline": 1, "target": 2, "year": 2025}]}
        }"#;
        let got = paths(input);
        let want = [
            "colour | 未知字段",
            "cluster.name | 不能为空",
            "cluster.county_code | ",
            "cluster.provincial_cluster | 应为布尔值",
            "cluster.area_km2 | 不能为负数",
            "years | 缺少",
            "enterprises[1].declared_size | 未知取值 \"huge\"（可选：large、medium、small、micro）",
            "enterprises[1].titles[0].year | 缺少必填字段",
            "enterprises[1].figures.2021.employees | 应为整数",
            "enterprises[1].figures.2021.output_value | 不能为负数",
            "enterprises[1].figures.2021.revenue | 应为数字",
            "enterprises[1].figures.2017 | 年份 2017 不在 years 中",
            "incidents[0].date | 日期 \"2021-02-30\" 不存在",
            "incidents[0].kind | 未知取值 \"fire\"",
            "plan.targets[0].area | 未知取值 \"space\"",
        ];
        for w in want {
            assert!(
                got.iter().any(|g| g.starts_with(w)),
                "missing {w:?} in {got:#?}"
            );
        }
        assert_eq!(got.len(), want.len(), "{got:#?}");
    }

    #[test]
    fn not_json_and_not_object() {
        assert_eq!(paths("{").len(), 1);
        assert!(paths("[]")[0].starts_with("$ | 应为对象"));
        assert!(paths("").len() == 1);
    }

    #[test]
    fn paths_render_as_joined_text() {
        let a = Path::Key(ROOT, "attestations");
        let empty = Path::Key(&a, "");
        assert_eq!(Path::Index(&empty, 0).render(), "attestations.[0]");
        let blank = Path::Key(ROOT, "");
        assert_eq!(blank.render(), "");
        assert_eq!(Path::Key(&blank, "x").render(), "x");
        let e = Path::Key(ROOT, "enterprises");
        let e3 = Path::Index(&e, 3);
        let f = Path::Key(&e3, "figures");
        let y = Path::Key(&f, "2021");
        assert_eq!(
            Path::Key(&y, "employees").render(),
            "enterprises[3].figures.2021.employees"
        );
    }

    #[test]
    fn numbers_convert_as_their_text_does() {
        for text in [
            "0",
            "-0",
            "7",
            "-7",
            "38.2",
            "0.1",
            "420.0",
            "1e3",
            "1.5e-7",
            "-2.25",
            "9223372036854775807",
            "-9223372036854775808",
            "18446744073709551615",
            "1e300",
        ] {
            let v: Value = serde_json::from_str(text).unwrap();
            let Value::Number(n) = v else { unreachable!() };
            let via_text = Decimal::from_str(&n.to_string())
                .ok()
                .or_else(|| Decimal::from_scientific(&n.to_string()).ok());
            let got = number_to_decimal(&n);
            assert_eq!(got, via_text, "{text}");
            assert_eq!(
                got.map(|d| d.to_string()),
                via_text.map(|d| d.to_string()),
                "{text}"
            );
        }
    }

    #[test]
    fn huge_numbers_are_refused() {
        let input = MINIMAL.replace(
            r#""enterprises": []"#,
            r#""enterprises": [{"uscc": "x", "name": "甲", "industry_code": "C3857",
               "in_leading_industry": true, "figures": {"2021": {"output_value": 1e300,
               "employees": 18446744073709551615}}}]"#,
        );
        let got = paths(&input);
        assert_eq!(got.len(), 2, "{got:#?}");
    }
}
