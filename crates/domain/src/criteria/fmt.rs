//! Rendering numbers with their units in Chinese or English ("38.2亿元", "70%", "15件/万人").

use super::Lang;
use super::metrics::Unit;
use rust_decimal::{Decimal, RoundingStrategy};

/// Round half away from zero to `dp` places and drop trailing zeros.
pub(crate) fn plain(d: Decimal, dp: u32) -> String {
    d.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero)
        .normalize()
        .to_string()
}

/// Integer with no decimals when whole, else up to `dp` places.
fn number(d: Decimal, dp: u32) -> String {
    plain(d, dp)
}

fn default_dp(unit: Unit) -> u32 {
    match unit {
        Unit::TonnesPerWan | Unit::TcePerWan | Unit::M3PerWan => 4,
        _ => 2,
    }
}

/// `v` in `unit` with `extra` more decimals than usual.
fn with_dp(v: Decimal, unit: Unit, lang: Lang, extra: u32) -> String {
    let dp = default_dp(unit).saturating_add(extra);
    match (unit, lang) {
        (Unit::Wan, Lang::Zh) => {
            if v.abs() >= Decimal::from(10_000) {
                format!("{}亿元", number(v / Decimal::from(10_000), dp))
            } else {
                format!("{}万元", number(v, dp))
            }
        }
        (Unit::Wan, Lang::En) => {
            // 1 万元 = 10,000 yuan; 100 万元 = 1 million yuan; 100,000 万元 = 1 billion yuan.
            if v.abs() >= Decimal::from(100_000) {
                format!("RMB {} bn", number(v / Decimal::from(100_000), dp))
            } else {
                format!("RMB {} m", number(v / Decimal::ONE_HUNDRED, dp))
            }
        }
        (Unit::Percent, _) => match v.checked_mul(Decimal::ONE_HUNDRED) {
            Some(p) => format!("{}%", number(p, dp)),
            None => number(v, dp),
        },
        (Unit::Km2, Lang::Zh) => format!("{}平方公里", number(v, dp)),
        (Unit::Km2, Lang::En) => format!("{} km²", number(v, dp)),
        (Unit::Enterprises, Lang::Zh) => format!("{}家", number(v, dp)),
        (Unit::Enterprises, Lang::En) => format!("{} enterprises", number(v, dp)),
        (Unit::Patents, Lang::Zh) => format!("{}件", number(v, dp)),
        (Unit::Patents, Lang::En) => format!("{} patents", number(v, dp)),
        (Unit::Persons, Lang::Zh) => format!("{}人", number(v, dp)),
        (Unit::Persons, Lang::En) => format!("{} persons", number(v, dp)),
        (Unit::PatentsPer10k, Lang::Zh) => format!("{}件/万人", number(v, dp)),
        (Unit::PatentsPer10k, Lang::En) => format!("{} per 10,000 employees", number(v, dp)),
        (Unit::TonnesPerWan, Lang::Zh) => format!("{}吨/万元", number(v, dp)),
        (Unit::TonnesPerWan, Lang::En) => format!("{} t per 10,000 yuan", number(v, dp)),
        (Unit::TcePerWan, Lang::Zh) => format!("{}吨标准煤/万元", number(v, dp)),
        (Unit::TcePerWan, Lang::En) => format!("{} tce per 10,000 yuan", number(v, dp)),
        (Unit::M3PerWan, Lang::Zh) => format!("{}立方米/万元", number(v, dp)),
        (Unit::M3PerWan, Lang::En) => format!("{} m³ per 10,000 yuan", number(v, dp)),
        (Unit::Areas, Lang::Zh) => format!("{}个方面", number(v, dp)),
        (Unit::Areas, Lang::En) => format!("{} areas", number(v, dp)),
        (Unit::YesNo, Lang::Zh) => (if v.is_zero() { "否" } else { "是" }).to_string(),
        (Unit::YesNo, Lang::En) => (if v.is_zero() { "no" } else { "yes" }).to_string(),
    }
}

/// A quantity with its unit. A non-zero value that would round to zero gets more decimals.
pub(crate) fn quantity(v: Decimal, unit: Unit, lang: Lang) -> String {
    let mut extra = 0;
    let zero = with_dp(Decimal::ZERO, unit, lang, 0);
    let mut s = with_dp(v, unit, lang, extra);
    while !v.is_zero() && s == zero && extra < 10 {
        extra += 1;
        s = with_dp(v, unit, lang, extra);
    }
    s
}

/// A value and a bound rendered so that they look different whenever they are different
/// (more decimals as needed), e.g. 69.999% vs 70%.
pub(crate) fn pair(v: Decimal, bound: Decimal, unit: Unit, lang: Lang) -> (String, String) {
    let mut extra = 0;
    loop {
        let a = with_dp(v, unit, lang, extra);
        let b = with_dp(bound, unit, lang, extra);
        if a != b || v == bound || extra >= 12 {
            return (
                if extra == 0 {
                    quantity(v, unit, lang)
                } else {
                    a
                },
                b,
            );
        }
        extra += 1;
    }
}

/// Percentage points ("5个百分点").
pub(crate) fn points(gap: Decimal, lang: Lang) -> String {
    let pts = gap.checked_mul(Decimal::ONE_HUNDRED).unwrap_or(gap);
    let mut extra = 0;
    let mut s = plain(pts, 2);
    while !pts.is_zero() && s == "0" && extra < 10 {
        extra += 1;
        s = plain(pts, 2 + extra);
    }
    match lang {
        Lang::Zh => format!("{s}个百分点"),
        Lang::En => format!("{s} percentage points"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn units() {
        assert_eq!(quantity(dec!(382000), Unit::Wan, Lang::Zh), "38.2亿元");
        assert_eq!(quantity(dec!(18000), Unit::Wan, Lang::Zh), "1.8亿元");
        assert_eq!(quantity(dec!(5200), Unit::Wan, Lang::Zh), "5200万元");
        assert_eq!(quantity(dec!(0.001), Unit::Wan, Lang::Zh), "0.001万元");
        assert_eq!(quantity(dec!(382000), Unit::Wan, Lang::En), "RMB 3.82 bn");
        assert_eq!(quantity(dec!(0.7), Unit::Percent, Lang::Zh), "70%");
        assert_eq!(quantity(dec!(0.65321), Unit::Percent, Lang::Zh), "65.32%");
        assert_eq!(
            quantity(dec!(15), Unit::PatentsPer10k, Lang::Zh),
            "15件/万人"
        );
    }

    #[test]
    fn pairs_never_look_equal_when_different() {
        let (a, b) = pair(dec!(0.699999), dec!(0.7), Unit::Percent, Lang::Zh);
        assert_eq!((a.as_str(), b.as_str()), ("69.9999%", "70%"));
        let (a, b) = pair(dec!(0.7), dec!(0.7), Unit::Percent, Lang::Zh);
        assert_eq!((a.as_str(), b.as_str()), ("70%", "70%"));
        assert_eq!(points(dec!(0.05), Lang::Zh), "5个百分点");
    }
}
