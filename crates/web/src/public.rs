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
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Path, Query, Request, State};
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
        .route("/public/clusters/{id}", get(cluster_profile))
        .route("/open-data/clusters.csv", get(open_data_csv))
        .route("/open-data/clusters.json", get(open_data_json))
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
//
// The national list by batch, filtered by province and industry section (GET query
// parameters), each cluster's public profile, and the same rows as open data
// (`/open-data/clusters.csv`, UTF-8 with BOM, and `.json`; columns in docs/api.md). The
// status is the recognition's own (有效, 复核通过，已延期, 已撤销, 已到期): a revoked
// recognition stays on the list as 已撤销 (第十七条).

/// One recognised cluster as the public and the open data see it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct OpenRow {
    pub recognition_id: i64,
    pub batch_id: i64,
    pub batch_title: String,
    pub batch_year: i32,
    pub cluster_id: i64,
    pub cluster_name: String,
    pub province_code: String,
    pub province_name: String,
    pub county_code: String,
    pub county_name: String,
    pub leading_industry: String,
    pub industry_codes: Vec<String>,
    pub industry_sections: Vec<String>,
    pub level: String,
    pub valid_from: String,
    pub valid_until: String,
    pub status: String,
    pub status_name: &'static str,
}

/// `?batch=&province=&industry=`: empty values mean "all".
#[derive(Debug, Default, serde::Deserialize)]
pub struct ListFilter {
    #[serde(default)]
    batch: Option<String>,
    #[serde(default)]
    province: Option<String>,
    #[serde(default)]
    industry: Option<String>,
}

fn nonempty(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The section letters of a cluster's industry codes ("C38" → "C"), without repeats.
fn sections_of(codes: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in codes {
        if let Ok(code) = jiqun_domain::industry::IndustryCode::parse(c) {
            let s = code.section().to_string();
            if !out.contains(&s) {
                out.push(s);
            }
        }
    }
    out
}

/// Every published recognition (newest batch first) matching the filter.
async fn open_rows(conn: &mut jiqun_store::Conn, f: &ListFilter) -> WebResult<Vec<OpenRow>> {
    let batch =
        match nonempty(&f.batch) {
            Some(b) => Some(b.parse::<i64>().map_err(|_| {
                WebError::BadRequest(format!("批次参数「{b}」无效，应为批次编号。"))
            })?),
            None => None,
        };
    let province = nonempty(&f.province);
    let industry = nonempty(&f.industry).map(str::to_ascii_uppercase);
    if let Some(i) = &industry
        && !(i.len() == 1 && i.chars().all(|c| c.is_ascii_uppercase()))
    {
        return Err(WebError::BadRequest(format!(
            "行业参数「{i}」无效，应为国民经济行业分类门类字母（A–T），例如 C（制造业）。"
        )));
    }
    let clusters: HashMap<i64, clusters::Cluster> = clusters::list(conn, &Scope::National)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let mut out = Vec::new();
    for id in recognitions::published_batches(conn).await? {
        if batch.is_some_and(|b| b != id) {
            continue;
        }
        let Some(b) = batches::get(conn, id).await? else {
            continue;
        };
        for l in recognitions::list_batch(conn, id).await? {
            if province.is_some_and(|p| p != l.authority_code) {
                continue;
            }
            let codes = clusters
                .get(&l.recognition.cluster_id)
                .map(|c| c.industry_codes.clone())
                .unwrap_or_default();
            let sections = sections_of(&codes);
            if let Some(i) = &industry
                && !sections.contains(i)
            {
                continue;
            }
            out.push(OpenRow {
                recognition_id: l.recognition.id,
                batch_id: b.id,
                batch_title: b.title.clone(),
                batch_year: b.year,
                cluster_id: l.recognition.cluster_id,
                province_name: authority_name(&l.authority_code),
                county_name: place_name(&l.county_code),
                province_code: l.authority_code,
                county_code: l.county_code,
                cluster_name: l.cluster_name,
                leading_industry: l.leading_industry,
                industry_codes: codes,
                industry_sections: sections,
                level: l.recognition.level.clone(),
                valid_from: l.recognition.valid_from.to_string(),
                valid_until: l.recognition.valid_until.to_string(),
                status_name: l.recognition.status_zh(),
                status: l.recognition.status,
            });
        }
    }
    Ok(out)
}

pub struct RecognizedRow {
    pub n: usize,
    pub cluster_id: i64,
    pub cluster: String,
    pub county: String,
    pub authority: String,
    pub leading_industry: String,
    pub valid_from: String,
    pub valid_until: String,
    pub status: &'static str,
    pub revoked: bool,
}

pub struct BatchList {
    pub id: i64,
    pub title: String,
    pub year: i32,
    pub rows: Vec<RecognizedRow>,
}

pub struct FilterOpt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "public_recognized.html")]
struct RecognizedPage {
    title: String,
    lists: Vec<BatchList>,
    /// Where the filter form sends its query.
    action: String,
    provinces: Vec<FilterOpt>,
    industries: Vec<FilterOpt>,
    filtered: bool,
    /// The open-data links with the same filter.
    query: String,
}

fn group(rows: Vec<OpenRow>, batch_ids: &[(i64, String, i32)]) -> Vec<BatchList> {
    batch_ids
        .iter()
        .map(|(id, title, year)| BatchList {
            id: *id,
            title: title.clone(),
            year: *year,
            rows: rows
                .iter()
                .filter(|r| r.batch_id == *id)
                .enumerate()
                .map(|(i, r)| RecognizedRow {
                    n: i + 1,
                    cluster_id: r.cluster_id,
                    cluster: r.cluster_name.clone(),
                    county: r.county_name.clone(),
                    authority: r.province_name.clone(),
                    leading_industry: r.leading_industry.clone(),
                    valid_from: r.valid_from.clone(),
                    valid_until: r.valid_until.clone(),
                    status: r.status_name,
                    revoked: r.status == "revoked",
                })
                .collect(),
        })
        .collect()
}

fn query_string(f: &ListFilter, with_batch: bool) -> String {
    let mut parts = Vec::new();
    for (k, v) in [
        ("batch", if with_batch { nonempty(&f.batch) } else { None }),
        ("province", nonempty(&f.province)),
        ("industry", nonempty(&f.industry)),
    ] {
        if let Some(v) = v {
            let enc: String = v
                .bytes()
                .map(|b| {
                    if b.is_ascii_alphanumeric() {
                        char::from(b).to_string()
                    } else {
                        format!("%{b:02X}")
                    }
                })
                .collect();
            parts.push(format!("{k}={enc}"));
        }
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

async fn recognized_page(
    state: &AppState,
    f: ListFilter,
    only_batch: Option<i64>,
) -> WebResult<Response> {
    let mut conn = state.db.acquire().await?;
    let mut batch_ids = Vec::new();
    for id in recognitions::published_batches(&mut conn).await? {
        if only_batch.is_some_and(|b| b != id) {
            continue;
        }
        if let Some(b) = batches::get(&mut conn, id).await? {
            batch_ids.push((b.id, b.title, b.year));
        }
    }
    let title = match (only_batch, batch_ids.first()) {
        (Some(_), Some((_, t, _))) => format!("{t}名单"),
        (Some(id), None) => {
            // A batch without a published list: the page exists only for a real batch.
            let b = batches::get(&mut conn, id)
                .await?
                .ok_or(WebError::NotFound)?;
            batch_ids.push((b.id, b.title.clone(), b.year));
            format!("{}名单", b.title)
        }
        (None, _) => "中小企业特色产业集群名单".to_string(),
    };
    let f = ListFilter {
        batch: only_batch.map(|b| b.to_string()).or(f.batch),
        ..f
    };
    let rows = open_rows(&mut conn, &f).await?;
    let province = nonempty(&f.province).map(str::to_string);
    let industry = nonempty(&f.industry).map(str::to_ascii_uppercase);
    let provinces = jiqun_domain::jurisdiction::authorities()
        .iter()
        .map(|a| FilterOpt {
            value: a.code.to_string(),
            label: a.name.to_string(),
            selected: province.as_deref() == Some(a.code),
        })
        .collect();
    let industries = jiqun_domain::industry::sections()
        .into_iter()
        .map(|s| FilterOpt {
            value: s.code.to_string(),
            label: format!("{} {}", s.code, s.name),
            selected: industry.as_deref() == Some(s.code),
        })
        .collect();
    let action = match only_batch {
        Some(id) => format!("/batches/{id}/recognized"),
        None => "/recognized".to_string(),
    };
    let page = RecognizedPage {
        title,
        lists: group(rows, &batch_ids),
        action,
        provinces,
        industries,
        filtered: province.is_some() || industry.is_some(),
        query: query_string(&f, true),
    };
    Ok(Html(page.render()?).into_response())
}

async fn recognized_all(
    State(state): State<AppState>,
    Query(f): Query<ListFilter>,
) -> WebResult<Response> {
    recognized_page(&state, f, None).await
}

async fn recognized_batch(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(f): Query<ListFilter>,
) -> WebResult<Response> {
    let id = parse_id(&id)?;
    recognized_page(&state, f, Some(id)).await
}

// ---- a cluster's public profile ----------------------------------------------------------

pub struct ProfileRecognition {
    pub batch_id: i64,
    pub batch_title: String,
    pub level: &'static str,
    pub valid_from: String,
    pub valid_until: String,
    pub status: &'static str,
    pub revoked: bool,
}

#[derive(Template)]
#[template(path = "public_cluster.html")]
struct ProfilePage {
    name: String,
    county: String,
    province: String,
    leading_industry: String,
    industries: Vec<String>,
    recognitions: Vec<ProfileRecognition>,
}

/// `/public/clusters/{id}`: only a recognised cluster (one with a published recognition,
/// whatever its status now) has a public profile; any other id is a page that does not
/// exist.
async fn cluster_profile(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> WebResult<Response> {
    let id = parse_id(&id)?;
    let mut conn = state.db.acquire().await?;
    let rows: Vec<OpenRow> = open_rows(&mut conn, &ListFilter::default())
        .await?
        .into_iter()
        .filter(|r| r.cluster_id == id)
        .collect();
    let Some(first) = rows.first() else {
        return Err(WebError::NotFound);
    };
    let industries = first
        .industry_codes
        .iter()
        .map(|c| match jiqun_domain::industry::IndustryCode::parse(c) {
            Ok(code) => match code.division_name() {
                Some(d) => format!("{c} {d}"),
                None => format!("{c} {}", code.section_name()),
            },
            Err(_) => c.clone(),
        })
        .collect();
    let page = ProfilePage {
        name: first.cluster_name.clone(),
        county: first.county_name.clone(),
        province: first.province_name.clone(),
        leading_industry: first.leading_industry.clone(),
        industries,
        recognitions: rows
            .iter()
            .map(|r| ProfileRecognition {
                batch_id: r.batch_id,
                batch_title: r.batch_title.clone(),
                level: if r.level == "national" {
                    "国家级（工业和信息化部认定）"
                } else {
                    "省级"
                },
                valid_from: r.valid_from.clone(),
                valid_until: r.valid_until.clone(),
                status: r.status_name,
                revoked: r.status == "revoked",
            })
            .collect(),
    };
    Ok(Html(page.render()?).into_response())
}

// ---- open data -------------------------------------------------------------------------------

/// The open-data columns, in order: (key in JSON, CSV header). Documented in docs/api.md.
pub const OPEN_DATA_COLUMNS: [(&str, &str); 18] = [
    ("recognition_id", "认定编号"),
    ("batch_id", "批次编号"),
    ("batch_title", "批次名称"),
    ("batch_year", "批次年度"),
    ("cluster_id", "集群编号"),
    ("cluster_name", "集群名称"),
    ("province_code", "省级主管部门代码"),
    ("province_name", "省级主管部门"),
    ("county_code", "县级行政区划代码"),
    ("county_name", "所在地"),
    ("leading_industry", "主导产业"),
    ("industry_codes", "行业代码"),
    ("industry_sections", "行业门类"),
    ("level", "认定级别"),
    ("valid_from", "有效期起"),
    ("valid_until", "有效期止"),
    ("status", "状态代码"),
    ("status_name", "状态"),
];

/// One CSV field (RFC 4180 quoting; a leading `=`, `+`, `-` or `@` is prefixed with `'` so
/// that spreadsheet programs do not run it as a formula).
pub(crate) fn csv_field(out: &mut String, value: &str) {
    let guarded = if value.starts_with(['=', '+', '-', '@']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&guarded.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(&guarded);
    }
}

/// A CSV document (UTF-8 with BOM so that Excel reads the Chinese) of header and rows.
pub(crate) fn csv_document(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = String::from("\u{feff}");
    for line in std::iter::once(header.iter().map(|s| s.to_string()).collect::<Vec<_>>())
        .chain(rows.iter().cloned())
    {
        for (i, v) in line.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            csv_field(&mut out, v);
        }
        out.push_str("\r\n");
    }
    out
}

fn open_row_fields(r: &OpenRow) -> Vec<String> {
    vec![
        r.recognition_id.to_string(),
        r.batch_id.to_string(),
        r.batch_title.clone(),
        r.batch_year.to_string(),
        r.cluster_id.to_string(),
        r.cluster_name.clone(),
        r.province_code.clone(),
        r.province_name.clone(),
        r.county_code.clone(),
        r.county_name.clone(),
        r.leading_industry.clone(),
        r.industry_codes.join(";"),
        r.industry_sections.join(";"),
        r.level.clone(),
        r.valid_from.clone(),
        r.valid_until.clone(),
        r.status.clone(),
        r.status_name.to_string(),
    ]
}

async fn open_data_csv(
    State(state): State<AppState>,
    Query(f): Query<ListFilter>,
) -> WebResult<Response> {
    let mut conn = state.db.acquire().await?;
    let rows = open_rows(&mut conn, &f).await?;
    let header: Vec<&str> = OPEN_DATA_COLUMNS.iter().map(|(_, h)| *h).collect();
    let body = csv_document(
        &header,
        &rows.iter().map(open_row_fields).collect::<Vec<_>>(),
    );
    Ok(crate::download::file(
        body,
        "text/csv; charset=utf-8",
        "clusters.csv",
    ))
}

async fn open_data_json(
    State(state): State<AppState>,
    Query(f): Query<ListFilter>,
) -> WebResult<Response> {
    let mut conn = state.db.acquire().await?;
    let rows = open_rows(&mut conn, &f).await?;
    let columns: Vec<serde_json::Value> = OPEN_DATA_COLUMNS
        .iter()
        .map(|(k, h)| serde_json::json!({"key": k, "title": h}))
        .collect();
    let body = serde_json::json!({
        "columns": columns,
        "count": rows.len(),
        "clusters": rows,
    });
    let mut resp = axum::Json(body).into_response();
    resp.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    Ok(resp)
}
