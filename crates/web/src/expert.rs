//! The expert's pages (专家评审, SPEC §4): the applications assigned to them, the
//! no-conflict declaration that must come before scoring, and the score sheet — every
//! judgement criterion of the batch's edition scored 0–100 with a comment, and a
//! recommendation. An expert sees only their own assignments (another's answers 404).

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{WebError, WebResult};
use crate::ministry::{authority_name, local_time, parse_id, place_name};
use crate::pages::Viewer;
use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use jiqun_domain::role::Role;
use jiqun_domain::workflow::AppState as WfState;
use jiqun_store::experts::{self, Assignment, ScoreForm};
use jiqun_store::{Scope, StoreError, applications, batches, clusters};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/expert", get(list))
        .route("/expert/assignments/{id}", get(show))
        .route("/expert/assignments/{id}/declaration", post(declare))
        .route("/expert/assignments/{id}/scores", post(submit))
}

fn require_expert(user: &CurrentUser) -> WebResult<()> {
    if user.user.has_role(Role::Expert) {
        Ok(())
    } else {
        Err(WebError::Forbidden("此页面仅供评审专家使用。".into()))
    }
}

pub struct Row {
    pub id: i64,
    pub cluster: String,
    pub county: String,
    pub batch: String,
    pub state: &'static str,
    pub status: &'static str,
}

#[derive(Template)]
#[template(path = "expert_list.html")]
struct ListPage {
    viewer: Viewer,
    rows: Vec<Row>,
}

async fn list(State(state): State<AppState>, user: CurrentUser) -> WebResult<Response> {
    require_expert(&user)?;
    let mut conn = state.db.acquire().await?;
    let mut rows = Vec::new();
    for a in experts::for_expert(&mut conn, user.user.id).await? {
        let app = experts::application_of(&mut conn, &a).await?;
        let cluster = clusters::get(&mut conn, &Scope::National, app.cluster_id)
            .await?
            .ok_or(WebError::NotFound)?;
        let batch = batches::get(&mut conn, app.batch_id)
            .await?
            .ok_or(WebError::NotFound)?;
        rows.push(Row {
            id: a.id,
            cluster: cluster.name,
            county: place_name(&app.county_code),
            batch: batch.title,
            state: app.state.name_zh(),
            status: a.status_zh(),
        });
    }
    let page = ListPage {
        viewer: Viewer::of(&user),
        rows,
    };
    Ok(Html(page.render()?).into_response())
}

/// One judgement criterion on the score sheet, with what was typed.
pub struct Item {
    pub id: String,
    pub text: String,
    pub quote: String,
    pub review: Vec<String>,
    pub score: String,
    pub comment: String,
}

/// One line of the application's self-evaluation, for context.
pub struct EvalLine {
    pub id: String,
    pub status: String,
    pub explanation: String,
}

#[derive(Template)]
#[template(path = "expert_assignment.html")]
struct AssignmentPage {
    viewer: Viewer,
    notice: Option<String>,
    assignment_id: i64,
    cluster: String,
    county: String,
    authority: String,
    leading_industry: String,
    batch: String,
    state_name: &'static str,
    declared: bool,
    declared_at: String,
    submitted: bool,
    can_score: bool,
    items: Vec<Item>,
    recommendation: String,
    recommendation_comment: String,
    recommendation_zh: String,
    errors: Vec<String>,
    eval: Vec<EvalLine>,
    eligible: String,
}

#[derive(Debug, Deserialize)]
pub struct DoneQuery {
    #[serde(default)]
    done: Option<String>,
}

async fn load(conn: &mut jiqun_store::Conn, user: &CurrentUser, id: &str) -> WebResult<Assignment> {
    require_expert(user)?;
    let id = parse_id(id)?;
    experts::get_for_expert(conn, user.user.id, id)
        .await?
        .ok_or(WebError::NotFound)
}

/// Renders the assignment page; `typed` keeps what the expert entered on a refused sheet.
async fn render(
    conn: &mut jiqun_store::Conn,
    user: &CurrentUser,
    a: &Assignment,
    typed: Option<&ScoreForm>,
    errors: Vec<String>,
    notice: Option<String>,
    status: StatusCode,
) -> WebResult<Response> {
    let app = experts::application_of(conn, a).await?;
    let cluster = clusters::get(conn, &Scope::National, app.cluster_id)
        .await?
        .ok_or(WebError::NotFound)?;
    let batch = batches::get(conn, app.batch_id)
        .await?
        .ok_or(WebError::NotFound)?;
    let criteria = experts::criteria_for(conn, &app).await?;
    let stored = experts::scores(conn, a.id).await?;
    let items = criteria
        .iter()
        .map(|c| {
            let (score, comment) = match typed.and_then(|f| f.items.iter().find(|i| i.0 == c.id)) {
                Some((_, s, cm)) => (s.clone(), cm.clone()),
                None => stored
                    .iter()
                    .find(|s| s.criterion_id == c.id)
                    .map(|s| (s.score.to_string(), s.comment.clone()))
                    .unwrap_or_default(),
            };
            Item {
                id: c.id.clone(),
                text: c.text_zh.clone(),
                quote: c.quote.clone(),
                review: c.review_zh.clone(),
                score,
                comment,
            }
        })
        .collect();
    // The frozen version's self-evaluation, as context for the reviewer.
    let version = applications::version(conn, app.id, app.current_version).await?;
    let parsed: Option<serde_json::Value> = version
        .as_ref()
        .and_then(|v| v.evaluation.as_deref())
        .and_then(|e| serde_json::from_str(e).ok());
    let eval = parsed
        .as_ref()
        .and_then(|v| v.get("criteria"))
        .and_then(|c| c.as_array())
        .map(|list| {
            list.iter()
                .map(|c| {
                    let s = |k: &str| {
                        c.get(k)
                            .and_then(|v| v.as_str())
                            .unwrap_or_default()
                            .to_string()
                    };
                    EvalLine {
                        id: s("id"),
                        status: s("status"),
                        explanation: s("explanation"),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let eligible = match version.and_then(|v| v.eligible) {
        Some(true) => "自评结论：符合全部硬性条件".to_string(),
        Some(false) => "自评结论：未满足全部硬性条件".to_string(),
        None => String::new(),
    };
    let page = AssignmentPage {
        viewer: Viewer::of(user),
        notice,
        assignment_id: a.id,
        cluster: cluster.name,
        county: place_name(&app.county_code),
        authority: authority_name(&app.authority_code),
        leading_industry: cluster.leading_industry,
        batch: batch.title,
        state_name: app.state.name_zh(),
        declared: a.declared(),
        declared_at: a
            .no_conflict_declared_at
            .as_deref()
            .map(local_time)
            .unwrap_or_default(),
        submitted: a.submitted(),
        can_score: a.declared() && !a.submitted() && app.state == WfState::ExpertReview,
        items,
        recommendation: typed
            .map(|f| f.recommendation.clone())
            .or_else(|| a.recommendation.map(|r| r.as_str().to_string()))
            .unwrap_or_default(),
        recommendation_comment: typed
            .map(|f| f.recommendation_comment.clone())
            .or_else(|| a.recommendation_comment.clone())
            .unwrap_or_default(),
        recommendation_zh: a
            .recommendation
            .map(|r| r.name_zh().to_string())
            .unwrap_or_default(),
        errors,
        eval,
        eligible,
    };
    Ok((status, Html(page.render()?)).into_response())
}

async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> WebResult<Response> {
    let mut conn = state.db.acquire().await?;
    let a = load(&mut conn, &user, &id).await?;
    let notice = match q.done.as_deref() {
        Some("declared") => Some("已声明无利益冲突，可以评分。".to_string()),
        Some("submitted") => Some("评分已提交，感谢您的评审。".to_string()),
        _ => None,
    };
    render(
        &mut conn,
        &user,
        &a,
        None,
        Vec::new(),
        notice,
        StatusCode::OK,
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct DeclareForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    confirm: String,
}

async fn declare(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): Form<DeclareForm>,
) -> WebResult<Response> {
    user.check_csrf(&form.csrf)?;
    let mut conn = state.db.acquire().await?;
    let a = load(&mut conn, &user, &id).await?;
    drop(conn);
    if form.confirm.trim().is_empty() {
        return Err(WebError::BadRequest(
            "请勾选“本人与该申报无利益冲突”后再提交声明。".into(),
        ));
    }
    let mut tx = state.db.begin().await?;
    experts::declare_no_conflict(&mut tx, &user.actor(), a.id, state.clock.now()).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Redirect::to(&format!("/expert/assignments/{}?done=declared", a.id)).into_response())
}

/// The score sheet: `score.<criterion id>` and `comment.<criterion id>` per criterion,
/// `recommendation` and `recommendation_comment`.
async fn submit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    user.check_csrf(&field("csrf"))?;
    let mut conn = state.db.acquire().await?;
    let a = load(&mut conn, &user, &id).await?;
    if !a.declared() {
        return Err(WebError::Conflict(
            "请先声明与该申报无利益冲突（回避声明），再评分。".into(),
        ));
    }
    if a.submitted() {
        return Err(WebError::Conflict("评分已提交，不能修改。".into()));
    }
    let mut form = ScoreForm {
        items: Vec::new(),
        recommendation: field("recommendation"),
        recommendation_comment: field("recommendation_comment"),
    };
    for (k, v) in &fields {
        if let Some(cid) = k.strip_prefix("score.") {
            let comment = field(&format!("comment.{cid}"));
            form.items.push((cid.to_string(), v.clone(), comment));
        }
    }
    let app = experts::application_of(&mut conn, &a).await?;
    let criteria = experts::criteria_for(&mut conn, &app).await?;
    let sheet = match experts::validate_scores(&criteria, &form) {
        Ok(s) => s,
        Err(errors) => {
            return render(
                &mut conn,
                &user,
                &a,
                Some(&form),
                errors,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    drop(conn);
    let mut tx = state.db.begin().await?;
    experts::submit(&mut tx, &user.actor(), a.id, &sheet, state.clock.now()).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Redirect::to(&format!("/expert/assignments/{}?done=submitted", a.id)).into_response())
}
