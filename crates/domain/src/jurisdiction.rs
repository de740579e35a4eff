//! The 37 provincial-level authorities (省级中小企业主管部门, 第四条, 第十三条) and which one a
//! division answers to.
//!
//! The seed (第四条) names them: 各省、自治区、直辖市 (31) 及计划单列市 (5)、新疆生产建设兵团
//! (1) — 37 in all. (SPEC §1's "36" is a miscount of that same list; the seed wins.)
//!
//! SPEC §1: "provincial-level" means the 31 provinces, the 5 cities with separate planning
//! status (计划单列市: 大连, 青岛, 宁波, 厦门, 深圳) and the Xinjiang Production and
//! Construction Corps (新疆生产建设兵团, XPCC). The counties of a 计划单列市 answer to that
//! city, not to its province, and the corps cities (石河子 659001 …) answer to the XPCC, not
//! to 新疆 — so jurisdiction is this explicit mapping, not a code prefix.
//!
//! The XPCC has no GB/T 2260 code of its own; it is keyed `660000` here (the code commonly
//! used for it in national statistical systems), which is not a division in the table.

use crate::division::{AdminCode, Level};
use serde::Serialize;

/// Kind of provincial-level authority.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthorityKind {
    /// 省、自治区、直辖市.
    Province,
    /// 计划单列市.
    PlanCity,
    /// 新疆生产建设兵团.
    Xpcc,
}

impl AuthorityKind {
    /// Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            AuthorityKind::Province => "省、自治区、直辖市",
            AuthorityKind::PlanCity => "计划单列市",
            AuthorityKind::Xpcc => "新疆生产建设兵团",
        }
    }
}

/// A provincial-level authority.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Authority {
    /// Organisation key: the province's `xx0000`, the city's `xxyy00`, or `660000` for the
    /// XPCC.
    pub code: &'static str,
    /// Name of the jurisdiction ("浙江省", "宁波市", "新疆生产建设兵团").
    pub name: &'static str,
    pub kind: AuthorityKind,
}

/// Organisation key of the XPCC.
pub const XPCC_CODE: &str = "660000";

/// County-level cities administered by the XPCC (师市合一), all under 新疆's
/// 自治区直辖县级行政区划 `659000`.
pub const XPCC_CITIES: [&str; 12] = [
    "659001", // 石河子市
    "659002", // 阿拉尔市
    "659003", // 图木舒克市
    "659004", // 五家渠市
    "659005", // 北屯市
    "659006", // 铁门关市
    "659007", // 双河市
    "659008", // 可克达拉市
    "659009", // 昆玉市
    "659010", // 胡杨河市
    "659011", // 新星市
    "659012", // 白杨市
];

const fn province(code: &'static str, name: &'static str) -> Authority {
    Authority {
        code,
        name,
        kind: AuthorityKind::Province,
    }
}

const fn plan_city(code: &'static str, name: &'static str) -> Authority {
    Authority {
        code,
        name,
        kind: AuthorityKind::PlanCity,
    }
}

/// The 37 authorities: provinces by code, then the 计划单列市 by code, then the XPCC.
static AUTHORITIES: [Authority; 37] = [
    province("110000", "北京市"),
    province("120000", "天津市"),
    province("130000", "河北省"),
    province("140000", "山西省"),
    province("150000", "内蒙古自治区"),
    province("210000", "辽宁省"),
    province("220000", "吉林省"),
    province("230000", "黑龙江省"),
    province("310000", "上海市"),
    province("320000", "江苏省"),
    province("330000", "浙江省"),
    province("340000", "安徽省"),
    province("350000", "福建省"),
    province("360000", "江西省"),
    province("370000", "山东省"),
    province("410000", "河南省"),
    province("420000", "湖北省"),
    province("430000", "湖南省"),
    province("440000", "广东省"),
    province("450000", "广西壮族自治区"),
    province("460000", "海南省"),
    province("500000", "重庆市"),
    province("510000", "四川省"),
    province("520000", "贵州省"),
    province("530000", "云南省"),
    province("540000", "西藏自治区"),
    province("610000", "陕西省"),
    province("620000", "甘肃省"),
    province("630000", "青海省"),
    province("640000", "宁夏回族自治区"),
    province("650000", "新疆维吾尔自治区"),
    plan_city("210200", "大连市"),
    plan_city("330200", "宁波市"),
    plan_city("350200", "厦门市"),
    plan_city("370200", "青岛市"),
    plan_city("440300", "深圳市"),
    Authority {
        code: XPCC_CODE,
        name: "新疆生产建设兵团",
        kind: AuthorityKind::Xpcc,
    },
];

/// All 37 provincial-level authorities (31 + 5 + 1).
pub fn authorities() -> &'static [Authority] {
    &AUTHORITIES
}

/// The authority keyed by `code` ("330000", "330200", "660000").
pub fn authority_by_code(code: &str) -> Option<&'static Authority> {
    let code = code.trim();
    AUTHORITIES.iter().find(|a| a.code == code)
}

/// The provincial-level authority a division answers to: a corps city → XPCC; anything in
/// a 计划单列市 (the city itself or its counties) → that city; everything else → its
/// province. `None` only if the code's province is unknown, which cannot happen for a code
/// from the table.
pub fn authority_for(code: &AdminCode) -> Option<&'static Authority> {
    let s = code.as_str();
    if code.level() == Level::County && XPCC_CITIES.contains(&s) {
        return authority_by_code(XPCC_CODE);
    }
    if code.level() != Level::Province
        && let Some(city) = AUTHORITIES
            .iter()
            .find(|a| a.kind == AuthorityKind::PlanCity && a.code[..4] == s[..4])
    {
        return Some(city);
    }
    authority_by_code(code.province().as_str())
}

impl Authority {
    /// Whether `code` answers to this authority (see [`authority_for`]).
    pub fn covers(&self, code: &AdminCode) -> bool {
        authority_for(code).is_some_and(|a| a.code == self.code)
    }

    /// The authority's own division (`None` for the XPCC, which has none).
    pub fn admin_code(&self) -> Option<AdminCode> {
        match self.kind {
            AuthorityKind::Xpcc => None,
            _ => AdminCode::parse(self.code).ok(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::division::{DivisionKind, divisions, lookup};
    use std::collections::HashSet;

    fn code(s: &str) -> AdminCode {
        AdminCode::parse(s).unwrap()
    }

    fn answer(s: &str) -> &'static str {
        authority_for(&code(s)).unwrap().name
    }

    #[test]
    fn thirty_seven_authorities() {
        // 31 provinces + 5 计划单列市 + XPCC (第四条); SPEC §1 says 36, a miscount.
        let all = authorities();
        assert_eq!(all.len(), 37);
        let count = |k| all.iter().filter(|a| a.kind == k).count();
        assert_eq!(count(AuthorityKind::Province), 31);
        assert_eq!(count(AuthorityKind::PlanCity), 5);
        assert_eq!(count(AuthorityKind::Xpcc), 1);
        let codes: HashSet<_> = all.iter().map(|a| a.code).collect();
        assert_eq!(codes.len(), 37);
    }

    #[test]
    fn names_agree_with_the_division_table() {
        for a in authorities() {
            match a.admin_code() {
                Some(c) => {
                    assert_eq!(c.name(), a.name, "{}", a.code);
                    let expected = match a.kind {
                        AuthorityKind::Province => Level::Province,
                        _ => Level::Prefecture,
                    };
                    assert_eq!(c.level(), expected);
                }
                None => {
                    assert_eq!(a.kind, AuthorityKind::Xpcc);
                    assert!(lookup(a.code).is_none());
                }
            }
        }
        // Every province of the table is an authority.
        for d in divisions().iter().filter(|d| d.level == Level::Province) {
            assert_eq!(authority_by_code(d.code.as_str()).unwrap().name, d.name);
        }
    }

    #[test]
    fn spec_examples() {
        assert_eq!(answer("330782"), "浙江省"); // 义乌
        assert_eq!(answer("330203"), "宁波市"); // 海曙区
        assert_eq!(answer("330200"), "宁波市");
        assert_eq!(answer("330000"), "浙江省");
        assert_eq!(answer("440305"), "深圳市"); // 南山区
        assert_eq!(answer("440106"), "广东省"); // 天河区
        assert_eq!(answer("659001"), "新疆生产建设兵团"); // 石河子
        assert_eq!(answer("650102"), "新疆维吾尔自治区"); // 天山区
        assert_eq!(answer("210202"), "大连市");
        assert_eq!(answer("370212"), "青岛市");
        assert_eq!(answer("350203"), "厦门市");
        assert_eq!(answer("330281"), "宁波市"); // 余姚 (county-level city)
        // The regional placeholder above the corps cities stays with 新疆.
        assert_eq!(answer("659000"), "新疆维吾尔自治区");
    }

    #[test]
    fn xpcc_cities_all_exist_and_answer_to_the_corps() {
        let xpcc = authority_by_code("660000").unwrap();
        for c in XPCC_CITIES {
            let c = code(c);
            assert_eq!(c.level(), Level::County);
            assert!(xpcc.covers(&c));
            assert!(!authority_by_code("650000").unwrap().covers(&c));
        }
    }

    #[test]
    fn no_division_is_covered_by_two_authorities() {
        let mut per_authority = vec![0usize; authorities().len()];
        for d in divisions() {
            let covering: Vec<_> = authorities()
                .iter()
                .enumerate()
                .filter(|(_, a)| a.covers(&d.code))
                .collect();
            assert_eq!(covering.len(), 1, "{} {}", d.code, d.name);
            per_authority[covering[0].0] += 1;
            if matches!(d.kind, DivisionKind::County | DivisionKind::StatZone) {
                assert!(authority_for(&d.code).is_some());
            }
        }
        // Every authority covers something.
        assert!(per_authority.iter().all(|&n| n > 0), "{per_authority:?}");
    }

    #[test]
    fn by_code() {
        assert_eq!(
            authority_by_code("330200").unwrap().kind,
            AuthorityKind::PlanCity
        );
        assert_eq!(
            authority_by_code("660000").unwrap().kind,
            AuthorityKind::Xpcc
        );
        assert!(authority_by_code("330700").is_none());
        assert!(authority_by_code("").is_none());
        let json = serde_json::to_value(authority_by_code("330200").unwrap()).unwrap();
        assert_eq!(json["kind"], "plan_city");
        assert_eq!(json["code"], "330200");
    }
}
