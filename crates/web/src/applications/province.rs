//! The province's pages (第十三条: 受理、初审和实地抽查 … 择优推荐): the inbox, review
//! records with their files, and the recommendation summary table (推荐汇总表) with its CSV
//! export.

use super::county::{ListRow, list_rows};
use super::form::FormData;
use super::view::{self, KeyFigures};
use super::{authority_name, parse_id, place_name};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{WebError, WebResult};
use crate::pages::Viewer;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use jiqun_domain::role::Role;
use jiqun_domain::workflow::AppState as WfState;
use jiqun_store::applications::{self, QUOTA_STATES};
use jiqun_store::attachments::{self, NewFile};
use jiqun_store::batches::{self, Batch};
use jiqun_store::clusters::{self, Cluster};
use jiqun_store::reviews::{self, Conclusion, NewReview, ReviewKind};
use jiqun_store::{Scope, StoreError};
use std::collections::{BTreeSet, HashMap};

fn require_province(user: &CurrentUser) -> WebResult<String> {
    match user.scope() {
        Scope::Authority(code) if user.user.has_role(Role::Province) => Ok(code),
        _ => Err(WebError::Forbidden(
            "此页面仅供省级中小企业主管部门（含计划单列市、新疆生产建设兵团）使用。".into(),
        )),
    }
}

// ---- inbox --------------------------------------------------------------------------------

pub struct BatchQuota {
    pub id: i64,
    pub title: String,
    pub limit: u32,
    pub used: u32,
}

#[derive(Template)]
#[template(path = "province_inbox.html")]
struct InboxPage {
    viewer: Viewer,
    authority: String,
    to_accept: Vec<ListRow>,
    to_decide: Vec<ListRow>,
    recommended: Vec<ListRow>,
    others: Vec<ListRow>,
    batches: Vec<BatchQuota>,
}

/// 待办: submissions to accept or return, accepted ones to review and decide on, and the
/// recommendations made, per batch with the quota used.
pub async fn inbox(State(state): State<AppState>, user: CurrentUser) -> WebResult<Response> {
    let code = require_province(&user)?;
    let scope = user.scope();
    let mut conn = state.db.acquire().await?;
    let apps = applications::list(&mut conn, &scope, None, None).await?;
    let cluster_map: HashMap<i64, Cluster> = clusters::list(&mut conn, &scope)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let all_batches = batches::list(&mut conn).await?;
    let batch_map: HashMap<i64, Batch> = all_batches.iter().map(|b| (b.id, b.clone())).collect();
    // In a batch with the 设区市 step the cities accept and recommend: those applications
    // are the province's to act on only once recommended.
    let city_step = |a: &applications::Application| {
        batch_map
            .get(&a.batch_id)
            .is_some_and(|b| b.is_provincial() && b.city_step)
    };
    let pick = |states: &[WfState]| {
        let chosen: Vec<_> = apps
            .iter()
            .filter(|a| states.contains(&a.state))
            .filter(|a| {
                !(city_step(a) && matches!(a.state, WfState::Submitted | WfState::Accepted))
            })
            .cloned()
            .collect();
        list_rows(&chosen, &cluster_map, &batch_map)
    };
    let to_accept = pick(&[WfState::Submitted]);
    let to_decide = pick(&[WfState::Accepted]);
    let recommended = pick(&QUOTA_STATES);
    let mut rest: Vec<WfState> = WfState::ALL.to_vec();
    rest.retain(|s| {
        !matches!(s, WfState::Submitted | WfState::Accepted) && !QUOTA_STATES.contains(s)
    });
    let others = pick(&rest);
    let used_batches: BTreeSet<i64> = apps.iter().map(|a| a.batch_id).collect();
    let mut quotas = Vec::new();
    for b in all_batches
        .iter()
        .filter(|b| used_batches.contains(&b.id) && !b.is_provincial())
    {
        quotas.push(BatchQuota {
            id: b.id,
            title: b.title.clone(),
            limit: batches::quota_for(&mut conn, b, &code).await?,
            used: applications::quota_used(&mut conn, b.id, &code).await?,
        });
    }
    let page = InboxPage {
        viewer: Viewer::of(&user),
        authority: authority_name(&code),
        to_accept,
        to_decide,
        recommended,
        others,
        batches: quotas,
    };
    Ok(Html(page.render()?).into_response())
}

// ---- reviews ------------------------------------------------------------------------------

/// 初审 / 实地抽查 (and the ministry's 复审 / 抽查): date, people, findings, conclusion, files;
/// all in one transaction, so a refused file keeps the record out too.
pub async fn record_review(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    form: FormData,
) -> WebResult<Response> {
    user.check_csrf(form.csrf())?;
    let id = parse_id(&id)?;
    let kind = ReviewKind::parse(form.trimmed("kind"))
        .ok_or_else(|| WebError::BadRequest("请选择审查类型（初审或实地抽查）。".into()))?;
    let conclusion = Conclusion::parse(form.trimmed("conclusion"))
        .ok_or_else(|| WebError::BadRequest("请选择审查结论。".into()))?;
    let held_on =
        chrono::NaiveDate::parse_from_str(form.trimmed("held_on"), "%Y-%m-%d").map_err(|_| {
            WebError::BadRequest("请按“年-月-日”填写审查日期，例如 2022-10-08。".into())
        })?;
    let actor = user.actor();
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let review = reviews::record(
        &mut tx,
        &actor,
        id,
        &NewReview {
            kind,
            held_on,
            people: form.trimmed("people"),
            findings: form.trimmed("findings"),
            conclusion,
        },
        state.clock.today(),
        now,
    )
    .await?;
    for f in form.files("files") {
        attachments::store(
            &mut tx,
            &state.config.files_dir,
            (&actor).into(),
            &NewFile {
                owner_type: "review",
                owner_id: review.id,
                version: None,
                filename: &f.filename,
                bytes: &f.bytes,
                audit_object_type: "application",
                audit_object_id: id.to_string(),
            },
            now,
        )
        .await?;
    }
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Redirect::to(&format!("/applications/{id}?done=reviewed#reviews")).into_response())
}

// ---- 推荐汇总表 ----------------------------------------------------------------------------

pub struct SummaryRow {
    pub app_id: i64,
    pub rank: String,
    pub authority: String,
    pub cluster: String,
    pub county: String,
    pub county_code: String,
    pub leading_industry: String,
    pub figures: KeyFigures,
    pub eligible: &'static str,
    pub state: &'static str,
}

#[derive(Template)]
#[template(path = "province_summary.html")]
struct SummaryPage {
    viewer: Viewer,
    batch_id: i64,
    batch_title: String,
    national: bool,
    quota: Option<String>,
    rows: Vec<SummaryRow>,
}

/// The recommended applications of one batch in the caller's scope, by authority and rank.
pub(super) async fn summary_rows(
    state: &AppState,
    user: &CurrentUser,
    batch_id: &str,
) -> WebResult<(Batch, Option<String>, Vec<SummaryRow>)> {
    let scope = user.scope();
    let allowed = match &scope {
        Scope::National => user.user.has_role(Role::Ministry),
        Scope::Authority(_) => user.user.has_role(Role::Province),
        _ => false,
    };
    if !allowed {
        return Err(WebError::Forbidden(
            "推荐汇总表仅供省级中小企业主管部门和工业和信息化部查看。".into(),
        ));
    }
    let batch_id = parse_id(batch_id)?;
    let mut conn = state.db.acquire().await?;
    let batch = batches::get(&mut conn, batch_id)
        .await?
        .filter(|b| b.visible_to(&scope))
        .ok_or(WebError::NotFound)?;
    let mut apps: Vec<_> = applications::list(&mut conn, &scope, Some(batch.id), None)
        .await?
        .into_iter()
        .filter(|a| QUOTA_STATES.contains(&a.state))
        .collect();
    apps.sort_by(|a, b| {
        (a.authority_code.as_str(), a.rank.unwrap_or(i64::MAX), a.id).cmp(&(
            b.authority_code.as_str(),
            b.rank.unwrap_or(i64::MAX),
            b.id,
        ))
    });
    let quota = match &scope {
        Scope::Authority(code) => {
            let limit = batches::quota_for(&mut conn, &batch, code).await?;
            let used = applications::quota_used(&mut conn, batch.id, code).await?;
            Some(format!("本批次推荐名额 {limit} 个，已推荐 {used} 个。"))
        }
        _ => None,
    };
    let mut rows = Vec::with_capacity(apps.len());
    for a in apps {
        let cluster = clusters::get(&mut conn, &Scope::National, a.cluster_id)
            .await?
            .ok_or(WebError::NotFound)?;
        let v = applications::version(&mut conn, a.id, a.current_version).await?;
        let figures = view::key_figures(v.as_ref());
        rows.push(SummaryRow {
            app_id: a.id,
            rank: a.rank.map(|r| r.to_string()).unwrap_or_default(),
            authority: authority_name(&a.authority_code),
            cluster: cluster.name,
            county: place_name(&a.county_code),
            county_code: a.county_code.clone(),
            leading_industry: cluster.leading_industry,
            eligible: match figures.eligible {
                Some(true) => "是",
                Some(false) => "否",
                None => "未自评",
            },
            figures,
            state: a.state.name_zh(),
        });
    }
    Ok((batch, quota, rows))
}

pub async fn summary(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> WebResult<Response> {
    let (batch, quota, rows) = summary_rows(&state, &user, &id).await?;
    let page = SummaryPage {
        viewer: Viewer::of(&user),
        batch_id: batch.id,
        batch_title: batch.title,
        national: matches!(user.scope(), Scope::National),
        quota,
        rows,
    };
    Ok(Html(page.render()?).into_response())
}

/// One CSV field (RFC 4180). Text that a spreadsheet would run as a formula is prefixed
/// with an apostrophe.
fn csv_field(out: &mut String, value: &str, text: bool) {
    let guarded;
    let value = if text && value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        guarded = format!("'{value}");
        guarded.as_str()
    } else {
        value
    };
    if value.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&value.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(value);
    }
}

fn csv_line(out: &mut String, fields: &[(&str, bool)]) {
    for (i, (v, text)) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        csv_field(out, v, *text);
    }
    out.push_str("\r\n");
}

/// 推荐汇总表 as CSV: UTF-8 with a byte-order mark, so that Excel opens the Chinese right.
pub async fn summary_csv(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> WebResult<Response> {
    let (batch, _, rows) = summary_rows(&state, &user, &id).await?;
    let mut out = String::from("\u{feff}");
    csv_line(
        &mut out,
        &[
            ("推荐排序", true),
            ("推荐单位", true),
            ("集群名称", true),
            ("所在县（市、区）", true),
            ("县级行政区划代码", true),
            ("主导产业", true),
            ("近三年产值", true),
            ("产值年均增速", true),
            ("中小企业产值占比", true),
            ("主导产业产值占比", true),
            ("每万人有效发明专利", true),
            ("自评是否符合认定标准", true),
            ("当前状态", true),
        ],
    );
    for r in &rows {
        csv_line(
            &mut out,
            &[
                (&r.rank, false),
                (&r.authority, true),
                (&r.cluster, true),
                (&r.county, true),
                (&r.county_code, false),
                (&r.leading_industry, true),
                (&r.figures.output, false),
                (&r.figures.growth, false),
                (&r.figures.sme_share, false),
                (&r.figures.leading_share, false),
                (&r.figures.patent_density, false),
                (r.eligible, true),
                (r.state, true),
            ],
        );
    }
    let filename = format!("推荐汇总表-{}-批次{}.csv", batch.year, batch.id);
    Ok(crate::download::private_file(
        out,
        "text/csv; charset=utf-8",
        &filename,
    ))
}
