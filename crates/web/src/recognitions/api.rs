//! `/api/v1/recognitions…`, `/api/v1/cases…`, `/api/v1/watch`, `/api/v1/revoked`: dynamic
//! management as JSON for a logged-in session. Writes carry `X-CSRF-Token`. Errors are
//! `{"code", "message"}` (and `"errors": [{"path", "message"}]` for an invalid report or
//! form), with 400, 401, 403, 404 (absent or outside the caller's jurisdiction) or 409.

use super::{ChangeInput, IncidentInput, parse_ground, parse_id, parse_year};
use crate::AppState;
use crate::applications::api::{
    ApiError, ApiResult, ApiUser, CsrfHeader, ErrorJson, ObjectPage, WriteRefusals, check_csrf,
    invalid_body,
};
use crate::auth::CurrentUser;
use crate::listing::{ListQuery, page_response};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use jiqun_domain::criteria::InputError;
use jiqun_domain::dynamic as rules;
use jiqun_store::dynamic::{self, AnnualReportRow, Case, Managed, Reexam};
use jiqun_store::{Conn, Scope, StoreError};
use serde::Deserialize;
use serde_json::{Value, json};

fn body_json<T: serde::de::DeserializeOwned>(body: &[u8], shape: &str) -> ApiResult<T> {
    serde_json::from_slice(body).map_err(|e| invalid_body(shape, &e))
}

/// The start every write on one recognition or case shares: the session's CSRF token, the
/// id in the path, then the JSON body of the given shape.
fn write_input<T: serde::de::DeserializeOwned>(
    user: &CurrentUser,
    headers: &HeaderMap,
    id: &str,
    body: &[u8],
    shape: &str,
) -> ApiResult<(i64, T)> {
    check_csrf(user, headers)?;
    let id = parse_id(id)?;
    Ok((id, body_json(body, shape)?))
}

/// Runs `step` in one audited write transaction (`crate::tokens::write_tx`), then answers
/// with the recognition's detail.
async fn write_then_detail<T>(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    step: impl for<'c> AsyncFnOnce(&'c mut Conn) -> Result<T, StoreError>,
) -> ApiResult<Response> {
    crate::tokens::write_tx(state, user, step).await?;
    let mut conn = state.db.acquire().await?;
    Ok(Json(detail(&mut conn, &user.scope(), id, state.clock.today()).await?).into_response())
}

/// 400 with every problem by JSON path.
fn invalid(errors: &[InputError]) -> Response {
    let list: Vec<Value> = errors
        .iter()
        .map(|e| json!({"path": e.path, "message": e.message}))
        .collect();
    let summary: Vec<String> = errors
        .iter()
        .map(|e| format!("{}：{}", e.path, e.message))
        .collect();
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"code": "invalid", "message": format!("共 {} 处问题：{}", errors.len(), summary.join("；")), "errors": list})),
    )
        .into_response()
}

pub(crate) fn managed_json(m: &Managed) -> Value {
    json!({
        "id": m.id, "cluster_id": m.cluster_id, "cluster_name": m.cluster_name,
        "county_code": m.county_code, "authority_code": m.authority_code,
        "leading_industry": m.leading_industry, "batch_id": m.batch_id, "batch_title": m.batch_title,
        "level": m.level, "valid_from": m.valid_from, "valid_until": m.valid_until,
        "status": m.status, "status_name": m.status_zh(), "revoked_on": m.revoked_on,
        "revoked_ground": m.revoked_ground, "extensions": m.extensions,
        "annual_report_due": m.annual_report_due, "reexam_window_months": m.reexam_window_months,
    })
}

fn report_json(r: &AnnualReportRow) -> Value {
    json!({
        "year": r.year, "status": r.status, "status_name": r.status_zh(), "due_date": r.due_date,
        "late": r.late, "eligible": r.eligible, "comment": r.comment,
        "submitted_at": r.submitted_at, "decided_at": r.decided_at,
        "content": serde_json::from_str::<Value>(&r.content).unwrap_or(Value::Null),
    })
}

fn due_json(d: &dynamic::ReportDue) -> Value {
    json!({"year": d.year, "due_date": d.due, "state": d.state_zh(), "overdue": d.is_overdue(),
           "report": d.report.as_ref().map(report_json)})
}

fn case_json(c: &Case) -> Value {
    json!({
        "id": c.id, "recognition_id": c.recognition_id, "ground": c.ground.as_str(),
        "article": c.ground.article(), "ground_text": c.ground.text_zh(), "status": c.status,
        "status_name": c.status_zh(), "facts": c.facts, "evidence": c.evidence,
        "opened_by": c.opened_by, "province_opinion": c.province_opinion,
        "decision_reason": c.decision_reason, "decided_by": c.decided_by, "decided_at": c.decided_at,
        "created_at": c.created_at,
    })
}

fn reexam_json(r: &Reexam) -> Value {
    json!({
        "id": r.id, "valid_until": r.valid_until, "status": r.status, "status_name": r.status_zh(),
        "eligible": r.eligible, "achievement_rate": r.achievement_rate,
        "province_result": r.province_result, "province_opinion": r.province_opinion,
        "decision_reason": r.decision_reason, "submitted_at": r.submitted_at, "decided_at": r.decided_at,
        "evaluation": r.evaluation.as_deref().and_then(|e| serde_json::from_str::<Value>(e).ok()),
    })
}

async fn detail(
    conn: &mut Conn,
    scope: &Scope,
    id: i64,
    today: chrono::NaiveDate,
) -> ApiResult<Value> {
    let m = managed_in_scope(conn, scope, id).await?;
    let schedule: Vec<Value> = dynamic::report_schedule(conn, &m, today)
        .await?
        .iter()
        .map(due_json)
        .collect();
    let changes: Vec<Value> = dynamic::changes(conn, m.id)
        .await?
        .iter()
        .map(|c| {
            json!({"id": c.id, "kind": c.kind, "kind_name": c.kind_zh(), "before": c.before_value,
                   "after": c.after_value, "effective_date": c.effective_date, "source": c.source,
                   "description": c.description, "recorded_at": c.recorded_at})
        })
        .collect();
    let incidents: Vec<Value> = dynamic::incidents(conn, m.id)
        .await?
        .iter()
        .map(|i| {
            json!({"id": i.id, "kind": i.kind, "level": i.level, "occurred_on": i.occurred_on,
                   "source": i.source, "description": i.description, "serious": i.serious,
                   "recorded_at": i.recorded_at})
        })
        .collect();
    let cases: Vec<Value> = dynamic::cases(conn, m.id)
        .await?
        .iter()
        .map(case_json)
        .collect();
    let reexams: Vec<Value> = dynamic::reexams(conn, m.id)
        .await?
        .iter()
        .map(reexam_json)
        .collect();
    let timeline: Vec<Value> = dynamic::timeline(conn, &m)
        .await?
        .iter()
        .map(|t| json!({"at": t.at, "title": t.title, "detail": t.detail}))
        .collect();
    let mut v = managed_json(&m);
    if let Some(o) = v.as_object_mut() {
        o.insert("annual_reports".into(), Value::Array(schedule));
        o.insert("changes".into(), Value::Array(changes));
        o.insert("incidents".into(), Value::Array(incidents));
        o.insert("cases".into(), Value::Array(cases));
        o.insert("reexaminations".into(), Value::Array(reexams));
        o.insert(
            "reexam_window_opens".into(),
            json!(rules::reexam_opens(m.valid_until, m.reexam_window_months)),
        );
        o.insert("timeline".into(), Value::Array(timeline));
    }
    Ok(v)
}

/// The filters of `GET /api/v1/recognitions`, for the OpenAPI document (parsed by
/// `crate::listing::ListQuery`).
#[derive(Debug, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct RecognitionFilters {
    /// Provincial-level authority code, e.g. `330000`.
    province: Option<String>,
    /// Batch id.
    #[param(minimum = 1)]
    batch: Option<i64>,
    /// `active`, `extended`, `revoked` or `expired`.
    status: Option<String>,
}

/// `GET /api/v1/recognitions?province=&batch=&status=&page=&per_page=`: the caller's
/// recognitions, one page.
#[utoipa::path(
    get,
    path = "/api/v1/recognitions",
    operation_id = "recognitions_list",
    tag = "recognitions",
    params(RecognitionFilters, crate::listing::PageParams),
    responses(
        (status = 200, description = "认定列表（调用者管辖范围内），分页", body = ObjectPage),
        (status = 400, description = "参数无效（消息中写明参数名）", body = ErrorJson),
        (status = 401, description = "未登录或令牌无效", body = ErrorJson),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    q: ListQuery,
) -> ApiResult<Response> {
    let filter = dynamic::ManagedFilter {
        authority_code: q.province()?,
        batch_id: q.batch()?,
        status: q.recognition_status()?,
    };
    let page = q.page()?;
    let mut conn = state.db.acquire().await?;
    let p = dynamic::list_managed_page(&mut conn, &user.scope(), &filter, page).await?;
    let items: Vec<Value> = p.items.iter().map(managed_json).collect();
    Ok(page_response(items, page, p.total))
}

/// `GET /api/v1/recognitions/{id}`: with reports, changes, incidents, cases, re-examinations
/// and the timeline.
#[utoipa::path(
    get,
    path = "/api/v1/recognitions/{id}",
    operation_id = "recognitions_show",
    tag = "recognitions",
    params(("id" = i64, Path, description = "认定编号")),
    responses(
        (status = 200, description = "认定详情：年度报告、变更、事件、案件、复核、时间线", body = Object),
        (status = 401, description = "未登录或令牌无效", body = ErrorJson),
        (status = 404, description = "不存在或不在管辖范围内", body = ErrorJson),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn show(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let id = parse_id(&id)?;
    let mut conn = state.db.acquire().await?;
    Ok(Json(detail(&mut conn, &user.scope(), id, state.clock.today()).await?).into_response())
}

/// `GET /api/v1/watch`: due soon, overdue, to review, expiring within 6 months, open cases,
/// pending re-examinations.
#[utoipa::path(
    get,
    path = "/api/v1/watch",
    tag = "recognitions",
    responses(
        (status = 200, description = "待办清单：即将到期、逾期、待审核的年度报告，6个月内到期的认定，未结案件，待决复核", body = Object),
        (status = 401, description = "未登录或令牌无效", body = ErrorJson),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn watch(State(state): State<AppState>, ApiUser(user): ApiUser) -> ApiResult<Response> {
    let mut conn = state.db.acquire().await?;
    let l = dynamic::lists(&mut conn, &user.scope(), state.clock.today()).await?;
    let dues = |v: &[(Managed, dynamic::ReportDue)]| -> Vec<Value> {
        v.iter()
            .map(|(m, d)| {
                json!({"recognition_id": m.id, "cluster_name": m.cluster_name, "year": d.year,
                       "due_date": d.due, "state": d.state_zh()})
            })
            .collect()
    };
    Ok(Json(json!({
        "due_soon": dues(&l.due_soon),
        "overdue": dues(&l.overdue),
        "to_review": dues(&l.to_review),
        "expiring": l.expiring.iter().map(managed_json).collect::<Vec<_>>(),
        "open_cases": l.open_cases.iter().map(|c| {
            let mut v = case_json(&c.case);
            if let Some(o) = v.as_object_mut() { o.insert("cluster_name".into(), json!(c.cluster_name)); }
            v
        }).collect::<Vec<_>>(),
        "reexaminations": l.reexams_pending.iter().map(|(m, r)| {
            json!({"recognition_id": m.id, "cluster_name": m.cluster_name, "reexamination": reexam_json(r)})
        }).collect::<Vec<_>>(),
    }))
    .into_response())
}

/// `GET /api/v1/recognitions/{id}/annual-reports`: every report year of the recognition
/// (第十六条: due by the batch's date of the following year) with its report, if any.
#[utoipa::path(
    get,
    path = "/api/v1/recognitions/{id}/annual-reports",
    tag = "recognitions",
    params(("id" = i64, Path, description = "认定编号"), crate::listing::PageParams),
    responses(
        (status = 200, description = "各年度的报送期限、状态和报告，分页", body = ObjectPage),
        (status = 400, description = "参数无效", body = ErrorJson),
        (status = 401, description = "未登录或令牌无效", body = ErrorJson),
        (status = 404, description = "不存在或不在管辖范围内", body = ErrorJson),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn annual_reports(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
    q: ListQuery,
) -> ApiResult<Response> {
    let page = q.page()?;
    let id = parse_id(&id)?;
    let mut conn = state.db.acquire().await?;
    let m = managed_in_scope(&mut conn, &user.scope(), id).await?;
    let all: Vec<Value> = dynamic::report_schedule(&mut conn, &m, state.clock.today())
        .await?
        .iter()
        .map(due_json)
        .collect();
    let p = crate::listing::slice(&all, page);
    Ok(page_response(p.items, page, p.total))
}

/// `GET /api/v1/recognitions/{id}/annual-reports/{year}`: one year's report.
#[utoipa::path(
    get,
    path = "/api/v1/recognitions/{id}/annual-reports/{year}",
    tag = "recognitions",
    params(
        ("id" = i64, Path, description = "认定编号"),
        ("year" = i32, Path, description = "报告年度（2000–2100）"),
    ),
    responses(
        (status = 200, description = "该年度的报告（状态、内容、审核意见）", body = Object),
        (status = 401, description = "未登录或令牌无效", body = ErrorJson),
        (status = 404, description = "不存在、该年度尚无报告或不在管辖范围内", body = ErrorJson),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn annual_report(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path((id, year)): Path<(String, String)>,
) -> ApiResult<Response> {
    let (id, year) = (parse_id(&id)?, parse_year(&year)?);
    let mut conn = state.db.acquire().await?;
    let m = managed_in_scope(&mut conn, &user.scope(), id).await?;
    let r = dynamic::report(&mut conn, m.id, year)
        .await?
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                format!("{year}年度的报告尚未填写。"),
            )
        })?;
    let mut v = report_json(&r);
    if let Some(o) = v.as_object_mut() {
        o.insert("recognition_id".into(), json!(m.id));
    }
    Ok(Json(v).into_response())
}

async fn managed_in_scope(conn: &mut Conn, scope: &Scope, id: i64) -> ApiResult<Managed> {
    dynamic::managed(conn, scope, id).await?.ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "认定记录不存在，或不在您的管辖范围内。",
        )
    })
}

/// `PUT /api/v1/recognitions/{id}/annual-reports/{year}`: saves the draft (body: the annual
/// report JSON, see docs/dynamic-management.md).
#[utoipa::path(
    put,
    path = "/api/v1/recognitions/{id}/annual-reports/{year}",
    tag = "recognitions",
    params(("id" = i64, Path, description = "认定编号"), ("year" = i32, Path, description = "报告年度（2000–2100）"), CsrfHeader),
    request_body(content = Object, description = "年度培育情况（docs/dynamic-management.md）"),
    responses(
        (status = 200, description = "已保存草稿，返回认定详情", body = Object),
        WriteRefusals,
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn save_report(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path((id, year)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    check_csrf(&user, &headers)?;
    let (id, year) = (parse_id(&id)?, parse_year(&year)?);
    let raw: Value = body_json(&body, "对象（年度培育情况）")?;
    let now = state.clock.now();
    let parsed = match rules::parse_annual_report(&raw, jiqun_domain::clock::china_date(now)) {
        Ok(p) => p,
        Err(errs) => return Ok(invalid(&errs)),
    };
    if parsed.year != year {
        return Ok(invalid(&[InputError {
            path: "year".into(),
            message: format!("与地址中的年度 {year} 不一致"),
            message_en: String::new(),
        }]));
    }
    write_then_detail(&state, &user, id, async |tx| {
        dynamic::save_report(tx, &user.actor(), id, &raw, &parsed, now).await
    })
    .await
}

/// `POST …/annual-reports/{year}/submit`.
#[utoipa::path(
    post,
    path = "/api/v1/recognitions/{id}/annual-reports/{year}/submit",
    tag = "recognitions",
    params(("id" = i64, Path, description = "认定编号"), ("year" = i32, Path, description = "报告年度（2000–2100）"), CsrfHeader),
    responses(
        (status = 200, description = "已报送（第十六条），返回认定详情", body = Object),
        WriteRefusals,
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn submit_report(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path((id, year)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    check_csrf(&user, &headers)?;
    let (id, year) = (parse_id(&id)?, parse_year(&year)?);
    write_then_detail(&state, &user, id, async |tx| {
        dynamic::submit_report(tx, &user.actor(), id, year, state.clock.now()).await
    })
    .await
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct Decision {
    accept: bool,
    #[serde(default)]
    comment: String,
}

/// `POST …/annual-reports/{year}/review` `{"accept": bool, "comment": "…"}` (province).
#[utoipa::path(
    post,
    path = "/api/v1/recognitions/{id}/annual-reports/{year}/review",
    tag = "recognitions",
    params(("id" = i64, Path, description = "认定编号"), ("year" = i32, Path, description = "报告年度（2000–2100）"), CsrfHeader),
    request_body(content = Decision, description = "{\"accept\": true|false, \"comment\": \"…\"}"),
    responses(
        (status = 200, description = "已审核，返回认定详情", body = Object),
        WriteRefusals,
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn review_report(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path((id, year)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    check_csrf(&user, &headers)?;
    let (id, year) = (parse_id(&id)?, parse_year(&year)?);
    let d: Decision = body_json(&body, r#"{"accept": true|false, "comment": "…"}"#)?;
    write_then_detail(&state, &user, id, async |tx| {
        dynamic::review_report(
            tx,
            &user.actor(),
            id,
            year,
            d.accept,
            &d.comment,
            state.clock.now(),
        )
        .await
    })
    .await
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct ChangeBody {
    /// `leading_industry`, `spatial_scope` or `operator` (第十七条: 主导产业、空间范围、运营管理机构).
    kind: String,
    after_value: String,
    /// `YYYY-MM-DD`.
    effective_date: String,
    #[serde(default)]
    description: String,
}

/// `POST …/changes` (county: a report; province: a discovered change → R4 candidate).
#[utoipa::path(
    post,
    path = "/api/v1/recognitions/{id}/changes",
    tag = "recognitions",
    params(("id" = i64, Path, description = "认定编号"), CsrfHeader),
    request_body(content = ChangeBody, description = "{\"kind\", \"after_value\", \"effective_date\", \"description\"}"),
    responses(
        (status = 200, description = "已记录，返回认定详情", body = Object),
        WriteRefusals,
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn record_change(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let (id, b): (i64, ChangeBody) = write_input(
        &user,
        &headers,
        &id,
        &body,
        r#"{"kind", "after_value", "effective_date": "YYYY-MM-DD", "description"}"#,
    )?;
    let input = ChangeInput::parse(&b.kind, &b.after_value, &b.effective_date, &b.description)?;
    write_then_detail(&state, &user, id, async |tx| {
        dynamic::record_change(tx, &user.actor(), id, &input.as_new(), state.clock.now()).await
    })
    .await
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct IncidentBody {
    /// `safety`, `quality`, `environment`, `cyber`, `data`, `tax`, `illegal` or `dishonesty`.
    kind: String,
    /// `general`, `larger`, `major` or `especially_major`.
    level: String,
    /// `YYYY-MM-DD`.
    occurred_on: String,
    source: String,
    description: String,
}

/// `POST …/incidents` (province, ministry).
#[utoipa::path(
    post,
    path = "/api/v1/recognitions/{id}/incidents",
    tag = "recognitions",
    params(("id" = i64, Path, description = "认定编号"), CsrfHeader),
    request_body(content = IncidentBody, description = "{\"kind\", \"level\", \"occurred_on\", \"source\", \"description\"}"),
    responses(
        (status = 200, description = "已记录，返回认定详情", body = Object),
        WriteRefusals,
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn record_incident(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let (id, b): (i64, IncidentBody) = write_input(
        &user,
        &headers,
        &id,
        &body,
        r#"{"kind", "level", "occurred_on": "YYYY-MM-DD", "source", "description"}"#,
    )?;
    let input = IncidentInput::parse(&b.kind, &b.level, &b.occurred_on, &b.source, &b.description)?;
    write_then_detail(&state, &user, id, async |tx| {
        dynamic::record_incident(tx, &user.actor(), id, &input.as_new(), state.clock.now()).await
    })
    .await
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct CaseBody {
    /// `R1` … `R5` (第十七条).
    ground: String,
    facts: String,
    #[serde(default)]
    evidence: String,
}

/// `POST …/cases` `{"ground": "R2", "facts", "evidence"}` (province, ministry).
#[utoipa::path(
    post,
    path = "/api/v1/recognitions/{id}/cases",
    tag = "recognitions",
    params(("id" = i64, Path, description = "认定编号"), CsrfHeader),
    request_body(content = CaseBody, description = "{\"ground\": \"R1…R5\", \"facts\", \"evidence\"}"),
    responses(
        (status = 201, description = "已立案（第十七条），返回案件", body = Object),
        WriteRefusals,
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn open_case(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let (id, b): (i64, CaseBody) = write_input(
        &user,
        &headers,
        &id,
        &body,
        r#"{"ground": "R1…R5", "facts", "evidence"}"#,
    )?;
    let ground = parse_ground(&b.ground)?;
    let c = crate::tokens::write_tx(&state, &user, async |tx| {
        dynamic::open_case_manual(
            tx,
            &user.actor(),
            id,
            ground,
            &b.facts,
            &b.evidence,
            state.clock.now(),
        )
        .await
    })
    .await?;
    Ok((StatusCode::CREATED, Json(case_json(&c))).into_response())
}

/// `POST …/reexamination` (county; body: the 复核 form JSON).
#[utoipa::path(
    post,
    path = "/api/v1/recognitions/{id}/reexamination",
    tag = "recognitions",
    params(("id" = i64, Path, description = "认定编号"), CsrfHeader),
    request_body(content = Object, description = "复核表（docs/dynamic-management.md）"),
    responses(
        (status = 200, description = "已提交复核，返回认定详情", body = Object),
        WriteRefusals,
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn submit_reexam(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let (id, raw): (i64, Value) = write_input(&user, &headers, &id, &body, "对象（复核表）")?;
    let form = match rules::parse_reexam_form(&raw) {
        Ok(f) => f,
        Err(errs) => return Ok(invalid(&errs)),
    };
    write_then_detail(&state, &user, id, async |tx| {
        dynamic::submit_reexam(tx, &user.actor(), id, &raw, &form, state.clock.now()).await
    })
    .await
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct PassBody {
    pass: bool,
    #[serde(default)]
    reason: String,
}

/// `POST …/reexamination/check` `{"pass": bool, "reason": "…"}` (province; reasons required
/// for a failure).
#[utoipa::path(
    post,
    path = "/api/v1/recognitions/{id}/reexamination/check",
    tag = "recognitions",
    params(("id" = i64, Path, description = "认定编号"), CsrfHeader),
    request_body(content = PassBody, description = "{\"pass\": true|false, \"reason\": \"…\"}"),
    responses(
        (status = 200, description = "省级已审核，返回认定详情", body = Object),
        WriteRefusals,
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn check_reexam(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let (id, b): (i64, PassBody) = write_input(
        &user,
        &headers,
        &id,
        &body,
        r#"{"pass": true|false, "reason": "…"}"#,
    )?;
    write_then_detail(&state, &user, id, async |tx| {
        dynamic::check_reexam(tx, &user.actor(), id, b.pass, &b.reason, state.clock.now()).await
    })
    .await
}

/// `POST …/reexamination/decide` `{"pass": bool, "reason": "…"}` (ministry).
#[utoipa::path(
    post,
    path = "/api/v1/recognitions/{id}/reexamination/decide",
    tag = "recognitions",
    params(("id" = i64, Path, description = "认定编号"), CsrfHeader),
    request_body(content = PassBody, description = "{\"pass\": true|false, \"reason\": \"…\"}"),
    responses(
        (status = 200, description = "已决定，返回认定详情", body = Object),
        WriteRefusals,
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn decide_reexam(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let (id, b): (i64, PassBody) = write_input(
        &user,
        &headers,
        &id,
        &body,
        r#"{"pass": true|false, "reason": "…"}"#,
    )?;
    write_then_detail(&state, &user, id, async |tx| {
        dynamic::decide_reexam(tx, &user.actor(), id, b.pass, &b.reason, state.clock.now()).await
    })
    .await
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct OpinionBody {
    opinion: String,
}

/// `POST /api/v1/cases/{id}/opinion` (province).
#[utoipa::path(
    post,
    path = "/api/v1/cases/{id}/opinion",
    tag = "cases",
    params(("id" = i64, Path, description = "撤销案件编号"), CsrfHeader),
    request_body(content = OpinionBody, description = "{\"opinion\": \"…\"}"),
    responses(
        (status = 200, description = "已出具省级意见，返回案件", body = Object),
        WriteRefusals,
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn case_opinion(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let (id, b): (i64, OpinionBody) =
        write_input(&user, &headers, &id, &body, r#"{"opinion": "…"}"#)?;
    let c = crate::tokens::write_tx(&state, &user, async |tx| {
        dynamic::province_opinion(tx, &user.actor(), id, &b.opinion, state.clock.now()).await
    })
    .await?;
    Ok(Json(case_json(&c)).into_response())
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct CaseDecision {
    revoke: bool,
    reason: String,
}

/// `POST /api/v1/cases/{id}/decide` `{"revoke": bool, "reason": "…"}` (ministry).
#[utoipa::path(
    post,
    path = "/api/v1/cases/{id}/decide",
    tag = "cases",
    params(("id" = i64, Path, description = "撤销案件编号"), CsrfHeader),
    request_body(content = CaseDecision, description = "{\"revoke\": true|false, \"reason\": \"…\"}"),
    responses(
        (status = 200, description = "已决定，返回案件", body = Object),
        WriteRefusals,
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn case_decide(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let (id, b): (i64, CaseDecision) = write_input(
        &user,
        &headers,
        &id,
        &body,
        r#"{"revoke": true|false, "reason": "…"}"#,
    )?;
    let c = crate::tokens::write_tx(&state, &user, async |tx| {
        dynamic::decide_case(
            tx,
            &user.actor(),
            id,
            b.revoke,
            &b.reason,
            state.clock.now(),
        )
        .await
    })
    .await?;
    Ok(Json(case_json(&c)).into_response())
}

/// The filter of `GET /api/v1/revoked`, for the OpenAPI document.
#[derive(Debug, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct RevokedFilters {
    /// Provincial-level authority code, e.g. `330000`.
    province: Option<String>,
}

/// `GET /api/v1/revoked?province=&page=&per_page=`: the public revocation list (no login),
/// newest revocation first.
#[utoipa::path(
    get,
    path = "/api/v1/revoked",
    tag = "recognitions",
    params(RevokedFilters, crate::listing::PageParams),
    responses(
        (status = 200, description = "撤销名单（公开，第十七条），分页", body = ObjectPage),
        (status = 400, description = "参数无效（消息中写明参数名）", body = ErrorJson),
    ),
    security(())
)]
pub async fn revoked(State(state): State<AppState>, q: ListQuery) -> ApiResult<Response> {
    let province = q.province()?;
    let page = q.page()?;
    let mut conn = state.db.acquire().await?;
    let p = dynamic::revoked_page(&mut conn, province.as_deref(), page).await?;
    let items: Vec<Value> = p
        .items
        .iter()
        .map(|m| {
            json!({"cluster_name": m.cluster_name, "county_code": m.county_code,
                   "authority_code": m.authority_code, "batch_title": m.batch_title,
                   "valid_from": m.valid_from, "revoked_on": m.revoked_on,
                   "ground": m.revoked_ground,
                   "article": m.revoked_ground.as_deref().and_then(|g| g.parse::<rules::Ground>().ok()).map(|g| g.article())})
        })
        .collect();
    Ok(page_response(items, page, p.total))
}
