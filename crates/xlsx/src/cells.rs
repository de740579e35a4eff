//! Reading one cell the way officials fill it in Excel or WPS: numbers stored as text,
//! thousands separators (1,234.5), full-width digits and spaces (１２３　), dates as Excel
//! serial numbers or as text, 是/否 in several spellings. Each function answers the value
//! or a Chinese reason that names what to fix; none panics.

use crate::schema::Choices;
use chrono::{Duration, NaiveDate};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use std::str::FromStr;

/// Significant digits Excel keeps in a number; a value with more cannot survive a
/// spreadsheet and is refused rather than silently rounded.
pub const EXCEL_DIGITS: u32 = 15;

/// A cell's content, independent of the reader library.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Empty,
    Text(String),
    Num(f64),
    Bool(bool),
    /// An Excel date-time serial (days since 1899-12-30).
    Date(f64),
    /// An ISO 8601 date or date-time as text (from cells stored that way).
    IsoDate(String),
    /// An error value such as #DIV/0!.
    Error(String),
}

impl Val {
    /// Empty, or text that is only spaces.
    pub fn is_blank(&self) -> bool {
        match self {
            Val::Empty => true,
            Val::Text(s) => trim(s).is_empty(),
            _ => false,
        }
    }

    /// The content as the user sees it, for error messages.
    pub fn shown(&self) -> String {
        match self {
            Val::Empty => String::new(),
            Val::Text(s) => s.trim().to_string(),
            Val::Num(f) => excel_decimal(*f)
                .map(|d| d.to_string())
                .unwrap_or_else(|| f.to_string()),
            Val::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
            Val::Date(f) => serial_to_date(*f)
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_else(|| f.to_string()),
            Val::IsoDate(s) => s.clone(),
            Val::Error(e) => e.clone(),
        }
    }
}

/// Trims ASCII and Unicode white space, including the ideographic space U+3000 and
/// no-break spaces.
pub fn trim(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}' || c == '\u{200b}')
}

/// Full-width ASCII forms (０–９, Ａ–Ｚ, ，．－ …) to ASCII and U+3000 to a space.
pub fn fold_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            c => c,
        })
        .collect()
}

/// A number as Excel shows it: rounded to [`EXCEL_DIGITS`] significant digits, so that
/// 0.1+0.2 computed by a formula reads as 0.3 and an amount written from a decimal comes
/// back as the same decimal.
pub fn excel_decimal(f: f64) -> Option<Decimal> {
    if !f.is_finite() {
        return None;
    }
    if f == 0.0 {
        return Some(Decimal::ZERO);
    }
    let text = format!("{:.*e}", (EXCEL_DIGITS - 1) as usize, f);
    Decimal::from_scientific(&text).ok().map(|d| d.normalize())
}

/// Whether a decimal survives the trip through an Excel number unchanged.
pub fn fits_excel(d: Decimal) -> bool {
    to_f64(d).and_then(excel_decimal) == Some(d.normalize())
}

/// The binary number nearest to a decimal (through its text, as a spreadsheet does).
pub fn to_f64(d: Decimal) -> Option<f64> {
    d.to_string().parse::<f64>().ok().filter(|f| f.is_finite())
}

/// Text of a free-text cell (names, descriptions). Numbers are accepted as their digits.
pub fn text(v: &Val) -> Result<Option<String>, String> {
    match v {
        Val::Empty => Ok(None),
        Val::Text(s) => {
            let t = trim(s);
            Ok((!t.is_empty()).then(|| t.to_string()))
        }
        Val::Num(_) => Ok(Some(v.shown())),
        Val::Bool(_) => Err("应为文字，实为逻辑值 TRUE/FALSE".into()),
        Val::Date(_) | Val::IsoDate(_) => Ok(Some(v.shown())),
        Val::Error(e) => Err(error_value(e)),
    }
}

/// A code typed as text (industry code, county code, edition): full-width forms folded;
/// a code typed as a number (330784) is read as its digits.
pub fn code(v: &Val) -> Result<Option<String>, String> {
    match v {
        Val::Num(f) if f.fract() != 0.0 || *f < 0.0 => {
            Err("应为代码（文字），实为带小数或负号的数字".into())
        }
        Val::Date(_) | Val::IsoDate(_) => {
            Err("被 Excel 识别成了日期；请把单元格格式设为「文本」后重新填写".into())
        }
        _ => Ok(text(v)?.map(|t| {
            let folded = fold_width(&t);
            trim(&folded).to_string()
        })),
    }
}

/// 统一社会信用代码 (GB 32100-2015): kept as declared (its check character is the
/// criteria engine's `X.uscc` check, SPEC §3), but it must be 18 characters.
pub fn uscc(v: &Val) -> Result<Option<String>, String> {
    if let Val::Num(_) = v {
        return Err(
            "统一社会信用代码被存成了数字（Excel 只保留15位有效数字，末几位可能已丢失）；请把该列设为「文本」格式后重新填写"
                .into(),
        );
    }
    let Some(code) = code(v)? else {
        return Ok(None);
    };
    let n = code.chars().count();
    if n != 18 {
        return Err(format!("统一社会信用代码应为18位，实为{n}位"));
    }
    Ok(Some(code))
}

/// A number cell: a number, or text such as "1,234.5", "１２３", " 42 ".
pub fn number(v: &Val) -> Result<Option<Decimal>, String> {
    match v {
        Val::Empty => Ok(None),
        Val::Num(f) => excel_decimal(*f)
            .map(Some)
            .ok_or_else(|| "数值过大，无法读取".to_string()),
        Val::Text(s) => {
            if trim(s).is_empty() {
                return Ok(None);
            }
            let d = decimal_text(s)?;
            if !fits_excel(d) {
                return Err(format!(
                    "有效数字超过{EXCEL_DIGITS}位，Excel 无法精确保存；请减少位数"
                ));
            }
            Ok(Some(d))
        }
        Val::Bool(_) => Err("应为数字，实为逻辑值 TRUE/FALSE".into()),
        Val::Date(_) | Val::IsoDate(_) => Err(
            "应为数字，实为日期（单元格格式被设成了日期；请改为「常规」或「数值」后重新填写）"
                .into(),
        ),
        Val::Error(e) => Err(error_value(e)),
    }
}

/// Parses a number typed as text.
fn decimal_text(s: &str) -> Result<Decimal, String> {
    let folded = fold_width(s);
    let t: String = folded
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{feff}' && *c != '\u{200b}')
        .collect();
    let not_a_number = || format!("「{}」不是数字", trim(s));
    if t.contains(',') && !thousands_ok(&t) {
        return Err(format!(
            "「{}」不是数字（千分位逗号应每三位一个，小数点用「.」）",
            trim(s)
        ));
    }
    let plain: String = t.chars().filter(|c| *c != ',').collect();
    let plain = plain.strip_prefix('+').unwrap_or(&plain);
    if plain.is_empty()
        || !plain
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | 'e' | 'E' | '+'))
    {
        return Err(not_a_number());
    }
    Decimal::from_str(plain)
        .ok()
        .or_else(|| Decimal::from_scientific(plain).ok())
        .map(|d| d.normalize())
        .ok_or_else(not_a_number)
}

/// "1,234,567.5": groups of three digits after the first.
fn thousands_ok(t: &str) -> bool {
    let body = t.strip_prefix(['-', '+']).unwrap_or(t);
    let int = body.split('.').next().unwrap_or("");
    let mut groups = int.split(',');
    let first_ok = groups
        .next()
        .is_some_and(|g| (1..=3).contains(&g.len()) && g.chars().all(|c| c.is_ascii_digit()));
    first_ok
        && groups.all(|g| g.len() == 3 && g.chars().all(|c| c.is_ascii_digit()))
        && !body.split('.').skip(1).any(|frac| frac.contains(','))
}

/// A whole number (人, 件) that may still be negative (the declaration parser reports that).
pub fn count(v: &Val) -> Result<Option<Decimal>, String> {
    match number(v)? {
        None => Ok(None),
        Some(d) if d.fract().is_zero() => Ok(Some(d)),
        Some(d) => Err(format!("应为整数，实为 {d}")),
    }
}

/// A year: 2021, "2021", "2021年", "２０２１".
pub fn year(v: &Val) -> Result<Option<i32>, String> {
    let d = match v {
        Val::Text(s) => {
            let folded = fold_width(s);
            let t = trim(&folded);
            let t = t.strip_suffix('年').unwrap_or(t);
            if t.is_empty() {
                return Ok(None);
            }
            number(&Val::Text(t.to_string()))?
        }
        other => number(other)?,
    };
    let Some(d) = d else { return Ok(None) };
    match d.to_i32() {
        Some(y) if d.fract().is_zero() && (1900..=2100).contains(&y) => Ok(Some(y)),
        _ => Err(format!("「{d}」不是年份（应为四位年份，如 2021）")),
    }
}

/// A list of years: "2019、2020、2021".
pub fn year_list(v: &Val) -> Result<Option<Vec<i32>>, String> {
    match v {
        Val::Num(_) => Ok(year(v)?.map(|y| vec![y])),
        Val::Empty => Ok(None),
        _ => {
            let Some(t) = text(v)? else { return Ok(None) };
            let mut out = Vec::new();
            for part in split_list(&t) {
                match year(&Val::Text(part.clone()))? {
                    Some(y) => out.push(y),
                    None => return Err(format!("「{part}」不是年份")),
                }
            }
            Ok(Some(out))
        }
    }
}

/// A list of codes: "C3321、C3322".
pub fn code_list(v: &Val) -> Result<Option<Vec<String>>, String> {
    let Some(t) = code(v)? else { return Ok(None) };
    Ok(Some(split_list(&t)))
}

/// Splits on 、 , ， ; ； / and white space, dropping empty parts.
pub fn split_list(s: &str) -> Vec<String> {
    let folded = fold_width(s);
    folded
        .split(|c: char| matches!(c, '、' | ',' | ';' | '/' | '|') || c.is_whitespace())
        .map(|p| trim(p).to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

/// 是/否, also Y/N, yes/no, true/false, 1/0, √/×, 有/无 and logical cells.
pub fn yes_no(v: &Val) -> Result<Option<bool>, String> {
    match v {
        Val::Empty => Ok(None),
        Val::Bool(b) => Ok(Some(*b)),
        Val::Num(f) if *f == 1.0 => Ok(Some(true)),
        Val::Num(f) if *f == 0.0 => Ok(Some(false)),
        Val::Text(s) => {
            let folded = fold_width(s);
            let t = trim(&folded).to_lowercase();
            match t.as_str() {
                "" => Ok(None),
                "是" | "y" | "yes" | "true" | "1" | "√" | "✓" | "有" | "对" => {
                    Ok(Some(true))
                }
                "否" | "n" | "no" | "false" | "0" | "×" | "✗" | "无" | "不是" => {
                    Ok(Some(false))
                }
                _ => Err(format!("「{}」应填「是」或「否」", trim(s))),
            }
        }
        Val::Error(e) => Err(error_value(e)),
        _ => Err(format!("「{}」应填「是」或「否」", v.shown())),
    }
}

/// One value of a dropdown list: its label, its JSON value or an accepted alias. For an
/// open list, anything else is kept as typed.
pub fn choice(v: &Val, choices: &Choices) -> Result<Option<String>, String> {
    let Some(t) = text(v)? else { return Ok(None) };
    let key = strip_quotes(&fold_width(&t));
    for (label, value) in choices.options.iter().chain(choices.aliases.iter()) {
        if strip_quotes(label) == key || value.eq_ignore_ascii_case(&key) {
            return Ok(Some((*value).to_string()));
        }
    }
    if choices.open {
        return Ok(Some(t));
    }
    Err(format!(
        "「{t}」不是可选值（可选：{}）",
        choices.labels().join("、")
    ))
}

fn strip_quotes(s: &str) -> String {
    s.chars()
        .filter(|c| {
            !c.is_whitespace() && !matches!(c, '“' | '”' | '"' | '「' | '」' | '‘' | '’' | '\'')
        })
        .collect()
}

/// A date, as "YYYY-MM-DD": an Excel date, a serial number, or text such as 2021-05-01,
/// 2021/5/1, 2021.5.1, 2021年5月1日, 20210501.
pub fn date(v: &Val) -> Result<Option<String>, String> {
    let bad = |s: &str| format!("「{s}」不是日期（应为 年-月-日，如 2021-05-01）");
    let d = match v {
        Val::Empty => return Ok(None),
        Val::Date(f) | Val::Num(f) => {
            serial_to_date(*f).ok_or_else(|| format!("「{}」不是有效的 Excel 日期", v.shown()))?
        }
        Val::IsoDate(s) => {
            let head: String = s.chars().take(10).collect();
            NaiveDate::parse_from_str(&head, "%Y-%m-%d").map_err(|_| bad(s))?
        }
        Val::Text(s) => {
            let folded = fold_width(s);
            let t = trim(&folded);
            if t.is_empty() {
                return Ok(None);
            }
            let parts: Vec<&str> = if t.len() == 8 && t.chars().all(|c| c.is_ascii_digit()) {
                vec![&t[0..4], &t[4..6], &t[6..8]]
            } else {
                t.split(['-', '/', '.', '年', '月', '日'])
                    .filter(|p| !p.is_empty())
                    .collect()
            };
            let nums: Vec<u32> = parts.iter().filter_map(|p| p.parse().ok()).collect();
            match (parts.len(), nums.as_slice()) {
                (3, [y, m, d]) if parts[0].len() == 4 => {
                    let text = format!("{y:04}-{m:02}-{d:02}");
                    // A date that does not exist (2021-02-30) is passed on as text, so that
                    // the declaration check reports it ("不存在") against this cell.
                    return Ok(Some(text));
                }
                _ => return Err(bad(trim(s))),
            }
        }
        Val::Bool(_) => return Err("应为日期，实为逻辑值 TRUE/FALSE".into()),
        Val::Error(e) => return Err(error_value(e)),
    };
    Ok(Some(d.format("%Y-%m-%d").to_string()))
}

/// An Excel serial (1900 date system) as a calendar date.
pub fn serial_to_date(serial: f64) -> Option<NaiveDate> {
    if !serial.is_finite() || !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let days = serial.floor() as i64;
    // Excel counts a 29 February 1900 that did not exist (serial 60).
    if days == 60 {
        return None;
    }
    let base = NaiveDate::from_ymd_opt(1899, 12, 31)?;
    let offset = if days < 60 { days } else { days - 1 };
    base.checked_add_signed(Duration::days(offset))
}

/// The Excel serial of a date (for writing dates as dates).
pub fn date_to_serial(d: NaiveDate) -> f64 {
    let base = NaiveDate::from_ymd_opt(1899, 12, 30).unwrap_or_default();
    (d - base).num_days() as f64
}

fn error_value(e: &str) -> String {
    format!("单元格是错误值 {e}；请修正公式或填写数值")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::schema::{OPERATOR_TYPES, SIZES, TITLES};

    fn t(s: &str) -> Val {
        Val::Text(s.to_string())
    }

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn numbers_as_users_type_them() {
        assert_eq!(number(&t("1,234.5")).unwrap(), Some(dec("1234.5")));
        assert_eq!(number(&t("１２３")).unwrap(), Some(dec("123")));
        assert_eq!(
            number(&t("　１，２３４．５　")).unwrap(),
            Some(dec("1234.5"))
        );
        assert_eq!(number(&t(" 42 ")).unwrap(), Some(dec("42")));
        assert_eq!(number(&t("-3")).unwrap(), Some(dec("-3")));
        assert_eq!(number(&t("1.5E3")).unwrap(), Some(dec("1500")));
        assert_eq!(number(&Val::Num(86.5)).unwrap(), Some(dec("86.5")));
        assert_eq!(number(&Val::Num(0.1 + 0.2)).unwrap(), Some(dec("0.3")));
        assert_eq!(number(&t("   ")).unwrap(), None);
        assert!(number(&t("12,34")).is_err());
        assert!(number(&t("1.234,5")).is_err());
        assert!(number(&t("约100")).unwrap_err().contains("不是数字"));
        assert!(
            number(&t("0.12345678901234567"))
                .unwrap_err()
                .contains("15")
        );
        assert!(number(&Val::Bool(true)).is_err());
        assert!(number(&Val::Date(44000.0)).unwrap_err().contains("日期"));
        assert!(
            number(&Val::Error("#DIV/0!".into()))
                .unwrap_err()
                .contains("#DIV/0!")
        );
    }

    #[test]
    fn decimals_survive_excel_numbers() {
        for s in [
            "86.5",
            "41.7",
            "0.24",
            "531660",
            "0.0000001",
            "999999999999.99",
        ] {
            let d = dec(s);
            assert!(fits_excel(d), "{s}");
            assert_eq!(
                excel_decimal(to_f64(d).unwrap()),
                Some(d.normalize()),
                "{s}"
            );
        }
        assert!(!fits_excel(dec("0.12345678901234567")));
    }

    #[test]
    fn counts_and_years() {
        assert_eq!(count(&t("420")).unwrap(), Some(dec("420")));
        assert!(count(&t("3.5")).unwrap_err().contains("整数"));
        assert_eq!(year(&t("2021年")).unwrap(), Some(2021));
        assert_eq!(year(&t("２０２１")).unwrap(), Some(2021));
        assert_eq!(year(&Val::Num(2021.0)).unwrap(), Some(2021));
        assert!(year(&t("21")).is_err());
        assert_eq!(
            year_list(&t("2019、2020，2021")).unwrap(),
            Some(vec![2019, 2020, 2021])
        );
        assert_eq!(year_list(&Val::Num(2021.0)).unwrap(), Some(vec![2021]));
    }

    #[test]
    fn codes_and_uscc() {
        assert_eq!(code(&Val::Num(330784.0)).unwrap(), Some("330784".into()));
        assert_eq!(code(&t(" Ｃ３３２１ ")).unwrap(), Some("C3321".into()));
        assert_eq!(
            uscc(&t(" 91330784MA2001037D　")).unwrap(),
            Some("91330784MA2001037D".into())
        );
        // A wrong check character is not an import error.
        assert_eq!(
            uscc(&t("91330784MA2001037X")).unwrap(),
            Some("91330784MA2001037X".into())
        );
        assert!(uscc(&t("9133078")).unwrap_err().contains("18位，实为7位"));
        assert!(uscc(&Val::Num(9.13e17)).unwrap_err().contains("文本"));
        assert_eq!(
            code_list(&t("C3321、C3322, C3323")).unwrap(),
            Some(vec!["C3321".into(), "C3322".into(), "C3323".into()])
        );
    }

    #[test]
    fn yes_no_and_choices() {
        assert_eq!(yes_no(&t("是")).unwrap(), Some(true));
        assert_eq!(yes_no(&t(" 否 ")).unwrap(), Some(false));
        assert_eq!(yes_no(&Val::Bool(true)).unwrap(), Some(true));
        assert_eq!(yes_no(&t("Y")).unwrap(), Some(true));
        assert!(yes_no(&t("也许")).is_err());
        assert_eq!(choice(&t("中型"), &SIZES).unwrap(), Some("medium".into()));
        assert_eq!(choice(&t("medium"), &SIZES).unwrap(), Some("medium".into()));
        assert_eq!(
            choice(&t("专精特新\"小巨人\"企业"), &TITLES).unwrap(),
            Some("little_giant".into())
        );
        assert_eq!(
            choice(&t("专精特新“小巨人”企业"), &TITLES).unwrap(),
            Some("little_giant".into())
        );
        let e = choice(&t("巨型"), &SIZES).unwrap_err();
        assert!(e.contains("大型、中型、小型、微型"), "{e}");
        assert_eq!(
            choice(&t("产业联盟"), &OPERATOR_TYPES).unwrap(),
            Some("产业联盟".into())
        );
    }

    #[test]
    fn dates_in_every_spelling() {
        let want = Some("2021-05-01".to_string());
        for v in [
            t("2021-05-01"),
            t("2021/5/1"),
            t("2021.5.1"),
            t("2021年5月1日"),
            t("20210501"),
            t("２０２１－０５－０１"),
            Val::Date(44317.0),
            Val::Num(44317.0),
            Val::IsoDate("2021-05-01T00:00:00".into()),
        ] {
            assert_eq!(date(&v).unwrap(), want, "{v:?}");
        }
        // Passed on for the declaration check to report as a date that does not exist.
        assert_eq!(date(&t("2021-02-30")).unwrap(), Some("2021-02-30".into()));
        assert!(date(&t("五月一日")).is_err());
        assert_eq!(serial_to_date(1.0), NaiveDate::from_ymd_opt(1900, 1, 1));
        assert_eq!(serial_to_date(61.0), NaiveDate::from_ymd_opt(1900, 3, 1));
        let d = NaiveDate::from_ymd_opt(2021, 8, 12).unwrap();
        assert_eq!(serial_to_date(date_to_serial(d)), Some(d));
    }
}
