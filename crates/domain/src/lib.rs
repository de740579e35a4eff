//! jiqun-domain: the pure core of jiqun.
//!
//! No I/O, no async, no clock reads: everything here is a function of its inputs, so every
//! rule of 工信部企业〔2022〕119号 can be tested at its exact boundary. Reference data
//! (divisions, holidays, industries, SME thresholds) is compiled in from `data/`.

pub mod calendar;
pub mod checks;
pub mod clock;
pub mod criteria;
pub mod declaration;
pub mod division;
pub mod dynamic;
pub mod generate;
pub mod industry;
pub mod jurisdiction;
pub mod money;
pub mod password;
pub mod role;
pub mod sme;
pub mod tiers;
pub mod uscc;
pub mod workflow;
