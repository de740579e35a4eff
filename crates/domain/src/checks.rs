//! Evidence cross-checks (`X.*`, SPEC §3 "Evidence cross-checks").
//!
//! 第十七条(二) revokes a recognition obtained by false declaration (弄虚作假), so the
//! system looks for the usual signs of a made-up roster before a reviewer does. A check
//! never stops the evaluation: a wrong USCC is a finding, not invalid input.
//!
//! | id | finding | severity |
//! |---|---|---|
//! | `X.uscc` | USCC malformed or check character wrong (GB 32100-2015) | error |
//! | `X.uscc_region` | USCC region digits (characters 3–8) outside the cluster's prefecture | warning |
//! | `X.duplicate` | same USCC twice in a roster (error); in two clusters of a batch (warning, [`duplicates_across`]) | error / warning |
//! | `X.size_mismatch` | declared size ≠ size computed by the 2011 SME standard | warning |
//! | `X.totals_mismatch` | roster sum differs from the declared cluster total by more than 1% | warning |
//! | `X.jump` | a figure grows by more than 200% or falls by more than 67% in one year | warning |
//! | `X.benford` | first digits of latest-year output values deviate from Benford's law (≥ 100 enterprises; MAD > 0.015 and χ² significant) | warning |
//!
//! Boundaries are exact and follow the criteria's wording: "> 1%", "> 200%", "> 67%" are
//! strict, so a difference of exactly 1% or a growth of exactly 200% is not reported. All
//! arithmetic on amounts is decimal and checked (an overflow skips the comparison rather
//! than panicking); only the Benford statistic is computed in `f64`.

use crate::criteria::{Check, Severity};
use crate::declaration::{Declaration, Enterprise, Figures, Size};
use crate::division::{self, AdminCode, Level};
use crate::money::Wan;
use crate::sme::{self, Indicator, SizeInputs};
use crate::uscc;
use rust_decimal::Decimal;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

/// Runs every `X.*` check on one declaration, in the order of the table above.
///
/// Checks across the clusters of a batch (`X.duplicate` between clusters) need the other
/// declarations: see [`duplicates_across`].
pub fn run(decl: &Declaration) -> Vec<Check> {
    let mut out = Vec::new();
    uscc_checks(decl, &mut out);
    duplicate_in_roster(decl, &mut out);
    size_mismatch(decl, &mut out);
    totals_mismatch(decl, &mut out);
    jumps(decl, &mut out);
    benford(decl, &mut out);
    out
}

/// "91110108551385082Q 某某科技有限公司": how an enterprise is named in a subject.
fn subject_of(e: &Enterprise) -> String {
    format!("{} {}", e.uscc, e.name)
}

/// "企业“某某科技有限公司”（91110108551385082Q）".
fn named(e: &Enterprise) -> String {
    format!("企业“{}”（{}）", e.name, e.uscc)
}

fn named_en(e: &Enterprise) -> String {
    format!("enterprise \"{}\" ({})", e.name, e.uscc)
}

/// Subject of a cluster-level finding.
const CLUSTER_SUBJECT: &str = "集群";

// ---------------------------------------------------------------------------------------
// X.uscc and X.uscc_region
// ---------------------------------------------------------------------------------------

fn uscc_checks(decl: &Declaration, out: &mut Vec<Check>) {
    let area = ClusterArea::of(&decl.cluster.county_code);
    for e in &decl.enterprises {
        match uscc::validate(&e.uscc) {
            Err(err) => out.push(Check::new(
                "X.uscc",
                Severity::Error,
                subject_of(e),
                format!("{}的{}", named(e), err),
                format!("{}: {}", named_en(e), err.message_en()),
            )),
            Ok(()) => {
                if let Some(area) = &area
                    && let Some(c) = region_check(e, uscc::region_code_of(&e.uscc), area)
                {
                    out.push(c);
                }
            }
        }
    }
}

/// The area a registering authority of a cluster's enterprises is expected in: the
/// prefecture of the cluster's county, matched by code prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterArea {
    /// Digits a registering authority's code must start with: 4 for a prefecture
    /// (`"3307"`), 2 for a municipality (直辖市, whose counties sit under two placeholder
    /// prefectures 市辖区 `xx01` and 县 `xx02`), 6 for a county-level city administered
    /// directly by its province (省直辖县级行政区划, `xx90yy`: 仙桃, 济源, 石河子…).
    pub prefix: String,
    /// The province's code (`"330000"`); its own authority may register anywhere in it.
    pub province: String,
    /// The code whose division the area is (province, county or the cluster's county,
    /// whose prefecture is the area): names it in messages, looked up only when needed.
    named_by: String,
}

/// The four 直辖市.
const MUNICIPALITIES: [&str; 4] = ["11", "12", "31", "50"];

/// Prefectures abolished or renumbered since USCCs were introduced (October 2015): an
/// enterprise registered before the change keeps the old region digits in its USCC.
/// (old prefix, current prefix).
const FORMER_PREFECTURES: [(&str, &str); 6] = [
    ("3712", "3701"), // 莱芜市 merged into 济南市 (2019)
    ("6521", "6504"), // 吐鲁番地区 → 吐鲁番市 (2015)
    ("6522", "6505"), // 哈密地区 → 哈密市 (2016)
    ("5426", "5404"), // 林芝地区 → 林芝市 (2015)
    ("5422", "5405"), // 山南地区 → 山南市 (2016)
    ("5424", "5406"), // 那曲地区 → 那曲市 (2017)
];

/// Code of the national registering authority (国家市场监督管理总局).
const NATIONAL_AUTHORITY: &str = "100000";

impl ClusterArea {
    /// The area of a county code; `None` when the code is not a six-digit code (the
    /// declaration parser reports that).
    pub fn of(county_code: &str) -> Option<ClusterArea> {
        let code = county_code.trim();
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let province_digits = code.get(..2)?;
        let province = format!("{province_digits}0000");
        if MUNICIPALITIES.contains(&province_digits) {
            return Some(ClusterArea {
                prefix: province_digits.to_owned(),
                named_by: province.clone(),
                province,
            });
        }
        // Province-administered county-level units sit under the placeholder `xx9000`
        // (省直辖县级行政区划): each is its own area.
        let directly_administered = code.get(2..4) == Some("90") && code.get(4..6) != Some("00");
        Some(ClusterArea {
            prefix: if directly_administered {
                code.to_owned()
            } else {
                code.get(..4)?.to_owned()
            },
            province,
            named_by: code.to_owned(),
        })
    }

    /// Chinese name of the area ("浙江省金华市"), empty if the code is not in GB/T 2260.
    pub fn name(&self) -> String {
        let Ok(code) = AdminCode::parse(&self.named_by) else {
            return String::new();
        };
        if self.prefix.len() == 4 {
            code.prefecture().map(|p| p.full_name()).unwrap_or_default()
        } else {
            code.full_name()
        }
    }

    /// Whether a registering authority's six-digit code is acceptable for the area.
    pub fn admits(&self, region: &str) -> bool {
        if region == NATIONAL_AUTHORITY || region == self.province {
            return true;
        }
        if region.starts_with(&self.prefix) {
            return true;
        }
        FORMER_PREFECTURES
            .iter()
            .any(|(old, new)| region.starts_with(old) && self.prefix.starts_with(new))
    }
}

/// Chinese name of a registering authority's code, or a note when the table lacks it.
fn region_name(region: &str) -> String {
    if region == NATIONAL_AUTHORITY {
        return "国家级登记机关".to_owned();
    }
    match division::lookup(region) {
        Some(d) if d.level == Level::Prefecture && d.is_placeholder() => {
            d.code.province().name().to_owned()
        }
        Some(d) => d.code.full_name(),
        None => "代码表中无此区划，可能为已撤销的旧代码".to_owned(),
    }
}

fn region_check(e: &Enterprise, region: &str, area: &ClusterArea) -> Option<Check> {
    if !region.bytes().all(|b| b.is_ascii_digit()) {
        return Some(Check::new(
            "X.uscc_region",
            Severity::Warning,
            subject_of(e),
            format!(
                "{}的统一社会信用代码第3–8位（登记管理机关行政区划码）为“{region}”，不是6位数字",
                named(e)
            ),
            format!(
                "characters 3–8 of the USCC of {} (the registering authority's region code) are \"{region}\", not six digits",
                named_en(e)
            ),
        ));
    }
    if area.admits(region) {
        return None;
    }
    let name = area.name();
    let area_label = if name.is_empty() {
        format!("代码以 {} 开头的地区", area.prefix)
    } else {
        name
    };
    Some(Check::new(
        "X.uscc_region",
        Severity::Warning,
        subject_of(e),
        format!(
            "{}的统一社会信用代码登记管理机关行政区划码为 {region}（{}），不在集群所在地{area_label}范围内，请核实企业是否位于集群所在地",
            named(e),
            region_name(region)
        ),
        format!(
            "the USCC of {} was issued by the authority of region {region}, outside the cluster's area {} ({}); check that the enterprise is located in the cluster",
            named_en(e),
            area.prefix,
            area_label
        ),
    ))
}

// ---------------------------------------------------------------------------------------
// X.duplicate
// ---------------------------------------------------------------------------------------

/// The key under which two declared USCCs are the same code: trimmed, upper case (a
/// lower-case copy is still the same enterprise). Empty codes are not keys.
fn uscc_key(s: &str) -> Option<Cow<'_, str>> {
    let k = s.trim();
    if k.is_empty() {
        None
    } else if k.bytes().any(|b| b.is_ascii_lowercase()) {
        Some(Cow::Owned(k.to_ascii_uppercase()))
    } else {
        Some(Cow::Borrowed(k))
    }
}

fn duplicate_in_roster(decl: &Declaration, out: &mut Vec<Check>) {
    // Key → (first row, count); rows are listed only for the (rare) repeated keys.
    let mut seen: HashMap<Cow<'_, str>, (usize, usize)> =
        HashMap::with_capacity(decl.enterprises.len());
    for (i, e) in decl.enterprises.iter().enumerate() {
        if let Some(k) = uscc_key(&e.uscc) {
            seen.entry(k).or_insert((i, 0)).1 += 1;
        }
    }
    let mut dups: Vec<(Cow<'_, str>, usize)> = seen
        .into_iter()
        .filter(|(_, (_, n))| *n > 1)
        .map(|(k, (first, _))| (k, first))
        .collect();
    if dups.is_empty() {
        return;
    }
    dups.sort_by_key(|(_, first)| *first);
    let dups: Vec<(Cow<'_, str>, Vec<usize>)> = dups
        .into_iter()
        .map(|(k, _)| {
            let rows = decl
                .enterprises
                .iter()
                .enumerate()
                .filter(|(_, e)| uscc_key(&e.uscc).as_deref() == Some(&*k))
                .map(|(i, _)| i)
                .collect();
            (k, rows)
        })
        .collect();
    for (key, rows) in dups {
        let first = rows.first().and_then(|&i| decl.enterprises.get(i));
        let Some(first) = first else { continue };
        let list_zh: Vec<String> = rows
            .iter()
            .filter_map(|&i| {
                decl.enterprises
                    .get(i)
                    .map(|e| format!("第{}家“{}”", i + 1, e.name))
            })
            .collect();
        let list_en: Vec<String> = rows
            .iter()
            .filter_map(|&i| {
                decl.enterprises
                    .get(i)
                    .map(|e| format!("#{} \"{}\"", i + 1, e.name))
            })
            .collect();
        out.push(Check::new(
            "X.duplicate",
            Severity::Error,
            subject_of(first),
            format!(
                "统一社会信用代码 {key} 在企业名录中出现{}次：{}。同一企业只能申报一次",
                rows.len(),
                list_zh.join("、")
            ),
            format!(
                "USCC {key} appears {} times in the roster: {}. An enterprise may be listed once",
                rows.len(),
                list_en.join(", ")
            ),
        ));
    }
}

/// `X.duplicate` across the clusters of one batch: an enterprise (same USCC) listed in the
/// rosters of two or more clusters is a warning, one per USCC, naming every cluster.
/// Repeats inside one roster are [`run`]'s error and are not counted again here.
///
/// `decls` pairs each declaration with the cluster's name as the caller wants it shown.
pub fn duplicates_across(decls: &[(&str, &Declaration)]) -> Vec<Check> {
    // USCC → (cluster index, enterprise) in first-seen order per cluster.
    let mut by_uscc: BTreeMap<Cow<'_, str>, Vec<(usize, &Enterprise)>> = BTreeMap::new();
    for (ci, (_, decl)) in decls.iter().enumerate() {
        for e in &decl.enterprises {
            let Some(k) = uscc_key(&e.uscc) else { continue };
            let entry = by_uscc.entry(k).or_default();
            if !entry.iter().any(|(c, _)| *c == ci) {
                entry.push((ci, e));
            }
        }
    }
    let mut out = Vec::new();
    for (key, hits) in by_uscc {
        if hits.len() < 2 {
            continue;
        }
        let Some(&(_, first)) = hits.first() else {
            continue;
        };
        let clusters: Vec<String> = hits
            .iter()
            .filter_map(|(ci, e)| {
                decls
                    .get(*ci)
                    .map(|(name, _)| format!("“{name}”（名称“{}”）", e.name))
            })
            .collect();
        let clusters_en: Vec<String> = hits
            .iter()
            .filter_map(|(ci, e)| {
                decls
                    .get(*ci)
                    .map(|(name, _)| format!("\"{name}\" (as \"{}\")", e.name))
            })
            .collect();
        out.push(Check::new(
            "X.duplicate",
            Severity::Warning,
            subject_of(first),
            format!(
                "统一社会信用代码 {key} 同时出现在本批次{}个集群的企业名录中：{}，请核实企业归属",
                hits.len(),
                clusters.join("、")
            ),
            format!(
                "USCC {key} is in the rosters of {} clusters of this batch: {}; check which cluster the enterprise belongs to",
                hits.len(),
                clusters_en.join(", ")
            ),
        ));
    }
    out
}

// ---------------------------------------------------------------------------------------
// X.size_mismatch
// ---------------------------------------------------------------------------------------

/// The latest year of the window (batch year − 1, SPEC §3).
fn latest_year(decl: &Declaration) -> i32 {
    decl.batch_year.saturating_sub(1)
}

fn size_mismatch(decl: &Declaration, out: &mut Vec<Check>) {
    let year = latest_year(decl);
    let Ok(standard) = sme::standard() else {
        return;
    };
    // A roster has few distinct industry codes: look each one's sector up once.
    let mut sectors: HashMap<&str, Option<&sme::Sector>> = HashMap::new();
    for e in &decl.enterprises {
        let (Some(declared), Some(figures)) = (e.declared_size, e.figures.get(&year)) else {
            continue;
        };
        let sector = *sectors
            .entry(e.industry_code.as_str())
            .or_insert_with(|| standard.sector_of(&e.industry_code));
        let Some(sector) = sector else {
            continue;
        };
        let inputs = SizeInputs::from_figures(figures);
        let Some(computed) = sector.classify(&inputs) else {
            continue;
        };
        if computed == declared {
            continue;
        }
        let (ind_zh, ind_en) = describe_indicators(&sector.indicators(), &inputs);
        out.push(Check::new(
            "X.size_mismatch",
            Severity::Warning,
            subject_of(e),
            format!(
                "{}申报规模为{}企业，按《中小企业划型标准规定》（{}）以{year}年{ind_zh}测算应为{}企业",
                named(e),
                declared.name_zh(),
                sector.name_zh,
                computed.name_zh()
            ),
            format!(
                "{} declares itself {}, but by the 2011 SME size standard ({}) its {year} figures ({ind_en}) make it {}",
                named_en(e),
                size_en(declared),
                sector.name_en,
                size_en(computed)
            ),
        ));
    }
}

fn size_en(s: Size) -> &'static str {
    match s {
        Size::Large => "large",
        Size::Medium => "medium",
        Size::Small => "small",
        Size::Micro => "micro",
    }
}

fn describe_indicators(indicators: &[Indicator], inputs: &SizeInputs) -> (String, String) {
    let mut zh = Vec::new();
    let mut en = Vec::new();
    for i in indicators {
        match i {
            Indicator::Employees => {
                if let Some(n) = inputs.employees {
                    zh.push(format!("从业人员{n}人"));
                    en.push(format!("{n} employees"));
                }
            }
            Indicator::Revenue => {
                if let Some(v) = inputs.revenue {
                    zh.push(format!("营业收入{}", Wan(v).display_zh()));
                    en.push(format!("revenue {}", Wan(v).display_en()));
                }
            }
            Indicator::TotalAssets => {
                if let Some(v) = inputs.total_assets {
                    zh.push(format!("资产总额{}", Wan(v).display_zh()));
                    en.push(format!("total assets {}", Wan(v).display_en()));
                }
            }
        }
    }
    (zh.join("、"), en.join(", "))
}

// ---------------------------------------------------------------------------------------
// Figures, for X.totals_mismatch and X.jump
// ---------------------------------------------------------------------------------------

/// One figure of [`Figures`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fig {
    OutputValue,
    Revenue,
    Employees,
    TotalAssets,
    RdExpenditure,
    Patents,
    Co2,
    Energy,
    Water,
    Export,
}

impl Fig {
    const ALL: [Fig; 10] = [
        Fig::OutputValue,
        Fig::Revenue,
        Fig::Employees,
        Fig::TotalAssets,
        Fig::RdExpenditure,
        Fig::Patents,
        Fig::Co2,
        Fig::Energy,
        Fig::Water,
        Fig::Export,
    ];

    fn get(self, f: &Figures) -> Option<Decimal> {
        match self {
            Fig::OutputValue => f.output_value.map(Wan::amount),
            Fig::Revenue => f.revenue.map(Wan::amount),
            Fig::Employees => f.employees.map(Decimal::from),
            Fig::TotalAssets => f.total_assets.map(Wan::amount),
            Fig::RdExpenditure => f.rd_expenditure.map(Wan::amount),
            Fig::Patents => f.valid_invention_patents.map(Decimal::from),
            Fig::Co2 => f.co2_t,
            Fig::Energy => f.energy_tce,
            Fig::Water => f.water_m3,
            Fig::Export => f.export_value.map(Wan::amount),
        }
    }

    fn name_zh(self) -> &'static str {
        match self {
            Fig::OutputValue => "产值",
            Fig::Revenue => "营业收入",
            Fig::Employees => "从业人员",
            Fig::TotalAssets => "资产总额",
            Fig::RdExpenditure => "研发投入",
            Fig::Patents => "有效发明专利",
            Fig::Co2 => "二氧化碳排放",
            Fig::Energy => "综合能耗",
            Fig::Water => "用水量",
            Fig::Export => "出口额",
        }
    }

    fn name_en(self) -> &'static str {
        match self {
            Fig::OutputValue => "output value",
            Fig::Revenue => "revenue",
            Fig::Employees => "employees",
            Fig::TotalAssets => "total assets",
            Fig::RdExpenditure => "R&D expenditure",
            Fig::Patents => "valid invention patents",
            Fig::Co2 => "CO2 emissions",
            Fig::Energy => "energy consumption",
            Fig::Water => "water use",
            Fig::Export => "export value",
        }
    }

    fn is_money(self) -> bool {
        matches!(
            self,
            Fig::OutputValue | Fig::Revenue | Fig::TotalAssets | Fig::RdExpenditure | Fig::Export
        )
    }

    /// "5.2亿元", "420人", "35件", "9100吨", "3000吨标准煤", "41000立方米".
    fn show_zh(self, v: Decimal) -> String {
        if self.is_money() {
            return Wan(v).display_zh();
        }
        let n = v.normalize();
        match self {
            Fig::Employees => format!("{n}人"),
            Fig::Patents => format!("{n}件"),
            Fig::Co2 => format!("{n}吨"),
            Fig::Energy => format!("{n}吨标准煤"),
            Fig::Water => format!("{n}立方米"),
            _ => n.to_string(),
        }
    }

    fn show_en(self, v: Decimal) -> String {
        if self.is_money() {
            return Wan(v).display_en();
        }
        let n = v.normalize();
        match self {
            Fig::Co2 => format!("{n} t"),
            Fig::Energy => format!("{n} tce"),
            Fig::Water => format!("{n} m³"),
            _ => n.to_string(),
        }
    }
}

/// `num / den` as a percentage with two decimals ("233.33"), `None` if not computable.
/// A value just beyond `bound` that would round onto it keeps more decimals
/// ("1.00001", not "1"), so a message never says "相差1%，超过1%".
fn percent(num: Decimal, den: Decimal, bound: Decimal) -> Option<String> {
    if den.is_zero() {
        return None;
    }
    let p = num.checked_mul(Decimal::ONE_HUNDRED)?.checked_div(den)?;
    let short = p.round_dp(2);
    let shown = if short == bound && p != bound {
        p.round_dp(8)
    } else {
        short
    };
    Some(shown.normalize().to_string())
}

// ---------------------------------------------------------------------------------------
// X.totals_mismatch
// ---------------------------------------------------------------------------------------

/// Whether `roster` differs from `declared` by more than 1% of `declared` (strict: exactly
/// 1% is not a mismatch). A declared 0 against a non-zero sum is a mismatch. `None` when
/// the arithmetic overflows.
fn differs_over_one_percent(roster: Decimal, declared: Decimal) -> Option<bool> {
    let diff = roster.checked_sub(declared)?.abs();
    Some(diff.checked_mul(Decimal::ONE_HUNDRED)? > declared.abs())
}

fn totals_mismatch(decl: &Declaration, out: &mut Vec<Check>) {
    for (&year, totals) in &decl.totals {
        // The declared figures, and in one pass over the roster the sum of each over the
        // enterprises that report it that year (None once the sum overflows).
        let declared: Vec<(Fig, Decimal)> = Fig::ALL
            .iter()
            .filter_map(|&fig| fig.get(totals).map(|d| (fig, d)))
            .collect();
        if declared.is_empty() {
            continue;
        }
        let mut sums: Vec<(Option<Decimal>, usize)> =
            vec![(Some(Decimal::ZERO), 0); declared.len()];
        for f in decl.enterprises.iter().filter_map(|e| e.figures.get(&year)) {
            for ((fig, _), (sum, reporting)) in declared.iter().zip(sums.iter_mut()) {
                if let Some(v) = fig.get(f) {
                    *sum = sum.and_then(|s| s.checked_add(v));
                    *reporting += 1;
                }
            }
        }
        for (&(fig, declared), &(sum, reporting)) in declared.iter().zip(&sums) {
            // Nothing to compare when no enterprise reports it (the total is exactly what
            // the roster cannot give), or when the sum overflows.
            let Some(sum) = sum.filter(|_| reporting > 0) else {
                continue;
            };
            if differs_over_one_percent(sum, declared) != Some(true) {
                continue;
            }
            let diff = sum - declared;
            let rel = percent(diff.abs(), declared.abs(), Decimal::ONE);
            let rel_zh = rel
                .as_ref()
                .map(|p| format!("，相差{p}%"))
                .unwrap_or_default();
            let rel_en = rel
                .map(|p| format!(", a difference of {p}%"))
                .unwrap_or_default();
            let missing = decl.enterprises.len() - reporting;
            let missing_zh = if missing > 0 {
                format!("（{missing}家企业未填报该项）")
            } else {
                String::new()
            };
            let missing_en = if missing > 0 {
                format!(" ({missing} enterprises do not report it)")
            } else {
                String::new()
            };
            out.push(Check::new(
                "X.totals_mismatch",
                Severity::Warning,
                CLUSTER_SUBJECT,
                format!(
                    "{year}年{}：企业名录合计{}{missing_zh}，集群申报总量{}{rel_zh}，超过1%",
                    fig.name_zh(),
                    fig.show_zh(sum),
                    fig.show_zh(declared)
                ),
                format!(
                    "{year} {}: the roster sums to {}{missing_en}, the declared cluster total is {}{rel_en}, more than 1%",
                    fig.name_en(),
                    fig.show_en(sum),
                    fig.show_en(declared)
                ),
            ));
        }
    }
}

// ---------------------------------------------------------------------------------------
// X.jump
// ---------------------------------------------------------------------------------------

/// Jump of a figure from one year to the next: growth above 200% (`new > 3·old`) or a fall
/// of more than 67% (`new < 0.33·old`). Both strict. From 0 the rate is undefined and
/// nothing is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Jump {
    Rise,
    Fall,
}

fn jump_of(old: Decimal, new: Decimal) -> Option<Jump> {
    if old <= Decimal::ZERO {
        return None;
    }
    if new >= old {
        // new > old × (1 + 200%)
        return (new > old.checked_mul(Decimal::from(3))?).then_some(Jump::Rise);
    }
    // new < old × (1 − 67%)  ⇔  100·new < 33·old
    (new.checked_mul(Decimal::ONE_HUNDRED)? < old.checked_mul(Decimal::from(33))?)
        .then_some(Jump::Fall)
}

fn jumps(decl: &Declaration, out: &mut Vec<Check>) {
    for e in &decl.enterprises {
        // Consecutive years only: one pass over the pairs, every figure of each pair.
        let mut years = e.figures.iter();
        let Some(mut prev) = years.next() else {
            continue;
        };
        for cur in years {
            let ((&y0, f0), (&y1, f1)) = (prev, cur);
            if y0.checked_add(1) == Some(y1) {
                for fig in Fig::ALL {
                    if let (Some(v0), Some(v1)) = (fig.get(f0), fig.get(f1))
                        && let Some(kind) = jump_of(v0, v1)
                    {
                        out.push(jump_check(e, fig, y0, v0, y1, v1, kind));
                    }
                }
            }
            prev = cur;
        }
    }
}

fn jump_check(
    e: &Enterprise,
    fig: Fig,
    y0: i32,
    v0: Decimal,
    y1: i32,
    v1: Decimal,
    kind: Jump,
) -> Check {
    let (what_zh, bound_zh, what_en, bound_en, bound) = match kind {
        Jump::Rise => ("增长", "200%", "a rise", "200%", Decimal::from(200)),
        Jump::Fall => ("下降", "67%", "a fall", "67%", Decimal::from(67)),
    };
    let change = percent((v1 - v0).abs(), v0, bound).unwrap_or_default();
    Check::new(
        "X.jump",
        Severity::Warning,
        subject_of(e),
        format!(
            "{}{}由{y0}年{}变为{y1}年{}，一年{what_zh}{change}%，超过{bound_zh}，请核实",
            named(e),
            fig.name_zh(),
            fig.show_zh(v0),
            fig.show_zh(v1)
        ),
        format!(
            "{} of {} went from {} in {y0} to {} in {y1}, {what_en} of {change}% in one year (more than {bound_en}); please verify",
            fig.name_en(),
            named_en(e),
            fig.show_en(v0),
            fig.show_en(v1)
        ),
    )
}

// ---------------------------------------------------------------------------------------
// X.benford
// ---------------------------------------------------------------------------------------

/// The test runs only for rosters of at least this many enterprises (SPEC §3).
pub const BENFORD_MIN_ENTERPRISES: usize = 100;

/// Nigrini's first-digit MAD bands (Nigrini, *Benford's Law*, 2012, table 7.1).
pub const MAD_CLOSE: f64 = 0.006;
pub const MAD_ACCEPTABLE: f64 = 0.012;
pub const MAD_MARGINAL: f64 = 0.015;

/// Whether `X.benford` also requires the χ² test to be significant at the 1% level (see
/// `benford`). `false` gives the literal SPEC rule: a warning whenever MAD > 0.015.
pub const BENFORD_REQUIRE_SIGNIFICANCE: bool = true;

/// χ² critical value for 8 degrees of freedom at the 1% level.
pub const CHI2_CRITICAL_8DF_1PCT: f64 = 20.090;

/// Conformity band of a MAD.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BenfordBand {
    Close,
    Acceptable,
    Marginal,
    Nonconformity,
}

impl BenfordBand {
    /// Band of a first-digit MAD; the bounds belong to the better band (≤).
    pub fn of(mad: f64) -> BenfordBand {
        if mad <= MAD_CLOSE {
            BenfordBand::Close
        } else if mad <= MAD_ACCEPTABLE {
            BenfordBand::Acceptable
        } else if mad <= MAD_MARGINAL {
            BenfordBand::Marginal
        } else {
            BenfordBand::Nonconformity
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            BenfordBand::Close => "高度符合",
            BenfordBand::Acceptable => "可接受的符合",
            BenfordBand::Marginal => "勉强可接受的符合",
            BenfordBand::Nonconformity => "不符合",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            BenfordBand::Close => "close conformity",
            BenfordBand::Acceptable => "acceptable conformity",
            BenfordBand::Marginal => "marginally acceptable conformity",
            BenfordBand::Nonconformity => "nonconformity",
        }
    }
}

/// Benford's expected share of first digit d = log10(1 + 1/d).
pub fn benford_expected(d: u32) -> f64 {
    (1.0 + 1.0 / f64::from(d)).log10()
}

/// First significant digit (1–9) of a positive amount, `None` for 0 or a negative amount.
pub fn first_digit(v: Decimal) -> Option<u32> {
    if v <= Decimal::ZERO {
        return None;
    }
    // The mantissa's leading digit is the first significant digit whatever the scale.
    let mut m = v.mantissa().unsigned_abs();
    while m >= 10 {
        m /= 10;
    }
    u32::try_from(m).ok().filter(|d| (1..=9).contains(d))
}

/// Result of a first-digit test.
#[derive(Debug, Clone, PartialEq)]
pub struct BenfordResult {
    /// Number of values tested.
    pub n: usize,
    /// Observed count of first digits 1–9 (`counts[0]` is digit 1).
    pub counts: [usize; 9],
    /// Mean absolute deviation of the observed from the expected proportions.
    pub mad: f64,
    pub band: BenfordBand,
    /// Pearson χ² statistic (8 degrees of freedom).
    pub chi2: f64,
}

impl BenfordResult {
    /// Whether the deviation is significant at the 1% level.
    pub fn significant(&self) -> bool {
        self.chi2 > CHI2_CRITICAL_8DF_1PCT
    }
}

/// First-digit test of a set of amounts (non-positive amounts are skipped). `None` when
/// nothing is left.
pub fn benford_test(values: impl IntoIterator<Item = Decimal>) -> Option<BenfordResult> {
    let mut counts = [0usize; 9];
    let mut n = 0usize;
    for v in values {
        if let Some(d) = first_digit(v)
            && let Some(c) = usize::try_from(d - 1).ok().and_then(|i| counts.get_mut(i))
        {
            *c += 1;
            n += 1;
        }
    }
    if n == 0 {
        return None;
    }
    let nf = n as f64;
    let mut mad = 0.0;
    let mut chi2 = 0.0;
    for (d, &c) in (1u32..=9).zip(counts.iter()) {
        let expected = benford_expected(d);
        let observed = c as f64 / nf;
        mad += (observed - expected).abs();
        let e = expected * nf;
        chi2 += (c as f64 - e).powi(2) / e;
    }
    mad /= 9.0;
    Some(BenfordResult {
        n,
        counts,
        mad,
        band: BenfordBand::of(mad),
        chi2,
    })
}

/// `X.benford`: first digits of the enterprises' output values in the latest window year.
///
/// One value per enterprise: the years of one enterprise nearly always share their first
/// digit, so pooling them would count each enterprise up to three times and overstate
/// significance. The test runs when at least [`BENFORD_MIN_ENTERPRISES`] enterprises
/// report a positive latest-year output.
///
/// Nigrini's bands were set for large data sets. Sampling noise alone gives a perfectly
/// Benford-distributed sample an expected MAD of about 0.235/√n (0.0235 for n = 100,
/// 0.0074 for n = 1,000): with 100 honest enterprises the MAD exceeds 0.015 about nine
/// times in ten (183 of 200 generated Benford-conforming clusters). The warning is
/// therefore raised when the MAD is in the nonconformity band **and** the deviation is
/// significant (Pearson χ², 8 df, 1% level; see [`BENFORD_REQUIRE_SIGNIFICANCE`]).
fn benford(decl: &Declaration, out: &mut Vec<Check>) {
    if decl.enterprises.len() < BENFORD_MIN_ENTERPRISES {
        return;
    }
    let year = latest_year(decl);
    let values = decl.enterprises.iter().filter_map(|e| {
        e.figures
            .get(&year)
            .and_then(|f| f.output_value)
            .map(Wan::amount)
    });
    let Some(r) = benford_test(values) else {
        return;
    };
    if r.n < BENFORD_MIN_ENTERPRISES {
        return;
    }
    if r.band != BenfordBand::Nonconformity {
        return;
    }
    let mut dist_zh = String::new();
    let mut dist_en = String::new();
    for (d, &c) in (1u32..=9).zip(r.counts.iter()) {
        let obs = 100.0 * c as f64 / r.n as f64;
        let exp = 100.0 * benford_expected(d);
        let sep = if d == 1 { "" } else { "，" };
        let _ = write!(dist_zh, "{sep}{d}：{obs:.1}%（理论{exp:.1}%）");
        let sep = if d == 1 { "" } else { ", " };
        let _ = write!(dist_en, "{sep}{d}: {obs:.1}% (expected {exp:.1}%)");
    }
    let significant = r.significant();
    if BENFORD_REQUIRE_SIGNIFICANCE && !significant {
        return;
    }
    let (verdict_zh, verdict_en) = if significant {
        (
            format!(
                "χ²={:.2}，在1%水平上显著，产值数据可能经过人为编造或调整，请核实",
                r.chi2
            ),
            format!(
                "chi² = {:.2}, significant at the 1% level: the output values may have been made up or adjusted; please verify",
                r.chi2
            ),
        )
    } else {
        (
            format!("χ²={:.2}，在1%水平上不显著，请结合样本量判断", r.chi2),
            format!(
                "chi² = {:.2}, not significant at the 1% level; weigh the sample size",
                r.chi2
            ),
        )
    };
    out.push(Check::new(
        "X.benford",
        Severity::Warning,
        CLUSTER_SUBJECT,
        format!(
            "{}家企业{year}年产值的首位数字与本福特定律的平均绝对偏差（MAD）为{:.4}，超过0.015，属于“{}”；{verdict_zh}。首位数字分布：{dist_zh}",
            r.n,
            r.mad,
            r.band.name_zh()
        ),
        format!(
            "the first digits of the {year} output values of {} enterprises have a mean absolute deviation from Benford's law of {:.4}, above 0.015 ({}); {verdict_en}. First digits: {dist_en}",
            r.n,
            r.mad,
            r.band.name_en()
        ),
    ));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::declaration::{ClusterInfo, Operator};
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn wan(s: &str) -> Option<Wan> {
        Some(Wan(d(s)))
    }

    /// A valid USCC registered in `region` (six digits), made unique by `n`.
    fn uscc_in(region: &str, n: u32) -> String {
        let first = format!("91{region}{n:09}");
        let c = crate::uscc::compute_check_char(&first).unwrap();
        format!("{first}{c}")
    }

    fn enterprise(uscc: &str, name: &str) -> Enterprise {
        Enterprise {
            uscc: uscc.to_owned(),
            name: name.to_owned(),
            industry_code: "C3857".to_owned(),
            in_leading_industry: true,
            declared_size: None,
            titles: vec![],
            uses_iip: None,
            policy_reached: None,
            figures: BTreeMap::new(),
        }
    }

    fn decl(county: &str, enterprises: Vec<Enterprise>) -> Declaration {
        Declaration {
            edition: "2022".to_owned(),
            batch_year: 2022,
            first_batch: false,
            cluster: ClusterInfo {
                name: "测试产业集群".to_owned(),
                county_code: county.to_owned(),
                leading_industry: "测试".to_owned(),
                industry_codes: vec!["C3857".to_owned()],
                area_km2: None,
                provincial_cluster: true,
                operator: Some(Operator {
                    name: "管委会".to_owned(),
                    kind: "management_committee".to_owned(),
                }),
                high_energy_industry: false,
                high_water_industry: false,
            },
            years: vec![2019, 2020, 2021],
            enterprises,
            totals: BTreeMap::new(),
            benchmarks: Default::default(),
            incidents: vec![],
            attestations: Default::default(),
            plan: Default::default(),
        }
    }

    fn ids(checks: &[Check]) -> Vec<(&str, Severity)> {
        checks.iter().map(|c| (c.id.as_str(), c.severity)).collect()
    }

    fn only(checks: &[Check], id: &str) -> Vec<Check> {
        checks.iter().filter(|c| c.id == id).cloned().collect()
    }

    #[test]
    fn clean_declaration_has_no_checks() {
        let e = enterprise(&uscc_in("330782", 1), "义乌市甲公司");
        assert!(run(&decl("330782", vec![e])).is_empty());
    }

    // ---- X.uscc ----

    #[test]
    fn wrong_check_character_is_an_error_naming_the_enterprise() {
        let e = enterprise("91110108551385082A", "北京某某科技有限公司");
        let checks = run(&decl("110108", vec![e]));
        assert_eq!(ids(&checks), [("X.uscc", Severity::Error)]);
        let c = &checks[0];
        assert_eq!(c.subject, "91110108551385082A 北京某某科技有限公司");
        assert_eq!(
            c.message,
            "企业“北京某某科技有限公司”（91110108551385082A）的统一社会信用代码校验码错误：应为“Q”，实际为“A”"
        );
        assert!(c.message_en.contains("expected 'Q', got 'A'"));
    }

    #[test]
    fn malformed_usccs_are_errors_and_evaluation_goes_on() {
        let es = vec![
            enterprise("", "空代码公司"),
            enterprise("9111010855138508", "短代码公司"),
            enterprise("91110108551385O82Q", "字母O公司"),
            enterprise("91110108551385082Q", "正确公司"),
        ];
        let checks = run(&decl("110108", es));
        assert_eq!(
            ids(&checks),
            [
                ("X.uscc", Severity::Error),
                ("X.uscc", Severity::Error),
                ("X.uscc", Severity::Error)
            ]
        );
        assert!(checks[0].message.contains("应为18位，实际为0位"));
        assert!(checks[1].message.contains("实际为16位"));
        assert!(checks[2].message.contains("第15位字符“O”不合法"));
    }

    // ---- X.uscc_region ----

    fn region_warnings(county: &str, region: &str) -> usize {
        let e = enterprise(&uscc_in(region, 7), "某公司");
        only(&run(&decl(county, vec![e])), "X.uscc_region").len()
    }

    #[test]
    fn region_inside_prefecture_is_fine() {
        // 义乌 (金华 3307): registered by 义乌, by 金华, by another 金华 county, by the
        // province, by the national authority.
        for r in ["330782", "330700", "330702", "330000", "100000"] {
            assert_eq!(region_warnings("330782", r), 0, "{r}");
        }
    }

    #[test]
    fn region_outside_prefecture_warns() {
        // 杭州 330100 for a 义乌 cluster; 深圳 for 英德 (清远 4418).
        assert_eq!(region_warnings("330782", "330102"), 1);
        assert_eq!(region_warnings("441881", "440300"), 1);
        // Another province's authority.
        assert_eq!(region_warnings("330782", "320000"), 1);
        let e = enterprise(&uscc_in("440305", 3), "深圳某公司");
        let c = &only(&run(&decl("441881", vec![e])), "X.uscc_region")[0];
        assert_eq!(c.severity, Severity::Warning);
        assert!(
            c.message.contains("440305（广东省深圳市南山区）"),
            "{}",
            c.message
        );
        assert!(c.message.contains("广东省清远市"), "{}", c.message);
    }

    #[test]
    fn area_names() {
        let name = |c: &str| ClusterArea::of(c).unwrap().name();
        assert_eq!(name("330782"), "浙江省金华市");
        assert_eq!(name("110108"), "北京市");
        assert_eq!(name("429004"), "湖北省仙桃市");
        assert_eq!(name("441900"), "广东省东莞市");
        assert_eq!(name("999999"), "");
        assert!(ClusterArea::of("33078").is_none());
        assert!(ClusterArea::of("33078x").is_none());
    }

    #[test]
    fn municipalities_are_one_area() {
        // 北京: 海淀 110108 and 密云 110118; Chongqing 市辖区 5001 and 县 5002.
        assert_eq!(region_warnings("110108", "110118"), 0);
        assert_eq!(region_warnings("110108", "110100"), 0);
        assert_eq!(region_warnings("500229", "500101"), 0);
        assert_eq!(region_warnings("310115", "310000"), 0);
        assert_eq!(region_warnings("110108", "120101"), 1);
    }

    #[test]
    fn cities_with_separate_planning_have_their_own_prefix() {
        // 宁波 3302 is not 杭州 3301 although both are 浙江.
        assert_eq!(region_warnings("330206", "330200"), 0);
        assert_eq!(region_warnings("330206", "330212"), 0);
        assert_eq!(region_warnings("330206", "330106"), 1);
        // 深圳 and 青岛.
        assert_eq!(region_warnings("440305", "440300"), 0);
        assert_eq!(region_warnings("370211", "370281"), 0);
        assert_eq!(region_warnings("370211", "370102"), 1);
    }

    #[test]
    fn province_administered_counties_are_their_own_area() {
        // 仙桃 429004 vs 潜江 429005.
        assert_eq!(region_warnings("429004", "429004"), 0);
        assert_eq!(region_warnings("429004", "420000"), 0);
        assert_eq!(region_warnings("429004", "429005"), 1);
    }

    #[test]
    fn former_prefectures_are_accepted() {
        // 莱芜 (3712) was merged into 济南 (3701) in 2019.
        assert_eq!(region_warnings("370116", "371202"), 0);
        assert_eq!(region_warnings("370116", "371102"), 1);
    }

    #[test]
    fn letters_in_region_digits_warn() {
        let first = "91A1B108551385082";
        let c = crate::uscc::compute_check_char(first).unwrap();
        let e = enterprise(&format!("{first}{c}"), "某公司");
        let checks = only(&run(&decl("110108", vec![e])), "X.uscc_region");
        assert_eq!(checks.len(), 1);
        assert!(checks[0].message.contains("不是6位数字"));
    }

    // ---- X.duplicate ----

    #[test]
    fn duplicate_in_roster_is_an_error_listing_rows() {
        let u = uscc_in("330782", 1);
        let es = vec![
            enterprise(&u, "甲公司"),
            enterprise(&uscc_in("330782", 2), "乙公司"),
            enterprise(&u.to_lowercase(), "甲公司（重复）"),
        ];
        let checks = run(&decl("330782", es));
        let dup = only(&checks, "X.duplicate");
        assert_eq!(dup.len(), 1);
        assert_eq!(dup[0].severity, Severity::Error);
        assert!(dup[0].message.contains("出现2次"), "{}", dup[0].message);
        assert!(
            dup[0]
                .message
                .contains("第1家“甲公司”、第3家“甲公司（重复）”")
        );
    }

    #[test]
    fn duplicate_across_clusters_is_a_warning() {
        let shared = uscc_in("330782", 1);
        let a = decl(
            "330782",
            vec![
                enterprise(&shared, "甲公司"),
                enterprise(&uscc_in("330782", 2), "乙公司"),
            ],
        );
        let b = decl(
            "330782",
            vec![
                enterprise(&shared, "甲公司"),
                enterprise(&shared, "甲公司"), // in-roster repeat: run()'s error, counted once here
            ],
        );
        let c = decl("330782", vec![enterprise(&uscc_in("330782", 3), "丙公司")]);
        let checks = duplicates_across(&[("集群A", &a), ("集群B", &b), ("集群C", &c)]);
        assert_eq!(ids(&checks), [("X.duplicate", Severity::Warning)]);
        assert!(checks[0].message.contains("2个集群"));
        assert!(checks[0].message.contains("“集群A”"));
        assert!(checks[0].message.contains("“集群B”"));
        assert!(duplicates_across(&[("集群A", &a), ("集群C", &c)]).is_empty());
    }

    // ---- X.size_mismatch ----

    fn sized(declared: Size, employees: u64, revenue: &str) -> Enterprise {
        let mut e = enterprise(&uscc_in("330782", employees as u32), "规模公司");
        e.declared_size = Some(declared);
        e.figures.insert(
            2021,
            Figures {
                employees: Some(employees),
                revenue: wan(revenue),
                ..Default::default()
            },
        );
        e
    }

    #[test]
    fn size_mismatch_uses_latest_year_and_the_2011_standard() {
        // Industry: 300 employees and 2000 万元 → medium (及以上); 299 → small.
        assert!(
            only(
                &run(&decl("330782", vec![sized(Size::Medium, 300, "2000")])),
                "X.size_mismatch"
            )
            .is_empty()
        );
        let checks = only(
            &run(&decl("330782", vec![sized(Size::Medium, 299, "2000")])),
            "X.size_mismatch",
        );
        assert_eq!(checks.len(), 1);
        assert_eq!(checks[0].severity, Severity::Warning);
        assert!(
            checks[0]
                .message
                .contains("申报规模为中型企业，按《中小企业划型标准规定》（工业）以2021年从业人员299人、营业收入2000万元测算应为小型企业"),
            "{}",
            checks[0].message
        );
        // Large: 1000 employees and 40000 万元.
        let checks = only(
            &run(&decl("330782", vec![sized(Size::Medium, 1000, "40000")])),
            "X.size_mismatch",
        );
        assert!(checks[0].message.contains("应为大型企业"));
    }

    #[test]
    fn size_mismatch_needs_figures_and_a_declared_size() {
        let mut e = sized(Size::Medium, 5, "10");
        e.figures.clear();
        assert!(run(&decl("330782", vec![e])).is_empty());
        let mut e = sized(Size::Medium, 5, "10");
        e.declared_size = None;
        assert!(run(&decl("330782", vec![e])).is_empty());
        // Revenue missing: the industry sector needs it, no verdict, no check.
        let mut e = sized(Size::Medium, 5, "10");
        e.figures.get_mut(&2021).unwrap().revenue = None;
        assert!(run(&decl("330782", vec![e])).is_empty());
    }

    // ---- X.totals_mismatch ----

    fn with_output(n: u32, year: i32, v: &str) -> Enterprise {
        let mut e = enterprise(&uscc_in("330782", n), &format!("企业{n}"));
        e.figures.insert(
            year,
            Figures {
                output_value: wan(v),
                ..Default::default()
            },
        );
        e
    }

    fn totals_warnings(roster: &[&str], declared: &str) -> Vec<Check> {
        let es = roster
            .iter()
            .enumerate()
            .map(|(i, v)| with_output(i as u32 + 1, 2021, v))
            .collect();
        let mut dcl = decl("330782", es);
        dcl.totals.insert(
            2021,
            Figures {
                output_value: wan(declared),
                ..Default::default()
            },
        );
        only(&run(&dcl), "X.totals_mismatch")
    }

    #[test]
    fn totals_exactly_one_percent_apart_is_fine() {
        // 60000 + 41000 = 101000 vs 100000: exactly 1%.
        assert!(totals_warnings(&["60000", "41000"], "100000").is_empty());
        assert!(totals_warnings(&["60000", "39000"], "100000").is_empty());
        assert!(totals_warnings(&["60000", "40000"], "100000").is_empty());
    }

    #[test]
    fn totals_just_over_one_percent_warns() {
        let w = totals_warnings(&["60000", "41000.01"], "100000");
        assert_eq!(ids(&w), [("X.totals_mismatch", Severity::Warning)]);
        assert_eq!(w[0].subject, "集群");
        assert_eq!(
            w[0].message,
            "2021年产值：企业名录合计10.1亿元，集群申报总量10亿元，相差1.00001%，超过1%"
        );
        assert_eq!(totals_warnings(&["60000", "38999.99"], "100000").len(), 1);
    }

    #[test]
    fn totals_per_year_per_figure_and_zero_declared() {
        let mut e = with_output(1, 2020, "100");
        e.figures.insert(
            2021,
            Figures {
                output_value: wan("100"),
                employees: Some(50),
                ..Default::default()
            },
        );
        let mut dcl = decl("330782", vec![e, with_output(2, 2021, "100")]);
        dcl.totals.insert(
            2020,
            Figures {
                output_value: wan("100"),
                ..Default::default()
            },
        );
        dcl.totals.insert(
            2021,
            Figures {
                output_value: wan("0"),
                employees: Some(60),
                // No enterprise reports R&D: nothing to compare.
                rd_expenditure: wan("500"),
                ..Default::default()
            },
        );
        let w = only(&run(&dcl), "X.totals_mismatch");
        assert_eq!(w.len(), 2, "{w:#?}");
        assert!(
            w[0].message
                .starts_with("2021年产值：企业名录合计200万元，集群申报总量0万元")
        );
        assert_eq!(
            w[1].message,
            "2021年从业人员：企业名录合计50人（1家企业未填报该项），集群申报总量60人，相差16.67%，超过1%"
        );
    }

    // ---- X.jump ----

    fn series(values: &[(i32, &str)]) -> Enterprise {
        let mut e = enterprise(&uscc_in("330782", 9), "跳变公司");
        for (y, v) in values {
            e.figures.insert(
                *y,
                Figures {
                    revenue: wan(v),
                    ..Default::default()
                },
            );
        }
        e
    }

    fn jump_checks(values: &[(i32, &str)]) -> Vec<Check> {
        only(&run(&decl("330782", vec![series(values)])), "X.jump")
    }

    #[test]
    fn growth_of_exactly_200_percent_is_fine_just_over_warns() {
        assert!(jump_checks(&[(2020, "1000"), (2021, "3000")]).is_empty());
        let w = jump_checks(&[(2020, "1000"), (2021, "3000.01")]);
        assert_eq!(ids(&w), [("X.jump", Severity::Warning)]);
        assert_eq!(
            w[0].message,
            "企业“跳变公司”（913307820000000095）营业收入由2020年1000万元变为2021年3000.01万元，一年增长200.001%，超过200%，请核实"
                .replace("913307820000000095", &uscc_in("330782", 9))
        );
    }

    #[test]
    fn fall_of_exactly_67_percent_is_fine_just_over_warns() {
        assert!(jump_checks(&[(2020, "1000"), (2021, "330")]).is_empty());
        let w = jump_checks(&[(2020, "1000"), (2021, "329.99")]);
        assert_eq!(w.len(), 1);
        assert!(
            w[0].message.contains("一年下降67.001%，超过67%"),
            "{}",
            w[0].message
        );
        let w = jump_checks(&[(2020, "1000"), (2021, "0")]);
        assert!(w[0].message.contains("下降100%"));
    }

    #[test]
    fn jumps_only_between_consecutive_years_and_not_from_zero() {
        assert!(jump_checks(&[(2019, "1000"), (2021, "5000")]).is_empty());
        assert!(jump_checks(&[(2020, "0"), (2021, "5000")]).is_empty());
        // Two jumps in a row are two findings.
        assert_eq!(
            jump_checks(&[(2019, "100"), (2020, "1000"), (2021, "100")]).len(),
            2
        );
    }

    #[test]
    fn jump_in_counts_and_physical_units() {
        let mut e = enterprise(&uscc_in("330782", 9), "跳变公司");
        e.figures.insert(
            2020,
            Figures {
                employees: Some(100),
                co2_t: Some(d("9100")),
                ..Default::default()
            },
        );
        e.figures.insert(
            2021,
            Figures {
                employees: Some(301),
                co2_t: Some(d("3003")),
                ..Default::default()
            },
        );
        let w = only(&run(&decl("330782", vec![e])), "X.jump");
        assert_eq!(w.len(), 1, "{w:#?}");
        assert!(
            w[0].message
                .contains("从业人员由2020年100人变为2021年301人，一年增长201%")
        );
        // 3003 / 9100 = 0.33: exactly a 67% fall, not reported.
    }

    #[test]
    fn overflowing_amounts_do_not_panic() {
        let big = Decimal::MAX.to_string();
        let mut dcl = decl(
            "330782",
            vec![
                series(&[(2020, &big), (2021, &big)]),
                series(&[(2021, &big)]),
            ],
        );
        dcl.totals.insert(
            2021,
            Figures {
                revenue: wan(&big),
                ..Default::default()
            },
        );
        let _ = run(&dcl);
    }

    // ---- X.benford ----

    #[test]
    fn first_digits() {
        assert_eq!(first_digit(d("52000")), Some(5));
        assert_eq!(first_digit(d("0.0312")), Some(3));
        assert_eq!(first_digit(d("1")), Some(1));
        assert_eq!(first_digit(d("9.99")), Some(9));
        assert_eq!(first_digit(d("1000.00")), Some(1));
        assert_eq!(first_digit(d("0")), None);
        assert_eq!(first_digit(d("-5")), None);
    }

    #[test]
    fn nigrini_bands_bounds_are_inclusive() {
        assert_eq!(BenfordBand::of(0.006), BenfordBand::Close);
        assert_eq!(BenfordBand::of(0.0061), BenfordBand::Acceptable);
        assert_eq!(BenfordBand::of(0.012), BenfordBand::Acceptable);
        assert_eq!(BenfordBand::of(0.0121), BenfordBand::Marginal);
        assert_eq!(BenfordBand::of(0.015), BenfordBand::Marginal);
        assert_eq!(BenfordBand::of(0.0151), BenfordBand::Nonconformity);
    }

    /// `n` amounts whose first digits follow Benford exactly (to rounding).
    fn benford_amounts(n: usize) -> Vec<Decimal> {
        let mut out = Vec::new();
        for dgt in 1..=9u32 {
            let k = (benford_expected(dgt) * n as f64).round() as usize;
            for j in 0..k {
                out.push(Decimal::from(dgt * 1000 + (j as u32 % 1000)));
            }
        }
        out
    }

    #[test]
    fn benford_conforming_data_is_close() {
        let r = benford_test(benford_amounts(1000)).unwrap();
        assert_eq!(r.band, BenfordBand::Close);
        assert!(!r.significant());
    }

    #[test]
    fn uniform_first_digits_do_not_conform() {
        let vals = (0..900).map(|i| Decimal::from((i % 9 + 1) * 100 + i / 9));
        let r = benford_test(vals).unwrap();
        assert_eq!(r.n, 900);
        assert_eq!(r.band, BenfordBand::Nonconformity);
        assert!(r.significant());
    }

    fn roster_with_outputs(values: &[Decimal]) -> Declaration {
        let es = values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let mut e = enterprise(&uscc_in("330782", i as u32 + 1), &format!("企业{i}"));
                e.figures.insert(
                    2021,
                    Figures {
                        output_value: Some(Wan(*v)),
                        ..Default::default()
                    },
                );
                e
            })
            .collect();
        decl("330782", es)
    }

    #[test]
    fn benford_needs_100_enterprises() {
        // 99 enterprises all starting with 5: nothing; 100: a warning.
        let fives: Vec<Decimal> = (0..100).map(|i| Decimal::from(5000 + i)).collect();
        assert!(only(&run(&roster_with_outputs(&fives[..99])), "X.benford").is_empty());
        let w = only(&run(&roster_with_outputs(&fives)), "X.benford");
        assert_eq!(ids(&w), [("X.benford", Severity::Warning)]);
        assert_eq!(w[0].subject, "集群");
        assert!(
            w[0].message
                .starts_with("100家企业2021年产值的首位数字与本福特定律的平均绝对偏差（MAD）为")
        );
        assert!(
            w[0].message.contains("5：100.0%（理论7.9%）"),
            "{}",
            w[0].message
        );
    }

    #[test]
    fn benford_uses_one_latest_value_per_enterprise() {
        let fives: Vec<Decimal> = (0..100).map(|i| Decimal::from(5000 + i)).collect();
        // One enterprise without a 2021 output: 99 values, no test.
        let mut dcl = roster_with_outputs(&fives);
        let f = dcl.enterprises[0].figures.remove(&2021).unwrap();
        dcl.enterprises[0].figures.insert(2020, f);
        assert!(only(&run(&dcl), "X.benford").is_empty());
        // Earlier years do not count: a Benford-like 2020 does not hide a 2021 of fives.
        let mut dcl = roster_with_outputs(&fives);
        for (e, v) in dcl.enterprises.iter_mut().zip(benford_amounts(100)) {
            e.figures.insert(
                2020,
                Figures {
                    output_value: Some(Wan(v)),
                    ..Default::default()
                },
            );
        }
        assert_eq!(only(&run(&dcl), "X.benford").len(), 1);
    }

    #[test]
    fn benford_conforming_roster_has_no_check() {
        let vals = benford_amounts(1000);
        assert!(only(&run(&roster_with_outputs(&vals)), "X.benford").is_empty());
    }

    #[test]
    fn benford_nonconforming_but_not_significant_is_not_reported() {
        // 100 values: MAD ≈ 0.034 (nonconformity) but χ² ≈ 10.3 < 20.09.
        let counts = [22u32, 22, 15, 6, 11, 9, 3, 8, 4];
        let mut vals = Vec::new();
        for (i, &k) in counts.iter().enumerate() {
            for j in 0..k {
                vals.push(Decimal::from((i as u32 + 1) * 1000 + j));
            }
        }
        let r = benford_test(vals.clone()).unwrap();
        assert_eq!(r.band, BenfordBand::Nonconformity, "{r:?}");
        assert!(!r.significant(), "{r:?}");
        let w = only(&run(&roster_with_outputs(&vals)), "X.benford");
        assert_eq!(w.is_empty(), BENFORD_REQUIRE_SIGNIFICANCE);
    }
}
