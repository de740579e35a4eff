//! Metrics computed exactly (decimal, never binary floating point) from a declaration's
//! roster. Cluster-level `totals` are used only for a figure no roster enterprise reports.
//!
//! A metric value is kept as a fraction `num/den` so that comparisons with a bound are made
//! by cross-multiplication (exact) rather than after a rounding division.

use crate::declaration::{Declaration, Enterprise, Figures, PlanArea, Size, TitleKind};
use crate::sme::{self, SizeInputs};
use rust_decimal::Decimal;
use serde::Serialize;
use std::cmp::Ordering;
use std::collections::BTreeSet;

/// The metric vocabulary an edition may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MetricId {
    /// Already a provincial cluster, or the batch is the first (第十二条). Yes/no.
    ProvincialStatus,
    /// Cluster area, km².
    AreaKm2,
    /// Total output value, 万元.
    OutputValue,
    /// Output of SMEs / total output.
    SmeOutputShare,
    /// Output of enterprises in the leading industry / total output.
    LeadingOutputShare,
    /// R&D expenditure of SMEs, 万元.
    SmeRdExpenditure,
    /// R&D expenditure of all enterprises, 万元.
    RdExpenditure,
    /// Valid invention patents held (count).
    ValidInventionPatents,
    /// Employees (persons).
    Employees,
    /// Valid invention patents per 10,000 employees.
    PatentsPer10kEmployees,
    /// Enterprises using an industrial internet platform / all enterprises.
    IipPenetration,
    /// Tonnes of CO₂ per 万元 of output.
    Co2Intensity,
    /// Tonnes of standard coal equivalent per 万元 of output.
    EnergyIntensity,
    /// m³ of water per 万元 of output.
    WaterIntensity,
    /// Export value / output.
    ExportShare,
    /// Distinct enterprises holding one of the listed titles (granted ≤ batch year).
    TitledEnterprises,
    /// An operating management organisation exists. Yes/no.
    OperatorExists,
    /// Enterprises reached by policy outreach / all enterprises.
    PolicyCoverage,
    /// Number of the six areas of 第六条 with ≥ 1 measurable plan target.
    PlanAreas,
    /// Incidents (veto rule only).
    Incidents,
}

/// Display unit of a metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Wan,
    Percent,
    Km2,
    Enterprises,
    Patents,
    Persons,
    PatentsPer10k,
    TonnesPerWan,
    TcePerWan,
    M3PerWan,
    Areas,
    YesNo,
}

impl MetricId {
    pub const ALL: [MetricId; 20] = [
        MetricId::ProvincialStatus,
        MetricId::AreaKm2,
        MetricId::OutputValue,
        MetricId::SmeOutputShare,
        MetricId::LeadingOutputShare,
        MetricId::SmeRdExpenditure,
        MetricId::RdExpenditure,
        MetricId::ValidInventionPatents,
        MetricId::Employees,
        MetricId::PatentsPer10kEmployees,
        MetricId::IipPenetration,
        MetricId::Co2Intensity,
        MetricId::EnergyIntensity,
        MetricId::WaterIntensity,
        MetricId::ExportShare,
        MetricId::TitledEnterprises,
        MetricId::OperatorExists,
        MetricId::PolicyCoverage,
        MetricId::PlanAreas,
        MetricId::Incidents,
    ];

    pub fn id(self) -> &'static str {
        match self {
            MetricId::ProvincialStatus => "provincial_status",
            MetricId::AreaKm2 => "area_km2",
            MetricId::OutputValue => "output_value",
            MetricId::SmeOutputShare => "sme_output_share",
            MetricId::LeadingOutputShare => "leading_output_share",
            MetricId::SmeRdExpenditure => "sme_rd_expenditure",
            MetricId::RdExpenditure => "rd_expenditure",
            MetricId::ValidInventionPatents => "valid_invention_patents",
            MetricId::Employees => "employees",
            MetricId::PatentsPer10kEmployees => "patents_per_10k_employees",
            MetricId::IipPenetration => "iip_penetration",
            MetricId::Co2Intensity => "co2_intensity",
            MetricId::EnergyIntensity => "energy_intensity",
            MetricId::WaterIntensity => "water_intensity",
            MetricId::ExportShare => "export_share",
            MetricId::TitledEnterprises => "titled_enterprises",
            MetricId::OperatorExists => "operator_exists",
            MetricId::PolicyCoverage => "policy_coverage",
            MetricId::PlanAreas => "plan_areas",
            MetricId::Incidents => "incidents",
        }
    }

    pub fn parse(s: &str) -> Option<MetricId> {
        MetricId::ALL.into_iter().find(|m| m.id() == s)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            MetricId::ProvincialStatus => "省级集群认定情况",
            MetricId::AreaKm2 => "占地面积",
            MetricId::OutputValue => "产值",
            MetricId::SmeOutputShare => "中小企业产值占集群总产值比例",
            MetricId::LeadingOutputShare => "主导产业产值占集群总产值比例",
            MetricId::SmeRdExpenditure => "中小企业研发经费",
            MetricId::RdExpenditure => "研发经费",
            MetricId::ValidInventionPatents => "有效发明专利",
            MetricId::Employees => "从业人员",
            MetricId::PatentsPer10kEmployees => "每万人有效发明专利拥有量",
            MetricId::IipPenetration => "工业互联网平台应用普及率",
            MetricId::Co2Intensity => "单位产值二氧化碳排放量",
            MetricId::EnergyIntensity => "单位产值能耗",
            MetricId::WaterIntensity => "单位产值用水量",
            MetricId::ExportShare => "出口额占产值比例",
            MetricId::TitledEnterprises => "获评企业数",
            MetricId::OperatorExists => "运营管理机构",
            MetricId::PolicyCoverage => "惠企政策宣贯覆盖率",
            MetricId::PlanAreas => "三年发展规划覆盖的培育方面",
            MetricId::Incidents => "事故与违法违规情况",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            MetricId::ProvincialStatus => "provincial cluster status",
            MetricId::AreaKm2 => "area",
            MetricId::OutputValue => "output value",
            MetricId::SmeOutputShare => "SME share of output",
            MetricId::LeadingOutputShare => "leading-industry share of output",
            MetricId::SmeRdExpenditure => "SME R&D expenditure",
            MetricId::RdExpenditure => "R&D expenditure",
            MetricId::ValidInventionPatents => "valid invention patents",
            MetricId::Employees => "employees",
            MetricId::PatentsPer10kEmployees => "valid invention patents per 10,000 employees",
            MetricId::IipPenetration => "industrial internet platform penetration",
            MetricId::Co2Intensity => "CO₂ per unit of output",
            MetricId::EnergyIntensity => "energy per unit of output",
            MetricId::WaterIntensity => "water per unit of output",
            MetricId::ExportShare => "export share of output",
            MetricId::TitledEnterprises => "titled enterprises",
            MetricId::OperatorExists => "operating management organisation",
            MetricId::PolicyCoverage => "policy outreach coverage",
            MetricId::PlanAreas => "areas covered by the three-year plan",
            MetricId::Incidents => "incidents and violations",
        }
    }

    pub fn unit(self) -> Unit {
        match self {
            MetricId::ProvincialStatus | MetricId::OperatorExists | MetricId::Incidents => {
                Unit::YesNo
            }
            MetricId::AreaKm2 => Unit::Km2,
            MetricId::OutputValue | MetricId::SmeRdExpenditure | MetricId::RdExpenditure => {
                Unit::Wan
            }
            MetricId::SmeOutputShare
            | MetricId::LeadingOutputShare
            | MetricId::IipPenetration
            | MetricId::ExportShare
            | MetricId::PolicyCoverage => Unit::Percent,
            MetricId::ValidInventionPatents => Unit::Patents,
            MetricId::Employees => Unit::Persons,
            MetricId::PatentsPer10kEmployees => Unit::PatentsPer10k,
            MetricId::Co2Intensity => Unit::TonnesPerWan,
            MetricId::EnergyIntensity => Unit::TcePerWan,
            MetricId::WaterIntensity => Unit::M3PerWan,
            MetricId::TitledEnterprises => Unit::Enterprises,
            MetricId::PlanAreas => Unit::Areas,
        }
    }

    /// Metrics that have a value per year (and so need a window).
    pub fn is_yearly(self) -> bool {
        matches!(
            self,
            MetricId::OutputValue
                | MetricId::SmeOutputShare
                | MetricId::LeadingOutputShare
                | MetricId::SmeRdExpenditure
                | MetricId::RdExpenditure
                | MetricId::ValidInventionPatents
                | MetricId::Employees
                | MetricId::PatentsPer10kEmployees
                | MetricId::Co2Intensity
                | MetricId::EnergyIntensity
                | MetricId::WaterIntensity
                | MetricId::ExportShare
        )
    }

    pub fn is_bool(self) -> bool {
        self.unit() == Unit::YesNo
    }

    /// Shares (written as percentages in an edition).
    pub fn is_ratio(self) -> bool {
        self.unit() == Unit::Percent
    }
}

/// An exact non-negative quantity `num / den` (den > 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frac {
    pub num: Decimal,
    pub den: Decimal,
}

impl Frac {
    pub fn whole(v: Decimal) -> Frac {
        Frac {
            num: v,
            den: Decimal::ONE,
        }
    }

    /// `None` when the denominator is not positive.
    pub fn new(num: Decimal, den: Decimal) -> Option<Frac> {
        (den > Decimal::ZERO).then_some(Frac { num, den })
    }

    /// The value as one decimal (28 significant digits), for display and gaps.
    pub fn value(self) -> Option<Decimal> {
        self.num.checked_div(self.den)
    }

    /// Exact comparison by cross-multiplication; falls back to comparing the divided
    /// values when a product would overflow; `None` only if both overflow.
    pub fn cmp_frac(self, other: Frac) -> Option<Ordering> {
        match (
            self.num.checked_mul(other.den),
            other.num.checked_mul(self.den),
        ) {
            (Some(a), Some(b)) => Some(a.cmp(&b)),
            _ => Some(self.value()?.cmp(&other.value()?)),
        }
    }

    pub fn cmp_value(self, bound: Decimal) -> Option<Ordering> {
        self.cmp_frac(Frac::whole(bound))
    }
}

/// Where a yearly quantity came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Summed over the roster; `unreported` enterprises gave no figure.
    Roster { unreported: usize },
    /// Cluster-level `totals` (no roster enterprise reported the figure).
    Totals,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quantity {
    pub frac: Frac,
    pub source: Source,
}

/// Why a metric could not be computed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unavailable {
    pub zh: String,
    pub en: String,
}

impl Unavailable {
    fn new(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Unavailable {
            zh: zh.into(),
            en: en.into(),
        }
    }
    fn overflow() -> Self {
        Unavailable::new("数值过大，无法计算", "figures too large to compute")
    }
}

/// A figure of `Figures`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Output,
    Revenue,
    Employees,
    TotalAssets,
    Rd,
    Patents,
    Co2,
    Energy,
    Water,
    Export,
}

impl Field {
    pub fn get(self, f: &Figures) -> Option<Decimal> {
        match self {
            Field::Output => f.output_value.map(|w| w.amount()),
            Field::Revenue => f.revenue.map(|w| w.amount()),
            Field::Employees => f.employees.map(Decimal::from),
            Field::TotalAssets => f.total_assets.map(|w| w.amount()),
            Field::Rd => f.rd_expenditure.map(|w| w.amount()),
            Field::Patents => f.valid_invention_patents.map(Decimal::from),
            Field::Co2 => f.co2_t,
            Field::Energy => f.energy_tce,
            Field::Water => f.water_m3,
            Field::Export => f.export_value.map(|w| w.amount()),
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Field::Output => "产值",
            Field::Revenue => "营业收入",
            Field::Employees => "从业人员",
            Field::TotalAssets => "资产总额",
            Field::Rd => "研发经费",
            Field::Patents => "有效发明专利",
            Field::Co2 => "二氧化碳排放量",
            Field::Energy => "综合能耗",
            Field::Water => "用水量",
            Field::Export => "出口额",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Field::Output => "output value",
            Field::Revenue => "revenue",
            Field::Employees => "employees",
            Field::TotalAssets => "total assets",
            Field::Rd => "R&D expenditure",
            Field::Patents => "valid invention patents",
            Field::Co2 => "CO₂ emissions",
            Field::Energy => "energy use",
            Field::Water => "water use",
            Field::Export => "exports",
        }
    }
}

/// Which enterprises a sum runs over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filter {
    All,
    Sme,
    Leading,
}

/// How an enterprise's size was settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SizeBasis {
    /// Computed from the latest window year by the 2011 standard.
    Computed,
    /// Declared (figures missing for the computation).
    Declared,
    /// Neither: treated as not an SME.
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SizeInfo {
    pub size: Option<Size>,
    pub basis: SizeBasis,
}

impl SizeInfo {
    pub fn is_sme(self) -> bool {
        self.size.is_some_and(Size::is_sme)
    }
}

/// Size of one enterprise: computed once from the latest window year's employees, revenue
/// and total assets (2011 standard, sector from its GB/T 4754 code), else its declared size.
pub fn size_of(e: &Enterprise, latest_year: i32) -> SizeInfo {
    let computed = e
        .figures
        .get(&latest_year)
        .and_then(|f| sme::classify(&e.industry_code, &SizeInputs::from_figures(f)));
    match (computed, e.declared_size) {
        (Some(s), _) => SizeInfo {
            size: Some(s),
            basis: SizeBasis::Computed,
        },
        (None, Some(s)) => SizeInfo {
            size: Some(s),
            basis: SizeBasis::Declared,
        },
        (None, None) => SizeInfo {
            size: None,
            basis: SizeBasis::Unknown,
        },
    }
}

/// Everything the verdicts need, computed once per declaration.
pub struct Metrics<'a> {
    pub decl: &'a Declaration,
    /// The window years, oldest first.
    pub window: Vec<i32>,
    /// Size per roster enterprise, same order as `decl.enterprises`.
    pub sizes: Vec<SizeInfo>,
}

impl<'a> Metrics<'a> {
    pub fn new(decl: &'a Declaration, window_years: i32) -> Metrics<'a> {
        let first = decl.batch_year.saturating_sub(window_years);
        let window: Vec<i32> = (first..decl.batch_year).collect();
        let latest = decl.batch_year.saturating_sub(1);
        let sizes = decl
            .enterprises
            .iter()
            .map(|e| size_of(e, latest))
            .collect();
        Metrics {
            decl,
            window,
            sizes,
        }
    }

    pub fn latest_year(&self) -> i32 {
        self.decl.batch_year.saturating_sub(1)
    }

    pub fn sme_count(&self) -> usize {
        self.sizes.iter().filter(|s| s.is_sme()).count()
    }

    pub fn unknown_size_count(&self) -> usize {
        self.sizes
            .iter()
            .filter(|s| s.basis == SizeBasis::Unknown)
            .count()
    }

    fn included(&self, i: usize, e: &Enterprise, filter: Filter) -> bool {
        match filter {
            Filter::All => true,
            Filter::Sme => self.sizes.get(i).is_some_and(|s| s.is_sme()),
            Filter::Leading => e.in_leading_industry,
        }
    }

    /// Sum of `field` in `year` over the filtered roster: `Ok(None)` when no enterprise of
    /// the filter reports it.
    pub fn roster_sum(
        &self,
        field: Field,
        year: i32,
        filter: Filter,
    ) -> Result<Option<Quantity>, Unavailable> {
        let mut total = Decimal::ZERO;
        let mut reported = 0usize;
        let mut considered = 0usize;
        for (i, e) in self.decl.enterprises.iter().enumerate() {
            if !self.included(i, e, filter) {
                continue;
            }
            considered += 1;
            if let Some(v) = e.figures.get(&year).and_then(|f| field.get(f)) {
                total = total.checked_add(v).ok_or_else(Unavailable::overflow)?;
                reported += 1;
            }
        }
        Ok((reported > 0).then_some(Quantity {
            frac: Frac::whole(total),
            source: Source::Roster {
                unreported: considered - reported,
            },
        }))
    }

    /// A cluster-wide figure: the roster sum, or the declared total when no enterprise
    /// reports it.
    pub fn cluster_figure(&self, field: Field, year: i32) -> Result<Quantity, Unavailable> {
        if let Some(q) = self.roster_sum(field, year, Filter::All)? {
            return Ok(q);
        }
        self.decl
            .totals
            .get(&year)
            .and_then(|f| field.get(f))
            .map(|v| Quantity {
                frac: Frac::whole(v),
                source: Source::Totals,
            })
            .ok_or_else(|| {
                Unavailable::new(
                    format!("{year}年{}未填报", field.name_zh()),
                    format!("{} for {year} not reported", field.name_en()),
                )
            })
    }

    fn ratio(
        num: Quantity,
        den: Quantity,
        what_zh: &str,
        what_en: &str,
        year: i32,
    ) -> Result<Quantity, Unavailable> {
        let frac = Frac::new(num.frac.num, den.frac.num).ok_or_else(|| {
            Unavailable::new(
                format!("{year}年{what_zh}为零，无法计算"),
                format!("{what_en} for {year} is zero"),
            )
        })?;
        let source = match (num.source, den.source) {
            (Source::Totals, _) | (_, Source::Totals) => Source::Totals,
            (Source::Roster { unreported: a }, Source::Roster { unreported: b }) => {
                Source::Roster {
                    unreported: a.max(b),
                }
            }
        };
        Ok(Quantity { frac, source })
    }

    fn share(&self, filter: Filter, year: i32) -> Result<Quantity, Unavailable> {
        let total = self
            .roster_sum(Field::Output, year, Filter::All)?
            .ok_or_else(|| {
                Unavailable::new(
                    format!("名录中无企业填报{year}年产值"),
                    format!("no roster enterprise reports output for {year}"),
                )
            })?;
        let part = self
            .roster_sum(Field::Output, year, filter)?
            .unwrap_or(Quantity {
                frac: Frac::whole(Decimal::ZERO),
                source: Source::Roster { unreported: 0 },
            });
        Metrics::ratio(part, total, "产值", "output", year)
    }

    /// A yearly metric's value in `year`.
    pub fn yearly(&self, metric: MetricId, year: i32) -> Result<Quantity, Unavailable> {
        match metric {
            MetricId::OutputValue => self.cluster_figure(Field::Output, year),
            MetricId::RdExpenditure => self.cluster_figure(Field::Rd, year),
            MetricId::ValidInventionPatents => self.cluster_figure(Field::Patents, year),
            MetricId::Employees => self.cluster_figure(Field::Employees, year),
            MetricId::SmeRdExpenditure => self
                .roster_sum(Field::Rd, year, Filter::Sme)?
                .ok_or_else(|| {
                    Unavailable::new(
                        format!("无中小企业填报{year}年研发经费"),
                        format!("no SME reports R&D expenditure for {year}"),
                    )
                }),
            MetricId::SmeOutputShare => self.share(Filter::Sme, year),
            MetricId::LeadingOutputShare => self.share(Filter::Leading, year),
            MetricId::PatentsPer10kEmployees => {
                let patents = self.cluster_figure(Field::Patents, year)?;
                let employees = self.cluster_figure(Field::Employees, year)?;
                let scaled = patents
                    .frac
                    .num
                    .checked_mul(Decimal::from(10_000))
                    .ok_or_else(Unavailable::overflow)?;
                Metrics::ratio(
                    Quantity {
                        frac: Frac::whole(scaled),
                        source: patents.source,
                    },
                    employees,
                    "从业人员",
                    "employees",
                    year,
                )
            }
            MetricId::Co2Intensity => self.intensity(Field::Co2, year),
            MetricId::EnergyIntensity => self.intensity(Field::Energy, year),
            MetricId::WaterIntensity => self.intensity(Field::Water, year),
            MetricId::ExportShare => self.intensity(Field::Export, year),
            other => Err(Unavailable::new(
                format!("{}不是年度指标", other.name_zh()),
                format!("{} is not a yearly metric", other.name_en()),
            )),
        }
    }

    fn intensity(&self, field: Field, year: i32) -> Result<Quantity, Unavailable> {
        let num = self.cluster_figure(field, year)?;
        let den = self.cluster_figure(Field::Output, year)?;
        Metrics::ratio(num, den, "产值", "output", year)
    }

    /// Distinct enterprises holding one of `titles` granted no later than the batch year,
    /// optionally only those in the leading industry. Returns their names.
    pub fn titled(&self, titles: &[TitleKind], leading_only: bool) -> Vec<&'a str> {
        self.decl
            .enterprises
            .iter()
            .filter(|e| !leading_only || e.in_leading_industry)
            .filter(|e| {
                e.titles
                    .iter()
                    .any(|t| titles.contains(&t.kind) && t.year <= self.decl.batch_year)
            })
            .map(|e| e.name.as_str())
            .collect()
    }

    /// (enterprises for which `pick` is Some(true), enterprises with Some(_), roster size).
    pub fn flag_counts(&self, pick: impl Fn(&Enterprise) -> Option<bool>) -> (usize, usize, usize) {
        let mut yes = 0;
        let mut known = 0;
        for e in &self.decl.enterprises {
            if let Some(v) = pick(e) {
                known += 1;
                yes += usize::from(v);
            }
        }
        (yes, known, self.decl.enterprises.len())
    }

    /// The six areas of 第六条 and whether the plan has a measurable target for each: a
    /// named metric with baseline, target and a target year within the three plan years
    /// (batch year … batch year + 3).
    pub fn plan_areas(&self) -> (BTreeSet<PlanArea>, Vec<PlanArea>) {
        let first = self.decl.batch_year;
        let last = self.decl.batch_year.saturating_add(3);
        let covered: BTreeSet<PlanArea> = self
            .decl
            .plan
            .targets
            .iter()
            .filter(|t| !t.metric.trim().is_empty() && (first..=last).contains(&t.year))
            .map(|t| t.area)
            .collect();
        let missing = PlanArea::ALL
            .into_iter()
            .filter(|a| !covered.contains(a))
            .collect();
        (covered, missing)
    }
}

/// (1 + r)^k exactly (k small), `None` on overflow.
pub fn growth_factor(rate: Decimal, k: u32) -> Option<Decimal> {
    let base = Decimal::ONE.checked_add(rate)?;
    let mut acc = Decimal::ONE;
    for _ in 0..k {
        acc = acc.checked_mul(base)?;
    }
    Some(acc)
}

/// The compound annual rate r with (1+r)^k = ratio, for display only (bisection on
/// decimals; about 1e-12 precise). `None` for a non-positive ratio.
pub fn cagr(ratio: Decimal, k: u32) -> Option<Decimal> {
    if ratio <= Decimal::ZERO || k == 0 {
        return None;
    }
    if k == 1 {
        return ratio.checked_sub(Decimal::ONE);
    }
    let mut lo = Decimal::ZERO;
    let mut hi = if ratio > Decimal::ONE {
        ratio
    } else {
        Decimal::ONE
    };
    let tol = Decimal::new(1, 12);
    for _ in 0..200 {
        let mid = (lo.checked_add(hi)?).checked_div(Decimal::TWO)?;
        let pow = growth_factor(mid.checked_sub(Decimal::ONE)?, k);
        match pow {
            Some(p) if p > ratio => hi = mid,
            Some(_) => lo = mid,
            None => hi = mid,
        }
        if hi.checked_sub(lo)? < tol {
            break;
        }
    }
    lo.checked_sub(Decimal::ONE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn growth_factor_is_exact() {
        assert_eq!(growth_factor(dec!(0.10), 2), Some(dec!(1.21)));
        assert_eq!(growth_factor(dec!(0.15), 2), Some(dec!(1.3225)));
        assert_eq!(growth_factor(dec!(0.10), 0), Some(dec!(1)));
    }

    #[test]
    fn cagr_display_value() {
        let r = cagr(dec!(1.21), 2).unwrap();
        assert!((r - dec!(0.10)).abs() < dec!(0.000000001), "{r}");
        let r = cagr(dec!(0.81), 2).unwrap();
        assert!((r + dec!(0.10)).abs() < dec!(0.000000001), "{r}");
        assert_eq!(cagr(dec!(0), 2), None);
    }

    #[test]
    fn fractions_compare_exactly() {
        let third = Frac::new(dec!(1), dec!(3)).unwrap();
        assert_eq!(
            third.cmp_value(dec!(0.3333333333333333333333333333)),
            Some(Ordering::Greater)
        );
        let seven_tenths = Frac::new(dec!(7), dec!(10)).unwrap();
        assert_eq!(seven_tenths.cmp_value(dec!(0.7)), Some(Ordering::Equal));
        assert_eq!(Frac::new(dec!(1), dec!(0)), None);
    }

    #[test]
    fn metric_ids_round_trip() {
        for m in MetricId::ALL {
            assert_eq!(MetricId::parse(m.id()), Some(m));
        }
    }
}
