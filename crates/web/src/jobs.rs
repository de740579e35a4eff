//! The system administrator's view of the scheduler (docs/scheduler.md): jobs by status
//! with their attempts, due time and last error, and a retry button for dead jobs.
//! System administrators only (三员分立: the 系统管理员 runs the system).

use crate::AppState;
use crate::auth::{CsrfForm, CurrentUser};
use crate::error::{WebError, WebResult};
use crate::ministry::{local_time, parse_id};
use crate::pages::Viewer;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use jiqun_domain::role::Role;
use jiqun_store::audit::{self, NewEvent};
use jiqun_store::jobs::{self, Job};
use serde::Deserialize;

/// Rows shown at most on one page.
const LIMIT: i64 = 200;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/jobs", get(page))
        .route("/admin/jobs/{id}/retry", post(retry))
}

fn require_sysadmin(user: &CurrentUser) -> WebResult<()> {
    if user.user.has_role(Role::Sysadmin) {
        Ok(())
    } else {
        Err(WebError::Forbidden("此页面仅供系统管理员使用。".into()))
    }
}

pub fn status_zh(status: &str) -> &'static str {
    match status {
        "pending" => "待执行",
        "running" => "执行中",
        "done" => "已完成",
        "dead" => "已放弃",
        _ => "未知",
    }
}

pub struct StatusTab {
    pub status: &'static str,
    pub label: &'static str,
    pub count: i64,
    pub current: bool,
}

pub struct JobRow {
    pub id: i64,
    pub kind: String,
    pub unique_key: String,
    pub status: String,
    pub status_label: &'static str,
    pub attempts: i64,
    pub max_attempts: i64,
    pub due_at: String,
    pub node: String,
    pub finished_at: String,
    pub last_error: Option<String>,
    pub dead: bool,
}

impl JobRow {
    fn of(j: Job) -> JobRow {
        let when = |t: chrono::DateTime<chrono::Utc>| local_time(&jiqun_store::time::to_text(t));
        JobRow {
            id: j.id,
            status_label: status_zh(&j.status),
            dead: j.status == "dead",
            node: j
                .finished_by
                .clone()
                .or_else(|| j.lease_owner.clone())
                .unwrap_or_default(),
            finished_at: j.finished_at.map(when).unwrap_or_default(),
            due_at: when(j.due_at),
            kind: j.kind,
            unique_key: j.unique_key,
            status: j.status,
            attempts: j.attempts,
            max_attempts: j.max_attempts,
            last_error: j.last_error,
        }
    }
}

#[derive(Template)]
#[template(path = "admin_jobs.html")]
struct JobsPage {
    viewer: Viewer,
    tabs: Vec<StatusTab>,
    all_current: bool,
    total: i64,
    rows: Vec<JobRow>,
    notice: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct JobsQuery {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    retried: Option<String>,
}

async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<JobsQuery>,
) -> WebResult<Response> {
    require_sysadmin(&user)?;
    let status = q.status.as_deref().map(str::trim).filter(|s| !s.is_empty());
    if let Some(s) = status
        && !jobs::STATUSES.contains(&s)
    {
        return Err(WebError::BadRequest(format!(
            "任务状态「{s}」无效：status 应为 pending（待执行）、running（执行中）、done（已完成）或 dead（已放弃）"
        )));
    }
    let mut conn = state.db.acquire().await?;
    let counts = jobs::counts(&mut conn).await?;
    let list = jobs::list(&mut conn, status, LIMIT).await?;
    let tabs = counts
        .by_status()
        .into_iter()
        .map(|(s, count)| StatusTab {
            status: s,
            label: status_zh(s),
            count,
            current: status == Some(s),
        })
        .collect();
    let notice = q
        .retried
        .as_deref()
        .and_then(|id| id.parse::<i64>().ok())
        .map(|id| format!("任务 {id} 已重新排队，将在下一轮调度时执行。"));
    let html = JobsPage {
        viewer: Viewer::of(&user),
        tabs,
        all_current: status.is_none(),
        total: counts.by_status().iter().map(|(_, n)| n).sum(),
        rows: list.into_iter().map(JobRow::of).collect(),
        notice,
    }
    .render()?;
    Ok(Html(html).into_response())
}

async fn retry(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> WebResult<Response> {
    require_sysadmin(&user)?;
    user.check_csrf(&form.csrf)?;
    let id = parse_id(&id)?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let job = jobs::get(&mut tx, id).await?.ok_or(WebError::NotFound)?;
    if !jobs::retry(&mut tx, id, now).await? {
        return Err(WebError::Conflict(format!(
            "任务 {id} 当前状态为“{}”，只有“已放弃”的任务可以重试。",
            status_zh(&job.status)
        )));
    }
    audit::append(
        &mut tx,
        &NewEvent {
            actor_user_id: Some(user.user.id),
            actor: &user.user.username,
            actor_org: &user.org.code,
            action: "retry_job",
            object_type: "job",
            object_id: id.to_string(),
            before_state: Some("dead"),
            after_state: Some("pending"),
            comment: None,
            detail: serde_json::json!({
                "kind": job.kind,
                "attempts": job.attempts,
            }),
        },
        now,
    )
    .await?;
    tx.commit().await.map_err(jiqun_store::StoreError::from)?;
    tracing::info!(
        job_id = id,
        user_id = user.user.id,
        "dead job put back in the queue"
    );
    Ok(Redirect::to(&format!("/admin/jobs?status=pending&retried={id}")).into_response())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use crate::{AppState, WebConfig};
    use axum::body::Body;
    use axum::http::{Request, StatusCode, header};
    use chrono::{TimeZone, Utc};
    use http_body_util::BodyExt;
    use jiqun_domain::clock::FixedClock;
    use jiqun_domain::role::Role;
    use jiqun_store::orgs::{self, NewOrg, OrgKind};
    use jiqun_store::testing::TestDb;
    use jiqun_store::{Backend, jobs, migrate, sessions, users};
    use std::sync::Arc;
    use tower::ServiceExt;

    /// A session for a new user with `role`; returns (cookie, csrf).
    async fn login(db: &jiqun_store::Db, username: &str, role: Role) -> (String, String) {
        let now = Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap();
        let mut conn = db.acquire().await.unwrap();
        let org = match orgs::by_code(&mut conn, "MIIT").await.unwrap() {
            Some(o) => o,
            None => orgs::insert(
                &mut conn,
                &NewOrg {
                    code: "MIIT",
                    name: "工业和信息化部",
                    kind: OrgKind::Ministry,
                    division_code: None,
                    authority_code: None,
                },
                now,
            )
            .await
            .unwrap(),
        };
        let user = users::insert(
            &mut conn,
            &users::NewUser {
                username,
                display_name: username,
                org_id: org.id,
                password_hash: "x",
                home_province: None,
                roles: &[role],
            },
            now,
        )
        .await
        .unwrap();
        let token = crate::auth::random_token();
        let csrf = crate::auth::random_token();
        sessions::create(
            &mut conn,
            &crate::auth::token_hash(&token),
            user.id,
            &csrf,
            now,
        )
        .await
        .unwrap();
        (format!("{}={token}", crate::auth::SESSION_COOKIE), csrf)
    }

    async fn send(router: &axum::Router, req: Request<Body>) -> (StatusCode, String, String) {
        let resp = router.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let location = resp
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let body = resp.into_body().collect().await.unwrap().to_bytes();
        (
            status,
            String::from_utf8_lossy(&body).into_owned(),
            location,
        )
    }

    fn get(path: &str, cookie: &str) -> Request<Body> {
        Request::get(path)
            .header(header::COOKIE, cookie)
            .body(Body::empty())
            .unwrap()
    }

    fn post(path: &str, cookie: &str, csrf: &str) -> Request<Body> {
        Request::post(path)
            .header(header::COOKIE, cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!("csrf={csrf}")))
            .unwrap()
    }

    #[tokio::test]
    async fn sysadmin_sees_dead_jobs_and_retries_them() {
        let t = TestDb::new(Backend::Sqlite).await.unwrap();
        let now = Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap();
        migrate::run(&t.db, now).await.unwrap();
        let clock = Arc::new(FixedClock::new(now));
        let router = crate::router(AppState::new(
            t.db.clone(),
            clock.clone(),
            WebConfig::default(),
        ));
        let (admin, admin_csrf) = login(&t.db, "sysadmin", Role::Sysadmin).await;
        let (ministry, ministry_csrf) = login(&t.db, "wang", Role::Ministry).await;

        // A job of an unknown kind fails until it is dead.
        let mut conn = t.db.acquire().await.unwrap();
        jobs::enqueue(
            &mut conn,
            "frobnicate",
            "x:1",
            now,
            &serde_json::json!({}),
            now,
        )
        .await
        .unwrap();
        drop(conn);
        let mut at = now;
        for _ in 0..jobs::DEFAULT_MAX_ATTEMPTS {
            jobs::run_one(&t.db, "node-a", at, chrono::Duration::minutes(5))
                .await
                .unwrap()
                .unwrap();
            at += chrono::Duration::hours(2);
        }
        let id = {
            let mut conn = t.db.acquire().await.unwrap();
            let dead = jobs::list(&mut conn, Some("dead"), 10).await.unwrap();
            assert_eq!(dead.len(), 1);
            dead[0].id
        };

        let (status, body, _) = send(&router, get("/admin/jobs?status=dead", &admin)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(
            body.contains("x:1") && body.contains("frobnicate"),
            "{body}"
        );
        assert!(
            body.contains("未知，无法执行"),
            "the last error is shown: {body}"
        );
        assert!(body.contains(&format!("/admin/jobs/{id}/retry")), "{body}");

        // Other roles: refused, and cannot retry either.
        let (status, _, _) = send(&router, get("/admin/jobs", &ministry)).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _, _) = send(
            &router,
            post(
                &format!("/admin/jobs/{id}/retry"),
                &ministry,
                &ministry_csrf,
            ),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        // A bad status filter says what is allowed.
        let (status, body, _) = send(&router, get("/admin/jobs?status=zombie", &admin)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(body.contains("zombie") && body.contains("dead"), "{body}");

        // Without the CSRF token nothing happens.
        let (status, _, _) = send(
            &router,
            post(&format!("/admin/jobs/{id}/retry"), &admin, "forged"),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let mut conn = t.db.acquire().await.unwrap();
        assert_eq!(
            jobs::get(&mut conn, id).await.unwrap().unwrap().status,
            "dead"
        );
        drop(conn);

        let (status, _, location) = send(
            &router,
            post(&format!("/admin/jobs/{id}/retry"), &admin, &admin_csrf),
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(location.contains(&format!("retried={id}")), "{location}");
        let mut conn = t.db.acquire().await.unwrap();
        let job = jobs::get(&mut conn, id).await.unwrap().unwrap();
        assert_eq!((job.status.as_str(), job.attempts), ("pending", 0));
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = $1")
            .bind("retry_job")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        assert_eq!(n, 1);
        drop(conn);
        // Retrying a job that is not dead is refused with the reason.
        let (status, body, _) = send(
            &router,
            post(&format!("/admin/jobs/{id}/retry"), &admin, &admin_csrf),
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert!(body.contains("待执行"), "{body}");
        let (status, _, _) = send(
            &router,
            post("/admin/jobs/999999/retry", &admin, &admin_csrf),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
}
