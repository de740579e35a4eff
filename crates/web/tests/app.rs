//! Integration tests of the web crate: the real router on a fresh database, on SQLite and
//! on PostgreSQL (see `support::both!`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

mod api_v1;
mod browser;
mod clusters_new;
mod county_province;
mod dashboard;
mod dynamic;
mod excel_pages;
mod library_figures;
mod ministry_public;
mod outreach;
mod provincial;
mod public_portal;
mod tiers;
mod tokens;

use axum::http::StatusCode;
use jiqun_domain::role::Role;
use jiqun_store::clusters::{self, NewCluster, Tier};
use jiqun_store::orgs::OrgKind;
use support::{NowUtc, TestApp};

/// The seed and a county user `yongkang` for 永康 (330784).
async fn seed_yongkang(app: &TestApp) -> (i64, i64, i64) {
    let ids = seed(app).await;
    app.user("yongkang", "330784", Role::County).await;
    ids
}

/// MIIT, 浙江, 宁波 (计划单列市), two counties in 浙江 proper and one in 宁波, a cluster each.
async fn seed(app: &TestApp) -> (i64, i64, i64) {
    app.org("MIIT", "工业和信息化部", OrgKind::Ministry, None)
        .await;
    let zj_org = app
        .org(
            "330000",
            "浙江省经济和信息化厅",
            OrgKind::Province,
            Some("330000"),
        )
        .await;
    let nb_org = app
        .org(
            "330200",
            "宁波市经济和信息化局",
            OrgKind::PlanCity,
            Some("330200"),
        )
        .await;
    app.org(
        "330782",
        "义乌市经济和信息化局",
        OrgKind::County,
        Some("330000"),
    )
    .await;
    app.org(
        "330784",
        "永康市经济和信息化局",
        OrgKind::County,
        Some("330000"),
    )
    .await;
    app.org(
        "330226",
        "宁海县经济和信息化局",
        OrgKind::County,
        Some("330200"),
    )
    .await;
    app.user("miit", "MIIT", Role::Ministry).await;
    let zj = (
        app.user("zhejiang", "330000", Role::Province).await,
        "zhejiang",
        zj_org,
    );
    let nb = (
        app.user("ningbo", "330200", Role::Province).await,
        "ningbo",
        nb_org,
    );
    app.user("yiwu", "330782", Role::County).await;
    app.user("ninghai", "330226", Role::County).await;
    let mut conn = app.db.acquire().await.unwrap();
    let mut add = async |name: &str, county: &str, authority: &str| {
        clusters::insert(
            &mut conn,
            &NewCluster {
                name,
                county_code: county,
                authority_code: authority,
                leading_industry: "测试产业",
                industry_codes: &["C38".to_string()],
                area_km2: None,
                tier: Tier::Provincial,
            },
            app.clock.now_utc(),
        )
        .await
        .unwrap()
        .id
    };
    let yiwu = add("义乌市测试产业集群", "330782", "330000").await;
    let yongkang = add("永康市五金产业集群", "330784", "330000").await;
    let ninghai = add("宁海县模具产业集群", "330226", "330200").await;
    // The seeded clusters are provincial: the provinces' lists record when (issue 8,
    // `P.provincial` is decided from the record).
    for (cluster, province, authority) in [
        (yiwu, &zj, "330000"),
        (yongkang, &zj, "330000"),
        (ninghai, &nb, "330200"),
    ] {
        let actor = jiqun_store::applications::Actor {
            user_id: province.0,
            username: province.1.into(),
            org_id: province.2,
            org_code: authority.into(),
            roles: vec![Role::Province],
            scope: jiqun_store::Scope::Authority(authority.into()),
        };
        jiqun_store::tiers::record_prior(
            &mut conn,
            &actor,
            cluster,
            chrono::NaiveDate::from_ymd_opt(2020, 6, 30).unwrap(),
            "省级集群认定文件〔2020〕1号",
            app.clock.now_utc().date_naive(),
            app.clock.now_utc(),
        )
        .await
        .unwrap();
    }
    (yiwu, yongkang, ninghai)
}

async fn health_endpoints(app: TestApp) {
    let r = app.get("/healthz", None).await;
    assert_eq!(r.status, StatusCode::OK);
    let r = app.get("/readyz", None).await;
    assert_eq!((r.status, r.body.as_str()), (StatusCode::OK, "ok"));
    let r = app.get("/metrics", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body
            .contains("jiqun_http_requests_total{method=\"GET\",status=\"200\"} 2"),
        "{}",
        r.body
    );
    assert!(r.body.contains("jiqun_database_up{backend="));
    assert!(r.body.contains("} 1\n"));
}
both!(health_endpoints);

async fn unknown_route_is_a_chinese_404_with_strict_headers(app: TestApp) {
    let r = app.get("/no/such/page", None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.body.contains("页面不存在"));
    assert!(r.body.contains("lang=\"zh-CN\""));
    let csp = r
        .headers
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(csp.contains("frame-ancestors 'none'"));
    assert!(csp.contains("script-src 'self'"));
    assert!(!csp.contains("unsafe-inline"));
    assert_eq!(r.headers.get("x-content-type-options").unwrap(), "nosniff");
    assert_eq!(r.headers.get("x-frame-options").unwrap(), "DENY");
}
both!(unknown_route_is_a_chinese_404_with_strict_headers);

async fn login_shows_who_is_logged_in(app: TestApp) {
    seed(&app).await;
    let r = app.try_login("ninghai", support::PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), Some("/"));
    let set = r
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("jiqun_session="))
        .unwrap();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax"),
        "{set}"
    );
    let cookie = set.split(';').next().unwrap().to_string();
    let home = app.get("/", Some(&cookie)).await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("宁海县经济和信息化局"));
    assert!(home.body.contains("县级中小企业主管部门"));
    assert!(home.body.contains("ninghai"));
    // The login page, when already logged in, goes home.
    let r = app.get("/login", Some(&cookie)).await;
    assert_eq!(r.location(), Some("/"));
}
both!(login_shows_who_is_logged_in);

async fn failed_login_reveals_nothing(app: TestApp) {
    seed(&app).await;
    let wrong_password = app.try_login("yiwu", "not-the-password").await;
    let unknown_user = app.try_login("nobody", "not-the-password").await;
    for r in [&wrong_password, &unknown_user] {
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert!(r.body.contains(jiqun_web::auth::LOGIN_FAILED));
        assert!(r.cookie("jiqun_session").is_none());
    }
    // Same page apart from the echoed user name and the per-page CSRF token.
    let strip = |r: &support::Resp, name: &str| {
        r.body
            .replace(name, "")
            .replace(&r.csrf_field().unwrap(), "")
    };
    assert_eq!(
        strip(&wrong_password, "yiwu"),
        strip(&unknown_user, "nobody")
    );
    let empty = app.try_login("yiwu", "").await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.body.contains("请输入用户名和密码"));
}
both!(failed_login_reveals_nothing);

async fn five_failures_lock_the_account_for_fifteen_minutes(app: TestApp) {
    seed(&app).await;
    // Four failures, then a success, reset the counter.
    for _ in 0..4 {
        assert_eq!(
            app.try_login("yiwu", "wrong-password!").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        app.try_login("yiwu", support::PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    for _ in 0..4 {
        assert_eq!(
            app.try_login("yiwu", "wrong-password!").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    // The fifth failure in a row locks: now even the right password is refused.
    assert_eq!(
        app.try_login("yiwu", "wrong-password!").await.status,
        StatusCode::UNAUTHORIZED
    );
    let refused = app.try_login("yiwu", support::PASSWORD).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert!(refused.body.contains(jiqun_web::auth::LOGIN_FAILED));
    // 14 min 59 s later: still locked. At 15 min: open again.
    app.clock.advance(chrono::Duration::seconds(15 * 60 - 1));
    assert_eq!(
        app.try_login("yiwu", support::PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    app.clock.advance(chrono::Duration::seconds(1));
    assert_eq!(
        app.try_login("yiwu", support::PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    // Other accounts were never affected.
    assert_eq!(
        app.try_login("ninghai", support::PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
}
both!(five_failures_lock_the_account_for_fifteen_minutes);

async fn login_without_csrf_token_is_refused(app: TestApp) {
    seed(&app).await;
    let r = app
        .post_form(
            "/login",
            &[("username", "yiwu"), ("password", support::PASSWORD)],
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.cookie("jiqun_session").is_none());
    let page = app.get("/login", None).await;
    let cookie = format!(
        "jiqun_login_csrf={}",
        page.cookie("jiqun_login_csrf").unwrap()
    );
    let forged = "0".repeat(64);
    let r = app
        .post_form(
            "/login",
            &[
                ("username", "yiwu"),
                ("password", support::PASSWORD),
                ("csrf", &forged),
            ],
            Some(&cookie),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("登录页面已过期"));
}
both!(login_without_csrf_token_is_refused);

async fn idle_sessions_time_out_after_thirty_minutes(app: TestApp) {
    seed(&app).await;
    let b = app.login("yiwu").await;
    // Active use keeps the session alive past 30 minutes in total.
    app.clock.advance(chrono::Duration::minutes(29));
    assert_eq!(app.get("/", Some(&b.cookie)).await.status, StatusCode::OK);
    app.clock.advance(chrono::Duration::minutes(29));
    assert_eq!(app.get("/", Some(&b.cookie)).await.status, StatusCode::OK);
    // Then 30 minutes and one second of silence ends it.
    app.clock.advance(chrono::Duration::seconds(30 * 60 + 1));
    let r = app.get("/clusters", Some(&b.cookie)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), Some("/login?expired=1"));
    let again = app.get("/", Some(&b.cookie)).await;
    assert_eq!(again.location(), Some("/login"));
    let page = app.get("/login?expired=1", None).await;
    assert!(page.body.contains("会话因长时间未操作已超时"));
}
both!(idle_sessions_time_out_after_thirty_minutes);

async fn logout_needs_the_csrf_token_and_ends_the_session(app: TestApp) {
    seed(&app).await;
    let b = app.login("zhejiang").await;
    let r = app
        .post_form("/logout", &[("csrf", "forged")], Some(&b.cookie))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get("/", Some(&b.cookie)).await.status, StatusCode::OK);
    let r = app
        .post_form("/logout", &[("csrf", &b.csrf)], Some(&b.cookie))
        .await;
    assert_eq!(r.location(), Some("/login?logged_out=1"));
    assert_eq!(
        app.get("/", Some(&b.cookie)).await.location(),
        Some("/login")
    );
}
both!(logout_needs_the_csrf_token_and_ends_the_session);

async fn each_jurisdiction_sees_only_its_own_clusters(app: TestApp) {
    let (yiwu, yongkang, ninghai) = seed(&app).await;
    let path = |id: i64| format!("/clusters/{id}");

    // County: its own cluster only; a neighbour's answers 404.
    let county = app.login("yiwu").await;
    let list = app.get("/clusters", Some(&county.cookie)).await;
    assert!(list.body.contains("义乌市测试产业集群"));
    assert!(!list.body.contains("永康市五金产业集群"));
    assert_eq!(
        app.get(&path(yiwu), Some(&county.cookie)).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.get(&path(yongkang), Some(&county.cookie)).await.status,
        StatusCode::NOT_FOUND
    );

    // 浙江 sees its counties but not 宁波's: 宁海 answers to 宁波 (计划单列市), not 浙江.
    let province = app.login("zhejiang").await;
    let list = app.get("/clusters", Some(&province.cookie)).await;
    assert!(list.body.contains("义乌市测试产业集群") && list.body.contains("永康市五金产业集群"));
    assert!(!list.body.contains("宁海县模具产业集群"));
    assert_eq!(
        app.get(&path(ninghai), Some(&province.cookie)).await.status,
        StatusCode::NOT_FOUND
    );

    let ningbo = app.login("ningbo").await;
    assert_eq!(
        app.get(&path(ninghai), Some(&ningbo.cookie)).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.get(&path(yiwu), Some(&ningbo.cookie)).await.status,
        StatusCode::NOT_FOUND
    );

    // MIIT sees everything.
    let miit = app.login("miit").await;
    for id in [yiwu, yongkang, ninghai] {
        assert_eq!(
            app.get(&path(id), Some(&miit.cookie)).await.status,
            StatusCode::OK
        );
    }
    // Garbage ids are 404 too, not 400 or 500.
    assert_eq!(
        app.get("/clusters/abc", Some(&miit.cookie)).await.status,
        StatusCode::NOT_FOUND
    );
    // Not logged in: to the login page.
    assert_eq!(app.get(&path(yiwu), None).await.location(), Some("/login"));
}
both!(each_jurisdiction_sees_only_its_own_clusters);
