//! SME size classification (中小企业划型标准规定, 工信部联企业〔2011〕300号), all 16 sectors.
//!
//! The thresholds are data (`data/sme_thresholds.toml`, compiled in). The standard's own
//! reading rule is used, which is **not** the criteria's comparator convention:
//! "X以下或Y以下的为中小微型企业" — an SME if *any* indicator is strictly below its
//! ceiling; "X及以上，且Y及以上" — medium/small if *all* indicators reach the floor
//! (inclusive); otherwise micro, because there "以下" excludes the bound (19 employees is
//! micro, 20 is not). Keep this apart from `criteria::Comparator`, where 以下 includes it.

use crate::declaration::{Figures, Size};
use rust_decimal::Decimal;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::LazyLock;

const THRESHOLDS_TOML: &str = include_str!("../../../data/sme_thresholds.toml");

/// One indicator of the 2011 standard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Indicator {
    /// 从业人员 (persons).
    Employees,
    /// 营业收入 (万元).
    Revenue,
    /// 资产总额 (万元).
    TotalAssets,
}

impl Indicator {
    pub fn name_zh(self) -> &'static str {
        match self {
            Indicator::Employees => "从业人员",
            Indicator::Revenue => "营业收入",
            Indicator::TotalAssets => "资产总额",
        }
    }
}

/// The indicator values of one enterprise (latest year). Money in 万元.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SizeInputs {
    pub employees: Option<u64>,
    pub revenue: Option<Decimal>,
    pub total_assets: Option<Decimal>,
}

impl SizeInputs {
    pub fn from_figures(f: &Figures) -> Self {
        SizeInputs {
            employees: f.employees,
            revenue: f.revenue.map(|w| w.amount()),
            total_assets: f.total_assets.map(|w| w.amount()),
        }
    }

    fn get(&self, i: Indicator) -> Option<Decimal> {
        match i {
            Indicator::Employees => self.employees.map(Decimal::from),
            Indicator::Revenue => self.revenue,
            Indicator::TotalAssets => self.total_assets,
        }
    }
}

/// One sector of the standard with its thresholds.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sector {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    #[serde(default)]
    divisions: Vec<String>,
    #[serde(default)]
    classes: Vec<String>,
    #[serde(default)]
    sections: Vec<String>,
    #[serde(default)]
    default: bool,
    /// SME if ANY indicator is strictly below its ceiling ("…以下或…以下").
    pub ceiling: BTreeMap<Indicator, Decimal>,
    /// Medium if ALL indicators are at or above ("…及以上，且…及以上").
    pub medium: BTreeMap<Indicator, Decimal>,
    /// Small if ALL indicators are at or above.
    pub small: BTreeMap<Indicator, Decimal>,
}

impl Sector {
    /// The indicators this sector's classification needs.
    pub fn indicators(&self) -> Vec<Indicator> {
        let mut v: Vec<Indicator> = self
            .ceiling
            .keys()
            .chain(self.medium.keys())
            .chain(self.small.keys())
            .copied()
            .collect();
        v.sort();
        v.dedup();
        v
    }

    /// Size by the 2011 rules, or `None` when an indicator the sector needs is missing.
    pub fn classify(&self, inputs: &SizeInputs) -> Option<Size> {
        let mut values = BTreeMap::new();
        for i in self.indicators() {
            values.insert(i, inputs.get(i)?);
        }
        let any_below = |m: &BTreeMap<Indicator, Decimal>| {
            m.iter()
                .any(|(i, bound)| values.get(i).is_some_and(|v| v < bound))
        };
        let all_at_least = |m: &BTreeMap<Indicator, Decimal>| {
            m.iter()
                .all(|(i, bound)| values.get(i).is_some_and(|v| v >= bound))
        };
        Some(if !any_below(&self.ceiling) {
            Size::Large
        } else if all_at_least(&self.medium) {
            Size::Medium
        } else if all_at_least(&self.small) {
            Size::Small
        } else {
            Size::Micro
        })
    }

    fn matches_digits(&self, digits: &str) -> u8 {
        if self.classes.iter().any(|c| digits.starts_with(c.as_str())) {
            return 2;
        }
        let Some(division) = digits.get(..2).and_then(|d| d.parse::<u8>().ok()) else {
            return 0;
        };
        let hit = self
            .divisions
            .iter()
            .any(|spec| match spec.split_once('-') {
                Some((lo, hi)) => match (lo.parse::<u8>(), hi.parse::<u8>()) {
                    (Ok(lo), Ok(hi)) => (lo..=hi).contains(&division),
                    _ => false,
                },
                None => spec.parse::<u8>().ok() == Some(division),
            });
        u8::from(hit)
    }
}

/// The whole standard.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmeStandard {
    pub source: String,
    #[serde(rename = "sector")]
    pub sectors: Vec<Sector>,
}

static STANDARD: LazyLock<Result<SmeStandard, String>> =
    LazyLock::new(|| toml::from_str(THRESHOLDS_TOML).map_err(|e| e.to_string()));

/// The compiled-in standard (`Err` only if `data/sme_thresholds.toml` is broken, which a
/// unit test rules out).
pub fn standard() -> Result<&'static SmeStandard, &'static str> {
    STANDARD.as_ref().map_err(String::as_str)
}

impl SmeStandard {
    pub fn sector(&self, id: &str) -> Option<&Sector> {
        self.sectors.iter().find(|s| s.id == id)
    }

    /// The sector of a GB/T 4754-2017 code such as "C3857", "3857", "F5123" or "K7020".
    /// A bare section letter maps only where it is unambiguous (e.g. "C" → 工业, but "F"
    /// could be 批发 or 零售 and gives `None`).
    pub fn sector_of(&self, industry_code: &str) -> Option<&Sector> {
        let code = industry_code.trim();
        let letter: String = code
            .chars()
            .take_while(|c| c.is_ascii_alphabetic())
            .collect();
        let digits = code.get(letter.len()..).unwrap_or("");
        if !digits.is_empty() {
            if digits.len() < 2 || !digits.chars().all(|c| c.is_ascii_digit()) {
                return None;
            }
            let best = self
                .sectors
                .iter()
                .map(|s| (s.matches_digits(digits), s))
                .filter(|(score, _)| *score > 0)
                .max_by_key(|(score, _)| *score)
                .map(|(_, s)| s);
            return best.or_else(|| self.sectors.iter().find(|s| s.default));
        }
        let letter = letter.to_ascii_uppercase();
        if letter.len() != 1 {
            return None;
        }
        self.sectors.iter().find(|s| s.sections.contains(&letter))
    }
}

/// Size of an enterprise from its industry code and latest-year indicators, or `None`
/// when the sector is unknown or an indicator the sector needs is missing.
pub fn classify(industry_code: &str, inputs: &SizeInputs) -> Option<Size> {
    standard().ok()?.sector_of(industry_code)?.classify(inputs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(e: Option<u64>, r: Option<i64>, a: Option<i64>) -> SizeInputs {
        SizeInputs {
            employees: e,
            revenue: r.map(Decimal::from),
            total_assets: a.map(Decimal::from),
        }
    }

    fn size(code: &str, e: Option<u64>, r: Option<i64>, a: Option<i64>) -> Option<Size> {
        classify(code, &inputs(e, r, a))
    }

    #[test]
    fn thresholds_file_parses_with_sixteen_sectors() {
        let std = standard().unwrap();
        assert_eq!(std.sectors.len(), 16);
        assert!(std.source.contains("工信部联企业〔2011〕300号"));
        assert_eq!(std.sectors.iter().filter(|s| s.default).count(), 1);
        for s in &std.sectors {
            assert!(
                !s.ceiling.is_empty() && !s.medium.is_empty() && !s.small.is_empty(),
                "{}",
                s.id
            );
        }
    }

    #[test]
    fn sector_mapping_follows_gbt4754() {
        let std = standard().unwrap();
        let id = |c: &str| std.sector_of(c).map(|s| s.id.as_str());
        assert_eq!(id("C3857"), Some("industry"));
        assert_eq!(id("3857"), Some("industry"));
        assert_eq!(id("B0610"), Some("industry"));
        assert_eq!(id("D4411"), Some("industry"));
        assert_eq!(id("E4710"), Some("construction"));
        assert_eq!(id("F5123"), Some("wholesale"));
        assert_eq!(id("F5211"), Some("retail"));
        assert_eq!(id("G5320"), Some("transport"));
        assert_eq!(id("G5810"), Some("transport"));
        assert_eq!(id("G5910"), Some("warehousing"));
        assert_eq!(id("G6010"), Some("postal"));
        assert_eq!(id("H6110"), Some("accommodation"));
        assert_eq!(id("H6210"), Some("catering"));
        assert_eq!(id("I6311"), Some("info_transmission"));
        assert_eq!(id("I6410"), Some("info_transmission"));
        assert_eq!(id("I6510"), Some("software"));
        assert_eq!(id("K7010"), Some("real_estate"));
        assert_eq!(id("K7020"), Some("property_management"));
        assert_eq!(id("L7111"), Some("leasing_business"));
        assert_eq!(id("L7212"), Some("leasing_business"));
        assert_eq!(id("A0111"), Some("agriculture"));
        assert_eq!(id("M7320"), Some("other"));
        assert_eq!(id("J6620"), Some("other"));
        assert_eq!(id("C"), Some("industry"));
        assert_eq!(id("F"), None);
        assert_eq!(id("C3x"), None);
        assert_eq!(id(""), None);
    }

    #[test]
    fn industry_bounds() {
        use Size::*;
        let c = "C3857";
        // 299 employees + huge revenue: an SME ("或"), and small (medium needs both ≥).
        assert_eq!(size(c, Some(299), Some(1_000_000), None), Some(Small));
        // 1500 employees but revenue < 40000: SME, medium.
        assert_eq!(size(c, Some(1500), Some(30000), None), Some(Medium));
        assert_eq!(size(c, Some(300), Some(2000), None), Some(Medium));
        assert_eq!(size(c, Some(300), Some(1999), None), Some(Small));
        assert_eq!(size(c, Some(20), Some(300), None), Some(Small));
        assert_eq!(size(c, Some(19), Some(300), None), Some(Micro));
        assert_eq!(size(c, Some(20), Some(299), None), Some(Micro));
        assert_eq!(size(c, Some(1000), Some(40000), None), Some(Large));
        assert_eq!(size(c, Some(999), Some(40000), None), Some(Medium));
        assert_eq!(size(c, Some(1000), Some(39999), None), Some(Medium));
        assert_eq!(size(c, Some(1000), None, None), None);
    }

    /// Every sector at each bound: (code, indicators at the ceiling → large; one unit
    /// under a ceiling → SME; medium floor → medium; one under → small; small floor →
    /// small; one under → micro).
    #[test]
    fn every_sector_bounds() {
        use Size::*;
        // (code, ceiling, medium, small) as (employees, revenue, assets) triples.
        type T = (Option<u64>, Option<i64>, Option<i64>);
        let cases: [(&str, T, T, T); 16] = [
            (
                "A0111",
                (None, Some(20000), None),
                (None, Some(500), None),
                (None, Some(50), None),
            ),
            (
                "C3857",
                (Some(1000), Some(40000), None),
                (Some(300), Some(2000), None),
                (Some(20), Some(300), None),
            ),
            (
                "E4710",
                (None, Some(80000), Some(80000)),
                (None, Some(6000), Some(5000)),
                (None, Some(300), Some(300)),
            ),
            (
                "F5123",
                (Some(200), Some(40000), None),
                (Some(20), Some(5000), None),
                (Some(5), Some(1000), None),
            ),
            (
                "F5211",
                (Some(300), Some(20000), None),
                (Some(50), Some(500), None),
                (Some(10), Some(100), None),
            ),
            (
                "G5430",
                (Some(1000), Some(30000), None),
                (Some(300), Some(3000), None),
                (Some(20), Some(200), None),
            ),
            (
                "G5910",
                (Some(200), Some(30000), None),
                (Some(100), Some(1000), None),
                (Some(20), Some(100), None),
            ),
            (
                "G6010",
                (Some(1000), Some(30000), None),
                (Some(300), Some(2000), None),
                (Some(20), Some(100), None),
            ),
            (
                "H6110",
                (Some(300), Some(10000), None),
                (Some(100), Some(2000), None),
                (Some(10), Some(100), None),
            ),
            (
                "H6210",
                (Some(300), Some(10000), None),
                (Some(100), Some(2000), None),
                (Some(10), Some(100), None),
            ),
            (
                "I6311",
                (Some(2000), Some(100000), None),
                (Some(100), Some(1000), None),
                (Some(10), Some(100), None),
            ),
            (
                "I6510",
                (Some(300), Some(10000), None),
                (Some(100), Some(1000), None),
                (Some(10), Some(50), None),
            ),
            (
                "K7010",
                (None, Some(200000), Some(10000)),
                (None, Some(1000), Some(5000)),
                (None, Some(100), Some(2000)),
            ),
            (
                "K7020",
                (Some(1000), Some(5000), None),
                (Some(300), Some(1000), None),
                (Some(100), Some(500), None),
            ),
            (
                "L7212",
                (Some(300), None, Some(120000)),
                (Some(100), None, Some(8000)),
                (Some(10), None, Some(100)),
            ),
            (
                "P8310",
                (Some(300), None, None),
                (Some(100), None, None),
                (Some(10), None, None),
            ),
        ];
        let minus_one =
            |t: T| -> T { (t.0.map(|v| v - 1), t.1.map(|v| v - 1), t.2.map(|v| v - 1)) };
        // Lower only the first present indicator by one.
        let first_minus_one = |t: T| -> T {
            if let Some(e) = t.0 {
                (Some(e - 1), t.1, t.2)
            } else if let Some(r) = t.1 {
                (t.0, Some(r - 1), t.2)
            } else {
                (t.0, t.1, t.2.map(|a| a - 1))
            }
        };
        let last_minus_one = |t: T| -> T {
            if let Some(a) = t.2 {
                (t.0, t.1, Some(a - 1))
            } else if let Some(r) = t.1 {
                (t.0, Some(r - 1), t.2)
            } else {
                (t.0.map(|e| e - 1), t.1, t.2)
            }
        };
        for (code, ceiling, medium, small) in cases {
            let s = |t: T| size(code, t.0, t.1, t.2);
            assert_eq!(s(ceiling), Some(Large), "{code} at ceiling");
            // "以下" excludes the bound: one under any ceiling indicator makes an SME.
            assert_ne!(
                s(first_minus_one(ceiling)),
                Some(Large),
                "{code} under first ceiling"
            );
            assert_ne!(
                s(last_minus_one(ceiling)),
                Some(Large),
                "{code} under last ceiling"
            );
            // "及以上" includes the bound.
            assert_eq!(s(medium), Some(Medium), "{code} at medium floor");
            assert_eq!(
                s(first_minus_one(medium)),
                Some(Small),
                "{code} under medium (first)"
            );
            assert_eq!(
                s(last_minus_one(medium)),
                Some(Small),
                "{code} under medium (last)"
            );
            assert_eq!(s(small), Some(Small), "{code} at small floor");
            assert_eq!(
                s(first_minus_one(small)),
                Some(Micro),
                "{code} under small (first)"
            );
            assert_eq!(
                s(last_minus_one(small)),
                Some(Micro),
                "{code} under small (last)"
            );
            assert_eq!(s(minus_one(small)), Some(Micro), "{code} under small (all)");
        }
    }
}
