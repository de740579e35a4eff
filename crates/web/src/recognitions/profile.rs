//! `GET /recognitions/{id}/profile`: the cluster profile (集群画像) for officials (issue 7
//! item 2) — the recognition's indicators document by document against the thresholds of
//! its edition, the plan targets of its declaration against the actuals of its annual
//! reports (第十六条: 目标进展), and its percentile among its batch and its industry section.
//! Jurisdiction as for recognitions: a county its own, a province its own, the ministry
//! all; anything else answers 404 (SPEC §1). Figures: `jiqun_store::monitoring::profile`.

use crate::AppState;
use crate::applications::{authority_name, place_name};
use crate::auth::CurrentUser;
use crate::charts::fmt_num;
use crate::error::{WebError, WebResult};
use crate::pages::Viewer;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Response};
use jiqun_store::Scope;
use jiqun_store::dynamic::Managed;
use jiqun_store::monitoring::{self, Percentile, Source};

/// A cell of the indicator table: the value, and 达标 / 未达标 / (no bound).
pub struct ValueCell {
    pub text: String,
    /// "pass", "fail" or "" (no fixed bound or no value).
    pub class: &'static str,
    pub verdict: &'static str,
}

pub struct DocRow {
    pub label: String,
    pub cells: Vec<ValueCell>,
}

pub struct Head {
    pub name: String,
    pub unit: String,
    pub bound: String,
}

pub struct RankRow {
    pub name: String,
    pub value: String,
    pub batch: String,
    pub section: String,
}

pub struct TargetView {
    pub area: String,
    pub metric: String,
    pub baseline: String,
    pub target: String,
    pub year: i32,
    pub actuals: Vec<String>,
}

#[derive(Template)]
#[template(path = "recognition_profile.html")]
struct ProfilePage {
    viewer: Viewer,
    m: Managed,
    place: String,
    authority: String,
    section: String,
    edition: String,
    heads: Vec<Head>,
    docs: Vec<DocRow>,
    ranks: Vec<RankRow>,
    report_years: Vec<i32>,
    targets: Vec<TargetView>,
    targets_unreadable: bool,
}

fn pct(p: Option<Percentile>) -> String {
    p.map_or_else(
        || "—".into(),
        |p| {
            format!(
                "{}（{} 个中低于 {} 个、相同 {} 个）",
                fmt_num(p.value()),
                p.peers,
                p.below,
                p.equal - 1
            )
        },
    )
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> WebResult<Response> {
    let scope = match user.scope() {
        Scope::Nothing => {
            return Err(WebError::Forbidden(
                "集群画像仅供县级、省级主管部门和工业和信息化部查看。".into(),
            ));
        }
        s => s,
    };
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    let mut conn = state.db.acquire().await?;
    let p = monitoring::profile(&mut conn, &scope, id)
        .await?
        .ok_or(WebError::NotFound)?;
    let heads = p
        .indicators
        .iter()
        .map(|i| Head {
            name: i.name.clone(),
            unit: i.unit.to_string(),
            bound: match i.threshold {
                Some(t) => format!("{}{} {}", fmt_num(t), i.unit, i.comparator),
                None => "无固定标准值".into(),
            },
        })
        .collect();
    let docs = p
        .docs
        .iter()
        .map(|d| DocRow {
            label: match (d.source, d.latest_year) {
                (Source::Declaration, Some(y)) => format!("申报书（数据截至{y}年）"),
                (Source::Declaration, None) => "申报书".into(),
                (Source::AnnualReport, _) => format!("{}年度报告", d.doc_rank),
            } + if d.readable { "" } else { "（无法读取）" },
            cells: d
                .values
                .iter()
                .map(|v| match v {
                    None => ValueCell {
                        text: "—".into(),
                        class: "",
                        verdict: "",
                    },
                    Some(c) => ValueCell {
                        text: fmt_num(c.value),
                        class: match c.passes {
                            Some(true) => "pass",
                            Some(false) => "fail",
                            None => "",
                        },
                        verdict: match c.passes {
                            Some(true) => "达标",
                            Some(false) => "未达标",
                            None => "",
                        },
                    },
                })
                .collect(),
        })
        .collect();
    let ranks = p
        .ranks
        .iter()
        .map(|r| RankRow {
            name: p.indicators.iter().find(|i| i.key == r.key).map_or_else(
                || r.key.to_string(),
                |i| format!("{}（{}）", i.name, i.unit),
            ),
            value: fmt_num(r.value),
            batch: pct(r.batch),
            section: pct(r.section),
        })
        .collect();
    let targets = p
        .targets
        .iter()
        .map(|t| TargetView {
            area: t.area.to_string(),
            metric: t.metric.clone(),
            baseline: t.baseline.clone(),
            target: t.target.clone(),
            year: t.year,
            actuals: t
                .actuals
                .iter()
                .map(|a| {
                    a.as_ref()
                        .map_or_else(|| "未填报".into(), |(v, s)| format!("{v}（{s}）"))
                })
                .collect(),
        })
        .collect();
    let page = ProfilePage {
        viewer: Viewer::of(&user),
        place: place_name(&p.managed.county_code),
        authority: authority_name(&p.managed.authority_code),
        section: format!("{} {}", p.section, p.section_name),
        edition: p.edition.clone(),
        heads,
        docs,
        ranks,
        report_years: p.report_years.clone(),
        targets,
        targets_unreadable: p.targets_unreadable,
        m: p.managed,
    };
    Ok(Html(page.render()?).into_response())
}
