//! Monitoring dashboards (issue 7 item 1; 第五条, 第十六条; SPEC §6): the ministry sees the
//! nation, a province its own clusters, a county its clusters. Filters by batch, province
//! (ministry only) and industry section are plain GET parameters, so the form works without
//! JavaScript; every chart is server-rendered SVG ([`crate::charts`]) with its data table
//! beside it, downloadable as .xlsx at `/dashboard/data/{chart}.xlsx` with the same filters.
//!
//! The figures come from [`jiqun_store::monitoring`]; their definitions are in
//! `docs/monitoring.md`.

use crate::AppState;
use crate::auth::CurrentUser;
use crate::charts::{self, Marker, Row};
use crate::error::{WebError, WebResult};
use crate::pages::Viewer;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Response};
use axum::{Router, routing::get};
use chrono::{Datelike, NaiveDate};
use jiqun_domain::jurisdiction::{authorities, authority_by_code};
use jiqun_store::monitoring::{
    self, Dashboard, FUNNEL_STAGES, Filters, Indicators, NATIONAL_TARGET, Progress,
    RECOGNITION_STATUSES, TIERS, Watchlists,
};
use jiqun_store::{Conn, Scope};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/dashboard", get(page))
        .route("/dashboard/data/{file}", get(download))
        .route("/dashboard/report.docx", get(report_docx))
        .route("/dashboard/report.xlsx", get(report_xlsx))
}

/// Bins of every histogram.
const BINS: usize = 10;

/// The filter form as submitted (all optional; empty means "all").
#[derive(Debug, Default, Deserialize)]
pub struct FilterQuery {
    #[serde(default)]
    batch: String,
    #[serde(default)]
    province: String,
    #[serde(default)]
    industry: String,
}

/// The checked filters, and the query string that repeats them.
struct Chosen {
    filters: Filters,
    query: String,
}

/// Checks the filters. The province filter is the ministry's: for a province or county it
/// is ignored (their own jurisdiction already bounds every figure).
fn chosen(scope: &Scope, q: &FilterQuery) -> WebResult<Chosen> {
    let mut f = Filters::default();
    let mut qs = Vec::new();
    let batch = q.batch.trim();
    if !batch.is_empty() {
        let id: i64 = batch.parse().map_err(|_| {
            WebError::BadRequest(format!(
                "筛选条件「批次」无效（{}）：请从批次下拉列表中选择。",
                batch.chars().take(20).collect::<String>()
            ))
        })?;
        f.batch_id = Some(id);
        qs.push(format!("batch={id}"));
    }
    let province = q.province.trim();
    if !province.is_empty() && *scope == Scope::National {
        let a = authority_by_code(province).ok_or_else(|| {
            WebError::BadRequest(format!(
                "筛选条件「省份」无效（{}）：应为省级主管部门的 6 位代码，如 330000，请从下拉列表中选择。",
                province.chars().take(20).collect::<String>()
            ))
        })?;
        f.authority = Some(a.code.to_string());
        qs.push(format!("province={}", a.code));
    }
    let industry = q.industry.trim();
    if !industry.is_empty() {
        let letter = industry
            .chars()
            .next()
            .filter(|c| industry.chars().count() == 1 && c.is_ascii_uppercase())
            .filter(|c| jiqun_domain::industry::lookup_section(*c).is_some())
            .ok_or_else(|| {
                WebError::BadRequest(format!(
                    "筛选条件「行业门类」无效（{}）：应为国民经济行业分类门类字母 A–T，请从下拉列表中选择。",
                    industry.chars().take(20).collect::<String>()
                ))
            })?;
        f.section = Some(letter.to_string());
        qs.push(format!("industry={letter}"));
    }
    Ok(Chosen {
        filters: f,
        query: qs.join("&"),
    })
}

/// Dashboards are for the three tiers of administration; the other roles get 403.
fn viewer_scope(user: &CurrentUser) -> WebResult<Scope> {
    match user.scope() {
        Scope::Nothing => Err(WebError::Forbidden(
            "监测看板仅供工业和信息化部、省级和县级中小企业主管部门查看。".into(),
        )),
        s => Ok(s),
    }
}

fn scope_text(user: &CurrentUser, scope: &Scope) -> String {
    match scope {
        Scope::National => "全国".into(),
        _ => user.org.name.clone(),
    }
}

/// A cell of a data table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Num(f64),
    /// Text linking to a page (a cluster's profile in the lists).
    Link(String, String),
}

impl Cell {
    pub fn show(&self) -> String {
        match self {
            Cell::Text(s) | Cell::Link(s, _) => s.clone(),
            Cell::Num(v) => charts::fmt_num(*v),
        }
    }
    pub fn href(&self) -> Option<&str> {
        match self {
            Cell::Link(_, h) => Some(h),
            _ => None,
        }
    }
    pub fn is_num(&self) -> bool {
        matches!(self, Cell::Num(_))
    }
}

fn t(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}
fn n(v: impl Into<f64>) -> Cell {
    Cell::Num(v.into())
}
/// A cluster's name linking to its profile (集群画像).
fn profile_link(name: &str, recognition_id: i64) -> Cell {
    Cell::Link(
        name.to_string(),
        format!("/recognitions/{recognition_id}/profile"),
    )
}
fn i(v: i64) -> Cell {
    Cell::Num(v as f64)
}

/// One chart (or list) of the dashboard: its SVG and the table of its data.
#[derive(Debug, Clone)]
pub struct Chart {
    pub key: String,
    pub title: String,
    /// One or more `<svg>` (empty for a list).
    pub svg: String,
    pub note: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// Most rows of a table shown on the page; the .xlsx download has them all (a list of
/// thousands of clusters is read in Excel, not on a slide).
pub const PAGE_ROWS: usize = 100;

impl Chart {
    /// The rows shown on the page: the first [`PAGE_ROWS`].
    pub fn shown_rows(&self) -> &[Vec<Cell>] {
        &self.rows[..self.rows.len().min(PAGE_ROWS)]
    }

    /// How many rows the page leaves to the .xlsx download.
    pub fn hidden_rows(&self) -> usize {
        self.rows.len().saturating_sub(PAGE_ROWS)
    }
}

fn cols(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

fn tier_names() -> Vec<&'static str> {
    TIERS.iter().map(|t| t.name_zh()).collect()
}

fn tiers_chart(d: &Dashboard) -> Chart {
    let rows: Vec<Row> = TIERS
        .iter()
        .map(|t| Row {
            label: t.name_zh().into(),
            values: vec![d.tiers.get(*t) as f64],
        })
        .collect();
    Chart {
        key: "tiers".into(),
        title: "集群层级分布".into(),
        svg: charts::hbar("c-tiers", "集群层级分布", "个", &[], &rows, None),
        note: format!("共 {} 个集群。", d.tiers.total()),
        columns: cols(&["层级", "集群数"]),
        rows: TIERS
            .iter()
            .map(|x| vec![t(x.name_zh()), i(d.tiers.get(*x))])
            .collect(),
    }
}

fn groups_chart(key: &str, title: &str, first: &str, groups: &[monitoring::Group]) -> Chart {
    let rows: Vec<Row> = groups
        .iter()
        .map(|g| Row {
            label: g.label.clone(),
            values: TIERS.iter().map(|t| g.tiers.get(*t) as f64).collect(),
        })
        .collect();
    let mut columns = vec![first.to_string(), "代码".to_string()];
    columns.extend(tier_names().iter().map(|s| s.to_string()));
    columns.push("合计".into());
    Chart {
        key: key.into(),
        title: title.into(),
        svg: charts::hbar(&format!("c-{key}"), title, "个", &tier_names(), &rows, None),
        note: "按层级堆叠；国家级集群多者在前。".into(),
        columns,
        rows: groups
            .iter()
            .map(|g| {
                let mut r = vec![t(&g.label), t(&g.key)];
                r.extend(TIERS.iter().map(|x| i(g.tiers.get(*x))));
                r.push(i(g.tiers.total()));
                r
            })
            .collect(),
    }
}

fn batches_chart(d: &Dashboard) -> Chart {
    let names: Vec<&str> = RECOGNITION_STATUSES.iter().map(|s| s.1).collect();
    let rows: Vec<Row> = d
        .by_batch
        .iter()
        .map(|b| Row {
            label: b.batch.title.clone(),
            values: vec![
                b.active as f64,
                b.extended as f64,
                b.revoked as f64,
                b.expired as f64,
            ],
        })
        .collect();
    let mut columns = cols(&["批次", "年度", "级别"]);
    columns.extend(names.iter().map(|s| s.to_string()));
    columns.push("合计".into());
    Chart {
        key: "batches".into(),
        title: "各批次认定集群数（按认定状态）".into(),
        svg: charts::hbar("c-batches", "各批次认定集群数", "个", &names, &rows, None),
        note: String::new(),
        columns,
        rows: d
            .by_batch
            .iter()
            .map(|b| {
                vec![
                    t(&b.batch.title),
                    i(b.batch.year),
                    t(level_zh(&b.batch.level)),
                    i(b.active),
                    i(b.extended),
                    i(b.revoked),
                    i(b.expired),
                    i(b.total()),
                ]
            })
            .collect(),
    }
}

fn level_zh(level: &str) -> &'static str {
    if level == "national" {
        "国家级"
    } else {
        "省级"
    }
}

fn progress_chart(p: &Progress) -> Chart {
    let rows = vec![
        Row {
            label: "“十四五”期间认定".into(),
            values: vec![p.recognised_in_plan as f64],
        },
        Row {
            label: "现有有效国家级集群".into(),
            values: vec![p.live as f64],
        },
    ];
    let marker = Marker {
        value: p.target as f64,
        label: format!("目标 {} 个左右（第五条）", p.target),
    };
    Chart {
        key: "progress".into(),
        title: "国家级集群认定进度".into(),
        svg: charts::hbar(
            "c-progress",
            "国家级集群认定进度",
            "个",
            &[],
            &rows,
            Some(&marker),
        ),
        note: format!(
            "第五条：“十四五”期间，在全国范围内认定 200 个左右集群。已完成 {}%。",
            charts::fmt_num(p.percent())
        ),
        columns: cols(&["指标", "数值"]),
        rows: vec![
            vec![t("目标（个）"), i(p.target)],
            vec![t("“十四五”期间认定（个）"), i(p.recognised_in_plan)],
            vec![t("现有有效国家级集群（个）"), i(p.live)],
            vec![t("完成率（%）"), n(p.percent())],
        ],
    }
}

fn quota_chart(d: &Dashboard) -> Chart {
    let cats: Vec<String> = d.quota.iter().map(|q| q.batch.title.clone()).collect();
    let vals: Vec<Vec<f64>> = d
        .quota
        .iter()
        .map(|q| vec![q.quota as f64, q.used as f64])
        .collect();
    Chart {
        key: "quota".into(),
        title: "各批次推荐名额使用".into(),
        svg: charts::columns(
            "c-quota",
            "各批次推荐名额使用",
            "个",
            &["名额", "已使用"],
            &cats,
            &vals,
        ),
        note: "已使用：已推荐及其后各环节的申报（含推荐后未通过的）。县级用户不显示名额。".into(),
        columns: cols(&[
            "批次",
            "年度",
            "省级单位数",
            "名额",
            "已使用",
            "使用率（%）",
        ]),
        rows: d
            .quota
            .iter()
            .map(|q| {
                vec![
                    t(&q.batch.title),
                    i(q.batch.year),
                    n(q.authorities as f64),
                    i(q.quota),
                    i(q.used),
                    n(if q.quota > 0 {
                        q.used as f64 * 100.0 / q.quota as f64
                    } else {
                        0.0
                    }),
                ]
            })
            .collect(),
    }
}

fn funnel_chart(d: &Dashboard) -> Chart {
    let svg: String = d
        .funnel
        .iter()
        .map(|f| {
            let stages: Vec<(String, f64)> = FUNNEL_STAGES
                .iter()
                .zip(f.stages())
                .map(|(s, v)| (s.to_string(), v as f64))
                .collect();
            format!(
                "<h3 class=\"chart-sub\">{}</h3>{}",
                charts::esc(&f.batch.title),
                charts::funnel(
                    &format!("c-funnel-{}", f.batch.id),
                    &format!("{} 申报漏斗", f.batch.title),
                    &stages,
                )
            )
        })
        .collect();
    let mut columns = cols(&["批次", "年度"]);
    columns.extend(FUNNEL_STAGES.iter().map(|s| s.to_string()));
    Chart {
        key: "funnel".into(),
        title: "各批次申报漏斗".into(),
        svg: if d.funnel.is_empty() {
            charts::funnel("c-funnel", "申报漏斗", &[])
        } else {
            svg
        },
        note: "每个环节计到达或越过该环节的申报：推荐后未通过的仍计入“省级推荐”。".into(),
        columns,
        rows: d
            .funnel
            .iter()
            .map(|f| {
                let mut r = vec![t(&f.batch.title), i(f.batch.year)];
                r.extend(f.stages().iter().map(|v| i(*v)));
                r
            })
            .collect(),
    }
}

fn indicator_charts(ind: &Indicators) -> Vec<Chart> {
    let mut out = Vec::new();
    for d in &ind.distributions {
        let marker = d.threshold.map(|v| Marker {
            value: v,
            label: format!(
                "认定门槛：{} {}{}",
                d.comparator,
                charts::fmt_num(v),
                d.unit
            ),
        });
        let title = format!("{}分布", d.name);
        let bins = charts::bin(&d.values, BINS, d.threshold);
        let mut sorted = d.values.clone();
        sorted.sort_by(f64::total_cmp);
        let median = if sorted.is_empty() {
            None
        } else if sorted.len() % 2 == 1 {
            sorted.get(sorted.len() / 2).copied()
        } else {
            let k = sorted.len() / 2;
            Some((sorted[k - 1] + sorted[k]) / 2.0)
        };
        let mut note = format!(
            "{} 个有效认定集群有此数据，{} 个缺数据；依据 {}（{}版）。",
            d.values.len(),
            d.missing,
            d.criterion,
            ind.edition
        );
        if let (Some(lo), Some(m), Some(hi)) = (sorted.first(), median, sorted.last()) {
            note.push_str(&format!(
                "最小 {}，中位数 {}，最大 {}（{}）。",
                charts::fmt_num(*lo),
                charts::fmt_num(m),
                charts::fmt_num(*hi),
                d.unit
            ));
        }
        out.push(Chart {
            key: format!("dist_{}", d.key),
            svg: charts::histogram(
                &format!("c-dist-{}", d.key),
                &title,
                d.unit,
                &d.values,
                BINS,
                marker.as_ref(),
            ),
            title,
            note,
            columns: vec![
                format!("区间下限（{}）", d.unit),
                format!("区间上限（{}）", d.unit),
                "集群数".into(),
            ],
            rows: bins
                .iter()
                .map(|(a, b, c)| vec![n(*a), n(*b), n(*c as f64)])
                .collect(),
        });
    }
    for tr in &ind.trends {
        let pts: Vec<(String, f64)> = tr
            .points
            .iter()
            .map(|p| (format!("{}年", p.year), p.value))
            .collect();
        let title = format!("{}趋势", tr.name);
        out.push(Chart {
            key: format!("trend_{}", tr.key),
            svg: charts::line(&format!("c-trend-{}", tr.key), &title, tr.unit, &pts),
            title,
            note: "每个集群每一年取报告该年度的最新材料（年度报告优先于申报材料）。".into(),
            columns: vec![
                "年度".into(),
                format!("{}（{}）", tr.name, tr.unit),
                "报告集群数".into(),
            ],
            rows: tr
                .points
                .iter()
                .map(|p| vec![n(p.year), n(p.value), n(p.clusters as f64)])
                .collect(),
        });
    }
    out
}

fn authority_name(code: &str) -> String {
    authority_by_code(code).map_or_else(|| code.to_string(), |a| a.name.to_string())
}

fn list_charts(l: &Watchlists) -> Vec<Chart> {
    vec![
        Chart {
            key: "overdue".into(),
            title: "逾期未报送的年度报告".into(),
            svg: String::new(),
            note: "第十六条：每年4月30日前（以批次规定的截止日为准）填报上一年度情况。".into(),
            columns: cols(&[
                "集群",
                "省级主管部门",
                "批次",
                "报告年度",
                "截止日期",
                "状态",
            ]),
            rows: l
                .overdue
                .iter()
                .map(|(m, d)| {
                    vec![
                        profile_link(&m.cluster_name, m.id),
                        t(authority_name(&m.authority_code)),
                        t(&m.batch_title),
                        n(d.year),
                        t(d.due.to_string()),
                        t(d.state_zh()),
                    ]
                })
                .collect(),
        },
        Chart {
            key: "cases".into(),
            title: "待办撤销案件".into(),
            svg: String::new(),
            note: "第十七条：待核实或已立案、尚未决定的案件。".into(),
            columns: cols(&["集群", "省级主管部门", "事由", "状态", "立案时间"]),
            rows: l
                .open_cases
                .iter()
                .map(|c| {
                    vec![
                        profile_link(&c.cluster_name, c.case.recognition_id),
                        t(authority_name(&c.authority_code)),
                        t(c.case.ground.article()),
                        t(c.case.status_zh()),
                        t(c.case.created_at.chars().take(10).collect::<String>()),
                    ]
                })
                .collect(),
        },
        Chart {
            key: "expiring".into(),
            title: "6 个月内到期的认定".into(),
            svg: String::new(),
            note: "第十五条：有效期三年，到期前复核。".into(),
            columns: cols(&["集群", "省级主管部门", "批次", "有效期至", "状态"]),
            rows: l
                .expiring
                .iter()
                .map(|m| {
                    vec![
                        profile_link(&m.cluster_name, m.id),
                        t(authority_name(&m.authority_code)),
                        t(&m.batch_title),
                        t(m.valid_until.to_string()),
                        t(m.status_zh()),
                    ]
                })
                .collect(),
        },
    ]
}

/// Every chart of a dashboard, in page order. The provinces chart is the ministry's.
pub fn all_charts(d: &Dashboard, national: bool) -> Vec<Chart> {
    let mut out = vec![progress_chart(&d.progress), tiers_chart(d)];
    if national {
        out.push(groups_chart(
            "provinces",
            "各省级单位集群数",
            "省级主管部门",
            &d.by_authority,
        ));
    }
    out.push(groups_chart(
        "sections",
        "各行业门类集群数",
        "行业门类",
        &d.by_section,
    ));
    out.push(batches_chart(d));
    out.push(quota_chart(d));
    out.push(funnel_chart(d));
    out.extend(indicator_charts(&d.indicators));
    out.extend(list_charts(&d.lists));
    out
}

/// Which store queries a chart needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Counts,
    Indicators,
    Lists,
}

fn part_of(key: &str) -> Part {
    if key.starts_with("dist_") || key.starts_with("trend_") {
        Part::Indicators
    } else if matches!(key, "overdue" | "cases" | "expiring") {
        Part::Lists
    } else {
        Part::Counts
    }
}

/// The figures of the parts asked for (the others are left empty). The assessment report
/// (`jiqun report assessment`) reads them here too, so its numbers are the dashboard's.
pub async fn load(
    conn: &mut Conn,
    scope: &Scope,
    f: &Filters,
    today: NaiveDate,
    parts: &[Part],
) -> WebResult<Dashboard> {
    let counts = parts.contains(&Part::Counts);
    let mut d = Dashboard {
        tiers: Default::default(),
        by_authority: Vec::new(),
        by_section: Vec::new(),
        by_batch: Vec::new(),
        progress: Progress {
            target: NATIONAL_TARGET,
            recognised_in_plan: 0,
            live: 0,
        },
        quota: Vec::new(),
        funnel: Vec::new(),
        indicators: Indicators::default(),
        lists: Watchlists::default(),
    };
    if counts {
        d.tiers = monitoring::clusters_by_tier(conn, scope, f).await?;
        if *scope == Scope::National {
            d.by_authority = monitoring::clusters_by_authority(conn, scope, f).await?;
        }
        d.by_section = monitoring::clusters_by_section(conn, scope, f).await?;
        d.by_batch = monitoring::recognitions_by_batch(conn, scope, f).await?;
        d.progress = monitoring::national_progress(conn, scope, f).await?;
        d.quota = monitoring::quota_use(conn, scope, f).await?;
        d.funnel = monitoring::funnel(conn, scope, f).await?;
    }
    if parts.contains(&Part::Indicators) {
        d.indicators = monitoring::indicators(conn, scope, f).await?;
    }
    if parts.contains(&Part::Lists) {
        d.lists = monitoring::watchlists(conn, scope, f, today).await?;
    }
    Ok(d)
}

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct Page {
    viewer: Viewer,
    scope_text: String,
    national: bool,
    query: String,
    filter_text: String,
    batches: Vec<Choice>,
    provinces: Vec<Choice>,
    sections: Vec<Choice>,
    progress: Progress,
    progress_percent: String,
    recognitions: usize,
    from_reports: usize,
    unreadable: usize,
    charts: Vec<Chart>,
    /// The ministry and provinces get the button 生成评估报告.
    can_report: bool,
    report_year: i32,
}

impl Page {
    /// `?…` for links that keep the filters.
    fn suffix(&self) -> String {
        if self.query.is_empty() {
            String::new()
        } else {
            format!("?{}", self.query)
        }
    }
}

/// "批次：…；省份：…；行业：…" or "全部".
fn filter_text(f: &Filters, batch_titles: &[(i64, String)]) -> String {
    let mut parts = Vec::new();
    if let Some(id) = f.batch_id {
        let title = batch_titles
            .iter()
            .find(|(b, _)| *b == id)
            .map_or_else(|| format!("#{id}"), |(_, t)| t.clone());
        parts.push(format!("批次：{title}"));
    }
    if let Some(a) = &f.authority {
        parts.push(format!("省份：{}", authority_name(a)));
    }
    if let Some(s) = &f.section {
        parts.push(format!("行业门类：{s} {}", monitoring::section_name(s)));
    }
    if parts.is_empty() {
        "全部".into()
    } else {
        parts.join("；")
    }
}

async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<FilterQuery>,
) -> WebResult<Response> {
    let scope = viewer_scope(&user)?;
    let c = chosen(&scope, &q)?;
    let today = state.clock.today();
    let mut conn = state.db.acquire().await?;
    let d = load(
        &mut conn,
        &scope,
        &c.filters,
        today,
        &[Part::Counts, Part::Indicators, Part::Lists],
    )
    .await?;
    let batch_list = jiqun_store::batches::list(&mut conn).await?;
    let titles: Vec<(i64, String)> = batch_list.iter().map(|b| (b.id, b.title.clone())).collect();
    let national = scope == Scope::National;
    let page = Page {
        viewer: Viewer::of(&user),
        scope_text: scope_text(&user, &scope),
        national,
        filter_text: filter_text(&c.filters, &titles),
        query: c.query,
        batches: batch_list
            .iter()
            .map(|b| Choice {
                value: b.id.to_string(),
                label: b.title.clone(),
                selected: c.filters.batch_id == Some(b.id),
            })
            .collect(),
        provinces: authorities()
            .iter()
            .map(|a| Choice {
                value: a.code.to_string(),
                label: a.name.to_string(),
                selected: c.filters.authority.as_deref() == Some(a.code),
            })
            .collect(),
        sections: jiqun_domain::industry::sections()
            .iter()
            .map(|s| Choice {
                value: s.code.to_string(),
                label: format!("{} {}", s.code, s.name),
                selected: c.filters.section.as_deref() == Some(s.code),
            })
            .collect(),
        progress: d.progress,
        progress_percent: charts::fmt_num(d.progress.percent()),
        recognitions: d.indicators.recognitions,
        from_reports: d.indicators.from_reports,
        unreadable: d.indicators.unreadable,
        charts: all_charts(&d, national),
        can_report: !matches!(scope, Scope::County(_)),
        report_year: today.year() - 1,
    };
    Ok(Html(page.render()?).into_response())
}

/// A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(s: &str) -> String {
    s.chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .take(31)
        .collect()
}

/// The chart's data as a workbook: a title, what it covers, the table (numbers as
/// numbers), and the chart's note.
fn workbook(chart: &Chart, scope: &str, filters: &str, today: NaiveDate) -> WebResult<Vec<u8>> {
    use rust_xlsxwriter::{Format, Workbook};
    let fail = |e: rust_xlsxwriter::XlsxError| WebError::Internal(format!("生成 xlsx 失败：{e}"));
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let ws = wb.add_worksheet();
    ws.set_name(sheet_name(&chart.title)).map_err(fail)?;
    ws.write_string_with_format(0, 0, &chart.title, &bold)
        .map_err(fail)?;
    ws.write_string(
        1,
        0,
        format!("范围：{scope}；筛选：{filters}；数据日期：{today}"),
    )
    .map_err(fail)?;
    let header_row = 3u32;
    for (c, name) in chart.columns.iter().enumerate() {
        let col = u16::try_from(c).map_err(|_| WebError::Internal("列数过多".into()))?;
        ws.write_string_with_format(header_row, col, name, &bold)
            .map_err(fail)?;
        ws.set_column_width(col, 16).map_err(fail)?;
    }
    let mut last = header_row;
    for (r, row) in chart.rows.iter().enumerate() {
        let rr =
            header_row + 1 + u32::try_from(r).map_err(|_| WebError::Internal("行数过多".into()))?;
        for (c, cell) in row.iter().enumerate() {
            let col = u16::try_from(c).map_err(|_| WebError::Internal("列数过多".into()))?;
            match cell {
                Cell::Text(s) | Cell::Link(s, _) => ws.write_string(rr, col, s).map_err(fail)?,
                Cell::Num(v) => ws.write_number(rr, col, *v).map_err(fail)?,
            };
        }
        last = rr;
    }
    if !chart.note.is_empty() {
        ws.write_string(last + 2, 0, format!("说明：{}", chart.note))
            .map_err(fail)?;
    }
    wb.save_to_buffer().map_err(fail)
}

async fn download(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(file): Path<String>,
    Query(q): Query<FilterQuery>,
) -> WebResult<Response> {
    let scope = viewer_scope(&user)?;
    let key = file.strip_suffix(".xlsx").ok_or(WebError::NotFound)?;
    let c = chosen(&scope, &q)?;
    let today = state.clock.today();
    let mut conn = state.db.acquire().await?;
    let national = scope == Scope::National;
    let d = load(&mut conn, &scope, &c.filters, today, &[part_of(key)]).await?;
    let chart = all_charts(&d, national)
        .into_iter()
        .find(|ch| ch.key == key)
        .ok_or(WebError::NotFound)?;
    let titles: Vec<(i64, String)> = jiqun_store::batches::list(&mut conn)
        .await?
        .into_iter()
        .map(|b| (b.id, b.title))
        .collect();
    let bytes = workbook(
        &chart,
        &scope_text(&user, &scope),
        &filter_text(&c.filters, &titles),
        today,
    )?;
    Ok(crate::download::private_file(
        bytes,
        crate::download::XLSX,
        &format!("dashboard-{key}.xlsx"),
    ))
}

/// `?year=` of the report downloads.
#[derive(Debug, Deserialize)]
pub struct ReportQuery {
    pub year: Option<String>,
}

/// The report is the ministry's (national) and a province's (its own); a county gets 403.
/// The year defaults to last year (第十六条: reports on the previous year).
async fn report_for(
    state: &AppState,
    user: &CurrentUser,
    q: &ReportQuery,
) -> WebResult<crate::report::Assessment> {
    let scope = viewer_scope(user)?;
    if matches!(scope, Scope::County(_)) {
        return Err(WebError::Forbidden(
            "评估报告由工业和信息化部、省级中小企业主管部门生成。".into(),
        ));
    }
    let today = state.clock.today();
    let year = match q.year.as_deref().map(str::trim) {
        None | Some("") => today.year() - 1,
        Some(s) => s
            .parse::<i32>()
            .ok()
            .filter(|y| (2000..=2100).contains(y))
            .ok_or_else(|| {
                WebError::BadRequest(format!("「评估年度」无效：{s}，应为 2000–2100 之间的年份"))
            })?,
    };
    let mut conn = state.db.acquire().await?;
    crate::report::assess(&mut conn, &scope, &scope_text(user, &scope), year, today).await
}

/// `GET /dashboard/report.docx?year=Y`: the button 生成评估报告.
async fn report_docx(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ReportQuery>,
) -> WebResult<Response> {
    let a = report_for(&state, &user, &q).await?;
    let bytes = crate::report::docx(&a)?;
    Ok(crate::download::private_file(
        bytes,
        crate::download::DOCX,
        &format!("assessment-{}.docx", a.year),
    ))
}

/// `GET /dashboard/report.xlsx?year=Y`: the report's appendix, every number in it.
async fn report_xlsx(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ReportQuery>,
) -> WebResult<Response> {
    let a = report_for(&state, &user, &q).await?;
    let bytes = crate::report::appendix(&a)?;
    Ok(crate::download::private_file(
        bytes,
        crate::download::XLSX,
        &format!("assessment-{}-appendix.xlsx", a.year),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(rows: usize) -> Chart {
        Chart {
            key: "expiring".into(),
            title: String::new(),
            svg: String::new(),
            note: String::new(),
            columns: cols(&["集群"]),
            rows: (0..rows).map(|i| vec![Cell::Num(i as f64)]).collect(),
        }
    }

    #[test]
    fn the_page_shows_at_most_page_rows_and_counts_the_rest() {
        let c = chart(PAGE_ROWS);
        assert_eq!((c.shown_rows().len(), c.hidden_rows()), (PAGE_ROWS, 0));
        let c = chart(PAGE_ROWS + 1);
        assert_eq!((c.shown_rows().len(), c.hidden_rows()), (PAGE_ROWS, 1));
        // The download keeps every row.
        assert_eq!(c.rows.len(), PAGE_ROWS + 1);
        let c = chart(0);
        assert_eq!((c.shown_rows().len(), c.hidden_rows()), (0, 0));
    }
}
