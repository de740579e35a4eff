//! Monitoring figures for the dashboards and the assessment report (第五条, 第十六条; SPEC §6,
//! issue 7). Every count is an aggregation that runs **in the database** (`GROUP BY`), scoped
//! by [`Scope`] like every other read and narrowed by [`Filters`]. The indicators need the
//! criteria engine, so they are computed in one pass over the figure documents, a page of
//! recognitions at a time, keeping only the resulting numbers (never every row in memory).
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
/// Recognitions read per page in the indicator pass.
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

/// The figures of one year of one cluster, from the latest document that reports it.
#[derive(Debug, Clone, Copy, Default)]
struct YearFigures {
    output: Option<f64>,
    rd: Option<f64>,
    patents: Option<f64>,
    co2: Option<f64>,
}

/// Sums per year over clusters.
#[derive(Debug, Clone, Copy, Default)]
struct YearSums {
    output: (f64, usize),
    rd: (f64, usize),
    patents: (f64, usize),
    /// (Σ CO₂, Σ output of the same clusters, clusters).
    co2: (f64, f64, usize),
    /// (enterprises using an IIP, enterprises, clusters).
    iip: (usize, usize, usize),
}

/// One recognition's documents, folded as they stream by.
#[derive(Default)]
struct Current {
    id: Option<i64>,
    latest: Option<Declaration>,
    from_report: bool,
    years: BTreeMap<i32, YearFigures>,
    iip: BTreeMap<i32, (usize, usize)>,
}

struct Fold<'e> {
    edition: &'e Edition,
    specs: Vec<Spec>,
    values: Vec<Vec<f64>>,
    missing: Vec<usize>,
    sums: BTreeMap<i32, YearSums>,
    recognitions: usize,
    from_reports: usize,
    unreadable: usize,
    cur: Current,
}

impl<'e> Fold<'e> {
    fn new(edition: &'e Edition) -> Fold<'e> {
        let specs = specs(edition);
        Fold {
            edition,
            values: vec![Vec::new(); specs.len()],
            missing: vec![0; specs.len()],
            specs,
            sums: BTreeMap::new(),
            recognitions: 0,
            from_reports: 0,
            unreadable: 0,
            cur: Current::default(),
        }
    }

    fn window_years(&self, decl: &Declaration) -> i32 {
        Edition::builtin(&decl.edition).map_or(self.edition.window_years, |e| e.window_years)
    }

    /// One document of recognition `rid`: its yearly figures replace those of older ones.
    fn document(&mut self, rid: i64, decl: Option<Declaration>, from_report: bool) {
        if self.cur.id != Some(rid) {
            self.flush();
            self.cur.id = Some(rid);
        }
        let Some(decl) = decl else {
            self.unreadable += 1;
            return;
        };
        {
            let m = Metrics::new(&decl, self.window_years(&decl));
            for &y in &decl.years {
                let get =
                    |metric: MetricId| m.yearly(metric, y).ok().and_then(|q| frac_value(q.frac));
                self.cur.years.insert(
                    y,
                    YearFigures {
                        output: get(MetricId::OutputValue),
                        rd: get(MetricId::RdExpenditure),
                        patents: get(MetricId::ValidInventionPatents),
                        // The intensity is CO₂ / output as a fraction: its numerator is
                        // the cluster's CO₂ of the year.
                        co2: m
                            .yearly(MetricId::Co2Intensity, y)
                            .ok()
                            .and_then(|q| num(q.frac.num)),
                    },
                );
            }
            let (yes, _, total) = m.flag_counts(|e| e.uses_iip);
            if total > 0 {
                self.cur.iip.insert(m.latest_year(), (yes, total));
            }
        }
        self.cur.latest = Some(decl);
        self.cur.from_report = from_report;
    }

    /// Adds the finished recognition to the totals.
    fn flush(&mut self) {
        let cur = std::mem::take(&mut self.cur);
        if cur.id.is_none() {
            return;
        }
        self.recognitions += 1;
        match &cur.latest {
            Some(decl) => {
                if cur.from_report {
                    self.from_reports += 1;
                }
                let m = Metrics::new(decl, self.window_years(decl));
                for (i, spec) in self.specs.iter().enumerate() {
                    match indicator_value(spec, &m) {
                        Some(v) => self.values[i].push(v),
                        None => self.missing[i] += 1,
                    }
                }
            }
            None => self.missing.iter_mut().for_each(|n| *n += 1),
        }
        for (y, f) in cur.years {
            let s = self.sums.entry(y).or_default();
            if let Some(v) = f.output {
                s.output.0 += v;
                s.output.1 += 1;
            }
            if let Some(v) = f.rd {
                s.rd.0 += v;
                s.rd.1 += 1;
            }
            if let Some(v) = f.patents {
                s.patents.0 += v;
                s.patents.1 += 1;
            }
            if let (Some(c), Some(o)) = (f.co2, f.output) {
                s.co2.0 += c;
                s.co2.1 += o;
                s.co2.2 += 1;
            }
        }
        for (y, (yes, total)) in cur.iip {
            let s = self.sums.entry(y).or_default();
            s.iip.0 += yes;
            s.iip.1 += total;
            s.iip.2 += 1;
        }
    }

    fn finish(mut self) -> Indicators {
        self.flush();
        let distributions = self
            .specs
            .iter()
            .zip(self.values)
            .zip(self.missing)
            .map(|((s, values), missing)| Distribution {
                key: s.key,
                criterion: s.criterion.clone(),
                name: s.name.clone(),
                unit: s.unit,
                threshold: s.threshold,
                comparator: s.comparator.clone(),
                values,
                missing,
            })
            .collect();
        let series = |pick: &dyn Fn(&YearSums) -> Option<(f64, usize)>| -> Vec<TrendPoint> {
            self.sums
                .iter()
                .filter_map(|(&year, s)| {
                    let (value, clusters) = pick(s)?;
                    (clusters > 0).then_some(TrendPoint {
                        year,
                        value,
                        clusters,
                    })
                })
                .collect()
        };
        let trends = TRENDS
            .iter()
            .map(|&(key, name, unit)| Trend {
                key,
                name,
                unit,
                points: match key {
                    "output" => series(&|s| Some(s.output)),
                    "rd" => series(&|s| Some(s.rd)),
                    "patents" => series(&|s| Some(s.patents)),
                    "iip" => series(&|s| {
                        (s.iip.1 > 0).then(|| (s.iip.0 as f64 * 100.0 / s.iip.1 as f64, s.iip.2))
                    }),
                    _ => series(&|s| (s.co2.1 > 0.0).then(|| (s.co2.0 / s.co2.1, s.co2.2))),
                },
            })
            .collect();
        Indicators {
            recognitions: self.recognitions,
            from_reports: self.from_reports,
            unreadable: self.unreadable,
            edition: self.edition.id.clone(),
            distributions,
            trends,
        }
    }
}

fn parse_document(kind: i64, body: &str) -> Option<Declaration> {
    if kind == 0 {
        return criteria::parse_declaration(body).ok();
    }
    let v: serde_json::Value = serde_json::from_str(body).ok()?;
    criteria::parse_declaration_value(v.get("declaration")?).ok()
}

/// Distributions of the indicators across the recognitions in force, from each one's
/// latest figures: its latest filed annual report (第十六条), else the frozen declaration of
/// its application; and trends per year, each year of each cluster taken from the latest
/// document that reports it.
pub async fn indicators(conn: &mut Conn, scope: &Scope, f: &Filters) -> Result<Indicators> {
    let edition = edition_for(conn, f).await?;
    let mut fold = Fold::new(edition);
    let mut after = 0i64;
    loop {
        let w = f.clause(scope, Some("r.batch_id"));
        let after_cond = format!("r.id > {after}");
        let sql = format!(
            "SELECT r.id FROM recognitions r JOIN clusters c ON c.id = r.cluster_id {}
             ORDER BY r.id LIMIT {PAGE}",
            and(&w, &[LIVE, &after_cond])
        );
        let ids: Vec<i64> = rows(conn, sql, &w)
            .await?
            .iter()
            .map(|r| r.try_get::<i64, _>("id"))
            .collect::<std::result::Result<_, _>>()?;
        let (Some(&lo), Some(&hi)) = (ids.first(), ids.last()) else {
            break;
        };
        let range = format!("r.id BETWEEN {lo} AND {hi}");
        // The same placeholders serve both halves of the UNION.
        let sql = format!(
            "SELECT r.id AS rid, CAST(0 AS BIGINT) AS kind, CAST(0 AS BIGINT) AS yr, v.declaration AS body
             FROM recognitions r JOIN clusters c ON c.id = r.cluster_id
             JOIN applications a ON a.id = r.application_id
             JOIN application_versions v ON v.application_id = a.id AND v.version = a.current_version
             {}
             UNION ALL
             SELECT r.id AS rid, CAST(1 AS BIGINT) AS kind, ar.year AS yr, ar.content AS body
             FROM annual_reports ar JOIN recognitions r ON r.id = ar.recognition_id
             JOIN clusters c ON c.id = r.cluster_id
             {}
             ORDER BY rid, kind, yr",
            and(&w, &[LIVE, &range]),
            and(&w, &[LIVE, &range, FILED])
        );
        for r in rows(conn, sql, &w).await? {
            let rid: i64 = r.try_get("rid")?;
            let kind: i64 = r.try_get("kind")?;
            let body: String = r.try_get("body")?;
            fold.document(rid, parse_document(kind, &body), kind == 1);
        }
        if ids.len() < PAGE {
            break;
        }
        after = hi;
    }
    Ok(fold.finish())
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
