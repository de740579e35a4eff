//! Login, logout, sessions, CSRF and password hashing.
//!
//! - Passwords: argon2id (RustCrypto `argon2`, default parameters), hashed off the async
//!   threads with `spawn_blocking`.
//! - Sessions: a random 256-bit token in an HttpOnly, SameSite=Lax cookie; the database
//!   keeps only its SM3 hash. Idle sessions end after `WebConfig::idle_timeout`.
//! - CSRF: every form carries a token. Before login it is a double-submit cookie; after
//!   login it is the session's own token.
//! - Lockout: `max_failed_logins` failures in a row lock the account for `lockout`. The
//!   message never says which part was wrong or whether the account exists.

use crate::AppState;
use crate::error::{WebError, WebResult};
use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
use askama::Template;
use axum::Form;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use jiqun_domain::role::Role;
use jiqun_store::orgs::Org;
use jiqun_store::users::User;
use jiqun_store::{Scope, orgs, sessions, users};
use rand::RngCore;
use serde::Deserialize;
use sm3::{Digest, Sm3};

pub const SESSION_COOKIE: &str = "jiqun_session";
pub const LOGIN_CSRF_COOKIE: &str = "jiqun_login_csrf";

/// The one message for every failed login.
pub const LOGIN_FAILED: &str = "登录失败：用户名或密码错误。连续输错5次，账号将被锁定15分钟。";

// ---- passwords ------------------------------------------------------------------------

pub fn hash_password(password: &str) -> Result<String, String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| format!("密码哈希失败：{e}"))
}

pub fn verify_password(hash: &str, password: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

async fn verify_blocking(hash: String, password: String) -> bool {
    tokio::task::spawn_blocking(move || verify_password(&hash, &password))
        .await
        .unwrap_or(false)
}

/// A fixed argon2id hash checked when the user name is unknown, so that the answer takes
/// as long as for a real account.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password("jiqun-no-such-user-placeholder").unwrap_or_default())
}

// ---- tokens and cookies ---------------------------------------------------------------

pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sm3::digest(token.as_bytes()))
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn set_cookie(name: &str, value: &str, secure: bool, max_age: Option<i64>) -> HeaderValue {
    let mut s = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if secure {
        s.push_str("; Secure");
    }
    if let Some(age) = max_age {
        s.push_str(&format!("; Max-Age={age}"));
    }
    HeaderValue::from_str(&s).unwrap_or_else(|_| HeaderValue::from_static(""))
}

// ---- the logged-in user ---------------------------------------------------------------

/// The caller, for pages that need a login. Without a valid session the request is sent
/// to the login page.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: User,
    pub org: Org,
    pub csrf: String,
    token_hash: String,
    /// Set when the caller is an API token: written to the audit chain with every write,
    /// inside the write's own transaction (`crate::tokens::audit_write`).
    pub(crate) token: Option<TokenUse>,
}

/// The API token behind a request, and the request it made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenUse {
    pub token_id: i64,
    pub method: String,
    pub path: String,
}

impl CurrentUser {
    /// The caller of an API token (`crate::tokens`): the token's creator acting for the
    /// token's organisation, without a session; `csrf` is a value for this request only.
    pub(crate) fn for_token(user: User, org: Org, csrf: String, token: TokenUse) -> CurrentUser {
        CurrentUser {
            user,
            org,
            csrf,
            token_hash: String::new(),
            token: Some(token),
        }
    }

    /// The API token of this request, if the caller is one.
    pub fn token(&self) -> Option<&TokenUse> {
        self.token.as_ref()
    }

    /// Checks a submitted form's CSRF token against the session's.
    pub fn check_csrf(&self, submitted: &str) -> WebResult<()> {
        if constant_time_eq(&self.csrf, submitted) {
            Ok(())
        } else {
            Err(WebError::Forbidden(
                "表单已过期或来源无效（CSRF 校验失败）。请刷新页面后重新提交。".into(),
            ))
        }
    }

    /// The caller as the storage layer knows it.
    pub fn actor(&self) -> jiqun_store::applications::Actor {
        jiqun_store::applications::Actor {
            user_id: self.user.id,
            username: self.user.username.clone(),
            org_id: self.org.id,
            org_code: self.org.code.clone(),
            roles: self.user.roles.clone(),
            scope: self.scope(),
        }
    }

    pub fn primary_role(&self) -> Option<Role> {
        self.user.roles.first().copied()
    }

    /// Whose objects this user may see (SPEC §1).
    pub fn scope(&self) -> Scope {
        Scope::for_user(&self.user.roles, &self.org)
    }
}

pub enum AuthRejection {
    Login { expired: bool },
    Error(WebError),
}

impl IntoResponse for AuthRejection {
    fn into_response(self) -> Response {
        match self {
            AuthRejection::Login { expired: true } => {
                Redirect::to("/login?expired=1").into_response()
            }
            AuthRejection::Login { expired: false } => Redirect::to("/login").into_response(),
            AuthRejection::Error(e) => e.into_response(),
        }
    }
}

async fn load_current(parts: &Parts, state: &AppState) -> Result<CurrentUser, AuthRejection> {
    let token =
        cookie(&parts.headers, SESSION_COOKIE).ok_or(AuthRejection::Login { expired: false })?;
    let hash = token_hash(token);
    let now = state.clock.now();
    let mut conn = state
        .db
        .acquire()
        .await
        .map_err(|e| AuthRejection::Error(e.into()))?;
    let session = sessions::get(&mut conn, &hash)
        .await
        .map_err(|e| AuthRejection::Error(e.into()))?
        .ok_or(AuthRejection::Login { expired: false })?;
    let idle = chrono::Duration::from_std(state.config.idle_timeout)
        .unwrap_or_else(|_| chrono::Duration::minutes(30));
    if now - session.last_seen_at > idle {
        sessions::delete(&mut conn, &hash)
            .await
            .map_err(|e| AuthRejection::Error(e.into()))?;
        return Err(AuthRejection::Login { expired: true });
    }
    let user = users::by_id(&mut conn, session.user_id)
        .await
        .map_err(|e| AuthRejection::Error(e.into()))?
        .ok_or(AuthRejection::Login { expired: false })?;
    if user.disabled {
        return Err(AuthRejection::Login { expired: false });
    }
    let org = orgs::by_id(&mut conn, user.org_id)
        .await
        .map_err(|e| AuthRejection::Error(e.into()))?
        .ok_or(AuthRejection::Login { expired: false })?;
    // Refresh the idle clock at most once a minute, to spare the database a write per request.
    if now - session.last_seen_at > chrono::Duration::seconds(60) {
        sessions::touch(&mut conn, &hash, now)
            .await
            .map_err(|e| AuthRejection::Error(e.into()))?;
    }
    Ok(CurrentUser {
        user,
        org,
        csrf: session.csrf_token,
        token_hash: hash,
        token: None,
    })
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AuthRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        load_current(parts, state).await
    }
}

/// The caller if logged in, for pages anyone may see.
pub struct MaybeUser(pub Option<CurrentUser>);

impl FromRequestParts<AppState> for MaybeUser {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match load_current(parts, state).await {
            Ok(u) => Ok(MaybeUser(Some(u))),
            Err(AuthRejection::Login { .. }) => Ok(MaybeUser(None)),
            Err(AuthRejection::Error(e)) => Err(e),
        }
    }
}

// ---- pages ----------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    csrf: &'a str,
    username: &'a str,
    error: Option<&'a str>,
    notice: Option<&'a str>,
}

#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    #[serde(default)]
    expired: Option<String>,
    #[serde(default)]
    logged_out: Option<String>,
}

fn render_login(
    state: &AppState,
    csrf_cookie: Option<&str>,
    username: &str,
    error: Option<&str>,
    notice: Option<&str>,
    status: axum::http::StatusCode,
) -> WebResult<Response> {
    let (token, fresh) = match csrf_cookie {
        Some(t) if t.len() == 64 => (t.to_string(), false),
        _ => (random_token(), true),
    };
    let html = LoginPage {
        csrf: &token,
        username,
        error,
        notice,
    }
    .render()?;
    let mut resp = (status, Html(html)).into_response();
    if fresh {
        resp.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(LOGIN_CSRF_COOKIE, &token, state.config.secure_cookies, None),
        );
    }
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(resp)
}

pub async fn login_page(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    Query(q): Query<LoginQuery>,
    headers: HeaderMap,
) -> WebResult<Response> {
    if user.is_some() {
        return Ok(Redirect::to("/").into_response());
    }
    let notice = if q.expired.is_some() {
        Some("会话因长时间未操作已超时，请重新登录。")
    } else if q.logged_out.is_some() {
        Some("您已安全退出。")
    } else {
        None
    };
    render_login(
        &state,
        cookie(&headers, LOGIN_CSRF_COOKIE),
        "",
        None,
        notice,
        axum::http::StatusCode::OK,
    )
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
}

pub async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> WebResult<Response> {
    let csrf_cookie = cookie(&headers, LOGIN_CSRF_COOKIE);
    let username = form.username.trim();
    if !csrf_cookie.is_some_and(|c| constant_time_eq(c, &form.csrf)) {
        return render_login(
            &state,
            None,
            username,
            Some("登录页面已过期，请重新输入后提交。"),
            None,
            axum::http::StatusCode::FORBIDDEN,
        );
    }
    let fail = |status| {
        render_login(
            &state,
            csrf_cookie,
            username,
            Some(LOGIN_FAILED),
            None,
            status,
        )
    };
    if username.is_empty() || form.password.is_empty() {
        return render_login(
            &state,
            csrf_cookie,
            username,
            Some("请输入用户名和密码。"),
            None,
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let now = state.clock.now();
    let mut conn = state.db.acquire().await?;
    let user = users::by_username(&mut conn, username).await?;
    drop(conn);
    let Some(user) = user else {
        let _ = verify_blocking(dummy_hash().to_string(), form.password).await;
        tracing::info!("login failed: unknown account");
        return fail(axum::http::StatusCode::UNAUTHORIZED);
    };
    if user.disabled || user.is_locked(now) {
        let _ = verify_blocking(dummy_hash().to_string(), form.password).await;
        tracing::info!(
            user_id = user.id,
            "login refused: account disabled or locked"
        );
        return fail(axum::http::StatusCode::UNAUTHORIZED);
    }
    if !verify_blocking(user.password_hash.clone(), form.password).await {
        let mut tx = state.db.begin().await?;
        let lock_for = chrono::Duration::from_std(state.config.lockout)
            .unwrap_or_else(|_| chrono::Duration::minutes(15));
        let locked = users::record_failed_login(
            &mut tx,
            user.id,
            now,
            state.config.max_failed_logins,
            lock_for,
        )
        .await?;
        tx.commit().await.map_err(jiqun_store::StoreError::from)?;
        tracing::info!(user_id = user.id, locked, "login failed: wrong password");
        return fail(axum::http::StatusCode::UNAUTHORIZED);
    }
    let token = random_token();
    let csrf = random_token();
    let mut tx = state.db.begin().await?;
    users::record_successful_login(&mut tx, user.id).await?;
    sessions::create(&mut tx, &token_hash(&token), user.id, &csrf, now).await?;
    tx.commit().await.map_err(jiqun_store::StoreError::from)?;
    tracing::info!(user_id = user.id, "login");
    let mut resp = Redirect::to("/").into_response();
    resp.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, &token, state.config.secure_cookies, None),
    );
    resp.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(LOGIN_CSRF_COOKIE, "", state.config.secure_cookies, Some(0)),
    );
    Ok(resp)
}

#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    pub csrf: String,
}

pub async fn logout(
    State(state): State<AppState>,
    current: CurrentUser,
    Form(form): Form<CsrfForm>,
) -> WebResult<Response> {
    current.check_csrf(&form.csrf)?;
    let mut conn = state.db.acquire().await?;
    sessions::delete(&mut conn, &current.token_hash).await?;
    let mut resp = Redirect::to("/login?logged_out=1").into_response();
    resp.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", state.config.secure_cookies, Some(0)),
    );
    Ok(resp)
}
