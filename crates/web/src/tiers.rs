//! Provincial tiers (issue 8; docs/provincial-tiers.md): the province's cultivation library
//! (`/province/library`, 第七条 "建立集群培育库"), the county's proposal page
//! (`/library/propose`) and a cluster's tier history (`/clusters/{id}/tiers`, 培育库 →
//! 省级集群 → 国家级集群). The rules live in `jiqun_store::tiers`; these handlers parse
//! the forms, check CSRF and render.

use crate::AppState;
use crate::applications::form::FormData;
use crate::auth::CurrentUser;
use crate::error::{WebError, WebResult};
use crate::pages::Viewer;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;
use jiqun_domain::clock::china_date;
use jiqun_domain::role::Role;
use jiqun_store::StoreError;
use jiqun_store::clusters::{self, Tier};
use jiqun_store::tiers::{self, Entry, EntryStatus, HistoryItem};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/province/library", get(library_page))
        .route("/province/library/{id}/accept", post(accept))
        .route("/province/library/{id}/withdraw", post(withdraw))
        .route("/province/library/{id}/recognise", post(recognise))
        .route("/library/propose", get(propose_page).post(propose))
        .route("/clusters/{id}/tiers", get(history_page))
        .route("/tiers/prior", get(prior_page).post(record_prior))
}

/// An entry as the pages show it.
pub struct EntryRow {
    pub id: i64,
    pub cluster_id: i64,
    pub cluster_name: String,
    pub county_code: String,
    pub reasons: String,
    pub status: &'static str,
    pub proposed_on: String,
    pub entered_on: String,
    pub left_on: String,
    pub leave_reason: String,
    pub decision_no: String,
}

fn text_date(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

fn row(e: &Entry) -> EntryRow {
    EntryRow {
        id: e.id,
        cluster_id: e.cluster_id,
        cluster_name: e.cluster_name.clone(),
        county_code: e.county_code.clone(),
        reasons: e.reasons.clone(),
        status: e.status.name_zh(),
        proposed_on: e.proposed_on.to_string(),
        entered_on: text_date(e.entered_on),
        left_on: text_date(e.left_on),
        leave_reason: e.leave_reason.clone().unwrap_or_default(),
        decision_no: e.decision_no.clone().unwrap_or_default(),
    }
}

fn parse_id(id: &str) -> WebResult<i64> {
    id.parse().map_err(|_| WebError::NotFound)
}

fn require(user: &CurrentUser, role: Role, what: &str) -> WebResult<()> {
    if user.user.has_role(role) {
        Ok(())
    } else {
        Err(WebError::Forbidden(format!(
            "「{what}」只由{}使用。",
            role.name_zh()
        )))
    }
}

// ---- the province's library -----------------------------------------------------------------

#[derive(Template)]
#[template(path = "tiers_library.html")]
struct LibraryPage {
    viewer: Viewer,
    today: String,
    proposed: Vec<EntryRow>,
    in_library: Vec<EntryRow>,
    promoted: Vec<EntryRow>,
    withdrawn: Vec<EntryRow>,
    /// The yearly figures of the entries in the library (issue 8, library figures).
    figures: Vec<crate::library_figures::FiguresView>,
}

pub async fn library_page(State(state): State<AppState>, user: CurrentUser) -> WebResult<Response> {
    require(&user, Role::Province, "省级集群培育库")?;
    let mut conn = state.db.acquire().await?;
    let entries = tiers::list(&mut conn, &user.scope()).await?;
    let pick = |s: EntryStatus| -> Vec<EntryRow> {
        entries.iter().filter(|e| e.status == s).map(row).collect()
    };
    let figures = in_library_figures(&mut conn, &entries).await?;
    let page = LibraryPage {
        viewer: Viewer::of(&user),
        today: state.clock.today().to_string(),
        proposed: pick(EntryStatus::Proposed),
        in_library: pick(EntryStatus::InLibrary),
        promoted: pick(EntryStatus::Promoted),
        withdrawn: pick(EntryStatus::Withdrawn),
        figures,
    };
    Ok(Html(page.render()?).into_response())
}

/// The figures of the entries in the library (already scoped by `tiers::list`).
async fn in_library_figures(
    conn: &mut jiqun_store::Conn,
    entries: &[Entry],
) -> WebResult<Vec<crate::library_figures::FiguresView>> {
    let mut out = Vec::new();
    let edition = jiqun_store::monitoring::national_edition(conn).await?;
    for e in entries
        .iter()
        .filter(|e| e.status == EntryStatus::InLibrary)
    {
        let f = jiqun_store::library_figures::figures_against(conn, e, edition).await?;
        out.push(crate::library_figures::view(e, &f));
    }
    Ok(out)
}

pub async fn accept(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    form: FormData,
) -> WebResult<Response> {
    user.check_csrf(form.csrf())?;
    let id = parse_id(&id)?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    tiers::accept(&mut tx, &user.actor(), id, china_date(now), now).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Redirect::to("/province/library").into_response())
}

pub async fn withdraw(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    form: FormData,
) -> WebResult<Response> {
    user.check_csrf(form.csrf())?;
    let id = parse_id(&id)?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    tiers::withdraw(
        &mut tx,
        &user.actor(),
        id,
        form.trimmed("reasons"),
        china_date(now),
        now,
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Redirect::to("/province/library").into_response())
}

/// The 「认定日期」 of a provincial recognition (the decision's date of issue), `YYYY-MM-DD`.
fn recognition_date(raw: &str) -> WebResult<NaiveDate> {
    NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| {
        WebError::BadRequest(format!(
            "「认定日期」「{raw}」无法识别：请按 YYYY-MM-DD 填写省级认定文件的印发日期。"
        ))
    })
}

pub async fn recognise(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    form: FormData,
) -> WebResult<Response> {
    user.check_csrf(form.csrf())?;
    let id = parse_id(&id)?;
    let on = recognition_date(form.trimmed("on"))?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    tiers::recognise_provincial(
        &mut tx,
        &user.actor(),
        id,
        on,
        form.trimmed("decision_no"),
        china_date(now),
        now,
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Redirect::to("/province/library").into_response())
}

// ---- the county's proposals -----------------------------------------------------------------

pub struct ClusterOption {
    pub id: i64,
    pub name: String,
}

#[derive(Template)]
#[template(path = "tiers_propose.html")]
struct ProposePage {
    viewer: Viewer,
    /// The county's clusters that may be proposed (not provincial or national, no open entry).
    options: Vec<ClusterOption>,
    entries: Vec<EntryRow>,
    /// The yearly figures of the county's clusters in the library.
    figures: Vec<crate::library_figures::FiguresView>,
}

pub async fn propose_page(State(state): State<AppState>, user: CurrentUser) -> WebResult<Response> {
    require(&user, Role::County, "推荐入省级培育库")?;
    let scope = user.scope();
    let mut conn = state.db.acquire().await?;
    let entries = tiers::list(&mut conn, &scope).await?;
    let open: Vec<i64> = entries
        .iter()
        .filter(|e| matches!(e.status, EntryStatus::Proposed | EntryStatus::InLibrary))
        .map(|e| e.cluster_id)
        .collect();
    let options = clusters::list(&mut conn, &scope)
        .await?
        .into_iter()
        .filter(|c| matches!(c.tier, Tier::Candidate | Tier::Library) && !open.contains(&c.id))
        .map(|c| ClusterOption {
            id: c.id,
            name: c.name,
        })
        .collect();
    let figures = in_library_figures(&mut conn, &entries).await?;
    let page = ProposePage {
        viewer: Viewer::of(&user),
        options,
        entries: entries.iter().map(row).collect(),
        figures,
    };
    Ok(Html(page.render()?).into_response())
}

pub async fn propose(
    State(state): State<AppState>,
    user: CurrentUser,
    form: FormData,
) -> WebResult<Response> {
    user.check_csrf(form.csrf())?;
    let cluster_id: i64 = form.trimmed("cluster_id").parse().map_err(|_| {
        WebError::BadRequest("「集群」未选择：请选择要推荐入省级培育库的集群。".into())
    })?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    tiers::propose(
        &mut tx,
        &user.actor(),
        cluster_id,
        form.trimmed("reasons"),
        china_date(now),
        now,
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Redirect::to("/library/propose").into_response())
}

// ---- tier history ---------------------------------------------------------------------------

pub struct HistoryRow {
    pub on: String,
    pub step: &'static str,
    pub from_tier: &'static str,
    pub to_tier: &'static str,
    pub decision: String,
    pub actor: String,
}

#[derive(Template)]
#[template(path = "tiers_history.html")]
struct HistoryPage {
    viewer: Viewer,
    cluster_id: i64,
    cluster_name: String,
    tier: &'static str,
    rows: Vec<HistoryRow>,
}

pub async fn history_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> WebResult<Response> {
    let id = parse_id(&id)?;
    let scope = user.scope();
    let mut conn = state.db.acquire().await?;
    // Another jurisdiction's cluster does not exist (SPEC §1).
    let cluster = clusters::get(&mut conn, &scope, id)
        .await?
        .ok_or(WebError::NotFound)?;
    let rows = tiers::history(&mut conn, &scope, id)
        .await?
        .iter()
        .map(|h| HistoryRow {
            on: h.on.to_string(),
            step: h.source_zh(),
            from_tier: HistoryItem::tier_zh(&h.from_tier),
            to_tier: HistoryItem::tier_zh(&h.to_tier),
            decision: h.decision.clone(),
            actor: h.actor.clone(),
        })
        .collect();
    let page = HistoryPage {
        viewer: Viewer::of(&user),
        cluster_id: cluster.id,
        cluster_name: cluster.name,
        tier: cluster.tier.name_zh(),
        rows,
    };
    Ok(Html(page.render()?).into_response())
}

// ---- provincial recognitions made before jiqun ----------------------------------------------

pub struct PriorRow {
    pub cluster_id: i64,
    pub cluster_name: String,
    pub county_code: String,
    pub on: String,
    pub decision: String,
}

#[derive(Template)]
#[template(path = "tiers_prior.html")]
struct PriorPage {
    viewer: Viewer,
    today: String,
    /// The province's clusters without a recorded provincial recognition.
    options: Vec<ClusterOption>,
    recorded: Vec<PriorRow>,
}

/// `/tiers/prior`: the province records the provincial recognitions it made before jiqun
/// (real provinces already have lists), with date and document number (第十二条).
pub async fn prior_page(State(state): State<AppState>, user: CurrentUser) -> WebResult<Response> {
    require(&user, Role::Province, "登记既有省级认定")?;
    let scope = user.scope();
    let mut conn = state.db.acquire().await?;
    let recorded: Vec<PriorRow> = tiers::provincial_recognitions(&mut conn, &scope)
        .await?
        .into_iter()
        .map(
            |(cluster_id, cluster_name, county_code, on, decision)| PriorRow {
                cluster_id,
                cluster_name,
                county_code,
                on: on.to_string(),
                decision,
            },
        )
        .collect();
    let options = clusters::list(&mut conn, &scope)
        .await?
        .into_iter()
        .filter(|c| !recorded.iter().any(|r| r.cluster_id == c.id))
        .map(|c| ClusterOption {
            id: c.id,
            name: c.name,
        })
        .collect();
    let page = PriorPage {
        viewer: Viewer::of(&user),
        today: state.clock.today().to_string(),
        options,
        recorded,
    };
    Ok(Html(page.render()?).into_response())
}

pub async fn record_prior(
    State(state): State<AppState>,
    user: CurrentUser,
    form: FormData,
) -> WebResult<Response> {
    user.check_csrf(form.csrf())?;
    let cluster_id: i64 = form.trimmed("cluster_id").parse().map_err(|_| {
        WebError::BadRequest("「集群」未选择：请选择已认定为省级集群的集群。".into())
    })?;
    let on = recognition_date(form.trimmed("on"))?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    tiers::record_prior(
        &mut tx,
        &user.actor(),
        cluster_id,
        on,
        form.trimmed("decision_no"),
        china_date(now),
        now,
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Redirect::to("/tiers/prior").into_response())
}

// ---- the tier record's findings, for the review pages ---------------------------------------

/// What the tier record decided in a stored evaluation (issue 8): `P.provincial`'s result and
/// explanation, and the `X.provincial_claim` messages (a claim the record does not show).
pub struct RecordFinding {
    pub provincial: String,
    pub flags: Vec<String>,
}

/// The finding of a stored evaluation (JSON as stored with the version); `None` when the
/// version has not been evaluated.
pub fn record_finding(evaluation: Option<&str>) -> Option<RecordFinding> {
    let v: serde_json::Value = serde_json::from_str(evaluation?).ok()?;
    let p = v["criteria"]
        .as_array()?
        .iter()
        .find(|c| c["id"] == "P.provincial")?;
    let status = match p["status"].as_str() {
        Some("pass") => "符合",
        Some("not_applicable") => "不适用",
        _ => "不符合",
    };
    let provincial = format!("{status}（{}）", p["explanation"].as_str().unwrap_or(""));
    let flags = v["checks"]
        .as_array()
        .map(|cs| {
            cs.iter()
                .filter(|c| c["id"] == jiqun_domain::tiers::PROVINCIAL_CLAIM)
                .filter_map(|c| c["message"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    Some(RecordFinding { provincial, flags })
}
