//! Library figures over time (issue 8 item 1; docs/provincial-tiers.md, "Library figures
//! over time"): the county files, for a cluster in its province's cultivation library
//! (第七条), yearly figures in the annual-report format (第十六条; JSON or the annual
//! report's Excel workbook), and the province and the county see, per entry, the indicators
//! year by year against the national edition's thresholds with a trend chart per key
//! indicator. The rules live in `jiqun_store::library_figures`.

use crate::AppState;
use crate::applications::form::FormData;
use crate::auth::CurrentUser;
use crate::charts::{self, fmt_num};
use crate::error::{WebError, WebResult};
use crate::pages::Viewer;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use jiqun_domain::clock::china_date;
use jiqun_domain::dynamic as rules;
use jiqun_store::library_figures::{self, Figures};
use jiqun_store::tiers::{Entry, EntryStatus};
use jiqun_store::{Scope, StoreError};
use serde_json::Value;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/library/{id}/figures", get(page).post(file))
        .route("/library/{id}/figures/template.xlsx", get(template_xlsx))
        .route("/library/{id}/figures/{year}", get(document_json))
}

/// The indicators shown as trend charts (keys of `monitoring::INDICATORS`).
const CHARTED: [&str; 6] = [
    "output",
    "output_growth",
    "sme_share",
    "titled",
    "patent_density",
    "iip",
];

pub struct Head {
    pub name: String,
    pub unit: String,
    /// "400000万元 以上" (national edition), or 无固定标准值.
    pub bound: String,
    pub criterion: String,
}

pub struct Cell {
    pub text: String,
    pub class: &'static str,
    pub verdict: &'static str,
}

pub struct YearRow {
    pub year: i32,
    pub filed_at: String,
    pub readable: bool,
    pub cells: Vec<Cell>,
}

/// One entry's figures as the pages show them (the province's library page and the entry's
/// own page use the same block).
pub struct FiguresView {
    pub entry_id: i64,
    pub cluster_name: String,
    pub edition: String,
    pub heads: Vec<Head>,
    pub rows: Vec<YearRow>,
    /// Inline SVG (charts.rs escapes every text it writes).
    pub charts: Vec<String>,
}

pub fn view(entry: &Entry, f: &Figures) -> FiguresView {
    let heads = f
        .indicators
        .iter()
        .map(|i| Head {
            name: i.name.clone(),
            unit: i.unit.to_string(),
            bound: match i.threshold {
                Some(t) => format!("{}{} {}", fmt_num(t), i.unit, i.comparator),
                None => "无固定标准值".into(),
            },
            criterion: i.criterion.clone(),
        })
        .collect();
    let rows = f
        .years
        .iter()
        .map(|y| YearRow {
            year: y.year,
            filed_at: y.filed_at.chars().take(10).collect(),
            readable: y.readable,
            cells: y
                .values
                .iter()
                .map(|v| match v {
                    None => Cell {
                        text: "—".into(),
                        class: "",
                        verdict: "",
                    },
                    Some(c) => Cell {
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
    let charts = CHARTED
        .iter()
        .filter_map(|key| {
            let ind = f.indicators.iter().find(|i| i.key == *key)?;
            let points: Vec<(String, f64)> = f
                .series(key)
                .into_iter()
                .map(|(y, v)| (format!("{y}年"), v))
                .collect();
            if points.is_empty() {
                return None;
            }
            Some(charts::line(
                &format!("lib{}-{key}", entry.id),
                &format!("{}：{}", entry.cluster_name, ind.name),
                ind.unit,
                &points,
            ))
        })
        .collect();
    FiguresView {
        entry_id: entry.id,
        cluster_name: entry.cluster_name.clone(),
        edition: f.edition.clone(),
        heads,
        rows,
        charts,
    }
}

fn parse_id(id: &str) -> WebResult<i64> {
    id.parse().map_err(|_| WebError::NotFound)
}

/// County, province and ministry officials; anyone else has no library to see.
fn official_scope(user: &CurrentUser) -> WebResult<Scope> {
    match user.scope() {
        Scope::Nothing | Scope::City(_) => Err(WebError::Forbidden(
            "培育库年度数据仅供县级、省级主管部门和工业和信息化部查看。".into(),
        )),
        s => Ok(s),
    }
}

#[derive(Template)]
#[template(path = "library_figures.html")]
struct Page {
    viewer: Viewer,
    entry_status: &'static str,
    county_code: String,
    /// The county may file (its own cluster, in the library).
    can_file: bool,
    figures: Vec<FiguresView>,
    errors: Vec<String>,
    message: String,
    text: String,
}

async fn render(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    status: StatusCode,
    message: String,
    errors: Vec<String>,
    text: String,
) -> WebResult<Response> {
    let scope = official_scope(user)?;
    let mut conn = state.db.acquire().await?;
    let (entry, f) = library_figures::figures(&mut conn, &scope, id)
        .await?
        .ok_or(WebError::NotFound)?;
    let page = Page {
        viewer: Viewer::of(user),
        entry_status: entry.status.name_zh(),
        county_code: entry.county_code.clone(),
        can_file: user.user.has_role(jiqun_domain::role::Role::County)
            && entry.status == EntryStatus::InLibrary,
        figures: vec![view(&entry, &f)],
        errors,
        message,
        text,
    };
    Ok((status, Html(page.render()?)).into_response())
}

/// `GET /library/{id}/figures`: an entry's figures year by year (county, province, ministry
/// in whose jurisdiction it is; otherwise 404).
pub async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> WebResult<Response> {
    let id = parse_id(&id)?;
    render(
        &state,
        &user,
        id,
        StatusCode::OK,
        String::new(),
        Vec::new(),
        String::new(),
    )
    .await
}

/// `POST /library/{id}/figures` (county): an annual-report document as JSON (text area or
/// .json file) or the annual report's Excel workbook. Every problem is listed (JSON path,
/// or sheet and row) with 422 and nothing is stored.
pub async fn file(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    form: FormData,
) -> WebResult<Response> {
    user.check_csrf(form.csrf())?;
    let id = parse_id(&id)?;
    let upload = form.files("file").find(|f| !f.bytes.is_empty());
    let text = match upload {
        Some(f) if f.bytes.starts_with(b"PK") || f.filename.to_lowercase().ends_with(".xlsx") => {
            match jiqun_xlsx::import_annual(&f.bytes) {
                Ok(v) => return file_value(&state, &user, id, v, String::new()).await,
                Err(errs) => {
                    let msg = format!(
                        "Excel 文件「{}」有 {} 处问题，未保存：",
                        f.filename,
                        errs.len()
                    );
                    let list = errs.iter().map(ToString::to_string).collect();
                    return unprocessable(&state, &user, id, msg, list, String::new()).await;
                }
            }
        }
        Some(f) => match String::from_utf8(f.bytes.clone()) {
            Ok(t) => t,
            Err(_) => {
                let msg = format!(
                    "上传的文件「{}」不是 UTF-8 编码的 JSON 文本，未保存。",
                    f.filename
                );
                return unprocessable(&state, &user, id, msg, Vec::new(), String::new()).await;
            }
        },
        None => form.trimmed("content").to_string(),
    };
    match serde_json::from_str::<Value>(&text) {
        Ok(v) => file_value(&state, &user, id, v, text).await,
        Err(e) => {
            let msg = format!(
                "年度数据不是有效的 JSON（第{}行第{}列）：{e}，未保存。",
                e.line(),
                e.column()
            );
            unprocessable(&state, &user, id, msg, Vec::new(), text).await
        }
    }
}

/// Parses the document as an annual report and files it in one transaction.
async fn file_value(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    raw: Value,
    text: String,
) -> WebResult<Response> {
    let now = state.clock.now();
    let report = match rules::parse_annual_report(&raw, china_date(now)) {
        Ok(r) => r,
        Err(errs) => {
            let msg = format!("年度数据有 {} 处问题，未保存：", errs.len());
            // "path：message" (InputError's Display), one per problem.
            let list = errs.iter().map(ToString::to_string).collect();
            return unprocessable(state, user, id, msg, list, text).await;
        }
    };
    let mut tx = state.db.begin().await?;
    library_figures::file(&mut tx, &user.actor(), id, &raw, &report, now).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Redirect::to(&format!("/library/{id}/figures")).into_response())
}

async fn unprocessable(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    msg: String,
    list: Vec<String>,
    text: String,
) -> WebResult<Response> {
    render(
        state,
        user,
        id,
        StatusCode::UNPROCESSABLE_ENTITY,
        msg,
        list,
        text,
    )
    .await
}

/// `GET /library/{id}/figures/template.xlsx`: the annual report workbook, pre-filled with the
/// entry's latest filed year when there is one (blank otherwise).
pub async fn template_xlsx(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> WebResult<Response> {
    let scope = official_scope(&user)?;
    let id = parse_id(&id)?;
    let mut conn = state.db.acquire().await?;
    let (entry, f) = library_figures::figures(&mut conn, &scope, id)
        .await?
        .ok_or(WebError::NotFound)?;
    let latest = match f.years.last() {
        Some(y) => library_figures::document(&mut conn, &scope, id, y.year).await?,
        None => None,
    };
    let filled = latest
        .and_then(|body| serde_json::from_str::<Value>(&body).ok())
        .and_then(|v| jiqun_xlsx::export_annual(&v).ok());
    let bytes = match filled {
        Some(b) => b,
        None => jiqun_xlsx::export_annual_template()
            .map_err(|e| WebError::Internal(format!("生成年度数据模板失败：{e:?}")))?,
    };
    let filename = format!("{}-培育库年度数据.xlsx", entry.cluster_name);
    Ok(crate::download::private_file(
        bytes,
        crate::download::XLSX,
        &filename,
    ))
}

/// `GET /library/{id}/figures/{year}`: the filed document of one year, as JSON.
pub async fn document_json(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, year)): Path<(String, String)>,
) -> WebResult<Response> {
    let scope = official_scope(&user)?;
    let id = parse_id(&id)?;
    let year: i32 = year.parse().map_err(|_| WebError::NotFound)?;
    let mut conn = state.db.acquire().await?;
    let body = library_figures::document(&mut conn, &scope, id, year)
        .await?
        .ok_or(WebError::NotFound)?;
    Ok(crate::download::private_file(
        body,
        "application/json; charset=utf-8",
        &format!("培育库年度数据-{year}.json"),
    ))
}
