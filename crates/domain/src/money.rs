//! Money in 万元 (10,000 yuan), exact. SPEC §3: "compute in decimal, never in binary
//! floating point", so a boundary such as 40亿元 (400,000 万元) is compared exactly.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::iter::Sum;
use std::ops::{Add, Sub};

/// An amount in 万元.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Wan(pub Decimal);

impl Wan {
    pub const ZERO: Wan = Wan(Decimal::ZERO);

    pub fn new(amount: Decimal) -> Self {
        Wan(amount)
    }

    pub fn amount(self) -> Decimal {
        self.0
    }

    /// The same amount in 亿元 (1 亿元 = 10,000 万元).
    pub fn yi(self) -> Decimal {
        self.0 / Decimal::from(10_000)
    }

    pub fn is_negative(self) -> bool {
        self.0.is_sign_negative() && !self.0.is_zero()
    }

    /// "38.2亿元" for amounts of at least 1 亿元, otherwise "5,200万元"-style "5200万元".
    pub fn display_zh(self) -> String {
        if self.0.abs() >= Decimal::from(10_000) {
            format!("{}亿元", trim(self.yi().round_dp(2)))
        } else {
            format!("{}万元", trim(self.0.round_dp(2)))
        }
    }

    /// "3.82 bn yuan" / "52.0 m yuan" style English rendering.
    pub fn display_en(self) -> String {
        if self.0.abs() >= Decimal::from(10_000) {
            format!("{} hundred-million yuan", trim(self.yi().round_dp(2)))
        } else {
            format!("{} ten-thousand yuan", trim(self.0.round_dp(2)))
        }
    }
}

fn trim(d: Decimal) -> String {
    d.normalize().to_string()
}

impl fmt::Display for Wan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}万元", trim(self.0))
    }
}

impl Add for Wan {
    type Output = Wan;
    fn add(self, rhs: Wan) -> Wan {
        Wan(self.0 + rhs.0)
    }
}

impl Sub for Wan {
    type Output = Wan;
    fn sub(self, rhs: Wan) -> Wan {
        Wan(self.0 - rhs.0)
    }
}

impl Sum for Wan {
    fn sum<I: Iterator<Item = Wan>>(iter: I) -> Wan {
        iter.fold(Wan::ZERO, |a, b| a + b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn wan(s: &str) -> Wan {
        Wan(Decimal::from_str(s).unwrap_or_default())
    }

    #[test]
    fn exact_boundary_is_exact() {
        // 0.1 + 0.2 == 0.3 in decimal, unlike f64.
        assert_eq!(wan("0.1") + wan("0.2"), wan("0.3"));
        assert_eq!(wan("400000").yi(), Decimal::from(40));
    }

    #[test]
    fn chinese_rendering() {
        assert_eq!(wan("382000").display_zh(), "38.2亿元");
        assert_eq!(wan("5200").display_zh(), "5200万元");
        assert_eq!(wan("400000").display_zh(), "40亿元");
    }
}
