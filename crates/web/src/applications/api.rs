//! `/api/v1/applications`: the same workflow as JSON, for the session of a logged-in user
//! or an API token (`crate::tokens`). A POST with a session must carry the session's CSRF
//! token in `X-CSRF-Token`; a token call needs none. Errors are
//! `{"code": "...", "message": "中文"}` with 400 (bad input), 401 (not logged in),
//! 403 (CSRF), 404 (absent or outside the caller's jurisdiction) or 409 (refused by a rule).

use super::county::{self, ErrorRow};
use super::{Loaded, actions_for, authority_name, load, parse_id, step};
use crate::AppState;
use crate::auth::{CurrentUser, MaybeUser};
use crate::error::WebError;
use crate::listing::{ListQuery, page_response};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use jiqun_domain::workflow::Action;
use jiqun_store::applications::{self, Application};
use jiqun_store::batches;
use jiqun_store::clusters::{self, Cluster};
use jiqun_store::{Conn, Scope, StoreError};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

pub const CSRF_HEADER: &str = "x-csrf-token";

#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }
}

impl From<WebError> for ApiError {
    fn from(e: WebError) -> Self {
        match e {
            WebError::NotFound => ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                "记录不存在，或不在您的管辖范围内。",
            ),
            WebError::BadRequest(m) => ApiError::new(StatusCode::BAD_REQUEST, "bad_request", m),
            WebError::Forbidden(m) => ApiError::new(StatusCode::FORBIDDEN, "forbidden", m),
            WebError::Conflict(m) => ApiError::new(StatusCode::CONFLICT, "refused", m),
            WebError::Internal(detail) => {
                tracing::error!(error = %detail, "internal error (api)");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "系统处理请求时出错，已记录日志。请稍后重试。",
                )
            }
        }
    }
}

impl From<jiqun_store::StoreError> for ApiError {
    fn from(e: jiqun_store::StoreError) -> Self {
        ApiError::from(WebError::from(e))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(serde_json::json!({"code": self.code, "message": self.message})),
        )
            .into_response()
    }
}

pub(crate) type ApiResult<T> = Result<T, ApiError>;

/// The caller: the holder of an API token (`Authorization: Bearer …`, see
/// `crate::tokens::authenticate`: the organisation's jurisdiction, read-only tokens only
/// for GET, no CSRF header needed) or else the logged-in user; without either the answer is
/// 401 JSON, not a redirect.
pub struct ApiUser(pub CurrentUser);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(authorization) = parts.headers.get(axum::http::header::AUTHORIZATION) {
            let authorization = authorization.clone();
            return crate::tokens::authenticate(parts, state, &authorization)
                .await
                .map(ApiUser);
        }
        match MaybeUser::from_request_parts(parts, state).await {
            Ok(MaybeUser(Some(u))) => Ok(ApiUser(u)),
            Ok(MaybeUser(None)) => Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "未登录或会话已超时，请先登录。",
            )),
            Err(e) => Err(e.into()),
        }
    }
}

/// An application (申报) as the API shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AppJson {
    pub id: i64,
    pub cluster_id: i64,
    pub cluster_name: String,
    pub batch_id: i64,
    pub authority_code: String,
    pub authority_name: String,
    pub county_code: String,
    pub state: &'static str,
    pub state_name: &'static str,
    pub current_version: i64,
    pub rank: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
}

fn app_json(a: &Application, cluster: Option<&Cluster>) -> AppJson {
    AppJson {
        id: a.id,
        cluster_id: a.cluster_id,
        cluster_name: cluster.map(|c| c.name.clone()).unwrap_or_default(),
        batch_id: a.batch_id,
        authority_code: a.authority_code.clone(),
        authority_name: authority_name(&a.authority_code),
        county_code: a.county_code.clone(),
        state: a.state.as_str(),
        state_name: a.state.name_zh(),
        current_version: a.current_version,
        rank: a.rank,
        created_at: a.created_at.clone(),
        updated_at: a.updated_at.clone(),
    }
}

/// The filters of `GET /api/v1/applications`, for the OpenAPI document (parsed by
/// `crate::listing::ListQuery`).
#[derive(Debug, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct AppFilters {
    /// Provincial-level authority code (省级主管部门代码), e.g. `330000`, `330200`, `660000`.
    province: Option<String>,
    /// Batch id (批次编号).
    #[param(minimum = 1)]
    batch: Option<i64>,
    /// Workflow state (docs/workflow.md), e.g. `submitted`.
    state: Option<String>,
}

/// `GET /api/v1/applications?province=&batch=&state=&page=&per_page=`: the caller's
/// applications, one page.
#[utoipa::path(
    get,
    path = "/api/v1/applications",
    operation_id = "applications_list",
    tag = "applications",
    params(AppFilters, crate::listing::PageParams),
    responses(
        (status = 200, description = "申报列表（调用者管辖范围内），分页", body = ApplicationList),
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
    let filter = applications::ListFilter {
        batch_id: q.batch()?,
        state: q.state()?,
        authority_code: q.province()?,
    };
    let page = q.page()?;
    let scope = user.scope();
    let mut conn = state.db.acquire().await?;
    let apps = applications::list_page(&mut conn, &scope, &filter, page).await?;
    let mut clusters: HashMap<i64, Cluster> = HashMap::new();
    for a in &apps.items {
        if !clusters.contains_key(&a.cluster_id)
            && let Some(c) = clusters::get(&mut conn, &Scope::National, a.cluster_id).await?
        {
            clusters.insert(c.id, c);
        }
    }
    let items: Vec<AppJson> = apps
        .items
        .iter()
        .map(|a| app_json(a, clusters.get(&a.cluster_id)))
        .collect();
    Ok(page_response(items, page, apps.total))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
struct ActionJson {
    action: &'static str,
    name: &'static str,
    requires_comment: bool,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
struct VersionJson {
    version: i64,
    frozen: bool,
    created_at: String,
    /// The declaration (docs/declaration.md).
    #[schema(value_type = Object)]
    declaration: serde_json::Value,
    /// The stored self-evaluation (docs/criteria.md).
    #[schema(value_type = Option<Object>)]
    evaluation: Option<serde_json::Value>,
    eligible: Option<bool>,
    evaluated_at: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
struct HistoryJson {
    action: &'static str,
    from_state: &'static str,
    to_state: &'static str,
    version: i64,
    actor: String,
    organisation: String,
    comment: Option<String>,
    at: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
struct DetailJson {
    #[serde(flatten)]
    application: AppJson,
    batch_title: String,
    current: Option<VersionJson>,
    versions: Vec<i64>,
    allowed_actions: Vec<ActionJson>,
    history: Vec<HistoryJson>,
}

async fn detail(conn: &mut Conn, user: &CurrentUser, id: i64) -> ApiResult<DetailJson> {
    let l = load(conn, &user.scope(), id).await?;
    let versions = applications::versions(conn, l.app.id).await?;
    let current = versions
        .iter()
        .find(|v| v.version == l.app.current_version)
        .map(|v| VersionJson {
            version: v.version,
            frozen: v.frozen,
            created_at: v.created_at.clone(),
            declaration: serde_json::from_str(&v.declaration)
                .unwrap_or_else(|_| serde_json::Value::String(v.declaration.clone())),
            evaluation: v
                .evaluation
                .as_deref()
                .and_then(|e| serde_json::from_str(e).ok()),
            eligible: v.eligible,
            evaluated_at: v.evaluated_at.clone(),
        });
    let history = applications::transitions(conn, l.app.id)
        .await?
        .into_iter()
        .map(|t| HistoryJson {
            action: t.action.as_str(),
            from_state: t.from_state.as_str(),
            to_state: t.to_state.as_str(),
            version: t.version,
            actor: t.actor_name,
            organisation: t.actor_org_name,
            comment: t.comment,
            at: t.at,
        })
        .collect();
    let level = l.batch.workflow_level();
    Ok(DetailJson {
        application: app_json(&l.app, Some(&l.cluster)),
        batch_title: l.batch.title,
        current,
        versions: versions.iter().map(|v| v.version).collect(),
        allowed_actions: actions_for(user, level, l.app.state)
            .into_iter()
            .map(|a| ActionJson {
                action: a.as_str(),
                name: a.name_zh(),
                requires_comment: a.requires_comment(),
            })
            .collect(),
        history,
    })
}

/// `GET /api/v1/applications/{id}`: with its current version, evaluation and the steps the
/// caller may take.
#[utoipa::path(
    get,
    path = "/api/v1/applications/{id}",
    operation_id = "applications_show",
    tag = "applications",
    params(("id" = i64, Path, description = "申报编号")),
    responses(
        (status = 200, description = "申报详情", body = DetailJson),
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
    Ok(Json(detail(&mut conn, &user, id).await?).into_response())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct TransitionRequest {
    action: String,
    #[serde(default)]
    comment: Option<String>,
}

/// `POST /api/v1/applications/{id}/transitions` `{"action": "...", "comment": "..."}`.
#[utoipa::path(
    post,
    path = "/api/v1/applications/{id}/transitions",
    tag = "applications",
    params(
        ("id" = i64, Path, description = "申报编号"),
        CsrfHeader,
    ),
    request_body = TransitionRequest,
    responses(
        (status = 200, description = "已办理，返回办理后的申报详情", body = DetailJson),
        (status = 400, description = "请求体或办理事项无效", body = ErrorJson),
        (status = 401, description = "未登录或令牌无效", body = ErrorJson),
        (status = 403, description = "CSRF 校验失败、无权办理或只读令牌", body = ErrorJson),
        (status = 404, description = "不存在或不在管辖范围内", body = ErrorJson),
        (status = 409, description = "规则不允许（状态、名额、初审等），未作任何更改", body = ErrorJson),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn transition(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    check_csrf(&user, &headers)?;
    let id = parse_id(&id)?;
    let req: TransitionRequest = serde_json::from_slice(&body)
        .map_err(|e| invalid_body(r#"对象 {"action": "…", "comment": "…"}"#, &e))?;
    let action: Action = req
        .action
        .trim()
        .parse()
        .map_err(|m: String| ApiError::new(StatusCode::BAD_REQUEST, "unknown_action", m))?;
    step(&state, &user, id, action, req.comment.as_deref()).await?;
    let mut conn = state.db.acquire().await?;
    Ok(Json(detail(&mut conn, &user, id).await?).into_response())
}

/// A session caller's write must carry the session's CSRF token in `X-CSRF-Token` (a token
/// caller gets one of its own from `crate::tokens::authenticate`).
pub(crate) fn check_csrf(user: &CurrentUser, headers: &HeaderMap) -> ApiResult<()> {
    let token = headers
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    user.check_csrf(token).map_err(|_| {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "csrf",
            "缺少或错误的 X-CSRF-Token 请求头（应为当前会话的 CSRF 令牌）。",
        )
    })
}

pub(crate) fn invalid_body(shape: &str, e: &serde_json::Error) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "invalid_body",
        format!(
            "请求体须为 JSON {shape}（第{}行第{}列：{e}）",
            e.line(),
            e.column()
        ),
    )
}

/// 422 `invalid_declaration` with every problem of the declaration by JSON path.
fn unprocessable(errors: &[ErrorRow]) -> Response {
    let list: Vec<PathErrorJson> = errors
        .iter()
        .map(|e| PathErrorJson {
            path: e.path.clone(),
            message: e.message.clone(),
        })
        .collect();
    let first = errors
        .first()
        .map(|e| format!("，例如 {}：{}", e.path, e.message))
        .unwrap_or_default();
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        Json(DeclarationErrorsJson {
            code: "invalid_declaration".into(),
            message: format!("申报数据有 {} 处问题{first}；未作任何更改。", errors.len()),
            errors: list,
        }),
    )
        .into_response()
}

/// A duplicate (the cluster already has an application in the batch) is refused like a
/// rule: 409, nothing changed.
fn refused_on_conflict(e: StoreError) -> ApiError {
    match e {
        StoreError::Conflict(m) => ApiError::new(StatusCode::CONFLICT, "refused", m),
        other => other.into(),
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct CreateRequest {
    /// The cluster (集群编号), in the caller's county.
    cluster_id: i64,
    /// The open batch (批次编号).
    batch_id: i64,
    /// Optional: the declaration (docs/declaration.md), checked and saved at once; without
    /// it the application starts from the cluster's data, as on the page.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    declaration: Option<serde_json::Value>,
}

/// `POST /api/v1/applications` `{"cluster_id", "batch_id", "declaration"?}`: the county
/// creates an application (第十二条), as the page does.
#[utoipa::path(
    post,
    path = "/api/v1/applications",
    operation_id = "applications_create",
    tag = "applications",
    params(
        CsrfHeader,
    ),
    request_body = CreateRequest,
    responses(
        (status = 201, description = "已创建，返回申报详情", body = DetailJson),
        (status = 400, description = "请求体无效", body = ErrorJson),
        (status = 401, description = "未登录或令牌无效", body = ErrorJson),
        (status = 403, description = "CSRF 校验失败或只读令牌", body = ErrorJson),
        (status = 404, description = "集群或批次不存在，或不在管辖范围内", body = ErrorJson),
        (status = 409, description = "规则不允许（非县级主管部门、批次已关闭、本批次已有申报），未作任何更改", body = ErrorJson),
        (status = 422, description = "申报数据有误（逐项列出 JSON 路径），未作任何更改", body = DeclarationErrorsJson),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    check_csrf(&user, &headers)?;
    let req: CreateRequest = serde_json::from_slice(&body).map_err(|e| {
        invalid_body(
            r#"对象 {"cluster_id": 1, "batch_id": 1, "declaration": {…}}"#,
            &e,
        )
    })?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let cluster = clusters::get(&mut tx, &user.scope(), req.cluster_id)
        .await?
        .ok_or(WebError::NotFound)?;
    let batch = batches::get(&mut tx, req.batch_id)
        .await?
        .ok_or(WebError::NotFound)?;
    let app = applications::create(
        &mut tx,
        &user.actor(),
        cluster.id,
        batch.id,
        &county::skeleton(&cluster, &batch),
        now,
    )
    .await
    .map_err(refused_on_conflict)?;
    if let Some(decl) = &req.declaration {
        let text =
            serde_json::to_string_pretty(decl).map_err(|e| WebError::Internal(e.to_string()))?;
        let l = Loaded {
            app: app.clone(),
            cluster,
            batch,
        };
        if let Err(errors) = county::check_declaration(&text, &l) {
            // Dropping the transaction rolls the creation back: nothing changed.
            return Ok(unprocessable(&errors));
        }
        applications::save_declaration(&mut tx, &user.actor(), &app, &text, now).await?;
    }
    crate::tokens::audit_write(&mut tx, &user, now).await?;
    tx.commit().await.map_err(StoreError::from)?;
    let mut conn = state.db.acquire().await?;
    let d = detail(&mut conn, &user, app.id).await?;
    Ok((
        StatusCode::CREATED,
        [(
            axum::http::header::LOCATION,
            format!("/api/v1/applications/{}", app.id),
        )],
        Json(d),
    )
        .into_response())
}

/// `PUT /api/v1/applications/{id}/declaration` (body: the declaration JSON): the county
/// saves the declaration of a draft or returned application, checked as on the edit page.
#[utoipa::path(
    put,
    path = "/api/v1/applications/{id}/declaration",
    tag = "applications",
    params(
        ("id" = i64, Path, description = "申报编号"),
        CsrfHeader,
    ),
    request_body(content = Object, description = "申报数据（docs/declaration.md）"),
    responses(
        (status = 200, description = "已保存，返回申报详情", body = DetailJson),
        (status = 400, description = "请求体不是 JSON", body = ErrorJson),
        (status = 401, description = "未登录或令牌无效", body = ErrorJson),
        (status = 403, description = "CSRF 校验失败或只读令牌", body = ErrorJson),
        (status = 404, description = "不存在或不在管辖范围内", body = ErrorJson),
        (status = 409, description = "当前状态不可修改或无权修改，未作任何更改", body = ErrorJson),
        (status = 422, description = "申报数据有误（逐项列出 JSON 路径），未作任何更改", body = DeclarationErrorsJson),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn put_declaration(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    check_csrf(&user, &headers)?;
    let id = parse_id(&id)?;
    let raw: serde_json::Value = serde_json::from_slice(&body)
        .map_err(|e| invalid_body("对象（申报数据，docs/declaration.md）", &e))?;
    let text = serde_json::to_string_pretty(&raw).map_err(|e| WebError::Internal(e.to_string()))?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let l = load(&mut tx, &user.scope(), id).await?;
    county::ensure_editable(&user, &l.app)?;
    if let Err(errors) = county::check_declaration(&text, &l) {
        return Ok(unprocessable(&errors));
    }
    applications::save_declaration(&mut tx, &user.actor(), &l.app, &text, now).await?;
    crate::tokens::audit_write(&mut tx, &user, now).await?;
    tx.commit().await.map_err(StoreError::from)?;
    let mut conn = state.db.acquire().await?;
    Ok(Json(detail(&mut conn, &user, id).await?).into_response())
}

// ---- OpenAPI ------------------------------------------------------------------------------

/// One problem of a declaration, by JSON path.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PathErrorJson {
    /// e.g. `enterprises[3].uscc`.
    pub path: String,
    pub message: String,
}

/// 422: every problem of the declaration at once.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DeclarationErrorsJson {
    /// `invalid_declaration`.
    pub code: String,
    pub message: String,
    pub errors: Vec<PathErrorJson>,
}

/// Every error: a machine code and a Chinese message (docs/api.md).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorJson {
    /// e.g. `not_found`, `refused`, `csrf`, `token_read_only`.
    pub code: String,
    /// What is wrong and what to do, in Chinese.
    pub message: String,
}

/// The `X-CSRF-Token` header every JSON write documents in its OpenAPI `params(...)`
/// (docs/api.md).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)] // documentation only: `check_csrf` reads the header
pub struct CsrfHeader {
    /// 会话调用时必填：当前会话的 CSRF 令牌；API 令牌调用不需要
    #[param(rename = "X-CSRF-Token")]
    x_csrf_token: Option<String>,
}

/// The answers every JSON write on a recognition or a case may refuse with, in its
/// OpenAPI `responses(...)` next to its own success (docs/api.md).
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)] // documentation only: the handlers answer with `ErrorJson`
pub enum WriteRefusals {
    #[response(status = 400, description = "请求体或字段无效（写明字段）")]
    BadRequest(ErrorJson),
    #[response(status = 401, description = "未登录或令牌无效")]
    Unauthorized(ErrorJson),
    #[response(status = 403, description = "CSRF 校验失败或只读令牌")]
    Forbidden(ErrorJson),
    #[response(status = 404, description = "不存在或不在管辖范围内")]
    NotFound(ErrorJson),
    #[response(status = 409, description = "规则不允许，未作任何更改")]
    Conflict(ErrorJson),
}

/// Declares the schema of one page of a list: `{"items", "page", "per_page", "total"}`.
macro_rules! page_schema {
    ($name:ident, $item:ty, $doc:literal) => {
        #[doc = $doc]
        #[derive(Debug, ::serde::Serialize, ::utoipa::ToSchema)]
        pub struct $name {
            pub items: Vec<$item>,
            /// The page number, from 1.
            pub page: i64,
            /// Rows per page (1–200, default 50).
            pub per_page: i64,
            /// Rows on all pages.
            pub total: i64,
        }
    };
}
pub(crate) use page_schema;

/// One page of a list whose items are documented in docs/api.md and
/// docs/dynamic-management.md.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ObjectPage {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<serde_json::Value>,
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
}

page_schema!(
    ApplicationList,
    AppJson,
    "One page of `GET /api/v1/applications`."
);

/// The two ways to call the API: an API token or a browser session.
struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{
            ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme,
        };
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("jqt_…")
                    .description(Some(
                        "API 令牌（本单位在「API 令牌」页面创建）：Authorization: Bearer <令牌>。只读令牌仅可 GET；无需 CSRF。",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "jiqun_session",
                "登录会话；写操作另须 X-CSRF-Token 请求头。",
            ))),
        );
    }
}

/// The OpenAPI 3.1 document of `/api/v1`, generated from the annotated handlers.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "中小企业特色产业集群管理系统 API",
        description = "申报、推荐与认定的 JSON 接口（docs/api.md）。错误一律为 {\"code\", \"message\"}。"
    ),
    paths(
        list,
        show,
        create,
        put_declaration,
        transition,
        crate::api_catalog::clusters_list,
        crate::api_catalog::cluster_show,
        crate::api_catalog::batches_list,
        crate::api_catalog::divisions,
        crate::api_catalog::industries,
        crate::api_catalog::editions,
        crate::recognitions::api::list,
        crate::recognitions::api::show,
        crate::recognitions::api::watch,
        crate::recognitions::api::annual_reports,
        crate::recognitions::api::annual_report,
        crate::recognitions::api::save_report,
        crate::recognitions::api::submit_report,
        crate::recognitions::api::review_report,
        crate::recognitions::api::record_change,
        crate::recognitions::api::record_incident,
        crate::recognitions::api::open_case,
        crate::recognitions::api::submit_reexam,
        crate::recognitions::api::check_reexam,
        crate::recognitions::api::decide_reexam,
        crate::recognitions::api::case_opinion,
        crate::recognitions::api::case_decide,
        crate::recognitions::api::revoked,
        crate::tokens::page,
        crate::tokens::create,
        crate::tokens::revoke
    ),
    components(schemas(
        AppJson,
        ApplicationList,
        ObjectPage,
        CreateRequest,
        PathErrorJson,
        DeclarationErrorsJson,
        crate::api_catalog::ClusterJson,
        crate::api_catalog::ClusterList,
        crate::api_catalog::BatchJson,
        crate::api_catalog::BatchList,
        crate::api_catalog::DivisionJson,
        crate::api_catalog::DivisionList,
        crate::api_catalog::IndustryJson,
        crate::api_catalog::IndustryList,
        crate::api_catalog::EditionJson,
        crate::api_catalog::EditionList,
        DetailJson,
        VersionJson,
        HistoryJson,
        ActionJson,
        TransitionRequest,
        ErrorJson
    )),
    modifiers(&Security),
    tags(
        (name = "applications", description = "申报（第十二条、第十三条）"),
        (name = "clusters", description = "集群（调用者管辖范围内）"),
        (name = "recognitions", description = "认定后的动态管理：年度报告、变更、事件、复核（第十五条至第十七条）"),
        (name = "cases", description = "撤销案件（第十七条）"),
        (name = "reference", description = "批次与参考数据：行政区划、行业分类、认定标准版本"),
        (name = "tokens", description = "API 令牌的管理页面（登录会话，HTML 表单）")
    )
)]
pub struct ApiDoc;

/// `GET /api/v1/openapi.json`.
pub async fn openapi_json() -> Response {
    Json(<ApiDoc as utoipa::OpenApi>::openapi()).into_response()
}

/// Swagger UI at `/api/docs`, served from the vendored files (no CDN; no inline script, so
/// the CSP of `crate::security` holds).
pub async fn docs_index() -> Response {
    static_file(
        "text/html; charset=utf-8",
        include_str!("../../static/swagger/index.html"),
    )
}

pub async fn docs_bundle() -> Response {
    static_file(
        "text/javascript; charset=utf-8",
        include_str!("../../static/swagger/swagger-ui-bundle.js"),
    )
}

pub async fn docs_init() -> Response {
    static_file(
        "text/javascript; charset=utf-8",
        include_str!("../../static/swagger/swagger-init.js"),
    )
}

pub async fn docs_css() -> Response {
    static_file(
        "text/css; charset=utf-8",
        include_str!("../../static/swagger/swagger-ui.css"),
    )
}

fn static_file(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (axum::http::header::CONTENT_TYPE, content_type),
            (axum::http::header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}
