//! The declaration (申报数据) of SPEC §3 "Declaration format": the input of `jiqun evaluate`,
//! of the API and of the Excel templates.
//!
//! These are the *validated* types. Raw input is parsed by `criteria::parse_declaration` (which
//! walks the JSON and reports every problem with its JSON path) before it becomes one of
//! these, so nothing downstream sees a negative amount or a missing window year.

use crate::money::Wan;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Declaration {
    /// Criteria edition id, e.g. "2022".
    pub edition: String,
    pub batch_year: i32,
    pub first_batch: bool,
    pub cluster: ClusterInfo,
    /// Years with figures; must contain the three-year window before `batch_year`.
    pub years: Vec<i32>,
    pub enterprises: Vec<Enterprise>,
    /// Cluster-level totals per year, used only for a metric the roster cannot give.
    #[serde(default)]
    pub totals: BTreeMap<i32, Figures>,
    #[serde(default)]
    pub benchmarks: Benchmarks,
    #[serde(default)]
    pub incidents: Vec<Incident>,
    #[serde(default)]
    pub attestations: Attestations,
    #[serde(default)]
    pub plan: Plan,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterInfo {
    pub name: String,
    /// GB/T 2260 county-level code (6 digits).
    pub county_code: String,
    pub leading_industry: String,
    /// GB/T 4754-2017 codes, e.g. "C3857".
    pub industry_codes: Vec<String>,
    pub area_km2: Option<Decimal>,
    pub provincial_cluster: bool,
    pub operator: Option<Operator>,
    #[serde(default)]
    pub high_energy_industry: bool,
    #[serde(default)]
    pub high_water_industry: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Operator {
    pub name: String,
    /// e.g. "management_committee" (管委会).
    #[serde(rename = "type")]
    pub kind: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Enterprise {
    /// As declared; checked by `X.uscc` rather than rejected (SPEC §3).
    pub uscc: String,
    pub name: String,
    pub industry_code: String,
    pub in_leading_industry: bool,
    pub declared_size: Option<Size>,
    #[serde(default)]
    pub titles: Vec<Title>,
    pub uses_iip: Option<bool>,
    pub policy_reached: Option<bool>,
    /// Figures per year.
    #[serde(default)]
    pub figures: BTreeMap<i32, Figures>,
}

/// One year's figures of an enterprise (or the cluster totals). Money in 万元.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    pub output_value: Option<Wan>,
    pub revenue: Option<Wan>,
    pub employees: Option<u64>,
    pub total_assets: Option<Wan>,
    pub rd_expenditure: Option<Wan>,
    pub valid_invention_patents: Option<u64>,
    /// Tonnes of CO₂.
    pub co2_t: Option<Decimal>,
    /// Tonnes of standard coal equivalent.
    pub energy_tce: Option<Decimal>,
    /// Cubic metres.
    pub water_m3: Option<Decimal>,
    pub export_value: Option<Wan>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Size {
    Large,
    Medium,
    Small,
    Micro,
}

impl Size {
    pub fn is_sme(self) -> bool {
        !matches!(self, Size::Large)
    }
    pub fn name_zh(self) -> &'static str {
        match self {
            Size::Large => "大型",
            Size::Medium => "中型",
            Size::Small => "小型",
            Size::Micro => "微型",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TitleKind {
    /// 制造业单项冠军企业
    SingleChampion,
    /// 专精特新"小巨人"企业
    LittleGiant,
    /// 专精特新中小企业
    SrdiSme,
    /// 创新型中小企业
    InnovativeSme,
    /// 国家级高新技术企业
    HighTech,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Title {
    pub kind: TitleKind,
    /// Year granted; counts only if ≤ the batch year (SPEC §3).
    pub year: i32,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Benchmarks {
    /// Industry benchmark energy per 万元 of output (tce/万元).
    pub energy_intensity: Option<Decimal>,
    /// Industry benchmark water per 万元 of output (m³/万元).
    pub water_intensity: Option<Decimal>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncidentKind {
    Safety,
    Quality,
    Environment,
    Cyber,
    Data,
    Tax,
    Illegal,
    Dishonesty,
}

/// 一般 < 较大 < 重大 < 特别重大.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncidentLevel {
    General,
    Larger,
    Major,
    EspeciallyMajor,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    pub date: NaiveDate,
    pub kind: IncidentKind,
    pub level: IncidentLevel,
    /// USCC of the enterprise concerned, when known.
    #[serde(default)]
    pub enterprise: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
}

/// Qualitative attestations that reviewers judge; the keys are free-form lists of
/// mechanisms (e.g. `supply_chain_sharing: ["equipment", "logistics"]`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Attestations {
    #[serde(default)]
    pub supply_chain_sharing: Vec<String>,
    #[serde(flatten)]
    pub other: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    #[serde(default)]
    pub targets: Vec<PlanTarget>,
}

/// The six areas of 第六条.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanArea {
    Industry,
    Innovation,
    Digital,
    Green,
    Openness,
    Governance,
}

impl PlanArea {
    pub const ALL: [PlanArea; 6] = [
        PlanArea::Industry,
        PlanArea::Innovation,
        PlanArea::Digital,
        PlanArea::Green,
        PlanArea::Openness,
        PlanArea::Governance,
    ];
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanTarget {
    pub area: PlanArea,
    pub metric: String,
    pub baseline: Decimal,
    pub target: Decimal,
    pub year: i32,
}
