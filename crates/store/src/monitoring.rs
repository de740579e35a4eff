//! Monitoring figures for the dashboards and the assessment report (第五条, 第十六条; SPEC §6,
//! issue 7). Every count is an aggregation that runs **in the database** (`GROUP BY`), scoped
//! by [`Scope`] like every other read and narrowed by [`Filters`]. The indicators need the
//! criteria engine: each figure document is read once, when it is frozen or filed, into the
//! table `indicator_values` (migration 0010), and the dashboards aggregate that table.
//!
//! The definition and the source query of each figure are in `docs/monitoring.md`.

use crate::applications::QUOTA_STATES;
use crate::batches::{self, Batch};
use crate::clusters::Tier;
use crate::dynamic::{self, CaseListed, Managed, ReportDue};
use crate::{Bind, Conn, Result, Scope, Where};
use chrono::NaiveDate;
use jiqun_domain::criteria::{
    self, Edition, Frac, MetricId, Metrics, Threshold, Unit, Window, cagr,
};
use jiqun_domain::declaration::Declaration;
use jiqun_domain::jurisdiction::{authorities, authority_by_code};
use jiqun_domain::workflow::AppState;
use sqlx::Row;
use std::collections::{BTreeMap, HashSet};

/// 第五条: "“十四五”期间，在全国范围内认定 200 个左右集群" — the national target of the
/// 14th Five-Year Plan (2021–2025).
pub const NATIONAL_TARGET: i64 = 200;
/// The years of the 14th Five-Year Plan (十四五), whose national batches count toward
/// [`NATIONAL_TARGET`].
pub const PLAN_YEARS: (i64, i64) = (2021, 2025);
/// The criteria edition whose thresholds mark the distributions when no batch is chosen
/// and no national batch exists.
pub const DEFAULT_EDITION: &str = "2022";
/// Documents read per transaction by the backfill.
const PAGE: usize = 200;

/// Recognition statuses that are in force (`active`, or `extended` after re-examination).
const LIVE: &str = "r.status IN ('active', 'extended')";
/// Annual reports that count as filed (第十六条: reported to the ministry).
const FILED: &str = "ar.status IN ('submitted', 'accepted')";

/// What the caller narrowed the dashboard to, on top of its jurisdiction.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    /// A batch (批次) id.
    pub batch_id: Option<i64>,
    /// A provincial-level authority code (the ministry's filter).
    pub authority: Option<String>,
    /// A GB/T 4754-2017 section letter (A–T): the first letter of the cluster's first
    /// industry code.
    pub section: Option<String>,
}

impl Filters {
    /// The scope and the filters as a `WHERE` over `clusters c`, plus the batch condition
    /// on `batch_col` when the query has a batch column.
    fn clause(&self, scope: &Scope, batch_col: Option<&str>) -> Where {
        let mut w = Where::new();
        scope.restrict(&mut w, "c.authority_code", "c.county_code");
        if let Some(a) = &self.authority {
            w.eq("c.authority_code", Bind::Text(a.clone()));
        }
        if let Some(s) = &self.section {
            w.eq("SUBSTR(c.industry_codes, 1, 1)", Bind::Text(s.clone()));
        }
        if let (Some(b), Some(col)) = (self.batch_id, batch_col) {
            w.eq(col, Bind::Int(b));
        }
        w
    }
}

/// `WHERE` of `w` with more fixed conditions (code, never input).
fn and(w: &Where, extra: &[&str]) -> String {
    let mut parts = Vec::new();
    let base = w.sql();
    if let Some(rest) = base.strip_prefix("WHERE ") {
        parts.push(rest.to_string());
    }
    parts.extend(extra.iter().map(|s| s.to_string()));
    if parts.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", parts.join(" AND "))
    }
}

/// `'a', 'b'` for an `IN` list of workflow states (code constants, never input).
fn state_list(states: &[AppState]) -> String {
    states
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

async fn rows(conn: &mut Conn, sql: String, w: &Where) -> Result<Vec<sqlx::any::AnyRow>> {
    Ok(w.bind(sqlx::query(sqlx::AssertSqlSafe(sql)))
        .fetch_all(&mut *conn)
        .await?)
}

// ---------------------------------------------------------------------------------------
// Clusters by tier, province and industry section

/// Clusters per tier, in the order 未入库 → 培育库 → 省级 → 国家级.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TierCounts {
    pub candidate: i64,
    pub library: i64,
    pub provincial: i64,
    pub national: i64,
}

impl TierCounts {
    pub fn total(&self) -> i64 {
        self.candidate + self.library + self.provincial + self.national
    }
    pub fn get(&self, t: Tier) -> i64 {
        match t {
            Tier::Candidate => self.candidate,
            Tier::Library => self.library,
            Tier::Provincial => self.provincial,
            Tier::National => self.national,
        }
    }
    fn add(&mut self, tier: &str, n: i64) {
        match Tier::parse(tier) {
            Some(Tier::Candidate) => self.candidate += n,
            Some(Tier::Library) => self.library += n,
            Some(Tier::Provincial) => self.provincial += n,
            Some(Tier::National) => self.national += n,
            None => {}
        }
    }
}

/// The tiers in display order.
pub const TIERS: [Tier; 4] = [
    Tier::Candidate,
    Tier::Library,
    Tier::Provincial,
    Tier::National,
];

/// One group (a province or an industry section) with its clusters per tier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub key: String,
    pub label: String,
    pub tiers: TierCounts,
}

/// `FROM clusters c`, joined to the batch's applications when a batch is chosen (a cluster
/// is in a batch when it applied in it; one application per cluster and batch).
fn clusters_from(f: &Filters) -> &'static str {
    if f.batch_id.is_some() {
        "FROM clusters c JOIN applications fa ON fa.cluster_id = c.id"
    } else {
        "FROM clusters c"
    }
}

/// Clusters per tier.
pub async fn clusters_by_tier(conn: &mut Conn, scope: &Scope, f: &Filters) -> Result<TierCounts> {
    let w = f.clause(scope, Some("fa.batch_id"));
    let sql = format!(
        "SELECT c.tier AS k, COUNT(*) AS n {} {} GROUP BY c.tier",
        clusters_from(f),
        w.sql()
    );
    let mut out = TierCounts::default();
    for r in rows(conn, sql, &w).await? {
        let k: String = r.try_get("k")?;
        out.add(&k, r.try_get("n")?);
    }
    Ok(out)
}

async fn clusters_grouped(
    conn: &mut Conn,
    scope: &Scope,
    f: &Filters,
    key_expr: &str,
) -> Result<BTreeMap<String, TierCounts>> {
    let w = f.clause(scope, Some("fa.batch_id"));
    let sql = format!(
        "SELECT {key_expr} AS k, c.tier AS t, COUNT(*) AS n {} {} GROUP BY {key_expr}, c.tier",
        clusters_from(f),
        w.sql()
    );
    let mut out: BTreeMap<String, TierCounts> = BTreeMap::new();
    for r in rows(conn, sql, &w).await? {
        let k: Option<String> = r.try_get("k")?;
        let t: String = r.try_get("t")?;
        out.entry(k.unwrap_or_default())
            .or_default()
            .add(&t, r.try_get("n")?);
    }
    Ok(out)
}

fn sort_groups(mut v: Vec<Group>) -> Vec<Group> {
    v.sort_by(|a, b| {
        b.tiers
            .national
            .cmp(&a.tiers.national)
            .then(b.tiers.total().cmp(&a.tiers.total()))
            .then(a.key.cmp(&b.key))
    });
    v
}

/// Clusters per provincial-level authority (province, 计划单列市, 兵团), most national
/// clusters first.
pub async fn clusters_by_authority(
    conn: &mut Conn,
    scope: &Scope,
    f: &Filters,
) -> Result<Vec<Group>> {
    let m = clusters_grouped(conn, scope, f, "c.authority_code").await?;
    Ok(sort_groups(
        m.into_iter()
            .map(|(key, tiers)| Group {
                label: authority_by_code(&key).map_or_else(|| key.clone(), |a| a.name.to_string()),
                key,
                tiers,
            })
            .collect(),
    ))
}

/// The Chinese name of an industry section letter ("C" → "制造业").
pub fn section_name(letter: &str) -> String {
    letter
        .chars()
        .next()
        .and_then(jiqun_domain::industry::lookup_section)
        .map_or_else(|| format!("门类 {letter}"), |s| s.name.to_string())
}

/// Clusters per GB/T 4754-2017 section (the first letter of the first industry code).
pub async fn clusters_by_section(
    conn: &mut Conn,
    scope: &Scope,
    f: &Filters,
) -> Result<Vec<Group>> {
    let m = clusters_grouped(conn, scope, f, "SUBSTR(c.industry_codes, 1, 1)").await?;
    Ok(sort_groups(
        m.into_iter()
            .map(|(key, tiers)| Group {
                label: format!("{key} {}", section_name(&key)),
                key,
                tiers,
            })
            .collect(),
    ))
}

// ---------------------------------------------------------------------------------------
// Recognitions by batch and status; progress to the national target

/// The batch a row of a per-batch figure belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchRef {
    pub id: i64,
    pub year: i64,
    pub title: String,
    /// `national` or `provincial`.
    pub level: String,
}

/// Recognitions of one batch by status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchRecognitions {
    pub batch: BatchRef,
    pub active: i64,
    pub extended: i64,
    pub revoked: i64,
    pub expired: i64,
}

impl BatchRecognitions {
    pub fn total(&self) -> i64 {
        self.active + self.extended + self.revoked + self.expired
    }
    /// In force (有效 + 已延期).
    pub fn live(&self) -> i64 {
        self.active + self.extended
    }
}

/// Recognition statuses in display order, with their Chinese names.
pub const RECOGNITION_STATUSES: [(&str, &str); 4] = [
    ("active", "有效"),
    ("extended", "复核延期"),
    ("revoked", "已撤销"),
    ("expired", "已到期"),
];

fn batch_ref(r: &sqlx::any::AnyRow) -> Result<BatchRef> {
    Ok(BatchRef {
        id: r.try_get("batch_id")?,
        year: r.try_get("batch_year")?,
        title: r.try_get("batch_title")?,
        level: r.try_get("batch_level")?,
    })
}

/// Recognitions per batch and status, oldest batch first.
pub async fn recognitions_by_batch(
    conn: &mut Conn,
    scope: &Scope,
    f: &Filters,
) -> Result<Vec<BatchRecognitions>> {
    let w = f.clause(scope, Some("r.batch_id"));
    let sql = format!(
        "SELECT r.batch_id, b.year AS batch_year, b.title AS batch_title, b.level AS batch_level,
                r.status AS status, COUNT(*) AS n
         FROM recognitions r JOIN clusters c ON c.id = r.cluster_id JOIN batches b ON b.id = r.batch_id
         {} GROUP BY r.batch_id, b.year, b.title, b.level, r.status ORDER BY b.year, r.batch_id",
        w.sql()
    );
    let mut out: Vec<BatchRecognitions> = Vec::new();
    for r in rows(conn, sql, &w).await? {
        let b = batch_ref(&r)?;
        let status: String = r.try_get("status")?;
        let n: i64 = r.try_get("n")?;
        if out.last().is_none_or(|x| x.batch.id != b.id) {
            out.push(BatchRecognitions {
                batch: b,
                active: 0,
                extended: 0,
                revoked: 0,
                expired: 0,
            });
        }
        if let Some(x) = out.last_mut() {
            match status.as_str() {
                "active" => x.active += n,
                "extended" => x.extended += n,
                "revoked" => x.revoked += n,
                "expired" => x.expired += n,
                _ => {}
            }
        }
    }
    Ok(out)
}

/// Progress to the ~200 national clusters of 第五条.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub target: i64,
    /// National recognitions made in batches of the plan years (2021–2025), whatever
    /// became of them since.
    pub recognised_in_plan: i64,
    /// National recognitions in force today (active or extended), any batch.
    pub live: i64,
}

impl Progress {
    /// Per cent of the target reached by the recognitions of the plan years.
    pub fn percent(&self) -> f64 {
        if self.target == 0 {
            0.0
        } else {
            self.recognised_in_plan as f64 * 100.0 / self.target as f64
        }
    }
}

/// Progress to [`NATIONAL_TARGET`] within the scope and filters.
pub async fn national_progress(conn: &mut Conn, scope: &Scope, f: &Filters) -> Result<Progress> {
    let w = f.clause(scope, Some("r.batch_id"));
    let sql = format!(
        "SELECT COUNT(CASE WHEN b.year BETWEEN {} AND {} THEN 1 END) AS in_plan,
                COUNT(CASE WHEN {LIVE} THEN 1 END) AS live
         FROM recognitions r JOIN clusters c ON c.id = r.cluster_id JOIN batches b ON b.id = r.batch_id
         {}",
        PLAN_YEARS.0,
        PLAN_YEARS.1,
        and(&w, &["r.level = 'national'"])
    );
    let row = w
        .bind(sqlx::query(sqlx::AssertSqlSafe(sql)))
        .fetch_one(&mut *conn)
        .await?;
    Ok(Progress {
        target: NATIONAL_TARGET,
        recognised_in_plan: row.try_get("in_plan")?,
        live: row.try_get("live")?,
    })
}

// ---------------------------------------------------------------------------------------
// Quota use and the application funnel, per batch

/// Quota and its use in one national batch, summed over the authorities in view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuotaUse {
    pub batch: BatchRef,
    /// Authorities counted.
    pub authorities: usize,
    /// Σ quota (`batches::quota_for`: the authority's override, else the batch default for
    /// its kind).
    pub quota: i64,
    /// Σ applications counted against the quota (`applications::QUOTA_STATES`: recommended
    /// or any later state, including rejected after recommendation).
    pub used: i64,
}

/// The provincial-level authorities whose quota is in view: all 37 for the ministry (or
/// the one chosen), its own for a province; none for a county (quotas are the province's).
fn quota_authorities(scope: &Scope, f: &Filters) -> Vec<String> {
    let all: Vec<String> = match scope {
        Scope::National => authorities().iter().map(|a| a.code.to_string()).collect(),
        Scope::Authority(code) => vec![code.clone()],
        Scope::County(_) | Scope::City(_) | Scope::Nothing => Vec::new(),
    };
    match &f.authority {
        Some(a) => all.into_iter().filter(|c| c == a).collect(),
        None => all,
    }
}

fn batch_ref_of(b: &Batch) -> BatchRef {
    BatchRef {
        id: b.id,
        year: i64::from(b.year),
        title: b.title.clone(),
        level: b.level.clone(),
    }
}

/// National batches in view (the chosen one, or all), oldest first.
async fn national_batches(conn: &mut Conn, f: &Filters) -> Result<Vec<Batch>> {
    let mut list: Vec<Batch> = batches::list(conn)
        .await?
        .into_iter()
        .filter(|b| b.level == "national" && f.batch_id.is_none_or(|id| id == b.id))
        .collect();
    list.reverse();
    Ok(list)
}

/// Quota use per national batch. The industry filter does not apply (quotas are per
/// authority).
pub async fn quota_use(conn: &mut Conn, scope: &Scope, f: &Filters) -> Result<Vec<QuotaUse>> {
    let codes = quota_authorities(scope, f);
    if codes.is_empty() {
        return Ok(Vec::new());
    }
    let wanted: HashSet<&str> = codes.iter().map(String::as_str).collect();
    let w = Where::new();
    let sql = format!(
        "SELECT a.batch_id, a.authority_code, COUNT(*) AS n FROM applications a
         WHERE a.state IN ({}) GROUP BY a.batch_id, a.authority_code",
        state_list(&QUOTA_STATES)
    );
    let mut used: BTreeMap<i64, i64> = BTreeMap::new();
    for r in rows(conn, sql, &w).await? {
        let code: String = r.try_get("authority_code")?;
        if wanted.contains(code.as_str()) {
            *used.entry(r.try_get("batch_id")?).or_default() += r.try_get::<i64, _>("n")?;
        }
    }
    let mut out = Vec::new();
    for b in national_batches(conn, f).await? {
        let mut quota = 0i64;
        for code in &codes {
            quota += i64::from(batches::quota_for(conn, &b, code).await?);
        }
        out.push(QuotaUse {
            used: used.get(&b.id).copied().unwrap_or(0),
            batch: batch_ref_of(&b),
            authorities: codes.len(),
            quota,
        });
    }
    Ok(out)
}

/// The application funnel of one batch: applications at or beyond each step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Funnel {
    pub batch: BatchRef,
    /// Ever submitted by the county (提交).
    pub submitted: i64,
    /// Ever recommended by the province (推荐), even if rejected later.
    pub recommended: i64,
    /// Ever shortlisted by the ministry (入围), even if an objection was upheld later.
    pub shortlisted: i64,
    /// Recognised (认定).
    pub recognised: i64,
}

/// The funnel stages with their Chinese names.
pub const FUNNEL_STAGES: [&str; 4] = ["提交申报", "省级推荐", "部级入围", "认定"];

impl Funnel {
    pub fn stages(&self) -> [i64; 4] {
        [
            self.submitted,
            self.recommended,
            self.shortlisted,
            self.recognised,
        ]
    }
}

/// A step is reached when the transitions table records a move into it, or the current
/// state lies beyond it (the current state alone would lose a rejected application that
/// had been recommended: `rejected` follows `under_review`, `expert_review` and
/// `in_public_notice`).
pub async fn funnel(conn: &mut Conn, scope: &Scope, f: &Filters) -> Result<Vec<Funnel>> {
    use AppState::*;
    let reached = |to: AppState, beyond: &[AppState]| {
        format!(
            "COUNT(DISTINCT CASE WHEN t.to_state = '{}' OR a.state IN ({}) THEN a.id END)",
            to.as_str(),
            state_list(beyond)
        )
    };
    let w = f.clause(scope, Some("a.batch_id"));
    let sql = format!(
        "SELECT a.batch_id, b.year AS batch_year, b.title AS batch_title, b.level AS batch_level,
                {} AS submitted, {} AS recommended, {} AS shortlisted, {} AS recognised
         FROM applications a JOIN clusters c ON c.id = a.cluster_id JOIN batches b ON b.id = a.batch_id
         LEFT JOIN transitions t ON t.application_id = a.id
         {} GROUP BY a.batch_id, b.year, b.title, b.level ORDER BY b.year, a.batch_id",
        reached(
            Submitted,
            &[
                Submitted,
                Returned,
                Accepted,
                Recommended,
                NotRecommended,
                UnderReview,
                ExpertReview,
                Shortlisted,
                Rejected,
                InPublicNotice,
                Recognized,
            ]
        ),
        reached(
            Recommended,
            &[
                Recommended,
                UnderReview,
                ExpertReview,
                Shortlisted,
                InPublicNotice,
                Recognized,
            ]
        ),
        reached(Shortlisted, &[Shortlisted, InPublicNotice, Recognized]),
        reached(Recognized, &[Recognized]),
        w.sql()
    );
    rows(conn, sql, &w)
        .await?
        .iter()
        .map(|r| {
            Ok(Funnel {
                batch: batch_ref(r)?,
                submitted: r.try_get("submitted")?,
                recommended: r.try_get("recommended")?,
                shortlisted: r.try_get("shortlisted")?,
                recognised: r.try_get("recognised")?,
            })
        })
        .filter(|f: &Result<Funnel>| f.as_ref().map_or(true, |f| f.submitted > 0))
        .collect()
}

// ---------------------------------------------------------------------------------------
// Indicators: distributions across recognised clusters and trends over the years reported

/// The indicators whose distribution is shown, as (key, criterion id, condition index).
/// Names, units, windows and thresholds come from the criteria edition.
pub const INDICATORS: [(&str, &str, usize); 11] = [
    ("output", "C1.output", 0),
    ("output_growth", "C1.growth", 0),
    ("sme_share", "C1.sme_share", 0),
    ("leading_share", "C1.leading_share", 0),
    ("titled", "C2.firms", 1),
    ("rd_growth", "C4.rd_growth", 0),
    ("patent_growth", "C4.patent_growth", 0),
    ("patent_density", "C4.patent_density", 0),
    ("iip", "C5.iip", 0),
    ("co2_intensity", "C6.co2", 0),
    ("area", "C1.area", 0),
];

/// One indicator across the recognised clusters in view.
#[derive(Debug, Clone, PartialEq)]
pub struct Distribution {
    pub key: &'static str,
    pub criterion: String,
    pub name: String,
    /// Display unit ("万元", "%", "件/万人", …).
    pub unit: &'static str,
    /// The bound in the display unit (per cent for shares and growth), when the rule has a
    /// fixed one.
    pub threshold: Option<f64>,
    /// "以上", "高于", … (empty when there is no fixed bound).
    pub comparator: String,
    /// One value per recognised cluster that has it, in the display unit.
    pub values: Vec<f64>,
    /// Recognised clusters whose latest figures do not give it.
    pub missing: usize,
}

/// A yearly series summed over the recognised clusters in view.
#[derive(Debug, Clone, PartialEq)]
pub struct Trend {
    pub key: &'static str,
    pub name: &'static str,
    pub unit: &'static str,
    pub points: Vec<TrendPoint>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrendPoint {
    pub year: i32,
    pub value: f64,
    /// Clusters that reported the year.
    pub clusters: usize,
}

/// Distributions and trends, and how many documents were read.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Indicators {
    /// Recognitions in force in view.
    pub recognitions: usize,
    /// Of them, those whose latest figures come from a filed annual report (the rest from
    /// the frozen declaration of their application).
    pub from_reports: usize,
    /// Documents that could not be read (skipped; the dashboard still renders).
    pub unreadable: usize,
    /// The edition whose thresholds are marked.
    pub edition: String,
    pub distributions: Vec<Distribution>,
    pub trends: Vec<Trend>,
}

/// The trend series: (key, name, unit).
pub const TRENDS: [(&str, &str, &str); 5] = [
    ("output", "集群总产值", "万元"),
    ("rd", "研发经费", "万元"),
    ("patents", "有效发明专利", "件"),
    ("iip", "工业互联网平台应用普及率", "%"),
    ("co2_intensity", "单位产值二氧化碳排放量", "吨/万元"),
];

fn unit_text(unit: Unit) -> &'static str {
    match unit {
        Unit::Wan => "万元",
        Unit::Percent => "%",
        Unit::Km2 => "平方公里",
        Unit::Enterprises => "家",
        Unit::Patents => "件",
        Unit::Persons => "人",
        Unit::PatentsPer10k => "件/万人",
        Unit::TonnesPerWan => "吨/万元",
        Unit::TcePerWan => "吨标准煤/万元",
        Unit::M3PerWan => "立方米/万元",
        Unit::Areas => "个",
        Unit::YesNo => "",
    }
}

/// A decimal as a display number (the charts and spreadsheets work in binary floating
/// point; the verdicts never do).
fn num(d: impl ToString) -> Option<f64> {
    d.to_string().parse::<f64>().ok().filter(|v| v.is_finite())
}

fn frac_value(f: Frac) -> Option<f64> {
    f.value().and_then(num)
}

/// The edition whose thresholds mark the distributions: the chosen batch's, else the
/// latest national batch's, else [`DEFAULT_EDITION`].
async fn edition_for(conn: &mut Conn, f: &Filters) -> Result<&'static Edition> {
    let list = batches::list(conn).await?;
    let id = list
        .iter()
        .find(|b| f.batch_id.map_or(b.level == "national", |id| id == b.id))
        .map(|b| b.edition.clone());
    id.as_deref()
        .and_then(Edition::builtin)
        .or_else(|| Edition::builtin(DEFAULT_EDITION))
        .or_else(|| {
            Edition::builtin_ids()
                .first()
                .and_then(|id| Edition::builtin(id))
        })
        .ok_or_else(|| crate::StoreError::Corrupt("未内置任何认定标准版本".into()))
}

/// What an indicator needs of its criterion, resolved once.
struct Spec {
    key: &'static str,
    criterion: String,
    name: String,
    metric: MetricId,
    window: Window,
    titles: Vec<jiqun_domain::declaration::TitleKind>,
    leading_only: bool,
    percent: bool,
    unit: &'static str,
    threshold: Option<f64>,
    comparator: String,
    cmp: Option<jiqun_domain::criteria::Comparator>,
}

fn specs(edition: &Edition) -> Vec<Spec> {
    INDICATORS
        .iter()
        .filter_map(|&(key, id, idx)| {
            let c = edition.criterion(id)?;
            let cond = c.conditions.get(idx)?;
            let percent = cond.metric.is_ratio() || cond.window == Window::Growth;
            let scale = if percent { 100.0 } else { 1.0 };
            let threshold = match cond.threshold {
                Some(Threshold::Value(v)) => num(v).map(|v| v * scale),
                _ => None,
            };
            let growth = cond.window == Window::Growth;
            let name = if growth {
                format!("{}年均增速", cond.metric.name_zh())
            } else if cond.metric.is_yearly() {
                format!("{}（最新年度）", cond.metric.name_zh())
            } else {
                cond.metric.name_zh().to_string()
            };
            Some(Spec {
                key,
                criterion: c.id.clone(),
                name,
                metric: cond.metric,
                window: cond.window,
                titles: cond.titles.clone(),
                leading_only: cond.leading_industry_only,
                percent,
                unit: if percent {
                    "%"
                } else {
                    unit_text(cond.metric.unit())
                },
                threshold: if cond.window == Window::YearOverYear {
                    None
                } else {
                    threshold
                },
                comparator: match (cond.window, cond.comparator) {
                    (Window::YearOverYear, _) | (_, None) => String::new(),
                    (_, Some(cmp)) => cmp.zh().to_string(),
                },
                cmp: match cond.window {
                    Window::YearOverYear => None,
                    _ => cond.comparator,
                },
            })
        })
        .collect()
}

/// The value of one indicator for one declaration (display unit), if it has one.
fn indicator_value(spec: &Spec, m: &Metrics<'_>) -> Option<f64> {
    let scale = if spec.percent { 100.0 } else { 1.0 };
    let v = match spec.window {
        Window::Growth => {
            let first = *m.window.first()?;
            let last = *m.window.last()?;
            let a = m.yearly(spec.metric, first).ok()?.frac.value()?;
            let b = m.yearly(spec.metric, last).ok()?.frac.value()?;
            let k = u32::try_from(m.window.len().checked_sub(1)?).ok()?;
            // The bisection of `cagr` is about 1e-12 precise: keep 1e-8 (of a per cent).
            let r = num(cagr(b.checked_div(a)?, k)?)?;
            (r * 1e10).round() / 1e10
        }
        Window::Latest | Window::EachYear | Window::YearOverYear => {
            frac_value(m.yearly(spec.metric, m.latest_year()).ok()?.frac)?
        }
        Window::None => match spec.metric {
            MetricId::AreaKm2 => num(m.decl.cluster.area_km2?)?,
            MetricId::TitledEnterprises => m.titled(&spec.titles, spec.leading_only).len() as f64,
            MetricId::IipPenetration => {
                let (yes, _, total) = m.flag_counts(|e| e.uses_iip);
                if total == 0 {
                    return None;
                }
                yes as f64 / total as f64
            }
            _ => return None,
        },
    };
    Some(v * scale)
}

// ---------------------------------------------------------------------------------------
// The indicator table: each document's numbers, computed once when it is frozen or filed

/// Where a document of a recognition comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The frozen declaration of the recognised application (`doc_rank` 0).
    Declaration,
    /// A filed annual report (`doc_rank` = its year, 第十六条).
    AnnualReport,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Declaration => "declaration",
            Source::AnnualReport => "annual_report",
        }
    }
}

/// The document marker: 1 when the document was read, 0 when it could not be parsed.
pub const DOC: &str = "doc";
/// A year the document reports (value 1): the document is the source of that year's
/// figures unless a later document reports the year too.
const YEAR: &str = "year";
const Y_OUTPUT: &str = "y.output";
const Y_RD: &str = "y.rd";
const Y_PATENTS: &str = "y.patents";
/// CO₂ and output of a year, written only when both are known (the intensity trend is
/// output-weighted over the clusters that report both).
const Y_CO2: &str = "y.co2";
const Y_CO2_OUTPUT: &str = "y.co2_output";
/// Enterprises using an industrial-internet platform, and the roster size, at the
/// document's latest year.
const IIP_YES: &str = "iip.yes";
const IIP_TOTAL: &str = "iip.total";

/// One row of `indicator_values`: (metric, year or 0, value in the display unit).
pub type Value = (String, i32, f64);

fn window_years(decl: &Declaration) -> i32 {
    Edition::builtin(&decl.edition)
        .or_else(|| Edition::builtin(DEFAULT_EDITION))
        .map_or(3, |e| e.window_years)
}

/// The numbers of one document: the indicators of [`INDICATORS`] as the document's own
/// edition defines them (year 0), and the per-year figures the trends add up. `None` when
/// the document cannot be read.
pub fn document_values(source: Source, body: &str) -> Option<Vec<Value>> {
    let decl = match source {
        Source::Declaration => criteria::parse_declaration(body).ok()?,
        Source::AnnualReport => {
            let v: serde_json::Value = serde_json::from_str(body).ok()?;
            criteria::parse_declaration_value(v.get("declaration")?).ok()?
        }
    };
    let edition = Edition::builtin(&decl.edition).or_else(|| Edition::builtin(DEFAULT_EDITION))?;
    let m = Metrics::new(&decl, window_years(&decl));
    let mut out: Vec<Value> = Vec::new();
    for spec in specs(edition) {
        if let Some(v) = indicator_value(&spec, &m) {
            out.push((spec.key.to_string(), 0, v));
        }
    }
    for &y in &decl.years {
        out.push((YEAR.into(), y, 1.0));
        let get = |metric: MetricId| m.yearly(metric, y).ok().and_then(|q| frac_value(q.frac));
        let output = get(MetricId::OutputValue);
        if let Some(v) = output {
            out.push((Y_OUTPUT.into(), y, v));
        }
        if let Some(v) = get(MetricId::RdExpenditure) {
            out.push((Y_RD.into(), y, v));
        }
        if let Some(v) = get(MetricId::ValidInventionPatents) {
            out.push((Y_PATENTS.into(), y, v));
        }
        // The intensity is CO₂ / output as a fraction: its numerator is the cluster's CO₂.
        let co2 = m
            .yearly(MetricId::Co2Intensity, y)
            .ok()
            .and_then(|q| num(q.frac.num));
        if let (Some(c), Some(o)) = (co2, output) {
            out.push((Y_CO2.into(), y, c));
            out.push((Y_CO2_OUTPUT.into(), y, o));
        }
    }
    let (yes, _, total) = m.flag_counts(|e| e.uses_iip);
    if total > 0 {
        out.push((IIP_YES.into(), m.latest_year(), yes as f64));
        out.push((IIP_TOTAL.into(), m.latest_year(), total as f64));
    }
    Some(out)
}

/// Writes the numbers of one document of a recognition, replacing what was there for the
/// same document (a report returned and filed again). Run in the caller's transaction.
pub async fn record_document(
    conn: &mut Conn,
    recognition_id: i64,
    source: Source,
    doc_rank: i64,
    body: &str,
) -> Result<()> {
    delete_document(conn, recognition_id, doc_rank).await?;
    let values = document_values(source, body);
    let mut rows: Vec<Value> = vec![(DOC.into(), 0, if values.is_some() { 1.0 } else { 0.0 })];
    rows.extend(values.unwrap_or_default());
    // A few dozen rows per document: one statement per 100 rows (600 placeholders).
    for chunk in rows.chunks(100) {
        let mut sql = String::from(
            "INSERT INTO indicator_values (recognition_id, source, doc_rank, metric, year, value) VALUES ",
        );
        for i in 0..chunk.len() {
            let b = i * 6;
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!(
                "(${}, ${}, ${}, ${}, ${}, ${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6
            ));
        }
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (metric, year, value) in chunk {
            q = q
                .bind(recognition_id)
                .bind(source.as_str())
                .bind(doc_rank)
                .bind(metric.clone())
                .bind(i64::from(*year))
                .bind(*value);
        }
        q.execute(&mut *conn).await?;
    }
    refresh_current(conn, Some(recognition_id)).await
}

/// Removes the numbers of one document (an annual report returned to draft).
pub async fn forget_document(conn: &mut Conn, recognition_id: i64, doc_rank: i64) -> Result<()> {
    delete_document(conn, recognition_id, doc_rank).await?;
    refresh_current(conn, Some(recognition_id)).await
}

/// The rows of one document, without refreshing `current` (the caller does, once).
async fn delete_document(conn: &mut Conn, recognition_id: i64, doc_rank: i64) -> Result<()> {
    sqlx::query("DELETE FROM indicator_values WHERE recognition_id = $1 AND doc_rank = $2")
        .bind(recognition_id)
        .bind(doc_rank)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The rows `current` is kept on (migrations 0013 and 0015), each group with the condition
/// picking the latest document that decides them: the per-year metrics of the trends take
/// the latest document reporting that year (the IIP counts: the latest whose last year it
/// is); the whole-document values of the distributions take the latest readable document.
const CURRENT_GROUPS: [(&str, &str); 3] = [
    (
        "metric IN ('y.output', 'y.rd', 'y.patents', 'y.co2', 'y.co2_output')",
        "d.metric = 'year' AND d.year = indicator_values.year",
    ),
    (
        "metric IN ('iip.yes', 'iip.total')",
        "d.metric = 'iip.total' AND d.year = indicator_values.year",
    ),
    (
        "year = 0 AND metric <> 'doc'",
        "d.metric = 'doc' AND d.year = 0 AND d.value = 1",
    ),
];

/// Sets `current` on the rows of one recognition (or of all, with `None`): 1 on the rows of
/// the document that decides them (see [`CURRENT_GROUPS`]), 0 on the others. Run in the
/// transaction of every write to `indicator_values`, so the distributions and trends are a
/// plain filter instead of a correlated subquery per row.
pub async fn refresh_current(conn: &mut Conn, recognition_id: Option<i64>) -> Result<()> {
    for (rows, latest) in CURRENT_GROUPS {
        let only = if recognition_id.is_some() {
            "AND recognition_id = $1"
        } else {
            ""
        };
        let sql = format!(
            "UPDATE indicator_values SET current = CASE WHEN doc_rank = (
                 SELECT MAX(d.doc_rank) FROM indicator_values d
                 WHERE d.recognition_id = indicator_values.recognition_id AND {latest})
                 THEN 1 ELSE 0 END
             WHERE {rows} {only}"
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        if let Some(id) = recognition_id {
            q = q.bind(id);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Records the frozen declaration of a recognition's application (at recognition).
pub async fn record_declaration(conn: &mut Conn, recognition_id: i64) -> Result<()> {
    let row = sqlx::query(
        "SELECT v.declaration FROM recognitions r JOIN applications a ON a.id = r.application_id
         JOIN application_versions v ON v.application_id = a.id AND v.version = a.current_version
         WHERE r.id = $1",
    )
    .bind(recognition_id)
    .fetch_optional(&mut *conn)
    .await?;
    let body: String = match row {
        Some(r) => r.try_get("declaration")?,
        None => String::new(),
    };
    record_document(conn, recognition_id, Source::Declaration, 0, &body).await
}

/// Records a filed annual report (on submission).
pub async fn record_report(
    conn: &mut Conn,
    recognition_id: i64,
    year: i32,
    content: &str,
) -> Result<()> {
    record_document(
        conn,
        recognition_id,
        Source::AnnualReport,
        i64::from(year),
        content,
    )
    .await
}

/// How many documents the backfill wrote and how many stale rows it removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Backfill {
    pub declarations: usize,
    pub reports: usize,
    pub stale_removed: u64,
}

/// Fills the indicator table for documents that have no rows yet (data from before
/// migration 0010, or rows written by an import that bypassed the store), and removes the
/// rows of reports that are no longer filed. Run by `jiqun migrate` and at server start;
/// idempotent; a page of 200 documents per transaction.
pub async fn backfill(db: &crate::Db) -> Result<Backfill> {
    let mut out = Backfill::default();
    {
        let mut tx = db.begin().await?;
        out.stale_removed = sqlx::query(
            "DELETE FROM indicator_values WHERE source = 'annual_report' AND NOT EXISTS (
                 SELECT 1 FROM annual_reports ar WHERE ar.recognition_id = indicator_values.recognition_id
                 AND ar.year = indicator_values.doc_rank AND ar.status IN ('submitted', 'accepted'))",
        )
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if out.stale_removed > 0 {
            refresh_current(&mut tx, None).await?;
        }
        tx.commit().await?;
    }
    loop {
        let mut tx = db.begin().await?;
        let docs = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT r.id AS rid, v.declaration AS body FROM recognitions r
             JOIN applications a ON a.id = r.application_id
             JOIN application_versions v ON v.application_id = a.id AND v.version = a.current_version
             WHERE NOT EXISTS (SELECT 1 FROM indicator_values iv WHERE iv.recognition_id = r.id
                               AND iv.doc_rank = 0 AND iv.metric = '{DOC}' AND iv.year = 0)
             ORDER BY r.id LIMIT {PAGE}"
        )))
        .fetch_all(&mut *tx)
        .await?;
        for d in &docs {
            let body: String = d.try_get("body")?;
            record_document(&mut tx, d.try_get("rid")?, Source::Declaration, 0, &body).await?;
        }
        tx.commit().await?;
        out.declarations += docs.len();
        if docs.len() < PAGE {
            break;
        }
    }
    loop {
        let mut tx = db.begin().await?;
        let docs = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT ar.recognition_id AS rid, ar.year AS yr, ar.content AS body FROM annual_reports ar
             WHERE {FILED} AND NOT EXISTS (SELECT 1 FROM indicator_values iv
                 WHERE iv.recognition_id = ar.recognition_id AND iv.doc_rank = ar.year
                 AND iv.metric = '{DOC}' AND iv.year = 0)
             ORDER BY ar.id LIMIT {PAGE}"
        )))
        .fetch_all(&mut *tx)
        .await?;
        for d in &docs {
            let body: String = d.try_get("body")?;
            let yr: i64 = d.try_get("yr")?;
            record_document(&mut tx, d.try_get("rid")?, Source::AnnualReport, yr, &body).await?;
        }
        tx.commit().await?;
        out.reports += docs.len();
        if docs.len() < PAGE {
            break;
        }
    }
    Ok(out)
}

/// `FROM indicator_values iv` joined to its live recognition and cluster, in view.
const IV_FROM: &str = "FROM indicator_values iv JOIN recognitions r ON r.id = iv.recognition_id
     JOIN clusters c ON c.id = r.cluster_id";

/// The latest readable document of `iv`'s recognition.
fn latest_doc() -> String {
    format!(
        "iv.doc_rank = (SELECT MAX(d.doc_rank) FROM indicator_values d
             WHERE d.recognition_id = iv.recognition_id AND d.metric = '{DOC}' AND d.year = 0
             AND d.value = 1)"
    )
}

/// Distributions of the indicators across the recognitions in force, from each one's
/// latest figures: its latest filed annual report (第十六条), else the frozen declaration of
/// its application; and trends per year, each year of each cluster taken from the latest
/// document that reports it. Aggregated from `indicator_values` in the database.
pub async fn indicators(conn: &mut Conn, scope: &Scope, f: &Filters) -> Result<Indicators> {
    let edition = edition_for(conn, f).await?;
    let specs = specs(edition);
    let w = f.clause(scope, Some("r.batch_id"));

    // Recognitions in force in view, and how many have a filed report as latest document
    // (the latest readable document is a report exactly when some readable report exists).
    let sql = format!(
        "SELECT COUNT(*) AS n,
                COUNT(CASE WHEN EXISTS (SELECT 1 FROM indicator_values d
                                 WHERE d.recognition_id = r.id AND d.metric = '{DOC}'
                                 AND d.year = 0 AND d.value = 1 AND d.doc_rank > 0)
                      THEN 1 END) AS from_reports
         FROM recognitions r JOIN clusters c ON c.id = r.cluster_id {}",
        and(&w, &[LIVE])
    );
    let row = w
        .bind(sqlx::query(sqlx::AssertSqlSafe(sql)))
        .fetch_one(&mut *conn)
        .await?;
    let recognitions = usize::try_from(row.try_get::<i64, _>("n")?).unwrap_or(0);
    let from_reports = usize::try_from(row.try_get::<i64, _>("from_reports")?).unwrap_or(0);
    let sql = format!(
        "SELECT COUNT(*) AS n {IV_FROM} {}",
        and(&w, &[LIVE, "iv.metric = 'doc'", "iv.value = 0"])
    );
    let row = w
        .bind(sqlx::query(sqlx::AssertSqlSafe(sql)))
        .fetch_one(&mut *conn)
        .await?;
    let unreadable = usize::try_from(row.try_get::<i64, _>("n")?).unwrap_or(0);

    // Each recognition's values from its latest document, in recognition order.
    let keys = specs
        .iter()
        .map(|s| format!("'{}'", s.key))
        .collect::<Vec<_>>()
        .join(", ");
    let mut values: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    if !keys.is_empty() {
        let in_keys = format!("iv.metric IN ({keys})");
        let sql = format!(
            "SELECT iv.metric AS metric, iv.value AS value {IV_FROM} {} ORDER BY iv.recognition_id",
            // `current`: the latest readable document's value (migration 0015).
            and(&w, &[LIVE, "iv.year = 0", &in_keys, "iv.current = 1"])
        );
        for r in rows(conn, sql, &w).await? {
            values
                .entry(r.try_get("metric")?)
                .or_default()
                .push(r.try_get("value")?);
        }
    }
    let distributions = specs
        .iter()
        .map(|s| {
            let v = values.remove(s.key).unwrap_or_default();
            Distribution {
                key: s.key,
                criterion: s.criterion.clone(),
                name: s.name.clone(),
                unit: s.unit,
                threshold: s.threshold,
                comparator: s.comparator.clone(),
                missing: recognitions.saturating_sub(v.len()),
                values: v,
            }
        })
        .collect();

    // Per-year sums: each year from the latest document reporting it (the IIP counts from
    // the latest document whose last year it is).
    let mut sums: BTreeMap<(String, i32), (f64, usize)> = BTreeMap::new();
    // `iv.current = 1` marks exactly those rows (kept by `refresh_current` on every write).
    for (group, _) in &CURRENT_GROUPS[..2] {
        let metrics = format!("iv.{group}");
        let sql = format!(
            "SELECT iv.metric AS metric, iv.year AS yr, CAST(SUM(iv.value) AS DOUBLE PRECISION) AS total,
                    COUNT(*) AS n
             {IV_FROM} {} GROUP BY iv.metric, iv.year",
            and(&w, &[LIVE, &metrics, "iv.current = 1"])
        );
        for r in rows(conn, sql, &w).await? {
            let yr: i64 = r.try_get("yr")?;
            let n: i64 = r.try_get("n")?;
            sums.insert(
                (r.try_get("metric")?, i32::try_from(yr).unwrap_or(0)),
                (r.try_get("total")?, usize::try_from(n).unwrap_or(0)),
            );
        }
    }
    let years: std::collections::BTreeSet<i32> = sums.keys().map(|(_, y)| *y).collect();
    let get = |m: &str, y: i32| sums.get(&(m.to_string(), y)).copied();
    let trends = TRENDS
        .iter()
        .map(|&(key, name, unit)| Trend {
            key,
            name,
            unit,
            points: years
                .iter()
                .filter_map(|&year| {
                    let (value, clusters) = match key {
                        "output" => get(Y_OUTPUT, year)?,
                        "rd" => get(Y_RD, year)?,
                        "patents" => get(Y_PATENTS, year)?,
                        "iip" => {
                            let (yes, n) = get(IIP_YES, year)?;
                            let (total, _) = get(IIP_TOTAL, year)?;
                            if total <= 0.0 {
                                return None;
                            }
                            (yes * 100.0 / total, n)
                        }
                        _ => {
                            let (co2, n) = get(Y_CO2, year)?;
                            let (out, _) = get(Y_CO2_OUTPUT, year)?;
                            if out <= 0.0 {
                                return None;
                            }
                            (co2 / out, n)
                        }
                    };
                    (clusters > 0).then_some(TrendPoint {
                        year,
                        value,
                        clusters,
                    })
                })
                .collect(),
        })
        .collect();
    Ok(Indicators {
        recognitions,
        from_reports,
        unreadable,
        edition: edition.id.clone(),
        distributions,
        trends,
    })
}

// ---------------------------------------------------------------------------------------
// The cluster profile (集群画像) of one recognition, for officials

/// One indicator column of the profile, as the recognition's edition defines it.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileIndicator {
    pub key: &'static str,
    pub criterion: String,
    pub name: String,
    pub unit: &'static str,
    pub threshold: Option<f64>,
    /// "以上", "高于", … (empty when there is no fixed bound).
    pub comparator: String,
}

/// A value of one document against the bound: `passes` is `None` when the rule has no
/// fixed bound (CO₂ intensity: 持续下降).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Checked {
    pub value: f64,
    pub passes: Option<bool>,
}

/// One document of the recognition (the frozen declaration, then each filed report).
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileDoc {
    pub source: Source,
    /// 0 for the declaration, the report year for a report.
    pub doc_rank: i64,
    /// The last year of the document's window (the year its "latest" figures are of).
    pub latest_year: Option<i32>,
    /// False when the document could not be read (then `values` is all `None`).
    pub readable: bool,
    /// One per [`Profile::indicators`].
    pub values: Vec<Option<Checked>>,
}

/// A percentile: 100 × (peers below + ½ peers equal) / peers, the recognition itself
/// counted among the peers (so `equal ≥ 1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Percentile {
    pub peers: i64,
    pub below: i64,
    pub equal: i64,
}

impl Percentile {
    pub fn value(&self) -> f64 {
        if self.peers == 0 {
            0.0
        } else {
            100.0 * (self.below as f64 + 0.5 * self.equal as f64) / self.peers as f64
        }
    }
}

/// The recognition's rank on one indicator (from its latest document).
#[derive(Debug, Clone, PartialEq)]
pub struct Rank {
    pub key: &'static str,
    pub value: f64,
    /// Among the recognitions of its batch.
    pub batch: Option<Percentile>,
    /// Among the recognitions of its industry section at the same level.
    pub section: Option<Percentile>,
}

/// One plan target of the declaration (第六条 areas) and its progress in each filed report.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetRow {
    pub area: &'static str,
    pub metric: String,
    pub baseline: String,
    pub target: String,
    pub year: i32,
    /// One per [`Profile::report_years`]: (actual, achievement in Chinese).
    pub actuals: Vec<Option<(String, &'static str)>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    pub managed: Managed,
    /// The section letter of the cluster's first industry code, and its name.
    pub section: String,
    pub section_name: String,
    pub edition: String,
    pub indicators: Vec<ProfileIndicator>,
    pub docs: Vec<ProfileDoc>,
    pub ranks: Vec<Rank>,
    pub report_years: Vec<i32>,
    pub targets: Vec<TargetRow>,
    /// Plan targets could not be read (declaration unreadable).
    pub targets_unreadable: bool,
}

/// The Chinese name of a 第六条 area.
pub fn plan_area_zh(a: jiqun_domain::declaration::PlanArea) -> &'static str {
    use jiqun_domain::declaration::PlanArea::*;
    match a {
        Industry => "提升集群主导产业优势",
        Innovation => "激发集群创新活力",
        Digital => "推进集群数字化升级",
        Green => "加快集群绿色低碳转型",
        Openness => "深化集群开放合作",
        Governance => "提升集群治理和服务能力",
    }
}

/// Whether `value` satisfies the spec's bound. Values within 1e-9 (relative) of the bound
/// count as equal to it: the display numbers are binary floating point (a growth of exactly
/// 10% may come back as 10.000000000000002); the verdicts of the criteria engine use exact
/// decimals.
fn passes(spec: &Spec, value: f64) -> Option<bool> {
    let (t, cmp) = (spec.threshold?, spec.cmp?);
    let ord = if (value - t).abs() <= 1e-9 * t.abs().max(1.0) {
        std::cmp::Ordering::Equal
    } else if value < t {
        std::cmp::Ordering::Less
    } else {
        std::cmp::Ordering::Greater
    };
    Some(cmp.holds(ord))
}

/// The edition of the latest national batch (else [`DEFAULT_EDITION`]): the thresholds the
/// province reads its library clusters' figures against (issue 8, library figures).
pub async fn national_edition(conn: &mut Conn) -> Result<&'static Edition> {
    edition_for(conn, &Filters::default()).await
}

/// The indicator columns of `edition`, as the profile shows them.
pub fn indicator_columns(edition: &Edition) -> Vec<ProfileIndicator> {
    specs(edition)
        .iter()
        .map(|s| ProfileIndicator {
            key: s.key,
            criterion: s.criterion.clone(),
            name: s.name.clone(),
            unit: s.unit,
            threshold: s.threshold,
            comparator: s.comparator.clone(),
        })
        .collect()
}

/// A value of indicator `key` (display unit) against `edition`'s bound, by the same rule as
/// the profile; `passes` is `None` when the rule has no fixed bound.
pub fn check_value(edition: &Edition, key: &str, value: f64) -> Checked {
    let passes = specs(edition)
        .iter()
        .find(|s| s.key == key)
        .and_then(|s| passes(s, value));
    Checked { value, passes }
}

async fn percentiles(
    conn: &mut Conn,
    recognition_id: i64,
    keys: &str,
    group_cond: &str,
    group_binds: &[Bind],
) -> Result<BTreeMap<String, (f64, Percentile)>> {
    let sql = format!(
        "SELECT me.metric AS metric, me.value AS mine, COUNT(*) AS peers,
                COUNT(CASE WHEN iv.value < me.value THEN 1 END) AS below,
                COUNT(CASE WHEN iv.value = me.value THEN 1 END) AS equal
         FROM indicator_values me
         JOIN indicator_values iv ON iv.metric = me.metric AND iv.year = 0
         JOIN recognitions r ON r.id = iv.recognition_id JOIN clusters c ON c.id = r.cluster_id
         WHERE me.recognition_id = $1 AND me.year = 0 AND me.metric IN ({keys})
           AND me.doc_rank = (SELECT MAX(d.doc_rank) FROM indicator_values d
                WHERE d.recognition_id = me.recognition_id AND d.metric = '{DOC}' AND d.year = 0
                AND d.value = 1)
           AND {} AND ({LIVE} OR r.id = $1) AND {group_cond}
         GROUP BY me.metric, me.value",
        latest_doc()
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(recognition_id);
    for b in group_binds {
        q = match b {
            Bind::Int(i) => q.bind(*i),
            Bind::Text(t) => q.bind(t.clone()),
        };
    }
    let mut out = BTreeMap::new();
    for r in q.fetch_all(&mut *conn).await? {
        out.insert(
            r.try_get::<String, _>("metric")?,
            (
                r.try_get::<f64, _>("mine")?,
                Percentile {
                    peers: r.try_get("peers")?,
                    below: r.try_get("below")?,
                    equal: r.try_get("equal")?,
                },
            ),
        );
    }
    Ok(out)
}

/// The profile of recognition `id`, if it is in `scope` (else `None`: another
/// jurisdiction's recognition is reported as absent).
pub async fn profile(conn: &mut Conn, scope: &Scope, id: i64) -> Result<Option<Profile>> {
    let Some(m) = dynamic::managed(conn, scope, id).await? else {
        return Ok(None);
    };
    let edition = Edition::builtin(&m.edition)
        .or_else(|| Edition::builtin(DEFAULT_EDITION))
        .ok_or_else(|| crate::StoreError::Corrupt("未内置任何认定标准版本".into()))?;
    let specs = specs(edition);
    let row = sqlx::query(
        "SELECT c.industry_codes AS codes, v.declaration AS body FROM recognitions r
         JOIN clusters c ON c.id = r.cluster_id
         LEFT JOIN applications a ON a.id = r.application_id
         LEFT JOIN application_versions v ON v.application_id = a.id AND v.version = a.current_version
         WHERE r.id = $1",
    )
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    let codes: String = row.try_get("codes")?;
    let section: String = codes.chars().take(1).collect();
    let declaration: Option<String> = row.try_get("body")?;

    // Every document's whole-document values and its years.
    let rows = sqlx::query(
        "SELECT source, doc_rank, metric, year, value FROM indicator_values
         WHERE recognition_id = $1 ORDER BY doc_rank, metric, year",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let mut docs: Vec<ProfileDoc> = Vec::new();
    for r in &rows {
        let rank: i64 = r.try_get("doc_rank")?;
        let metric: String = r.try_get("metric")?;
        let year: i64 = r.try_get("year")?;
        let value: f64 = r.try_get("value")?;
        if docs.last().is_none_or(|d| d.doc_rank != rank) {
            let source: String = r.try_get("source")?;
            docs.push(ProfileDoc {
                source: if source == "declaration" {
                    Source::Declaration
                } else {
                    Source::AnnualReport
                },
                doc_rank: rank,
                latest_year: None,
                readable: false,
                values: vec![None; specs.len()],
            });
        }
        let Some(d) = docs.last_mut() else { continue };
        if metric == DOC {
            d.readable = value == 1.0;
        } else if metric == YEAR {
            let y = i32::try_from(year).unwrap_or(0);
            d.latest_year = Some(d.latest_year.map_or(y, |l| l.max(y)));
        } else if year == 0
            && let Some(i) = specs.iter().position(|s| s.key == metric)
        {
            d.values[i] = Some(Checked {
                value,
                passes: specs.get(i).and_then(|s| passes(s, value)),
            });
        }
    }

    // Percentiles among the batch and among the industry section at the same level.
    let keys = specs
        .iter()
        .map(|s| format!("'{}'", s.key))
        .collect::<Vec<_>>()
        .join(", ");
    let (in_batch, in_section) = if keys.is_empty() {
        (BTreeMap::new(), BTreeMap::new())
    } else {
        (
            percentiles(conn, id, &keys, "r.batch_id = $2", &[Bind::Int(m.batch_id)]).await?,
            percentiles(
                conn,
                id,
                &keys,
                "SUBSTR(c.industry_codes, 1, 1) = $2 AND r.level = $3",
                &[Bind::Text(section.clone()), Bind::Text(m.level.clone())],
            )
            .await?,
        )
    };
    let ranks = specs
        .iter()
        .filter_map(|s| {
            let b = in_batch.get(s.key);
            let sec = in_section.get(s.key);
            let value = b.or(sec)?.0;
            Some(Rank {
                key: s.key,
                value,
                batch: b.map(|x| x.1),
                section: sec.map(|x| x.1),
            })
        })
        .collect();

    // Plan targets (declaration) against the progress of each filed report.
    let parsed = declaration
        .as_deref()
        .and_then(|b| criteria::parse_declaration(b).ok());
    let reports = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT ar.year AS yr, ar.content AS body FROM annual_reports ar
         WHERE ar.recognition_id = $1 AND {FILED} ORDER BY ar.year"
    )))
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let mut report_years = Vec::new();
    let mut progress: Vec<Vec<jiqun_domain::dynamic::Progress>> = Vec::new();
    for r in &reports {
        let yr: i64 = r.try_get("yr")?;
        let body: String = r.try_get("body")?;
        report_years.push(i32::try_from(yr).unwrap_or(0));
        progress.push(
            serde_json::from_str::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v.get("progress").cloned())
                .and_then(|p| serde_json::from_value(p).ok())
                .unwrap_or_default(),
        );
    }
    let targets = parsed
        .as_ref()
        .map(|d| {
            d.plan
                .targets
                .iter()
                .enumerate()
                .map(|(i, t)| TargetRow {
                    area: plan_area_zh(t.area),
                    metric: t.metric.clone(),
                    baseline: t.baseline.normalize().to_string(),
                    target: t.target.normalize().to_string(),
                    year: t.year,
                    actuals: progress
                        .iter()
                        .map(|ps| {
                            ps.iter().find(|p| p.target == i).map(|p| {
                                (
                                    p.actual.map_or_else(
                                        || "—".to_string(),
                                        |a| a.normalize().to_string(),
                                    ),
                                    p.status.name_zh(),
                                )
                            })
                        })
                        .collect(),
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(Some(Profile {
        section_name: section_name(&section),
        section,
        edition: edition.id.clone(),
        indicators: specs
            .iter()
            .map(|s| ProfileIndicator {
                key: s.key,
                criterion: s.criterion.clone(),
                name: s.name.clone(),
                unit: s.unit,
                threshold: s.threshold,
                comparator: s.comparator.clone(),
            })
            .collect(),
        docs,
        ranks,
        report_years,
        targets,
        targets_unreadable: parsed.is_none(),
        managed: m,
    }))
}

// ---------------------------------------------------------------------------------------
// Lists

/// The lists of the dashboard, from `dynamic::lists`, narrowed by the filters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Watchlists {
    pub overdue: Vec<(Managed, ReportDue)>,
    pub open_cases: Vec<CaseListed>,
    /// Recognitions in force whose validity ends within 6 months.
    pub expiring: Vec<Managed>,
}

pub async fn watchlists(
    conn: &mut Conn,
    scope: &Scope,
    f: &Filters,
    today: NaiveDate,
) -> Result<Watchlists> {
    let lists = dynamic::lists(conn, scope, today).await?;
    let keep: Option<HashSet<i64>> = if *f == Filters::default() {
        None
    } else {
        let w = f.clause(scope, Some("r.batch_id"));
        let sql = format!(
            "SELECT r.id FROM recognitions r JOIN clusters c ON c.id = r.cluster_id {}",
            w.sql()
        );
        Some(
            rows(conn, sql, &w)
                .await?
                .iter()
                .map(|r| r.try_get::<i64, _>("id"))
                .collect::<std::result::Result<_, _>>()?,
        )
    };
    let ok = |id: i64| keep.as_ref().is_none_or(|k| k.contains(&id));
    Ok(Watchlists {
        overdue: lists
            .overdue
            .into_iter()
            .filter(|(m, _)| ok(m.id))
            .collect(),
        open_cases: lists
            .open_cases
            .into_iter()
            .filter(|c| ok(c.case.recognition_id))
            .collect(),
        expiring: lists.expiring.into_iter().filter(|m| ok(m.id)).collect(),
    })
}

// ---------------------------------------------------------------------------------------
// Everything at once

/// Every figure of the dashboard.
#[derive(Debug, Clone, PartialEq)]
pub struct Dashboard {
    pub tiers: TierCounts,
    pub by_authority: Vec<Group>,
    pub by_section: Vec<Group>,
    pub by_batch: Vec<BatchRecognitions>,
    pub progress: Progress,
    pub quota: Vec<QuotaUse>,
    pub funnel: Vec<Funnel>,
    pub indicators: Indicators,
    pub lists: Watchlists,
}

pub async fn dashboard(
    conn: &mut Conn,
    scope: &Scope,
    f: &Filters,
    today: NaiveDate,
) -> Result<Dashboard> {
    Ok(Dashboard {
        tiers: clusters_by_tier(conn, scope, f).await?,
        by_authority: clusters_by_authority(conn, scope, f).await?,
        by_section: clusters_by_section(conn, scope, f).await?,
        by_batch: recognitions_by_batch(conn, scope, f).await?,
        progress: national_progress(conn, scope, f).await?,
        quota: quota_use(conn, scope, f).await?,
        funnel: funnel(conn, scope, f).await?,
        indicators: indicators(conn, scope, f).await?,
        lists: watchlists(conn, scope, f, today).await?,
    })
}
