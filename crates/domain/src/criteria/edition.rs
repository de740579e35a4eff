//! Criteria editions as data (`criteria/*.toml`): ids, texts, seed articles, metrics,
//! comparators, thresholds, windows, kinds and regional overrides. The engine knows the
//! metric vocabulary ([`MetricId`]) and the comparator semantics; every number of an
//! edition lives in its file. See `docs/criteria.md` for how to write one.

use super::comparator::Comparator;
use super::metrics::MetricId;
use crate::declaration::{IncidentKind, IncidentLevel, TitleKind};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;
use std::sync::LazyLock;

/// Hard rules decide eligibility; soft rules only warn; judgements go to experts; a veto
/// (否决项) makes the declaration ineligible whatever else holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Hard,
    Soft,
    Judgement,
    Veto,
}

/// How a yearly metric is read over the window of `window_years` complete years before the
/// batch year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Window {
    /// The metric does not depend on the year (area, titles, plan, …).
    None,
    /// The latest window year.
    Latest,
    /// Every window year must satisfy the rule ("近三年…均在…以上").
    EachYear,
    /// Compound annual growth from the first to the last window year, compared exactly as
    /// last/first against (1+r)^(n−1) ("年均增速/年均增长").
    Growth,
    /// Each window year compared with the year before ("持续下降" is `低于`).
    YearOverYear,
}

/// National editions are MIIT's; provincial ones are a province's own tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    National,
    Provincial,
}

/// Where a condition's bound comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Threshold {
    /// A fixed number in the metric's unit (ratios and growth rates as fractions: 70% = 0.7).
    Value(Decimal),
    /// The industry benchmark the declaration gives (`benchmarks.energy_intensity`).
    EnergyBenchmark,
    /// `benchmarks.water_intensity`.
    WaterBenchmark,
}

/// A declaration flag that makes a criterion applicable (otherwise `not_applicable`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppliesIf {
    HighEnergyIndustry,
    HighWaterIndustry,
}

/// One measurable condition: `metric` read over `window`, compared with `threshold`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Condition {
    pub metric: MetricId,
    pub window: Window,
    /// `None` for boolean metrics (must be true).
    pub comparator: Option<Comparator>,
    /// `None` for boolean metrics and for year-over-year comparisons.
    pub threshold: Option<Threshold>,
    /// For `titled_enterprises`: the title kinds that count.
    pub titles: Vec<TitleKind>,
    /// For `titled_enterprises`: count only enterprises in the leading industry.
    pub leading_industry_only: bool,
}

/// The veto rule of `N.incidents`: the minimum level per incident kind that vetoes, and
/// how many years back from 1 January of the batch year incidents count.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VetoRule {
    pub lookback_years: i32,
    pub min_level: BTreeMap<IncidentKind, IncidentLevel>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Criterion {
    pub id: String,
    pub group: String,
    pub kind: Kind,
    /// Where it comes from in the seed, e.g. "第十二条" or "认定标准 一".
    pub article: String,
    /// The seed's wording, verbatim.
    pub quote: String,
    pub text_zh: String,
    pub text_en: String,
    /// All conditions of a measurable rule; the rule holds when ANY holds (one for most).
    pub conditions: Vec<Condition>,
    /// For judgement criteria: a metric shown to reviewers (no verdict drawn from it).
    pub info_metric: Option<MetricId>,
    pub applies_if: Option<AppliesIf>,
    /// What reviewers must look at (judgement criteria).
    pub review_zh: Vec<String>,
    pub review_en: Vec<String>,
    /// Attestation keys (`attestations.<key>`) shown with the criterion.
    pub evidence: Vec<String>,
    pub veto: Option<VetoRule>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
}

/// A change an override makes to one condition of one criterion.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Patch {
    pub criterion: String,
    /// 0-based index into the criterion's conditions.
    pub condition: usize,
    pub threshold: Option<Threshold>,
    pub comparator: Option<Comparator>,
    pub kind: Option<Kind>,
}

/// Regional override (e.g. "西部地区可适当放宽"): applies to clusters whose county lies in one
/// of `provinces` (2-digit GB/T 2260 prefixes).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Override {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub provinces: Vec<String>,
    pub patches: Vec<Patch>,
}

impl Override {
    pub fn covers(&self, county_code: &str) -> bool {
        let prefix = county_code.get(..2).unwrap_or("");
        self.provinces.iter().any(|p| p == prefix)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Edition {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub tier: Tier,
    /// Province code (2 digits) of a provincial edition.
    pub region: Option<String>,
    /// The document the edition transcribes.
    pub source: String,
    pub note: String,
    /// Number of complete years before the batch year ("近三年" → 3).
    pub window_years: i32,
    pub groups: Vec<Group>,
    pub criteria: Vec<Criterion>,
    pub overrides: Vec<Override>,
}

/// Every problem of an edition file, at once.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid criteria edition: {}", .0.join("; "))]
pub struct EditionError(pub Vec<String>);

// ---------------------------------------------------------------------------------------
// The TOML shape.

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEdition {
    id: String,
    name_zh: String,
    name_en: String,
    tier: Tier,
    #[serde(default)]
    region: Option<String>,
    source: String,
    #[serde(default)]
    note: String,
    window_years: i32,
    #[serde(default, rename = "group")]
    groups: Vec<RawGroup>,
    #[serde(rename = "criterion")]
    criteria: Vec<RawCriterion>,
    #[serde(default, rename = "override")]
    overrides: Vec<RawOverride>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGroup {
    id: String,
    name_zh: String,
    name_en: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCondition {
    metric: String,
    #[serde(default)]
    window: Option<Window>,
    #[serde(default)]
    comparator: Option<String>,
    #[serde(default)]
    threshold: Option<toml::Value>,
    #[serde(default)]
    titles: Vec<TitleKind>,
    #[serde(default)]
    leading_industry_only: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCriterion {
    id: String,
    group: String,
    kind: Kind,
    article: String,
    #[serde(default)]
    quote: String,
    text_zh: String,
    text_en: String,
    #[serde(default)]
    metric: Option<String>,
    #[serde(default)]
    window: Option<Window>,
    #[serde(default)]
    comparator: Option<String>,
    #[serde(default)]
    threshold: Option<toml::Value>,
    #[serde(default)]
    titles: Vec<TitleKind>,
    #[serde(default)]
    leading_industry_only: bool,
    #[serde(default)]
    any_of: Vec<RawCondition>,
    #[serde(default)]
    applies_if: Option<AppliesIf>,
    #[serde(default)]
    review_zh: Vec<String>,
    #[serde(default)]
    review_en: Vec<String>,
    #[serde(default)]
    evidence: Vec<String>,
    #[serde(default)]
    lookback_years: Option<i32>,
    #[serde(default)]
    min_level: BTreeMap<IncidentKind, IncidentLevel>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOverride {
    id: String,
    name_zh: String,
    #[serde(default)]
    name_en: String,
    provinces: Vec<String>,
    #[serde(rename = "set")]
    patches: Vec<RawPatch>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPatch {
    criterion: String,
    /// 1-based, as written by people; default 1.
    #[serde(default)]
    condition: Option<usize>,
    #[serde(default)]
    threshold: Option<toml::Value>,
    #[serde(default)]
    comparator: Option<String>,
    #[serde(default)]
    kind: Option<Kind>,
}

// ---------------------------------------------------------------------------------------
// Built-in editions.

const BUILTIN_SOURCES: [(&str, &str); 2] = [
    ("2022", include_str!("../../../../criteria/2022.toml")),
    ("yunnan", include_str!("../../../../criteria/yunnan.toml")),
];

static BUILTIN: LazyLock<Vec<Result<Edition, EditionError>>> = LazyLock::new(|| {
    BUILTIN_SOURCES
        .iter()
        .map(|(_, src)| Edition::from_toml_str(src))
        .collect()
});

impl Edition {
    /// A compiled-in edition by id ("2022", "yunnan").
    pub fn builtin(id: &str) -> Option<&'static Edition> {
        BUILTIN
            .iter()
            .filter_map(|e| e.as_ref().ok())
            .find(|e| e.id == id)
    }

    /// Ids of the compiled-in editions.
    pub fn builtin_ids() -> Vec<&'static str> {
        BUILTIN_SOURCES.iter().map(|(id, _)| *id).collect()
    }

    /// Load-time problems of the compiled-in editions (empty when all are sound; a test
    /// asserts that).
    pub fn builtin_errors() -> Vec<String> {
        BUILTIN
            .iter()
            .zip(BUILTIN_SOURCES.iter())
            .filter_map(|(r, (id, _))| r.as_ref().err().map(|e| format!("{id}: {e}")))
            .collect()
    }

    /// Parse and validate an edition file. All problems are reported together.
    pub fn from_toml_str(src: &str) -> Result<Edition, EditionError> {
        let raw: RawEdition = toml::from_str(src).map_err(|e| EditionError(vec![e.to_string()]))?;
        let mut errs = Vec::new();
        let edition = build(raw, &mut errs);
        if errs.is_empty() {
            Ok(edition)
        } else {
            Err(EditionError(errs))
        }
    }

    pub fn criterion(&self, id: &str) -> Option<&Criterion> {
        self.criteria.iter().find(|c| c.id == id)
    }

    pub fn group(&self, id: &str) -> Option<&Group> {
        self.groups.iter().find(|g| g.id == id)
    }

    /// The criteria as they apply to a cluster in `county_code`: every override covering
    /// the county is applied in file order (a later one wins). Each criterion comes with
    /// the overrides that changed it.
    pub fn resolve(&self, county_code: &str) -> Vec<(Criterion, Vec<&Override>)> {
        let applicable: Vec<&Override> = self
            .overrides
            .iter()
            .filter(|o| o.covers(county_code))
            .collect();
        self.criteria
            .iter()
            .map(|c| {
                let mut c = c.clone();
                let mut by = Vec::new();
                for o in &applicable {
                    let mut touched = false;
                    for p in o.patches.iter().filter(|p| p.criterion == c.id) {
                        if let Some(k) = p.kind {
                            c.kind = k;
                            touched = true;
                        }
                        if let Some(cond) = c.conditions.get_mut(p.condition) {
                            if let Some(t) = p.threshold {
                                cond.threshold = Some(t);
                                touched = true;
                            }
                            if let Some(cmp) = p.comparator {
                                cond.comparator = Some(cmp);
                                touched = true;
                            }
                        }
                    }
                    if touched {
                        by.push(*o);
                    }
                }
                (c, by)
            })
            .collect()
    }
}

fn build(raw: RawEdition, errs: &mut Vec<String>) -> Edition {
    if raw.id.trim().is_empty() {
        errs.push("id: must not be empty".into());
    }
    if !(1..=10).contains(&raw.window_years) {
        errs.push(format!(
            "window_years: {} is not between 1 and 10",
            raw.window_years
        ));
    }
    if let Some(r) = &raw.region
        && !is_province_code(r)
    {
        errs.push(format!("region: {r:?} is not a 2-digit province code"));
    }
    if raw.tier == Tier::Provincial && raw.region.is_none() {
        errs.push("region: a provincial edition names its province".into());
    }
    let groups: Vec<Group> = raw
        .groups
        .into_iter()
        .map(|g| Group {
            id: g.id,
            name_zh: g.name_zh,
            name_en: g.name_en,
        })
        .collect();
    let mut seen = BTreeSet::new();
    let mut criteria = Vec::new();
    for rc in raw.criteria {
        let at = format!("criterion {}", rc.id);
        if !seen.insert(rc.id.clone()) {
            errs.push(format!("{at}: duplicate id"));
        }
        if !groups.iter().any(|g| g.id == rc.group) {
            errs.push(format!(
                "{at}: group {:?} is not declared in [[group]]",
                rc.group
            ));
        }
        criteria.push(build_criterion(rc, &at, errs));
    }
    let mut overrides = Vec::new();
    for ro in raw.overrides {
        let at = format!("override {}", ro.id);
        if ro.provinces.is_empty() {
            errs.push(format!("{at}: provinces is empty"));
        }
        let provinces: Vec<String> = ro
            .provinces
            .iter()
            .filter_map(|p| {
                let p2 = p.strip_suffix("0000").unwrap_or(p);
                if is_province_code(p2) {
                    Some(p2.to_string())
                } else {
                    errs.push(format!(
                        "{at}: {p:?} is not a province code (\"53\" or \"530000\")"
                    ));
                    None
                }
            })
            .collect();
        let mut patches = Vec::new();
        for rp in ro.patches {
            let pat = format!("{at}, set {}", rp.criterion);
            let Some(c) = criteria.iter().find(|c: &&Criterion| c.id == rp.criterion) else {
                errs.push(format!("{pat}: no such criterion"));
                continue;
            };
            let switchable = |k: Kind| matches!(k, Kind::Hard | Kind::Soft);
            if let Some(k) = rp.kind
                && !(switchable(k) && switchable(c.kind))
            {
                errs.push(format!(
                    "{pat}: an override may only switch a rule between hard and soft (not {k:?})"
                ));
            }
            let idx = rp.condition.unwrap_or(1).saturating_sub(1);
            let cond = c.conditions.get(idx);
            if (rp.threshold.is_some() || rp.comparator.is_some()) && cond.is_none() {
                errs.push(format!("{pat}: the criterion has no condition {}", idx + 1));
            }
            let threshold = match (&rp.threshold, cond) {
                (Some(v), Some(cond)) => parse_threshold(v, cond.metric, cond.window, &pat, errs),
                _ => None,
            };
            let comparator = rp
                .comparator
                .as_deref()
                .and_then(|s| parse_comparator(s, &pat, errs));
            if threshold.is_none() && comparator.is_none() && rp.kind.is_none() {
                errs.push(format!(
                    "{pat}: changes nothing (give threshold, comparator or kind)"
                ));
            }
            patches.push(Patch {
                criterion: rp.criterion,
                condition: idx,
                threshold,
                comparator,
                kind: rp.kind,
            });
        }
        overrides.push(Override {
            id: ro.id,
            name_zh: ro.name_zh,
            name_en: ro.name_en,
            provinces,
            patches,
        });
    }
    Edition {
        id: raw.id,
        name_zh: raw.name_zh,
        name_en: raw.name_en,
        tier: raw.tier,
        region: raw.region,
        source: raw.source,
        note: raw.note,
        window_years: raw.window_years,
        groups,
        criteria,
        overrides,
    }
}

fn is_province_code(s: &str) -> bool {
    s.len() == 2 && s.chars().all(|c| c.is_ascii_digit())
}

fn build_criterion(rc: RawCriterion, at: &str, errs: &mut Vec<String>) -> Criterion {
    let mut conditions = Vec::new();
    let mut info_metric = None;
    let single = RawCondition {
        metric: rc.metric.clone().unwrap_or_default(),
        window: rc.window,
        comparator: rc.comparator.clone(),
        threshold: rc.threshold.clone(),
        titles: rc.titles.clone(),
        leading_industry_only: rc.leading_industry_only,
    };
    match rc.kind {
        Kind::Judgement => {
            if rc.review_zh.is_empty() {
                errs.push(format!(
                    "{at}: a judgement criterion lists review_zh (what reviewers look at)"
                ));
            }
            if rc.comparator.is_some() || rc.threshold.is_some() || !rc.any_of.is_empty() {
                errs.push(format!(
                    "{at}: a judgement criterion has no comparator/threshold"
                ));
            }
            if let Some(m) = &rc.metric {
                info_metric = parse_metric(m, at, errs);
            }
        }
        Kind::Veto => {
            if rc.metric.as_deref() != Some("incidents") {
                errs.push(format!(
                    "{at}: a veto criterion uses metric = \"incidents\""
                ));
            }
        }
        Kind::Hard | Kind::Soft => {
            if !rc.any_of.is_empty() {
                if rc.metric.is_some() || rc.comparator.is_some() || rc.threshold.is_some() {
                    errs.push(format!(
                        "{at}: give either metric/comparator/threshold or any_of, not both"
                    ));
                }
                for (i, raw) in rc.any_of.into_iter().enumerate() {
                    if let Some(c) = build_condition(raw, &format!("{at}, any_of[{}]", i + 1), errs)
                    {
                        conditions.push(c);
                    }
                }
            } else if rc.metric.is_none() {
                errs.push(format!(
                    "{at}: a {:?} criterion needs a metric or any_of",
                    rc.kind
                ));
            } else if let Some(c) = build_condition(single, at, errs) {
                conditions.push(c);
            }
        }
    }
    let veto = if rc.kind == Kind::Veto {
        match rc.lookback_years {
            Some(y) if (0..=50).contains(&y) => {
                if rc.min_level.is_empty() {
                    errs.push(format!(
                        "{at}: min_level lists the incident kinds that veto"
                    ));
                }
                Some(VetoRule {
                    lookback_years: y,
                    min_level: rc.min_level.clone(),
                })
            }
            _ => {
                errs.push(format!(
                    "{at}: lookback_years (0–50) is required for a veto"
                ));
                None
            }
        }
    } else {
        if rc.lookback_years.is_some() || !rc.min_level.is_empty() {
            errs.push(format!(
                "{at}: lookback_years/min_level belong to a veto criterion"
            ));
        }
        None
    };
    if !rc.review_en.is_empty() && rc.review_en.len() != rc.review_zh.len() {
        errs.push(format!(
            "{at}: review_en must translate review_zh item by item"
        ));
    }
    Criterion {
        id: rc.id,
        group: rc.group,
        kind: rc.kind,
        article: rc.article,
        quote: rc.quote,
        text_zh: rc.text_zh,
        text_en: rc.text_en,
        conditions,
        info_metric,
        applies_if: rc.applies_if,
        review_zh: rc.review_zh,
        review_en: rc.review_en,
        evidence: rc.evidence,
        veto,
    }
}

fn parse_metric(s: &str, at: &str, errs: &mut Vec<String>) -> Option<MetricId> {
    let m = MetricId::parse(s);
    if m.is_none() {
        let known: Vec<&str> = MetricId::ALL.iter().map(|m| m.id()).collect();
        errs.push(format!(
            "{at}: unknown metric {s:?} (known: {})",
            known.join(", ")
        ));
    }
    m
}

fn parse_comparator(s: &str, at: &str, errs: &mut Vec<String>) -> Option<Comparator> {
    let c = Comparator::parse(s);
    if c.is_none() {
        let known: Vec<&str> = Comparator::ALL.iter().map(|c| c.zh()).collect();
        errs.push(format!(
            "{at}: unknown comparator {s:?} (one of {})",
            known.join("、")
        ));
    }
    c
}

fn build_condition(raw: RawCondition, at: &str, errs: &mut Vec<String>) -> Option<Condition> {
    let metric = parse_metric(&raw.metric, at, errs)?;
    let window = raw.window.unwrap_or(Window::None);
    if metric.is_yearly() == (window == Window::None) {
        errs.push(format!(
            "{at}: metric {} {}",
            metric.id(),
            if metric.is_yearly() {
                "is yearly: give window = latest|each_year|growth|year_over_year"
            } else {
                "does not vary by year: omit window"
            }
        ));
    }
    if metric == MetricId::Incidents {
        errs.push(format!("{at}: incidents is only for the veto criterion"));
    }
    let comparator = raw
        .comparator
        .as_deref()
        .and_then(|s| parse_comparator(s, at, errs));
    let threshold = raw
        .threshold
        .as_ref()
        .and_then(|v| parse_threshold(v, metric, window, at, errs));
    if metric.is_bool() {
        if comparator.is_some() || raw.threshold.is_some() {
            errs.push(format!(
                "{at}: {} is a yes/no metric: no comparator or threshold",
                metric.id()
            ));
        }
    } else {
        if comparator.is_none() && raw.comparator.is_none() {
            errs.push(format!("{at}: comparator is required"));
        }
        if window == Window::YearOverYear {
            if raw.threshold.is_some() {
                errs.push(format!(
                    "{at}: a year_over_year rule compares with the previous year: no threshold"
                ));
            }
        } else if raw.threshold.is_none() {
            errs.push(format!("{at}: threshold is required"));
        }
    }
    if metric == MetricId::TitledEnterprises {
        if raw.titles.is_empty() {
            errs.push(format!(
                "{at}: titled_enterprises lists the titles that count"
            ));
        }
    } else if !raw.titles.is_empty() || raw.leading_industry_only {
        errs.push(format!(
            "{at}: titles/leading_industry_only belong to titled_enterprises"
        ));
    }
    Some(Condition {
        metric,
        window,
        comparator,
        threshold,
        titles: raw.titles,
        leading_industry_only: raw.leading_industry_only,
    })
}

/// Thresholds are exact: integers, or strings such as "0.08" or "70%". TOML floats are
/// refused because they are binary.
fn parse_threshold(
    v: &toml::Value,
    metric: MetricId,
    window: Window,
    at: &str,
    errs: &mut Vec<String>,
) -> Option<Threshold> {
    let percent_expected = metric.is_ratio() || window == Window::Growth;
    match v {
        toml::Value::Integer(i) => {
            if percent_expected {
                errs.push(format!(
                    "{at}: write a rate or share as a percentage string, e.g. \"70%\""
                ));
                None
            } else {
                Some(Threshold::Value(Decimal::from(*i)))
            }
        }
        toml::Value::String(s) => {
            let s = s.trim();
            match s {
                "benchmark.energy_intensity" => return Some(Threshold::EnergyBenchmark),
                "benchmark.water_intensity" => return Some(Threshold::WaterBenchmark),
                _ => {}
            }
            let (num, pct) = match s.strip_suffix('%') {
                Some(n) => (n.trim(), true),
                None => (s, false),
            };
            if pct != percent_expected {
                errs.push(format!(
                    "{at}: threshold {s:?}: {}",
                    if percent_expected {
                        "a rate or share is written as a percentage, e.g. \"70%\""
                    } else {
                        "only rates and shares take a % sign"
                    }
                ));
                return None;
            }
            match Decimal::from_str(num) {
                Ok(d) if pct => d.checked_div(Decimal::ONE_HUNDRED).map(Threshold::Value),
                Ok(d) => Some(Threshold::Value(d)),
                Err(_) => {
                    errs.push(format!("{at}: threshold {s:?} is not a number"));
                    None
                }
            }
        }
        toml::Value::Float(_) => {
            errs.push(format!(
                "{at}: write a fractional threshold as a string (\"0.08\" or \"70%\"): TOML floats are binary"
            ));
            None
        }
        other => {
            errs.push(format!("{at}: threshold {other} is not a number"));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_editions_load() {
        assert_eq!(Edition::builtin_errors(), Vec::<String>::new());
        for id in Edition::builtin_ids() {
            assert!(Edition::builtin(id).is_some(), "{id}");
        }
        assert!(Edition::builtin("1999").is_none());
    }

    #[test]
    fn national_2022_has_every_spec_criterion() {
        let e = Edition::builtin("2022").unwrap();
        let ids: Vec<&str> = e.criteria.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "P.provincial",
                "C1.area",
                "C1.output",
                "C1.sme_share",
                "C1.leading_share",
                "C1.growth",
                "C1.quality",
                "C2.firms",
                "C3.supply_chain",
                "C4.rd_growth",
                "C4.patent_growth",
                "C4.patent_density",
                "C4.quality",
                "C5.iip",
                "C5.quality",
                "C6.co2",
                "C6.energy",
                "C6.water",
                "C6.quality",
                "C7.open",
                "C8.operator",
                "C8.services",
                "C8.policy",
                "C8.plan",
                "N.incidents",
            ]
        );
        for c in &e.criteria {
            assert!(
                !c.article.is_empty() && !c.text_zh.is_empty() && !c.text_en.is_empty(),
                "{}",
                c.id
            );
            if c.kind == Kind::Judgement {
                assert!(!c.review_zh.is_empty(), "{}", c.id);
            }
        }
        let kinds = |k: Kind| e.criteria.iter().filter(|c| c.kind == k).count();
        assert_eq!(
            (
                kinds(Kind::Hard),
                kinds(Kind::Soft),
                kinds(Kind::Judgement),
                kinds(Kind::Veto)
            ),
            (15, 2, 7, 1)
        );
    }

    #[test]
    fn errors_are_collected() {
        let src = r#"
id = "x"
name_zh = "x"
name_en = "x"
tier = "provincial"
source = "x"
window_years = 3
[[group]]
id = "C1"
name_zh = "一"
name_en = "1"
[[criterion]]
id = "a"
group = "C9"
kind = "hard"
article = "一"
text_zh = "a"
text_en = "a"
metric = "output_value"
window = "each_year"
comparator = "大于"
threshold = 0.5
[[criterion]]
id = "a"
group = "C1"
kind = "hard"
article = "一"
text_zh = "a"
text_en = "a"
metric = "sme_output_share"
window = "latest"
comparator = "以上"
threshold = 70
"#;
        let err = Edition::from_toml_str(src).unwrap_err();
        let all = err.0.join("\n");
        assert!(all.contains("region"), "{all}");
        assert!(all.contains("C9"), "{all}");
        assert!(all.contains("大于"), "{all}");
        assert!(all.contains("TOML floats"), "{all}");
        assert!(all.contains("duplicate"), "{all}");
        assert!(all.contains("percentage"), "{all}");
    }
}
