//! The ministry's side of the workflow (第十四条; SPEC §4): batches and quotas, the
//! recommended applications of a batch, re-review (复审), expert assignment and the
//! aggregated scores, shortlisting or rejection, the public notice, objections and
//! publication. Pages in Chinese, every step a plain form with the CSRF field.
//!
//! Each step runs in one transaction through the store (`applications::apply` for the
//! transitions, `experts`, `notices`, `recognitions` for their guards), so a refused step
//! changes nothing and every accepted one is on the audit chain.

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{WebError, WebResult};
use crate::pages::Viewer;
use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;
use jiqun_domain::criteria::{Edition, Tier as EditionTier};
use jiqun_domain::jurisdiction::{AuthorityKind, authorities, authority_by_code};
use jiqun_domain::role::Role;
use jiqun_domain::workflow::{Action, AppState as WfState};
use jiqun_store::applications::{self, Application, QUOTA_STATES};
use jiqun_store::audit::{self, NewEvent};
use jiqun_store::batches::{self, Batch, NewBatch};
use jiqun_store::clusters::{self, Cluster};
use jiqun_store::experts::{self, Aggregate};
use jiqun_store::notices::{self, ObjectionStatus};
use jiqun_store::{Scope, StoreError, attachments, recognitions};
use serde::Deserialize;
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/ministry", get(home))
        .route("/ministry/batches/new", get(new_batch_page))
        .route("/ministry/batches", post(create_batch))
        .route("/ministry/batches/{id}", get(batch_page))
        .route("/ministry/batches/{id}/notices", post(open_notice))
        .route("/ministry/batches/{id}/publish", post(publish))
        .route("/ministry/applications/{id}", get(application_page))
        .route("/ministry/applications/{id}/action", post(transition))
        .route("/ministry/applications/{id}/experts", post(assign_expert))
        .route("/ministry/objections/{id}/decision", post(decide_objection))
        .route(
            "/ministry/objections/{id}/files/{attachment}",
            get(objection_file),
        )
        // A province runs its own batches on the same handlers (第五条; issue 8): the
        // batch decides who may act (`batches::require_runner`), the prefix only where the
        // links point.
        .route("/province/batches/{id}", get(batch_page))
        .route("/province/batches/{id}/notices", post(open_notice))
        .route("/province/batches/{id}/publish", post(publish))
        .route("/province/review/{id}", get(application_page))
        .route("/province/review/{id}/action", post(transition))
        .route("/province/review/{id}/experts", post(assign_expert))
        .route("/province/objections/{id}/decision", post(decide_objection))
        .route(
            "/province/objections/{id}/files/{attachment}",
            get(objection_file),
        )
}

/// Where the runner's pages of a batch live: `/ministry` for a national batch, `/province`
/// for a province's own batch (its applications under `/province/review/{id}`).
pub(crate) fn base_of(batch: &Batch) -> &'static str {
    if batch.is_provincial() {
        "/province"
    } else {
        "/ministry"
    }
}

/// The path of one application on the runner's pages.
pub(crate) fn app_path(batch: &Batch, id: i64) -> String {
    format!("{}/{id}", app_base(batch))
}

/// The prefix of [`app_path`].
pub(crate) fn app_base(batch: &Batch) -> &'static str {
    if batch.is_provincial() {
        "/province/review"
    } else {
        "/ministry/applications"
    }
}

/// The caller runs this batch's ministry-level steps: the ministry for a national batch,
/// the owning province for a provincial one. Another province gets 404 (it must not learn
/// that the batch exists), any other role 403.
pub(crate) fn require_runner(user: &CurrentUser, batch: &Batch) -> WebResult<()> {
    match batches::require_runner(&user.actor(), batch, "办理本批次") {
        Ok(()) => Ok(()),
        Err(StoreError::NotFound) => Err(WebError::NotFound),
        Err(_) if !batch.is_provincial() => {
            Err(WebError::Forbidden("此页面仅供工业和信息化部使用。".into()))
        }
        Err(_) => Err(WebError::Forbidden(format!(
            "本批次由{}组织，此页面仅供其使用。",
            batch.runner_zh()
        ))),
    }
}

// ---- helpers shared with the expert and public pages ---------------------------------------

/// Ids in paths: anything that is not a number is a page that does not exist.
pub(crate) fn parse_id(s: &str) -> WebResult<i64> {
    s.parse().map_err(|_| WebError::NotFound)
}

/// "浙江省金华市义乌市", or the bare code when it is not in the reference data.
pub(crate) fn place_name(code: &str) -> String {
    match jiqun_domain::division::AdminCode::parse(code) {
        Ok(c) => c.full_name(),
        Err(_) => code.to_string(),
    }
}

pub(crate) fn authority_name(code: &str) -> String {
    authority_by_code(code)
        .map(|a| a.name.to_string())
        .unwrap_or_else(|| code.to_string())
}

/// A stored UTC timestamp as China time, "2024-09-27 09:00".
pub(crate) fn local_time(text: &str) -> String {
    match chrono::DateTime::parse_from_rfc3339(text) {
        Ok(t) => t
            .with_timezone(&jiqun_domain::clock::china_offset())
            .format("%Y-%m-%d %H:%M")
            .to_string(),
        Err(_) => text.to_string(),
    }
}

/// One decimal, for means and spreads (display only; the scores themselves are integers).
pub(crate) fn one_decimal(x: f64) -> String {
    format!("{x:.1}")
}

fn require_ministry(user: &CurrentUser) -> WebResult<()> {
    if user.user.has_role(Role::Ministry) {
        Ok(())
    } else {
        Err(WebError::Forbidden("此页面仅供工业和信息化部使用。".into()))
    }
}

fn parse_date(s: &str, what: &str) -> Result<Option<NaiveDate>, String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| format!("{what}「{s}」不是有效日期，请按“年-月-日”填写，例如 2022-10-31"))
}

// ---- home -------------------------------------------------------------------------------

pub struct BatchRow {
    pub id: i64,
    pub title: String,
    pub year: i32,
    pub edition: String,
    pub status: String,
    pub recommended: usize,
    pub in_review: usize,
    pub in_notice: usize,
    pub recognized: usize,
}

#[derive(Template)]
#[template(path = "ministry_home.html")]
struct HomePage {
    viewer: Viewer,
    batches: Vec<BatchRow>,
}

async fn home(State(state): State<AppState>, user: CurrentUser) -> WebResult<Response> {
    require_ministry(&user)?;
    let mut conn = state.db.acquire().await?;
    let mut rows = Vec::new();
    for b in batches::list(&mut conn).await? {
        if b.level != "national" {
            continue;
        }
        let apps = applications::list(&mut conn, &Scope::National, Some(b.id), None).await?;
        let count = |states: &[WfState]| apps.iter().filter(|a| states.contains(&a.state)).count();
        rows.push(BatchRow {
            id: b.id,
            title: b.title.clone(),
            year: b.year,
            edition: b.edition.clone(),
            status: if b.status == "open" {
                "开放申报".into()
            } else {
                "已关闭".into()
            },
            recommended: count(&[WfState::Recommended]),
            in_review: count(&[
                WfState::UnderReview,
                WfState::ExpertReview,
                WfState::Shortlisted,
            ]),
            in_notice: count(&[WfState::InPublicNotice]),
            recognized: count(&[WfState::Recognized]),
        });
    }
    let page = HomePage {
        viewer: Viewer::of(&user),
        batches: rows,
    };
    Ok(Html(page.render()?).into_response())
}

// ---- opening a batch ----------------------------------------------------------------------

/// The batch form, as typed (kept on a refused submission).
#[derive(Debug, Clone, Deserialize)]
pub struct BatchForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    pub year: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub edition: String,
    #[serde(default)]
    pub first_batch: Option<String>,
    #[serde(default)]
    pub county_deadline: String,
    #[serde(default)]
    pub province_deadline: String,
    #[serde(default)]
    pub quota_default: String,
    #[serde(default)]
    pub quota_small: String,
    #[serde(default)]
    pub quota_overrides: String,
    #[serde(default)]
    pub notice_days: String,
    #[serde(default)]
    pub annual_report_due: String,
}

impl BatchForm {
    /// Defaults of the 2022 notice (工信厅企业函〔2022〕236号; reference/notices.md).
    fn defaults(year: i32) -> BatchForm {
        BatchForm {
            csrf: String::new(),
            year: year.to_string(),
            title: format!("{year}年度中小企业特色产业集群"),
            edition: "2022".into(),
            first_batch: None,
            county_deadline: String::new(),
            province_deadline: String::new(),
            quota_default: "5".into(),
            quota_small: "3".into(),
            quota_overrides: String::new(),
            notice_days: "5".into(),
            annual_report_due: "04-30".into(),
        }
    }

    pub fn is_first_batch(&self) -> bool {
        self.first_batch.as_deref().is_some_and(|v| !v.is_empty())
    }
}

/// A checked batch form.
struct BatchInput {
    year: i32,
    title: String,
    edition: String,
    first_batch: bool,
    county_deadline: Option<NaiveDate>,
    province_deadline: Option<NaiveDate>,
    quota_default: u32,
    quota_small: u32,
    overrides: Vec<(String, u32)>,
    notice_days: u32,
    annual_report_due: String,
}

fn parse_quota(s: &str, what: &str, errors: &mut Vec<String>) -> u32 {
    match s.trim().parse::<u32>() {
        Ok(n) if n <= 100 => n,
        _ => {
            errors.push(format!("{what}「{}」应为 0 至 100 的整数", s.trim()));
            0
        }
    }
}

fn check_batch(f: &BatchForm) -> Result<BatchInput, Vec<String>> {
    let mut errors = Vec::new();
    let year = match f.year.trim().parse::<i32>() {
        Ok(y) if (2000..=2100).contains(&y) => y,
        _ => {
            errors.push(format!("年度「{}」应为四位年份，例如 2022", f.year.trim()));
            0
        }
    };
    let title = f.title.trim().to_string();
    if title.is_empty() {
        errors.push("请填写批次名称".into());
    } else if title.chars().count() > 100 {
        errors.push("批次名称不超过 100 字".into());
    }
    let edition = f.edition.trim().to_string();
    if !Edition::builtin(&edition).is_some_and(|e| e.tier == EditionTier::National) {
        errors.push(format!("认定标准版本「{edition}」不存在或不是国家级标准"));
    }
    let county_deadline = parse_date(&f.county_deadline, "县级申报截止日期")
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    let province_deadline = parse_date(&f.province_deadline, "省级推荐截止日期")
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    if let (Some(c), Some(p)) = (county_deadline, province_deadline)
        && c > p
    {
        errors.push(format!("县级申报截止日期 {c} 晚于省级推荐截止日期 {p}"));
    }
    let quota_default = parse_quota(&f.quota_default, "各省推荐名额", &mut errors);
    let quota_small = parse_quota(&f.quota_small, "计划单列市、兵团推荐名额", &mut errors);
    let mut overrides: Vec<(String, u32)> = Vec::new();
    for (i, line) in f.quota_overrides.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let Some((code, n)) = line
            .split_once(['=', ' ', ':', '：', '，', ','])
            .map(|(c, n)| (c.trim(), n.trim()))
        else {
            errors.push(format!(
                "单独名额第 {} 行「{line}」应写作“代码=名额”，例如 330000=6",
                i + 1
            ));
            continue;
        };
        if authority_by_code(code).is_none() {
            errors.push(format!(
                "单独名额第 {} 行：「{code}」不是省级主管部门代码（省、计划单列市或兵团 660000）",
                i + 1
            ));
            continue;
        }
        let n = parse_quota(n, &format!("单独名额第 {} 行的名额", i + 1), &mut errors);
        if overrides.iter().any(|(c, _)| c == code) {
            errors.push(format!("单独名额中「{code}」重复"));
            continue;
        }
        overrides.push((code.to_string(), n));
    }
    let notice_days = match f.notice_days.trim().parse::<u32>() {
        Ok(n) if (1..=30).contains(&n) => n,
        _ => {
            errors.push(format!(
                "公示期「{}」应为 1 至 30 个工作日",
                f.notice_days.trim()
            ));
            0
        }
    };
    let due = f.annual_report_due.trim().to_string();
    let due_ok =
        due.len() == 5 && NaiveDate::parse_from_str(&format!("2000-{due}"), "%Y-%m-%d").is_ok();
    if !due_ok {
        errors.push(format!(
            "年度报告截止日「{due}」应写作“月-日”，例如 04-30（第十六条）"
        ));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(BatchInput {
        year,
        title,
        edition,
        first_batch: f.is_first_batch(),
        county_deadline,
        province_deadline,
        quota_default,
        quota_small,
        overrides,
        notice_days,
        annual_report_due: due,
    })
}

pub struct EditionOpt {
    pub id: String,
    pub name: String,
}

#[derive(Template)]
#[template(path = "ministry_batch_new.html")]
struct NewBatchPage {
    viewer: Viewer,
    form: BatchForm,
    editions: Vec<EditionOpt>,
    errors: Vec<String>,
}

fn national_editions() -> Vec<EditionOpt> {
    Edition::builtin_ids()
        .into_iter()
        .filter_map(Edition::builtin)
        .filter(|e| e.tier == EditionTier::National)
        .map(|e| EditionOpt {
            id: e.id.clone(),
            name: e.name_zh.clone(),
        })
        .collect()
}

fn render_new_batch(
    user: &CurrentUser,
    form: BatchForm,
    errors: Vec<String>,
    status: StatusCode,
) -> WebResult<Response> {
    let page = NewBatchPage {
        viewer: Viewer::of(user),
        form,
        editions: national_editions(),
        errors,
    };
    Ok((status, Html(page.render()?)).into_response())
}

async fn new_batch_page(State(state): State<AppState>, user: CurrentUser) -> WebResult<Response> {
    require_ministry(&user)?;
    let year = chrono::Datelike::year(&state.clock.today());
    render_new_batch(&user, BatchForm::defaults(year), Vec::new(), StatusCode::OK)
}

async fn create_batch(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<BatchForm>,
) -> WebResult<Response> {
    user.check_csrf(&form.csrf)?;
    require_ministry(&user)?;
    let input = match check_batch(&form) {
        Ok(i) => i,
        Err(errors) => {
            return render_new_batch(&user, form, errors, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    let actor = user.actor();
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let batch = batches::insert(
        &mut tx,
        &NewBatch {
            level: "national",
            owner_authority: None,
            year: input.year,
            title: &input.title,
            edition: &input.edition,
            first_batch: input.first_batch,
            county_deadline: input.county_deadline,
            province_deadline: input.province_deadline,
            quota_default: input.quota_default,
            quota_small: input.quota_small,
            notice_days: input.notice_days,
            annual_report_due: &input.annual_report_due,
        },
        now,
    )
    .await?;
    for (code, n) in &input.overrides {
        batches::set_quota(&mut tx, batch.id, code, *n).await?;
    }
    let overrides: serde_json::Map<String, serde_json::Value> = input
        .overrides
        .iter()
        .map(|(c, n)| (c.clone(), serde_json::Value::from(*n)))
        .collect();
    audit::append(
        &mut tx,
        &NewEvent {
            actor_user_id: Some(actor.user_id),
            actor: &actor.username,
            actor_org: &actor.org_code,
            action: "open_batch",
            object_type: "batch",
            object_id: batch.id.to_string(),
            before_state: None,
            after_state: Some("open"),
            comment: None,
            detail: serde_json::json!({
                "year": batch.year,
                "title": batch.title,
                "edition": batch.edition,
                "first_batch": batch.first_batch,
                "county_deadline": batch.county_deadline.map(|d| d.to_string()),
                "province_deadline": batch.province_deadline.map(|d| d.to_string()),
                "quota_default": batch.quota_default,
                "quota_small": batch.quota_small,
                "quota_overrides": overrides,
                "notice_days": batch.notice_days,
                "annual_report_due": batch.annual_report_due,
            }),
        },
        now,
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Redirect::to(&format!("/ministry/batches/{}?done=created", batch.id)).into_response())
}

// ---- a batch ------------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
pub struct DoneQuery {
    #[serde(default)]
    done: Option<String>,
}

fn done_text(done: Option<&str>) -> Option<String> {
    let done = done?;
    let fixed = match done {
        "created" => Some("批次已创建，各地可以开始申报。"),
        "notice" => Some("公示已启动，拟认定名单已在公示页面公开。"),
        "assigned" => Some("专家已分配。"),
        "decided" => Some("异议已处理并记录在案。"),
        _ => None,
    };
    if let Some(f) = fixed {
        return Some(f.to_string());
    }
    done.parse::<Action>()
        .ok()
        .map(|a| format!("「{}」已办理。", a.name_zh()))
}

pub struct AppRow {
    pub id: i64,
    pub authority: String,
    pub rank: String,
    pub cluster: String,
    pub county: String,
    pub leading_industry: String,
    pub state: &'static str,
    pub can_receive: bool,
    pub experts: String,
    pub mean: String,
}

pub struct QuotaRow {
    pub authority: String,
    pub kind: &'static str,
    pub quota: u32,
    pub used: u32,
}

pub struct NoticeRow {
    pub id: i64,
    pub title: String,
    pub start: String,
    pub end: String,
    pub days: u32,
    pub status: &'static str,
}

#[derive(Template)]
#[template(path = "ministry_batch.html")]
struct BatchPage {
    viewer: Viewer,
    base: &'static str,
    app_base: &'static str,
    runner: String,
    batch: Batch,
    notice: Option<String>,
    quotas: Vec<QuotaRow>,
    apps: Vec<AppRow>,
    notices: Vec<NoticeRow>,
    shortlisted: usize,
    in_notice: usize,
    today: String,
    recognized: usize,
}

fn kind_zh(code: &str) -> &'static str {
    match authority_by_code(code).map(|a| a.kind) {
        Some(AuthorityKind::PlanCity) => "计划单列市",
        Some(AuthorityKind::Xpcc) => "兵团",
        _ => "省、自治区、直辖市",
    }
}

async fn load_batch(conn: &mut jiqun_store::Conn, id: &str) -> WebResult<Batch> {
    let id = parse_id(id)?;
    batches::get(conn, id).await?.ok_or(WebError::NotFound)
}

async fn batch_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> WebResult<Response> {
    let mut conn = state.db.acquire().await?;
    let batch = load_batch(&mut conn, &id).await?;
    require_runner(&user, &batch)?;
    let level = batch.workflow_level();
    let all = applications::list(&mut conn, &Scope::National, Some(batch.id), None).await?;
    // The ministry sees what the provinces recommended (and what followed); drafts and
    // provincial steps stay with the provinces.
    let mut shown: Vec<&Application> = all
        .iter()
        .filter(|a| QUOTA_STATES.contains(&a.state))
        .collect();
    shown.sort_by(|a, b| {
        (a.authority_code.as_str(), a.rank.unwrap_or(i64::MAX), a.id).cmp(&(
            b.authority_code.as_str(),
            b.rank.unwrap_or(i64::MAX),
            b.id,
        ))
    });
    let mut cluster_cache: HashMap<i64, Cluster> = HashMap::new();
    let mut apps = Vec::with_capacity(shown.len());
    for a in shown {
        let cluster = match cluster_cache.get(&a.cluster_id) {
            Some(c) => c.clone(),
            None => {
                let c = clusters::get(&mut conn, &Scope::National, a.cluster_id)
                    .await?
                    .ok_or(WebError::NotFound)?;
                cluster_cache.insert(a.cluster_id, c.clone());
                c
            }
        };
        let assignments = experts::for_application(&mut conn, a.id).await?;
        let submitted = assignments.iter().filter(|x| x.submitted()).count();
        let agg = if submitted > 0 {
            experts::aggregate(&mut conn, a).await?.overall_mean
        } else {
            None
        };
        apps.push(AppRow {
            id: a.id,
            authority: authority_name(&a.authority_code),
            rank: a.rank.map(|r| r.to_string()).unwrap_or_default(),
            cluster: cluster.name.clone(),
            county: place_name(&a.county_code),
            leading_industry: cluster.leading_industry.clone(),
            state: a.state.name_zh_at(level),
            can_receive: a.state == WfState::Recommended,
            experts: if assignments.is_empty() {
                String::new()
            } else {
                format!("{submitted}/{}", assignments.len())
            },
            mean: agg.map(one_decimal).unwrap_or_default(),
        });
    }
    // Quotas of every authority that has recommended or has its own quota.
    let mut codes: Vec<String> = all
        .iter()
        .filter(|a| QUOTA_STATES.contains(&a.state))
        .map(|a| a.authority_code.clone())
        .collect();
    for a in authorities().iter().filter(|_| !batch.is_provincial()) {
        let own = batches::quota_for(&mut conn, &batch, a.code).await?;
        let default = match a.kind {
            AuthorityKind::Province => batch.quota_default,
            _ => batch.quota_small,
        };
        if own != default {
            codes.push(a.code.to_string());
        }
    }
    if batch.is_provincial() {
        // A province's own batch has no ministry quotas (the city cap is shown instead).
        codes.clear();
    }
    codes.sort();
    codes.dedup();
    let mut quotas = Vec::with_capacity(codes.len());
    for code in codes {
        quotas.push(QuotaRow {
            authority: authority_name(&code),
            kind: kind_zh(&code),
            quota: batches::quota_for(&mut conn, &batch, &code).await?,
            used: applications::quota_used(&mut conn, batch.id, &code).await?,
        });
    }
    let today = state.clock.today();
    let notices = notices::for_batch(&mut conn, batch.id)
        .await?
        .into_iter()
        .map(|n| NoticeRow {
            id: n.id,
            status: n.status_zh(today),
            title: n.title,
            start: n.start_date.to_string(),
            end: n.end_date.to_string(),
            days: n.working_days,
        })
        .collect();
    let count = |s: WfState| all.iter().filter(|a| a.state == s).count();
    let page = BatchPage {
        viewer: Viewer::of(&user),
        base: base_of(&batch),
        app_base: app_base(&batch),
        runner: batch.runner_zh(),
        notice: done_text(q.done.as_deref()),
        quotas,
        apps,
        notices,
        shortlisted: count(WfState::Shortlisted),
        in_notice: count(WfState::InPublicNotice),
        recognized: count(WfState::Recognized),
        today: today.to_string(),
        batch,
    };
    Ok(Html(page.render()?).into_response())
}

// ---- one application ----------------------------------------------------------------------

pub struct ExpertOpt {
    pub id: i64,
    pub label: String,
    pub conflicted: bool,
}

pub struct AssignmentRow {
    pub name: String,
    pub home: String,
    pub status: &'static str,
    pub recommendation: String,
    pub assigned_at: String,
}

pub struct CriterionRow {
    pub id: String,
    pub text: String,
    pub n: usize,
    pub mean: String,
    pub min: i64,
    pub max: i64,
}

pub struct ExpertRow {
    pub name: String,
    pub scores: Vec<String>,
    pub mean: String,
    pub min: i64,
    pub max: i64,
    pub std: String,
    pub recommendation: String,
    pub comment: String,
}

pub struct ObjectionRow {
    pub id: i64,
    pub name: String,
    pub contact: String,
    pub content: String,
    pub status: &'static str,
    pub pending: bool,
    pub reason: String,
    pub decided_at: String,
    pub created_at: String,
    pub files: Vec<(i64, String, String)>,
}

pub struct HistoryRow {
    pub at: String,
    pub action: &'static str,
    pub from: &'static str,
    pub to: &'static str,
    pub who: String,
    pub comment: String,
}

#[derive(Template)]
#[template(path = "ministry_application.html")]
struct ApplicationPage {
    viewer: Viewer,
    base: &'static str,
    self_path: String,
    runner: String,
    notice: Option<String>,
    app: Application,
    cluster: Cluster,
    batch: Batch,
    county: String,
    authority: String,
    state_name: &'static str,
    actions: Vec<(&'static str, &'static str, bool)>,
    can_assign: bool,
    pool: Vec<ExpertOpt>,
    assignments: Vec<AssignmentRow>,
    min_experts: usize,
    criteria: Vec<CriterionRow>,
    experts: Vec<ExpertRow>,
    overall: String,
    recommend: usize,
    not_recommend: usize,
    complete: bool,
    notice_info: Option<String>,
    objections: Vec<ObjectionRow>,
    recognition: Option<String>,
    history: Vec<HistoryRow>,
    /// P.provincial from the tier record and a false provincial claim (issue 8).
    record: Option<crate::tiers::RecordFinding>,
}

/// The steps this page offers (the notice steps have their own forms).
const PAGE_ACTIONS: [Action; 4] = [
    Action::Receive,
    Action::StartExpertReview,
    Action::Shortlist,
    Action::Reject,
];

fn aggregate_rows(agg: &Aggregate) -> (Vec<CriterionRow>, Vec<ExpertRow>) {
    let criteria = agg
        .criteria
        .iter()
        .map(|c| CriterionRow {
            id: c.criterion_id.clone(),
            text: c.text_zh.clone(),
            n: c.n,
            mean: if c.n > 0 {
                one_decimal(c.mean)
            } else {
                String::new()
            },
            min: c.min,
            max: c.max,
        })
        .collect();
    let experts = agg
        .experts
        .iter()
        .map(|e| ExpertRow {
            name: e.assignment.expert_name.clone(),
            scores: e
                .scores
                .iter()
                .map(|s| s.map(|s| s.to_string()).unwrap_or_default())
                .collect(),
            mean: one_decimal(e.mean),
            min: e.min,
            max: e.max,
            std: one_decimal(e.std),
            recommendation: e
                .assignment
                .recommendation
                .map(|r| r.name_zh().to_string())
                .unwrap_or_default(),
            comment: e
                .assignment
                .recommendation_comment
                .clone()
                .unwrap_or_default(),
        })
        .collect();
    (criteria, experts)
}

async fn application_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> WebResult<Response> {
    let id = parse_id(&id)?;
    let mut conn = state.db.acquire().await?;
    let app = applications::get(&mut conn, &user.scope(), id)
        .await?
        .ok_or(WebError::NotFound)?;
    let batch = batches::get(&mut conn, app.batch_id)
        .await?
        .ok_or(WebError::NotFound)?;
    require_runner(&user, &batch)?;
    let level = batch.workflow_level();
    let cluster = clusters::get(&mut conn, &Scope::National, app.cluster_id)
        .await?
        .ok_or(WebError::NotFound)?;
    let actions = PAGE_ACTIONS
        .into_iter()
        .filter(|a| a.from_states().contains(&app.state))
        .map(|a| (a.as_str(), a.name_zh(), a.requires_comment()))
        .collect();
    let can_assign = matches!(app.state, WfState::UnderReview | WfState::ExpertReview);
    let assigned = experts::for_application(&mut conn, app.id).await?;
    let pool = experts::pool(&mut conn)
        .await?
        .into_iter()
        .filter(|e| !assigned.iter().any(|a| a.expert_user_id == e.user_id))
        .map(|e| {
            let conflict = experts::check_conflict_in(
                &batch,
                e.home_province.as_deref(),
                &app.county_code,
                &app.authority_code,
            );
            let home = e
                .home_province
                .as_deref()
                .map(place_name)
                .unwrap_or_else(|| "未登记省份".into());
            ExpertOpt {
                id: e.user_id,
                label: format!(
                    "{}（{}，{}）{}",
                    e.display_name,
                    e.username,
                    home,
                    if conflict.is_err() {
                        " — 须回避"
                    } else {
                        ""
                    }
                ),
                conflicted: conflict.is_err(),
            }
        })
        .collect();
    let assignments = assigned
        .iter()
        .map(|a| AssignmentRow {
            name: a.expert_name.clone(),
            home: a
                .expert_home_province
                .as_deref()
                .map(place_name)
                .unwrap_or_default(),
            status: a.status_zh(),
            recommendation: a
                .recommendation
                .map(|r| r.name_zh().to_string())
                .unwrap_or_default(),
            assigned_at: local_time(&a.assigned_at),
        })
        .collect();
    let agg = experts::aggregate(&mut conn, &app).await?;
    let (criteria, expert_rows) = aggregate_rows(&agg);
    let today = state.clock.today();
    let notice_info = if matches!(
        app.state,
        WfState::InPublicNotice | WfState::Recognized | WfState::Rejected
    ) {
        notices::of_application(&mut conn, &app).await?.map(|n| {
            format!(
                "{}：{} 至 {}（{} 个工作日，{}）",
                n.title,
                n.start_date,
                n.end_date,
                n.working_days,
                n.status_zh(today)
            )
        })
    } else {
        None
    };
    let mut objections = Vec::new();
    for o in notices::objections_for(&mut conn, app.id).await? {
        let files = attachments::list(&mut conn, "objection", o.id)
            .await?
            .into_iter()
            .map(|f| {
                let size = f.size_text();
                (f.id, f.filename, size)
            })
            .collect();
        objections.push(ObjectionRow {
            id: o.id,
            name: o.objector_name,
            contact: o.contact,
            content: o.content,
            status: o.status.name_zh(),
            pending: o.status == ObjectionStatus::Received,
            reason: o.decision_reason.unwrap_or_default(),
            decided_at: o.decided_at.as_deref().map(local_time).unwrap_or_default(),
            created_at: local_time(&o.created_at),
            files,
        });
    }
    let recognition = recognitions::for_application(&mut conn, app.id)
        .await?
        .map(|r| {
            format!(
                "有效期 {} 至 {}（{}）",
                r.valid_from,
                r.valid_until,
                r.status_zh()
            )
        });
    let history = applications::transitions(&mut conn, app.id)
        .await?
        .into_iter()
        .map(|t| HistoryRow {
            at: local_time(&t.at),
            action: t.action.name_zh(),
            from: t.from_state.name_zh_at(level),
            to: t.to_state.name_zh_at(level),
            who: format!("{}（{}）", t.actor_name, t.actor_org_name),
            comment: t.comment.unwrap_or_default(),
        })
        .collect();
    let record = applications::version(&mut conn, app.id, app.current_version)
        .await?
        .and_then(|v| crate::tiers::record_finding(v.evaluation.as_deref()));
    let page = ApplicationPage {
        viewer: Viewer::of(&user),
        base: base_of(&batch),
        self_path: app_path(&batch, app.id),
        runner: batch.runner_zh(),
        notice: done_text(q.done.as_deref()),
        county: place_name(&app.county_code),
        authority: authority_name(&app.authority_code),
        state_name: app.state.name_zh_at(level),
        actions,
        can_assign,
        pool,
        assignments,
        min_experts: jiqun_domain::workflow::MIN_EXPERTS,
        criteria,
        experts: expert_rows,
        overall: agg.overall_mean.map(one_decimal).unwrap_or_default(),
        recommend: agg.recommend,
        not_recommend: agg.not_recommend,
        complete: agg.complete(),
        notice_info,
        objections,
        recognition,
        history,
        record,
        app,
        cluster,
        batch,
    };
    Ok(Html(page.render()?).into_response())
}

#[derive(Debug, Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    comment: String,
}

/// Receive, start expert review, shortlist, reject. The role, the state and the comment
/// are the state machine's to check (`apply`); shortlisting also needs every assigned
/// expert's scores in.
async fn transition(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): Form<ActionForm>,
) -> WebResult<Response> {
    user.check_csrf(&form.csrf)?;
    let id = parse_id(&id)?;
    let action: Action = form.action.trim().parse().map_err(WebError::BadRequest)?;
    if !PAGE_ACTIONS.contains(&action) {
        return Err(WebError::BadRequest(format!(
            "「{}」不在此办理",
            action.name_zh()
        )));
    }
    let actor = user.actor();
    let comment = Some(form.comment.trim()).filter(|c| !c.is_empty());
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    // `apply` checks role, state, reason, and that every expert has scored before a shortlist.
    let app = applications::apply(&mut tx, &actor, id, action, comment, now).await?;
    let batch = batches::get(&mut tx, app.batch_id)
        .await?
        .ok_or(WebError::NotFound)?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Redirect::to(&format!(
        "{}?done={}",
        app_path(&batch, id),
        action.as_str()
    ))
    .into_response())
}

#[derive(Debug, Deserialize)]
pub struct AssignForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    expert_user_id: String,
}

async fn assign_expert(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): Form<AssignForm>,
) -> WebResult<Response> {
    user.check_csrf(&form.csrf)?;
    let id = parse_id(&id)?;
    let expert: i64 = form
        .expert_user_id
        .trim()
        .parse()
        .map_err(|_| WebError::BadRequest("请选择要分配的专家。".into()))?;
    let mut tx = state.db.begin().await?;
    let a = experts::assign(&mut tx, &user.actor(), id, expert, state.clock.now()).await?;
    let app = experts::application_of(&mut tx, &a).await?;
    let batch = batches::get(&mut tx, app.batch_id)
        .await?
        .ok_or(WebError::NotFound)?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Redirect::to(&format!("{}?done=assigned#experts", app_path(&batch, id))).into_response())
}

// ---- public notice, objections, publication -------------------------------------------------

#[derive(Debug, Deserialize)]
pub struct NoticeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    start_date: String,
    #[serde(default)]
    title: String,
}

async fn open_notice(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): Form<NoticeForm>,
) -> WebResult<Response> {
    user.check_csrf(&form.csrf)?;
    let id = parse_id(&id)?;
    let start = parse_date(&form.start_date, "公示开始日期")
        .map_err(WebError::BadRequest)?
        .ok_or_else(|| WebError::BadRequest("请填写公示开始日期。".into()))?;
    let mut tx = state.db.begin().await?;
    let batch = batches::get(&mut tx, id).await?.ok_or(WebError::NotFound)?;
    notices::open(
        &mut tx,
        &user.actor(),
        id,
        start,
        Some(form.title.as_str()),
        state.clock.today(),
        state.clock.now(),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Redirect::to(&format!(
        "{}/batches/{id}?done=notice#notices",
        base_of(&batch)
    ))
    .into_response())
}

#[derive(Debug, Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    reason: String,
}

async fn decide_objection(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): Form<DecisionForm>,
) -> WebResult<Response> {
    user.check_csrf(&form.csrf)?;
    let id = parse_id(&id)?;
    let upheld = match form.decision.trim() {
        "upheld" => true,
        "dismissed" => false,
        _ => {
            return Err(WebError::BadRequest(
                "请选择处理结果：异议成立或异议不成立。".into(),
            ));
        }
    };
    let mut tx = state.db.begin().await?;
    let o = notices::decide(
        &mut tx,
        &user.actor(),
        id,
        upheld,
        &form.reason,
        state.clock.now(),
    )
    .await?;
    let app = applications::get(&mut tx, &Scope::National, o.application_id)
        .await?
        .ok_or(WebError::NotFound)?;
    let batch = batches::get(&mut tx, app.batch_id)
        .await?
        .ok_or(WebError::NotFound)?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Redirect::to(&format!(
        "{}?done=decided#objections",
        app_path(&batch, o.application_id)
    ))
    .into_response())
}

/// An objection's evidence file, for the ministry only.
async fn objection_file(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, attachment)): Path<(String, String)>,
) -> WebResult<Response> {
    let id = parse_id(&id)?;
    let att_id = parse_id(&attachment)?;
    let mut conn = state.db.acquire().await?;
    let o = notices::objection(&mut conn, id)
        .await?
        .ok_or(WebError::NotFound)?;
    let app = applications::get(&mut conn, &user.scope(), o.application_id)
        .await?
        .ok_or(WebError::NotFound)?;
    let batch = batches::get(&mut conn, app.batch_id)
        .await?
        .ok_or(WebError::NotFound)?;
    require_runner(&user, &batch)?;
    let att = attachments::get(&mut conn, att_id)
        .await?
        .filter(|a| a.owner_type == "objection" && a.owner_id == id)
        .ok_or(WebError::NotFound)?;
    drop(conn);
    let bytes = attachments::read(&state.config.files_dir, &att).await?;
    Ok(crate::download::private_file(
        bytes,
        &att.content_type,
        &att.filename,
    ))
}

pub struct OutcomeRow {
    pub id: i64,
    pub cluster: String,
    pub note: String,
}

#[derive(Template)]
#[template(path = "ministry_publish.html")]
struct PublishPage {
    viewer: Viewer,
    base: &'static str,
    app_base: &'static str,
    batch: Batch,
    recognized: Vec<OutcomeRow>,
    rejected: Vec<OutcomeRow>,
    held: Vec<OutcomeRow>,
}

async fn publish(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): Form<crate::auth::CsrfForm>,
) -> WebResult<Response> {
    user.check_csrf(&form.csrf)?;
    let mut tx = state.db.begin().await?;
    let batch = load_batch(&mut tx, &id).await?;
    let today = state.clock.today();
    let outcome =
        recognitions::publish(&mut tx, &user.actor(), batch.id, today, state.clock.now()).await?;
    let recognized: Vec<(Application, String)> = outcome
        .recognized
        .into_iter()
        .map(|a| (a, String::new()))
        .collect();
    let rejected: Vec<(Application, String)> = outcome
        .rejected
        .into_iter()
        .map(|a| (a, "异议成立，不予认定".to_string()))
        .collect();
    let held = outcome.held;
    let mut named = Vec::new();
    for list in [recognized, rejected, held] {
        let mut out = Vec::with_capacity(list.len());
        for (a, note) in list {
            let cluster = clusters::get(&mut tx, &Scope::National, a.cluster_id)
                .await?
                .map(|c| c.name)
                .unwrap_or_default();
            let note = if a.state == WfState::Recognized {
                recognitions::for_application(&mut tx, a.id)
                    .await?
                    .map(|r| format!("有效期 {} 至 {}", r.valid_from, r.valid_until))
                    .unwrap_or_default()
            } else {
                note
            };
            out.push(OutcomeRow {
                id: a.id,
                cluster,
                note,
            });
        }
        named.push(out);
    }
    tx.commit().await.map_err(StoreError::from)?;
    let held = named.pop().unwrap_or_default();
    let rejected = named.pop().unwrap_or_default();
    let recognized = named.pop().unwrap_or_default();
    let page = PublishPage {
        viewer: Viewer::of(&user),
        base: base_of(&batch),
        app_base: app_base(&batch),
        batch,
        recognized,
        rejected,
        held,
    };
    Ok(Html(page.render()?).into_response())
}
