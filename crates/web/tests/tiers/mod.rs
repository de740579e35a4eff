//! Provincial tiers pages (crates/web/src/tiers.rs), on SQLite and PostgreSQL: a county
//! proposes, the province accepts and records the provincial recognition, the history
//! shows it; another province gets 404; CSRF and reasons are required.

use crate::support::*;
use axum::http::StatusCode;
use jiqun_domain::role::Role;
use jiqun_store::Scope;
use jiqun_store::clusters::{NewCluster, Tier};

fn see_other(r: &Resp) {
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
}

async fn library_propose_accept_recognise_and_history(app: TestApp) {
    crate::seed(&app).await;
    let id = insert_cluster(
        &app,
        &NewCluster {
            name: "义乌市饰品产业集群",
            county_code: "330782",
            authority_code: "330000",
            leading_industry: "饰品",
            industry_codes: &["C2438".to_string()],
            area_km2: None,
            tier: Tier::Candidate,
        },
    )
    .await;

    let county = app.login("yiwu").await;
    let page = app.get("/library/propose", Some(&county.cookie)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("义乌市饰品产业集群"));
    let ids = id.to_string();
    // Reasons are required, and so is CSRF.
    let r = app
        .post_form(
            "/library/propose",
            &[
                ("csrf", &county.csrf),
                ("cluster_id", &ids),
                ("reasons", " "),
            ],
            Some(&county.cookie),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("推荐理由"), "{}", r.body);
    let r = app
        .post_form(
            "/library/propose",
            &[
                ("csrf", "forged"),
                ("cluster_id", &ids),
                ("reasons", "产值过百亿"),
            ],
            Some(&county.cookie),
        )
        .await;
    assert_ne!(r.status, StatusCode::SEE_OTHER);
    let r = app
        .post_form(
            "/library/propose",
            &[
                ("csrf", &county.csrf),
                ("cluster_id", &ids),
                ("reasons", "产值过百亿"),
            ],
            Some(&county.cookie),
        )
        .await;
    see_other(&r);

    let mut conn = app.db.acquire().await.unwrap();
    let entry = jiqun_store::tiers::list(&mut conn, &Scope::County("330782".into()))
        .await
        .unwrap()
        .remove(0);
    drop(conn);
    let eid = entry.id;

    // 宁波 (another provincial-level authority) sees nothing and can do nothing.
    let ningbo = app.login("ningbo").await;
    let r = app.get("/province/library", Some(&ningbo.cookie)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.body.contains("义乌市饰品产业集群"));
    let r = app
        .post_form(
            &format!("/province/library/{eid}/accept"),
            &[("csrf", &ningbo.csrf)],
            Some(&ningbo.cookie),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .get(&format!("/clusters/{id}/tiers"), Some(&ningbo.cookie))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // A county does not open the province's library.
    let r = app.get("/province/library", Some(&county.cookie)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let zj = app.login("zhejiang").await;
    let r = app.get("/province/library", Some(&zj.cookie)).await;
    assert!(r.body.contains("义乌市饰品产业集群") && r.body.contains("产值过百亿"));
    see_other(
        &app.post_form(
            &format!("/province/library/{eid}/accept"),
            &[("csrf", &zj.csrf)],
            Some(&zj.cookie),
        )
        .await,
    );
    let r = app
        .post_form(
            &format!("/province/library/{eid}/recognise"),
            &[
                ("csrf", &zj.csrf),
                ("on", "2026/03/02"),
                ("decision_no", "浙经信〔2026〕9号"),
            ],
            Some(&zj.cookie),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("认定日期"), "{}", r.body);
    see_other(
        &app.post_form(
            &format!("/province/library/{eid}/recognise"),
            &[
                ("csrf", &zj.csrf),
                ("on", "2026-03-02"),
                ("decision_no", "浙经信〔2026〕9号"),
            ],
            Some(&zj.cookie),
        )
        .await,
    );
    let r = app.get("/province/library", Some(&zj.cookie)).await;
    assert!(r.body.contains("浙经信〔2026〕9号"), "{}", r.body);

    // The county sees its cluster's history: library → provincial, with dates.
    let r = app
        .get(&format!("/clusters/{id}/tiers"), Some(&county.cookie))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    for text in [
        "县级推荐入库",
        "纳入省级培育库",
        "认定为省级集群",
        "浙经信〔2026〕9号",
        "2026-03-02",
    ] {
        assert!(r.body.contains(text), "{text}: {}", r.body);
    }
    assert!(
        r.body.contains("<strong id=\"tier\">省级集群</strong>"),
        "{}",
        r.body
    );
    let r = app.get("/library/propose", Some(&county.cookie)).await;
    assert!(r.body.contains("已认定为省级集群"), "{}", r.body);
}
crate::both!(library_propose_accept_recognise_and_history);

async fn withdrawal_needs_reasons(app: TestApp) {
    crate::seed(&app).await;
    app.user("yiwu2", "330782", Role::County).await;
    let id = insert_cluster(
        &app,
        &NewCluster {
            name: "义乌市袜业集群",
            county_code: "330782",
            authority_code: "330000",
            leading_industry: "袜业",
            industry_codes: &["C1830".to_string()],
            area_km2: None,
            tier: Tier::Candidate,
        },
    )
    .await;
    let county = app.login("yiwu2").await;
    see_other(
        &app.post_form(
            "/library/propose",
            &[
                ("csrf", &county.csrf),
                ("cluster_id", &id.to_string()),
                ("reasons", "基础好"),
            ],
            Some(&county.cookie),
        )
        .await,
    );
    let mut conn = app.db.acquire().await.unwrap();
    let eid = jiqun_store::tiers::list(&mut conn, &Scope::National)
        .await
        .unwrap()[0]
        .id;
    drop(conn);
    let zj = app.login("zhejiang").await;
    let path = format!("/province/library/{eid}/withdraw");
    let r = app
        .post_form(
            &path,
            &[("csrf", &zj.csrf), ("reasons", "")],
            Some(&zj.cookie),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("移出理由"), "{}", r.body);
    see_other(
        &app.post_form(
            &path,
            &[("csrf", &zj.csrf), ("reasons", "主导产业不突出")],
            Some(&zj.cookie),
        )
        .await,
    );
    let r = app.get("/province/library", Some(&zj.cookie)).await;
    assert!(r.body.contains("主导产业不突出"), "{}", r.body);
}
crate::both!(withdrawal_needs_reasons);
