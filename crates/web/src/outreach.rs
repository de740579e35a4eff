//! Policy outreach register pages (issue 8; docs/provincial-tiers.md, 认定标准 八
//! "不漏户、不漏人"): `/outreach` lists the support policies the caller may see and records a
//! new one; `/clusters/{id}/outreach` shows, per roster enterprise, which policies reached it,
//! and records reaches by ticking enterprises or uploading a .csv of `USCC,方式,日期` (any bad
//! row: every problem listed by line, nothing recorded). The rules live in
//! `jiqun_store::outreach`.

use crate::AppState;
use crate::applications::form::FormData;
use crate::auth::CurrentUser;
use crate::error::{WebError, WebResult};
use crate::pages::Viewer;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;
use jiqun_domain::clock::china_date;
use jiqun_domain::role::Role;
use jiqun_domain::tiers::uscc_key;
use jiqun_store::outreach::{self, LineError, METHODS, NewPolicy, Policy, ReachLine};
use jiqun_store::{StoreError, clusters};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/outreach", get(list_page).post(create))
        .route("/clusters/{id}/outreach", get(cluster_page))
        .route("/clusters/{id}/outreach/reach", post(reach))
        .route("/clusters/{id}/outreach/csv", post(upload_csv))
        .route("/clusters/{id}/outreach/withdraw", post(withdraw))
}

fn parse_id(id: &str) -> WebResult<i64> {
    id.parse().map_err(|_| WebError::NotFound)
}

fn may_read(user: &CurrentUser) -> WebResult<()> {
    if user.user.has_role(Role::County)
        || user.user.has_role(Role::Province)
        || user.user.has_role(Role::Ministry)
    {
        Ok(())
    } else {
        Err(WebError::Forbidden(
            "惠企政策宣贯登记簿只由县级、省级主管部门和工业和信息化部使用。".into(),
        ))
    }
}

fn may_write(user: &CurrentUser) -> bool {
    user.user.has_role(Role::County) || user.user.has_role(Role::Province)
}

fn parse_date(raw: &str, field: &str) -> WebResult<NaiveDate> {
    NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| {
        WebError::BadRequest(format!(
            "「{field}」「{raw}」无法识别：请按 YYYY-MM-DD 填写。"
        ))
    })
}

/// A policy as the pages show it.
pub struct PolicyRow {
    pub id: i64,
    pub title: String,
    pub issuer: String,
    pub issued_on: String,
    pub level: &'static str,
    pub clusters: Vec<(i64, String)>,
}

fn policy_row(p: &Policy) -> PolicyRow {
    PolicyRow {
        id: p.id,
        title: p.title.clone(),
        issuer: p.issuer.clone(),
        issued_on: p.issued_on.to_string(),
        level: p.level.name_zh(),
        clusters: p.clusters.clone(),
    }
}

pub struct ClusterOption {
    pub id: i64,
    pub name: String,
}

// ---- /outreach ------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "outreach_list.html")]
struct ListPage {
    viewer: Viewer,
    today: String,
    can_write: bool,
    policies: Vec<PolicyRow>,
    clusters: Vec<ClusterOption>,
}

pub async fn list_page(State(state): State<AppState>, user: CurrentUser) -> WebResult<Response> {
    may_read(&user)?;
    let scope = user.scope();
    let mut conn = state.db.acquire().await?;
    let policies = outreach::list(&mut conn, &scope).await?;
    let clusters = clusters::list(&mut conn, &scope)
        .await?
        .into_iter()
        .map(|c| ClusterOption {
            id: c.id,
            name: c.name,
        })
        .collect();
    let page = ListPage {
        viewer: Viewer::of(&user),
        today: state.clock.today().to_string(),
        can_write: may_write(&user),
        policies: policies.iter().map(policy_row).collect(),
        clusters,
    };
    Ok(Html(page.render()?).into_response())
}

pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    form: FormData,
) -> WebResult<Response> {
    user.check_csrf(form.csrf())?;
    let issued_on = parse_date(form.trimmed("issued_on"), "发布日期")?;
    let mut ids = Vec::new();
    for v in form.values("cluster_id") {
        // An id that is not a number is no cluster the caller can see.
        ids.push(v.parse::<i64>().map_err(|_| WebError::NotFound)?);
    }
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    outreach::create(
        &mut tx,
        &user.actor(),
        &NewPolicy {
            title: form.trimmed("title"),
            issuer: form.trimmed("issuer"),
            issued_on,
            cluster_ids: &ids,
        },
        china_date(now),
        now,
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Redirect::to("/outreach").into_response())
}

// ---- /clusters/{id}/outreach ----------------------------------------------------------------

/// One roster enterprise and the policies that reached it.
pub struct EnterpriseRow {
    pub uscc: String,
    pub name: String,
    /// "政策名称（方式，日期）", one per reach.
    pub reached_by: Vec<String>,
    pub reached: bool,
}

/// A policy's tick form: the roster enterprises it has not reached yet.
pub struct PolicyForm {
    pub id: i64,
    pub title: String,
    pub issued_on: String,
    pub open: Vec<(String, String)>,
    /// Reaches of this policy that the caller's organisation recorded (it alone may
    /// withdraw them): (USCC, enterprise name, "方式，日期").
    pub recorded: Vec<(String, String, String)>,
}

pub struct ErrorRow {
    pub line: String,
    pub message: String,
}

#[derive(Template)]
#[template(path = "outreach_cluster.html")]
struct ClusterPage {
    viewer: Viewer,
    cluster_id: i64,
    cluster_name: String,
    today: String,
    can_write: bool,
    has_roster: bool,
    total: usize,
    reached: usize,
    coverage: String,
    rows: Vec<EnterpriseRow>,
    policies: Vec<PolicyForm>,
    methods: Vec<&'static str>,
    heading: String,
    errors: Vec<ErrorRow>,
}

async fn render_cluster(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    heading: String,
    errors: Vec<LineError>,
) -> WebResult<Response> {
    let scope = user.scope();
    let mut conn = state.db.acquire().await?;
    // Another jurisdiction's cluster does not exist (SPEC §1).
    let cluster = clusters::get(&mut conn, &scope, id)
        .await?
        .ok_or(WebError::NotFound)?;
    let policies = outreach::for_cluster(&mut conn, &scope, id).await?;
    let reaches = outreach::reaches(&mut conn, &scope, id).await?;
    let roster = outreach::roster(&mut conn, id).await?;
    drop(conn);
    let title_of = |pid: i64| {
        policies
            .iter()
            .find(|p| p.id == pid)
            .map_or_else(String::new, |p| p.title.clone())
    };
    let enterprises: Vec<(String, String)> = roster
        .iter()
        .flat_map(|d| d.enterprises.iter())
        .map(|e| (uscc_key(&e.uscc), e.name.clone()))
        .collect();
    let rows: Vec<EnterpriseRow> = enterprises
        .iter()
        .map(|(uscc, name)| {
            let reached_by: Vec<String> = reaches
                .get(uscc)
                .into_iter()
                .flatten()
                .map(|r| {
                    format!(
                        "{}（{}，{}）",
                        title_of(r.policy_id),
                        r.method,
                        r.reached_on
                    )
                })
                .collect();
            EnterpriseRow {
                uscc: uscc.clone(),
                name: name.clone(),
                reached: !reached_by.is_empty(),
                reached_by,
            }
        })
        .collect();
    let total = rows.len();
    let reached = rows.iter().filter(|r| r.reached).count();
    let coverage = if total == 0 {
        "—".to_string()
    } else {
        format!("{:.1}%", reached as f64 * 100.0 / total as f64)
    };
    let policies = policies
        .iter()
        .map(|p| PolicyForm {
            id: p.id,
            title: p.title.clone(),
            issued_on: p.issued_on.to_string(),
            open: enterprises
                .iter()
                .filter(|(u, _)| {
                    !reaches
                        .get(u)
                        .is_some_and(|rs| rs.iter().any(|r| r.policy_id == p.id))
                })
                .cloned()
                .collect(),
            recorded: enterprises
                .iter()
                .filter_map(|(u, name)| {
                    let r = reaches
                        .get(u)?
                        .iter()
                        .find(|r| r.policy_id == p.id && r.org_id == user.user.org_id)?;
                    Some((
                        u.clone(),
                        name.clone(),
                        format!("{}，{}", r.method, r.reached_on),
                    ))
                })
                .collect(),
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = ClusterPage {
        viewer: Viewer::of(user),
        cluster_id: cluster.id,
        cluster_name: cluster.name,
        today: state.clock.today().to_string(),
        can_write: may_write(user),
        has_roster: roster.is_some(),
        total,
        reached,
        coverage,
        rows,
        policies,
        methods: METHODS.to_vec(),
        heading,
        errors: errors
            .into_iter()
            .map(|e| ErrorRow {
                line: if e.line == 0 {
                    "—".into()
                } else {
                    e.line.to_string()
                },
                message: e.message,
            })
            .collect(),
    };
    Ok((status, Html(page.render()?)).into_response())
}

pub async fn cluster_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> WebResult<Response> {
    may_read(&user)?;
    let id = parse_id(&id)?;
    render_cluster(&state, &user, id, String::new(), Vec::new()).await
}

fn policy_id(form: &FormData) -> WebResult<i64> {
    form.trimmed("policy_id")
        .parse()
        .map_err(|_| WebError::BadRequest("「政策」未选择：请选择宣贯的政策。".into()))
}

async fn record(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    policy: i64,
    lines: &[ReachLine],
    source: &str,
) -> WebResult<Response> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let outcome = outreach::record_reaches(
        &mut tx,
        &user.actor(),
        id,
        policy,
        lines,
        source,
        china_date(now),
        now,
    )
    .await?;
    let heading = format!("{source}有误，未登记任何企业，请改正后重新提交");
    commit_or_again(state, user, id, tx, outcome.err().map(|e| (heading, e))).await
}

/// Commits a write and goes back to the cluster's page, or, when it has problems, drops the
/// transaction (nothing written) and shows the page again with them (status 422).
async fn commit_or_again(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    tx: jiqun_store::Tx,
    problems: Option<(String, Vec<LineError>)>,
) -> WebResult<Response> {
    match problems {
        None => {
            tx.commit().await.map_err(StoreError::from)?;
            Ok(Redirect::to(&format!("/clusters/{id}/outreach")).into_response())
        }
        Some((heading, errors)) => {
            drop(tx);
            render_cluster(state, user, id, heading, errors).await
        }
    }
}

/// Ticked enterprises of one policy, with one method and date for all of them.
pub async fn reach(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    form: FormData,
) -> WebResult<Response> {
    user.check_csrf(form.csrf())?;
    let id = parse_id(&id)?;
    let policy = policy_id(&form)?;
    let method = form.trimmed("method");
    let on = form.trimmed("on");
    let lines: Vec<ReachLine> = form
        .values("uscc")
        .enumerate()
        .map(|(i, u)| ReachLine {
            line: i + 1,
            uscc: u.to_string(),
            method: method.to_string(),
            on: on.to_string(),
        })
        .collect();
    record(&state, &user, id, policy, &lines, "勾选登记").await
}

/// A .csv of `统一社会信用代码,宣贯方式,宣贯日期` for one policy.
pub async fn upload_csv(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    form: FormData,
) -> WebResult<Response> {
    user.check_csrf(form.csrf())?;
    let id = parse_id(&id)?;
    let policy = policy_id(&form)?;
    let file = form.files("file").next().ok_or_else(|| {
        WebError::BadRequest(
            "「文件」未选择：请选择 .csv 文件（统一社会信用代码,宣贯方式,宣贯日期）。".into(),
        )
    })?;
    if !file.filename.to_lowercase().ends_with(".csv") {
        return Err(WebError::BadRequest(format!(
            "「文件」{} 不是 .csv 文件：请在 Excel 中另存为「CSV UTF-8」后上传。",
            file.filename
        )));
    }
    match outreach::parse_csv(&file.bytes) {
        Ok(lines) => record(&state, &user, id, policy, &lines, "上传 .csv 文件").await,
        Err(errors) => {
            // Still a 404 for a cluster outside the caller's jurisdiction.
            render_cluster(
                &state,
                &user,
                id,
                "上传的 .csv 文件格式有误，未登记任何企业，请改正后重新上传".into(),
                errors,
            )
            .await
        }
    }
}

/// Withdraws reaches recorded by mistake (ticked, with a reason). A refusal or a problem
/// shows the page again with the message; nothing is withdrawn then.
pub async fn withdraw(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    form: FormData,
) -> WebResult<Response> {
    user.check_csrf(form.csrf())?;
    let id = parse_id(&id)?;
    let policy = policy_id(&form)?;
    let usccs: Vec<String> = form.values("uscc").map(str::to_string).collect();
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let problems = match outreach::withdraw_reaches(
        &mut tx,
        &user.actor(),
        id,
        policy,
        &usccs,
        form.trimmed("reason"),
        now,
    )
    .await
    {
        Ok(_) => None,
        Err(StoreError::Invalid(message) | StoreError::Refused(message)) => Some((
            "撤销登记未完成，未撤销任何登记".to_string(),
            vec![LineError { line: 0, message }],
        )),
        Err(e) => return Err(e.into()),
    };
    commit_or_again(&state, &user, id, tx, problems).await
}
