//! Verdicts: every criterion of an edition evaluated against a declaration, explained with
//! its numbers and units and, for a failed numeric rule, the gap.

use super::comparator::Comparator;
use super::edition::{AppliesIf, Condition, Criterion, Edition, Kind, Override, Threshold, Window};
use super::fmt::{pair, plain, points, quantity};
use super::metrics::{
    Frac, MetricId, Metrics, Quantity, SizeBasis, Source, Unavailable, Unit, cagr, growth_factor,
};
use super::{Check, Evaluation, Lang, Status, Verdict};
use crate::declaration::{Declaration, IncidentKind, IncidentLevel, PlanArea, TitleKind};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::cmp::Ordering;
use std::collections::BTreeMap;

/// Evaluate a declaration against an edition (regional overrides for the cluster's county
/// applied), run the evidence cross-checks, and decide eligibility.
pub fn evaluate(decl: &Declaration, edition: &Edition, lang: Lang) -> Evaluation {
    let m = Metrics::new(decl, edition.window_years);
    let criteria: Vec<Verdict> = edition
        .resolve(&decl.cluster.county_code)
        .iter()
        .map(|(c, by)| verdict(&m, c, by, lang))
        .collect();
    let mut checks = run_checks(decl);
    if lang == Lang::En {
        for c in &mut checks {
            if !c.message_en.is_empty() {
                c.message = c.message_en.clone();
            }
        }
    }
    let eligible = Evaluation::compute_eligible(&criteria, &checks);
    Evaluation {
        eligible,
        criteria,
        checks,
    }
}

fn run_checks(decl: &Declaration) -> Vec<Check> {
    crate::checks::run(decl)
}

/// The outcome of one condition (or of a whole criterion before soft/hard mapping).
struct Outcome {
    status: Status,
    value: Option<String>,
    threshold: Option<String>,
    explanation: String,
}

impl Outcome {
    fn missing(why: &Unavailable, threshold: Option<String>, lang: Lang) -> Outcome {
        Outcome {
            status: Status::Missing,
            value: None,
            threshold,
            explanation: match lang {
                Lang::Zh => format!("缺少数据：{}", why.zh),
                Lang::En => format!("data missing: {}", why.en),
            },
        }
    }
}

fn verdict(m: &Metrics, c: &Criterion, by: &[&Override], lang: Lang) -> Verdict {
    let out = match c.kind {
        Kind::Judgement => judgement(m, c, lang),
        Kind::Veto => veto(m, c, lang),
        Kind::Hard | Kind::Soft => match c.applies_if {
            Some(flag) if !applies(m.decl, flag) => not_applicable(flag, lang),
            _ => measurable(m, c, lang),
        },
    };
    let status = if c.kind == Kind::Soft && out.status == Status::Fail {
        Status::Warning
    } else {
        out.status
    };
    let mut explanation = out.explanation;
    if !by.is_empty() {
        let names: Vec<&str> = by
            .iter()
            .map(|o| lang.pick(&o.name_zh, &o.name_en))
            .collect();
        match lang {
            Lang::Zh => explanation.push_str(&format!("（适用地区性调整：{}）", names.join("；"))),
            Lang::En => explanation.push_str(&format!(
                " (regional override applied: {})",
                names.join("; ")
            )),
        }
    }
    Verdict {
        id: c.id.clone(),
        status,
        value: out.value,
        threshold: out.threshold,
        explanation,
        kind: c.kind,
    }
}

fn applies(decl: &Declaration, flag: AppliesIf) -> bool {
    match flag {
        AppliesIf::HighEnergyIndustry => decl.cluster.high_energy_industry,
        AppliesIf::HighWaterIndustry => decl.cluster.high_water_industry,
    }
}

fn not_applicable(flag: AppliesIf, lang: Lang) -> Outcome {
    let explanation = match (flag, lang) {
        (AppliesIf::HighEnergyIndustry, Lang::Zh) => "集群不属于高耗能行业，本项不适用",
        (AppliesIf::HighWaterIndustry, Lang::Zh) => "集群不属于高用水行业，本项不适用",
        (AppliesIf::HighEnergyIndustry, Lang::En) => "the cluster is not in a high-energy industry",
        (AppliesIf::HighWaterIndustry, Lang::En) => "the cluster is not in a high-water industry",
    };
    Outcome {
        status: Status::NotApplicable,
        value: None,
        threshold: None,
        explanation: explanation.into(),
    }
}

// ---------------------------------------------------------------------------------------
// Measurable rules.

fn measurable(m: &Metrics, c: &Criterion, lang: Lang) -> Outcome {
    let outcomes: Vec<Outcome> = c
        .conditions
        .iter()
        .map(|cond| condition(m, cond, lang))
        .collect();
    let or = lang.pick("；或", "; or ");
    let thresholds: Vec<String> = outcomes
        .iter()
        .filter_map(|o| o.threshold.clone())
        .collect();
    let threshold = (!thresholds.is_empty()).then(|| thresholds.join(lang.pick(" 或 ", " or ")));
    if outcomes.len() == 1 {
        return outcomes.into_iter().next().unwrap_or(Outcome {
            status: Status::Missing,
            value: None,
            threshold: None,
            explanation: String::new(),
        });
    }
    if let Some(p) = outcomes.iter().find(|o| o.status == Status::Pass) {
        return Outcome {
            status: Status::Pass,
            value: p.value.clone(),
            threshold,
            explanation: p.explanation.clone(),
        };
    }
    let status = if outcomes.iter().any(|o| o.status == Status::Missing) {
        Status::Missing
    } else {
        Status::Fail
    };
    let values: Vec<String> = outcomes.iter().filter_map(|o| o.value.clone()).collect();
    let explanation = outcomes
        .iter()
        .map(|o| o.explanation.as_str())
        .collect::<Vec<_>>()
        .join(or);
    let explanation = match (status, lang) {
        (Status::Fail, Lang::Zh) => format!("{explanation}（各项条件均未满足）"),
        (Status::Fail, Lang::En) => format!("{explanation} (no alternative is met)"),
        _ => explanation,
    };
    Outcome {
        status,
        value: (!values.is_empty()).then(|| values.join(lang.pick("；", "; "))),
        threshold,
        explanation,
    }
}

fn condition(m: &Metrics, cond: &Condition, lang: Lang) -> Outcome {
    match cond.window {
        Window::None => static_condition(m, cond, lang),
        Window::Latest => latest(m, cond, lang),
        Window::EachYear => each_year(m, cond, lang),
        Window::Growth => growth(m, cond, lang),
        Window::YearOverYear => year_over_year(m, cond, lang),
    }
}

/// The bound of a condition, or why it is unavailable.
fn bound(m: &Metrics, cond: &Condition) -> Result<Decimal, Unavailable> {
    match cond.threshold {
        Some(Threshold::Value(v)) => Ok(v),
        Some(Threshold::EnergyBenchmark) => {
            m.decl
                .benchmarks
                .energy_intensity
                .ok_or_else(|| Unavailable {
                    zh: "未提供行业能效基准值（benchmarks.energy_intensity）".into(),
                    en: "no industry energy benchmark (benchmarks.energy_intensity)".into(),
                })
        }
        Some(Threshold::WaterBenchmark) => {
            m.decl
                .benchmarks
                .water_intensity
                .ok_or_else(|| Unavailable {
                    zh: "未提供行业水效基准值（benchmarks.water_intensity）".into(),
                    en: "no industry water benchmark (benchmarks.water_intensity)".into(),
                })
        }
        None => Err(Unavailable {
            zh: "标准未给出阈值".into(),
            en: "the edition gives no threshold".into(),
        }),
    }
}

fn cmp_of(cond: &Condition) -> Comparator {
    cond.comparator.unwrap_or(Comparator::BuDiYu)
}

/// "40亿元以上" / "不低于 15%" / "≥ 15%".
fn threshold_text(cmp: Comparator, bound_s: &str, cond: &Condition, lang: Lang) -> String {
    let benchmark = matches!(
        cond.threshold,
        Some(Threshold::EnergyBenchmark | Threshold::WaterBenchmark)
    );
    match lang {
        Lang::Zh => {
            let b = if benchmark {
                format!("行业基准值 {bound_s}")
            } else {
                bound_s.to_string()
            };
            match cmp {
                Comparator::YiShang | Comparator::YiXia => format!("{b}{}", cmp.zh()),
                other => format!("{}{b}", other.zh()),
            }
        }
        Lang::En => {
            let b = if benchmark {
                format!("industry benchmark {bound_s}")
            } else {
                bound_s.to_string()
            };
            format!("{} {b}", cmp.symbol())
        }
    }
}

/// The sentence comparing `subject`'s value with the bound, by the comparator's legal
/// meaning. Returns whether the rule holds.
fn sentence(
    subject: &str,
    vs: &str,
    bs: &str,
    cmp: Comparator,
    ord: Ordering,
    lang: Lang,
) -> (bool, String) {
    let ok = cmp.holds(ord);
    let text = match lang {
        Lang::Zh => {
            if ok {
                format!("{subject} {vs}，{}", cmp.phrase_zh(bs))
            } else if ord == Ordering::Equal {
                format!("{subject} {vs}，恰为 {bs}，未{} {bs}", cmp.zh())
            } else if cmp.is_floor() {
                let below = if cmp == Comparator::BuShaoYu {
                    "少于"
                } else {
                    "低于"
                };
                format!("{subject} {vs}，{below} {bs}")
            } else {
                let above = if cmp == Comparator::DiYu {
                    "高于"
                } else {
                    "超过"
                };
                format!("{subject} {vs}，{above} {bs}")
            }
        }
        Lang::En => {
            if ok {
                format!("{subject} {vs}, {} {bs}", cmp.en())
            } else if ord == Ordering::Equal {
                format!("{subject} {vs}, exactly {bs}, not {} {bs}", cmp.en())
            } else if cmp.is_floor() {
                format!("{subject} {vs}, below {bs}")
            } else {
                format!("{subject} {vs}, above {bs}")
            }
        }
    };
    (ok, text)
}

fn is_integer_unit(unit: Unit) -> bool {
    matches!(
        unit,
        Unit::Enterprises | Unit::Patents | Unit::Persons | Unit::Areas
    )
}

/// The smallest whole number satisfying a floor rule (`≥ b` or `> b`), or the largest
/// satisfying a ceiling rule.
fn whole_needed(b: Decimal, cmp: Comparator) -> Decimal {
    match (cmp.is_floor(), cmp.is_strict()) {
        (true, false) => b.ceil(),
        (true, true) => b.floor() + Decimal::ONE,
        (false, false) => b.floor(),
        (false, true) => b.ceil() - Decimal::ONE,
    }
}

/// "；需再增加 1.8亿元" for a failed rule on a plain quantity.
fn gap_text(v: Decimal, b: Decimal, unit: Unit, cmp: Comparator, lang: Lang) -> String {
    let floor = cmp.is_floor();
    if is_integer_unit(unit) {
        let need = whole_needed(b, cmp);
        let n = if floor { need - v } else { v - need };
        let n = n.max(Decimal::ONE);
        let q = quantity(n, unit, lang);
        return match (floor, lang) {
            (true, Lang::Zh) => format!("；需再增加 {q}"),
            (false, Lang::Zh) => format!("；需再减少 {q}"),
            (true, Lang::En) => format!("; needs {q} more"),
            (false, Lang::En) => format!("; needs {q} fewer"),
        };
    }
    let diff = (b - v).abs();
    if diff.is_zero() {
        return String::new();
    }
    let strict = cmp.is_strict();
    let q = if unit == Unit::Percent {
        points(diff, lang)
    } else {
        quantity(diff, unit, lang)
    };
    match lang {
        Lang::Zh => {
            let verb = match (unit == Unit::Percent, floor) {
                (true, true) => "提高",
                (true, false) => "降低",
                (false, true) => "增加",
                (false, false) => "减少",
            };
            format!("；需再{verb}{} {q}", if strict { "超过" } else { "" })
        }
        Lang::En => {
            let verb = if floor { "raise" } else { "lower" };
            format!(
                "; needs to {verb} it by {}{q}",
                if strict { "more than " } else { "" }
            )
        }
    }
}

/// Compare a value with a bound; `None` on overflow.
fn compare(v: Frac, b: Decimal) -> Option<Ordering> {
    v.cmp_value(b)
}

fn no_window() -> Unavailable {
    Unavailable {
        zh: "认定年度无效，无法确定数据期".into(),
        en: "invalid batch year: no window".into(),
    }
}

fn overflow() -> Unavailable {
    Unavailable {
        zh: "数值过大，无法计算".into(),
        en: "figures too large to compute".into(),
    }
}

/// Footnotes on where figures came from.
#[derive(Default)]
struct Notes {
    /// Years whose figure came from the cluster totals.
    totals: Vec<i32>,
    /// Enterprises that did not report, per year.
    unreported: BTreeMap<i32, usize>,
    other: Vec<String>,
}

impl Notes {
    fn source(&mut self, q: &Quantity, year: i32) {
        match q.source {
            Source::Totals => {
                if !self.totals.contains(&year) {
                    self.totals.push(year);
                }
            }
            Source::Roster { unreported } if unreported > 0 => {
                let n = self.unreported.entry(year).or_default();
                *n = (*n).max(unreported);
            }
            Source::Roster { .. } => {}
        }
    }

    /// "2019、2020年" / "2019, 2020".
    fn years(years: &[i32], lang: Lang) -> String {
        let list: Vec<String> = years.iter().map(i32::to_string).collect();
        match lang {
            Lang::Zh => format!("{}年", list.join("、")),
            Lang::En => list.join(", "),
        }
    }

    fn render(&self, lang: Lang) -> Vec<String> {
        let mut out = Vec::new();
        if !self.totals.is_empty() {
            let y = Notes::years(&self.totals, lang);
            out.push(match lang {
                Lang::Zh => format!("{y}数据取自集群汇总数"),
                Lang::En => format!("{y} figures taken from the cluster totals"),
            });
        }
        // Group the years by how many enterprises did not report.
        let mut by_count: BTreeMap<usize, Vec<i32>> = BTreeMap::new();
        for (year, n) in &self.unreported {
            by_count.entry(*n).or_default().push(*year);
        }
        for (n, years) in by_count {
            let y = Notes::years(&years, lang);
            out.push(match (lang, years.len()) {
                (Lang::Zh, 1) => format!("{y}有 {n} 家企业未填报相关数据"),
                (Lang::Zh, _) => format!("{y}各有 {n} 家企业未填报相关数据"),
                (Lang::En, _) => format!("{n} enterprises did not report the figure for {y}"),
            });
        }
        out.extend(self.other.iter().cloned());
        out
    }

    fn sme(&mut self, m: &Metrics, metric: MetricId, lang: Lang) {
        if !matches!(
            metric,
            MetricId::SmeOutputShare | MetricId::SmeRdExpenditure
        ) {
            return;
        }
        let computed = m
            .sizes
            .iter()
            .filter(|s| s.is_sme() && s.basis == SizeBasis::Computed)
            .count();
        let declared = m
            .sizes
            .iter()
            .filter(|s| s.is_sme() && s.basis == SizeBasis::Declared)
            .count();
        let unknown = m.unknown_size_count();
        let year = m.latest_year();
        let mut n = match lang {
            Lang::Zh => format!(
                "中小企业 {} 家：按《中小企业划型标准规定》以{year}年数据测算 {computed} 家，按申报规模 {declared} 家",
                computed + declared
            ),
            Lang::En => format!(
                "{} SMEs: {computed} sized from {year} figures by the 2011 SME standard, {declared} by declared size",
                computed + declared
            ),
        };
        if unknown > 0 {
            n.push_str(&match lang {
                Lang::Zh => format!("；{unknown} 家规模无法确定，未计入中小企业"),
                Lang::En => format!("; {unknown} of unknown size not counted as SMEs"),
            });
        }
        self.other.push(n);
    }

    fn append(self, text: String, lang: Lang) -> String {
        let notes = self.render(lang);
        if notes.is_empty() {
            return text;
        }
        match lang {
            Lang::Zh => format!("{text}（注：{}）", notes.join("；")),
            Lang::En => format!("{text} (note: {})", notes.join("; ")),
        }
    }
}

fn yearly_subject(m: MetricId, year: i32, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("{year}年{}", m.name_zh()),
        Lang::En => format!("{} in {year}", capitalize(m.name_en())),
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Special gaps that read better than a bare difference.
fn special_gap(cond: &Condition, q: &Quantity, b: Decimal, lang: Lang) -> Option<String> {
    let cmp = cmp_of(cond);
    if !cmp.is_floor() {
        return None;
    }
    match cond.metric {
        MetricId::PatentsPer10kEmployees => {
            // patents × 10,000 / employees ≥ b  ⇔  patents ≥ b × employees / 10,000.
            let employees = q.frac.den;
            let patents = q.frac.num.checked_div(Decimal::from(10_000))?;
            let need = whole_needed(
                b.checked_mul(employees)?
                    .checked_div(Decimal::from(10_000))?,
                cmp,
            );
            let n = (need - patents).max(Decimal::ONE);
            Some(match lang {
                Lang::Zh => format!(
                    "；按从业人员 {} 人计，需再增加 {} 件有效发明专利",
                    plain(employees, 0),
                    plain(n, 0)
                ),
                Lang::En => format!(
                    "; with {} employees, {} more valid invention patents are needed",
                    plain(employees, 0),
                    plain(n, 0)
                ),
            })
        }
        MetricId::IipPenetration | MetricId::PolicyCoverage => {
            let total = q.frac.den;
            let yes = q.frac.num;
            let need = whole_needed(b.checked_mul(total)?, cmp);
            let n = (need - yes).max(Decimal::ONE);
            Some(match (cond.metric, lang) {
                (MetricId::IipPenetration, Lang::Zh) => {
                    format!("；需再有 {} 家企业应用工业互联网平台", plain(n, 0))
                }
                (MetricId::IipPenetration, Lang::En) => {
                    format!(
                        "; {} more enterprises need to use an industrial internet platform",
                        plain(n, 0)
                    )
                }
                (_, Lang::Zh) => format!("；尚有 {} 家企业未覆盖", plain(n, 0)),
                (_, Lang::En) => format!("; {} more enterprises need to be reached", plain(n, 0)),
            })
        }
        _ => None,
    }
}

/// Compare one quantity with the bound: (holds, value text, bound text, sentence + gap).
fn judge_quantity(
    cond: &Condition,
    subject: &str,
    q: &Quantity,
    b: Decimal,
    lang: Lang,
) -> Result<(bool, String, String, String), Unavailable> {
    let cmp = cmp_of(cond);
    let unit = cond.metric.unit();
    let ord = compare(q.frac, b).ok_or_else(overflow)?;
    let v = if ord == Ordering::Equal {
        b
    } else {
        q.frac.value().ok_or_else(overflow)?
    };
    let (vs, bs) = pair(v, b, unit, lang);
    let (ok, mut text) = sentence(subject, &vs, &bs, cmp, ord, lang);
    if !ok {
        match special_gap(cond, q, b, lang) {
            Some(g) => text.push_str(&g),
            None => text.push_str(&gap_text(v, b, unit, cmp, lang)),
        }
    }
    Ok((ok, vs, bs, text))
}

fn status_of(ok: bool) -> Status {
    if ok { Status::Pass } else { Status::Fail }
}

fn latest(m: &Metrics, cond: &Condition, lang: Lang) -> Outcome {
    let year = m.latest_year();
    let cmp = cmp_of(cond);
    let b = match bound(m, cond) {
        Ok(b) => b,
        Err(why) => return Outcome::missing(&why, None, lang),
    };
    let threshold = Some(threshold_text(
        cmp,
        &quantity(b, cond.metric.unit(), lang),
        cond,
        lang,
    ));
    let q = match m.yearly(cond.metric, year) {
        Ok(q) => q,
        Err(why) => return Outcome::missing(&why, threshold, lang),
    };
    let subject = yearly_subject(cond.metric, year, lang);
    match judge_quantity(cond, &subject, &q, b, lang) {
        Ok((ok, vs, bs, text)) => {
            let mut notes = Notes::default();
            notes.source(&q, year);
            notes.sme(m, cond.metric, lang);
            Outcome {
                status: status_of(ok),
                value: Some(match lang {
                    Lang::Zh => format!("{vs}（{year}年）"),
                    Lang::En => format!("{vs} ({year})"),
                }),
                threshold: Some(threshold_text(cmp, &bs, cond, lang)),
                explanation: notes.append(text, lang),
            }
        }
        Err(why) => Outcome::missing(&why, threshold, lang),
    }
}

fn each_year(m: &Metrics, cond: &Condition, lang: Lang) -> Outcome {
    let cmp = cmp_of(cond);
    let unit = cond.metric.unit();
    let b = match bound(m, cond) {
        Ok(b) => b,
        Err(why) => return Outcome::missing(&why, None, lang),
    };
    let bs = quantity(b, unit, lang);
    let threshold = Some(match lang {
        Lang::Zh => format!(
            "近{}年每年{}",
            m.window.len(),
            threshold_text(cmp, &bs, cond, lang)
        ),
        Lang::En => format!(
            "{} in each of the last {} years",
            threshold_text(cmp, &bs, cond, lang),
            m.window.len()
        ),
    });
    if m.window.is_empty() {
        return Outcome::missing(&no_window(), threshold, lang);
    }
    let mut notes = Notes::default();
    let mut values = Vec::new();
    let mut failures = Vec::new();
    let mut missing = Vec::new();
    for &year in &m.window {
        let q = match m.yearly(cond.metric, year) {
            Ok(q) => q,
            Err(why) => {
                missing.push(why);
                continue;
            }
        };
        notes.source(&q, year);
        match judge_quantity(cond, &yearly_subject(cond.metric, year, lang), &q, b, lang) {
            Ok((ok, vs, _, text)) => {
                values.push((year, vs));
                if !ok {
                    failures.push(text);
                }
            }
            Err(why) => missing.push(why),
        }
    }
    notes.sme(m, cond.metric, lang);
    let value_text = (!values.is_empty()).then(|| {
        values
            .iter()
            .map(|(y, v)| match lang {
                Lang::Zh => format!("{y}年 {v}"),
                Lang::En => format!("{y}: {v}"),
            })
            .collect::<Vec<_>>()
            .join(lang.pick("；", "; "))
    });
    if !missing.is_empty() {
        let zh: Vec<&str> = missing.iter().map(|w| w.zh.as_str()).collect();
        let en: Vec<&str> = missing.iter().map(|w| w.en.as_str()).collect();
        let why = Unavailable {
            zh: zh.join("；"),
            en: en.join("; "),
        };
        let mut o = Outcome::missing(&why, threshold, lang);
        o.value = value_text;
        return o;
    }
    let (first, last) = (
        m.window.first().copied().unwrap_or_default(),
        m.window.last().copied().unwrap_or_default(),
    );
    let explanation = if failures.is_empty() {
        let list: Vec<&str> = values.iter().map(|(_, v)| v.as_str()).collect();
        match lang {
            Lang::Zh => format!(
                "{first}–{last}年{}分别为 {}，均{}",
                cond.metric.name_zh(),
                list.join("、"),
                cmp.phrase_zh(&bs)
            ),
            Lang::En => format!(
                "{} {first}–{last}: {}, each {} {bs}",
                capitalize(cond.metric.name_en()),
                list.join(", "),
                cmp.en()
            ),
        }
    } else {
        failures.join(lang.pick("。", ". "))
    };
    Outcome {
        status: status_of(failures.is_empty()),
        value: value_text,
        threshold,
        explanation: notes.append(explanation, lang),
    }
}

fn growth(m: &Metrics, cond: &Condition, lang: Lang) -> Outcome {
    let cmp = cmp_of(cond);
    let unit = cond.metric.unit();
    let (first_year, last_year) = match (m.window.first(), m.window.last()) {
        (Some(f), Some(l)) if l > f => (*f, *l),
        _ => {
            let why = Unavailable {
                zh: "窗口不足两年，无法计算增速".into(),
                en: "window shorter than two years".into(),
            };
            return Outcome::missing(&why, None, lang);
        }
    };
    let k = u32::try_from(last_year - first_year).unwrap_or(1);
    let rate = match bound(m, cond) {
        Ok(b) => b,
        Err(why) => return Outcome::missing(&why, None, lang),
    };
    let rate_s = quantity(rate, Unit::Percent, lang);
    let threshold = Some(match lang {
        Lang::Zh => format!("年均增速{}", threshold_text(cmp, &rate_s, cond, lang)),
        Lang::En => format!("CAGR {}", threshold_text(cmp, &rate_s, cond, lang)),
    });
    let (first, last) = match (
        m.yearly(cond.metric, first_year),
        m.yearly(cond.metric, last_year),
    ) {
        (Ok(f), Ok(l)) => (f, l),
        (Err(why), _) | (_, Err(why)) => return Outcome::missing(&why, threshold, lang),
    };
    let mut notes = Notes::default();
    notes.source(&first, first_year);
    notes.source(&last, last_year);
    notes.sme(m, cond.metric, lang);
    let subject = match lang {
        Lang::Zh => format!(
            "{first_year}–{last_year}年{}年均增速",
            cond.metric.name_zh()
        ),
        Lang::En => format!("CAGR of {} {first_year}–{last_year}", cond.metric.name_en()),
    };
    let Some(factor) = growth_factor(rate, k) else {
        return Outcome::missing(&overflow(), threshold, lang);
    };
    let first_v = first.frac.value().unwrap_or_default();
    let last_v = last.frac.value().unwrap_or_default();
    let (fs, ls) = (quantity(first_v, unit, lang), quantity(last_v, unit, lang));
    let base = match lang {
        Lang::Zh => format!("（{first_year}年 {fs}，{last_year}年 {ls}）"),
        Lang::En => format!(" ({first_year}: {fs}; {last_year}: {ls})"),
    };
    // Compare last/first with (1+r)^k exactly: last ⋛ first × (1+r)^k.
    let (ord, shown) = if first.frac.num.is_zero() {
        if last.frac.num.is_zero() {
            // No growth at all: ratio 1.
            (
                Frac::whole(Decimal::ONE).cmp_value(factor),
                Some(Decimal::ZERO),
            )
        } else {
            (Some(Ordering::Greater), None)
        }
    } else {
        let needed = first
            .frac
            .num
            .checked_mul(factor)
            .and_then(|n| Frac::new(n, first.frac.den));
        let ord = needed.and_then(|n| last.frac.cmp_frac(n));
        let ratio = last
            .frac
            .value()
            .and_then(|l| l.checked_div(first.frac.value()?));
        (ord, ratio.and_then(|r| cagr(r, k)))
    };
    let Some(ord) = ord else {
        return Outcome::missing(&overflow(), threshold, lang);
    };
    let (vs, bs) = match shown {
        _ if ord == Ordering::Equal => (rate_s.clone(), rate_s.clone()),
        Some(r) => pair(r, rate, Unit::Percent, lang),
        None => (
            lang.pick("—（基期为零）", "— (base year zero)").to_string(),
            rate_s.clone(),
        ),
    };
    let (ok, mut text) = sentence(&subject, &vs, &bs, cmp, ord, lang);
    text.push_str(&base);
    if !ok && cmp.is_floor() && !first.frac.num.is_zero() {
        // The last-year value the rate requires, and how far off it is.
        if let Some(needed) = first
            .frac
            .num
            .checked_mul(factor)
            .and_then(|n| n.checked_div(first.frac.den))
        {
            let verb = if cmp.is_strict() {
                lang.pick("高于", "above")
            } else {
                lang.pick("达到", "at least")
            };
            let short = if is_integer_unit(unit) {
                whole_needed(needed, cmp) - last_v
            } else {
                needed - last_v
            };
            let more = if cmp.is_strict() && !is_integer_unit(unit) {
                lang.pick("超过", "more than ")
            } else {
                ""
            };
            let short_s = match (short > Decimal::ZERO, lang) {
                (true, Lang::Zh) => format!("，还差{more} {}", quantity(short, unit, lang)),
                (true, Lang::En) => format!(", {more}{} more", quantity(short, unit, lang)),
                (false, _) => String::new(),
            };
            text.push_str(&match lang {
                Lang::Zh => format!(
                    "；按年均增速{}{bs}计，{last_year}年{}需{verb} {}{short_s}",
                    cmp.zh(),
                    cond.metric.name_zh(),
                    quantity(needed, unit, lang),
                ),
                Lang::En => format!(
                    "; at that rate {last_year} would need {verb} {}{short_s}",
                    quantity(needed, unit, lang),
                ),
            });
        }
    }
    Outcome {
        status: status_of(ok),
        value: Some(vs),
        threshold,
        explanation: notes.append(text, lang),
    }
}

fn year_over_year(m: &Metrics, cond: &Condition, lang: Lang) -> Outcome {
    let cmp = cmp_of(cond);
    let unit = cond.metric.unit();
    let threshold = Some(match lang {
        Lang::Zh => format!("逐年{}上年", cmp.zh()),
        Lang::En => format!("each year {} the year before", cmp.en()),
    });
    if m.window.len() < 2 {
        return Outcome::missing(&no_window(), threshold, lang);
    }
    let mut notes = Notes::default();
    let mut series = Vec::new();
    for &year in &m.window {
        match m.yearly(cond.metric, year) {
            Ok(q) => {
                notes.source(&q, year);
                series.push((year, q));
            }
            Err(why) => return Outcome::missing(&why, threshold, lang),
        }
    }
    let shown: Vec<(i32, String)> = series
        .iter()
        .map(|(y, q)| (*y, quantity(q.frac.value().unwrap_or_default(), unit, lang)))
        .collect();
    let value = shown
        .iter()
        .map(|(y, v)| match lang {
            Lang::Zh => format!("{y}年 {v}"),
            Lang::En => format!("{y}: {v}"),
        })
        .collect::<Vec<_>>()
        .join(lang.pick("；", "; "));
    let mut failures = Vec::new();
    for (prev, cur) in series.iter().zip(series.iter().skip(1)) {
        let Some(ord) = cur.1.frac.cmp_frac(prev.1.frac) else {
            return Outcome::missing(&overflow(), threshold, lang);
        };
        if !cmp.holds(ord) {
            let (cv, pv) = (
                quantity(cur.1.frac.value().unwrap_or_default(), unit, lang),
                quantity(prev.1.frac.value().unwrap_or_default(), unit, lang),
            );
            failures.push(match lang {
                Lang::Zh => format!("{}年 {cv}，未{} {}年的 {pv}", cur.0, cmp.zh(), prev.0),
                Lang::En => format!("{}: {cv}, not {} {}'s {pv}", cur.0, cmp.en(), prev.0),
            });
        }
    }
    let name = lang.pick(cond.metric.name_zh(), cond.metric.name_en());
    let list: Vec<&str> = shown.iter().map(|(_, v)| v.as_str()).collect();
    let (first, last) = (
        m.window.first().copied().unwrap_or_default(),
        m.window.last().copied().unwrap_or_default(),
    );
    let explanation = if failures.is_empty() {
        match lang {
            Lang::Zh => format!(
                "{first}–{last}年{name}分别为 {}，逐年{}上年",
                list.join("、"),
                cmp.zh()
            ),
            Lang::En => format!(
                "{} {first}–{last}: {}, each year {} the year before",
                capitalize(name),
                list.join(", "),
                cmp.en()
            ),
        }
    } else {
        match lang {
            Lang::Zh => format!("{name}未能逐年{}上年：{}", cmp.zh(), failures.join("；")),
            Lang::En => format!(
                "{} is not each year {} the year before: {}",
                capitalize(name),
                cmp.en(),
                failures.join("; ")
            ),
        }
    };
    Outcome {
        status: status_of(failures.is_empty()),
        value: Some(value),
        threshold,
        explanation: notes.append(explanation, lang),
    }
}

// ---------------------------------------------------------------------------------------
// Metrics that do not vary by year.

pub(crate) fn title_name(t: TitleKind, lang: Lang) -> &'static str {
    match (t, lang) {
        (TitleKind::SingleChampion, Lang::Zh) => "制造业单项冠军企业",
        (TitleKind::LittleGiant, Lang::Zh) => "专精特新“小巨人”企业",
        (TitleKind::SrdiSme, Lang::Zh) => "专精特新中小企业",
        (TitleKind::InnovativeSme, Lang::Zh) => "创新型中小企业",
        (TitleKind::HighTech, Lang::Zh) => "国家级高新技术企业",
        (TitleKind::SingleChampion, Lang::En) => "manufacturing single champion",
        (TitleKind::LittleGiant, Lang::En) => "SRDI little giant",
        (TitleKind::SrdiSme, Lang::En) => "SRDI SME",
        (TitleKind::InnovativeSme, Lang::En) => "innovative SME",
        (TitleKind::HighTech, Lang::En) => "national high-tech enterprise",
    }
}

fn plan_area_name(a: PlanArea, lang: Lang) -> &'static str {
    match (a, lang) {
        (PlanArea::Industry, Lang::Zh) => "主导产业",
        (PlanArea::Innovation, Lang::Zh) => "创新",
        (PlanArea::Digital, Lang::Zh) => "数字化",
        (PlanArea::Green, Lang::Zh) => "绿色低碳",
        (PlanArea::Openness, Lang::Zh) => "开放合作",
        (PlanArea::Governance, Lang::Zh) => "治理和服务",
        (PlanArea::Industry, Lang::En) => "leading industry",
        (PlanArea::Innovation, Lang::En) => "innovation",
        (PlanArea::Digital, Lang::En) => "digital",
        (PlanArea::Green, Lang::En) => "green",
        (PlanArea::Openness, Lang::En) => "openness",
        (PlanArea::Governance, Lang::En) => "governance",
    }
}

fn static_condition(m: &Metrics, cond: &Condition, lang: Lang) -> Outcome {
    let decl = m.decl;
    match cond.metric {
        MetricId::ProvincialStatus => {
            let threshold = Some(
                lang.pick(
                    "已认定为省级集群（首批申报除外）",
                    "a recognised provincial cluster (except in the first batch)",
                )
                .to_string(),
            );
            let (ok, text) = if decl.first_batch {
                (
                    true,
                    lang.pick(
                        "本批为首批申报，无需已认定为省级集群（第十二条“首批申请除外”）",
                        "first batch: provincial recognition is not required (Art. 12)",
                    ),
                )
            } else if decl.cluster.provincial_cluster {
                (
                    true,
                    lang.pick(
                        "集群已认定为省级集群",
                        "the cluster is a recognised provincial cluster",
                    ),
                )
            } else {
                (false, lang.pick("集群尚未认定为省级集群，且本批次不是首批（第十二条）", "the cluster is not a recognised provincial cluster and this is not the first batch (Art. 12)"))
            };
            Outcome {
                status: status_of(ok),
                value: Some(
                    lang.pick(if ok { "是" } else { "否" }, if ok { "yes" } else { "no" })
                        .to_string(),
                ),
                threshold,
                explanation: text.to_string(),
            }
        }
        MetricId::OperatorExists => {
            let threshold = Some(
                lang.pick(
                    "设立管委会等运营管理机构",
                    "an operating management organisation",
                )
                .to_string(),
            );
            match &decl.cluster.operator {
                Some(op) => Outcome {
                    status: Status::Pass,
                    value: Some(op.name.clone()),
                    threshold,
                    explanation: match lang {
                        Lang::Zh => format!(
                            "已设立运营管理机构：{}（{}）",
                            op.name,
                            operator_kind(&op.kind, lang)
                        ),
                        Lang::En => format!(
                            "operating organisation: {} ({})",
                            op.name,
                            operator_kind(&op.kind, lang)
                        ),
                    },
                },
                None => Outcome::missing(
                    &Unavailable {
                        zh: "未填报集群运营管理机构（cluster.operator）".into(),
                        en: "no operating organisation declared (cluster.operator)".into(),
                    },
                    threshold,
                    lang,
                ),
            }
        }
        MetricId::PlanAreas => {
            let (covered, missing) = m.plan_areas();
            let n = Decimal::from(covered.len());
            let q = Quantity {
                frac: Frac::whole(n),
                source: Source::Roster { unreported: 0 },
            };
            let b = match bound(m, cond) {
                Ok(b) => b,
                Err(why) => return Outcome::missing(&why, None, lang),
            };
            let subject = lang.pick(
                "三年发展规划中有可考核目标的培育方面（第六条六个方面）",
                "Areas of Art. 6 with a measurable three-year plan target",
            );
            simple(cond, subject, &q, b, lang, |text| {
                if missing.is_empty() {
                    text
                } else {
                    let names: Vec<&str> =
                        missing.iter().map(|a| plan_area_name(*a, lang)).collect();
                    match lang {
                        Lang::Zh => format!("{text}；缺少：{}", names.join("、")),
                        Lang::En => format!("{text}; missing: {}", names.join(", ")),
                    }
                }
            })
        }
        MetricId::AreaKm2 => {
            let b = match bound(m, cond) {
                Ok(b) => b,
                Err(why) => return Outcome::missing(&why, None, lang),
            };
            let Some(area) = decl.cluster.area_km2 else {
                let threshold = Some(threshold_text(
                    cmp_of(cond),
                    &quantity(b, Unit::Km2, lang),
                    cond,
                    lang,
                ));
                return Outcome::missing(
                    &Unavailable {
                        zh: "未填报占地面积（cluster.area_km2）".into(),
                        en: "area not declared (cluster.area_km2)".into(),
                    },
                    threshold,
                    lang,
                );
            };
            let q = Quantity {
                frac: Frac::whole(area),
                source: Source::Roster { unreported: 0 },
            };
            simple(
                cond,
                lang.pick("集群占地面积", "Cluster area"),
                &q,
                b,
                lang,
                |t| t,
            )
        }
        MetricId::TitledEnterprises => {
            let names = m.titled(&cond.titles, cond.leading_industry_only);
            let kinds: Vec<&str> = cond.titles.iter().map(|t| title_name(*t, lang)).collect();
            let subject = match (cond.leading_industry_only, lang) {
                (true, Lang::Zh) => format!("主导产业中的{}", kinds.join("或")),
                (false, Lang::Zh) => format!("{}（合计，不重复计数）", kinds.join("、")),
                (true, Lang::En) => {
                    format!("Leading-industry enterprises titled {}", kinds.join(" or "))
                }
                (false, Lang::En) => format!("Distinct enterprises titled {}", kinds.join(", ")),
            };
            let b = match bound(m, cond) {
                Ok(b) => b,
                Err(why) => return Outcome::missing(&why, None, lang),
            };
            let q = Quantity {
                frac: Frac::whole(Decimal::from(names.len())),
                source: Source::Roster { unreported: 0 },
            };
            let year = decl.batch_year;
            simple(cond, &subject, &q, b, lang, |text| {
                let shown: Vec<&str> = names.iter().take(5).copied().collect();
                let more = if names.len() > 5 {
                    lang.pick("等", " etc.")
                } else {
                    ""
                };
                match lang {
                    Lang::Zh if !shown.is_empty() => format!(
                        "{text}（{}{more}；仅计{year}年及以前获评的称号）",
                        shown.join("、")
                    ),
                    Lang::Zh => format!("{text}（仅计{year}年及以前获评的称号）"),
                    Lang::En if !shown.is_empty() => format!(
                        "{text} ({}{more}; titles granted by {year} only)",
                        shown.join(", ")
                    ),
                    Lang::En => format!("{text} (titles granted by {year} only)"),
                }
            })
        }
        MetricId::IipPenetration | MetricId::PolicyCoverage => {
            let iip = cond.metric == MetricId::IipPenetration;
            let (yes, known, total) = if iip {
                m.flag_counts(|e| e.uses_iip)
            } else {
                m.flag_counts(|e| e.policy_reached)
            };
            let b = match bound(m, cond) {
                Ok(b) => b,
                Err(why) => return Outcome::missing(&why, None, lang),
            };
            let threshold = Some(threshold_text(
                cmp_of(cond),
                &quantity(b, Unit::Percent, lang),
                cond,
                lang,
            ));
            let field = if iip { "uses_iip" } else { "policy_reached" };
            if total == 0 || known == 0 {
                return Outcome::missing(
                    &Unavailable {
                        zh: format!("企业名录中无企业填报 {field}"),
                        en: format!("no roster enterprise reports {field}"),
                    },
                    threshold,
                    lang,
                );
            }
            let Some(frac) = Frac::new(Decimal::from(yes), Decimal::from(total)) else {
                return Outcome::missing(&overflow(), threshold, lang);
            };
            let q = Quantity {
                frac,
                source: Source::Roster {
                    unreported: total - known,
                },
            };
            let subject = lang
                .pick(cond.metric.name_zh(), &capitalize(cond.metric.name_en()))
                .to_string();
            simple(cond, &subject, &q, b, lang, |text| {
                let detail = match (iip, lang) {
                    (true, Lang::Zh) => format!("{total} 家企业中 {yes} 家应用工业互联网平台"),
                    (false, Lang::Zh) => format!("{total} 家企业中 {yes} 家已获惠企政策宣贯"),
                    (true, Lang::En) => {
                        format!("{yes} of {total} enterprises use an industrial internet platform")
                    }
                    (false, Lang::En) => format!("{yes} of {total} enterprises reached"),
                };
                let unknown = total - known;
                let extra = match lang {
                    Lang::Zh if unknown > 0 => format!(
                        "；{unknown} 家未填报，按未{}计",
                        if iip { "应用" } else { "覆盖" }
                    ),
                    Lang::En if unknown > 0 => format!("; {unknown} not reported, counted as no"),
                    _ => String::new(),
                };
                match lang {
                    Lang::Zh => format!("{text}（{detail}{extra}）"),
                    Lang::En => format!("{text} ({detail}{extra})"),
                }
            })
        }
        other => Outcome::missing(
            &Unavailable {
                zh: format!("指标 {} 不能不设窗口期", other.id()),
                en: format!("metric {} needs a window", other.id()),
            },
            None,
            lang,
        ),
    }
}

/// A one-value comparison with an optional decoration of the explanation.
fn simple(
    cond: &Condition,
    subject: &str,
    q: &Quantity,
    b: Decimal,
    lang: Lang,
    decorate: impl FnOnce(String) -> String,
) -> Outcome {
    let cmp = cmp_of(cond);
    let threshold = Some(threshold_text(
        cmp,
        &quantity(b, cond.metric.unit(), lang),
        cond,
        lang,
    ));
    match judge_quantity(cond, subject, q, b, lang) {
        Ok((ok, vs, bs, text)) => Outcome {
            status: status_of(ok),
            value: Some(vs),
            threshold: Some(threshold_text(cmp, &bs, cond, lang)),
            explanation: decorate(text),
        },
        Err(why) => Outcome::missing(&why, threshold, lang),
    }
}

fn operator_kind(kind: &str, lang: Lang) -> String {
    let zh = match kind {
        "management_committee" => "管委会",
        "company" => "运营公司",
        "association" => "行业协会/商会",
        "service_center" => "服务中心",
        "government" => "政府部门",
        other => return other.to_string(),
    };
    match lang {
        Lang::Zh => zh.to_string(),
        Lang::En => kind.replace('_', " "),
    }
}

// ---------------------------------------------------------------------------------------
// Judgement and veto.

fn evidence_label(key: &str, lang: Lang) -> String {
    let zh = match key {
        "supply_chain_sharing" => "共享机制",
        "industry_standing" => "产业地位与品牌",
        "innovation_platforms" => "创新平台与合作",
        "standards" => "标准制修订",
        "key_technologies" => "关键核心技术",
        "digital_services" => "数字化服务与安全",
        "international_cooperation" => "国际合作",
        "overseas_branches" => "海外分支机构",
        "green_services" => "绿色低碳服务机制",
        "public_services" => "公共服务体系与促进机制",
        _ => return key.to_string(),
    };
    match lang {
        Lang::Zh => zh.to_string(),
        Lang::En => key.replace('_', " "),
    }
}

fn evidence_item(item: &str, lang: Lang) -> String {
    if lang == Lang::En {
        return item.to_string();
    }
    match item {
        "equipment" => "通用生产设备",
        "logistics" => "物流",
        "warehousing" => "仓储",
        "hr" | "human_resources" => "人力",
        "design" => "设计",
        other => other,
    }
    .to_string()
}

fn judgement(m: &Metrics, c: &Criterion, lang: Lang) -> Outcome {
    let review = if lang == Lang::En && !c.review_en.is_empty() {
        &c.review_en
    } else {
        &c.review_zh
    };
    let mut parts = vec![match lang {
        Lang::Zh => format!("定性指标，由评审专家判断。评审要点：{}", review.join("；")),
        Lang::En => format!(
            "Qualitative; decided by reviewers. Look at: {}",
            review.join("; ")
        ),
    }];
    let mut shown = Vec::new();
    for key in &c.evidence {
        let items = if key == "supply_chain_sharing" {
            Some(&m.decl.attestations.supply_chain_sharing)
        } else {
            m.decl.attestations.other.get(key)
        };
        let label = evidence_label(key, lang);
        match items {
            Some(items) if !items.is_empty() => {
                let list: Vec<String> = items.iter().map(|i| evidence_item(i, lang)).collect();
                let sep = lang.pick("、", ", ");
                shown.push(format!("{label}：{}", list.join(sep)));
                parts.push(match lang {
                    Lang::Zh => format!("申报材料——{label}：{}", list.join(sep)),
                    Lang::En => format!("Declared {label}: {}", list.join(sep)),
                });
            }
            _ => parts.push(match lang {
                Lang::Zh => format!("申报材料未填报{label}（attestations.{key}）"),
                Lang::En => format!("No {label} declared (attestations.{key})"),
            }),
        }
    }
    if let Some(metric) = c.info_metric {
        let year = m.latest_year();
        let text = if metric.is_yearly() {
            m.yearly(metric, year)
                .ok()
                .and_then(|q| q.frac.value())
                .map(|v| {
                    let vs = quantity(v, metric.unit(), lang);
                    shown.push(format!(
                        "{} {vs}",
                        lang.pick(metric.name_zh(), metric.name_en())
                    ));
                    match lang {
                        Lang::Zh => format!("参考：{year}年{} {vs}", metric.name_zh()),
                        Lang::En => format!("For reference: {} in {year} {vs}", metric.name_en()),
                    }
                })
        } else {
            None
        };
        if let Some(t) = text {
            parts.push(t);
        }
    }
    Outcome {
        status: Status::Judgement,
        value: (!shown.is_empty()).then(|| shown.join(lang.pick("；", "; "))),
        threshold: None,
        explanation: parts.join(lang.pick("。", ". ")),
    }
}

fn incident_kind_name(k: IncidentKind, lang: Lang) -> &'static str {
    match (k, lang) {
        (IncidentKind::Safety, Lang::Zh) => "安全事故",
        (IncidentKind::Quality, Lang::Zh) => "质量事故",
        (IncidentKind::Environment, Lang::Zh) => "环境污染事故",
        (IncidentKind::Cyber, Lang::Zh) => "网络安全事件",
        (IncidentKind::Data, Lang::Zh) => "数据安全事件",
        (IncidentKind::Tax, Lang::Zh) => "偷税漏税",
        (IncidentKind::Illegal, Lang::Zh) => "违法违规",
        (IncidentKind::Dishonesty, Lang::Zh) => "严重失信",
        (IncidentKind::Safety, Lang::En) => "safety accident",
        (IncidentKind::Quality, Lang::En) => "quality accident",
        (IncidentKind::Environment, Lang::En) => "environmental pollution accident",
        (IncidentKind::Cyber, Lang::En) => "cyber-security incident",
        (IncidentKind::Data, Lang::En) => "data-security incident",
        (IncidentKind::Tax, Lang::En) => "tax evasion",
        (IncidentKind::Illegal, Lang::En) => "violation of laws or regulations",
        (IncidentKind::Dishonesty, Lang::En) => "serious dishonesty",
    }
}

fn level_name(l: IncidentLevel, lang: Lang) -> &'static str {
    match (l, lang) {
        (IncidentLevel::General, Lang::Zh) => "一般",
        (IncidentLevel::Larger, Lang::Zh) => "较大",
        (IncidentLevel::Major, Lang::Zh) => "重大",
        (IncidentLevel::EspeciallyMajor, Lang::Zh) => "特别重大",
        (IncidentLevel::General, Lang::En) => "general",
        (IncidentLevel::Larger, Lang::En) => "larger",
        (IncidentLevel::Major, Lang::En) => "major",
        (IncidentLevel::EspeciallyMajor, Lang::En) => "especially major",
    }
}

fn veto(m: &Metrics, c: &Criterion, lang: Lang) -> Outcome {
    let Some(rule) = &c.veto else {
        return Outcome::missing(
            &Unavailable {
                zh: "标准未给出否决规则".into(),
                en: "no veto rule".into(),
            },
            None,
            lang,
        );
    };
    let since_year = m.decl.batch_year.saturating_sub(rule.lookback_years);
    let since = NaiveDate::from_ymd_opt(since_year, 1, 1).unwrap_or(NaiveDate::MIN);
    let rule_text: Vec<String> = rule
        .min_level
        .iter()
        .map(|(k, l)| match (lang, *l) {
            (Lang::Zh, IncidentLevel::General) => incident_kind_name(*k, lang).to_string(),
            (Lang::Zh, l) => format!(
                "{}及以上{}",
                level_name(l, lang),
                incident_kind_name(*k, lang)
            ),
            (Lang::En, IncidentLevel::General) => incident_kind_name(*k, lang).to_string(),
            (Lang::En, l) => format!(
                "{} of level {} or above",
                incident_kind_name(*k, lang),
                level_name(l, lang)
            ),
        })
        .collect();
    let threshold = Some(match lang {
        Lang::Zh => format!("自{since_year}年1月1日起无{}", rule_text.join("、")),
        Lang::En => format!(
            "none since 1 January {since_year}: {}",
            rule_text.join(", ")
        ),
    });
    let in_window: Vec<_> = m
        .decl
        .incidents
        .iter()
        .filter(|i| i.date >= since)
        .collect();
    let vetoing: Vec<_> = in_window
        .iter()
        .filter(|i| {
            rule.min_level
                .get(&i.kind)
                .is_some_and(|min| i.level >= *min)
        })
        .collect();
    let describe = |i: &crate::declaration::Incident| -> String {
        let who = i
            .enterprise
            .as_deref()
            .map(|e| format!(" {e}"))
            .unwrap_or_default();
        match lang {
            Lang::Zh => format!(
                "{} {}（{}）{who}",
                i.date,
                incident_kind_name(i.kind, lang),
                level_name(i.level, lang)
            ),
            Lang::En => format!(
                "{} {} ({}){who}",
                i.date,
                incident_kind_name(i.kind, lang),
                level_name(i.level, lang)
            ),
        }
    };
    let value = Some(match lang {
        Lang::Zh => format!("{}起", vetoing.len()),
        Lang::En => format!("{} incidents", vetoing.len()),
    });
    if vetoing.is_empty() {
        let minor = in_window.len();
        let mut text = match lang {
            Lang::Zh => format!(
                "自{since_year}年1月1日以来，集群企业未发生{}",
                rule_text.join("、")
            ),
            Lang::En => format!(
                "since 1 January {since_year} no cluster enterprise had any {}",
                rule_text.join(", ")
            ),
        };
        if minor > 0 {
            text.push_str(&match lang {
                Lang::Zh => format!("（另有 {minor} 起事件未达否决标准）"),
                Lang::En => format!(" ({minor} lesser incidents below the veto level)"),
            });
        }
        Outcome {
            status: Status::Pass,
            value,
            threshold,
            explanation: text,
        }
    } else {
        let list: Vec<String> = vetoing.iter().map(|i| describe(i)).collect();
        Outcome {
            status: Status::Veto,
            value,
            threshold,
            explanation: match lang {
                Lang::Zh => format!(
                    "否决：自{since_year}年1月1日以来发生 {}（认定标准总则；第十七条（五））",
                    list.join("；")
                ),
                Lang::En => format!("veto: since 1 January {since_year}: {}", list.join("; ")),
            },
        }
    }
}
