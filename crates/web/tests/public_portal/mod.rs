//! The public portal and open data (SPEC §7), no login: the national list by batch with
//! province and industry filters, a recognised cluster's profile, and
//! `/open-data/clusters.csv` / `.json`; a revoked recognition shows as 已撤销.

use crate::support::*;
use axum::http::{StatusCode, header};
use jiqun_store::applications::{self, Actor};
use jiqun_store::clusters::{self, NewCluster, Tier};
use jiqun_store::{Scope, orgs, recognitions, users};

async fn actor(app: &TestApp, username: &str, scope: Scope) -> Actor {
    let mut conn = app.db.acquire().await.unwrap();
    let u = users::by_username(&mut conn, username)
        .await
        .unwrap()
        .unwrap();
    let o = orgs::by_id(&mut conn, u.org_id).await.unwrap().unwrap();
    Actor {
        user_id: u.id,
        username: u.username.clone(),
        org_id: o.id,
        org_code: o.code.clone(),
        roles: u.roles.clone(),
        scope,
    }
}

struct World {
    yongkang_cluster: i64,
    ninghai_cluster: i64,
    unrecognised_cluster: i64,
    batch_id: i64,
}

/// 永康 (浙江, industry C38) recognised via the workflow's application, and a 宁海 (宁波)
/// software cluster (I65) recognised as history; 义乌's cluster never applied.
async fn world(app: &TestApp) -> World {
    let yongkang_app = crate::tokens::submitted_application(app).await;
    let mut conn = app.db.acquire().await.unwrap();
    let a = applications::get(&mut conn, &Scope::National, yongkang_app)
        .await
        .unwrap()
        .unwrap();
    let ninghai_cluster = clusters::insert(
        &mut conn,
        &NewCluster {
            name: "宁海县软件和信息服务产业集群",
            county_code: "330226",
            authority_code: "330200",
            leading_industry: "软件和信息技术服务",
            industry_codes: &["I65".to_string()],
            area_km2: None,
            tier: Tier::Provincial,
        },
        app.clock.now_utc(),
    )
    .await
    .unwrap()
    .id;
    let county = actor(app, "ninghai", Scope::County("330226".into())).await;
    let ninghai_app = applications::create(
        &mut conn,
        &county,
        ninghai_cluster,
        a.batch_id,
        "{}",
        app.clock.now_utc(),
    )
    .await
    .unwrap();
    drop(conn);
    let miit = actor(app, "miit", Scope::National).await;
    let from = chrono::NaiveDate::from_ymd_opt(2022, 11, 1).unwrap();
    let mut conn = app.db.acquire().await.unwrap();
    for id in [yongkang_app, ninghai_app.id] {
        recognitions::import_historical(&mut conn, &miit, id, from, app.clock.now_utc())
            .await
            .unwrap();
    }
    let unrecognised_cluster = clusters::list(&mut conn, &Scope::National)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.county_code == "330782")
        .unwrap()
        .id;
    World {
        yongkang_cluster: a.cluster_id,
        ninghai_cluster,
        unrecognised_cluster,
        batch_id: a.batch_id,
    }
}

async fn public_list_profile_and_open_data(app: TestApp) {
    let w = world(&app).await;

    // The national list, no login, with links to the profiles.
    let r = app.get("/recognized", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body.contains("永康市五金产业集群") && r.body.contains("宁海县软件和信息服务产业集群")
    );
    assert!(
        r.body
            .contains(&format!("/public/clusters/{}", w.yongkang_cluster))
    );
    // Filters as GET parameters.
    let r = app.get("/recognized?province=330200", None).await;
    assert!(
        r.body.contains("宁海县软件") && !r.body.contains("永康市五金"),
        "{}",
        r.body
    );
    let r = app.get("/recognized?industry=c", None).await;
    assert!(!r.body.contains("宁海县软件") && r.body.contains("永康市五金"));
    let r = app
        .get(
            &format!("/batches/{}/recognized?industry=I", w.batch_id),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("宁海县软件") && !r.body.contains("永康市五金"));
    let r = app
        .get("/recognized?province=330000&industry=I", None)
        .await;
    assert!(r.body.contains("没有符合筛选条件的集群"));
    let r = app.get("/recognized?industry=12", None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("行业参数"));

    // The profile of a recognised cluster; none for others.
    let r = app
        .get(&format!("/public/clusters/{}", w.yongkang_cluster), None)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    for s in [
        "永康市五金产业集群",
        "永康市",
        "测试产业",
        "2022年度中小企业特色产业集群",
        "2022-11-01",
        "2025-",
        "有效",
    ] {
        assert!(r.body.contains(s), "«{s}» missing: {}", r.body);
    }
    assert!(!r.body.contains("已撤销</strong>"));
    let r = app
        .get(
            &format!("/public/clusters/{}", w.unrecognised_cluster),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.get("/public/clusters/abc", None).await.status,
        StatusCode::NOT_FOUND
    );

    // Open data: CSV with BOM and the documented columns, and JSON.
    let r = app.get("/open-data/clusters.csv", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.headers
            .get(header::CONTENT_TYPE)
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert!(
        r.body.starts_with("\u{feff}认定编号,批次编号,批次名称,"),
        "{}",
        r.body
    );
    let lines: Vec<&str> = r.body.trim_end().split("\r\n").collect();
    assert_eq!(lines.len(), 3, "{}", r.body);
    assert_eq!(lines[0].split(',').count(), 18);
    let r = app
        .get("/open-data/clusters.json?province=330200", None)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let j: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(j["count"], 1);
    assert_eq!(j["columns"].as_array().unwrap().len(), 18);
    let c = &j["clusters"][0];
    assert_eq!(c["cluster_id"], w.ninghai_cluster);
    assert_eq!(c["province_code"], "330200");
    assert_eq!(c["industry_sections"][0], "I");
    assert_eq!(c["status"], "active");
    assert_eq!(c["status_name"], "有效");
    assert_eq!(c["valid_from"], "2022-11-01");

    // A revoked recognition stays listed, as 已撤销 (the status of the recognitions table).
    let mut conn = app.db.acquire().await.unwrap();
    sqlx::query("UPDATE recognitions SET status = 'revoked' WHERE cluster_id = $1")
        .bind(w.yongkang_cluster)
        .execute(&mut *conn)
        .await
        .unwrap();
    drop(conn);
    let r = app
        .get(&format!("/public/clusters/{}", w.yongkang_cluster), None)
        .await;
    assert!(r.body.contains("<strong>已撤销</strong>"), "{}", r.body);
    let r = app.get("/recognized", None).await;
    assert!(r.body.contains("已撤销"));
    let r = app.get("/open-data/clusters.csv?industry=C", None).await;
    let lines: Vec<&str> = r.body.trim_end().split("\r\n").collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[1].ends_with(",revoked,已撤销"), "{}", lines[1]);
}
crate::both!(public_list_profile_and_open_data);
