//! The JSON API `/api/v1` end to end with API tokens, on SQLite and PostgreSQL
//! (docs/api.md): every endpoint's happy path, another jurisdiction's token getting 404 on
//! every object endpoint, a read-only token refused on every write endpoint, pagination
//! and filter boundaries, writes audited in their own transaction (a refused write leaves
//! neither a change nor an audit row), and the OpenAPI document covering every route.

use crate::support::{NowUtc, Resp, TestApp, open_2022_batch};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use jiqun_store::tokens::TokenScope;
use jiqun_store::{Scope, applications, audit, orgs, users};
use serde_json::{Value, json};

const ELIGIBLE: &str = include_str!("../../../../examples/declaration-eligible.json");

fn declaration_for(county: &str) -> Value {
    let mut v: Value = serde_json::from_str(ELIGIBLE).unwrap();
    v["cluster"]["county_code"] = Value::from(county);
    v
}

struct Fx {
    yiwu: i64,
    yongkang: i64,
    batch2022: i64,
    rec: i64,
}

/// The seed (浙江: 义乌, 永康; 宁波: 宁海), a recognition of 义乌 (2024 batch, with its
/// draft application) and an open 2022 batch.
async fn fixture(app: &TestApp) -> Fx {
    let (yiwu, yongkang, _ninghai) = crate::seed_yongkang(app).await;
    let rec = crate::dynamic::recognise(app, yiwu).await;
    let batch2022 = open_2022_batch(app).await;
    Fx {
        yiwu,
        yongkang,
        batch2022,
        rec,
    }
}

/// A token of the user's organisation, made as the `/tokens` page makes it.
async fn token(app: &TestApp, username: &str, scope: TokenScope) -> (i64, String) {
    let mut tx = app.db.begin().await.unwrap();
    let user = users::by_username(&mut tx, username)
        .await
        .unwrap()
        .unwrap();
    let org = orgs::by_id(&mut tx, user.org_id).await.unwrap().unwrap();
    let (t, secret) = jiqun_web::tokens::issue(
        &mut tx,
        &user,
        &org,
        "测试令牌",
        scope,
        30,
        "test",
        app.clock.now_utc(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    (t.id, secret)
}

async fn call(app: &TestApp, method: &str, path: &str, token: &str, body: Option<&Value>) -> Resp {
    let req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(body.map_or_else(Body::empty, |v| Body::from(v.to_string())))
        .unwrap();
    app.send(req).await
}

async fn get(app: &TestApp, path: &str, token: &str) -> (StatusCode, Value) {
    let r = call(app, "GET", path, token, None).await;
    (
        r.status,
        serde_json::from_str(&r.body).unwrap_or(Value::Null),
    )
}

fn body(r: &Resp) -> Value {
    serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", r.body))
}

/// A 400 `bad_request` whose message names `param`.
async fn bad_param(app: &TestApp, path: &str, token: &str, param: &str) {
    let (s, j) = get(app, path, token).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{path}: {j}");
    assert_eq!(j["code"], "bad_request", "{path}");
    let m = j["message"].as_str().unwrap();
    assert!(m.contains(&format!("参数 {param}")), "{path}: {m}");
}

/// The `api_token_write` rows of a token.
async fn writes_of(app: &TestApp, token_id: i64) -> Vec<Value> {
    let mut conn = app.db.acquire().await.unwrap();
    audit::for_object(&mut conn, "api_token", &token_id.to_string())
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "api_token_write")
        .map(|e| serde_json::from_str(&e.detail).unwrap())
        .collect()
}

async fn application_count(app: &TestApp) -> usize {
    let mut conn = app.db.acquire().await.unwrap();
    applications::list(&mut conn, &Scope::National, None, None)
        .await
        .unwrap()
        .len()
}

async fn reads_lists_pages_and_filters(app: TestApp) {
    let f = fixture(&app).await;
    let (_, zj) = token(&app, "zhejiang", TokenScope::Read).await;
    let (_, nb) = token(&app, "ningbo", TokenScope::Read).await;
    let (_, miit) = token(&app, "miit", TokenScope::Read).await;

    // Clusters: the token's jurisdiction only.
    let (s, j) = get(&app, "/api/v1/clusters", &zj).await;
    assert_eq!(s, StatusCode::OK, "{j}");
    assert_eq!(
        (
            j["total"].as_i64(),
            j["page"].as_i64(),
            j["per_page"].as_i64()
        ),
        (Some(2), Some(1), Some(50))
    );
    assert_eq!(j["items"][0]["authority_code"], "330000");
    assert_eq!(get(&app, "/api/v1/clusters", &nb).await.1["total"], 1);
    assert_eq!(get(&app, "/api/v1/clusters", &miit).await.1["total"], 3);
    assert_eq!(
        get(&app, "/api/v1/clusters?province=330200", &miit).await.1["total"],
        1
    );
    assert_eq!(
        get(&app, "/api/v1/clusters?tier=provincial", &miit).await.1["total"],
        3
    );
    assert_eq!(
        get(&app, "/api/v1/clusters?tier=national", &miit).await.1["total"],
        0
    );
    bad_param(&app, "/api/v1/clusters?province=330782", &miit, "province").await;
    bad_param(&app, "/api/v1/clusters?province=abc", &miit, "province").await;
    bad_param(&app, "/api/v1/clusters?tier=gold", &miit, "tier").await;
    let (s, j) = get(&app, &format!("/api/v1/clusters/{}", f.yiwu), &zj).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(j["name"], "义乌市测试产业集群");
    assert_eq!(j["tier"], "provincial");
    let (s, j) = get(&app, &format!("/api/v1/clusters/{}", f.yiwu), &nb).await;
    assert_eq!(
        (s, j["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    assert_eq!(
        get(&app, "/api/v1/clusters/abc", &zj).await.0,
        StatusCode::NOT_FOUND
    );

    // Pagination at its boundaries: 3 clusters, 2 a page.
    let (_, p1) = get(&app, "/api/v1/clusters?per_page=2", &miit).await;
    let (_, p2) = get(&app, "/api/v1/clusters?per_page=2&page=2", &miit).await;
    let (_, p3) = get(&app, "/api/v1/clusters?per_page=2&page=3", &miit).await;
    assert_eq!(
        (p1["items"].as_array().unwrap().len(), p1["total"].as_i64()),
        (2, Some(3))
    );
    assert_eq!(
        (p2["items"].as_array().unwrap().len(), p2["total"].as_i64()),
        (1, Some(3))
    );
    assert_eq!(
        (p3["items"].as_array().unwrap().len(), p3["total"].as_i64()),
        (0, Some(3))
    );
    assert_eq!(p3["page"], 3);
    assert_ne!(p1["items"][0]["id"], p2["items"][0]["id"]);
    assert_ne!(p1["items"][1]["id"], p2["items"][0]["id"]);
    let (s, j) = get(&app, "/api/v1/clusters?per_page=200", &miit).await;
    assert_eq!((s, j["per_page"].as_i64()), (StatusCode::OK, Some(200)));
    bad_param(&app, "/api/v1/clusters?per_page=201", &miit, "per_page").await;
    bad_param(&app, "/api/v1/clusters?per_page=0", &miit, "per_page").await;
    bad_param(&app, "/api/v1/clusters?page=0", &miit, "page").await;
    bad_param(&app, "/api/v1/clusters?page=x", &miit, "page").await;
    assert_eq!(
        get(&app, "/api/v1/clusters?page=1000000", &miit).await.0,
        StatusCode::OK
    );
    bad_param(&app, "/api/v1/clusters?page=1000001", &miit, "page").await;

    // Batches: newest first.
    let (s, j) = get(&app, "/api/v1/batches", &nb).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(j["total"], 2);
    assert_eq!(j["items"][0]["year"], 2024);
    assert_eq!(j["items"][1]["id"], f.batch2022);
    let (_, j) = get(&app, "/api/v1/batches?per_page=1&page=2", &nb).await;
    assert_eq!(
        (j["items"][0]["year"].as_i64(), j["total"].as_i64()),
        (Some(2022), Some(2))
    );

    // Reference data.
    let (s, j) = get(&app, "/api/v1/reference/divisions", &zj).await;
    assert_eq!((s, j["total"].as_i64()), (StatusCode::OK, Some(31)));
    let (_, j) = get(
        &app,
        "/api/v1/reference/divisions?parent=330700&per_page=200",
        &zj,
    )
    .await;
    let yiwu = j["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "330782")
        .unwrap();
    assert_eq!(
        (yiwu["name"].as_str(), yiwu["level"].as_i64()),
        (Some("义乌市"), Some(3))
    );
    assert_eq!(yiwu["authority_code"], "330000");
    let (_, j) = get(
        &app,
        "/api/v1/reference/divisions?parent=330200&per_page=200",
        &zj,
    )
    .await;
    assert!(
        j["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["authority_code"] == "330200"),
        "{j}"
    );
    bad_param(
        &app,
        "/api/v1/reference/divisions?parent=339999",
        &zj,
        "parent",
    )
    .await;
    let (s, j) = get(&app, "/api/v1/reference/industries?per_page=200", &zj).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(j["items"][0]["code"], "A");
    assert!(
        j["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["code"] == "38" && i["parent"] == "C")
    );
    let (s, j) = get(&app, "/api/v1/reference/editions", &zj).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        j["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["id"] == "2022"),
        "{j}"
    );
    bad_param(
        &app,
        "/api/v1/reference/editions?per_page=201",
        &zj,
        "per_page",
    )
    .await;

    // Applications: filters by province, batch and state.
    let (s, j) = get(&app, "/api/v1/applications", &zj).await;
    assert_eq!((s, j["total"].as_i64()), (StatusCode::OK, Some(1)));
    let app_id = j["items"][0]["id"].as_i64().unwrap();
    assert_eq!(
        get(
            &app,
            "/api/v1/applications?state=draft&province=330000",
            &zj
        )
        .await
        .1["total"],
        1
    );
    assert_eq!(
        get(&app, "/api/v1/applications?state=submitted", &zj)
            .await
            .1["total"],
        0
    );
    assert_eq!(
        get(&app, "/api/v1/applications?province=330200", &miit)
            .await
            .1["total"],
        0
    );
    assert_eq!(
        get(
            &app,
            &format!("/api/v1/applications?batch={}", f.batch2022),
            &zj
        )
        .await
        .1["total"],
        0
    );
    assert_eq!(get(&app, "/api/v1/applications", &nb).await.1["total"], 0);
    bad_param(&app, "/api/v1/applications?batch=abc", &zj, "batch").await;
    bad_param(&app, "/api/v1/applications?state=bogus", &zj, "state").await;
    bad_param(
        &app,
        "/api/v1/applications?province=999999",
        &zj,
        "province",
    )
    .await;
    bad_param(&app, "/api/v1/applications?per_page=201", &zj, "per_page").await;
    assert_eq!(
        get(&app, &format!("/api/v1/applications/{app_id}"), &zj)
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(
        get(&app, &format!("/api/v1/applications/{app_id}"), &nb)
            .await
            .0,
        StatusCode::NOT_FOUND
    );

    // Recognitions and their annual reports.
    let (s, j) = get(&app, "/api/v1/recognitions", &zj).await;
    assert_eq!((s, j["total"].as_i64()), (StatusCode::OK, Some(1)));
    assert_eq!(j["items"][0]["id"], f.rec);
    assert_eq!(
        get(&app, "/api/v1/recognitions?status=active", &zj).await.1["total"],
        1
    );
    assert_eq!(
        get(&app, "/api/v1/recognitions?status=revoked", &zj)
            .await
            .1["total"],
        0
    );
    assert_eq!(
        get(&app, "/api/v1/recognitions?province=330200", &miit)
            .await
            .1["total"],
        0
    );
    assert_eq!(get(&app, "/api/v1/recognitions", &nb).await.1["total"], 0);
    bad_param(&app, "/api/v1/recognitions?status=gone", &zj, "status").await;
    bad_param(&app, "/api/v1/recognitions?batch=0", &zj, "batch").await;
    let rec = format!("/api/v1/recognitions/{}", f.rec);
    assert_eq!(get(&app, &rec, &zj).await.0, StatusCode::OK);
    let (s, j) = get(&app, &format!("{rec}/annual-reports"), &zj).await;
    assert_eq!(s, StatusCode::OK, "{j}");
    assert!(j["total"].as_i64().unwrap() >= 1, "{j}");
    assert_eq!(j["items"][0]["year"], 2024);
    assert!(j["items"][0]["report"].is_null());
    // No 2024 report filed yet: 404 for that year.
    let (s, j) = get(&app, &format!("{rec}/annual-reports/2024"), &zj).await;
    assert_eq!(
        (s, j["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    assert_eq!(get(&app, "/api/v1/watch", &zj).await.0, StatusCode::OK);

    // Another jurisdiction's token: 404 on every object endpoint.
    for path in [
        format!("/api/v1/clusters/{}", f.yongkang),
        format!("/api/v1/applications/{app_id}"),
        rec.clone(),
        format!("{rec}/annual-reports"),
        format!("{rec}/annual-reports/2024"),
    ] {
        let (s, j) = get(&app, &path, &nb).await;
        assert_eq!(
            (s, j["code"].as_str()),
            (StatusCode::NOT_FOUND, Some("not_found")),
            "{path}"
        );
    }
    // The public revocation list needs no token.
    assert_eq!(
        app.get("/api/v1/revoked", None).await.status,
        StatusCode::OK
    );
}
crate::both!(reads_lists_pages_and_filters);

/// The 复核 form (docs/dynamic-management.md), well-formed.
fn reexam_form() -> Value {
    let mut r = crate::dynamic::report(2024);
    let o = r.as_object_mut().unwrap();
    o.remove("year");
    o.remove("work_done");
    o.insert("summary".into(), json!("三年发展规划目标均已完成"));
    r
}

/// Who may take a write step: the role whose token of another jurisdiction must get 404.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Who {
    /// Not an object endpoint (create).
    Nobody,
    County,
    Province,
    /// National scope: no other jurisdiction.
    Ministry,
}

/// Every write endpoint with (method, path, a well-formed body, who may take it).
fn write_endpoints(app_id: i64, rec: i64, case: i64) -> Vec<(&'static str, String, Value, Who)> {
    let r = format!("/api/v1/recognitions/{rec}");
    vec![
        (
            "POST",
            "/api/v1/applications".into(),
            json!({"cluster_id": 1, "batch_id": 1}),
            Who::Nobody,
        ),
        (
            "PUT",
            format!("/api/v1/applications/{app_id}/declaration"),
            declaration_for("330784"),
            Who::County,
        ),
        (
            "POST",
            format!("/api/v1/applications/{app_id}/transitions"),
            json!({"action": "accept"}),
            Who::Province,
        ),
        (
            "PUT",
            format!("{r}/annual-reports/2024"),
            crate::dynamic::report(2024),
            Who::County,
        ),
        (
            "POST",
            format!("{r}/annual-reports/2024/submit"),
            json!({}),
            Who::County,
        ),
        (
            "POST",
            format!("{r}/annual-reports/2024/review"),
            json!({"accept": true}),
            Who::Province,
        ),
        (
            "POST",
            format!("{r}/changes"),
            json!({"kind": "operator", "after_value": "x", "effective_date": "2025-01-01"}),
            Who::Province,
        ),
        (
            "POST",
            format!("{r}/incidents"),
            json!({"kind": "safety", "level": "general", "occurred_on": "2025-01-01", "source": "s", "description": "d"}),
            Who::Province,
        ),
        (
            "POST",
            format!("{r}/cases"),
            json!({"ground": "R2", "facts": "f"}),
            Who::Province,
        ),
        (
            "POST",
            format!("{r}/reexamination"),
            reexam_form(),
            Who::County,
        ),
        (
            "POST",
            format!("{r}/reexamination/check"),
            json!({"pass": true}),
            Who::Province,
        ),
        (
            "POST",
            format!("{r}/reexamination/decide"),
            json!({"pass": true}),
            Who::Ministry,
        ),
        (
            "POST",
            format!("/api/v1/cases/{case}/opinion"),
            json!({"opinion": "o"}),
            Who::Province,
        ),
        (
            "POST",
            format!("/api/v1/cases/{case}/decide"),
            json!({"revoke": false, "reason": "r"}),
            Who::Ministry,
        ),
    ]
}

async fn writes_are_audited_in_their_own_transaction(app: TestApp) {
    let f = fixture(&app).await;
    let (yk_id, yk) = token(&app, "yongkang", TokenScope::Write).await;
    let (yk_read_id, yk_read) = token(&app, "yongkang", TokenScope::Read).await;
    let (zj_id, zj) = token(&app, "zhejiang", TokenScope::Write).await;
    let (_, zj_read) = token(&app, "zhejiang", TokenScope::Read).await;
    let (nb_id, nb) = token(&app, "ningbo", TokenScope::Write).await;
    let (nh_id, nh) = token(&app, "ninghai", TokenScope::Write).await;
    let (yw_id, yw) = token(&app, "yiwu", TokenScope::Write).await;
    let before = application_count(&app).await;

    // Create: another province's token cannot see the cluster (404); a declaration with
    // errors is 422 with every JSON path, and nothing is created or audited.
    let create = json!({"cluster_id": f.yongkang, "batch_id": f.batch2022});
    let r = call(&app, "POST", "/api/v1/applications", &nb, Some(&create)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let mut broken = declaration_for("330784");
    broken["first_batch"] = json!(true);
    broken["cluster"]["county_code"] = json!("330782");
    let with_errors =
        json!({"cluster_id": f.yongkang, "batch_id": f.batch2022, "declaration": broken});
    let r = call(
        &app,
        "POST",
        "/api/v1/applications",
        &yk,
        Some(&with_errors),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let j = body(&r);
    assert_eq!(j["code"], "invalid_declaration");
    let paths: Vec<&str> = j["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["path"].as_str())
        .collect();
    assert!(
        paths.contains(&"first_batch") && paths.contains(&"cluster.county_code"),
        "{paths:?}"
    );
    assert_eq!(application_count(&app).await, before);
    assert!(writes_of(&app, yk_id).await.is_empty());
    let r = call(
        &app,
        "POST",
        "/api/v1/applications",
        &yk,
        Some(&json!({"cluster_id": "x"})),
    )
    .await;
    assert_eq!(
        (r.status, body(&r)["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_body"))
    );

    // Created with its declaration: 201, one audit row in the same transaction.
    let ok = json!({"cluster_id": f.yongkang, "batch_id": f.batch2022, "declaration": declaration_for("330784")});
    let r = call(&app, "POST", "/api/v1/applications", &yk, Some(&ok)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = body(&r)["id"].as_i64().unwrap();
    assert_eq!(
        r.location(),
        Some(format!("/api/v1/applications/{id}").as_str())
    );
    assert_eq!(body(&r)["state"], "draft");
    assert_eq!(body(&r)["current"]["declaration"]["batch_year"], 2022);
    let w = writes_of(&app, yk_id).await;
    assert_eq!(w.len(), 1);
    assert_eq!(
        (w[0]["method"].as_str(), w[0]["path"].as_str()),
        (Some("POST"), Some("/api/v1/applications"))
    );
    assert_eq!(w[0]["token_id"], yk_id);
    // The same cluster and batch again: 409, nothing changed, no audit row.
    let r = call(&app, "POST", "/api/v1/applications", &yk, Some(&create)).await;
    assert_eq!(
        (r.status, body(&r)["code"].as_str()),
        (StatusCode::CONFLICT, Some("refused")),
        "{}",
        r.body
    );
    assert_eq!(application_count(&app).await, before + 1);
    assert_eq!(writes_of(&app, yk_id).await.len(), 1);

    // The declaration: 422 changes nothing; 200 saves; the province may not edit (409).
    let url = format!("/api/v1/applications/{id}/declaration");
    let r = call(&app, "PUT", &url, &yk, Some(&broken)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(writes_of(&app, yk_id).await.len(), 1);
    let mut changed = declaration_for("330784");
    changed["cluster"]["name"] = json!("永康市五金产业集群（更新）");
    let r = call(&app, "PUT", &url, &yk, Some(&changed)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        body(&r)["current"]["declaration"]["cluster"]["name"],
        "永康市五金产业集群（更新）"
    );
    assert_eq!(writes_of(&app, yk_id).await.len(), 2);
    let r = call(&app, "PUT", &url, &zj, Some(&changed)).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(writes_of(&app, zj_id).await.is_empty());
    assert_eq!(
        call(&app, "PUT", &url, &nb, Some(&changed)).await.status,
        StatusCode::NOT_FOUND
    );
    let r = call(&app, "PUT", &url, &yk, Some(&json!([1, 2]))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);

    // Submit after the self-evaluation (a page step), then a step the county may not take.
    let county = app.login("yongkang").await;
    let r = app
        .post_form(
            &format!("/applications/{id}/self-evaluation"),
            &[("csrf", &county.csrf)],
            Some(&county.cookie),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let tr = format!("/api/v1/applications/{id}/transitions");
    let r = call(&app, "POST", &tr, &yk, Some(&json!({"action": "submit"}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(body(&r)["state"], "submitted");
    assert_eq!(writes_of(&app, yk_id).await.len(), 3);
    let r = call(&app, "POST", &tr, &yk, Some(&json!({"action": "accept"}))).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(writes_of(&app, yk_id).await.len(), 3);
    let (_, j) = get(&app, &format!("/api/v1/applications/{id}"), &yk).await;
    assert_eq!(j["state"], "submitted");
    let r = call(&app, "POST", &tr, &zj, Some(&json!({"action": "accept"}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let w = writes_of(&app, zj_id).await;
    assert_eq!((w.len(), w[0]["path"].as_str()), (1, Some(tr.as_str())));

    // Dynamic management: the annual report of 义乌, then read back.
    let rec = format!("/api/v1/recognitions/{}", f.rec);
    let r = call(
        &app,
        "PUT",
        &format!("{rec}/annual-reports/2024"),
        &yw,
        Some(&crate::dynamic::report(2024)),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(writes_of(&app, yw_id).await.len(), 1);
    let (s, j) = get(&app, &format!("{rec}/annual-reports/2024"), &zj_read).await;
    assert_eq!(
        (s, j["status"].as_str(), j["recognition_id"].as_i64()),
        (StatusCode::OK, Some("draft"), Some(f.rec))
    );
    let (_, j) = get(&app, &format!("{rec}/annual-reports"), &zj_read).await;
    assert_eq!(j["items"][0]["report"]["status"], "draft");
    // A case opened by the province (201), audited.
    let r = call(
        &app,
        "POST",
        &format!("{rec}/cases"),
        &zj,
        Some(&json!({"ground": "R2", "facts": "连续两年未报送年度报告"})),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let case = body(&r)["id"].as_i64().unwrap();
    assert_eq!(writes_of(&app, zj_id).await.len(), 2);

    // Every write endpoint: a read-only token is refused (403) and nothing is audited;
    // another jurisdiction's token gets 404 on every object endpoint, nothing audited.
    let nb_before = writes_of(&app, nb_id).await.len();
    let endpoints = write_endpoints(id, f.rec, case);
    assert_eq!(endpoints.len(), 14);
    for (method, path, b, who) in &endpoints {
        for t in [&yk_read, &zj_read] {
            let r = call(&app, method, path, t, Some(b)).await;
            assert_eq!(
                r.status,
                StatusCode::FORBIDDEN,
                "{method} {path}: {}",
                r.body
            );
            assert_eq!(body(&r)["code"], "token_read_only", "{method} {path}");
        }
        let other = match who {
            Who::County => &nh,
            Who::Province => &nb,
            Who::Nobody | Who::Ministry => continue,
        };
        let r = call(&app, method, path, other, Some(b)).await;
        assert_eq!(
            r.status,
            StatusCode::NOT_FOUND,
            "{method} {path}: {}",
            r.body
        );
        assert_eq!(body(&r)["code"], "not_found", "{method} {path}");
    }
    assert!(writes_of(&app, yk_read_id).await.is_empty());
    assert_eq!(writes_of(&app, nb_id).await.len(), nb_before);
    assert!(writes_of(&app, nh_id).await.is_empty());

    let v = audit::verify(&app.db).await.unwrap();
    assert!(v.broken.is_none(), "{v:?}");
}
crate::both!(writes_are_audited_in_their_own_transaction);

/// Every `/api/v1` route of the router (read from the `.route(…)` calls of the source) is in
/// the OpenAPI document with each of its methods, and every documented operation is routed.
async fn openapi_covers_every_route(app: TestApp) {
    let doc = body(&app.get("/api/v1/openapi.json", None).await);
    let src = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
    let mut routes: Vec<(String, String)> = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(src)];
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            stack.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
        } else if p.extension().is_some_and(|e| e == "rs") {
            routes.extend(route_calls(&std::fs::read_to_string(&p).unwrap()));
        }
    }
    let api: Vec<&(String, String)> = routes
        .iter()
        .filter(|(_, path)| path.starts_with("/api/v1/") && path != "/api/v1/openapi.json")
        .collect();
    assert!(api.len() >= 25, "{api:?}");
    for (method, path) in &api {
        assert!(
            doc["paths"][path.as_str()][method.as_str()].is_object(),
            "{method} {path} is routed but not in the OpenAPI document"
        );
    }
    for (path, ops) in doc["paths"].as_object().unwrap() {
        if !path.starts_with("/api/v1/") {
            continue;
        }
        for method in ops.as_object().unwrap().keys() {
            assert!(
                api.iter().any(|(m, p)| m == method && p == path),
                "{method} {path} is documented but not routed"
            );
        }
    }
}
crate::both!(openapi_covers_every_route);

/// `(method, path)` of every `.route("path", get(…).post(…))` call in a source file.
fn route_calls(src: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = src;
    while let Some(at) = rest.find(".route(") {
        rest = &rest[at + ".route(".len()..];
        // The call's text, up to its closing parenthesis.
        let mut depth = 1;
        let mut end = rest.len();
        for (i, c) in rest.char_indices() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        end = i;
                        break;
                    }
                }
                _ => {}
            }
        }
        let call = &rest[..end];
        let Some(q1) = call.find('"') else { continue };
        let Some(q2) = call[q1 + 1..].find('"') else {
            continue;
        };
        let path = &call[q1 + 1..q1 + 1 + q2];
        let handlers = &call[q1 + 2 + q2..];
        for m in ["get", "post", "put", "delete", "patch"] {
            let direct = handlers
                .trim_start_matches([',', ' ', '\n'])
                .starts_with(&format!("{m}("));
            if direct || handlers.contains(&format!(".{m}(")) {
                out.push((m.to_string(), path.to_string()));
            }
        }
    }
    out
}

/// OpenAPI requires operation ids to be unique (clients are generated from them).
async fn operation_ids_are_unique(app: TestApp) {
    let doc = body(&app.get("/api/v1/openapi.json", None).await);
    let mut ids: Vec<&str> = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|ops| ops.as_object().unwrap().values())
        .filter_map(|op| op["operationId"].as_str())
        .collect();
    let n = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), n, "{ids:?}");
}
crate::both!(operation_ids_are_unique);
