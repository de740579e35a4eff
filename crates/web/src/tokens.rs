//! API tokens (docs/api.md): the `/tokens` pages where a county, province or ministry user
//! manages the tokens of their own organisation, and the `Authorization: Bearer` check of
//! `/api/v1/*` (used by `applications::api::ApiUser`).
//!
//! A token acts with its organisation's jurisdiction (the same `Scope` a user of that
//! organisation has, SPEC §1) and is read-only or read-write. The secret is shown once;
//! only its SM3 hash is stored. Creating and revoking are audited, and so is every write
//! made with a token (the token id in the detail).

use crate::AppState;
use crate::applications::api::{ApiError, CSRF_HEADER};
use crate::applications::form::FormData;
use crate::auth::{self, CurrentUser, TokenUse};
use crate::error::{WebError, WebResult};
use crate::pages::Viewer;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use jiqun_domain::role::Role;
use jiqun_store::audit::{self, NewEvent};
use jiqun_store::tokens::{self, ApiToken, NewToken, TokenScope};
use jiqun_store::{Conn, StoreError, orgs, users};

/// Secrets start with this, so a leaked one is recognisable (e.g. by secret scanners).
pub const TOKEN_PREFIX: &str = "jqt_";

/// Lifetimes offered on the create form, in days.
const LIFETIMES: [i64; 4] = [30, 90, 180, 365];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/tokens", get(page).post(create))
        .route("/tokens/{id}/revoke", post(revoke))
}

// ---- pages --------------------------------------------------------------------------------

pub struct TokenRow {
    pub id: i64,
    pub name: String,
    pub scope: &'static str,
    pub prefix: String,
    pub created_at: String,
    pub expires_at: String,
    pub last_used_at: String,
    pub status: &'static str,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensPage {
    viewer: Viewer,
    rows: Vec<TokenRow>,
    lifetimes: Vec<i64>,
    /// The secret of a token just created, shown this once.
    new_secret: Option<String>,
    notice: Option<String>,
}

/// Whether a user may hold and manage their organisation's tokens: county, province and
/// ministry users (the roles with a jurisdiction).
pub fn may_manage(user: &jiqun_store::users::User) -> bool {
    [Role::County, Role::Province, Role::Ministry]
        .iter()
        .any(|r| user.has_role(*r))
}

/// County, province and ministry users manage their own organisation's tokens.
fn require_manager(user: &CurrentUser) -> WebResult<()> {
    if may_manage(&user.user) {
        Ok(())
    } else {
        Err(WebError::Forbidden(
            "API 令牌由县级、省级中小企业主管部门和工业和信息化部的用户为本单位管理。".into(),
        ))
    }
}

/// Beijing time, as the other pages show it.
fn local(at: chrono::DateTime<chrono::Utc>) -> String {
    chrono::FixedOffset::east_opt(8 * 3600)
        .map(|tz| at.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|| at.to_rfc3339())
}

fn row(t: &ApiToken, now: chrono::DateTime<chrono::Utc>) -> TokenRow {
    let status = if t.revoked_at.is_some() {
        "已撤销"
    } else if now >= t.expires_at {
        "已过期"
    } else {
        "有效"
    };
    TokenRow {
        id: t.id,
        name: t.name.clone(),
        scope: t.scope.name_zh(),
        prefix: t.prefix.clone(),
        created_at: local(t.created_at),
        expires_at: local(t.expires_at),
        last_used_at: t
            .last_used_at
            .map(local)
            .unwrap_or_else(|| "从未使用".into()),
        status,
        active: t.is_active(now),
    }
}

async fn render(
    state: &AppState,
    user: &CurrentUser,
    new_secret: Option<String>,
    notice: Option<String>,
    status: StatusCode,
) -> WebResult<Response> {
    let mut conn = state.db.acquire().await?;
    let now = state.clock.now();
    let rows = tokens::list_for_org(&mut conn, user.org.id)
        .await?
        .iter()
        .map(|t| row(t, now))
        .collect();
    let page = TokensPage {
        viewer: Viewer::of(user),
        rows,
        lifetimes: LIFETIMES.to_vec(),
        new_secret,
        notice,
    };
    let mut resp = (status, Html(page.render()?)).into_response();
    // The page may carry a secret: never cache it.
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(resp)
}

/// The organisation's tokens and the create form.
#[utoipa::path(
    get,
    path = "/tokens",
    operation_id = "tokens_page",
    tag = "tokens",
    responses(
        (status = 200, description = "本单位的令牌列表和创建表单（HTML）", content_type = "text/html"),
        (status = 403, description = "非县级、省级主管部门或工业和信息化部用户"),
    ),
    security(("session" = []))
)]
pub async fn page(State(state): State<AppState>, user: CurrentUser) -> WebResult<Response> {
    require_manager(&user)?;
    render(&state, &user, None, None, StatusCode::OK).await
}

/// Creates a token (form fields `csrf`, `name`, `scope` = `read` | `write`, `days` = 30 | 90
/// | 180 | 365); the answer shows the secret once.
#[utoipa::path(
    post,
    path = "/tokens",
    operation_id = "tokens_create",
    tag = "tokens",
    responses(
        (status = 200, description = "已创建；页面显示一次令牌明文（HTML）", content_type = "text/html"),
        (status = 400, description = "名称、权限范围或有效期无效"),
        (status = 403, description = "CSRF 校验失败或无权管理令牌"),
    ),
    security(("session" = []))
)]
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    form: FormData,
) -> WebResult<Response> {
    user.check_csrf(form.csrf())?;
    require_manager(&user)?;
    let name = form.trimmed("name");
    if name.is_empty() {
        return Err(WebError::BadRequest(
            "「令牌名称」未填写：请写明用途，例如「省级平台数据同步」。".into(),
        ));
    }
    if name.chars().count() > 100 {
        return Err(WebError::BadRequest(
            "「令牌名称」过长：请控制在 100 个字以内。".into(),
        ));
    }
    let scope = TokenScope::parse(form.trimmed("scope")).ok_or_else(|| {
        WebError::BadRequest("「权限范围」无效：请选择「只读」或「读写」。".into())
    })?;
    let days: i64 = form
        .trimmed("days")
        .parse()
        .ok()
        .filter(|d| LIFETIMES.contains(d))
        .ok_or_else(|| {
            WebError::BadRequest("「有效期」无效：请选择 30、90、180 或 365 天。".into())
        })?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let (t, secret) = issue(
        &mut tx, &user.user, &user.org, name, scope, days, "page", now,
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    render(
        &state,
        &user,
        Some(secret),
        Some(format!("令牌「{}」已创建。", t.name)),
        StatusCode::OK,
    )
    .await
}

/// Revokes a token of the caller's organisation (form field `csrf`).
#[utoipa::path(
    post,
    path = "/tokens/{id}/revoke",
    tag = "tokens",
    params(("id" = i64, Path, description = "令牌编号")),
    responses(
        (status = 303, description = "已撤销，转到令牌列表"),
        (status = 404, description = "不存在或不属于本单位"),
        (status = 409, description = "已撤销过"),
    ),
    security(("session" = []))
)]
pub async fn revoke(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    form: FormData,
) -> WebResult<Response> {
    user.check_csrf(form.csrf())?;
    require_manager(&user)?;
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    // Another organisation's token is a token that does not exist.
    let t = tokens::revoke(&mut tx, user.org.id, id, user.user.id, now)
        .await?
        .ok_or(WebError::NotFound)?;
    audit::append(
        &mut tx,
        &NewEvent {
            actor_user_id: Some(user.user.id),
            actor: &user.user.username,
            actor_org: &user.org.code,
            action: "api_token_revoke",
            object_type: "api_token",
            object_id: t.id.to_string(),
            before_state: Some("active"),
            after_state: Some("revoked"),
            comment: None,
            detail: serde_json::json!({"token_id": t.id, "name": t.name}),
        },
        now,
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Redirect::to("/tokens").into_response())
}

/// Creates a token of `org` in the name of `user`, valid `days` days from `now`, and
/// writes `api_token_create` to the audit chain, on `conn` (the caller's transaction).
/// Gives the token and its secret, which is stored nowhere (only its SM3 hash). `via` says
/// where it was made (`page`, `cli`). Used by the `/tokens` page and `jiqun token create`.
#[allow(clippy::too_many_arguments)]
pub async fn issue(
    conn: &mut Conn,
    user: &jiqun_store::users::User,
    org: &jiqun_store::orgs::Org,
    name: &str,
    scope: TokenScope,
    days: i64,
    via: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(ApiToken, String), StoreError> {
    let secret = format!("{TOKEN_PREFIX}{}", auth::random_token());
    let prefix: String = secret.chars().take(TOKEN_PREFIX.len() + 6).collect();
    let t = tokens::create(
        conn,
        &NewToken {
            org_id: org.id,
            created_by: user.id,
            name,
            scope,
            token_hash: &auth::token_hash(&secret),
            prefix: &prefix,
            expires_at: now + chrono::Duration::days(days),
        },
        now,
    )
    .await?;
    audit::append(
        conn,
        &NewEvent {
            actor_user_id: Some(user.id),
            actor: &user.username,
            actor_org: &org.code,
            action: "api_token_create",
            object_type: "api_token",
            object_id: t.id.to_string(),
            before_state: None,
            after_state: Some("active"),
            comment: None,
            detail: serde_json::json!({
                "token_id": t.id,
                "name": t.name,
                "scope": t.scope.as_str(),
                "prefix": t.prefix,
                "expires_at": jiqun_store::time::to_text(t.expires_at),
                "via": via,
            }),
        },
        now,
    )
    .await?;
    Ok((t, secret))
}

// ---- the bearer check -----------------------------------------------------------------------

fn unauthorized(code: &'static str, message: &str) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, code, message)
}

fn is_read(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Checks `Authorization: Bearer <token>` and gives the caller: the token's creator acting
/// for the token's organisation. Unknown, expired or revoked tokens are 401; a read-only
/// token on anything but GET is 403 `token_read_only`.
///
/// Token calls carry no cookie, so cross-site request forgery does not apply to them; the
/// caller gets a CSRF value of its own, put into the request's `X-CSRF-Token` header so
/// that the handlers' CSRF checks (meant for session callers) pass.
pub(crate) async fn authenticate(
    parts: &mut Parts,
    state: &AppState,
    authorization: &HeaderValue,
) -> Result<CurrentUser, ApiError> {
    let bad = || {
        unauthorized(
            "invalid_token",
            "Authorization 请求头应为「Bearer <令牌>」，令牌无效或不存在。",
        )
    };
    let value = authorization.to_str().map_err(|_| bad())?;
    let secret = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(bad)?;
    let now = state.clock.now();
    let mut conn = state.db.acquire().await?;
    let t = tokens::by_hash(&mut conn, &auth::token_hash(secret))
        .await?
        .ok_or_else(bad)?;
    if t.revoked_at.is_some() {
        return Err(unauthorized(
            "token_revoked",
            "该 API 令牌已被撤销，请向本单位管理员申请新的令牌。",
        ));
    }
    if now >= t.expires_at {
        return Err(unauthorized(
            "token_expired",
            "该 API 令牌已过期，请在「API 令牌」页面创建新的令牌。",
        ));
    }
    let org = orgs::by_id(&mut conn, t.org_id).await?.ok_or_else(bad)?;
    let user = users::by_id(&mut conn, t.created_by)
        .await?
        .ok_or_else(bad)?;
    if user.disabled {
        return Err(unauthorized(
            "token_owner_disabled",
            "创建该令牌的用户已被停用，令牌不再有效。",
        ));
    }
    if t.scope == TokenScope::Read && !is_read(&parts.method) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "token_read_only",
            "该 API 令牌为只读令牌，不能执行写操作；请使用读写令牌。",
        ));
    }
    // Record the use at most once a minute, to spare the database a write per call.
    if t.last_used_at
        .is_none_or(|at| now - at > chrono::Duration::seconds(60))
    {
        tokens::touch(&mut conn, t.id, now).await?;
    }
    let csrf = auth::random_token();
    if let Ok(v) = HeaderValue::from_str(&csrf) {
        parts.headers.insert(CSRF_HEADER, v);
    }
    let token = TokenUse {
        token_id: t.id,
        method: parts.method.to_string(),
        path: parts.uri.path().to_string(),
    };
    Ok(CurrentUser::for_token(user, org, csrf, token))
}

/// Writes `api_token_write` to the audit chain when the caller is an API token, on the
/// connection of the write's own transaction: the row exists exactly when the write took
/// effect (a refused or failed write rolls both back). Does nothing for a session caller.
pub(crate) async fn audit_write(
    conn: &mut Conn,
    user: &CurrentUser,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), StoreError> {
    let Some(t) = user.token() else {
        return Ok(());
    };
    audit::append(
        conn,
        &NewEvent {
            actor_user_id: Some(user.user.id),
            actor: &user.user.username,
            actor_org: &user.org.code,
            action: "api_token_write",
            object_type: "api_token",
            object_id: t.token_id.to_string(),
            before_state: None,
            after_state: None,
            comment: None,
            detail: serde_json::json!({
                "token_id": t.token_id,
                "method": t.method,
                "path": t.path,
            }),
        },
        now,
    )
    .await?;
    Ok(())
}

/// Runs one API write in one transaction together with its [`audit_write`]: committed if
/// the step succeeds, rolled back (no change, no audit row) if it is refused or invalid.
pub(crate) async fn write_tx<T>(
    state: &AppState,
    user: &CurrentUser,
    step: impl for<'c> AsyncFnOnce(&'c mut Conn) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let mut tx = state.db.begin().await?;
    let out = step(&mut tx).await?;
    audit_write(&mut tx, user, state.clock.now()).await?;
    tx.commit().await?;
    Ok(out)
}
