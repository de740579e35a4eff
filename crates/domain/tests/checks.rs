//! Integration tests of the evidence cross-checks (`X.*`) and the synthetic generator.
use jiqun_domain::checks::{self, ClusterArea};
use jiqun_domain::criteria::Severity;
use jiqun_domain::declaration::{ClusterInfo, Declaration, Enterprise, Figures, Size};
use jiqun_domain::generate::{Failure, GenerateParams, generate, generate_labelled};
use jiqun_domain::money::Wan;
use jiqun_domain::uscc::{self, Uscc};
use proptest::prelude::*;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

fn params(clusters: u32, enterprises: u32, seed: u64) -> GenerateParams {
    GenerateParams {
        clusters,
        enterprises,
        years: 3,
        seed,
        batch_year: 2024,
    }
}

#[test]
fn one_batch_of_generated_clusters_has_no_cross_cluster_duplicates() {
    let decls: Vec<Declaration> = generate(&params(30, 40, 9)).collect();
    let named: Vec<(&str, &Declaration)> =
        decls.iter().map(|d| (d.cluster.name.as_str(), d)).collect();
    assert!(checks::duplicates_across(&named).is_empty());
}

#[test]
fn an_enterprise_copied_into_another_cluster_is_found() {
    let mut decls: Vec<Declaration> = generate(&params(3, 10, 9)).collect();
    let copied = decls[0].enterprises[4].clone();
    decls[2].enterprises.push(copied.clone());
    let named: Vec<(&str, &Declaration)> = decls.iter().map(|d| ("集群", d)).collect();
    let found = checks::duplicates_across(&named);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, "X.duplicate");
    assert_eq!(found[0].severity, Severity::Warning);
    assert!(found[0].subject.starts_with(&copied.uscc));
}

#[test]
fn generated_usccs_pass_the_region_check() {
    for g in generate_labelled(&params(50, 20, 3)) {
        let area = ClusterArea::of(&g.declaration.cluster.county_code).unwrap();
        for e in &g.declaration.enterprises {
            if let Ok(u) = Uscc::parse(&e.uscc) {
                assert!(area.admits(u.region_code()));
            } else {
                assert_eq!(g.failure, Some(Failure::WrongUscc));
            }
        }
    }
}

// ---- checks never panic, whatever the declaration ----

fn amount() -> impl Strategy<Value = Option<Wan>> {
    prop_oneof![
        Just(None),
        Just(Some(Wan(Decimal::ZERO))),
        Just(Some(Wan(Decimal::MAX))),
        (0i64..i64::MAX, 0u32..8).prop_map(|(m, s)| Some(Wan(Decimal::new(m, s)))),
    ]
}

fn decimal() -> impl Strategy<Value = Option<Decimal>> {
    amount().prop_map(|w| w.map(Wan::amount))
}

fn figures() -> impl Strategy<Value = Figures> {
    (
        amount(),
        amount(),
        proptest::option::of(any::<u64>()),
        amount(),
        amount(),
        proptest::option::of(any::<u64>()),
        decimal(),
        decimal(),
    )
        .prop_map(|(o, r, e, a, rd, p, c, en)| Figures {
            output_value: o,
            revenue: r,
            employees: e,
            total_assets: a,
            rd_expenditure: rd,
            valid_invention_patents: p,
            co2_t: c,
            energy_tce: en,
            water_m3: None,
            export_value: None,
        })
}

fn uscc_string() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,20}",
        proptest::collection::vec(0usize..31, 17).prop_map(|vs| {
            let first: String = vs.iter().map(|&v| char::from(uscc::ALPHABET[v])).collect();
            let c = uscc::compute_check_char(&first).unwrap_or('0');
            format!("{first}{c}")
        }),
        Just("91110108551385082Q".to_owned()),
    ]
}

fn enterprise() -> impl Strategy<Value = Enterprise> {
    (
        uscc_string(),
        "[A-Z][0-9]{0,5}",
        proptest::option::of(prop_oneof![
            Just(Size::Large),
            Just(Size::Medium),
            Just(Size::Small),
            Just(Size::Micro)
        ]),
        proptest::collection::btree_map(2015i32..2025, figures(), 0..4),
    )
        .prop_map(|(uscc, code, size, figures)| Enterprise {
            uscc,
            name: "某公司".to_owned(),
            industry_code: code,
            in_leading_industry: true,
            declared_size: size,
            titles: vec![],
            uses_iip: None,
            policy_reached: None,
            figures,
        })
}

fn declaration() -> impl Strategy<Value = Declaration> {
    (
        "[0-9]{0,7}",
        prop_oneof![Just(2024i32), Just(i32::MIN), Just(i32::MAX)],
        proptest::collection::vec(enterprise(), 0..120),
        proptest::collection::btree_map(2015i32..2025, figures(), 0..3),
    )
        .prop_map(|(county, batch_year, enterprises, totals)| Declaration {
            edition: "2022".to_owned(),
            batch_year,
            first_batch: false,
            cluster: ClusterInfo {
                name: "集群".to_owned(),
                county_code: county,
                leading_industry: "x".to_owned(),
                industry_codes: vec![],
                area_km2: None,
                provincial_cluster: false,
                operator: None,
                high_energy_industry: false,
                high_water_industry: false,
            },
            years: vec![],
            enterprises,
            totals,
            benchmarks: Default::default(),
            incidents: vec![],
            attestations: Default::default(),
            plan: Default::default(),
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn checks_never_panic(decl in declaration()) {
        let found = checks::run(&decl);
        for c in &found {
            prop_assert!(c.id.starts_with("X."));
            prop_assert!(!c.message.is_empty());
            prop_assert!(!c.message_en.is_empty());
        }
        let _ = checks::duplicates_across(&[("a", &decl), ("b", &decl)]);
    }

    /// Scaling every money figure by the same factor changes no ratio-based finding.
    #[test]
    fn scaling_money_keeps_ratio_checks(seed in 0u64..1000, factor in 2i64..1000) {
        let d = generate(&params(1, 30, seed)).next().unwrap();
        let mut scaled = d.clone();
        let f = Decimal::from(factor);
        let scale = |w: &mut Option<Wan>| { if let Some(x) = w { *x = Wan(x.0 * f); } };
        for e in &mut scaled.enterprises {
            for fig in e.figures.values_mut() {
                scale(&mut fig.output_value);
                scale(&mut fig.rd_expenditure);
                scale(&mut fig.export_value);
            }
        }
        for fig in scaled.totals.values_mut() {
            scale(&mut fig.output_value);
        }
        let ids = |ds: &Declaration| -> BTreeMap<String, usize> {
            let mut m = BTreeMap::new();
            for c in checks::run(ds) {
                if c.id != "X.size_mismatch" {
                    *m.entry(c.id).or_default() += 1;
                }
            }
            m
        };
        prop_assert_eq!(ids(&d), ids(&scaled));
    }
}

// ---- generated declarations against the criteria engine ----

use jiqun_domain::criteria::{Kind, Lang, Status, evaluate_json, parse_declaration};
use jiqun_domain::generate::to_json;

/// Every generated declaration is accepted by the declaration parser and reads back as the
/// same declaration; every cluster not built to fail is eligible, and every failing one
/// fails exactly at the criterion (or error check) it was built to fail.
#[test]
fn generated_declarations_parse_and_evaluate_as_intended() {
    for batch_year in [2022, 2024] {
        let p = GenerateParams {
            batch_year,
            years: if batch_year == 2022 { 5 } else { 3 },
            ..params(120, 40, 11)
        };
        for (i, g) in generate_labelled(&p).enumerate() {
            let text = to_json(&g.declaration).unwrap().to_string();
            let parsed = parse_declaration(&text).unwrap_or_else(|e| panic!("cluster {i}: {e:#?}"));
            assert_eq!(parsed, g.declaration, "cluster {i} reads back differently");
            let eval = evaluate_json(&text, Lang::Zh).unwrap();
            let hard_failures: Vec<&str> = eval
                .criteria
                .iter()
                .filter(|v| match v.kind {
                    Kind::Hard => !matches!(v.status, Status::Pass | Status::NotApplicable),
                    Kind::Veto => v.status == Status::Veto,
                    _ => false,
                })
                .map(|v| v.id.as_str())
                .collect();
            let errors: Vec<&str> = eval
                .checks
                .iter()
                .filter(|c| c.severity == Severity::Error)
                .map(|c| c.id.as_str())
                .collect();
            match g.failure {
                None => {
                    assert!(
                        eval.eligible,
                        "cluster {i} should be eligible: {hard_failures:?} {errors:?}\n{:#?}",
                        eval.criteria
                            .iter()
                            .filter(|v| hard_failures.contains(&v.id.as_str()))
                            .collect::<Vec<_>>()
                    );
                }
                Some(f) => {
                    assert!(!eval.eligible, "cluster {i} ({f:?}) should not be eligible");
                    let failed: Vec<&str> = hard_failures.iter().chain(&errors).copied().collect();
                    assert_eq!(failed, [f.id()], "cluster {i} ({f:?})");
                }
            }
        }
    }
}
