//! Library figures over time (issue 8 item 1; crates/web/src/library_figures.rs), on SQLite
//! and PostgreSQL: a county files two years of annual-report figures for a cluster in the
//! library, the province sees both years against the national edition's thresholds (exact
//! boundary of C1.output: 400000 万元 passes 「以上」, 399999 fails), an Excel filing
//! replaces a year; a cluster not in the library is refused (409), another province gets
//! 404, a bad document names its path and changes nothing.

use crate::support::*;
use axum::http::StatusCode;
use jiqun_store::Scope;
use jiqun_store::clusters::{NewCluster, Tier};
use jiqun_store::library_figures;
use serde_json::{Value, json};

fn see_other(r: &Resp) {
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
}

/// An annual report of `year` whose eight enterprises' outputs of `year` sum to `total`
/// (seven at 50000 万元, the eighth the rest): C1.output's latest-year value is `total`.
fn report_with_output(year: i32, total: i64) -> Value {
    let mut doc = crate::dynamic::report(year);
    let ents = doc["declaration"]["enterprises"].as_array_mut().unwrap();
    assert_eq!(ents.len(), 8);
    for (i, e) in ents.iter_mut().enumerate() {
        let v = if i < 7 { 50000 } else { total - 7 * 50000 };
        e["figures"][year.to_string()]["output_value"] = json!(v);
    }
    doc
}

async fn new_cluster(app: &TestApp, name: &str) -> i64 {
    insert_cluster(
        app,
        &NewCluster {
            name,
            county_code: "330782",
            authority_code: "330000",
            leading_industry: "小商品",
            industry_codes: &["C2438".to_string()],
            area_km2: None,
            tier: Tier::Candidate,
        },
    )
    .await
}

async fn count(app: &TestApp, sql: &'static str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sql).fetch_one(app.db.pool()).await.unwrap();
    n
}

async fn file_json(app: &TestApp, b: &Browser, eid: i64, doc: &Value) -> Resp {
    let text = doc.to_string();
    app.post_form(
        &format!("/library/{eid}/figures"),
        &[("csrf", &b.csrf), ("content", &text)],
        Some(&b.cookie),
    )
    .await
}

async fn library_figures_over_time(app: TestApp) {
    crate::seed(&app).await;
    let in_lib = new_cluster(&app, "义乌市小商品产业集群").await;
    let only_proposed = new_cluster(&app, "义乌市袜业产业集群").await;
    let county = app.login("yiwu").await;
    for id in [in_lib, only_proposed] {
        see_other(
            &app.post_form(
                "/library/propose",
                &[
                    ("csrf", &county.csrf),
                    ("cluster_id", &id.to_string()),
                    ("reasons", "产值增长快，隐形冠军多"),
                ],
                Some(&county.cookie),
            )
            .await,
        );
    }
    let mut conn = app.db.acquire().await.unwrap();
    let entries = jiqun_store::tiers::list(&mut conn, &Scope::County("330782".into()))
        .await
        .unwrap();
    drop(conn);
    let eid = entries.iter().find(|e| e.cluster_id == in_lib).unwrap().id;
    let proposed = entries
        .iter()
        .find(|e| e.cluster_id == only_proposed)
        .unwrap()
        .id;
    let zj = app.login("zhejiang").await;
    see_other(
        &app.post_form(
            &format!("/province/library/{eid}/accept"),
            &[("csrf", &zj.csrf)],
            Some(&zj.cookie),
        )
        .await,
    );

    // Two years: 2024 at exactly 400000 万元 (passes 「以上」), 2025 at 399999 (fails).
    see_other(&file_json(&app, &county, eid, &report_with_output(2024, 400_000)).await);
    see_other(&file_json(&app, &county, eid, &report_with_output(2025, 399_999)).await);

    let mut conn = app.db.acquire().await.unwrap();
    let (_, f) = library_figures::figures(&mut conn, &Scope::Authority("330000".into()), eid)
        .await
        .unwrap()
        .unwrap();
    drop(conn);
    assert_eq!(f.edition, "2022");
    assert_eq!(
        f.years.iter().map(|y| y.year).collect::<Vec<_>>(),
        vec![2024, 2025]
    );
    let out = f.indicators.iter().position(|i| i.key == "output").unwrap();
    assert_eq!(f.indicators[out].threshold, Some(400_000.0));
    let v2024 = f.years[0].values[out].unwrap();
    let v2025 = f.years[1].values[out].unwrap();
    assert_eq!((v2024.value, v2024.passes), (400_000.0, Some(true)));
    assert_eq!((v2025.value, v2025.passes), (399_999.0, Some(false)));
    assert_eq!(
        f.series("output"),
        vec![(2024, 400_000.0), (2025, 399_999.0)]
    );

    // The province's library page shows both years, the verdicts and the trend charts.
    let page = app.get("/province/library", Some(&zj.cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    for s in [
        "2024年度",
        "2025年度",
        "400000",
        "399999",
        "未达标",
        "<svg",
        "国家级认定标准 2022 版",
    ] {
        assert!(page.body.contains(s), "{s} missing from the library page");
    }
    // The county's own view of the entry, with the filing form.
    let page = app
        .get(&format!("/library/{eid}/figures"), Some(&county.cookie))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("399999") && page.body.contains("填报年度数据"));
    let page = app.get("/library/propose", Some(&county.cookie)).await;
    assert!(page.body.contains("2025年度") && page.body.contains("399999"));
    let r = app
        .get(
            &format!("/library/{eid}/figures/template.xlsx"),
            Some(&county.cookie),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);

    // A filing of 2025 by Excel (the annual report's workbook) replaces that year.
    let book = jiqun_xlsx::export_annual(&report_with_output(2025, 400_000)).unwrap();
    let r = crate::county_province::post_multipart(
        &app,
        &format!("/library/{eid}/figures"),
        &county,
        &[("csrf", &county.csrf)],
        &[("file", "2025年度数据.xlsx", &book)],
    )
    .await;
    see_other(&r);
    let mut conn = app.db.acquire().await.unwrap();
    let (_, f) = library_figures::figures(&mut conn, &Scope::County("330782".into()), eid)
        .await
        .unwrap()
        .unwrap();
    drop(conn);
    assert_eq!(f.years.len(), 2);
    let v2025 = f.years[1].values[out].unwrap();
    assert_eq!((v2025.value, v2025.passes), (400_000.0, Some(true)));
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM audit_events WHERE action = 'library_report'"
        )
        .await,
        3
    );

    // A bad document (one wrong field): 422 naming its path, nothing changes.
    let reports = "SELECT COUNT(*) FROM library_reports";
    let values = "SELECT COUNT(*) FROM library_indicator_values";
    let audits = "SELECT COUNT(*) FROM audit_events";
    let before = (
        count(&app, reports).await,
        count(&app, values).await,
        count(&app, audits).await,
    );
    let mut bad = report_with_output(2024, 400_000);
    bad["declaration"]["enterprises"][2]["figures"]["2024"]["output_value"] = json!(-1);
    let r = file_json(&app, &county, eid, &bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body
            .contains("declaration.enterprises[2].figures.2024.output_value：不能为负数"),
        "{}",
        r.body
    );
    assert!(r.body.contains("未保存"), "{}", r.body);
    let after = (
        count(&app, reports).await,
        count(&app, values).await,
        count(&app, audits).await,
    );
    assert_eq!(before, after);
    let mut conn = app.db.acquire().await.unwrap();
    let (_, f2) = library_figures::figures(&mut conn, &Scope::County("330782".into()), eid)
        .await
        .unwrap()
        .unwrap();
    drop(conn);
    assert_eq!(f2, f);

    // Figures of another county's cluster are refused naming the field.
    let mut other = report_with_output(2024, 400_000);
    other["declaration"]["cluster"]["county_code"] = json!("330784");
    let r = file_json(&app, &county, eid, &other).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(
        r.body.contains("declaration.cluster.county_code"),
        "{}",
        r.body
    );
    assert_eq!(
        before,
        (
            count(&app, reports).await,
            count(&app, values).await,
            count(&app, audits).await
        )
    );

    // A cluster not in the library (proposed, not yet accepted) is refused, naming why.
    let r = file_json(&app, &county, proposed, &report_with_output(2024, 400_000)).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(
        r.body.contains("不在省级集群培育库中") && r.body.contains("县级推荐，待省级入库"),
        "{}",
        r.body
    );
    assert_eq!(count(&app, reports).await, 2);

    // The province does not file; another province (宁波) and its county see nothing.
    let r = file_json(&app, &zj, eid, &report_with_output(2024, 400_000)).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let nb = app.login("ningbo").await;
    let r = app
        .get(&format!("/library/{eid}/figures"), Some(&nb.cookie))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .get(&format!("/library/{eid}/figures/2024"), Some(&nb.cookie))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app.get("/province/library", Some(&nb.cookie)).await;
    assert!(!r.body.contains("义乌市小商品产业集群"));
    let ninghai = app.login("ninghai").await;
    let r = file_json(&app, &ninghai, eid, &report_with_output(2024, 400_000)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(count(&app, reports).await, 2);
    // The filed document downloads for the province.
    let r = app
        .get(&format!("/library/{eid}/figures/2024"), Some(&zj.cookie))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let v: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(v["year"], 2024);
}
crate::both!(library_figures_over_time);
