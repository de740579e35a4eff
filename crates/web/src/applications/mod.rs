//! The county's and the province's side of the recognition workflow (SPEC §4,
//! 第十二条–第十三条), as Chinese pages that work without JavaScript and as a JSON API under
//! `/api/v1`.
//!
//! - `county`: the application list, creating an application, editing the declaration
//!   (checked by the criteria engine, every problem by JSON path), self-evaluation, evidence
//!   files, versions, and the transition buttons of every role.
//! - `province`: the inbox, preliminary reviews and field spot checks, the recommendation
//!   summary table (推荐汇总表) and its CSV export.
//! - `api`: the same steps as JSON.
//!
//! Every workflow step goes through [`step`], which runs the one transition function of the
//! store (`jiqun_store::applications::apply`) in one transaction: a refused step changes
//! nothing.

pub(crate) mod api;
mod county;
mod exports;
pub(crate) mod form;
mod province;
mod view;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{WebError, WebResult};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post, put};
use jiqun_domain::workflow::{Action, AppState as WfState, Level};
use jiqun_store::applications::{self, Application};
use jiqun_store::batches::{self, Batch};
use jiqun_store::clusters::{self, Cluster};
use jiqun_store::{Conn, Scope, StoreError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/applications", get(county::list).post(county::create))
        .route("/applications/{id}", get(county::show))
        .route("/applications/{id}/edit", get(county::edit_page))
        .route(
            "/applications/{id}/declaration",
            post(county::save_declaration),
        )
        .route(
            "/applications/{id}/declaration.xlsx",
            get(county::declaration_xlsx),
        )
        .route(
            "/applications/{id}/declaration/xlsx",
            post(county::import_xlsx),
        )
        .route(
            "/applications/{id}/template.xlsx",
            get(county::template_xlsx),
        )
        .route(
            "/applications/{id}/self-evaluation",
            post(county::self_evaluate),
        )
        .route("/applications/{id}/attachments", post(county::upload))
        .route(
            "/applications/{id}/attachments/{attachment}",
            get(county::download),
        )
        .route("/applications/{id}/versions/{n}", get(county::version_page))
        .route("/applications/{id}/transitions", post(county::transition))
        .route("/applications/{id}/reviews", post(province::record_review))
        .route("/province/applications", get(province::inbox))
        .route("/province/batches/{id}/summary", get(province::summary))
        .route(
            "/province/batches/{id}/summary/export.csv",
            get(province::summary_csv),
        )
        .route(
            "/province/batches/{id}/summary/export.xlsx",
            get(exports::summary_xlsx),
        )
        .route("/exports/clusters.csv", get(exports::clusters_csv))
        .route("/exports/clusters.xlsx", get(exports::clusters_xlsx))
        .route(
            "/exports/clusters/{id}/roster.xlsx",
            get(exports::roster_xlsx),
        )
        .route("/api/v1/openapi.json", get(api::openapi_json))
        .route("/api/docs", get(api::docs_index))
        .route("/api/docs/swagger-ui-bundle.js", get(api::docs_bundle))
        .route("/api/docs/swagger-ui.css", get(api::docs_css))
        .route("/api/docs/swagger-init.js", get(api::docs_init))
        .route("/api/v1/applications", get(api::list).post(api::create))
        .route("/api/v1/applications/{id}", get(api::show))
        .route(
            "/api/v1/applications/{id}/declaration",
            put(api::put_declaration),
        )
        .route(
            "/api/v1/applications/{id}/transitions",
            post(api::transition),
        )
        // Evidence files are up to 20 MiB each; the router's RequestBodyLimitLayer caps the
        // whole request (`WebConfig::max_body_bytes`), so axum's 2 MB default is lifted here.
        .layer(DefaultBodyLimit::disable())
}

/// Ids in paths: anything that is not a number is a page that does not exist.
fn parse_id(s: &str) -> WebResult<i64> {
    s.parse().map_err(|_| WebError::NotFound)
}

/// Steps taken elsewhere: the public-notice steps have guards of their own (notice period,
/// objections), checked by the ministry's notice pages before they call the store.
fn handled_here(action: Action) -> bool {
    !matches!(
        action,
        Action::OpenNotice | Action::Recognize | Action::UpholdObjection
    )
}

/// The buttons a user sees: every step its roles may take from this state.
fn actions_for(user: &CurrentUser, level: Level, state: WfState) -> Vec<Action> {
    let mut out: Vec<Action> = Vec::new();
    for role in &user.user.roles {
        for a in jiqun_domain::workflow::available_actions_at(level, state, *role) {
            if handled_here(a) && !out.contains(&a) {
                out.push(a);
            }
        }
    }
    out
}

/// Takes one workflow step in one transaction; `apply` checks everything (role, state,
/// comment, preliminary review before a recommendation decision, quota, experts).
async fn step(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    action: Action,
    comment: Option<&str>,
) -> WebResult<Application> {
    if !handled_here(action) {
        return Err(WebError::Conflict(format!(
            "「{}」须在公示管理页面办理",
            action.name_zh()
        )));
    }
    let actor = user.actor();
    let now = state.clock.now();
    let comment = comment.map(str::trim).filter(|c| !c.is_empty());
    let mut tx = state.db.begin().await?;
    let app = applications::apply(&mut tx, &actor, id, action, comment, now).await?;
    crate::tokens::audit_write(&mut tx, user, now).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(app)
}

/// An application in the caller's scope with its cluster and batch.
struct Loaded {
    app: Application,
    cluster: Cluster,
    batch: Batch,
}

async fn load(conn: &mut Conn, scope: &Scope, id: i64) -> WebResult<Loaded> {
    let app = applications::get(conn, scope, id)
        .await?
        .ok_or(WebError::NotFound)?;
    let cluster = clusters::get(conn, &Scope::National, app.cluster_id)
        .await?
        .ok_or(WebError::NotFound)?;
    let batch = batches::get(conn, app.batch_id)
        .await?
        .ok_or(WebError::NotFound)?;
    Ok(Loaded {
        app,
        cluster,
        batch,
    })
}

/// "浙江省金华市义乌市（330782）", or the bare code when it is not in the reference data.
pub(crate) fn place_name(code: &str) -> String {
    match jiqun_domain::division::AdminCode::parse(code) {
        Ok(c) => c.full_name(),
        Err(_) => code.to_string(),
    }
}

pub(crate) fn authority_name(code: &str) -> String {
    jiqun_domain::jurisdiction::authority_by_code(code)
        .map(|a| a.name.to_string())
        .unwrap_or_else(|| code.to_string())
}
