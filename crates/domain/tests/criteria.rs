//! Integration tests of the criteria engine: the eligible example, a golden test per
//! criterion at its exact boundary (just below, at, just above) for every comparator kind,
//! SME sizing through the engine, regional overrides, a provincial edition, property tests
//! and snapshots of the printed report.

// Test code: helpers outside #[test] functions may unwrap and panic too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use jiqun_domain::criteria::{
    self, Edition, Evaluation, Kind, Lang, Status, evaluate, parse_declaration, render_text,
};
use jiqun_domain::declaration::{
    Declaration, Enterprise, Figures, Incident, IncidentKind, IncidentLevel, Operator, Plan,
    PlanArea, PlanTarget, Size, Title, TitleKind,
};
use jiqun_domain::money::Wan;
use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use std::collections::BTreeMap;

const EXAMPLE: &str = include_str!("../../../examples/declaration-eligible.json");
const NATIONAL_TOML: &str = include_str!("../../../criteria/2022.toml");

fn national() -> &'static Edition {
    Edition::builtin("2022").unwrap()
}

fn eval(d: &Declaration) -> Evaluation {
    evaluate(d, national(), Lang::Zh)
}

fn status(e: &Evaluation, id: &str) -> Status {
    e.verdict(id)
        .unwrap_or_else(|| panic!("no verdict {id}"))
        .status
}

fn explanation(e: &Evaluation, id: &str) -> String {
    e.verdict(id).unwrap().explanation.clone()
}

// ---------------------------------------------------------------------------------------
// A base declaration built in code: eligible, with round numbers that make every boundary
// reachable exactly.
//
//   甲 C3321 leading, medium (500 employees, revenue 20000), little giant 2021, uses IIP
//   乙 C3321 leading, large (2000 employees, revenue 100000)
//   丙 C2231 not leading, small (100 employees, revenue 5000)
//
//   output   2019 220000+100000+100000 = 420000; 2020 230000+110000+120000 = 460000;
//            2021 260000+120000+140000 = 520000
//   SME share 2021 = 400000/520000 = 76.9%; leading share = 380000/520000 = 73.1%
//   SME R&D  2019 1000+200 = 1200; 2021 1300+260 = 1560
//   patents  2019 100+50+10 = 160; 2021 140+70+14 = 224; employees 2021 2600

fn figures(
    output: Decimal,
    employees: u64,
    revenue: Decimal,
    rd: Decimal,
    patents: u64,
) -> Figures {
    Figures {
        output_value: Some(Wan(output)),
        revenue: Some(Wan(revenue)),
        employees: Some(employees),
        total_assets: Some(Wan(revenue)),
        rd_expenditure: Some(Wan(rd)),
        valid_invention_patents: Some(patents),
        co2_t: None,
        energy_tce: None,
        water_m3: None,
        export_value: None,
    }
}

/// A valid USCC registered in 永康市 (330784), distinct per `n`.
fn uscc(n: u32) -> String {
    let first17 = format!("91330784MA2{n:06}");
    let check = jiqun_domain::uscc::compute_check_char(&first17).unwrap();
    format!("{first17}{check}")
}

#[allow(clippy::too_many_arguments)]
fn enterprise(
    name: &str,
    code: &str,
    leading: bool,
    employees: u64,
    revenue: Decimal,
    outputs: [Decimal; 3],
    rd: [Decimal; 3],
    patents: [u64; 3],
) -> Enterprise {
    let mut figs = BTreeMap::new();
    for (i, year) in [2019, 2020, 2021].into_iter().enumerate() {
        figs.insert(
            year,
            figures(outputs[i], employees, revenue, rd[i], patents[i]),
        );
    }
    Enterprise {
        uscc: uscc(u32::from(name.chars().next().unwrap()) % 1000),
        name: name.into(),
        industry_code: code.into(),
        in_leading_industry: leading,
        declared_size: None,
        titles: Vec::new(),
        uses_iip: Some(false),
        policy_reached: Some(true),
        figures: figs,
    }
}

fn base() -> Declaration {
    let mut a = enterprise(
        "甲",
        "C3321",
        true,
        500,
        dec!(20000),
        [dec!(220000), dec!(230000), dec!(260000)],
        [dec!(1000), dec!(1150), dec!(1300)],
        [100, 120, 140],
    );
    a.titles.push(Title {
        kind: TitleKind::LittleGiant,
        year: 2021,
    });
    a.uses_iip = Some(true);
    let b = enterprise(
        "乙",
        "C3321",
        true,
        2000,
        dec!(100000),
        [dec!(100000), dec!(110000), dec!(120000)],
        [dec!(3000), dec!(3000), dec!(3000)],
        [50, 60, 70],
    );
    let c = enterprise(
        "丙",
        "C2231",
        false,
        100,
        dec!(5000),
        [dec!(100000), dec!(120000), dec!(140000)],
        [dec!(200), dec!(230), dec!(260)],
        [10, 12, 14],
    );
    let mut d = Declaration {
        edition: "2022".into(),
        batch_year: 2022,
        first_batch: false,
        cluster: jiqun_domain::declaration::ClusterInfo {
            name: "测试集群".into(),
            county_code: "330784".into(),
            leading_industry: "五金工具".into(),
            industry_codes: vec!["C3321".into()],
            area_km2: Some(dec!(80)),
            provincial_cluster: true,
            operator: Some(Operator {
                name: "集群管委会".into(),
                kind: "management_committee".into(),
            }),
            high_energy_industry: false,
            high_water_industry: false,
        },
        years: vec![2019, 2020, 2021],
        enterprises: vec![a, b, c],
        totals: BTreeMap::new(),
        benchmarks: Default::default(),
        incidents: Vec::new(),
        attestations: Default::default(),
        plan: Plan {
            targets: PlanArea::ALL
                .into_iter()
                .map(|area| PlanTarget {
                    area,
                    metric: "m".into(),
                    baseline: dec!(1),
                    target: dec!(2),
                    year: 2025,
                })
                .collect(),
        },
    };
    // CO₂ intensity 0.1 → 0.09 → 0.08 t/万元 (all on 甲).
    set(&mut d, "甲", 2019, |f| f.co2_t = Some(dec!(42000)));
    set(&mut d, "甲", 2020, |f| f.co2_t = Some(dec!(41400)));
    set(&mut d, "甲", 2021, |f| f.co2_t = Some(dec!(41600)));
    d
}

fn set(d: &mut Declaration, name: &str, year: i32, f: impl FnOnce(&mut Figures)) {
    let e = d.enterprises.iter_mut().find(|e| e.name == name).unwrap();
    f(e.figures.get_mut(&year).unwrap());
}

fn output(d: &mut Declaration, name: &str, year: i32, v: Decimal) {
    set(d, name, year, |f| f.output_value = Some(Wan(v)));
}

/// Evaluate three variants (below, at, above a boundary) and return their statuses.
fn three(
    id: &str,
    variant: impl Fn(&mut Declaration, Decimal),
    values: [Decimal; 3],
) -> [Status; 3] {
    values.map(|v| {
        let mut d = base();
        variant(&mut d, v);
        status(&eval(&d), id)
    })
}

use Status::{Fail, Missing, NotApplicable, Pass, Veto, Warning};

#[test]
fn base_is_eligible() {
    let e = eval(&base());
    let bad: Vec<_> = e
        .criteria
        .iter()
        .filter(|v| v.kind == Kind::Hard && v.status != Pass && v.status != NotApplicable)
        .map(|v| format!("{} {:?} {}", v.id, v.status, v.explanation))
        .collect();
    assert!(bad.is_empty(), "{bad:#?}");
    assert!(e.eligible);
    assert_eq!(e.criteria.len(), 25);
}

#[test]
fn example_file_is_eligible() {
    let d = parse_declaration(EXAMPLE).unwrap_or_else(|errs| panic!("{errs:#?}"));
    let e = eval(&d);
    let not_pass: Vec<_> = e
        .criteria
        .iter()
        .filter(|v| !matches!(v.status, Pass | NotApplicable | Status::Judgement))
        .map(|v| format!("{} {:?} {}", v.id, v.status, v.explanation))
        .collect();
    assert!(not_pass.is_empty(), "{not_pass:#?}");
    assert!(e.checks.is_empty(), "{:#?}", e.checks);
    assert!(e.eligible);
    // The JSON shape of SPEC §3.
    let json = serde_json::to_value(&e).unwrap();
    let keys: Vec<&String> = json.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["eligible", "criteria", "checks"]);
    let first: Vec<&String> = json["criteria"][0].as_object().unwrap().keys().collect();
    assert_eq!(first, ["id", "status", "value", "threshold", "explanation"]);
    assert_eq!(json["criteria"][0]["status"], "pass");
    assert_eq!(criteria::evaluate_json(EXAMPLE, Lang::Zh).unwrap(), e);
}

#[test]
fn docs_show_the_example_file() {
    let doc = include_str!("../../../docs/declaration.md");
    let block = doc
        .split("## Complete example")
        .nth(1)
        .and_then(|rest| rest.split("```json").nth(1))
        .and_then(|rest| rest.split("```").next())
        .unwrap();
    let in_doc: serde_json::Value = serde_json::from_str(block).unwrap();
    let file: serde_json::Value = serde_json::from_str(EXAMPLE).unwrap();
    assert_eq!(in_doc, file, "docs/declaration.md is out of date");
}

#[test]
fn other_examples_behave_as_documented() {
    let d = parse_declaration(include_str!(
        "../../../examples/declaration-not-eligible.json"
    ))
    .unwrap();
    let e = eval(&d);
    assert!(!e.eligible);
    assert_eq!(status(&e, "C1.growth"), Fail);
    assert_eq!(status(&e, "C8.plan"), Fail);
    assert_eq!(status(&e, "N.incidents"), Veto);
    let errs =
        parse_declaration(include_str!("../../../examples/declaration-invalid.json")).unwrap_err();
    assert_eq!(errs.len(), 21, "{errs:#?}");
}

// ---------------------------------------------------------------------------------------
// Golden boundary tests, one per measurable criterion.

#[test]
fn c1_output_yishang_includes_the_bound() {
    // 2019 total = 甲 + 200000; at 甲 = 200000 it is exactly 400000 (40亿元).
    let got = three(
        "C1.output",
        |d, v| output(d, "甲", 2019, v),
        [dec!(199999.99), dec!(200000), dec!(200000.01)],
    );
    assert_eq!(got, [Fail, Pass, Pass]);
}

#[test]
fn c1_output_explains_the_gap() {
    let mut d = base();
    // 2021 total 382000 = 38.2亿元.
    output(&mut d, "甲", 2021, dec!(122000));
    let e = eval(&d);
    assert_eq!(status(&e, "C1.output"), Fail);
    assert_eq!(
        explanation(&e, "C1.output"),
        "2021年产值 38.2亿元，低于 40亿元；需再增加 1.8亿元"
    );
    let en = evaluate(&d, national(), Lang::En);
    assert_eq!(
        en.verdict("C1.output").unwrap().explanation,
        "Output value in 2021 RMB 3.82 bn, below RMB 4 bn; needs to raise it by RMB 180 m"
    );
    assert!(!e.eligible);
}

#[test]
fn c1_sme_share_yishang_70() {
    // (260000 + 丙)/(380000 + 丙) = 70% exactly at 丙 = 20000.
    let got = three(
        "C1.sme_share",
        |d, v| output(d, "丙", 2021, v),
        [dec!(19999.99), dec!(20000), dec!(20000.01)],
    );
    assert_eq!(got, [Fail, Pass, Pass]);
}

#[test]
fn c1_leading_share_gaoyu_excludes_the_bound() {
    // 丙 = 150000 and 甲 + 乙 = 350000 gives exactly 70%, which is not 高于 70%.
    let got = three(
        "C1.leading_share",
        |d, v| {
            output(d, "丙", 2021, dec!(150000));
            output(d, "乙", 2021, v);
        },
        [dec!(89999.99), dec!(90000), dec!(90000.01)],
    );
    assert_eq!(got, [Fail, Fail, Pass]);
    let mut d = base();
    output(&mut d, "丙", 2021, dec!(150000));
    output(&mut d, "乙", 2021, dec!(90000));
    let text = explanation(&eval(&d), "C1.leading_share");
    assert!(text.contains("恰为 70%，未高于 70%"), "{text}");
}

#[test]
fn c1_growth_exactly_ten_percent_is_not_higher() {
    // 2019 = 420000, so 2021 must exceed 420000 × 1.21 = 508200; 丙 2021 = 128200 hits it.
    let got = three(
        "C1.growth",
        |d, v| output(d, "丙", 2021, v),
        [dec!(128199.99), dec!(128200), dec!(128200.01)],
    );
    assert_eq!(got, [Fail, Fail, Pass]);
    let mut d = base();
    output(&mut d, "丙", 2021, dec!(128200));
    let text = explanation(&eval(&d), "C1.growth");
    assert!(
        text.starts_with("2019–2021年产值年均增速 10%，恰为 10%，未高于 10%"),
        "{text}"
    );
    assert!(text.contains("2021年产值需高于 50.82亿元"), "{text}");
}

#[test]
fn c4_rd_growth_gaoyu() {
    // SME (甲 + 丙) R&D 2019 = 1200 → 2021 must exceed 1452; 丙 2021 = 260.
    let got = three(
        "C4.rd_growth",
        |d, v| set(d, "甲", 2021, |f| f.rd_expenditure = Some(Wan(v))),
        [dec!(1191.99), dec!(1192), dec!(1192.01)],
    );
    assert_eq!(got, [Fail, Fail, Pass]);
}

#[test]
fn c4_rd_growth_counts_only_smes() {
    // 乙 is large: its R&D (flat) does not count. Make 乙's R&D explode: still SME-only.
    let mut d = base();
    set(&mut d, "甲", 2021, |f| {
        f.rd_expenditure = Some(Wan(dec!(1000)))
    });
    set(&mut d, "丙", 2021, |f| {
        f.rd_expenditure = Some(Wan(dec!(200)))
    });
    set(&mut d, "乙", 2021, |f| {
        f.rd_expenditure = Some(Wan(dec!(90000)))
    });
    assert_eq!(status(&eval(&d), "C4.rd_growth"), Fail);
}

#[test]
fn c4_patent_growth_budiyu_includes_fifteen_percent() {
    // 2019 total 400 (甲 340) → 2021 at least 400 × 1.3225 = 529 (乙 70 + 丙 14 + 甲 445).
    let got = three(
        "C4.patent_growth",
        |d, v| {
            set(d, "甲", 2019, |f| f.valid_invention_patents = Some(340));
            let n = u64::try_from(v.mantissa()).unwrap();
            set(d, "甲", 2021, |f| f.valid_invention_patents = Some(n));
        },
        [dec!(444), dec!(445), dec!(446)],
    );
    assert_eq!(got, [Fail, Pass, Pass]);
}

#[test]
fn c4_patent_density_budiyu_15_per_10k() {
    // 2021 patents: 甲 216 + 70 + 14 = 300; employees 500 + 乙 + 100 = 200000 gives exactly 15.
    let got = three(
        "C4.patent_density",
        |d, v| {
            set(d, "甲", 2021, |f| f.valid_invention_patents = Some(216));
            let n = u64::try_from(v.mantissa()).unwrap();
            set(d, "乙", 2021, |f| f.employees = Some(n));
        },
        [dec!(199401), dec!(199400), dec!(199399)],
    );
    assert_eq!(got, [Fail, Pass, Pass]);
    let mut d = base();
    set(&mut d, "甲", 2021, |f| {
        f.valid_invention_patents = Some(216)
    });
    set(&mut d, "乙", 2021, |f| f.employees = Some(300_000));
    let text = explanation(&eval(&d), "C4.patent_density");
    // 15 × 300600 / 10000 = 450.9 → 451 patents needed, 300 held.
    assert!(text.contains("需再增加 151 件有效发明专利"), "{text}");
}

fn with_roster_of_twenty(d: &mut Declaration, using: usize) {
    for i in 0..17 {
        d.enterprises.push(Enterprise {
            uscc: uscc(5000 + i),
            name: format!("丁{i}"),
            industry_code: "C3321".into(),
            in_leading_industry: true,
            declared_size: Some(Size::Micro),
            titles: Vec::new(),
            uses_iip: Some(false),
            policy_reached: Some(true),
            figures: BTreeMap::new(),
        });
    }
    for (i, e) in d.enterprises.iter_mut().enumerate() {
        e.uses_iip = Some(i < using);
    }
}

#[test]
fn c5_iip_budiyu_15_percent() {
    let got = [2usize, 3, 4].map(|n| {
        let mut d = base();
        with_roster_of_twenty(&mut d, n);
        status(&eval(&d), "C5.iip")
    });
    assert_eq!(got, [Fail, Pass, Pass]);
    let mut d = base();
    with_roster_of_twenty(&mut d, 2);
    let text = explanation(&eval(&d), "C5.iip");
    assert!(
        text.contains("工业互联网平台应用普及率 10%，低于 15%；需再有 1 家企业应用工业互联网平台"),
        "{text}"
    );
}

#[test]
fn c1_area_buchaoguo_is_soft() {
    let got = three(
        "C1.area",
        |d, v| d.cluster.area_km2 = Some(v),
        [dec!(99.99), dec!(100), dec!(100.01)],
    );
    assert_eq!(got, [Pass, Pass, Warning]);
    let mut d = base();
    d.cluster.area_km2 = Some(dec!(130));
    assert!(eval(&d).eligible, "a soft rule never blocks");
    d.cluster.area_km2 = None;
    assert_eq!(status(&eval(&d), "C1.area"), Missing);
}

#[test]
fn c2_firms_either_alternative_and_title_years() {
    let mut d = base();
    assert_eq!(status(&eval(&d), "C2.firms"), Pass);
    // A title granted after the batch year does not count; in the batch year it does.
    d.enterprises[0].titles = vec![Title {
        kind: TitleKind::LittleGiant,
        year: 2023,
    }];
    assert_eq!(status(&eval(&d), "C2.firms"), Fail);
    d.enterprises[0].titles = vec![Title {
        kind: TitleKind::LittleGiant,
        year: 2022,
    }];
    assert_eq!(status(&eval(&d), "C2.firms"), Pass);
    // A little giant outside the leading industry does not satisfy the first alternative.
    d.enterprises[0].titles.clear();
    d.enterprises[2].titles = vec![Title {
        kind: TitleKind::SingleChampion,
        year: 2020,
    }];
    assert_eq!(status(&eval(&d), "C2.firms"), Fail);
    // Second alternative: 不少于 10 distinct titled enterprises (9, 10, 11).
    let got = [9usize, 10, 11].map(|n| {
        let mut d = base();
        d.enterprises[0].titles.clear();
        with_roster_of_twenty(&mut d, 0);
        for e in d.enterprises.iter_mut().take(n) {
            // Two titles on one enterprise still count once.
            e.titles = vec![
                Title {
                    kind: TitleKind::SrdiSme,
                    year: 2020,
                },
                Title {
                    kind: TitleKind::HighTech,
                    year: 2021,
                },
            ];
        }
        status(&eval(&d), "C2.firms")
    });
    assert_eq!(got, [Fail, Pass, Pass]);
}

#[test]
fn c6_co2_must_fall_strictly_every_year() {
    // Intensity 2019 = 42000/420000 = 0.1; 2020 output 460000, so 46000 keeps it equal.
    let got = three(
        "C6.co2",
        |d, v| set(d, "甲", 2020, |f| f.co2_t = Some(v)),
        [dec!(45999.99), dec!(46000), dec!(46000.01)],
    );
    assert_eq!(got, [Pass, Fail, Fail]);
}

#[test]
fn c6_energy_diyu_benchmark_and_not_applicable() {
    assert_eq!(status(&eval(&base()), "C6.energy"), NotApplicable);
    // 2021 output 520000; benchmark 0.1 tce/万元 → 52000 tce is exactly at the benchmark.
    let got = three(
        "C6.energy",
        |d, v| {
            d.cluster.high_energy_industry = true;
            d.benchmarks.energy_intensity = Some(dec!(0.1));
            set(d, "甲", 2021, |f| f.energy_tce = Some(v));
        },
        [dec!(51999.99), dec!(52000), dec!(52000.01)],
    );
    assert_eq!(got, [Pass, Fail, Fail]);
    let mut d = base();
    d.cluster.high_energy_industry = true;
    set(&mut d, "甲", 2021, |f| f.energy_tce = Some(dec!(1)));
    assert_eq!(status(&eval(&d), "C6.energy"), Missing, "no benchmark");
}

#[test]
fn c6_water_diyu_benchmark() {
    let got = three(
        "C6.water",
        |d, v| {
            d.cluster.high_water_industry = true;
            d.benchmarks.water_intensity = Some(dec!(1.2));
            set(d, "乙", 2021, |f| f.water_m3 = Some(v));
        },
        [dec!(623999.99), dec!(624000), dec!(624000.01)],
    );
    assert_eq!(got, [Pass, Fail, Fail]);
}

#[test]
fn c8_plan_bushaoyu_six_areas() {
    let mut d = base();
    d.plan.targets.retain(|t| t.area != PlanArea::Green);
    let e = eval(&d);
    assert_eq!(status(&e, "C8.plan"), Fail);
    assert!(explanation(&e, "C8.plan").contains("缺少：绿色低碳"));
    // A target beyond the three plan years does not count.
    let mut d = base();
    d.plan.targets[0].year = 2026;
    assert_eq!(status(&eval(&d), "C8.plan"), Fail);
    d.plan.targets[0].year = 2025;
    assert_eq!(status(&eval(&d), "C8.plan"), Pass);
}

#[test]
fn c8_policy_is_soft_and_operator_is_hard() {
    let mut d = base();
    d.enterprises[1].policy_reached = Some(false);
    let e = eval(&d);
    assert_eq!(status(&e, "C8.policy"), Warning);
    assert!(e.eligible);
    d.cluster.operator = None;
    let e = eval(&d);
    assert_eq!(status(&e, "C8.operator"), Missing);
    assert!(!e.eligible);
}

#[test]
fn p_provincial_first_batch_exception() {
    let mut d = base();
    d.cluster.provincial_cluster = false;
    assert_eq!(status(&eval(&d), "P.provincial"), Fail);
    d.first_batch = true;
    assert_eq!(status(&eval(&d), "P.provincial"), Pass);
}

fn incident(date: (i32, u32, u32), kind: IncidentKind, level: IncidentLevel) -> Incident {
    Incident {
        date: chrono::NaiveDate::from_ymd_opt(date.0, date.1, date.2).unwrap(),
        kind,
        level,
        enterprise: None,
        description: None,
    }
}

#[test]
fn n_incidents_levels_and_dates() {
    use IncidentKind::*;
    use IncidentLevel::*;
    let cases = [
        (incident((2021, 5, 1), Safety, General), Pass),
        (incident((2021, 5, 1), Safety, Larger), Veto),
        (incident((2021, 5, 1), Environment, EspeciallyMajor), Veto),
        (incident((2021, 5, 1), Cyber, Larger), Pass),
        (incident((2021, 5, 1), Data, Major), Veto),
        (incident((2021, 5, 1), Tax, General), Veto),
        (incident((2021, 5, 1), Dishonesty, General), Veto),
        // 1 January of batch year − 3 counts; the day before does not.
        (incident((2019, 1, 1), Illegal, General), Veto),
        (incident((2018, 12, 31), Illegal, Major), Pass),
        (incident((2022, 6, 1), Quality, Larger), Veto),
    ];
    for (inc, want) in cases {
        let mut d = base();
        d.incidents.push(inc.clone());
        let e = eval(&d);
        assert_eq!(status(&e, "N.incidents"), want, "{inc:?}");
        assert_eq!(e.eligible, want == Pass, "{inc:?}");
    }
}

#[test]
fn missing_roster_figures_fall_back_to_totals() {
    let mut d = base();
    for e in &mut d.enterprises {
        e.figures.get_mut(&2020).unwrap().output_value = None;
    }
    let e = eval(&d);
    assert_eq!(status(&e, "C1.output"), Missing);
    d.totals.insert(
        2020,
        Figures {
            output_value: Some(Wan(dec!(460000))),
            ..Default::default()
        },
    );
    let e = eval(&d);
    assert_eq!(status(&e, "C1.output"), Pass);
    assert!(explanation(&e, "C1.output").contains("2020年数据取自集群汇总数"));
}

#[test]
fn roster_wins_over_totals() {
    let mut d = base();
    d.totals.insert(
        2019,
        Figures {
            output_value: Some(Wan(dec!(1))),
            ..Default::default()
        },
    );
    assert_eq!(status(&eval(&d), "C1.output"), Pass);
}

// ---------------------------------------------------------------------------------------
// SME status through the engine.

#[test]
fn sme_status_uses_the_2011_standard_on_the_latest_year() {
    let share = |employees: u64, revenue: Decimal| {
        let mut d = base();
        set(&mut d, "乙", 2021, |f| {
            f.employees = Some(employees);
            f.revenue = Some(Wan(revenue));
        });
        let e = eval(&d);
        e.verdict("C1.sme_share").unwrap().value.clone().unwrap()
    };
    // 乙 with 299 employees is small whatever its revenue ("或"): everything is SME.
    assert_eq!(share(299, dec!(1000000)), "100%（2021年）");
    // 1000 employees and revenue 40000: neither below its ceiling → large.
    assert_eq!(share(1000, dec!(40000)), "76.92%（2021年）");
    assert_eq!(share(1000, dec!(39999)), "100%（2021年）");
    // Figures missing: the declared size decides.
    let mut d = base();
    set(&mut d, "乙", 2021, |f| f.revenue = None);
    d.enterprises[1].declared_size = Some(Size::Medium);
    assert_eq!(
        eval(&d).verdict("C1.sme_share").unwrap().value.as_deref(),
        Some("100%（2021年）")
    );
    d.enterprises[1].declared_size = None;
    let e = eval(&d);
    assert!(
        explanation(&e, "C1.sme_share").contains("1 家规模无法确定"),
        "{}",
        explanation(&e, "C1.sme_share")
    );
}

// ---------------------------------------------------------------------------------------
// Comparators the 2022 edition does not use (以下, 超过), through a custom edition.

const CUSTOM: &str = r#"
id = "test"
name_zh = "测试版"
name_en = "test"
tier = "national"
source = "tests"
window_years = 3

[[group]]
id = "T"
name_zh = "测试"
name_en = "test"

[[criterion]]
id = "T.area"
group = "T"
kind = "hard"
article = "测试"
text_zh = "面积100平方公里以下"
text_en = "area at most 100"
metric = "area_km2"
comparator = "以下"
threshold = 100

[[criterion]]
id = "T.output"
group = "T"
kind = "hard"
article = "测试"
text_zh = "最近一年产值超过50亿元"
text_en = "latest output above 5 bn"
metric = "output_value"
window = "latest"
comparator = "超过"
threshold = 500000

[[criterion]]
id = "T.export"
group = "T"
kind = "soft"
article = "测试"
text_zh = "出口占比低于 10%"
text_en = "exports below 10%"
metric = "export_share"
window = "latest"
comparator = "低于"
threshold = "10%"
"#;

#[test]
fn yixia_and_chaoguo() {
    let ed = Edition::from_toml_str(CUSTOM).unwrap();
    let st = |d: &Declaration, id: &str| evaluate(d, &ed, Lang::Zh).verdict(id).unwrap().status;
    let got = [dec!(99.99), dec!(100), dec!(100.01)].map(|v| {
        let mut d = base();
        d.cluster.area_km2 = Some(v);
        st(&d, "T.area")
    });
    assert_eq!(got, [Pass, Pass, Fail], "以下 includes the bound");
    // 2021 total = 甲 + 260000; 甲 = 240000 makes exactly 500000.
    let got = [dec!(239999.99), dec!(240000), dec!(240000.01)].map(|v| {
        let mut d = base();
        output(&mut d, "甲", 2021, v);
        st(&d, "T.output")
    });
    assert_eq!(got, [Fail, Fail, Pass], "超过 excludes the bound");
    // 低于 10%: exports 52000 of 520000 is exactly 10%.
    let got = [dec!(51999.99), dec!(52000), dec!(52000.01)].map(|v| {
        let mut d = base();
        set(&mut d, "甲", 2021, |f| f.export_value = Some(Wan(v)));
        st(&d, "T.export")
    });
    assert_eq!(got, [Pass, Warning, Warning]);
}

// ---------------------------------------------------------------------------------------
// Regional overrides and a provincial edition.

fn west_edition() -> Edition {
    let src = format!(
        "{NATIONAL_TOML}\n\
         [[override]]\n\
         id = \"west\"\n\
         name_zh = \"西部地区适当放宽（测试）\"\n\
         name_en = \"western relaxation (test)\"\n\
         provinces = [\"53\", \"620000\"]\n\
         [[override.set]]\n\
         criterion = \"C1.output\"\n\
         threshold = 300000\n\
         [[override.set]]\n\
         criterion = \"C2.firms\"\n\
         condition = 2\n\
         threshold = 5\n"
    );
    Edition::from_toml_str(&src).unwrap()
}

#[test]
fn regional_override_relaxes_listed_provinces_only() {
    let ed = west_edition();
    let mut d = base();
    // 2019 output 350000: under 40亿, over the relaxed 30亿.
    output(&mut d, "甲", 2019, dec!(150000));
    d.cluster.county_code = "530102".into(); // 昆明市五华区
    let e = evaluate(&d, &ed, Lang::Zh);
    assert_eq!(e.verdict("C1.output").unwrap().status, Pass);
    assert!(
        e.verdict("C1.output")
            .unwrap()
            .explanation
            .contains("西部地区适当放宽（测试）")
    );
    assert_eq!(
        e.verdict("C1.output").unwrap().threshold.as_deref(),
        Some("近3年每年30亿元以上")
    );
    d.cluster.county_code = "620102".into();
    assert_eq!(
        evaluate(&d, &ed, Lang::Zh)
            .verdict("C1.output")
            .unwrap()
            .status,
        Pass
    );
    d.cluster.county_code = "330784".into();
    let e = evaluate(&d, &ed, Lang::Zh);
    assert_eq!(e.verdict("C1.output").unwrap().status, Fail);
    assert!(!e.verdict("C1.output").unwrap().explanation.contains("放宽"));
    // The second alternative of C2 relaxed to 5 in Yunnan.
    let mut d = base();
    d.enterprises[0].titles.clear();
    with_roster_of_twenty(&mut d, 0);
    for e in d.enterprises.iter_mut().take(5) {
        e.titles = vec![Title {
            kind: TitleKind::HighTech,
            year: 2020,
        }];
    }
    assert_eq!(
        evaluate(&d, &ed, Lang::Zh)
            .verdict("C2.firms")
            .unwrap()
            .status,
        Fail
    );
    d.cluster.county_code = "530102".into();
    assert_eq!(
        evaluate(&d, &ed, Lang::Zh)
            .verdict("C2.firms")
            .unwrap()
            .status,
        Pass
    );
}

#[test]
fn override_errors_are_reported() {
    let src = format!(
        "{NATIONAL_TOML}\n[[override]]\nid = \"bad\"\nname_zh = \"x\"\nprovinces = [\"5\"]\n\
         [[override.set]]\ncriterion = \"C9.none\"\nthreshold = 1\n"
    );
    let err = Edition::from_toml_str(&src).unwrap_err().to_string();
    assert!(
        err.contains("not a province code") && err.contains("no such criterion"),
        "{err}"
    );
    let src = format!(
        "{NATIONAL_TOML}\n[[override]]\nid = \"k\"\nname_zh = \"x\"\nprovinces = [\"53\"]\n\
         [[override.set]]\ncriterion = \"C1.area\"\nkind = \"judgement\"\n"
    );
    let err = Edition::from_toml_str(&src).unwrap_err().to_string();
    assert!(err.contains("between hard and soft"), "{err}");
}

#[test]
fn example_edition_file_loads_and_applies_its_override() {
    let ed = Edition::from_toml_str(include_str!("../../../examples/edition-custom.toml")).unwrap();
    assert_eq!(ed.overrides.len(), 1);
    let mut d = parse_declaration(EXAMPLE).unwrap();
    assert!(evaluate(&d, &ed, Lang::Zh).eligible);
    // 2021 output 48.17亿元 against 42.34亿元 in 2019: under 8% a year.
    output(&mut d, "浙江永康恒锋工具股份有限公司", 2021, dec!(92000));
    d.totals.clear();
    let e = evaluate(&d, &ed, Lang::Zh);
    assert_eq!(e.verdict("C1.growth").unwrap().status, Fail);
    assert!(!e.eligible);
    d.cluster.county_code = "510104".into(); // 成都市锦江区: the rule is soft there.
    let e = evaluate(&d, &ed, Lang::Zh);
    assert_eq!(e.verdict("C1.growth").unwrap().status, Warning);
    assert_eq!(e.verdict("C1.growth").unwrap().kind, Kind::Soft);
    assert!(e.eligible, "{:#?}", e.checks);
}

#[test]
fn provincial_edition_has_other_thresholds() {
    let yn = Edition::builtin("yunnan").unwrap();
    assert_eq!(yn.region.as_deref(), Some("53"));
    // A smaller cluster: 2019 output 12亿, 2021 13.5亿 (growth ≈ 6%), SME share 100%.
    let mut d = base();
    d.cluster.county_code = "530102".into();
    d.edition = "yunnan".into();
    for (name, outs) in [
        ("甲", [60000, 62000, 66000]),
        ("乙", [30000, 32000, 34000]),
        ("丙", [30000, 32000, 35000]),
    ] {
        for (year, v) in [2019, 2020, 2021].into_iter().zip(outs) {
            output(&mut d, name, year, Decimal::from(v));
        }
    }
    let provincial = evaluate(&d, yn, Lang::Zh);
    let bad: Vec<_> = provincial
        .criteria
        .iter()
        .filter(|v| v.kind == Kind::Hard && v.status != Pass)
        .map(|v| format!("{} {}", v.id, v.explanation))
        .collect();
    assert!(provincial.eligible, "{bad:#?}");
    let national = eval(&d);
    assert!(!national.eligible);
    assert_eq!(status(&national, "C1.output"), Fail);
    assert_eq!(status(&national, "C1.growth"), Fail);
    assert_eq!(
        criteria::evaluate_json(&serde_json::to_string(&json_of(&d)).unwrap(), Lang::Zh).unwrap(),
        provincial
    );
}

/// A declaration as SPEC JSON (numbers as JSON numbers), for round trips through the parser.
fn json_of(d: &Declaration) -> serde_json::Value {
    fn num(d: Decimal) -> serde_json::Value {
        serde_json::from_str(&d.to_string()).unwrap()
    }
    fn figs(f: &Figures) -> serde_json::Value {
        let mut m = serde_json::Map::new();
        let mut put = |k: &str, v: Option<Decimal>| {
            if let Some(v) = v {
                m.insert(k.into(), num(v));
            }
        };
        put("output_value", f.output_value.map(|w| w.0));
        put("revenue", f.revenue.map(|w| w.0));
        put("employees", f.employees.map(Decimal::from));
        put("total_assets", f.total_assets.map(|w| w.0));
        put("rd_expenditure", f.rd_expenditure.map(|w| w.0));
        put(
            "valid_invention_patents",
            f.valid_invention_patents.map(Decimal::from),
        );
        put("co2_t", f.co2_t);
        put("energy_tce", f.energy_tce);
        put("water_m3", f.water_m3);
        put("export_value", f.export_value.map(|w| w.0));
        serde_json::Value::Object(m)
    }
    let by_year = |m: &BTreeMap<i32, Figures>| -> serde_json::Value {
        m.iter()
            .map(|(y, f)| (y.to_string(), figs(f)))
            .collect::<serde_json::Map<_, _>>()
            .into()
    };
    serde_json::json!({
        "edition": d.edition,
        "batch_year": d.batch_year,
        "first_batch": d.first_batch,
        "cluster": {
            "name": d.cluster.name, "county_code": d.cluster.county_code,
            "leading_industry": d.cluster.leading_industry, "industry_codes": d.cluster.industry_codes,
            "area_km2": d.cluster.area_km2.map(num), "provincial_cluster": d.cluster.provincial_cluster,
            "operator": d.cluster.operator.as_ref().map(|o| serde_json::json!({"name": o.name, "type": o.kind})),
            "high_energy_industry": d.cluster.high_energy_industry,
            "high_water_industry": d.cluster.high_water_industry,
        },
        "years": d.years,
        "enterprises": d.enterprises.iter().map(|e| serde_json::json!({
            "uscc": e.uscc,
            "name": e.name, "industry_code": e.industry_code,
            "in_leading_industry": e.in_leading_industry, "declared_size": e.declared_size,
            "titles": e.titles, "uses_iip": e.uses_iip, "policy_reached": e.policy_reached,
            "figures": by_year(&e.figures),
        })).collect::<Vec<_>>(),
        "totals": by_year(&d.totals),
        "benchmarks": {
            "energy_intensity": d.benchmarks.energy_intensity.map(num),
            "water_intensity": d.benchmarks.water_intensity.map(num),
        },
        "incidents": d.incidents.iter().map(|i| serde_json::json!({
            "date": i.date.to_string(), "kind": i.kind, "level": i.level,
        })).collect::<Vec<_>>(),
        "plan": {"targets": d.plan.targets.iter().map(|t| serde_json::json!({
            "area": t.area, "metric": t.metric, "baseline": num(t.baseline),
            "target": num(t.target), "year": t.year,
        })).collect::<Vec<_>>()},
    })
}

// ---------------------------------------------------------------------------------------
// Parsing through the public API.

#[test]
fn invalid_input_lists_every_problem() {
    let mut v: serde_json::Value = serde_json::from_str(EXAMPLE).unwrap();
    v["enterprises"][3]["figures"]["2021"]["employees"] = serde_json::json!(-5);
    v["enterprises"][0]["declared_size"] = serde_json::json!("giant");
    v["years"] = serde_json::json!([2020, 2021]);
    v["incidents"][0]["date"] = serde_json::json!("2021-02-30");
    v["extra"] = serde_json::json!(1);
    let errs = parse_declaration(&v.to_string()).unwrap_err();
    let paths: Vec<&str> = errs.iter().map(|e| e.path.as_str()).collect();
    for p in [
        "enterprises[3].figures.2021.employees",
        "enterprises[0].declared_size",
        "years",
        "incidents[0].date",
        "extra",
        // Figures of 2019 are no longer in `years`: reported for every enterprise and totals.
        "enterprises[0].figures.2019",
        "totals.2019",
    ] {
        assert!(paths.contains(&p), "{p} not in {paths:#?}");
    }
    let size = errs
        .iter()
        .find(|e| e.path == "enterprises[0].declared_size")
        .unwrap();
    assert!(
        size.message.contains("large、medium、small、micro"),
        "{}",
        size.message
    );
    assert!(
        size.message_en.contains("large, medium, small, micro"),
        "{}",
        size.message_en
    );
}

#[test]
fn unknown_edition_is_an_input_error() {
    let mut v: serde_json::Value = serde_json::from_str(EXAMPLE).unwrap();
    v["edition"] = serde_json::json!("2099");
    let errs = criteria::evaluate_json(&v.to_string(), Lang::Zh).unwrap_err();
    assert_eq!(errs[0].path, "edition");
    assert!(errs[0].message.contains("2022"));
}

// ---------------------------------------------------------------------------------------
// Snapshots of the printed report.

fn failing() -> Declaration {
    let mut d = base();
    d.cluster.name = "示例不达标集群".into();
    output(&mut d, "甲", 2021, dec!(122000)); // 2021 total 38.2亿元
    d.cluster.area_km2 = Some(dec!(120.5));
    d.enterprises[1].policy_reached = Some(false);
    d.plan.targets.retain(|t| t.area != PlanArea::Openness);
    d.incidents.push(Incident {
        date: chrono::NaiveDate::from_ymd_opt(2020, 7, 3).unwrap(),
        kind: IncidentKind::Environment,
        level: IncidentLevel::Larger,
        enterprise: Some("91330784MA2000000X".into()),
        description: None,
    });
    d.enterprises[0].uscc = "91330784MA2000000X".into();
    d
}

#[test]
fn snapshot_report_of_the_eligible_example() {
    let d = parse_declaration(EXAMPLE).unwrap();
    let e = eval(&d);
    insta::assert_snapshot!(
        "report_eligible_zh",
        render_text(&d, national(), &e, Lang::Zh)
    );
}

/// The checks are another module's; fixed findings keep these snapshots about the report.
fn fixed_checks(e: &mut Evaluation, lang: Lang) {
    e.checks = vec![criteria::Check::new(
        "X.uscc",
        criteria::Severity::Error,
        "91330784MA2000000X 甲",
        "统一社会信用代码校验位错误",
        "USCC check character is wrong",
    )];
    if lang == Lang::En {
        e.checks[0].message = e.checks[0].message_en.clone();
    }
    e.eligible = Evaluation::compute_eligible(&e.criteria, &e.checks);
}

#[test]
fn snapshot_report_of_a_failing_cluster() {
    let d = failing();
    let mut e = eval(&d);
    assert!(!e.eligible);
    fixed_checks(&mut e, Lang::Zh);
    insta::assert_snapshot!(
        "report_failing_zh",
        render_text(&d, national(), &e, Lang::Zh)
    );
    let mut e = evaluate(&d, national(), Lang::En);
    fixed_checks(&mut e, Lang::En);
    insta::assert_snapshot!(
        "report_failing_en",
        render_text(&d, national(), &e, Lang::En)
    );
}

// ---------------------------------------------------------------------------------------
// Properties.

fn money() -> impl Strategy<Value = Decimal> {
    (1i64..=5_000_000, 0u32..=2).prop_map(|(m, s)| Decimal::new(m, s))
}

prop_compose! {
    /// An enterprise in an "other" sector (sized by employees only), so that scaling money
    /// never changes its SME status.
    fn arb_enterprise()(
        leading in any::<bool>(),
        employees in 1u64..2000,
        outputs in proptest::collection::vec(money(), 3),
        rd in proptest::collection::vec(money(), 3),
        co2 in proptest::collection::vec(money(), 3),
        exports in proptest::collection::vec(money(), 3),
        iip in any::<bool>(),
    ) -> Enterprise {
        let mut figs = BTreeMap::new();
        for (i, year) in [2019, 2020, 2021].into_iter().enumerate() {
            figs.insert(year, Figures {
                output_value: Some(Wan(outputs[i])),
                revenue: Some(Wan(outputs[i])),
                employees: Some(employees),
                total_assets: Some(Wan(rd[i])),
                rd_expenditure: Some(Wan(rd[i])),
                valid_invention_patents: Some(employees / 10),
                co2_t: Some(co2[i]),
                energy_tce: None,
                water_m3: None,
                export_value: Some(Wan(exports[i])),
            });
        }
        Enterprise {
            uscc: String::new(),
            name: "e".into(),
            industry_code: "P8310".into(),
            in_leading_industry: leading,
            declared_size: None,
            titles: Vec::new(),
            uses_iip: Some(iip),
            policy_reached: Some(true),
            figures: figs,
        }
    }
}

fn scale(d: &Declaration, k: Decimal) -> Declaration {
    let mut d = d.clone();
    let s = |w: &mut Option<Wan>| {
        if let Some(v) = w {
            *v = Wan(v.0 * k);
        }
    };
    for e in &mut d.enterprises {
        for f in e.figures.values_mut() {
            s(&mut f.output_value);
            s(&mut f.revenue);
            s(&mut f.total_assets);
            s(&mut f.rd_expenditure);
            s(&mut f.export_value);
        }
    }
    d
}

const RATIO_CRITERIA: [&str; 5] = [
    "C1.sme_share",
    "C1.leading_share",
    "C1.growth",
    "C4.rd_growth",
    "C6.co2",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn scaling_money_never_changes_a_ratio_verdict(
        enterprises in proptest::collection::vec(arb_enterprise(), 1..12),
        k in prop_oneof![Just(dec!(0.001)), Just(dec!(0.5)), Just(dec!(3)), Just(dec!(7.25)), Just(dec!(1000))],
    ) {
        let mut d = base();
        d.enterprises = enterprises;
        let before = eval(&d);
        let after = eval(&scale(&d, k));
        for id in RATIO_CRITERIA {
            prop_assert_eq!(status(&before, id), status(&after, id), "{}", id);
        }
    }

    #[test]
    fn evaluation_never_panics(d in arb_declaration()) {
        for lang in [Lang::Zh, Lang::En] {
            for ed in [national(), Edition::builtin("yunnan").unwrap()] {
                let e = evaluate(&d, ed, lang);
                let _ = render_text(&d, ed, &e, lang);
                prop_assert_eq!(e.eligible, Evaluation::compute_eligible(&e.criteria, &e.checks));
            }
        }
    }

    #[test]
    fn parsing_never_panics_on_text(s in "\\PC{0,200}") {
        let _ = parse_declaration(&s);
    }

    #[test]
    fn parsing_never_panics_on_mutated_examples(path_seed in any::<u64>(), value in arb_json()) {
        let mut v: serde_json::Value = serde_json::from_str(EXAMPLE).unwrap();
        mutate(&mut v, path_seed, value);
        let text = v.to_string();
        if let Ok(d) = parse_declaration(&text) {
            let _ = evaluate(&d, national(), Lang::Zh);
        }
    }
}

fn arb_json() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(serde_json::Value::from),
        "[a-z0-9\\-]{0,12}".prop_map(serde_json::Value::from),
        Just(serde_json::json!("2021-02-29")),
        Just(serde_json::json!(1e300)),
        Just(serde_json::json!(-0.0)),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
            proptest::collection::btree_map("[a-z_0-9]{1,8}", inner, 0..4)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Replace one node of `v`, chosen by `seed`, with `new`.
fn mutate(v: &mut serde_json::Value, seed: u64, new: serde_json::Value) {
    let (stop, rest) = (seed.is_multiple_of(4), seed / 4);
    if !stop {
        match v {
            serde_json::Value::Object(m) if !m.is_empty() => {
                let i = (rest as usize) % m.len();
                if let Some(n) = m.values_mut().nth(i) {
                    return mutate(n, rest / 7, new);
                }
            }
            serde_json::Value::Array(a) if !a.is_empty() => {
                let i = (rest as usize) % a.len();
                if let Some(n) = a.get_mut(i) {
                    return mutate(n, rest / 7, new);
                }
            }
            _ => {}
        }
    }
    *v = new;
}

fn any_decimal() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        Just(Decimal::ZERO),
        Just(Decimal::MAX),
        Just(Decimal::new(1, 28)),
        (0i64..=i64::MAX, 0u32..=28).prop_map(|(m, s)| Decimal::new(m, s)),
    ]
}

fn arb_figures() -> impl Strategy<Value = Figures> {
    (
        proptest::option::of(any_decimal()),
        proptest::option::of(any_decimal()),
        proptest::option::of(any::<u64>()),
        proptest::option::of(any_decimal()),
        proptest::option::of(any_decimal()),
        proptest::option::of(any::<u64>()),
        proptest::option::of(any_decimal()),
        proptest::option::of(any_decimal()),
    )
        .prop_map(|(o, r, e, a, rd, p, c, en)| Figures {
            output_value: o.map(Wan),
            revenue: r.map(Wan),
            employees: e,
            total_assets: a.map(Wan),
            rd_expenditure: rd.map(Wan),
            valid_invention_patents: p,
            co2_t: c,
            energy_tce: en,
            water_m3: c,
            export_value: o.map(Wan),
        })
}

fn arb_declaration() -> impl Strategy<Value = Declaration> {
    let ent = (
        "[A-Z]?[0-9]{0,5}",
        any::<bool>(),
        proptest::option::of(prop_oneof![
            Just(Size::Large),
            Just(Size::Medium),
            Just(Size::Small),
            Just(Size::Micro)
        ]),
        proptest::collection::btree_map(2015i32..2025, arb_figures(), 0..4),
        proptest::option::of(any::<bool>()),
        proptest::collection::vec((0usize..5, 2000i32..2030), 0..3),
    )
        .prop_map(|(code, leading, size, figures, iip, titles)| {
            let kinds = [
                TitleKind::SingleChampion,
                TitleKind::LittleGiant,
                TitleKind::SrdiSme,
                TitleKind::InnovativeSme,
                TitleKind::HighTech,
            ];
            Enterprise {
                uscc: "x".into(),
                name: "e".into(),
                industry_code: code,
                in_leading_industry: leading,
                declared_size: size,
                titles: titles
                    .into_iter()
                    .map(|(k, year)| Title {
                        kind: kinds[k],
                        year,
                    })
                    .collect(),
                uses_iip: iip,
                policy_reached: iip,
                figures,
            }
        });
    (
        prop_oneof![Just(2022i32), Just(i32::MIN), Just(i32::MAX), 1900i32..2100],
        proptest::collection::vec(ent, 0..6),
        proptest::collection::btree_map(2015i32..2025, arb_figures(), 0..3),
        proptest::option::of(any_decimal()),
        proptest::option::of(any_decimal()),
        any::<bool>(),
        any::<bool>(),
        proptest::collection::vec((0u32..3000, 0usize..8, 0usize..4), 0..3),
    )
        .prop_map(
            |(batch_year, enterprises, totals, area, bench, high, first, incidents)| {
                let mut d = base();
                d.batch_year = batch_year;
                d.enterprises = enterprises;
                d.totals = totals;
                d.cluster.area_km2 = area;
                d.cluster.high_energy_industry = high;
                d.cluster.high_water_industry = high;
                d.first_batch = first;
                d.benchmarks.energy_intensity = bench;
                d.benchmarks.water_intensity = bench;
                let kinds = [
                    IncidentKind::Safety,
                    IncidentKind::Quality,
                    IncidentKind::Environment,
                    IncidentKind::Cyber,
                    IncidentKind::Data,
                    IncidentKind::Tax,
                    IncidentKind::Illegal,
                    IncidentKind::Dishonesty,
                ];
                let levels = [
                    IncidentLevel::General,
                    IncidentLevel::Larger,
                    IncidentLevel::Major,
                    IncidentLevel::EspeciallyMajor,
                ];
                d.incidents = incidents
                    .into_iter()
                    .map(|(days, k, l)| Incident {
                        date: chrono::NaiveDate::from_ymd_opt(2016, 1, 1).unwrap()
                            + chrono::Days::new(u64::from(days)),
                        kind: kinds[k],
                        level: levels[l],
                        enterprise: None,
                        description: None,
                    })
                    .collect();
                d
            },
        )
}
