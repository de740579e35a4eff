//! `P.provincial` from the record (issue 8).
//!
//! 第十二条: "申报认定的集群应在县级区划范围内，并已认定为省级集群（首批申请除外）". Whether a
//! cluster *is* a provincial cluster is a fact the system holds (its tier history: the
//! province's recognition, or a national recognition, in force on the batch's date), not
//! something the declaration may assert. [`apply_record`] replaces the declaration's
//! `cluster.provincial_cluster` and `first_batch` by the record and the batch before the
//! criteria engine runs; a declaration that claims provincial status the record does not
//! show is reported to reviewers as the warning check `X.provincial_claim`.

use crate::criteria::{Check, Edition, Evaluation, Lang, Severity, evaluate};
use crate::declaration::Declaration;

/// Id of the check raised when the declaration claims a provincial status the record lacks.
pub const PROVINCIAL_CLAIM: &str = "X.provincial_claim";

/// What the system's record says about the cluster, for one batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record {
    /// The cluster holds provincial (or national) status on the batch's date.
    pub holds_provincial: bool,
    /// The batch is the first one (第十二条 "首批申请除外").
    pub first_batch: bool,
}

/// The declaration with `cluster.provincial_cluster` and `first_batch` taken from the
/// record, and the `X.provincial_claim` warning when the declaration claimed provincial
/// status the record does not show. A claim that understates the record is not a finding:
/// the record simply wins.
pub fn apply_record(decl: &Declaration, record: Record) -> (Declaration, Option<Check>) {
    let claimed = decl.cluster.provincial_cluster;
    let mut out = decl.clone();
    out.cluster.provincial_cluster = record.holds_provincial;
    out.first_batch = record.first_batch;
    let check = (claimed && !record.holds_provincial).then(|| {
        let (zh, en) = if record.first_batch {
            (
                "申报数据填写「已认定为省级集群」，但系统的层级记录中该集群在本批次日期未认定为省级集群。本批为首批，不影响第十二条的判定；请核实并改正申报数据（cluster.provincial_cluster 应为否）。",
                "The declaration says the cluster is a recognised provincial cluster, but the tier record does not show provincial status on the batch's date. This is the first batch, so Art. 12 is not affected; correct cluster.provincial_cluster to false.",
            )
        } else {
            (
                "申报数据填写「已认定为省级集群」，但系统的层级记录中该集群在本批次日期未认定为省级集群，第十二条按记录判定为不符合。请省级主管部门核实：如已认定，请在「省级培育库」中登记省级认定（日期和文号）；否则请将 cluster.provincial_cluster 改为否。",
                "The declaration says the cluster is a recognised provincial cluster, but the tier record does not show provincial status on the batch's date; Art. 12 is judged from the record and fails. The province should record the provincial recognition (date and document number) if it exists; otherwise set cluster.provincial_cluster to false.",
            )
        };
        Check::new(PROVINCIAL_CLAIM, Severity::Warning, "集群", zh, en)
    });
    (out, check)
}

/// Evaluates `decl` against `edition` with `P.provincial` decided by the record (see
/// [`apply_record`]); the `X.provincial_claim` warning, if any, is added to the checks.
pub fn evaluate_with_record(
    decl: &Declaration,
    edition: &Edition,
    record: Record,
    lang: Lang,
) -> Evaluation {
    let (decl, check) = apply_record(decl, record);
    let mut ev = evaluate(&decl, edition, lang);
    if let Some(mut c) = check {
        if lang == Lang::En {
            c.message = c.message_en.clone();
        }
        ev.checks.push(c);
        ev.eligible = Evaluation::compute_eligible(&ev.criteria, &ev.checks);
    }
    ev
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use crate::criteria::Status;
    use crate::generate::{GenerateParams, generate_one};

    fn decl(claims: bool) -> Declaration {
        let mut d = generate_one(
            &GenerateParams {
                clusters: 1,
                enterprises: 12,
                years: 3,
                seed: 7,
                batch_year: 2024,
            },
            0,
        )
        .declaration;
        d.edition = "2022".into();
        d.cluster.provincial_cluster = claims;
        d
    }

    fn run(claims: bool, holds: bool, first: bool) -> Evaluation {
        let d = decl(claims);
        let edition = Edition::builtin("2022").unwrap();
        evaluate_with_record(
            &d,
            edition,
            Record {
                holds_provincial: holds,
                first_batch: first,
            },
            Lang::Zh,
        )
    }

    fn provincial(ev: &Evaluation) -> Status {
        ev.verdict("P.provincial").unwrap().status
    }

    fn claim_checks(ev: &Evaluation) -> Vec<&Check> {
        ev.checks
            .iter()
            .filter(|c| c.id == PROVINCIAL_CLAIM)
            .collect()
    }

    #[test]
    fn false_claim_outside_the_first_batch_fails_and_is_flagged() {
        let ev = run(true, false, false);
        assert_eq!(provincial(&ev), Status::Fail);
        assert!(!ev.eligible);
        let c = claim_checks(&ev);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].severity, Severity::Warning);
        assert!(c[0].message.contains("第十二条"), "{}", c[0].message);
    }

    #[test]
    fn false_claim_in_the_first_batch_passes_but_is_still_flagged() {
        let ev = run(true, false, true);
        assert_eq!(provincial(&ev), Status::Pass);
        let c = claim_checks(&ev);
        assert_eq!(c.len(), 1);
        assert!(c[0].message.contains("首批"), "{}", c[0].message);
    }

    #[test]
    fn the_record_wins_over_an_understated_claim() {
        let ev = run(false, true, false);
        assert_eq!(provincial(&ev), Status::Pass);
        assert!(claim_checks(&ev).is_empty());
    }

    #[test]
    fn a_true_claim_passes_without_a_finding() {
        let ev = run(true, true, false);
        assert_eq!(provincial(&ev), Status::Pass);
        assert!(claim_checks(&ev).is_empty());
    }

    #[test]
    fn the_batch_flag_overrides_the_declared_first_batch() {
        // Declared first batch, but the batch is not: the record and the batch decide.
        let mut d = decl(false);
        d.first_batch = true;
        let edition = Edition::builtin("2022").unwrap();
        let record = Record {
            holds_provincial: false,
            first_batch: false,
        };
        let ev = evaluate_with_record(&d, edition, record, Lang::Zh);
        assert_eq!(provincial(&ev), Status::Fail);
        assert!(claim_checks(&ev).is_empty());
        let (applied, _) = apply_record(&d, record);
        assert!(!applied.first_batch);
        assert!(!applied.cluster.provincial_cluster);
    }

    #[test]
    fn english_messages_are_used_in_english() {
        let d = decl(true);
        let edition = Edition::builtin("2022").unwrap();
        let ev = evaluate_with_record(
            &d,
            edition,
            Record {
                holds_provincial: false,
                first_batch: false,
            },
            Lang::En,
        );
        let c = claim_checks(&ev);
        assert!(
            c[0].message.starts_with("The declaration"),
            "{}",
            c[0].message
        );
    }
}
