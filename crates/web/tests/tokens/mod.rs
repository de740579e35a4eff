//! API tokens (docs/api.md): the `/tokens` pages and `Authorization: Bearer` on
//! `/api/v1/*`, on SQLite and PostgreSQL: jurisdiction of the token's organisation,
//! read-only tokens refused on writes, expiry, revocation, the audit chain.

use crate::support::*;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use jiqun_domain::role::Role;
use jiqun_domain::workflow::AppState as WfState;
use jiqun_store::{Scope, applications, audit};

const ELIGIBLE: &str = include_str!("../../../../examples/declaration-eligible.json");

fn declaration_for(county: &str) -> String {
    let mut v: serde_json::Value = serde_json::from_str(ELIGIBLE).unwrap();
    v["cluster"]["county_code"] = serde_json::Value::from(county);
    serde_json::to_string_pretty(&v).unwrap()
}

fn see_other(r: &Resp) {
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
}

fn json(r: &Resp) -> serde_json::Value {
    serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", r.body))
}

/// The seed, an open 2022 national batch, and a submitted application of 永康 (浙江).
pub(crate) async fn submitted_application(app: &TestApp) -> i64 {
    let (_, yongkang, _) = crate::seed_yongkang(app).await;
    let batch = open_2022_batch(app).await;
    let county = app.login("yongkang").await;
    let r = app
        .post_form(
            "/applications",
            &[
                ("csrf", &county.csrf),
                ("cluster_id", &yongkang.to_string()),
                ("batch_id", &batch.to_string()),
            ],
            Some(&county.cookie),
        )
        .await;
    see_other(&r);
    let id: i64 = r
        .location()
        .unwrap()
        .trim_start_matches("/applications/")
        .trim_end_matches("/edit")
        .parse()
        .unwrap();
    for (path, extra) in [
        ("declaration", Some(declaration_for("330784"))),
        ("self-evaluation", None),
    ] {
        let mut form = vec![("csrf", county.csrf.as_str())];
        if let Some(d) = &extra {
            form.push(("declaration", d.as_str()));
        }
        see_other(
            &app.post_form(
                &format!("/applications/{id}/{path}"),
                &form,
                Some(&county.cookie),
            )
            .await,
        );
    }
    see_other(
        &app.post_form(
            &format!("/applications/{id}/transitions"),
            &[("csrf", &county.csrf), ("action", "submit")],
            Some(&county.cookie),
        )
        .await,
    );
    id
}

/// Creates a token on the `/tokens` page and returns its secret, read from the page.
async fn create_token(app: &TestApp, b: &Browser, name: &str, scope: &str, days: &str) -> String {
    let r = app
        .post_form(
            "/tokens",
            &[
                ("csrf", &b.csrf),
                ("name", name),
                ("scope", scope),
                ("days", days),
            ],
            Some(&b.cookie),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        r.headers.get(header::CACHE_CONTROL).unwrap(),
        "private, no-store"
    );
    let at = r.body.find("id=\"new-token\">").expect("secret shown") + "id=\"new-token\">".len();
    let rest = &r.body[at..];
    rest[..rest.find('<').unwrap()].to_string()
}

async fn bearer(app: &TestApp, method: &str, path: &str, token: &str, body: &str) -> Resp {
    let req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    app.send(req).await
}

async fn state_of(app: &TestApp, id: i64) -> WfState {
    let mut conn = app.db.acquire().await.unwrap();
    applications::get(&mut conn, &Scope::National, id)
        .await
        .unwrap()
        .unwrap()
        .state
}

async fn audit_actions(app: &TestApp, token_id: &str) -> Vec<(String, serde_json::Value)> {
    let mut conn = app.db.acquire().await.unwrap();
    audit::for_object(&mut conn, "api_token", token_id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.action, serde_json::from_str(&e.detail).unwrap()))
        .collect()
}

async fn token_id_by_name(app: &TestApp, name: &str) -> i64 {
    let mut conn = app.db.acquire().await.unwrap();
    let mut found = None;
    for code in ["330000", "330200", "330782"] {
        let o = jiqun_store::orgs::by_code(&mut conn, code)
            .await
            .unwrap()
            .unwrap();
        for t in jiqun_store::tokens::list_for_org(&mut conn, o.id)
            .await
            .unwrap()
        {
            if t.name == name {
                found = Some(t.id);
            }
        }
    }
    found.unwrap()
}

async fn tokens_act_with_their_organisation(app: TestApp) {
    let id = submitted_application(&app).await;
    let zhejiang = app.login("zhejiang").await;
    let ningbo = app.login("ningbo").await;

    let page = app.get("/tokens", Some(&zhejiang.cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("暂无令牌"));
    // Without CSRF nothing is created.
    let r = app
        .post_form(
            "/tokens",
            &[("name", "x"), ("scope", "read"), ("days", "30")],
            Some(&zhejiang.cookie),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // A lifetime that is not offered is refused with the field named.
    let r = app
        .post_form(
            "/tokens",
            &[
                ("csrf", &zhejiang.csrf),
                ("name", "x"),
                ("scope", "read"),
                ("days", "9999"),
            ],
            Some(&zhejiang.cookie),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("有效期"), "{}", r.body);

    let read = create_token(&app, &zhejiang, "省平台只读", "read", "90").await;
    let write = create_token(&app, &zhejiang, "省平台同步", "write", "365").await;
    let other = create_token(&app, &ningbo, "宁波平台", "write", "365").await;
    assert!(read.starts_with("jqt_") && read.len() > 40, "{read}");
    let read_id = token_id_by_name(&app, "省平台只读").await;
    let write_id = token_id_by_name(&app, "省平台同步").await;
    // Only the hash is stored.
    let mut conn = app.db.acquire().await.unwrap();
    let t = jiqun_store::tokens::by_hash(&mut conn, &jiqun_web::auth::token_hash(&read))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(t.id, read_id);
    assert!(
        jiqun_store::tokens::by_hash(&mut conn, &read)
            .await
            .unwrap()
            .is_none()
    );
    drop(conn);
    // The list shows the tokens, never the secrets.
    let page = app.get("/tokens", Some(&zhejiang.cookie)).await;
    assert!(page.body.contains("省平台只读") && page.body.contains("省平台同步"));
    assert!(!page.body.contains(&read) && !page.body.contains("宁波平台"));
    assert_eq!(
        audit_actions(&app, &read_id.to_string()).await[0].0,
        "api_token_create"
    );

    // Reads with the organisation's jurisdiction: 浙江 sees 永康's application, 宁波 does not.
    let r = bearer(
        &app,
        "GET",
        &format!("/api/v1/applications/{id}"),
        &read,
        "",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(json(&r)["state"], "submitted");
    let r = bearer(&app, "GET", "/api/v1/applications", &read, "").await;
    assert_eq!(json(&r)["items"][0]["id"], id);
    let mut conn = app.db.acquire().await.unwrap();
    let used = jiqun_store::tokens::get(&mut conn, read_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(used.last_used_at, Some(app.clock.now_utc()));
    drop(conn);
    let r = bearer(
        &app,
        "GET",
        &format!("/api/v1/applications/{id}"),
        &other,
        "",
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    assert_eq!(json(&r)["code"], "not_found");
    let r = bearer(&app, "GET", "/api/v1/applications", &other, "").await;
    assert_eq!(json(&r)["items"].as_array().unwrap().len(), 0);
    // 宁波's write token cannot act on it either.
    let url = format!("/api/v1/applications/{id}/transitions");
    let r = bearer(&app, "POST", &url, &other, r#"{"action": "accept"}"#).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);

    // A read-only token is refused on a write, and nothing changes.
    let r = bearer(&app, "POST", &url, &read, r#"{"action": "accept"}"#).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert_eq!(json(&r)["code"], "token_read_only");
    assert_eq!(state_of(&app, id).await, WfState::Submitted);
    // So on every API write (here the annual report of dynamic management).
    let r = bearer(
        &app,
        "PUT",
        "/api/v1/recognitions/1/annual-reports/2025",
        &read,
        "{}",
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert_eq!(json(&r)["code"], "token_read_only");

    // A read-write token writes without a CSRF header; the write is audited with its id.
    let r = bearer(&app, "POST", &url, &write, r#"{"action": "accept"}"#).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(state_of(&app, id).await, WfState::Accepted);
    let events = audit_actions(&app, &write_id.to_string()).await;
    let (action, detail) = events.last().unwrap();
    assert_eq!(action, "api_token_write");
    assert_eq!(detail["token_id"], write_id);
    assert_eq!(detail["path"], url.as_str());
    assert_eq!(detail["method"], "POST");
    let v = audit::verify(&app.db).await.unwrap();
    assert!(v.broken.is_none(), "{v:?}");

    // Unknown and malformed tokens: 401 JSON.
    let r = bearer(&app, "GET", "/api/v1/applications", "jqt_nonsense", "").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(json(&r)["code"], "invalid_token");
    let req = Request::get("/api/v1/applications")
        .header(header::AUTHORIZATION, format!("Basic {read}"))
        .body(Body::empty())
        .unwrap();
    assert_eq!(app.send(req).await.status, StatusCode::UNAUTHORIZED);

    // Revocation: another organisation cannot revoke it (404); its own can, once.
    let revoke = format!("/tokens/{write_id}/revoke");
    let r = app
        .post_form(&revoke, &[("csrf", &ningbo.csrf)], Some(&ningbo.cookie))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = bearer(&app, "GET", "/api/v1/applications", &write, "").await;
    assert_eq!(r.status, StatusCode::OK);
    let r = app
        .post_form(&revoke, &[("csrf", &zhejiang.csrf)], Some(&zhejiang.cookie))
        .await;
    see_other(&r);
    let r = bearer(&app, "GET", "/api/v1/applications", &write, "").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(json(&r)["code"], "token_revoked");
    let r = app
        .post_form(&revoke, &[("csrf", &zhejiang.csrf)], Some(&zhejiang.cookie))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(
        audit_actions(&app, &write_id.to_string())
            .await
            .last()
            .unwrap()
            .0,
        "api_token_revoke"
    );
    assert!(
        app.get("/tokens", Some(&zhejiang.cookie))
            .await
            .body
            .contains("已撤销")
    );

    // Expiry: the 90-day token works on day 89 and not on day 90.
    app.clock.advance(chrono::Duration::days(89));
    let r = bearer(&app, "GET", "/api/v1/applications", &read, "").await;
    assert_eq!(r.status, StatusCode::OK);
    app.clock.advance(chrono::Duration::days(1));
    let r = bearer(&app, "GET", "/api/v1/applications", &read, "").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(json(&r)["code"], "token_expired");
}
crate::both!(tokens_act_with_their_organisation);

async fn only_administrative_users_manage_tokens(app: TestApp) {
    crate::seed(&app).await;
    app.org(
        "EXP",
        "评审专家库",
        jiqun_store::orgs::OrgKind::ExpertPool,
        None,
    )
    .await;
    app.user("expert1", "EXP", Role::Expert).await;
    let expert = app.login("expert1").await;
    let r = app.get("/tokens", Some(&expert.cookie)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Without a login: the login page.
    let r = app.get("/tokens", None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // A county user manages its own organisation's tokens.
    let yiwu = app.login("yiwu").await;
    let secret = create_token(&app, &yiwu, "县平台", "read", "30").await;
    let r = bearer(&app, "GET", "/api/v1/applications", &secret, "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}
crate::both!(only_administrative_users_manage_tokens);

/// The OpenAPI 3.1 document is generated from the handlers; a change of the API shows up
/// as a change of this snapshot. Swagger UI is served locally under the strict CSP.
async fn openapi_document_and_swagger_ui(app: TestApp) {
    let r = app.get("/api/v1/openapi.json", None).await;
    assert_eq!(r.status, StatusCode::OK);
    let doc = json(&r);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for p in [
        "/api/v1/applications",
        "/api/v1/applications/{id}",
        "/api/v1/applications/{id}/transitions",
        "/tokens",
    ] {
        assert!(doc["paths"][p].is_object(), "{p} missing");
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    insta::assert_snapshot!("openapi", serde_json::to_string_pretty(&doc).unwrap());

    let r = app.get("/api/docs", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("/api/docs/swagger-ui-bundle.js"));
    // No inline script, nothing from another origin.
    assert!(!r.body.contains("<script>"));
    assert!(!r.body.contains("src=\"http") && !r.body.contains("href=\"http"));
    let csp = r
        .headers
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"));
    for (path, ty) in [
        ("/api/docs/swagger-ui-bundle.js", "text/javascript"),
        ("/api/docs/swagger-init.js", "text/javascript"),
        ("/api/docs/swagger-ui.css", "text/css"),
    ] {
        let r = app.get(path, None).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert!(
            r.headers
                .get(header::CONTENT_TYPE)
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with(ty)
        );
    }
    let init = app.get("/api/docs/swagger-init.js", None).await;
    assert!(init.body.contains("/api/v1/openapi.json"));
}
crate::both!(openapi_document_and_swagger_ui);
