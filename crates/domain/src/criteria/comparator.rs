//! The comparators of the criteria texts, with their Chinese legal meaning.
//!
//! 《中华人民共和国民法典》第一千二百五十九条: "民法所称的'以上'、'以下'、'以内'、'届满'，
//! 包括本数；所称的'不满'、'超过'、'以外'，不包括本数。" So 以上/以下 include the bound, and
//! so do 不低于/不超过/不少于 by their plain meaning; 高于/低于/超过 exclude it.
//! (The SME size standard of 2011 reads "以下" the other way: see `crate::sme`.)

use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Comparator {
    /// 以上: ≥ (inclusive).
    #[serde(rename = "以上")]
    YiShang,
    /// 以下: ≤ (inclusive).
    #[serde(rename = "以下")]
    YiXia,
    /// 不低于: ≥.
    #[serde(rename = "不低于")]
    BuDiYu,
    /// 不超过: ≤.
    #[serde(rename = "不超过")]
    BuChaoGuo,
    /// 不少于: ≥.
    #[serde(rename = "不少于")]
    BuShaoYu,
    /// 高于: > (exclusive).
    #[serde(rename = "高于")]
    GaoYu,
    /// 低于: < (exclusive).
    #[serde(rename = "低于")]
    DiYu,
    /// 超过: > (exclusive).
    #[serde(rename = "超过")]
    ChaoGuo,
}

impl Comparator {
    pub const ALL: [Comparator; 8] = [
        Comparator::YiShang,
        Comparator::YiXia,
        Comparator::BuDiYu,
        Comparator::BuChaoGuo,
        Comparator::BuShaoYu,
        Comparator::GaoYu,
        Comparator::DiYu,
        Comparator::ChaoGuo,
    ];

    pub fn parse(s: &str) -> Option<Comparator> {
        Comparator::ALL.into_iter().find(|c| c.zh() == s)
    }

    pub fn zh(self) -> &'static str {
        match self {
            Comparator::YiShang => "以上",
            Comparator::YiXia => "以下",
            Comparator::BuDiYu => "不低于",
            Comparator::BuChaoGuo => "不超过",
            Comparator::BuShaoYu => "不少于",
            Comparator::GaoYu => "高于",
            Comparator::DiYu => "低于",
            Comparator::ChaoGuo => "超过",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Comparator::YiShang | Comparator::BuDiYu | Comparator::BuShaoYu => "at least",
            Comparator::YiXia | Comparator::BuChaoGuo => "at most",
            Comparator::GaoYu | Comparator::ChaoGuo => "above",
            Comparator::DiYu => "below",
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            Comparator::YiShang | Comparator::BuDiYu | Comparator::BuShaoYu => "≥",
            Comparator::YiXia | Comparator::BuChaoGuo => "≤",
            Comparator::GaoYu | Comparator::ChaoGuo => ">",
            Comparator::DiYu => "<",
        }
    }

    /// True when the rule sets a floor (the value must be at least / above the bound).
    pub fn is_floor(self) -> bool {
        matches!(
            self,
            Comparator::YiShang
                | Comparator::BuDiYu
                | Comparator::BuShaoYu
                | Comparator::GaoYu
                | Comparator::ChaoGuo
        )
    }

    /// True when the bound itself does not satisfy the rule (高于, 低于, 超过).
    pub fn is_strict(self) -> bool {
        matches!(
            self,
            Comparator::GaoYu | Comparator::DiYu | Comparator::ChaoGuo
        )
    }

    /// Whether `value.cmp(bound) == ord` satisfies the rule.
    pub fn holds(self, ord: Ordering) -> bool {
        match (self.is_floor(), self.is_strict()) {
            (true, false) => ord != Ordering::Less,
            (true, true) => ord == Ordering::Greater,
            (false, false) => ord != Ordering::Greater,
            (false, true) => ord == Ordering::Less,
        }
    }

    /// Chinese phrase for "value {phrase} bound" when the rule holds, e.g. "在 … 以上".
    pub(crate) fn phrase_zh(self, bound: &str) -> String {
        match self {
            Comparator::YiShang => format!("在 {bound}以上"),
            Comparator::YiXia => format!("在 {bound}以下"),
            other => format!("{} {bound}", other.zh()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::*;

    #[test]
    fn legal_semantics() {
        // Inclusive ones accept the bound.
        for c in [
            Comparator::YiShang,
            Comparator::BuDiYu,
            Comparator::BuShaoYu,
        ] {
            assert!(
                c.holds(Equal) && c.holds(Greater) && !c.holds(Less),
                "{c:?}"
            );
        }
        for c in [Comparator::YiXia, Comparator::BuChaoGuo] {
            assert!(
                c.holds(Equal) && c.holds(Less) && !c.holds(Greater),
                "{c:?}"
            );
        }
        // Exclusive ones do not.
        for c in [Comparator::GaoYu, Comparator::ChaoGuo] {
            assert!(
                !c.holds(Equal) && c.holds(Greater) && !c.holds(Less),
                "{c:?}"
            );
        }
        assert!(!Comparator::DiYu.holds(Equal) && Comparator::DiYu.holds(Less));
        for c in Comparator::ALL {
            assert_eq!(Comparator::parse(c.zh()), Some(c));
        }
        assert_eq!(Comparator::parse("大于"), None);
    }
}
