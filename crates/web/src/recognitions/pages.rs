//! The Chinese pages of dynamic management. Every form posts back and redirects to the
//! recognition's page; an invalid annual report or 复核 form re-renders the page with every
//! problem listed and the text kept, so nothing typed is lost.

use super::{
    CHANGE_KINDS, ChangeInput, INCIDENT_KINDS, INCIDENT_LEVELS, IncidentInput, in_tx, parse_ground,
    parse_id, parse_year,
};
use crate::AppState;
use crate::applications::form::FormData;
use crate::applications::{authority_name, place_name};
use crate::auth::{CurrentUser, MaybeUser};
use crate::error::{WebError, WebResult};
use crate::pages::Viewer;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use jiqun_domain::criteria::InputError;
use jiqun_domain::dynamic::{self as rules, Ground};
use jiqun_domain::role::Role;
use jiqun_store::dynamic::{self, Case, Managed, Reexam, ReportDue};
use jiqun_store::{Conn, Scope, StoreError};
use serde_json::{Value, json};

/// One row of a list.
pub struct Row {
    pub id: i64,
    pub cluster: String,
    pub place: String,
    pub authority: String,
    pub batch: String,
    pub valid_until: String,
    pub status: String,
    pub extra: String,
}

fn row(m: &Managed, extra: String) -> Row {
    Row {
        id: m.id,
        cluster: m.cluster_name.clone(),
        place: place_name(&m.county_code),
        authority: authority_name(&m.authority_code),
        batch: m.batch_title.clone(),
        valid_until: m.valid_until.to_string(),
        status: m.status_zh().to_string(),
        extra,
    }
}

pub struct CaseRow {
    pub id: i64,
    pub cluster: String,
    pub authority: String,
    pub article: String,
    pub ground: String,
    pub status: String,
    pub facts: String,
}

fn case_row(c: &Case, cluster: &str, authority: &str) -> CaseRow {
    CaseRow {
        id: c.id,
        cluster: cluster.to_string(),
        authority: authority_name(authority),
        article: c.ground.article().to_string(),
        ground: c.ground.text_zh().to_string(),
        status: c.status_zh().to_string(),
        facts: c.facts.clone(),
    }
}

#[derive(Template)]
#[template(path = "recognitions.html")]
struct ListPage {
    viewer: Viewer,
    today: String,
    due_soon: Vec<Row>,
    overdue: Vec<Row>,
    to_review: Vec<Row>,
    expiring: Vec<Row>,
    reexams: Vec<Row>,
    cases: Vec<CaseRow>,
    all: Vec<Row>,
}

fn require_official(user: &CurrentUser) -> WebResult<Scope> {
    match user.scope() {
        Scope::Nothing => Err(WebError::Forbidden(
            "此页面供县级、省级主管部门和工业和信息化部使用。".into(),
        )),
        s => Ok(s),
    }
}

/// `GET /recognitions`: 认定后管理 — the watch lists and every recognition in scope.
pub async fn list(State(state): State<AppState>, user: CurrentUser) -> WebResult<Response> {
    let scope = require_official(&user)?;
    let today = state.clock.today();
    let mut conn = state.db.acquire().await?;
    let l = dynamic::lists(&mut conn, &scope, today).await?;
    let dues = |v: &[(Managed, ReportDue)]| -> Vec<Row> {
        v.iter()
            .map(|(m, d)| {
                row(
                    m,
                    format!("{}年度，截止 {}，{}", d.year, d.due, d.state_zh()),
                )
            })
            .collect()
    };
    let all = dynamic::list_managed(&mut conn, &scope)
        .await?
        .iter()
        .map(|m| row(m, String::new()))
        .collect();
    let page = ListPage {
        viewer: Viewer::of(&user),
        today: today.to_string(),
        due_soon: dues(&l.due_soon),
        overdue: dues(&l.overdue),
        to_review: dues(&l.to_review),
        expiring: l
            .expiring
            .iter()
            .map(|m| {
                row(
                    m,
                    format!(
                        "复核申请期 {} 至 {}",
                        rules::reexam_opens(m.valid_until, m.reexam_window_months),
                        m.valid_until
                    ),
                )
            })
            .collect(),
        reexams: l
            .reexams_pending
            .iter()
            .map(|(m, r)| row(m, r.status_zh().to_string()))
            .collect(),
        cases: l
            .open_cases
            .iter()
            .map(|c| case_row(&c.case, &c.cluster_name, &c.authority_code))
            .collect(),
        all,
    };
    Ok(Html(page.render()?).into_response())
}

pub struct ReportLine {
    pub year: i32,
    pub due: String,
    pub state: String,
    pub overdue: bool,
    pub status: String,
    pub eligible: String,
    pub comment: String,
    pub can_fill: bool,
    pub can_submit: bool,
    pub can_review: bool,
}

pub struct ChangeLine {
    pub kind: String,
    pub before: String,
    pub after: String,
    pub effective: String,
    pub source: String,
    pub description: String,
}

pub struct IncidentLine {
    /// (attachment id, file name)
    pub files: Vec<(i64, String)>,
    pub occurred_on: String,
    pub kind: String,
    pub level: String,
    pub source: String,
    pub description: String,
    pub serious: bool,
}

pub struct ReexamLine {
    pub valid_until: String,
    pub status: String,
    pub eligible: String,
    pub rate: String,
    pub province: String,
    pub decision: String,
}

pub struct TimeLine {
    pub at: String,
    pub title: String,
    pub detail: String,
}

/// What an invalid submission brings back to the page.
#[derive(Default)]
pub struct Flash {
    pub errors: Vec<String>,
    pub report_year: String,
    pub report_text: String,
    pub reexam_text: String,
}

#[derive(Template)]
#[template(path = "recognition.html")]
struct ShowPage {
    viewer: Viewer,
    m: Managed,
    place: String,
    authority: String,
    today: String,
    reexam_opens: String,
    reexam_open: bool,
    reports: Vec<ReportLine>,
    changes: Vec<ChangeLine>,
    incidents: Vec<IncidentLine>,
    cases: Vec<CaseRow>,
    reexams: Vec<ReexamLine>,
    pending_reexam: Option<Reexam>,
    timeline: Vec<TimeLine>,
    live: bool,
    flash: Flash,
    change_kinds: &'static [(&'static str, &'static str)],
    incident_kinds: &'static [(&'static str, &'static str)],
    incident_levels: &'static [(&'static str, &'static str)],
    grounds: Vec<(&'static str, String)>,
}

fn yes_no(v: Option<bool>) -> String {
    match v {
        Some(true) => "符合".into(),
        Some(false) => "不符合".into(),
        None => "—".into(),
    }
}

async fn render_show(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    flash: Flash,
) -> WebResult<Response> {
    let scope = require_official(user)?;
    let today = state.clock.today();
    let mut conn = state.db.acquire().await?;
    let m = dynamic::managed(&mut conn, &scope, id)
        .await?
        .ok_or(WebError::NotFound)?;
    let is_county = user.user.has_role(Role::County);
    let is_province = user.user.has_role(Role::Province);
    let live = m.is_live();
    let reports = dynamic::report_schedule(&mut conn, &m, today)
        .await?
        .into_iter()
        .map(|d| {
            let status = d
                .report
                .as_ref()
                .map(|r| r.status.clone())
                .unwrap_or_default();
            ReportLine {
                year: d.year,
                due: d.due.to_string(),
                state: d.state_zh(),
                overdue: d.is_overdue(),
                eligible: yes_no(d.report.as_ref().and_then(|r| r.eligible)),
                comment: d
                    .report
                    .as_ref()
                    .and_then(|r| r.comment.clone())
                    .unwrap_or_default(),
                can_fill: live
                    && is_county
                    && rules::year_has_ended(d.year, today)
                    && matches!(status.as_str(), "" | "draft"),
                can_submit: live && is_county && status == "draft",
                can_review: is_province && status == "submitted",
                status,
            }
        })
        .collect();
    let changes = dynamic::changes(&mut conn, m.id)
        .await?
        .iter()
        .map(|c| ChangeLine {
            kind: c.kind_zh().into(),
            before: c.before_value.clone(),
            after: c.after_value.clone(),
            effective: c.effective_date.to_string(),
            source: if c.source == "reported" {
                "县级报备"
            } else {
                "省级发现（未报备）"
            }
            .into(),
            description: c.description.clone(),
        })
        .collect();
    let mut incidents = Vec::new();
    for i in dynamic::incidents(&mut conn, m.id).await? {
        let files = jiqun_store::attachments::list(&mut conn, "incident", i.id)
            .await?
            .into_iter()
            .map(|a| (a.id, a.filename))
            .collect();
        incidents.push(IncidentLine {
            files,
            occurred_on: i.occurred_on.to_string(),
            kind: dynamic::incident_kind_zh(&i.kind).into(),
            level: dynamic::incident_level_zh(&i.level).into(),
            source: i.source.clone(),
            description: i.description.clone(),
            serious: i.serious,
        });
    }
    let cases = dynamic::cases(&mut conn, m.id)
        .await?
        .iter()
        .map(|c| case_row(c, &m.cluster_name, &m.authority_code))
        .collect();
    let all_reexams = dynamic::reexams(&mut conn, m.id).await?;
    let pending_reexam = all_reexams
        .iter()
        .find(|r| {
            r.valid_until == m.valid_until
                && matches!(r.status.as_str(), "submitted" | "province_checked")
        })
        .cloned();
    let current_exists = all_reexams.iter().any(|r| r.valid_until == m.valid_until);
    let reexams = all_reexams
        .iter()
        .map(|r| ReexamLine {
            valid_until: r.valid_until.to_string(),
            status: r.status_zh().into(),
            eligible: yes_no(r.eligible),
            rate: r
                .achievement_rate
                .as_deref()
                .and_then(|s| s.parse::<rust_decimal::Decimal>().ok())
                .map(|d| format!("{}%", (d * rust_decimal::Decimal::ONE_HUNDRED).round_dp(1)))
                .unwrap_or_else(|| "—".into()),
            province: match (&r.province_result, &r.province_opinion) {
                (Some(res), op) => format!(
                    "{}{}",
                    if res == "pass" { "通过" } else { "不通过" },
                    op.as_deref()
                        .filter(|o| !o.is_empty())
                        .map(|o| format!("：{o}"))
                        .unwrap_or_default()
                ),
                _ => "—".into(),
            },
            decision: r.decision_reason.clone().unwrap_or_else(|| "—".into()),
        })
        .collect();
    let timeline = dynamic::timeline(&mut conn, &m)
        .await?
        .into_iter()
        .map(|t| TimeLine {
            at: t.at.chars().take(10).collect(),
            title: t.title,
            detail: t.detail,
        })
        .collect();
    let reexam_open = live
        && is_county
        && !current_exists
        && rules::reexam_open(m.valid_until, m.reexam_window_months, today);
    let page = ShowPage {
        viewer: Viewer::of(user),
        place: place_name(&m.county_code),
        authority: authority_name(&m.authority_code),
        today: today.to_string(),
        reexam_opens: rules::reexam_opens(m.valid_until, m.reexam_window_months).to_string(),
        reexam_open,
        reports,
        changes,
        incidents,
        cases,
        reexams,
        pending_reexam,
        timeline,
        live,
        flash,
        change_kinds: &CHANGE_KINDS,
        incident_kinds: &INCIDENT_KINDS,
        incident_levels: &INCIDENT_LEVELS,
        grounds: Ground::ALL
            .iter()
            .map(|g| (g.as_str(), format!("{} {}", g.article(), g.text_zh())))
            .collect(),
        m,
    };
    Ok(Html(page.render()?).into_response())
}

/// `GET /recognitions/{id}`.
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> WebResult<Response> {
    render_show(&state, &user, parse_id(&id)?, Flash::default()).await
}

fn back(id: i64, anchor: &str) -> Response {
    Redirect::to(&format!("/recognitions/{id}#{anchor}")).into_response()
}

/// A refused or invalid step: the page again with the message (nothing was changed).
async fn with_error(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    e: WebError,
    mut flash: Flash,
) -> WebResult<Response> {
    match e {
        WebError::BadRequest(m) | WebError::Conflict(m) => {
            flash.errors.push(m);
            let mut resp = render_show(state, user, id, flash).await?;
            *resp.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(resp)
        }
        other => Err(other),
    }
}

/// Each problem as "path：message" (InputError's Display).
fn input_errors(errs: &[InputError]) -> Vec<String> {
    errs.iter().map(ToString::to_string).collect()
}

/// The annual report from the form: an uploaded .json file or the text area.
fn report_text(form: &FormData) -> WebResult<String> {
    if let Some(f) = form.files("file").next() {
        return String::from_utf8(f.bytes.clone()).map_err(|_| {
            WebError::BadRequest(format!(
                "上传的文件「{}」不是 UTF-8 编码的 JSON 文本",
                f.filename
            ))
        });
    }
    Ok(form.trimmed("content").to_string())
}

/// `POST /recognitions/{id}/reports/{year}`: save the draft (county).
pub async fn save_report(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, year)): Path<(String, String)>,
    form: FormData,
) -> WebResult<Response> {
    user.check_csrf(form.csrf())?;
    let (id, year) = (parse_id(&id)?, parse_year(&year)?);
    if let Some(book) = workbook(&form) {
        return match jiqun_xlsx::import_annual(&book.bytes) {
            Ok(raw) => save_parsed_report(&state, &user, id, year, raw, String::new()).await,
            Err(errs) => {
                let msg = format!(
                    "Excel 文件「{}」有 {} 处问题，未保存：",
                    book.filename,
                    errs.len()
                );
                let flash = Flash {
                    errors: errs.iter().map(ToString::to_string).collect(),
                    report_year: year.to_string(),
                    ..Flash::default()
                };
                with_error(&state, &user, id, WebError::BadRequest(msg), flash).await
            }
        };
    }
    let text = report_text(&form)?;
    let raw: Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => {
            let msg = format!(
                "年度报告不是有效的 JSON（第{}行第{}列）：{e}",
                e.line(),
                e.column()
            );
            let flash = Flash {
                report_year: year.to_string(),
                report_text: text.clone(),
                ..Flash::default()
            };
            return with_error(&state, &user, id, WebError::BadRequest(msg), flash).await;
        }
    };
    save_parsed_report(&state, &user, id, year, raw, text).await
}

/// Checks and saves a report read from JSON or Excel; `text` is shown again on error.
async fn save_parsed_report(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    year: i32,
    raw: Value,
    text: String,
) -> WebResult<Response> {
    let flash = |errors: Vec<String>| Flash {
        errors,
        report_year: year.to_string(),
        report_text: text.clone(),
        ..Flash::default()
    };
    let now = state.clock.now();
    let parsed = match rules::parse_annual_report(&raw, jiqun_domain::clock::china_date(now)) {
        Ok(p) if p.year == year => p,
        Ok(p) => {
            let msg = format!("year：报告年度 {} 与所选年度 {year} 不一致", p.year);
            return with_error(state, user, id, WebError::BadRequest(msg), flash(vec![])).await;
        }
        Err(errs) => {
            let n = errs.len();
            return with_error(
                state,
                user,
                id,
                WebError::BadRequest(format!("年度报告有 {n} 处问题，未保存：")),
                flash(input_errors(&errs)),
            )
            .await;
        }
    };
    let result = in_tx(&state.db, async |tx| {
        dynamic::save_report(tx, &user.actor(), id, &raw, &parsed, now)
            .await
            .map(drop)
    })
    .await;
    match result {
        Ok(()) => Ok(back(id, "reports")),
        Err(e) => with_error(state, user, id, e.into(), flash(vec![])).await,
    }
}

/// An uploaded Excel workbook (zip magic or an .xlsx name), if the form carries one.
fn workbook(form: &FormData) -> Option<&crate::applications::form::Upload> {
    form.files("file")
        .next()
        .filter(|f| f.bytes.starts_with(b"PK") || f.filename.to_lowercase().ends_with(".xlsx"))
}

/// `GET /recognitions/{id}/reports/{year}/template.xlsx`: the annual report workbook,
/// pre-filled like the JSON download (blank template if that cannot be built).
pub async fn report_xlsx(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, year)): Path<(String, String)>,
) -> WebResult<Response> {
    let scope = require_official(&user)?;
    let (id, year) = (parse_id(&id)?, parse_year(&year)?);
    let mut conn = state.db.acquire().await?;
    let m = dynamic::managed(&mut conn, &scope, id)
        .await?
        .ok_or(WebError::NotFound)?;
    let report = report_value(&mut conn, &m, year).await?;
    let bytes = match jiqun_xlsx::export_annual(&report) {
        Ok(b) => b,
        Err(_) => jiqun_xlsx::export_annual_template()
            .map_err(|e| WebError::Internal(format!("生成年度报告模板失败：{e:?}")))?,
    };
    let filename = format!("{}-{year}年度培育情况.xlsx", m.cluster_name);
    Ok(crate::download::private_file(
        bytes,
        crate::download::XLSX,
        &filename,
    ))
}

/// Runs one store step in a transaction; a refusal re-renders the page with the reason.
async fn step(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    anchor: &str,
    body: impl for<'c> AsyncFnOnce(&'c mut Conn) -> Result<(), StoreError>,
) -> WebResult<Response> {
    match in_tx(&state.db, body).await {
        Ok(()) => Ok(back(id, anchor)),
        Err(e) => with_error(state, user, id, e.into(), Flash::default()).await,
    }
}

/// `POST /recognitions/{id}/reports/{year}/submit` (county).
pub async fn submit_report(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, year)): Path<(String, String)>,
    form: FormData,
) -> WebResult<Response> {
    user.check_csrf(form.csrf())?;
    let (id, year) = (parse_id(&id)?, parse_year(&year)?);
    let now = state.clock.now();
    step(&state, &user, id, "reports", async |tx| {
        dynamic::submit_report(tx, &user.actor(), id, year, now)
            .await
            .map(drop)
    })
    .await
}

/// `POST /recognitions/{id}/reports/{year}/review` (province): `decision` accept | return.
pub async fn review_report(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, year)): Path<(String, String)>,
    form: FormData,
) -> WebResult<Response> {
    user.check_csrf(form.csrf())?;
    let (id, year) = (parse_id(&id)?, parse_year(&year)?);
    let accept = match form.trimmed("decision") {
        "accept" => true,
        "return" => false,
        other => {
            return Err(WebError::BadRequest(format!(
                "decision：「{other}」无效，应为 accept（审核通过）或 return（退回）"
            )));
        }
    };
    let comment = form.trimmed("comment").to_string();
    let now = state.clock.now();
    step(&state, &user, id, "reports", async |tx| {
        dynamic::review_report(tx, &user.actor(), id, year, accept, &comment, now)
            .await
            .map(drop)
    })
    .await
}

/// `GET /recognitions/{id}/reports/{year}/json`: the saved report, or a starting point built
/// from the cluster's last declaration (window moved to end with `year`), to download and fill.
pub async fn report_json(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, year)): Path<(String, String)>,
) -> WebResult<Response> {
    let scope = require_official(&user)?;
    let (id, year) = (parse_id(&id)?, parse_year(&year)?);
    let mut conn = state.db.acquire().await?;
    let m = dynamic::managed(&mut conn, &scope, id)
        .await?
        .ok_or(WebError::NotFound)?;
    let body = serde_json::to_string_pretty(&report_value(&mut conn, &m, year).await?)
        .map_err(|e| WebError::Internal(e.to_string()))?;
    let filename = format!("annual-report-{}-{year}.json", m.id);
    Ok(crate::download::private_file(
        body,
        "application/json; charset=utf-8",
        &filename,
    ))
}

/// The saved report for `year`, or a starting point built from the cluster's last
/// declaration with the window moved to end with `year`.
async fn report_value(conn: &mut jiqun_store::Conn, m: &Managed, year: i32) -> WebResult<Value> {
    if let Some(r) = dynamic::report(conn, m.id, year).await? {
        return serde_json::from_str(&r.content).map_err(|e| WebError::Internal(e.to_string()));
    }
    let mut decl = latest_declaration(conn, m).await?;
    let targets = decl["plan"]["targets"].as_array().map_or(0, Vec::len);
    decl["batch_year"] = json!(year + 1);
    decl["years"] = json!([year - 2, year - 1, year]);
    let progress: Vec<Value> = (0..targets)
        .map(|i| json!({"target": i, "actual": null, "status": "achieved", "note": ""}))
        .collect();
    Ok(json!({
        "year": year,
        "declaration": decl,
        "progress": progress,
        "work_done": "", "problems": "", "measures": ""
    }))
}

/// The declaration of the recognised application (its current version).
async fn latest_declaration(conn: &mut jiqun_store::Conn, m: &Managed) -> WebResult<Value> {
    let apps =
        jiqun_store::applications::list(conn, &Scope::National, Some(m.batch_id), None).await?;
    let Some(app) = apps.iter().find(|a| a.cluster_id == m.cluster_id) else {
        return Ok(json!({}));
    };
    let versions = jiqun_store::applications::versions(conn, app.id).await?;
    Ok(versions
        .iter()
        .find(|v| v.version == app.current_version)
        .and_then(|v| serde_json::from_str(&v.declaration).ok())
        .unwrap_or_else(|| json!({})))
}

/// `POST /recognitions/{id}/changes` (county: report; province: discovered).
pub async fn record_change(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    form: FormData,
) -> WebResult<Response> {
    user.check_csrf(form.csrf())?;
    let id = parse_id(&id)?;
    let input = match ChangeInput::parse(
        form.trimmed("kind"),
        form.trimmed("after_value"),
        form.trimmed("effective_date"),
        form.trimmed("description"),
    ) {
        Ok(i) => i,
        Err(e) => return with_error(&state, &user, id, e, Flash::default()).await,
    };
    let now = state.clock.now();
    step(&state, &user, id, "changes", async |tx| {
        dynamic::record_change(tx, &user.actor(), id, &input.as_new(), now)
            .await
            .map(drop)
    })
    .await
}

/// `POST /recognitions/{id}/incidents` (province, ministry).
pub async fn record_incident(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    form: FormData,
) -> WebResult<Response> {
    user.check_csrf(form.csrf())?;
    let id = parse_id(&id)?;
    let input = match IncidentInput::parse(
        form.trimmed("kind"),
        form.trimmed("level"),
        form.trimmed("occurred_on"),
        form.trimmed("source"),
        form.trimmed("description"),
    ) {
        Ok(i) => i,
        Err(e) => return with_error(&state, &user, id, e, Flash::default()).await,
    };
    let now = state.clock.now();
    let actor = user.actor();
    let files_dir = state.config.files_dir.clone();
    step(&state, &user, id, "incidents", async |tx| {
        let incident = dynamic::record_incident(tx, &actor, id, &input.as_new(), now).await?;
        keep_files(
            tx,
            &files_dir,
            &actor,
            &form,
            "incident",
            incident.id,
            id,
            now,
        )
        .await?;
        Ok(())
    })
    .await
}

/// Keeps the files uploaded under `files` as evidence of an incident or a case, in the
/// step's transaction (a bad file refuses the whole step).
#[allow(clippy::too_many_arguments)]
async fn keep_files(
    tx: &mut jiqun_store::Conn,
    files_dir: &std::path::Path,
    actor: &jiqun_store::applications::Actor,
    form: &FormData,
    owner_type: &str,
    owner_id: i64,
    recognition_id: i64,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), StoreError> {
    for f in form.files("files") {
        jiqun_store::attachments::store(
            tx,
            files_dir,
            actor.into(),
            &jiqun_store::attachments::NewFile {
                owner_type,
                owner_id,
                version: None,
                filename: &f.filename,
                bytes: &f.bytes,
                audit_object_type: "recognition",
                audit_object_id: recognition_id.to_string(),
            },
            now,
        )
        .await?;
    }
    Ok(())
}

/// `GET /recognitions/{id}/files/{file}`: a file of one of the recognition's incidents or
/// cases (404 outside the caller's jurisdiction or for another recognition's file).
pub async fn download(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, file)): Path<(String, String)>,
) -> WebResult<Response> {
    let scope = require_official(&user)?;
    let (id, file) = (parse_id(&id)?, parse_id(&file)?);
    let mut conn = state.db.acquire().await?;
    let m = dynamic::managed(&mut conn, &scope, id)
        .await?
        .ok_or(WebError::NotFound)?;
    let att = jiqun_store::attachments::get(&mut conn, file)
        .await?
        .ok_or(WebError::NotFound)?;
    let belongs = match att.owner_type.as_str() {
        "incident" => dynamic::incidents(&mut conn, m.id)
            .await?
            .iter()
            .any(|i| i.id == att.owner_id),
        "case" => dynamic::cases(&mut conn, m.id)
            .await?
            .iter()
            .any(|c| c.id == att.owner_id),
        _ => false,
    };
    if !belongs {
        return Err(WebError::NotFound);
    }
    drop(conn);
    let bytes = jiqun_store::attachments::read(&state.config.files_dir, &att).await?;
    Ok(crate::download::private_file(
        bytes,
        &att.content_type,
        &att.filename,
    ))
}

/// `POST /recognitions/{id}/cases` (province, ministry).
pub async fn open_case(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    form: FormData,
) -> WebResult<Response> {
    user.check_csrf(form.csrf())?;
    let id = parse_id(&id)?;
    let ground = match parse_ground(form.trimmed("ground")) {
        Ok(g) => g,
        Err(e) => return with_error(&state, &user, id, e, Flash::default()).await,
    };
    let (facts, evidence) = (
        form.trimmed("facts").to_string(),
        form.trimmed("evidence").to_string(),
    );
    let now = state.clock.now();
    let actor = user.actor();
    let files_dir = state.config.files_dir.clone();
    step(&state, &user, id, "cases", async |tx| {
        let case =
            dynamic::open_case_manual(tx, &actor, id, ground, &facts, &evidence, now).await?;
        keep_files(tx, &files_dir, &actor, &form, "case", case.id, id, now).await?;
        Ok(())
    })
    .await
}

/// `POST /recognitions/{id}/reexam` (county): the 复核 form as JSON (file or text).
pub async fn submit_reexam(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    form: FormData,
) -> WebResult<Response> {
    user.check_csrf(form.csrf())?;
    let id = parse_id(&id)?;
    let text = report_text(&form)?;
    let flash = |errors: Vec<String>| Flash {
        errors,
        reexam_text: text.clone(),
        ..Flash::default()
    };
    let raw: Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => {
            let msg = format!(
                "复核表不是有效的 JSON（第{}行第{}列）：{e}",
                e.line(),
                e.column()
            );
            return with_error(&state, &user, id, WebError::BadRequest(msg), flash(vec![])).await;
        }
    };
    let parsed = match rules::parse_reexam_form(&raw) {
        Ok(p) => p,
        Err(errs) => {
            let msg = format!("复核表有 {} 处问题，未提交：", errs.len());
            return with_error(
                &state,
                &user,
                id,
                WebError::BadRequest(msg),
                flash(input_errors(&errs)),
            )
            .await;
        }
    };
    let now = state.clock.now();
    let result = in_tx(&state.db, async |tx| {
        dynamic::submit_reexam(tx, &user.actor(), id, &raw, &parsed, now)
            .await
            .map(drop)
    })
    .await;
    match result {
        Ok(()) => Ok(back(id, "reexam")),
        Err(e) => with_error(&state, &user, id, e.into(), flash(vec![])).await,
    }
}

fn pass_field(form: &FormData) -> WebResult<bool> {
    match form.trimmed("result") {
        "pass" => Ok(true),
        "fail" => Ok(false),
        other => Err(WebError::BadRequest(format!(
            "result：「{other}」无效，应为 pass（通过）或 fail（不通过）"
        ))),
    }
}

/// `POST /recognitions/{id}/reexam/check` (province).
pub async fn check_reexam(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    form: FormData,
) -> WebResult<Response> {
    user.check_csrf(form.csrf())?;
    let id = parse_id(&id)?;
    let pass = pass_field(&form)?;
    let reason = form.trimmed("reason").to_string();
    let now = state.clock.now();
    step(&state, &user, id, "reexam", async |tx| {
        dynamic::check_reexam(tx, &user.actor(), id, pass, &reason, now)
            .await
            .map(drop)
    })
    .await
}

/// `POST /recognitions/{id}/reexam/decide` (ministry).
pub async fn decide_reexam(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    form: FormData,
) -> WebResult<Response> {
    user.check_csrf(form.csrf())?;
    let id = parse_id(&id)?;
    let pass = pass_field(&form)?;
    let reason = form.trimmed("reason").to_string();
    let now = state.clock.now();
    step(&state, &user, id, "reexam", async |tx| {
        dynamic::decide_reexam(tx, &user.actor(), id, pass, &reason, now)
            .await
            .map(drop)
    })
    .await
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    viewer: Viewer,
    files: Vec<(i64, String)>,
    c: Case,
    m: Managed,
    authority: String,
    error: Option<String>,
}

async fn render_case(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    error: Option<String>,
) -> WebResult<Response> {
    let scope = require_official(user)?;
    let mut conn = state.db.acquire().await?;
    let (c, m) = dynamic::case(&mut conn, &scope, id)
        .await?
        .ok_or(WebError::NotFound)?;
    let files = jiqun_store::attachments::list(&mut conn, "case", c.id)
        .await?
        .into_iter()
        .map(|a| (a.id, a.filename))
        .collect();
    let page = CasePage {
        viewer: Viewer::of(user),
        files,
        authority: authority_name(&m.authority_code),
        c,
        m,
        error,
    };
    Ok(Html(page.render()?).into_response())
}

/// `GET /cases/{id}`.
pub async fn case_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> WebResult<Response> {
    render_case(&state, &user, parse_id(&id)?, None).await
}

async fn case_step(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    result: Result<(), StoreError>,
) -> WebResult<Response> {
    match result.map_err(WebError::from) {
        Ok(()) => Ok(Redirect::to(&format!("/cases/{id}")).into_response()),
        Err(WebError::BadRequest(m) | WebError::Conflict(m)) => {
            let mut resp = render_case(state, user, id, Some(m)).await?;
            *resp.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(resp)
        }
        Err(e) => Err(e),
    }
}

/// `POST /cases/{id}/opinion` (province).
pub async fn case_opinion(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    form: FormData,
) -> WebResult<Response> {
    user.check_csrf(form.csrf())?;
    let id = parse_id(&id)?;
    let opinion = form.trimmed("opinion").to_string();
    let now = state.clock.now();
    let result = in_tx(&state.db, async |tx| {
        dynamic::province_opinion(tx, &user.actor(), id, &opinion, now)
            .await
            .map(drop)
    })
    .await;
    case_step(&state, &user, id, result).await
}

/// `POST /cases/{id}/decide` (ministry): `decision` revoke | close, `reason`.
pub async fn case_decide(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    form: FormData,
) -> WebResult<Response> {
    user.check_csrf(form.csrf())?;
    let id = parse_id(&id)?;
    let revoke = match form.trimmed("decision") {
        "revoke" => true,
        "close" => false,
        other => {
            return Err(WebError::BadRequest(format!(
                "decision：「{other}」无效，应为 revoke（撤销认定）或 close（不予撤销、结案）"
            )));
        }
    };
    let reason = form.trimmed("reason").to_string();
    let now = state.clock.now();
    let result = in_tx(&state.db, async |tx| {
        dynamic::decide_case(tx, &user.actor(), id, revoke, &reason, now)
            .await
            .map(drop)
    })
    .await;
    case_step(&state, &user, id, result).await
}

pub struct RevokedRow {
    pub cluster: String,
    pub place: String,
    pub authority: String,
    pub batch: String,
    pub revoked_on: String,
    pub ground: String,
}

#[derive(Template)]
#[template(path = "public_revoked.html")]
struct RevokedPage {
    rows: Vec<RevokedRow>,
    logged_in: bool,
}

/// `GET /revoked`: the public revocation list (第十七条), no login needed.
pub async fn revoked_public(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
) -> WebResult<Response> {
    let mut conn = state.db.acquire().await?;
    let rows = dynamic::revoked_list(&mut conn)
        .await?
        .iter()
        .map(|m| RevokedRow {
            cluster: m.cluster_name.clone(),
            place: place_name(&m.county_code),
            authority: authority_name(&m.authority_code),
            batch: m.batch_title.clone(),
            revoked_on: m.revoked_on.map(|d| d.to_string()).unwrap_or_default(),
            ground: m
                .revoked_ground
                .as_deref()
                .and_then(|g| g.parse::<Ground>().ok())
                .map(|g| format!("{}：{}", g.article(), g.text_zh()))
                .unwrap_or_default(),
        })
        .collect();
    let page = RevokedPage {
        rows,
        logged_in: user.is_some(),
    };
    Ok(Html(page.render()?).into_response())
}
