//! GB/T 4754-2017 国民经济行业分类 (Industrial classification for national economic
//! activities).
//!
//! The code has four levels: 门类 section (a letter A–T), 大类 division (2 digits, 01–97),
//! 中类 group (3 digits) and 小类 class (4 digits). Written with its section letter, a
//! class looks like `C3857` (C 制造业 › 38 电气机械和器材制造业 › 385 › 3857); statistical
//! forms often omit the letter (`3857`), since the division determines the section.
//!
//! `data/industries.csv` holds the 20 sections and 97 divisions with their names,
//! transcribed from the standard (see `data/README.md`). Groups and classes are checked by
//! format and by their division only: the finer tables are not committed.

use crate::division::{DataError, csv_records, echo};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

const INDUSTRIES_CSV: &str = include_str!("../../../data/industries.csv");

/// Level of an industry code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IndustryLevel {
    /// 门类 (letter).
    Section,
    /// 大类 (2 digits).
    Division,
    /// 中类 (3 digits).
    Group,
    /// 小类 (4 digits).
    Class,
}

impl IndustryLevel {
    /// 门类 / 大类 / 中类 / 小类.
    pub fn label_zh(self) -> &'static str {
        match self {
            IndustryLevel::Section => "门类",
            IndustryLevel::Division => "大类",
            IndustryLevel::Group => "中类",
            IndustryLevel::Class => "小类",
        }
    }
}

/// A row of `data/industries.csv`: a section or a division.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Industry {
    /// "C" or "38".
    pub code: &'static str,
    /// Chinese name, e.g. "电气机械和器材制造业".
    pub name: &'static str,
    /// [`IndustryLevel::Section`] or [`IndustryLevel::Division`].
    pub level: IndustryLevel,
    /// The section letter of a division; `None` for a section.
    pub parent: Option<&'static str>,
}

struct Table {
    rows: Vec<Industry>,
    /// Section letter → row.
    sections: HashMap<char, usize>,
    /// Two-digit division → row.
    divisions: HashMap<&'static str, usize>,
}

static TABLE: LazyLock<Result<Table, DataError>> = LazyLock::new(|| parse_table(INDUSTRIES_CSV));

fn table() -> Option<&'static Table> {
    TABLE.as_ref().ok()
}

/// `Ok` when the embedded `data/industries.csv` parsed; the server checks this at start.
pub fn check_data() -> Result<(), DataError> {
    match &*TABLE {
        Ok(_) => Ok(()),
        Err(e) => Err(e.clone()),
    }
}

fn parse_table(text: &'static str) -> Result<Table, DataError> {
    const FILE: &str = "industries.csv";
    let records = csv_records(FILE, text, "code,name,level,parent", 4)?;
    let mut rows = Vec::with_capacity(records.len());
    let mut sections = HashMap::new();
    let mut divisions = HashMap::new();
    for (line, f) in records {
        let bad = |message: String| DataError {
            file: FILE,
            line,
            message,
        };
        let (code, name, level, parent) = (f[0], f[1], f[2], f[3]);
        if name.trim().is_empty() {
            return Err(bad("名称为空".to_owned()));
        }
        let row = match level {
            "1" => {
                let mut chars = code.chars();
                let letter = match (chars.next(), chars.next()) {
                    (Some(c), None) if c.is_ascii_uppercase() => c,
                    _ => return Err(bad(format!("门类代码「{code}」应为一个大写字母"))),
                };
                if !parent.is_empty() {
                    return Err(bad("门类不应有上级".to_owned()));
                }
                if sections.insert(letter, rows.len()).is_some() {
                    return Err(bad(format!("门类「{code}」重复")));
                }
                Industry {
                    code,
                    name,
                    level: IndustryLevel::Section,
                    parent: None,
                }
            }
            "2" => {
                if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(bad(format!("大类代码「{code}」应为2位数字")));
                }
                let section_known = parent
                    .chars()
                    .next()
                    .is_some_and(|c| parent.len() == 1 && sections.contains_key(&c));
                if !section_known {
                    return Err(bad(format!("大类「{code}」的门类「{parent}」应在其前列出")));
                }
                if divisions.insert(code, rows.len()).is_some() {
                    return Err(bad(format!("大类「{code}」重复")));
                }
                Industry {
                    code,
                    name,
                    level: IndustryLevel::Division,
                    parent: Some(parent),
                }
            }
            other => return Err(bad(format!("级别「{other}」应为1或2"))),
        };
        rows.push(row);
    }
    if sections.is_empty() || divisions.is_empty() {
        return Err(DataError {
            file: FILE,
            line: 0,
            message: "没有数据".to_owned(),
        });
    }
    Ok(Table {
        rows,
        sections,
        divisions,
    })
}

/// Every section and division, in the standard's order (each section followed by its
/// divisions).
pub fn industries() -> &'static [Industry] {
    table().map(|t| t.rows.as_slice()).unwrap_or_default()
}

/// The 20 sections A–T.
pub fn sections() -> Vec<&'static Industry> {
    industries()
        .iter()
        .filter(|i| i.level == IndustryLevel::Section)
        .collect()
}

/// The divisions of a section, in order.
pub fn divisions_of(section: char) -> Vec<&'static Industry> {
    let mut buf = [0u8; 4];
    let letter: &str = section.encode_utf8(&mut buf);
    industries()
        .iter()
        .filter(|i| i.parent == Some(letter))
        .collect()
}

/// The section with this letter.
pub fn lookup_section(letter: char) -> Option<&'static Industry> {
    let t = table()?;
    t.sections.get(&letter).map(|&i| &t.rows[i])
}

/// The division with these two digits.
pub fn lookup_division(digits: &str) -> Option<&'static Industry> {
    let t = table()?;
    t.divisions.get(digits).map(|&i| &t.rows[i])
}

/// A GB/T 4754-2017 code, validated against the sections and divisions: a section letter
/// followed by 0, 2, 3 or 4 digits. Serialised in that canonical form ("C3857").
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IndustryCode(String);

/// Why a string is not a valid industry code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IndustryCodeError {
    /// Nothing given.
    #[error("国民经济行业代码为空")]
    Empty,
    /// Neither letter + 0/2/3/4 digits nor 2–4 digits.
    #[error(
        "国民经济行业代码「{input}」格式不对：应为门类字母加0、2、3或4位数字（如 C、C38、C385、C3857），或2至4位数字（如 3857）"
    )]
    Format { input: String },
    /// A letter that is not a section of GB/T 4754-2017.
    #[error("国民经济行业门类「{section}」不存在（GB/T 4754-2017 的门类为 A 至 T）")]
    UnknownSection { section: char },
    /// Two digits that are not a division.
    #[error("国民经济行业大类「{division}」不存在（GB/T 4754-2017 的大类为 01 至 97）")]
    UnknownDivision { division: String },
    /// The division belongs to another section ("C01").
    #[error(
        "行业代码「{input}」有误：大类{division}属于门类{actual}（{actual_name}），不属于门类{given}（{given_name}）"
    )]
    SectionMismatch {
        input: String,
        division: String,
        given: char,
        given_name: &'static str,
        actual: char,
        actual_name: &'static str,
    },
}

impl IndustryCodeError {
    /// English rendering of the error.
    pub fn message_en(&self) -> String {
        match self {
            IndustryCodeError::Empty => "the industry code is empty".into(),
            IndustryCodeError::Format { input } => format!(
                "the industry code \"{input}\" must be a section letter followed by 0, 2, 3 or 4 digits (C, C38, C385, C3857), or 2 to 4 digits"
            ),
            IndustryCodeError::UnknownSection { section } => {
                format!("there is no GB/T 4754-2017 section {section} (sections are A to T)")
            }
            IndustryCodeError::UnknownDivision { division } => {
                format!("there is no GB/T 4754-2017 division {division} (divisions are 01 to 97)")
            }
            IndustryCodeError::SectionMismatch {
                input,
                division,
                given,
                actual,
                ..
            } => format!(
                "industry code {input}: division {division} belongs to section {actual}, not {given}"
            ),
        }
    }
}

impl IndustryCode {
    /// Parses "C", "C38", "C385", "C3857" (section letter, upper or lower case, plus 0, 2, 3
    /// or 4 digits) or "38", "385", "3857" (section inferred from the division).
    pub fn parse(input: &str) -> Result<IndustryCode, IndustryCodeError> {
        let s = input.trim();
        let format = || IndustryCodeError::Format { input: echo(s) };
        let mut chars = s.chars();
        let first = chars.next().ok_or(IndustryCodeError::Empty)?;
        let (given, digits) = if first.is_ascii_alphabetic() {
            (Some(first.to_ascii_uppercase()), chars.as_str())
        } else {
            (None, s)
        };
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format());
        }
        match (given, digits.len()) {
            (Some(_), 0 | 2 | 3 | 4) | (None, 2..=4) => {}
            _ => return Err(format()),
        }
        if let Some(letter) = given
            && lookup_section(letter).is_none()
        {
            return Err(IndustryCodeError::UnknownSection { section: letter });
        }
        let section = match digits.get(..2) {
            None => given.ok_or_else(format)?,
            Some(division) => {
                let row = lookup_division(division).ok_or_else(|| {
                    IndustryCodeError::UnknownDivision {
                        division: division.to_owned(),
                    }
                })?;
                let actual = row
                    .parent
                    .and_then(|p| p.chars().next())
                    .ok_or_else(format)?;
                match given {
                    Some(letter) if letter != actual => {
                        return Err(IndustryCodeError::SectionMismatch {
                            input: echo(s),
                            division: division.to_owned(),
                            given: letter,
                            given_name: section_name_of(letter),
                            actual,
                            actual_name: section_name_of(actual),
                        });
                    }
                    _ => actual,
                }
            }
        };
        let mut code = String::with_capacity(1 + digits.len());
        code.push(section);
        code.push_str(digits);
        Ok(IndustryCode(code))
    }

    /// Canonical form: letter and digits ("C3857").
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The section letter ('C').
    pub fn section(&self) -> char {
        self.0.chars().next().unwrap_or('?')
    }

    /// The digits after the letter ("3857"; empty for a section).
    pub fn digits(&self) -> &str {
        self.0.get(1..).unwrap_or_default()
    }

    /// The two-digit division ("38"); `None` for a bare section.
    pub fn division(&self) -> Option<&str> {
        self.digits().get(..2)
    }

    /// 门类, 大类, 中类 or 小类.
    pub fn level(&self) -> IndustryLevel {
        match self.digits().len() {
            0 => IndustryLevel::Section,
            2 => IndustryLevel::Division,
            3 => IndustryLevel::Group,
            _ => IndustryLevel::Class,
        }
    }

    /// Name of the section ("制造业").
    pub fn section_name(&self) -> &'static str {
        section_name_of(self.section())
    }

    /// Name of the division ("电气机械和器材制造业"); `None` for a bare section.
    pub fn division_name(&self) -> Option<&'static str> {
        self.division().and_then(lookup_division).map(|d| d.name)
    }

    /// Whether `other` is this code or lies under it ("C38" contains "C3857").
    pub fn contains(&self, other: &IndustryCode) -> bool {
        other.0.starts_with(&self.0)
    }
}

fn section_name_of(letter: char) -> &'static str {
    lookup_section(letter).map(|s| s.name).unwrap_or_default()
}

impl fmt::Display for IndustryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for IndustryCode {
    type Err = IndustryCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        IndustryCode::parse(s)
    }
}

impl TryFrom<String> for IndustryCode {
    type Error = IndustryCodeError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        IndustryCode::parse(&s)
    }
}

impl From<IndustryCode> for String {
    fn from(c: IndustryCode) -> String {
        c.0
    }
}

impl AsRef<str> for IndustryCode {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ic(s: &str) -> IndustryCode {
        IndustryCode::parse(s).unwrap()
    }

    #[test]
    fn embedded_table_has_20_sections_and_97_divisions() {
        check_data().unwrap();
        let secs = sections();
        assert_eq!(secs.len(), 20);
        let letters: String = secs.iter().map(|s| s.code).collect();
        assert_eq!(letters, "ABCDEFGHIJKLMNOPQRST");
        let divs: Vec<_> = industries()
            .iter()
            .filter(|i| i.level == IndustryLevel::Division)
            .collect();
        assert_eq!(divs.len(), 97);
        for (i, d) in divs.iter().enumerate() {
            assert_eq!(d.code, format!("{:02}", i + 1));
        }
    }

    #[test]
    fn section_ranges_follow_the_standard() {
        let range = |s: char| {
            let d = divisions_of(s);
            (d[0].code, d[d.len() - 1].code, d.len())
        };
        assert_eq!(range('A'), ("01", "05", 5));
        assert_eq!(range('B'), ("06", "12", 7));
        assert_eq!(range('C'), ("13", "43", 31));
        assert_eq!(range('D'), ("44", "46", 3));
        assert_eq!(range('E'), ("47", "50", 4));
        assert_eq!(range('F'), ("51", "52", 2));
        assert_eq!(range('G'), ("53", "60", 8));
        assert_eq!(range('H'), ("61", "62", 2));
        assert_eq!(range('I'), ("63", "65", 3));
        assert_eq!(range('J'), ("66", "69", 4));
        assert_eq!(range('K'), ("70", "70", 1));
        assert_eq!(range('L'), ("71", "72", 2));
        assert_eq!(range('M'), ("73", "75", 3));
        assert_eq!(range('N'), ("76", "79", 4));
        assert_eq!(range('O'), ("80", "82", 3));
        assert_eq!(range('P'), ("83", "83", 1));
        assert_eq!(range('Q'), ("84", "85", 2));
        assert_eq!(range('R'), ("86", "90", 5));
        assert_eq!(range('S'), ("91", "96", 6));
        assert_eq!(range('T'), ("97", "97", 1));
    }

    #[test]
    fn names() {
        assert_eq!(lookup_section('C').unwrap().name, "制造业");
        assert_eq!(lookup_division("38").unwrap().name, "电气机械和器材制造业");
        assert_eq!(
            lookup_division("39").unwrap().name,
            "计算机、通信和其他电子设备制造业"
        );
        assert_eq!(
            lookup_section('D').unwrap().name,
            "电力、热力、燃气及水生产和供应业"
        );
        assert_eq!(
            lookup_division("05").unwrap().name,
            "农、林、牧、渔专业及辅助性活动"
        );
        assert_eq!(
            lookup_division("25").unwrap().name,
            "石油、煤炭及其他燃料加工业"
        );
        assert_eq!(lookup_division("79").unwrap().name, "土地管理业");
        assert_eq!(lookup_division("97").unwrap().name, "国际组织");
    }

    #[test]
    fn parse_all_forms() {
        let c = ic("C3857");
        assert_eq!(c.as_str(), "C3857");
        assert_eq!(c.section(), 'C');
        assert_eq!(c.division(), Some("38"));
        assert_eq!(c.digits(), "3857");
        assert_eq!(c.level(), IndustryLevel::Class);
        assert_eq!(c.section_name(), "制造业");
        assert_eq!(c.division_name(), Some("电气机械和器材制造业"));

        assert_eq!(ic("C").level(), IndustryLevel::Section);
        assert_eq!(ic("C").division(), None);
        assert_eq!(ic("C").division_name(), None);
        assert_eq!(ic("C38").level(), IndustryLevel::Division);
        assert_eq!(ic("C385").level(), IndustryLevel::Group);
        // Bare digits: the section comes from the division.
        assert_eq!(ic("3857"), c);
        assert_eq!(ic("38").as_str(), "C38");
        assert_eq!(ic("385").as_str(), "C385");
        assert_eq!(ic("0111").as_str(), "A0111");
        assert_eq!(ic("6510").section_name(), "信息传输、软件和信息技术服务业");
        // Lower case and surrounding blanks are tolerated.
        assert_eq!(ic(" c3857 "), c);
        assert!(ic("C38").contains(&c));
        assert!(ic("C").contains(&c));
        assert!(!ic("C39").contains(&c));
    }

    #[test]
    fn errors_name_the_problem() {
        assert_eq!(
            IndustryCode::parse("C01").unwrap_err().to_string(),
            "行业代码「C01」有误：大类01属于门类A（农、林、牧、渔业），不属于门类C（制造业）"
        );
        assert_eq!(
            IndustryCode::parse("U").unwrap_err().to_string(),
            "国民经济行业门类「U」不存在（GB/T 4754-2017 的门类为 A 至 T）"
        );
        assert_eq!(
            IndustryCode::parse("98").unwrap_err(),
            IndustryCodeError::UnknownDivision {
                division: "98".into()
            }
        );
        assert_eq!(
            IndustryCode::parse("C00").unwrap_err(),
            IndustryCodeError::UnknownDivision {
                division: "00".into()
            }
        );
        for bad in [
            "C3",
            "C38571",
            "3",
            "38571",
            "C-38",
            "CC38",
            "C38a",
            "制造业",
            "Ｃ38",
        ] {
            assert!(
                matches!(
                    IndustryCode::parse(bad),
                    Err(IndustryCodeError::Format { .. })
                ),
                "{bad}"
            );
        }
        assert_eq!(
            IndustryCode::parse(" ").unwrap_err(),
            IndustryCodeError::Empty
        );
        assert!(
            IndustryCode::parse("C3")
                .unwrap_err()
                .to_string()
                .starts_with("国民经济行业代码「C3」格式不对")
        );
        assert!(
            IndustryCode::parse("C01")
                .unwrap_err()
                .message_en()
                .contains("section A")
        );
    }

    #[test]
    fn serde_as_canonical_string() {
        let c = ic("3857");
        assert_eq!(serde_json::to_string(&c).unwrap(), "\"C3857\"");
        let back: IndustryCode = serde_json::from_str("\"C3857\"").unwrap();
        assert_eq!(back, c);
        assert!(serde_json::from_str::<IndustryCode>("\"C01\"").is_err());
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in "\\PC{0,8}") {
            let _ = IndustryCode::parse(&s);
        }

        #[test]
        fn parsed_codes_round_trip(s in "[A-Za-z]?[0-9]{0,4}") {
            if let Ok(c) = IndustryCode::parse(&s) {
                prop_assert_eq!(IndustryCode::parse(c.as_str()).unwrap(), c.clone());
                prop_assert!(lookup_section(c.section()).is_some());
                if let Some(d) = c.division() {
                    let row = lookup_division(d).unwrap();
                    prop_assert_eq!(row.parent, Some(c.as_str().get(..1).unwrap()));
                }
            }
        }
    }
}
