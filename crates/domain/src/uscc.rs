//! 统一社会信用代码 (Unified Social Credit Code, USCC), GB 32100-2015.
//!
//! 18 characters from the 31-symbol alphabet `0123456789ABCDEFGHJKLMNPQRTUWXY` (no I, O,
//! S, V, Z):
//!
//! | position | meaning |
//! |---|---|
//! | 1 | 登记管理部门代码 (registering department: 1 机构编制, 5 民政, 9 工商/市场监管, …) |
//! | 2 | 机构类别代码 (kind of organisation) |
//! | 3–8 | 登记管理机关行政区划码 (GB/T 2260 code of the registering authority) |
//! | 9–17 | 主体标识码 (the former organisation code, GB 11714) |
//! | 18 | 校验码 (check character) |
//!
//! The check character is `(31 − Σ(value·weight) mod 31) mod 31` over the first 17
//! characters, with the weights `3^(i−1) mod 31`. Characters 1–2 are **not** required to be
//! digits (departments and kinds with letters exist), and a check value of 0 is a valid
//! check character `0` (`911101085513850070`; some libraries reject it).
//!
//! Because 31 is prime and no weight is a multiple of 31, a change of any **single**
//! character always changes the check value: a single-character typo can never produce
//! another valid code (see the property test below).
//!
//! SPEC §3: a wrong USCC in a declaration is reported by the `X.uscc` check
//! (`crate::checks`), not rejected as invalid input — so `Enterprise::uscc` stays a plain
//! string and this type is what the check (and the rest of the system) parses it into.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The 31 characters of GB 32100-2015, in value order (value = index).
pub const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Weights of positions 1–17 (3^(i−1) mod 31).
pub const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// Number of characters of a USCC.
pub const LEN: usize = 18;

/// A valid 统一社会信用代码: 18 characters of the GB 32100 alphabet with a correct check
/// character. Serialised as its 18-character string.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Uscc(String);

/// Why a string is not a valid USCC. Messages are Chinese (the users are Chinese
/// officials); [`UsccError::message_en`] gives the English text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsccError {
    /// Not 18 characters (counted in characters, not bytes).
    #[error("统一社会信用代码应为18位，实际为{got}位")]
    Length { got: usize },
    /// A character outside the GB 32100 alphabet at 1-based `position`.
    #[error("统一社会信用代码第{position}位字符“{ch}”不合法{}", illegal_hint(*.ch))]
    IllegalChar { position: usize, ch: char },
    /// The 18th character does not match the computed check character.
    #[error("统一社会信用代码校验码错误：应为“{expected}”，实际为“{got}”")]
    CheckChar { expected: char, got: char },
}

fn illegal_hint(ch: char) -> &'static str {
    match ch {
        'I' | 'O' | 'S' | 'V' | 'Z' => "（不使用字母I、O、S、V、Z）",
        c if c.is_ascii_lowercase() => "（字母须大写）",
        _ => "",
    }
}

impl UsccError {
    /// English rendering of the error (for `--lang en`).
    pub fn message_en(&self) -> String {
        match self {
            UsccError::Length { got } => {
                format!("a USCC has 18 characters, this one has {got}")
            }
            UsccError::IllegalChar { position, ch } => {
                format!("character {position} of the USCC, '{ch}', is not allowed")
            }
            UsccError::CheckChar { expected, got } => {
                format!("wrong USCC check character: expected '{expected}', got '{got}'")
            }
        }
    }
}

/// Value (0–30) of a USCC character, `None` outside the alphabet.
pub fn char_value(ch: char) -> Option<u32> {
    let b = u8::try_from(ch).ok()?;
    ALPHABET
        .iter()
        .position(|&a| a == b)
        .and_then(|p| u32::try_from(p).ok())
}

/// Character of a value 0–30, `None` otherwise.
pub fn value_char(value: u32) -> Option<char> {
    let i = usize::try_from(value).ok()?;
    ALPHABET.get(i).map(|&b| char::from(b))
}

/// The check character for the first 17 characters of a USCC.
///
/// Errors: `Length` when `first17` does not have exactly 17 characters, `IllegalChar`
/// for a character outside the alphabet.
pub fn compute_check_char(first17: &str) -> Result<char, UsccError> {
    let n = first17.chars().count();
    if n != LEN - 1 {
        return Err(UsccError::Length { got: n });
    }
    let mut sum = 0u32;
    for (i, (ch, w)) in first17.chars().zip(WEIGHTS).enumerate() {
        let v = char_value(ch).ok_or(UsccError::IllegalChar {
            position: i + 1,
            ch,
        })?;
        sum += v * w;
    }
    let check = (31 - sum % 31) % 31;
    // `check` is 0..=30, always in the alphabet.
    Ok(value_char(check).unwrap_or('0'))
}

/// Checks a USCC without allocating: `Ok(())` exactly when [`Uscc::parse`] succeeds.
/// Length, alphabet, check character, in that order; the first problem is reported.
pub fn validate(s: &str) -> Result<(), UsccError> {
    let n = s.chars().count();
    if n != LEN {
        return Err(UsccError::Length { got: n });
    }
    // Report the first illegal character, including one in position 18.
    if let Some((i, ch)) = s
        .chars()
        .enumerate()
        .find(|&(_, c)| char_value(c).is_none())
    {
        return Err(UsccError::IllegalChar {
            position: i + 1,
            ch,
        });
    }
    // All 18 characters are ASCII now, so byte slicing is by character.
    let (first17, last) = s.split_at(LEN - 1);
    let expected = compute_check_char(first17)?;
    let got = last.chars().next().unwrap_or('?');
    if expected != got {
        return Err(UsccError::CheckChar { expected, got });
    }
    Ok(())
}

/// Characters 3–8 of a code that passed [`validate`] (see [`Uscc::region_code`]).
pub fn region_code_of(valid: &str) -> &str {
    valid.get(2..8).unwrap_or("")
}

impl Uscc {
    /// Parses and validates a USCC: length, alphabet, check character (in that order; the
    /// first problem found is reported). No trimming or case folding: the code is an
    /// identifier and is stored exactly as issued.
    pub fn parse(s: &str) -> Result<Uscc, UsccError> {
        validate(s)?;
        Ok(Uscc(s.to_owned()))
    }

    /// The 18-character code.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Character 1: 登记管理部门代码 (registering department).
    pub fn department_code(&self) -> char {
        self.0.chars().next().unwrap_or('?')
    }

    /// Character 2: 机构类别代码 (kind of organisation).
    pub fn kind_code(&self) -> char {
        self.0.chars().nth(1).unwrap_or('?')
    }

    /// Characters 3–8: the GB/T 2260 administrative code of the registering authority,
    /// e.g. `"110108"` (北京市海淀区) for `91110108551385082Q`. Normally six digits; a
    /// code passing the check character may still carry letters here, which
    /// `X.uscc_region` reports.
    pub fn region_code(&self) -> &str {
        self.0.get(2..8).unwrap_or("")
    }

    /// Characters 9–17: 主体标识码 (the organisation code body).
    pub fn subject_code(&self) -> &str {
        self.0.get(8..17).unwrap_or("")
    }

    /// Character 18: the check character.
    pub fn check_char(&self) -> char {
        self.0.chars().nth(LEN - 1).unwrap_or('?')
    }
}

impl FromStr for Uscc {
    type Err = UsccError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uscc::parse(s)
    }
}

impl TryFrom<String> for Uscc {
    type Error = UsccError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Uscc::parse(&s)
    }
}

impl From<Uscc> for String {
    fn from(u: Uscc) -> String {
        u.0
    }
}

impl AsRef<str> for Uscc {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Real codes (dependencies.md and SPEC §3). The third has check value 0.
    const VALID: [&str; 4] = [
        "91110108551385082Q",
        "91350100M000100Y43",
        "911101085513850070",
        "914403001922038216",
    ];

    #[test]
    fn vectors_are_valid() {
        for v in VALID {
            let u = Uscc::parse(v).unwrap_or_else(|e| panic!("{v}: {e}"));
            assert_eq!(u.as_str(), v);
            assert_eq!(u.to_string(), v);
        }
    }

    #[test]
    fn region_codes_of_vectors() {
        let regions: Vec<String> = VALID
            .iter()
            .map(|v| Uscc::parse(v).unwrap().region_code().to_owned())
            .collect();
        assert_eq!(regions, ["110108", "350100", "110108", "440300"]);
        let u = Uscc::parse("91350100M000100Y43").unwrap();
        assert_eq!(u.department_code(), '9');
        assert_eq!(u.kind_code(), '1');
        assert_eq!(u.subject_code(), "M000100Y4");
        assert_eq!(u.check_char(), '3');
    }

    #[test]
    fn compute_check_char_of_vectors() {
        for v in VALID {
            let (first, last) = v.split_at(17);
            assert_eq!(compute_check_char(first).unwrap().to_string(), last);
        }
        assert_eq!(
            compute_check_char("9111010855138500"),
            Err(UsccError::Length { got: 16 })
        );
        assert_eq!(
            compute_check_char("91110108551385O07"),
            Err(UsccError::IllegalChar {
                position: 15,
                ch: 'O'
            })
        );
    }

    #[test]
    fn check_value_zero_is_character_zero() {
        // stdnum 0.2 rejects this one (dependencies.md).
        assert_eq!(compute_check_char("91110108551385007"), Ok('0'));
        assert!(Uscc::parse("911101085513850070").is_ok());
    }

    #[test]
    fn letters_in_first_two_positions_are_allowed() {
        // Department/kind codes are not required to be digits.
        let first = "A1110108551385082";
        let c = compute_check_char(first).unwrap();
        assert!(Uscc::parse(&format!("{first}{c}")).is_ok());
        let first = "YY110108551385082";
        let c = compute_check_char(first).unwrap();
        assert!(Uscc::parse(&format!("{first}{c}")).is_ok());
    }

    #[test]
    fn length_errors() {
        assert_eq!(Uscc::parse(""), Err(UsccError::Length { got: 0 }));
        assert_eq!(
            Uscc::parse("91110108551385082"),
            Err(UsccError::Length { got: 17 })
        );
        assert_eq!(
            Uscc::parse("91110108551385082QQ"),
            Err(UsccError::Length { got: 19 })
        );
        // Counted in characters: 18 bytes of CJK are 6 characters.
        assert_eq!(Uscc::parse("北京海淀区"), Err(UsccError::Length { got: 5 }));
        assert_eq!(Uscc::parse("91110108551385082Q").map(|_| ()), Ok(()),);
    }

    #[test]
    fn illegal_character_errors() {
        assert_eq!(
            Uscc::parse("91110108551385O82Q"),
            Err(UsccError::IllegalChar {
                position: 15,
                ch: 'O'
            })
        );
        // Lower case is not folded.
        assert_eq!(
            Uscc::parse("91110108551385082q"),
            Err(UsccError::IllegalChar {
                position: 18,
                ch: 'q'
            })
        );
        // A full-width digit is 1 character, so the length is right and the character wrong.
        assert_eq!(
            Uscc::parse("９1110108551385082Q"),
            Err(UsccError::IllegalChar {
                position: 1,
                ch: '９'
            })
        );
        assert_eq!(
            Uscc::parse(" 1110108551385082Q"),
            Err(UsccError::IllegalChar {
                position: 1,
                ch: ' '
            })
        );
    }

    #[test]
    fn check_character_error() {
        assert_eq!(
            Uscc::parse("91110108551385082A"),
            Err(UsccError::CheckChar {
                expected: 'Q',
                got: 'A'
            })
        );
    }

    #[test]
    fn chinese_messages_are_distinct_and_precise() {
        assert_eq!(
            UsccError::Length { got: 17 }.to_string(),
            "统一社会信用代码应为18位，实际为17位"
        );
        assert_eq!(
            UsccError::IllegalChar {
                position: 15,
                ch: 'O'
            }
            .to_string(),
            "统一社会信用代码第15位字符“O”不合法（不使用字母I、O、S、V、Z）"
        );
        assert_eq!(
            UsccError::IllegalChar {
                position: 18,
                ch: 'q'
            }
            .to_string(),
            "统一社会信用代码第18位字符“q”不合法（字母须大写）"
        );
        assert_eq!(
            UsccError::IllegalChar {
                position: 3,
                ch: '-'
            }
            .to_string(),
            "统一社会信用代码第3位字符“-”不合法"
        );
        assert_eq!(
            UsccError::CheckChar {
                expected: 'Q',
                got: 'A'
            }
            .to_string(),
            "统一社会信用代码校验码错误：应为“Q”，实际为“A”"
        );
        assert_eq!(
            UsccError::CheckChar {
                expected: 'Q',
                got: 'A'
            }
            .message_en(),
            "wrong USCC check character: expected 'Q', got 'A'"
        );
    }

    #[test]
    fn serde_as_string() {
        let u = Uscc::parse("914403001922038216").unwrap();
        assert_eq!(serde_json::to_string(&u).unwrap(), "\"914403001922038216\"");
        let back: Uscc = serde_json::from_str("\"914403001922038216\"").unwrap();
        assert_eq!(back, u);
        let err = serde_json::from_str::<Uscc>("\"914403001922038217\"")
            .unwrap_err()
            .to_string();
        assert!(err.contains("校验码错误"), "{err}");
        assert!(serde_json::from_str::<Uscc>("42").is_err());
    }

    #[test]
    fn weights_are_powers_of_three_mod_31() {
        let mut w = 1u32;
        for &x in &WEIGHTS {
            assert_eq!(x, w);
            w = w * 3 % 31;
        }
    }

    /// Why single substitutions are always detected: the checksum changes by
    /// w·(b − a) mod 31 with w ∈ 1..31 and b − a ∈ ±1..±30; 31 is prime, so the product is
    /// never 0 mod 31. Position 18 is determined by the first 17. Verified exhaustively
    /// here over every position, old value and new value (17·31·30 cases).
    #[test]
    fn single_substitution_never_collides_exhaustive() {
        for &w in &WEIGHTS {
            for a in 0..31i64 {
                for b in 0..31i64 {
                    if a != b {
                        assert_ne!((i64::from(w) * (b - a)).rem_euclid(31), 0);
                    }
                }
            }
        }
    }

    fn first17() -> impl Strategy<Value = String> {
        proptest::collection::vec(0usize..31, 17).prop_map(|vs| {
            vs.into_iter()
                .map(|v| char::from(ALPHABET[v]))
                .collect::<String>()
        })
    }

    proptest! {
        #[test]
        fn computed_check_char_parses(first in first17()) {
            let c = compute_check_char(&first).unwrap();
            let code = format!("{first}{c}");
            let u = Uscc::parse(&code).unwrap();
            prop_assert_eq!(u.as_str(), code.as_str());
            prop_assert_eq!(u.region_code(), &code[2..8]);
        }

        #[test]
        fn any_single_substitution_breaks_it(
            first in first17(),
            pos in 0usize..18,
            delta in 1usize..31,
        ) {
            let c = compute_check_char(&first).unwrap();
            let mut bytes = format!("{first}{c}").into_bytes();
            let old = ALPHABET.iter().position(|&a| a == bytes[pos]).unwrap();
            bytes[pos] = ALPHABET[(old + delta) % 31];
            let changed = String::from_utf8(bytes).unwrap();
            let err = Uscc::parse(&changed).unwrap_err();
            let is_check_error = matches!(err, UsccError::CheckChar { .. });
            prop_assert!(is_check_error);
        }

        #[test]
        fn parse_never_panics_and_agrees_with_validate(s in "\\PC{0,24}") {
            prop_assert_eq!(Uscc::parse(&s).map(|_| ()), validate(&s));
        }
    }
}
