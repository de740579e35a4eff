//! Dynamic management through the real router: pages and JSON API, jurisdiction, invalid
//! input that changes nothing, and the public revocation list.

use crate::support::{Browser, NowUtc, Resp, TestApp};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use jiqun_domain::generate::{GenerateParams, generate_one, to_json};
use jiqun_store::applications::{self, Actor};
use jiqun_store::batches::{self, NewBatch};
use jiqun_store::{Scope, users};
use serde_json::{Value, json};

/// A recognition of the 义乌 cluster, valid 2024-12-01 … 2027-11-30 (reports for 2024–2026).
pub(crate) async fn recognise(app: &TestApp, cluster_id: i64) -> i64 {
    let mut conn = app.db.acquire().await.unwrap();
    let batch = batches::insert(
        &mut conn,
        &NewBatch {
            annual_report_due: "03-31",
            ..crate::support::national_batch(2024, "2024年度中小企业特色产业集群")
        },
        app.clock.now_utc(),
    )
    .await
    .unwrap();
    let county = users::by_username(&mut conn, "yiwu")
        .await
        .unwrap()
        .unwrap();
    let actor = Actor {
        user_id: county.id,
        username: "yiwu".into(),
        org_id: county.org_id,
        org_code: "330782".into(),
        roles: vec![jiqun_domain::role::Role::County],
        scope: Scope::County("330782".into()),
    };
    let app_row = applications::create(
        &mut conn,
        &actor,
        cluster_id,
        batch.id,
        "{}",
        app.clock.now_utc(),
    )
    .await
    .unwrap();
    let row: (i64,) = sqlx::query_as(
        "INSERT INTO recognitions (cluster_id, application_id, batch_id, level, valid_from, valid_until,
             status, created_at) VALUES ($1, $2, $3, 'national', '2024-12-01', '2027-11-30', 'active', $4)
         RETURNING id",
    )
    .bind(cluster_id)
    .bind(app_row.id)
    .bind(batch.id)
    .bind("2024-12-01T00:00:00Z")
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    row.0
}

pub(crate) fn report(year: i32) -> Value {
    let g = generate_one(
        &GenerateParams {
            clusters: 1,
            enterprises: 8,
            years: 3,
            seed: 3,
            batch_year: year + 1,
        },
        0,
    );
    let mut decl = to_json(&g.declaration).unwrap();
    decl["cluster"]["county_code"] = json!("330782");
    decl["edition"] = json!("2022");
    let targets = decl["plan"]["targets"].as_array().map_or(0, Vec::len);
    let progress: Vec<Value> = (0..targets)
        .map(|i| json!({"target": i, "status": "achieved"}))
        .collect();
    json!({"year": year, "declaration": decl, "progress": progress, "work_done": "召开产业链对接会"})
}

async fn api(
    app: &TestApp,
    method: &str,
    path: &str,
    body: Option<Value>,
    b: &Browser,
) -> (StatusCode, Value) {
    let req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::COOKIE, &b.cookie)
        .header("x-csrf-token", &b.csrf)
        .header(header::CONTENT_TYPE, "application/json")
        .body(body.map_or_else(Body::empty, |v| Body::from(v.to_string())))
        .unwrap();
    let r: Resp = app.send(req).await;
    (
        r.status,
        serde_json::from_str(&r.body).unwrap_or(Value::Null),
    )
}

async fn reports_changes_incidents_and_revocation(app: TestApp) {
    let (yiwu, _, _) = crate::seed(&app).await;
    let rec = recognise(&app, yiwu).await;
    let page = format!("/recognitions/{rec}");
    let county = app.login("yiwu").await;
    let zhejiang = app.login("zhejiang").await;
    let ningbo = app.login("ningbo").await;
    let miit = app.login("miit").await;

    // 2 March 2026: the 2024 report (due 2025-03-31) is overdue, 2025 (due 2026-03-31) is open.
    let r = app.get(&page, Some(&county.cookie)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("已逾期 336 天"), "{}", r.body);
    assert!(r.body.contains("待报送，剩余 29 天"));
    let list = app.get("/recognitions", Some(&zhejiang.cookie)).await;
    assert!(list.body.contains("逾期未报（1）"), "{}", list.body);
    assert!(list.body.contains("30 天内到期的年度报告（1）"));
    // Another authority sees none of it.
    assert_eq!(
        app.get(&page, Some(&ningbo.cookie)).await.status,
        StatusCode::NOT_FOUND
    );
    let (s, _) = api(
        &app,
        "GET",
        &format!("/api/v1/recognitions/{rec}"),
        None,
        &ningbo,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, list) = api(&app, "GET", "/api/v1/recognitions", None, &ningbo).await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(0));

    // An invalid report: every problem listed, the text kept, nothing saved.
    let mut bad = report(2025);
    bad["declaration"]["enterprises"][0]["figures"]["2025"]["employees"] = json!(-3);
    bad["work_done"] = json!("");
    let text = bad.to_string();
    let r = app
        .post_form(
            &format!("{page}/reports/2025"),
            &[("csrf", &county.csrf), ("content", &text)],
            Some(&county.cookie),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body
            .contains("declaration.enterprises[0].figures.2025.employees"),
        "{}",
        r.body
    );
    assert!(r.body.contains("work_done"));
    assert!(
        r.body.contains("&#34;work_done&#34;"),
        "the text is kept: {}",
        r.body
    );
    let (_, d) = api(
        &app,
        "GET",
        &format!("/api/v1/recognitions/{rec}"),
        None,
        &county,
    )
    .await;
    assert!(d["annual_reports"][1]["report"].is_null(), "{d}");
    // The same through the API: 400 with paths.
    let (s, e) = api(
        &app,
        "PUT",
        &format!("/api/v1/recognitions/{rec}/annual-reports/2025"),
        Some(bad),
        &county,
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(
        e["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["path"] == "work_done"),
        "{e}"
    );
    // A report for 2026, which has not ended: refused.
    let (s, e) = api(
        &app,
        "PUT",
        &format!("/api/v1/recognitions/{rec}/annual-reports/2026"),
        Some(report(2026)),
        &county,
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(e["message"].as_str().unwrap().contains("尚未结束"), "{e}");
    // Without the CSRF header: 403.
    let req = Request::put(format!("/api/v1/recognitions/{rec}/annual-reports/2025"))
        .header(header::COOKIE, &county.cookie)
        .body(Body::from(report(2025).to_string()))
        .unwrap();
    assert_eq!(app.send(req).await.status, StatusCode::FORBIDDEN);

    // A valid one through the page, submitted; the province returns it, then accepts.
    let text = report(2025).to_string();
    let r = app
        .post_form(
            &format!("{page}/reports/2025"),
            &[("csrf", &county.csrf), ("content", &text)],
            Some(&county.cookie),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = app
        .post_form(
            &format!("{page}/reports/2025/submit"),
            &[("csrf", &county.csrf)],
            Some(&county.cookie),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = app
        .post_form(
            &format!("{page}/reports/2025/review"),
            &[
                ("csrf", &zhejiang.csrf),
                ("decision", "return"),
                ("comment", ""),
            ],
            Some(&zhejiang.cookie),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("退回意见"), "{}", r.body);
    // The county cannot review its own report.
    let (s, _) = api(
        &app,
        "POST",
        &format!("/api/v1/recognitions/{rec}/annual-reports/2025/review"),
        Some(json!({"accept": true})),
        &county,
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, d) = api(
        &app,
        "POST",
        &format!("/api/v1/recognitions/{rec}/annual-reports/2025/review"),
        Some(json!({"accept": true, "comment": "同意报部"})),
        &zhejiang,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(d["annual_reports"][1]["report"]["status"], "accepted");
    assert_eq!(d["annual_reports"][1]["report"]["late"], false);

    // A change reported by the county (page form), one discovered by the province (API).
    let r = app
        .post_form(
            &format!("{page}/changes"),
            &[
                ("csrf", &county.csrf),
                ("kind", "operator"),
                ("after_value", "义乌市产业集群发展服务中心"),
                ("effective_date", "2026-02-01"),
                ("description", "机构改革"),
            ],
            Some(&county.cookie),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = app
        .post_form(
            &format!("{page}/changes"),
            &[
                ("csrf", &county.csrf),
                ("kind", "operator"),
                ("after_value", "x"),
                ("effective_date", "2026-02-30"),
            ],
            Some(&county.cookie),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("effective_date"), "{}", r.body);
    let (s, d) = api(
        &app,
        "POST",
        &format!("/api/v1/recognitions/{rec}/changes"),
        Some(json!({"kind": "spatial_scope", "after_value": "扩至苏溪镇", "effective_date": "2025-10-01",
                    "description": "抽查发现"})),
        &zhejiang,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(d["changes"].as_array().map(Vec::len), Some(2));
    assert_eq!(d["cases"][0]["ground"], "R4");

    // A major data-security incident recorded by the ministry opens an R5 candidate, which
    // the ministry decides to revoke.
    let (s, d) = api(
        &app,
        "POST",
        &format!("/api/v1/recognitions/{rec}/incidents"),
        Some(
            json!({"kind": "data", "level": "major", "occurred_on": "2026-01-10",
                    "source": "国家网信办通报", "description": "重大数据泄露事件"}),
        ),
        &miit,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    let r5 = d["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["ground"] == "R5")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    // The province gives its opinion on the page; the ministry decides without a reason: refused.
    let r = app
        .post_form(
            &format!("/cases/{r5}/opinion"),
            &[("csrf", &zhejiang.csrf), ("opinion", "情况属实")],
            Some(&zhejiang.cookie),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = app
        .post_form(
            &format!("/cases/{r5}/decide"),
            &[
                ("csrf", &miit.csrf),
                ("decision", "revoke"),
                ("reason", " "),
            ],
            Some(&miit.cookie),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("决定理由"));
    assert_eq!(
        app.get(&format!("/cases/{r5}"), Some(&ningbo.cookie))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let (s, c) = api(
        &app,
        "POST",
        &format!("/api/v1/cases/{r5}/decide"),
        Some(json!({"revoke": true, "reason": "发生重大数据安全事件（第十七条（五））"})),
        &miit,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{c}");
    assert_eq!(c["status"], "revoked");

    // Public: the revocation list, without login.
    let r = app.get("/revoked", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body.contains("义乌市测试产业集群") && r.body.contains("第十七条（五）"),
        "{}",
        r.body
    );
    let r = app.get("/api/v1/revoked", None).await;
    assert!(r.body.contains("\"ground\":\"R5\""), "{}", r.body);
    let v: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(
        (v["total"].as_i64(), v["items"][0]["ground"].as_str()),
        (Some(1), Some("R5"))
    );
    let r = app.get("/api/v1/revoked?province=330200", None).await;
    let v: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(
        (v["total"].as_i64(), v["items"].as_array().map(Vec::len)),
        (Some(0), Some(0))
    );
    let r = app.get("/api/v1/revoked?province=330782", None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // The recognition page shows it, and the timeline has every step.
    let r = app.get(&page, Some(&zhejiang.cookie)).await;
    assert!(r.body.contains("已撤销"));
    let (_, d) = api(
        &app,
        "GET",
        &format!("/api/v1/recognitions/{rec}"),
        None,
        &miit,
    )
    .await;
    assert!(d["timeline"].as_array().unwrap().len() >= 6, "{d}");
}
crate::both!(reports_changes_incidents_and_revocation);

async fn annual_report_by_excel(app: TestApp) {
    let (yiwu, _, _) = crate::seed(&app).await;
    let rec = recognise(&app, yiwu).await;
    let county = app.login("yiwu").await;
    // The pre-filled workbook downloads.
    let r = app
        .get(
            &format!("/recognitions/{rec}/reports/2025/template.xlsx"),
            Some(&county.cookie),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .contains("spreadsheetml"),
        "{:?}",
        r.headers
    );
    // A filled workbook uploads and saves the same report as the JSON path.
    let book = jiqun_xlsx::export_annual(&report(2025)).unwrap();
    let path = format!("/recognitions/{rec}/reports/2025");
    let r = crate::county_province::post_multipart(
        &app,
        &path,
        &county,
        &[("csrf", &county.csrf)],
        &[("file", "2025年度培育情况.xlsx", &book)],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let (_, d) = api(
        &app,
        "GET",
        &format!("/api/v1/recognitions/{rec}"),
        None,
        &county,
    )
    .await;
    assert_eq!(d["annual_reports"][1]["report"]["status"], "draft", "{d}");
    assert_eq!(
        d["annual_reports"][1]["report"]["content"]["work_done"],
        "召开产业链对接会"
    );
    // A zip that is not a workbook: the reason, and nothing changed.
    let mut not_xlsx = b"PK\x03\x04".to_vec();
    not_xlsx.extend_from_slice(&[0u8; 64]);
    let r = crate::county_province::post_multipart(
        &app,
        &path,
        &county,
        &[("csrf", &county.csrf)],
        &[("file", "broken.xlsx", &not_xlsx)],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("broken.xlsx"), "{}", r.body);
    let (_, after) = api(
        &app,
        "GET",
        &format!("/api/v1/recognitions/{rec}"),
        None,
        &county,
    )
    .await;
    assert_eq!(
        after["annual_reports"][1]["report"]["content"],
        d["annual_reports"][1]["report"]["content"]
    );
}
crate::both!(annual_report_by_excel);

async fn incident_files_are_kept_and_scoped(app: TestApp) {
    let (yiwu, _, _) = crate::seed(&app).await;
    let rec = recognise(&app, yiwu).await;
    let zhejiang = app.login("zhejiang").await;
    let ningbo = app.login("ningbo").await;
    let path = format!("/recognitions/{rec}/incidents");
    let fields = [
        ("csrf", zhejiang.csrf.as_str()),
        ("kind", "environment"),
        ("level", "larger"),
        ("occurred_on", "2026-01-05"),
        ("source", "生态环境局通报"),
        ("description", "较大环境污染事故"),
    ];
    // A file that is not what its name says refuses the whole step.
    let r = crate::county_province::post_multipart(
        &app,
        &path,
        &zhejiang,
        &fields,
        &[("files", "通报.pdf", b"MZ\x90\x00 not a pdf")],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let (_, d) = api(
        &app,
        "GET",
        &format!("/api/v1/recognitions/{rec}"),
        None,
        &zhejiang,
    )
    .await;
    assert_eq!(d["incidents"].as_array().map(Vec::len), Some(0), "{d}");
    // A real PDF is kept with the incident (which opens an R5 candidate).
    let pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";
    let r = crate::county_province::post_multipart(
        &app,
        &path,
        &zhejiang,
        &fields,
        &[("files", "通报.pdf", pdf)],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app
        .get(&format!("/recognitions/{rec}"), Some(&zhejiang.cookie))
        .await;
    let link = page
        .body
        .split("href=\"")
        .find(|s| s.starts_with(&format!("/recognitions/{rec}/files/")))
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    let r = app.get(&link, Some(&zhejiang.cookie)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.starts_with("%PDF-1.4"));
    assert_eq!(
        app.get(&link, Some(&ningbo.cookie)).await.status,
        StatusCode::NOT_FOUND
    );
    let (_, d) = api(
        &app,
        "GET",
        &format!("/api/v1/recognitions/{rec}"),
        None,
        &zhejiang,
    )
    .await;
    assert_eq!(d["cases"][0]["ground"], "R5");
}
crate::both!(incident_files_are_kept_and_scoped);
