//! Pages for logged-in officials.

use crate::AppState;
use crate::auth::{CurrentUser, MaybeUser};
use crate::error::{WebError, WebResult};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Redirect, Response};
use jiqun_store::clusters::{self, Cluster};

/// What the layout needs to show who is logged in.
pub struct Viewer {
    pub name: String,
    pub username: String,
    pub org_name: String,
    pub org_kind: String,
    pub roles: Vec<String>,
    pub csrf: String,
    pub is_county: bool,
    pub is_province: bool,
    pub is_ministry: bool,
    pub is_expert: bool,
    pub is_sysadmin: bool,
    /// 设区市 (city step of provincial batches).
    pub is_city: bool,
}

impl Viewer {
    pub fn of(u: &CurrentUser) -> Viewer {
        Viewer {
            name: u.user.display_name.clone(),
            username: u.user.username.clone(),
            org_name: u.org.name.clone(),
            org_kind: u.org.kind.name_zh().to_string(),
            roles: u
                .user
                .roles
                .iter()
                .map(|r| r.name_zh().to_string())
                .collect(),
            csrf: u.csrf.clone(),
            is_county: u.user.has_role(jiqun_domain::role::Role::County),
            is_province: u.user.has_role(jiqun_domain::role::Role::Province),
            is_ministry: u.user.has_role(jiqun_domain::role::Role::Ministry),
            is_expert: u.user.has_role(jiqun_domain::role::Role::Expert),
            is_sysadmin: u.user.has_role(jiqun_domain::role::Role::Sysadmin),
            is_city: u.user.has_role(jiqun_domain::role::Role::City),
        }
    }

    pub fn roles_text(&self) -> String {
        self.roles.join("、")
    }
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    viewer: Viewer,
    scope_text: String,
    cluster_count: usize,
}

pub async fn home(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
) -> WebResult<Response> {
    let Some(user) = user else {
        return Ok(Redirect::to("/login").into_response());
    };
    let scope = user.scope();
    let mut conn = state.db.acquire().await?;
    let cluster_count = clusters::list(&mut conn, &scope).await?.len();
    let scope_text = match &scope {
        jiqun_store::Scope::National => "全国".to_string(),
        jiqun_store::Scope::Authority(_)
        | jiqun_store::Scope::County(_)
        | jiqun_store::Scope::City(_) => user.org.name.clone(),
        jiqun_store::Scope::Nothing => "（本角色不直接管理集群）".to_string(),
    };
    let page = HomePage {
        viewer: Viewer::of(&user),
        scope_text,
        cluster_count,
    };
    Ok(Html(page.render()?).into_response())
}

#[derive(Template)]
#[template(path = "clusters.html")]
struct ClustersPage {
    viewer: Viewer,
    clusters: Vec<Cluster>,
}

pub async fn clusters(State(state): State<AppState>, user: CurrentUser) -> WebResult<Response> {
    let mut conn = state.db.acquire().await?;
    let list = clusters::list(&mut conn, &user.scope()).await?;
    let page = ClustersPage {
        viewer: Viewer::of(&user),
        clusters: list,
    };
    Ok(Html(page.render()?).into_response())
}

#[derive(Template)]
#[template(path = "cluster.html")]
struct ClusterPage {
    viewer: Viewer,
    cluster: Cluster,
}

pub async fn cluster(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> WebResult<Response> {
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    let mut conn = state.db.acquire().await?;
    let cluster = clusters::get(&mut conn, &user.scope(), id)
        .await?
        .ok_or(WebError::NotFound)?;
    let page = ClusterPage {
        viewer: Viewer::of(&user),
        cluster,
    };
    Ok(Html(page.render()?).into_response())
}

pub async fn not_found() -> Response {
    WebError::NotFound.into_response()
}

pub async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../static/app.css"),
    )
        .into_response()
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    viewer: Viewer,
    items: Vec<jiqun_store::notifications::Notification>,
}

/// The organisation's inbox (待办与通知).
pub async fn inbox(State(state): State<AppState>, user: CurrentUser) -> WebResult<Response> {
    let mut conn = state.db.acquire().await?;
    let items = jiqun_store::notifications::inbox(&mut conn, user.org.id, 200).await?;
    let page = InboxPage {
        viewer: Viewer::of(&user),
        items,
    };
    Ok(Html(page.render()?).into_response())
}

pub async fn mark_read(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<crate::auth::CsrfForm>,
) -> WebResult<Response> {
    user.check_csrf(&form.csrf)?;
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    let mut conn = state.db.acquire().await?;
    jiqun_store::notifications::mark_read(&mut conn, user.org.id, id, state.clock.now()).await?;
    Ok(Redirect::to("/inbox").into_response())
}
