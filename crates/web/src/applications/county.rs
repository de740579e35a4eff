//! The application pages: list, create, edit the declaration, self-evaluate, evidence
//! files, versions, and the step buttons (for every role; the state machine decides which
//! a caller sees).

use super::form::FormData;
use super::view::{
    self, ActionButton, EvalView, FileRow, HistoryRow, ReviewRow, VersionRow, local_time,
};
use super::{Loaded, actions_for, authority_name, load, parse_id, place_name, step};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{WebError, WebResult};
use crate::pages::Viewer;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use jiqun_domain::criteria::parse_declaration;
use jiqun_domain::declaration::Declaration;
use jiqun_domain::role::Role;
use jiqun_domain::workflow::{Action, AppState as WfState};
use jiqun_store::applications::{self, Application};
use jiqun_store::attachments::{self, NewFile};
use jiqun_store::audit::{self, NewEvent};
use jiqun_store::batches::{self, Batch};
use jiqun_store::clusters::{self, Cluster, Tier};
use jiqun_store::reviews::{self, ReviewKind};
use jiqun_store::{Scope, StoreError};
use serde::Deserialize;
use std::collections::HashMap;

/// An option of a `<select>`.
pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

// ---- list and create --------------------------------------------------------------------

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    batch: Option<String>,
    #[serde(default)]
    state: Option<String>,
}

pub struct ListRow {
    pub id: i64,
    pub cluster: String,
    pub county: String,
    pub authority: String,
    pub batch: String,
    pub state: &'static str,
    pub version: i64,
    pub rank: String,
    pub updated_at: String,
}

#[derive(Template)]
#[template(path = "app_list.html")]
struct ListPage {
    viewer: Viewer,
    rows: Vec<ListRow>,
    can_create: bool,
    clusters: Vec<Opt>,
    open_batches: Vec<Opt>,
    filter_batches: Vec<Opt>,
    filter_states: Vec<Opt>,
    is_province: bool,
}

/// Parses the `batch` and `state` filters shared by the page and the API.
fn parse_filters(
    batch: Option<&str>,
    state: Option<&str>,
) -> WebResult<(Option<i64>, Option<WfState>)> {
    let batch = match batch.map(str::trim).filter(|s| !s.is_empty()) {
        Some(b) => Some(
            b.parse::<i64>()
                .map_err(|_| WebError::BadRequest(format!("批次参数「{b}」无效，应为批次编号")))?,
        ),
        None => None,
    };
    let state = match state.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => Some(s.parse::<WfState>().map_err(WebError::BadRequest)?),
        None => None,
    };
    Ok((batch, state))
}

pub(super) fn list_rows(
    apps: &[Application],
    clusters: &HashMap<i64, Cluster>,
    batches: &HashMap<i64, Batch>,
) -> Vec<ListRow> {
    apps.iter()
        .map(|a| ListRow {
            id: a.id,
            cluster: clusters
                .get(&a.cluster_id)
                .map(|c| c.name.clone())
                .unwrap_or_default(),
            county: place_name(&a.county_code),
            authority: authority_name(&a.authority_code),
            batch: batches
                .get(&a.batch_id)
                .map(|b| b.title.clone())
                .unwrap_or_default(),
            state: batches.get(&a.batch_id).map_or_else(
                || a.state.name_zh(),
                |b| a.state.name_zh_at(b.workflow_level()),
            ),
            version: a.current_version,
            rank: a.rank.map(|r| r.to_string()).unwrap_or_default(),
            updated_at: local_time(&a.updated_at),
        })
        .collect()
}

pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> WebResult<Response> {
    let (batch, st) = parse_filters(q.batch.as_deref(), q.state.as_deref())?;
    let scope = user.scope();
    let mut conn = state.db.acquire().await?;
    let apps = applications::list(&mut conn, &scope, batch, st).await?;
    let cluster_list = clusters::list(&mut conn, &scope).await?;
    let batch_list = batches::list(&mut conn).await?;
    let cluster_map: HashMap<i64, Cluster> =
        cluster_list.iter().map(|c| (c.id, c.clone())).collect();
    let batch_map: HashMap<i64, Batch> = batch_list.iter().map(|b| (b.id, b.clone())).collect();
    let can_create = user.user.has_role(Role::County) && matches!(scope, Scope::County(_));
    let page = ListPage {
        viewer: Viewer::of(&user),
        rows: list_rows(&apps, &cluster_map, &batch_map),
        can_create,
        clusters: cluster_list
            .iter()
            .map(|c| Opt {
                value: c.id.to_string(),
                label: c.name.clone(),
                selected: false,
            })
            .collect(),
        open_batches: batch_list
            .iter()
            .filter(|b| b.status == "open" && b.visible_to(&scope))
            .map(|b| Opt {
                value: b.id.to_string(),
                label: b.title.clone(),
                selected: false,
            })
            .collect(),
        filter_batches: batch_list
            .iter()
            .filter(|b| b.visible_to(&scope))
            .map(|b| Opt {
                value: b.id.to_string(),
                label: b.title.clone(),
                selected: Some(b.id) == batch,
            })
            .collect(),
        filter_states: WfState::ALL
            .iter()
            .map(|s| Opt {
                value: s.as_str().to_string(),
                label: s.name_zh().to_string(),
                selected: Some(*s) == st,
            })
            .collect(),
        is_province: user.user.has_role(Role::Province),
    };
    Ok(Html(page.render()?).into_response())
}

/// The declaration a new application starts from: what the system already knows about the
/// cluster and the batch, and the three-year window (SPEC §3).
pub(super) fn skeleton(cluster: &Cluster, batch: &Batch) -> String {
    let mut c = serde_json::Map::new();
    c.insert("name".into(), cluster.name.clone().into());
    c.insert("county_code".into(), cluster.county_code.clone().into());
    c.insert(
        "leading_industry".into(),
        cluster.leading_industry.clone().into(),
    );
    c.insert(
        "industry_codes".into(),
        serde_json::Value::from(cluster.industry_codes.clone()),
    );
    if let Some(area) = cluster
        .area_km2
        .as_deref()
        .and_then(|a| serde_json::from_str::<serde_json::Value>(a).ok())
        .filter(serde_json::Value::is_number)
    {
        c.insert("area_km2".into(), area);
    }
    c.insert(
        "provincial_cluster".into(),
        matches!(cluster.tier, Tier::Provincial | Tier::National).into(),
    );
    let y = batch.year;
    let decl = serde_json::json!({
        "edition": batch.edition,
        "batch_year": y,
        "first_batch": batch.first_batch,
        "cluster": c,
        "years": [y - 3, y - 2, y - 1],
        "enterprises": [],
    });
    serde_json::to_string_pretty(&decl).unwrap_or_else(|_| "{}".to_string())
}

pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    form: FormData,
) -> WebResult<Response> {
    user.check_csrf(form.csrf())?;
    let cluster_id: i64 = form
        .trimmed("cluster_id")
        .parse()
        .map_err(|_| WebError::BadRequest("请选择申报的集群。".into()))?;
    let batch_id: i64 = form
        .trimmed("batch_id")
        .parse()
        .map_err(|_| WebError::BadRequest("请选择申报批次。".into()))?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let cluster = clusters::get(&mut tx, &user.scope(), cluster_id)
        .await?
        .ok_or(WebError::NotFound)?;
    let batch = batches::get(&mut tx, batch_id)
        .await?
        .ok_or(WebError::NotFound)?;
    let app = applications::create(
        &mut tx,
        &user.actor(),
        cluster.id,
        batch.id,
        &skeleton(&cluster, &batch),
        now,
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Redirect::to(&format!("/applications/{}/edit", app.id)).into_response())
}

// ---- the application page -----------------------------------------------------------------

#[derive(Debug, Deserialize)]
pub struct ShowQuery {
    #[serde(default)]
    done: Option<String>,
}

pub struct ReviewKindOpt {
    pub value: &'static str,
    pub label: &'static str,
}

#[derive(Template)]
#[template(path = "app_show.html")]
struct ShowPage {
    viewer: Viewer,
    app_id: i64,
    cluster_name: String,
    county: String,
    authority: String,
    batch_title: String,
    batch_id: i64,
    state_name: &'static str,
    state_code: &'static str,
    rank: String,
    current_version: i64,
    updated_at: String,
    notice: Option<String>,
    can_edit: bool,
    buttons: Vec<ActionButton>,
    eval: Option<EvalView>,
    versions: Vec<VersionRow>,
    history: Vec<HistoryRow>,
    files: Vec<FileRow>,
    reviews: Vec<ReviewRow>,
    review_kinds: Vec<ReviewKindOpt>,
    today: String,
    quota: Option<String>,
    allowed_types: &'static str,
}

fn notice_for(done: Option<&str>) -> Option<String> {
    let done = done?;
    let fixed = match done {
        "created" => Some("申报已创建。"),
        "saved" => Some("申报数据已保存。请进行自评。"),
        "imported" => Some("已从 Excel 文件导入并保存申报数据。请进行自评。"),
        "evaluated" => Some("自评已完成，逐条结果见下方。"),
        "uploaded" => Some("佐证材料已上传。"),
        "reviewed" => Some("审查记录已保存。"),
        _ => None,
    };
    if let Some(f) = fixed {
        return Some(f.to_string());
    }
    done.parse::<Action>()
        .ok()
        .map(|a| format!("「{}」已办理。", a.name_zh()))
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<ShowQuery>,
) -> WebResult<Response> {
    let id = parse_id(&id)?;
    let mut conn = state.db.acquire().await?;
    let Loaded {
        app,
        cluster,
        batch,
    } = load(&mut conn, &user.scope(), id).await?;
    let versions = applications::versions(&mut conn, app.id).await?;
    let current = versions.iter().find(|v| v.version == app.current_version);
    let history = applications::transitions(&mut conn, app.id).await?;
    let files = attachments::list(&mut conn, "application", app.id).await?;
    let mut review_rows = Vec::new();
    for r in reviews::list(&mut conn, app.id).await? {
        let fs = attachments::list(&mut conn, "review", r.id).await?;
        review_rows.push(view::review_row(&r, &fs));
    }
    let level = batch.workflow_level();
    let review_kinds: Vec<ReviewKindOpt> = ReviewKind::ALL
        .into_iter()
        .filter(|k| user.user.has_role(k.role_at(level)) && k.states().contains(&app.state))
        .map(|k| ReviewKindOpt {
            value: k.as_str(),
            label: k.name_zh(),
        })
        .collect();
    let quota = if batch.city_step
        && batch.is_provincial()
        && user.user.has_role(Role::City)
        && matches!(app.state, WfState::Accepted | WfState::Recommended)
    {
        let city = applications::city_of(&app.county_code);
        let used = applications::city_used(&mut conn, batch.id, &city).await?;
        Some(format!(
            "本批次每个设区市最多推荐 {} 个，本市已推荐 {used} 个。",
            batch.city_cap
        ))
    } else if batch.is_provincial() {
        None
    } else if user.user.has_role(Role::Province)
        && matches!(app.state, WfState::Accepted | WfState::Recommended)
    {
        let limit = batches::quota_for(&mut conn, &batch, &app.authority_code).await?;
        let used = applications::quota_used(&mut conn, batch.id, &app.authority_code).await?;
        Some(format!("本批次推荐名额 {limit} 个，已推荐 {used} 个。"))
    } else {
        None
    };
    let page = ShowPage {
        viewer: Viewer::of(&user),
        app_id: app.id,
        cluster_name: cluster.name.clone(),
        county: place_name(&app.county_code),
        authority: authority_name(&app.authority_code),
        batch_title: batch.title.clone(),
        batch_id: batch.id,
        state_name: app.state.name_zh_at(level),
        state_code: app.state.as_str(),
        rank: app.rank.map(|r| r.to_string()).unwrap_or_default(),
        current_version: app.current_version,
        updated_at: local_time(&app.updated_at),
        notice: notice_for(q.done.as_deref()),
        can_edit: user.user.has_role(Role::County) && app.state.is_editable(),
        buttons: view::buttons(&actions_for(&user, batch.workflow_level(), app.state)),
        eval: current.and_then(|v| view::eval_view(v, &batch.edition)),
        versions: view::version_rows(&versions),
        history: view::history_rows(&history),
        files: view::file_rows(&files),
        reviews: review_rows,
        review_kinds,
        today: jiqun_store::time::date_to_text(state.clock.today()),
        quota,
        allowed_types: attachments::ALLOWED_TEXT,
    };
    Ok(Html(page.render()?).into_response())
}

// ---- the declaration ----------------------------------------------------------------------

pub struct ErrorRow {
    pub path: String,
    pub message: String,
}

#[derive(Template)]
#[template(path = "app_edit.html")]
struct EditPage {
    viewer: Viewer,
    app_id: i64,
    cluster_name: String,
    batch_title: String,
    version: i64,
    declaration: String,
    heading: &'static str,
    errors: Vec<ErrorRow>,
    /// Header of the errors' location column: JSON paths, or sheet/row/column for Excel.
    location_header: &'static str,
}

/// Only the applicant edits, and only a draft (a submitted version is frozen, SPEC §2).
pub(super) fn ensure_editable(user: &CurrentUser, app: &Application) -> WebResult<()> {
    if !user.user.has_role(Role::County) {
        return Err(WebError::Conflict(
            "只有申报单位（县级中小企业主管部门）可以修改申报（第十二条）。".into(),
        ));
    }
    if !app.state.is_editable() {
        return Err(WebError::Conflict(format!(
            "申报当前状态为「{}」，不能修改；已提交的版本不可更改。",
            app.state.name_zh()
        )));
    }
    Ok(())
}

/// Parses a declaration with the criteria engine and checks that it belongs to this
/// application (edition, batch year, first batch, county); every problem by JSON path.
pub(super) fn check_declaration(text: &str, l: &Loaded) -> Result<Declaration, Vec<ErrorRow>> {
    if text.trim().is_empty() {
        return Err(vec![ErrorRow {
            path: "$".into(),
            message: "申报数据为空，请粘贴或上传申报数据（JSON）。".into(),
        }]);
    }
    let decl = parse_declaration(text).map_err(|errs| {
        errs.into_iter()
            .map(|e| ErrorRow {
                path: e.path,
                message: e.message,
            })
            .collect::<Vec<_>>()
    })?;
    let mut errs = Vec::new();
    if decl.edition != l.batch.edition {
        errs.push(ErrorRow {
            path: "edition".into(),
            message: format!(
                "本批次适用认定标准「{}」，申报数据为「{}」",
                l.batch.edition, decl.edition
            ),
        });
    }
    if decl.batch_year != l.batch.year {
        errs.push(ErrorRow {
            path: "batch_year".into(),
            message: format!(
                "本批次为{}年，申报数据为{}年",
                l.batch.year, decl.batch_year
            ),
        });
    }
    if decl.first_batch != l.batch.first_batch {
        errs.push(ErrorRow {
            path: "first_batch".into(),
            message: format!(
                "本批次{}首批，申报数据填写为 {}",
                if l.batch.first_batch { "是" } else { "不是" },
                decl.first_batch
            ),
        });
    }
    if decl.cluster.county_code != l.cluster.county_code {
        errs.push(ErrorRow {
            path: "cluster.county_code".into(),
            message: format!(
                "集群所在县为 {}，申报数据填写为 {}",
                l.cluster.county_code, decl.cluster.county_code
            ),
        });
    }
    if errs.is_empty() { Ok(decl) } else { Err(errs) }
}

fn render_edit(
    user: &CurrentUser,
    l: &Loaded,
    declaration: String,
    heading: &'static str,
    errors: Vec<ErrorRow>,
) -> WebResult<Response> {
    render_edit_page(user, l, declaration, heading, errors, "位置（JSON 路径）")
}

fn render_edit_page(
    user: &CurrentUser,
    l: &Loaded,
    declaration: String,
    heading: &'static str,
    errors: Vec<ErrorRow>,
    location_header: &'static str,
) -> WebResult<Response> {
    let status = if errors.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = EditPage {
        viewer: Viewer::of(user),
        app_id: l.app.id,
        cluster_name: l.cluster.name.clone(),
        batch_title: l.batch.title.clone(),
        version: l.app.current_version,
        declaration,
        heading,
        errors,
        location_header,
    };
    Ok((status, Html(page.render()?)).into_response())
}

pub async fn edit_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> WebResult<Response> {
    let id = parse_id(&id)?;
    let mut conn = state.db.acquire().await?;
    let l = load(&mut conn, &user.scope(), id).await?;
    ensure_editable(&user, &l.app)?;
    let v = applications::version(&mut conn, l.app.id, l.app.current_version)
        .await?
        .ok_or(WebError::NotFound)?;
    render_edit(&user, &l, v.declaration, "", Vec::new())
}

/// A declaration sent as a `.json` file (UTF-8, with or without a byte-order mark).
fn declaration_from_file(f: &super::form::Upload) -> WebResult<String> {
    let name = f.filename.to_ascii_lowercase();
    if !name.ends_with(".json") {
        return Err(WebError::BadRequest(format!(
            "申报数据文件「{}」不是 .json 文件。Excel 模板导入请使用导入功能。",
            jiqun_store::attachments::clean_filename(&f.filename)
        )));
    }
    if f.bytes.len() > attachments::MAX_BYTES {
        return Err(WebError::BadRequest(
            "申报数据文件超过 20 MB 的上限。".into(),
        ));
    }
    String::from_utf8(f.bytes.clone()).map_err(|_| {
        WebError::BadRequest(
            "申报数据文件不是 UTF-8 编码的文本，请另存为 UTF-8 后重新上传。".into(),
        )
    })
}

pub async fn save_declaration(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    form: FormData,
) -> WebResult<Response> {
    user.check_csrf(form.csrf())?;
    let id = parse_id(&id)?;
    let mut conn = state.db.acquire().await?;
    let l = load(&mut conn, &user.scope(), id).await?;
    drop(conn);
    ensure_editable(&user, &l.app)?;
    let text = match form.files("declaration_file").next() {
        Some(f) => declaration_from_file(f)?,
        None => form.text("declaration").unwrap_or("").to_string(),
    };
    let text = text.trim_start_matches('\u{feff}').to_string();
    if let Err(errors) = check_declaration(&text, &l) {
        // Nothing is saved: the page comes back with the text and every problem.
        return render_edit(&user, &l, text, "申报数据有误，未保存", errors);
    }
    let mut tx = state.db.begin().await?;
    applications::save_declaration(&mut tx, &user.actor(), &l.app, &text, state.clock.now())
        .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Redirect::to(&format!("/applications/{id}?done=saved")).into_response())
}

// ---- Excel (docs/excel.md) ----------------------------------------------------------------

/// A workbook as a download with its (Chinese) file name.
pub(crate) fn xlsx_response(bytes: Vec<u8>, filename: &str) -> Response {
    crate::download::private_file(bytes, crate::download::XLSX, filename)
}

fn export_failed(e: jiqun_xlsx::ExportError) -> WebError {
    WebError::Internal(e.to_string())
}

/// The blank declaration workbook (instruction sheet, dropdowns, example rows), for anyone
/// who may see the application.
pub async fn template_xlsx(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> WebResult<Response> {
    let id = parse_id(&id)?;
    let mut conn = state.db.acquire().await?;
    load(&mut conn, &user.scope(), id).await?;
    drop(conn);
    let bytes = jiqun_xlsx::export_template(jiqun_xlsx::TemplateKind::Declaration)
        .map_err(export_failed)?;
    Ok(xlsx_response(bytes, "集群申报数据模板.xlsx"))
}

/// The current version's declaration as a filled workbook (the same workbook the import
/// reads back).
pub async fn declaration_xlsx(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> WebResult<Response> {
    let id = parse_id(&id)?;
    let mut conn = state.db.acquire().await?;
    let l = load(&mut conn, &user.scope(), id).await?;
    let v = applications::version(&mut conn, l.app.id, l.app.current_version)
        .await?
        .ok_or(WebError::NotFound)?;
    drop(conn);
    let decl = parse_declaration(&v.declaration).map_err(|errs| {
        let first = errs
            .first()
            .map(|e| format!("，例如 {}：{}", e.path, e.message))
            .unwrap_or_default();
        WebError::Conflict(format!(
            "第{}版申报数据尚不完整（共 {} 处问题{first}），无法导出为 Excel。请先在编辑页补全，或下载空白模板填写后导入。",
            v.version,
            errs.len()
        ))
    })?;
    let bytes = tokio::task::spawn_blocking(move || jiqun_xlsx::export_declaration(&decl))
        .await
        .map_err(|e| WebError::Internal(format!("导出任务失败：{e}")))?
        .map_err(export_failed)?;
    let filename = format!("申报数据-{}-第{}版.xlsx", l.cluster.name, v.version);
    Ok(xlsx_response(bytes, &filename))
}

/// Where an Excel problem is, as the user finds it: 「企业名录 第12行 C列「统一社会信用代码」（填写值「9133」）」.
fn cell_location(e: &jiqun_xlsx::CellError) -> String {
    let mut s = e.sheet.clone().unwrap_or_else(|| "整个文件".to_string());
    if let Some(r) = e.row {
        s.push_str(&format!(" 第{r}行"));
    }
    if let Some(c) = &e.column {
        s.push_str(&format!(" {c}列"));
    }
    if let Some(f) = &e.field {
        s.push_str(&format!("「{f}」"));
    }
    if let Some(v) = e.value.as_deref().filter(|v| !v.is_empty()) {
        let shown: String = v.chars().take(40).collect();
        let more = if v.chars().count() > 40 { "…" } else { "" };
        s.push_str(&format!("（填写值「{shown}{more}」）"));
    }
    s
}

/// Upload of a filled declaration workbook: `jiqun_xlsx::import_declaration`, then exactly
/// the JSON form's path (the same checks, the same store call; the new version needs a
/// self-evaluation again). Any problem: every one listed by sheet, row and column, nothing
/// saved.
pub async fn import_xlsx(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    form: FormData,
) -> WebResult<Response> {
    user.check_csrf(form.csrf())?;
    let id = parse_id(&id)?;
    let mut conn = state.db.acquire().await?;
    let l = load(&mut conn, &user.scope(), id).await?;
    ensure_editable(&user, &l.app)?;
    let current = applications::version(&mut conn, l.app.id, l.app.current_version)
        .await?
        .map(|v| v.declaration)
        .unwrap_or_default();
    drop(conn);
    let Some(file) = form.files("xlsx_file").next() else {
        return Err(WebError::BadRequest(
            "请选择要导入的 Excel 文件（.xlsx，可先下载模板填写）。".into(),
        ));
    };
    let bytes = file.bytes.clone();
    let imported = tokio::task::spawn_blocking(move || jiqun_xlsx::import_declaration(&bytes))
        .await
        .map_err(|e| WebError::Internal(format!("导入任务失败：{e}")))?;
    let decl = match imported {
        Ok(d) => d,
        Err(errs) => {
            let rows = errs
                .iter()
                .map(|e| ErrorRow {
                    path: cell_location(e),
                    message: e.message.clone(),
                })
                .collect();
            return render_edit_page(
                &user,
                &l,
                current,
                "Excel 文件有误，未导入",
                rows,
                "位置（工作表 行 列）",
            );
        }
    };
    let text = jiqun_domain::generate::to_json(&decl)
        .and_then(|v| serde_json::to_string_pretty(&v))
        .map_err(|e| WebError::Internal(format!("导入的申报数据无法转换：{e}")))?;
    if let Err(errors) = check_declaration(&text, &l) {
        return render_edit(
            &user,
            &l,
            text,
            "Excel 文件中的申报数据与本申报不符，未导入",
            errors,
        );
    }
    let mut tx = state.db.begin().await?;
    applications::save_declaration(&mut tx, &user.actor(), &l.app, &text, state.clock.now())
        .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Redirect::to(&format!("/applications/{id}?done=imported")).into_response())
}

/// 自评: runs the criteria engine on the current version with the batch's edition and
/// stores the result with the version (SPEC §4: submission needs a self-evaluation).
pub async fn self_evaluate(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    form: FormData,
) -> WebResult<Response> {
    user.check_csrf(form.csrf())?;
    let id = parse_id(&id)?;
    let mut conn = state.db.acquire().await?;
    let l = load(&mut conn, &user.scope(), id).await?;
    ensure_editable(&user, &l.app)?;
    let v = applications::version(&mut conn, l.app.id, l.app.current_version)
        .await?
        .ok_or(WebError::NotFound)?;
    drop(conn);
    let decl = match check_declaration(&v.declaration, &l) {
        Ok(d) => d,
        Err(errors) => {
            return render_edit(
                &user,
                &l,
                v.declaration,
                "申报数据有误，请先改正后再自评",
                errors,
            );
        }
    };
    let actor = user.actor();
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    // P.provincial from the tier record, C8.policy from the outreach register (issue 8).
    let evaluation =
        jiqun_store::tiers::evaluate_with_record(&mut tx, l.app.cluster_id, &l.batch, &decl)
            .await?;
    let json = serde_json::to_string(&evaluation)
        .map_err(|e| WebError::Internal(format!("自评结果无法保存：{e}")))?;
    applications::record_evaluation(&mut tx, &l.app, &json, evaluation.eligible, now).await?;
    audit::append(
        &mut tx,
        &NewEvent {
            actor_user_id: Some(actor.user_id),
            actor: &actor.username,
            actor_org: &actor.org_code,
            action: "self_evaluate",
            object_type: "application",
            object_id: l.app.id.to_string(),
            before_state: Some(l.app.state.as_str()),
            after_state: Some(l.app.state.as_str()),
            comment: None,
            detail: serde_json::json!({
                "version": l.app.current_version,
                "edition": l.batch.edition,
                "eligible": evaluation.eligible,
            }),
        },
        now,
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Redirect::to(&format!("/applications/{id}?done=evaluated#evaluation")).into_response())
}

// ---- evidence files -----------------------------------------------------------------------

pub async fn upload(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    form: FormData,
) -> WebResult<Response> {
    user.check_csrf(form.csrf())?;
    let id = parse_id(&id)?;
    let actor = user.actor();
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let l = load(&mut tx, &actor.scope, id).await?;
    if !user.user.has_role(Role::County) {
        return Err(WebError::Conflict(
            "只有申报单位可以上传申报佐证材料；审查材料请随审查记录上传。".into(),
        ));
    }
    if !l.app.state.is_editable() {
        return Err(WebError::Conflict(format!(
            "申报当前状态为「{}」，不能再添加佐证材料；已提交的版本不可更改。",
            l.app.state.name_zh()
        )));
    }
    let files: Vec<_> = form.files("files").collect();
    if files.is_empty() {
        return Err(WebError::BadRequest("请选择要上传的文件。".into()));
    }
    // All or nothing: one refused file stores none of them.
    for f in files {
        attachments::store(
            &mut tx,
            &state.config.files_dir,
            (&actor).into(),
            &NewFile {
                owner_type: "application",
                owner_id: l.app.id,
                version: Some(l.app.current_version),
                filename: &f.filename,
                bytes: &f.bytes,
                audit_object_type: "application",
                audit_object_id: l.app.id.to_string(),
            },
            now,
        )
        .await?;
    }
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Redirect::to(&format!("/applications/{id}?done=uploaded#files")).into_response())
}

/// A file of the application or of one of its reviews, for whoever may see the application.
pub async fn download(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, attachment)): Path<(String, String)>,
) -> WebResult<Response> {
    let id = parse_id(&id)?;
    let attachment = parse_id(&attachment)?;
    let mut conn = state.db.acquire().await?;
    let l = load(&mut conn, &user.scope(), id).await?;
    let att = attachments::get(&mut conn, attachment)
        .await?
        .ok_or(WebError::NotFound)?;
    let belongs = match att.owner_type.as_str() {
        "application" => att.owner_id == l.app.id,
        "review" => reviews::get(&mut conn, att.owner_id)
            .await?
            .is_some_and(|r| r.application_id == l.app.id),
        _ => false,
    };
    if !belongs {
        return Err(WebError::NotFound);
    }
    drop(conn);
    let bytes = attachments::read(&state.config.files_dir, &att).await?;
    Ok(crate::download::private_file(
        bytes,
        &att.content_type,
        &att.filename,
    ))
}

// ---- versions -----------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "app_version.html")]
struct VersionPage {
    viewer: Viewer,
    app_id: i64,
    cluster_name: String,
    version: i64,
    current_version: i64,
    frozen: bool,
    created_at: String,
    declaration: String,
    eval: Option<EvalView>,
    files: Vec<FileRow>,
}

pub async fn version_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, n)): Path<(String, String)>,
) -> WebResult<Response> {
    let id = parse_id(&id)?;
    let n = parse_id(&n)?;
    let mut conn = state.db.acquire().await?;
    let l = load(&mut conn, &user.scope(), id).await?;
    let v = applications::version(&mut conn, l.app.id, n)
        .await?
        .ok_or(WebError::NotFound)?;
    let files: Vec<_> = attachments::list(&mut conn, "application", l.app.id)
        .await?
        .into_iter()
        .filter(|a| a.version == Some(n))
        .collect();
    let pretty = serde_json::from_str::<serde_json::Value>(&v.declaration)
        .ok()
        .and_then(|j| serde_json::to_string_pretty(&j).ok())
        .unwrap_or_else(|| v.declaration.clone());
    let page = VersionPage {
        viewer: Viewer::of(&user),
        app_id: l.app.id,
        cluster_name: l.cluster.name.clone(),
        version: v.version,
        current_version: l.app.current_version,
        frozen: v.frozen,
        created_at: local_time(&v.created_at),
        declaration: pretty,
        eval: view::eval_view(&v, &l.batch.edition),
        files: view::file_rows(&files),
    };
    Ok(Html(page.render()?).into_response())
}

// ---- steps --------------------------------------------------------------------------------

pub async fn transition(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    form: FormData,
) -> WebResult<Response> {
    user.check_csrf(form.csrf())?;
    let id = parse_id(&id)?;
    let action: Action = form
        .trimmed("action")
        .parse()
        .map_err(WebError::BadRequest)?;
    step(&state, &user, id, action, form.text("comment")).await?;
    Ok(Redirect::to(&format!("/applications/{id}?done={}", action.as_str())).into_response())
}
