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
use chrono::NaiveDate;
use std::collections::BTreeSet;

/// Id of the check raised when the declaration claims a provincial status the record lacks.
pub const PROVINCIAL_CLAIM: &str = "X.provincial_claim";

/// What the system's record says about the cluster, for one batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record {
    /// The cluster holds provincial (or national) status on the batch's date.
    pub holds_provincial: bool,
    /// The batch is the first one (第十二条 "首批申请除外").
    pub first_batch: bool,
    /// The date the record was checked on (the batch's date, see `jiqun_store::tiers`).
    pub on: NaiveDate,
}

/// Id of the criterion computed from the policy outreach register (认定标准 八).
pub const POLICY: &str = "C8.policy";

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
        let on = record.on;
        let (zh, en) = if record.first_batch {
            (
                format!(
                    "申报数据填写「已认定为省级集群」，但系统的层级记录中该集群截至 {on}（本批次核查日期）未认定为省级集群。本批为首批，不影响第十二条的判定；请核实并改正申报数据（cluster.provincial_cluster 应为否）。"
                ),
                format!(
                    "The declaration says the cluster is a recognised provincial cluster, but the tier record does not show provincial status on {on} (the batch's date). This is the first batch, so Art. 12 is not affected; correct cluster.provincial_cluster to false."
                ),
            )
        } else {
            (
                format!(
                    "申报数据填写「已认定为省级集群」，但系统的层级记录中该集群截至 {on}（本批次核查日期）未认定为省级集群，第十二条按记录判定为不符合。请省级主管部门核实：如已认定，请在「省级培育库」或「登记既有省级认定」中登记省级认定（日期和文号）；否则请将 cluster.provincial_cluster 改为否。"
                ),
                format!(
                    "The declaration says the cluster is a recognised provincial cluster, but the tier record does not show provincial status on {on} (the batch's date); Art. 12 is judged from the record and fails. The province should record the provincial recognition (date and document number) if it exists; otherwise set cluster.provincial_cluster to false."
                ),
            )
        };
        Check::new(PROVINCIAL_CLAIM, Severity::Warning, "集群", zh, en)
    });
    (out, check)
}

/// Normalised form of a USCC for matching the register against a roster: trimmed,
/// upper case.
pub fn uscc_key(uscc: &str) -> String {
    uscc.trim().to_uppercase()
}

/// The declaration with every roster enterprise's `policy_reached` taken from the policy
/// outreach register: reached when its USCC (see [`uscc_key`]) is in `reached`.
pub fn apply_outreach(decl: &Declaration, reached: &BTreeSet<String>) -> Declaration {
    let mut out = decl.clone();
    for e in &mut out.enterprises {
        e.policy_reached = Some(reached.contains(&uscc_key(&e.uscc)));
    }
    out
}

/// The roster enterprises the register does not show as reached, as (USCC, name).
pub fn unreached<'a>(decl: &'a Declaration, reached: &BTreeSet<String>) -> Vec<(&'a str, &'a str)> {
    decl.enterprises
        .iter()
        .filter(|e| !reached.contains(&uscc_key(&e.uscc)))
        .map(|e| (e.uscc.as_str(), e.name.as_str()))
        .collect()
}

/// Evaluates `decl` against `edition` with `P.provincial` decided by the record (see
/// [`apply_record`]); the `X.provincial_claim` warning, if any, is added to the checks.
pub fn evaluate_with_record(
    decl: &Declaration,
    edition: &Edition,
    record: Record,
    lang: Lang,
) -> Evaluation {
    evaluate_on(decl, edition, record, None, lang)
}

/// The one evaluation of a declaration of a cluster the system knows: `P.provincial` from
/// the tier record ([`apply_record`]) and, when `outreach` is given (the USCCs the policy
/// outreach register shows as reached, see [`uscc_key`]), `C8.policy` from the register
/// ([`apply_outreach`]), its explanation naming every roster enterprise not yet reached.
pub fn evaluate_on(
    decl: &Declaration,
    edition: &Edition,
    record: Record,
    outreach: Option<&BTreeSet<String>>,
    lang: Lang,
) -> Evaluation {
    let (mut decl, check) = apply_record(decl, record);
    if let Some(reached) = outreach {
        decl = apply_outreach(&decl, reached);
    }
    let mut ev = evaluate(&decl, edition, lang);
    if let Some(reached) = outreach {
        let missing = unreached(&decl, reached);
        if let Some(v) = ev.criteria.iter_mut().find(|v| v.id == POLICY) {
            let source = match lang {
                Lang::Zh => "依据：惠企政策宣贯登记簿".to_string(),
                Lang::En => "source: the policy outreach register".to_string(),
            };
            let list = missing
                .iter()
                .map(|(uscc, name)| format!("{name}（{uscc}）"))
                .collect::<Vec<_>>();
            v.explanation = match (lang, list.is_empty()) {
                (Lang::Zh, true) => format!("{}；{source}，名录内企业均已覆盖", v.explanation),
                (Lang::Zh, false) => format!(
                    "{}；{source}，尚未覆盖 {} 家：{}",
                    v.explanation,
                    list.len(),
                    list.join("、")
                ),
                (Lang::En, true) => format!(
                    "{}; {source}, every roster enterprise reached",
                    v.explanation
                ),
                (Lang::En, false) => format!(
                    "{}; {source}, {} not yet reached: {}",
                    v.explanation,
                    list.len(),
                    list.join(", ")
                ),
            };
        }
    }
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

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 6, 30).unwrap()
    }

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
                on: day(),
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
        assert!(c[0].message.contains("2024-06-30"), "{}", c[0].message);
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
            on: day(),
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
                on: day(),
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

    fn outreach_eval(reached: &BTreeSet<String>) -> Evaluation {
        let d = decl(false);
        let record = Record {
            holds_provincial: true,
            first_batch: false,
            on: day(),
        };
        evaluate_on(
            &d,
            Edition::builtin("2022").unwrap(),
            record,
            Some(reached),
            Lang::Zh,
        )
    }

    #[test]
    fn policy_coverage_from_the_register_all_reached_passes_one_missing_fails_and_is_named() {
        let d = decl(false);
        // The declaration's own flags are ignored: the register decides.
        let all: BTreeSet<String> = d.enterprises.iter().map(|e| uscc_key(&e.uscc)).collect();
        let ev = outreach_eval(&all);
        let v = ev.verdict(POLICY).unwrap();
        assert_eq!(v.status, Status::Pass, "{}", v.explanation);
        assert!(v.explanation.contains("均已覆盖"), "{}", v.explanation);

        let missing = &d.enterprises[3];
        let mut less = all.clone();
        less.remove(&uscc_key(&missing.uscc));
        let ev = outreach_eval(&less);
        let v = ev.verdict(POLICY).unwrap();
        // C8.policy is soft: unmet is a warning to reviewers, not a hard failure.
        assert_eq!(v.status, Status::Warning, "{}", v.explanation);
        assert!(v.explanation.contains("尚未覆盖 1 家"), "{}", v.explanation);
        assert!(v.explanation.contains(&missing.uscc), "{}", v.explanation);
        assert!(v.explanation.contains(&missing.name), "{}", v.explanation);
    }

    #[test]
    fn a_declared_policy_flag_does_not_count_without_the_register() {
        let mut d = decl(false);
        for e in &mut d.enterprises {
            e.policy_reached = Some(true);
        }
        let applied = apply_outreach(&d, &BTreeSet::new());
        assert!(
            applied
                .enterprises
                .iter()
                .all(|e| e.policy_reached == Some(false))
        );
        assert_eq!(unreached(&d, &BTreeSet::new()).len(), d.enterprises.len());
    }
}
