//! Public pages, no login (SPEC §7): the running public notices (公示) with an objection
//! form per listed cluster, and the published lists of recognised clusters per batch.
//!
//! Objections (第十四条; the yearly notices: "实名…提供联系方式和佐证材料，匿名或无佐证材料
//! 的不予受理") need a real name, contact details, the objection itself and at least one
//! evidence file; otherwise the answer is 不予受理 with every reason, and nothing is stored.
//! They are rate-limited in memory, on the injected clock: at most [`PER_ADDRESS`]
//! submissions per client address per hour, whatever their outcome, and at most
//! [`PER_CONTACT`] accepted objections per contact per hour; over a limit the answer is 429
//! with a Chinese message.
//!
//! Without a session, the form's CSRF token is a double-submit cookie
//! (`jiqun_public_csrf`), as on the login page.

use crate::AppState;
use crate::auth::{cookie, random_token};
use crate::error::{WebError, WebResult};
use crate::ministry::{authority_name, parse_id, place_name};
use askama::Template;
use axum::extract::connect_info::ConnectInfo;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use chrono::{DateTime, Utc};
use jiqun_store::notices::{self, EvidenceFile, NewObjection};
use jiqun_store::{Scope, StoreError, batches, clusters, recognitions};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

pub const PUBLIC_CSRF_COOKIE: &str = "jiqun_public_csrf";

/// Accepted objections per contact, and submissions per client address, within
/// [`WINDOW_MINUTES`].
pub const PER_CONTACT: usize = 3;
pub const PER_ADDRESS: usize = 10;
pub const WINDOW_MINUTES: i64 = 60;

pub fn routes() -> Router<AppState> {
    let limiter = Arc::new(Limiter::default());
    Router::new()
        .route("/notices", get(notices_page))
        .route("/notices/{id}/objections", post(file_objection))
        .route("/recognized", get(recognized_all))
        .route("/batches/{id}/recognized", get(recognized_batch))
        // Evidence files are up to 20 MiB each; the router's RequestBodyLimitLayer caps the
        // whole request (`WebConfig::max_body_bytes`).
        .layer(DefaultBodyLimit::disable())
        .layer(Extension(limiter))
}

// ---- rate limit -------------------------------------------------------------------------

/// Sliding-window counters per key, in memory (one per router, so per server process).
#[derive(Debug, Default)]
pub struct Limiter {
    hits: Mutex<HashMap<String, Vec<DateTime<Utc>>>>,
}

impl Limiter {
    /// Counts one event for `key`; `false` (and not counted) when `limit` events were
    /// already counted in the window.
    pub fn allow(&self, key: &str, limit: usize, now: DateTime<Utc>) -> bool {
        if !self.check(key, limit, now) {
            return false;
        }
        self.record(key, now);
        true
    }

    /// Whether one more event for `key` stays within `limit`, without counting it.
    pub fn check(&self, key: &str, limit: usize, now: DateTime<Utc>) -> bool {
        let window = chrono::Duration::minutes(WINDOW_MINUTES);
        let hits = self.hits.lock().unwrap_or_else(|p| p.into_inner());
        hits.get(key)
            .is_none_or(|v| v.iter().filter(|t| now - **t < window).count() < limit)
    }

    /// Counts one event for `key`.
    pub fn record(&self, key: &str, now: DateTime<Utc>) {
        let window = chrono::Duration::minutes(WINDOW_MINUTES);
        let mut hits = self.hits.lock().unwrap_or_else(|p| p.into_inner());
        if hits.len() > 10_000 {
            hits.retain(|_, v| v.iter().any(|t| now - *t < window));
        }
        let list = hits.entry(key.to_string()).or_default();
        list.retain(|t| now - *t < window);
        list.push(now);
    }
}

/// The client's address: the connection's peer when the server records it, else the first
/// address of `X-Forwarded-For` / `X-Real-IP` set by a reverse proxy.
fn client_address(req: &Request) -> Option<String> {
    if let Some(ConnectInfo(addr)) = req.extensions().get::<ConnectInfo<SocketAddr>>() {
        return Some(addr.ip().to_string());
    }
    let h = req.headers();
    h.get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .or_else(|| h.get("x-real-ip").and_then(|v| v.to_str().ok()))
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// A contact reduced to what identifies it ("138 0000-0000" = "13800000000").
fn contact_key(contact: &str) -> String {
    contact
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '@' | '.' | '_'))
        .flat_map(char::to_lowercase)
        .collect()
}

fn too_many(message: &str) -> WebResult<Response> {
    render_result(
        StatusCode::TOO_MANY_REQUESTS,
        "提交过于频繁",
        vec![message.to_string()],
        None,
    )
}

// ---- CSRF without a session ---------------------------------------------------------------

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn csrf_token(headers: &HeaderMap) -> (String, bool) {
    match cookie(headers, PUBLIC_CSRF_COOKIE) {
        Some(t) if t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()) => {
            (t.to_string(), false)
        }
        _ => (random_token(), true),
    }
}

fn set_csrf_cookie(resp: &mut Response, token: &str, secure: bool) {
    let mut s = format!("{PUBLIC_CSRF_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax");
    if secure {
        s.push_str("; Secure");
    }
    if let Ok(v) = HeaderValue::from_str(&s) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
}

// ---- notices ------------------------------------------------------------------------------

pub struct Entry {
    pub application_id: i64,
    pub cluster: String,
    pub county: String,
    pub authority: String,
    pub leading_industry: String,
}

pub struct NoticeView {
    pub id: i64,
    pub title: String,
    pub batch: String,
    pub start: String,
    pub end: String,
    pub days: u32,
    pub entries: Vec<Entry>,
}

#[derive(Template)]
#[template(path = "public_notices.html")]
struct NoticesPage {
    csrf: String,
    today: String,
    notices: Vec<NoticeView>,
    allowed_types: &'static str,
}

async fn notices_page(State(state): State<AppState>, headers: HeaderMap) -> WebResult<Response> {
    let today = state.clock.today();
    let mut conn = state.db.acquire().await?;
    let mut views = Vec::new();
    for n in notices::running(&mut conn, today).await? {
        let batch = batches::get(&mut conn, n.batch_id)
            .await?
            .map(|b| b.title)
            .unwrap_or_default();
        let mut entries = Vec::new();
        for a in notices::entries(&mut conn, &n).await? {
            let c = clusters::get(&mut conn, &Scope::National, a.cluster_id)
                .await?
                .ok_or(WebError::NotFound)?;
            entries.push(Entry {
                application_id: a.id,
                cluster: c.name,
                county: place_name(&a.county_code),
                authority: authority_name(&a.authority_code),
                leading_industry: c.leading_industry,
            });
        }
        views.push(NoticeView {
            id: n.id,
            title: n.title,
            batch,
            start: n.start_date.to_string(),
            end: n.end_date.to_string(),
            days: n.working_days,
            entries,
        });
    }
    let (token, fresh) = csrf_token(&headers);
    let page = NoticesPage {
        csrf: token.clone(),
        today: today.to_string(),
        notices: views,
        allowed_types: jiqun_store::attachments::ALLOWED_TEXT,
    };
    let mut resp = Html(page.render()?).into_response();
    if fresh {
        set_csrf_cookie(&mut resp, &token, state.config.secure_cookies);
    }
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(resp)
}

#[derive(Template)]
#[template(path = "public_objection_result.html")]
struct ResultPage<'a> {
    title: &'a str,
    reasons: Vec<String>,
    receipt: Option<i64>,
}

fn render_result(
    status: StatusCode,
    title: &str,
    reasons: Vec<String>,
    receipt: Option<i64>,
) -> WebResult<Response> {
    let page = ResultPage {
        title,
        reasons,
        receipt,
    };
    Ok((status, Html(page.render()?)).into_response())
}

const UNREADABLE: &str = "提交的表单无法读取，请返回后重新提交（单个文件不超过 20 MB）。";

/// The objection form's text fields and evidence files.
#[derive(Default)]
struct ObjectionForm {
    fields: HashMap<String, String>,
    files: Vec<EvidenceFile>,
}

impl ObjectionForm {
    fn text(&self, name: &str) -> String {
        self.fields.get(name).cloned().unwrap_or_default()
    }
}

async fn read_form(req: Request, state: &AppState) -> WebResult<ObjectionForm> {
    let mut mp = Multipart::from_request(req, state).await.map_err(|_| {
        WebError::BadRequest("异议表单须以 multipart/form-data 提交（含佐证材料文件）。".into())
    })?;
    let mut out = ObjectionForm::default();
    while let Some(field) = mp
        .next_field()
        .await
        .map_err(|_| WebError::BadRequest(UNREADABLE.into()))?
    {
        let name = field.name().unwrap_or("").to_string();
        let filename = field.file_name().map(str::to_string);
        let bytes = field
            .bytes()
            .await
            .map_err(|_| WebError::BadRequest(UNREADABLE.into()))?;
        match filename {
            // A file input left empty still sends a part without a name or content.
            Some(f) if f.is_empty() && bytes.is_empty() => {}
            Some(filename) if name == "evidence" => out.files.push(EvidenceFile {
                filename,
                bytes: bytes.to_vec(),
            }),
            Some(_) => {}
            None => {
                let text = String::from_utf8(bytes.to_vec())
                    .map_err(|_| WebError::BadRequest("表单内容不是有效的 UTF-8 文本。".into()))?;
                out.fields.entry(name).or_insert(text);
            }
        }
    }
    Ok(out)
}

async fn file_objection(
    State(state): State<AppState>,
    Extension(limiter): Extension<Arc<Limiter>>,
    Path(id): Path<String>,
    req: Request,
) -> WebResult<Response> {
    let notice_id = parse_id(&id)?;
    let now = state.clock.now();
    if let Some(addr) = client_address(&req)
        && !limiter.allow(&format!("addr:{addr}"), PER_ADDRESS, now)
    {
        return too_many(&format!(
            "同一网络地址每小时最多提交 {PER_ADDRESS} 次异议，请稍后再试。"
        ));
    }
    let cookie_token = cookie(req.headers(), PUBLIC_CSRF_COOKIE).map(str::to_string);
    let form = read_form(req, &state).await?;
    let submitted = form.text("csrf");
    if !cookie_token.is_some_and(|c| !c.is_empty() && constant_time_eq(&c, &submitted)) {
        return Err(WebError::Forbidden(
            "表单已过期或来源无效（CSRF 校验失败）。请重新打开公示页面后提交。".into(),
        ));
    }
    let application_id: i64 = form
        .text("application_id")
        .trim()
        .parse()
        .map_err(|_| WebError::BadRequest("请从公示页面选择要提出异议的集群。".into()))?;
    let objection = NewObjection {
        name: form.text("name"),
        contact: form.text("contact"),
        content: form.text("content"),
        files: form.files,
    };
    let key = format!("contact:{}", contact_key(&objection.contact));
    if !limiter.check(&key, PER_CONTACT, now) {
        return too_many(&format!(
            "同一联系方式每小时最多提交 {PER_CONTACT} 件异议，请稍后再试。"
        ));
    }
    let mut tx = state.db.begin().await?;
    let result = notices::file_objection(
        &mut tx,
        &state.config.files_dir,
        notice_id,
        application_id,
        &objection,
        state.clock.today(),
        now,
    )
    .await;
    match result {
        Ok((o, _files)) => {
            tx.commit().await.map_err(StoreError::from)?;
            limiter.record(&key, now);
            render_result(
                StatusCode::OK,
                "异议已受理",
                vec!["工业和信息化部将核查处理，并通过您留下的联系方式答复。".to_string()],
                Some(o.id),
            )
        }
        Err(StoreError::Invalid(_)) => {
            drop(tx);
            let mut reasons = notices::refusal_reasons(&objection);
            if reasons.is_empty() {
                reasons.push("提交的材料不符合要求".into());
            }
            render_result(StatusCode::UNPROCESSABLE_ENTITY, "不予受理", reasons, None)
        }
        Err(StoreError::Refused(m)) => {
            drop(tx);
            render_result(StatusCode::CONFLICT, "不予受理", vec![m], None)
        }
        Err(e) => Err(e.into()),
    }
}

// ---- recognised clusters -------------------------------------------------------------------

pub struct RecognizedRow {
    pub n: usize,
    pub cluster: String,
    pub county: String,
    pub authority: String,
    pub leading_industry: String,
    pub valid_from: String,
    pub valid_until: String,
    pub status: &'static str,
}

pub struct BatchList {
    pub id: i64,
    pub title: String,
    pub year: i32,
    pub rows: Vec<RecognizedRow>,
}

#[derive(Template)]
#[template(path = "public_recognized.html")]
struct RecognizedPage {
    title: String,
    lists: Vec<BatchList>,
}

async fn batch_list(conn: &mut jiqun_store::Conn, batch_id: i64) -> WebResult<Option<BatchList>> {
    let Some(batch) = batches::get(conn, batch_id).await? else {
        return Ok(None);
    };
    let rows = recognitions::list_batch(conn, batch.id)
        .await?
        .into_iter()
        .enumerate()
        .map(|(i, l)| RecognizedRow {
            n: i + 1,
            county: place_name(&l.county_code),
            authority: authority_name(&l.authority_code),
            status: l.recognition.status_zh(),
            valid_from: l.recognition.valid_from.to_string(),
            valid_until: l.recognition.valid_until.to_string(),
            cluster: l.cluster_name,
            leading_industry: l.leading_industry,
        })
        .collect();
    Ok(Some(BatchList {
        id: batch.id,
        title: batch.title,
        year: batch.year,
        rows,
    }))
}

async fn recognized_all(State(state): State<AppState>) -> WebResult<Response> {
    let mut conn = state.db.acquire().await?;
    let mut lists = Vec::new();
    for id in recognitions::published_batches(&mut conn).await? {
        if let Some(l) = batch_list(&mut conn, id).await? {
            lists.push(l);
        }
    }
    let page = RecognizedPage {
        title: "中小企业特色产业集群名单".into(),
        lists,
    };
    Ok(Html(page.render()?).into_response())
}

async fn recognized_batch(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> WebResult<Response> {
    let id = parse_id(&id)?;
    let mut conn = state.db.acquire().await?;
    let list = batch_list(&mut conn, id).await?.ok_or(WebError::NotFound)?;
    let page = RecognizedPage {
        title: format!("{}名单", list.title),
        lists: vec![list],
    };
    Ok(Html(page.render()?).into_response())
}
