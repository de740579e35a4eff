//! A county bureau creates a cluster through the pages (issue 4 item 2), then its
//! application; everyone else is refused. On SQLite and PostgreSQL.

use crate::support::*;
use axum::http::StatusCode;
use jiqun_store::clusters::{self, Cluster, Tier};
use jiqun_store::{Scope, audit};

fn form<'a>(
    csrf: &'a str,
    name: &'a str,
    industry: &'a str,
    codes: &'a str,
    area: &'a str,
) -> [(&'a str, &'a str); 5] {
    [
        ("csrf", csrf),
        ("name", name),
        ("leading_industry", industry),
        ("industry_codes", codes),
        ("area_km2", area),
    ]
}

async fn all_clusters(app: &TestApp) -> Vec<Cluster> {
    let mut conn = app.db.acquire().await.unwrap();
    clusters::list(&mut conn, &Scope::National).await.unwrap()
}

async fn audit_events(app: &TestApp) -> i64 {
    let v = audit::verify(&app.db).await.unwrap();
    assert!(v.broken.is_none(), "{v:?}");
    v.events
}

fn created_id(r: &Resp) -> i64 {
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let loc = r.location().unwrap();
    let rest = loc.strip_prefix("/clusters/").unwrap();
    assert!(rest.ends_with("?done=created"), "{loc}");
    rest.trim_end_matches("?done=created").parse().unwrap()
}

async fn county_creates_a_cluster_in_its_own_county(app: TestApp) {
    crate::seed(&app).await;
    let county = app.login("yiwu").await;

    // The list links to the form; the form says where the cluster will be.
    let list = app.get("/clusters", Some(&county.cookie)).await;
    assert!(
        list.body.contains("href=\"/clusters/new\""),
        "{}",
        list.body
    );
    let page = app.get("/clusters/new", Some(&county.cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("新建集群") && page.body.contains("name=\"industry_codes\""));
    assert!(page.body.contains("浙江省金华市义乌市"), "{}", page.body);
    assert!(page.body.contains("浙江省"));

    let events = audit_events(&app).await;
    let r = app
        .post_form(
            "/clusters",
            &form(
                &county.csrf,
                "  义乌市小商品产业集群 ",
                "小商品",
                "c2431、C2432，4119 , C2431",
                "086.50",
            ),
            Some(&county.cookie),
        )
        .await;
    let id = created_id(&r);
    let c = all_clusters(&app)
        .await
        .into_iter()
        .find(|c| c.id == id)
        .unwrap();
    assert_eq!(c.name, "义乌市小商品产业集群");
    assert_eq!(c.county_code, "330782");
    assert_eq!(c.authority_code, "330000");
    assert_eq!(c.leading_industry, "小商品");
    assert_eq!(c.industry_codes, ["C2431", "C2432", "C4119"]);
    assert_eq!(c.area_km2.as_deref(), Some("86.5"));
    assert_eq!(c.tier, Tier::Candidate);

    // One audit event, in the chain, naming the actor and the new cluster.
    assert_eq!(audit_events(&app).await, events + 1);
    let mut conn = app.db.acquire().await.unwrap();
    let evs = audit::for_object(&mut conn, "cluster", &id.to_string())
        .await
        .unwrap();
    drop(conn);
    assert_eq!(evs.len(), 1, "{evs:?}");
    let ev = &evs[0];
    assert_eq!(
        (
            ev.action.as_str(),
            ev.object_type.as_str(),
            ev.object_id.as_str()
        ),
        ("create_cluster", "cluster", id.to_string().as_str())
    );
    assert_eq!(
        (ev.actor.as_str(), ev.actor_org.as_str()),
        ("yiwu", "330782")
    );
    assert_eq!(ev.after_state.as_deref(), Some("candidate"));
    assert!(ev.detail.contains("义乌市小商品产业集群"));

    // The county sees it; the cluster page opens; the province sees it too.
    let shown = app
        .get(&format!("/clusters/{id}"), Some(&county.cookie))
        .await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(shown.body.contains("C2431、C2432、C4119") && shown.body.contains("未入库"));
    let province = app.login("zhejiang").await;
    let list = app.get("/clusters", Some(&province.cookie)).await;
    assert!(list.body.contains("义乌市小商品产业集群"));
    assert!(!list.body.contains("href=\"/clusters/new\""));

    // Area is optional.
    let r = app
        .post_form(
            "/clusters",
            &form(&county.csrf, "义乌市饰品产业集群", "饰品", "C2438", ""),
            Some(&county.cookie),
        )
        .await;
    let id = created_id(&r);
    let c = all_clusters(&app)
        .await
        .into_iter()
        .find(|c| c.id == id)
        .unwrap();
    assert_eq!(c.area_km2, None);
}
crate::both!(county_creates_a_cluster_in_its_own_county);

/// 宁海 answers to 宁波 (计划单列市), not to 浙江: the new cluster is 宁波's.
async fn a_plan_city_county_creates_under_the_plan_city(app: TestApp) {
    crate::seed(&app).await;
    let county = app.login("ninghai").await;
    let page = app.get("/clusters/new", Some(&county.cookie)).await;
    assert!(page.body.contains("宁波市"), "{}", page.body);
    let r = app
        .post_form(
            "/clusters",
            &form(&county.csrf, "宁海县文具产业集群", "文具", "C2411", "12"),
            Some(&county.cookie),
        )
        .await;
    let id = created_id(&r);
    let c = all_clusters(&app)
        .await
        .into_iter()
        .find(|c| c.id == id)
        .unwrap();
    assert_eq!(
        (c.county_code.as_str(), c.authority_code.as_str()),
        ("330226", "330200")
    );
    let ningbo = app.login("ningbo").await;
    assert_eq!(
        app.get(&format!("/clusters/{id}"), Some(&ningbo.cookie))
            .await
            .status,
        StatusCode::OK
    );
    let zhejiang = app.login("zhejiang").await;
    assert_eq!(
        app.get(&format!("/clusters/{id}"), Some(&zhejiang.cookie))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}
crate::both!(a_plan_city_county_creates_under_the_plan_city);

async fn bad_input_is_shown_again_with_every_problem_by_field(app: TestApp) {
    crate::seed(&app).await;
    let county = app.login("yiwu").await;
    let before = all_clusters(&app).await;
    let events = audit_events(&app).await;

    let r = app
        .post_form(
            "/clusters",
            &form(&county.csrf, "   ", "", "C3321、Z12、C01、abc", "-3"),
            Some(&county.cookie),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("集群未创建"), "{}", r.body);
    for expected in [
        "<strong>集群名称</strong>：请填写集群名称。",
        "<strong>主导产业</strong>：请填写主导产业。",
        "<strong>国民经济行业代码</strong>：国民经济行业门类「Z」不存在",
        "大类01属于门类A",
        "国民经济行业代码「abc」格式不对",
        "<strong>占地面积</strong>：「-3」为负数",
    ] {
        assert!(
            r.body.contains(expected),
            "«{expected}» missing in {}",
            r.body
        );
    }
    // The input comes back for correction.
    assert!(
        r.body.contains("value=\"C3321、Z12、C01、abc\""),
        "{}",
        r.body
    );
    assert!(r.body.contains("value=\"-3\""));
    assert!(r.body.contains("aria-invalid=\"true\""));

    let r = app
        .post_form(
            "/clusters",
            &form(&county.csrf, "义乌市袜业集群", "袜业", "", "很大"),
            Some(&county.cookie),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("请至少填写一个国民经济行业代码"));
    assert!(r.body.contains("「很大」不是有效的数值"));
    assert!(r.body.contains("value=\"义乌市袜业集群\"") && r.body.contains("value=\"袜业\""));

    let long = "集".repeat(101);
    let r = app
        .post_form(
            "/clusters",
            &form(&county.csrf, &long, "袜业", "C1761", ""),
            Some(&county.cookie),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("集群名称不能超过 100 个字"));

    assert_eq!(all_clusters(&app).await, before);
    assert_eq!(audit_events(&app).await, events);
}
crate::both!(bad_input_is_shown_again_with_every_problem_by_field);

async fn a_duplicate_name_in_the_county_is_refused_clearly(app: TestApp) {
    crate::seed(&app).await;
    let county = app.login("yiwu").await;
    let before = all_clusters(&app).await;
    let events = audit_events(&app).await;
    let r = app
        .post_form(
            "/clusters",
            &form(&county.csrf, "义乌市测试产业集群", "测试产业", "C38", ""),
            Some(&county.cookie),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains(
            "本县（浙江省金华市义乌市（330782））已有名为「义乌市测试产业集群」的集群，不能重复新建"
        ),
        "{}",
        r.body
    );
    assert!(r.body.contains("value=\"义乌市测试产业集群\""));
    assert_eq!(all_clusters(&app).await, before);
    assert_eq!(audit_events(&app).await, events);

    // The same name in another county is another cluster.
    let other = app.login("ninghai").await;
    let r = app
        .post_form(
            "/clusters",
            &form(&other.csrf, "义乌市测试产业集群", "测试产业", "C38", ""),
            Some(&other.cookie),
        )
        .await;
    created_id(&r);
    assert_eq!(all_clusters(&app).await.len(), before.len() + 1);
}
crate::both!(a_duplicate_name_in_the_county_is_refused_clearly);

async fn only_county_bureaus_create_clusters(app: TestApp) {
    crate::seed(&app).await;
    let before = all_clusters(&app).await;
    for who in ["zhejiang", "ningbo", "miit"] {
        let b = app.login(who).await;
        let page = app.get("/clusters/new", Some(&b.cookie)).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{who}");
        assert!(page.body.contains("只有县级中小企业主管部门可以新建集群"));
        let r = app
            .post_form(
                "/clusters",
                &form(&b.csrf, "某某产业集群", "某产业", "C38", ""),
                Some(&b.cookie),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{who}: {}", r.body);
    }
    // A county without the form's CSRF token, and nobody logged in.
    let county = app.login("yiwu").await;
    let r = app
        .post_form(
            "/clusters",
            &form("forged", "某某产业集群", "某产业", "C38", ""),
            Some(&county.cookie),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("CSRF"));
    assert_eq!(
        app.get("/clusters/new", None).await.location(),
        Some("/login")
    );
    let r = app
        .post_form(
            "/clusters",
            &form("x", "某某产业集群", "某产业", "C38", ""),
            None,
        )
        .await;
    assert_eq!(r.location(), Some("/login"));
    assert_eq!(all_clusters(&app).await, before);
}
crate::both!(only_county_bureaus_create_clusters);

/// Issue 4 item 2 end to end: the county creates the cluster, then its application.
async fn a_new_cluster_can_be_declared_at_once(app: TestApp) {
    crate::seed(&app).await;
    let batch = open_2022_batch(&app).await;
    let county = app.login("yiwu").await;
    let id = created_id(
        &app.post_form(
            "/clusters",
            &form(&county.csrf, "义乌市小商品产业集群", "小商品", "C2431", ""),
            Some(&county.cookie),
        )
        .await,
    );
    let list = app.get("/applications", Some(&county.cookie)).await;
    assert!(
        list.body.contains(&format!(
            "<option value=\"{id}\">义乌市小商品产业集群</option>"
        )),
        "{}",
        list.body
    );
    let r = app
        .post_form(
            "/applications",
            &[
                ("csrf", &county.csrf),
                ("cluster_id", &id.to_string()),
                ("batch_id", &batch.to_string()),
            ],
            Some(&county.cookie),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let edit = app.get(r.location().unwrap(), Some(&county.cookie)).await;
    assert_eq!(edit.status, StatusCode::OK);
    assert!(edit.body.contains("义乌市小商品产业集群") && edit.body.contains("C2431"));
}
crate::both!(a_new_cluster_can_be_declared_at_once);
