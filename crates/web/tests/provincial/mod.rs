//! Provincial batches (issue 8; docs/provincial-tiers.md), through the real router on
//! SQLite and PostgreSQL: 云南 opens its own batch with the provincial edition `yunnan`, a
//! county of 云南 applies, the province reviews, its own experts score, the province holds
//! its notice and publishes; the cluster's tier history then shows the provincial
//! recognition and `P.provincial` of a national batch passes from that record. Another
//! province sees none of it. The relaxed threshold is tested at its exact boundary, and the
//! 设区市 step at its cap.
//!
//! The two declarations are the example declaration (`examples/declaration-eligible.json`)
//! moved to 安宁市 (530181) with every money figure scaled so that the 2019 output is
//! exactly 100000 万元 (10亿元: 云南 "近三年产值≥10亿" passes, the national "40亿元以上"
//! fails), and 99999.99 万元 (fails both).

use crate::support::*;
use axum::http::StatusCode;
use jiqun_domain::criteria::{Status, parse_declaration};
use jiqun_domain::role::Role;
use jiqun_domain::workflow::AppState as WfState;
use jiqun_store::applications::{self, Application};
use jiqun_store::batches::{self, Batch, NewBatch};
use jiqun_store::clusters::{self, NewCluster, Tier};
use jiqun_store::orgs::OrgKind;
use jiqun_store::{Scope, audit, experts, users};

const BOUNDARY: &str = include_str!("yunnan-boundary.json");
const BELOW: &str = include_str!("yunnan-below.json");

fn ok(r: &Resp) {
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
}

fn refused(r: &Resp, status: StatusCode, message: &str) {
    assert_eq!(r.status, status, "{}", r.body);
    assert!(
        r.body.contains(message),
        "expected «{message}» in {}",
        r.body
    );
}

async fn expert(app: &TestApp, username: &str, home: &str) {
    let mut conn = app.db.acquire().await.unwrap();
    let org = jiqun_store::orgs::by_code(&mut conn, "EXPERTS")
        .await
        .unwrap()
        .unwrap();
    let hash = jiqun_web::auth::hash_password(PASSWORD).unwrap();
    users::insert(
        &mut conn,
        &users::NewUser {
            username,
            display_name: username,
            org_id: org.id,
            password_hash: &hash,
            home_province: Some(home),
            roles: &[Role::Expert],
        },
        app.clock.now_utc(),
    )
    .await
    .unwrap();
}

async fn cluster(app: &TestApp, name: &str, county: &str) -> i64 {
    insert_cluster(
        app,
        &NewCluster {
            name,
            county_code: county,
            authority_code: "530000",
            leading_industry: "五金工具",
            industry_codes: &["C3321".to_string()],
            area_km2: None,
            tier: Tier::Candidate,
        },
    )
    .await
}

/// 1 March 2022; the seed (MIIT, 浙江, 宁波 and their counties); 云南, its city 昆明 and
/// the county 安宁 (in 昆明) with a cluster; three 云南 experts and a 江苏 one.
async fn setup(app: &TestApp) -> i64 {
    app.clock.set(at("2022-03-01T09:00:00+08:00"));
    crate::seed(app).await;
    app.org(
        "530000",
        "云南省工业和信息化厅",
        OrgKind::Province,
        Some("530000"),
    )
    .await;
    app.org(
        "530100",
        "昆明市工业和信息化局",
        OrgKind::City,
        Some("530000"),
    )
    .await;
    app.org(
        "530181",
        "安宁市工业和信息化局",
        OrgKind::County,
        Some("530000"),
    )
    .await;
    app.user("yunnan", "530000", Role::Province).await;
    app.user("kunming", "530100", Role::City).await;
    app.user("anning", "530181", Role::County).await;
    app.org("EXPERTS", "评审专家库", OrgKind::ExpertPool, None)
        .await;
    for e in ["expert_yn1", "expert_yn2", "expert_yn3"] {
        expert(app, e, "530000").await;
    }
    expert(app, "expert_js", "320000").await;
    cluster(app, "安宁市测试产业集群", "530181").await
}

fn batch_id_of(r: &Resp) -> i64 {
    r.location()
        .unwrap()
        .trim_start_matches("/province/batches/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

async fn open_batch(app: &TestApp, city_cap: Option<&str>) -> i64 {
    let yn = app.login("yunnan").await;
    let mut form = vec![
        ("csrf", yn.csrf.as_str()),
        ("year", "2022"),
        ("title", "2022年度云南省省级中小企业特色产业集群"),
        ("edition", "yunnan"),
        ("county_deadline", "2022-04-30"),
        ("province_deadline", "2022-05-31"),
        ("notice_days", "5"),
    ];
    if let Some(cap) = city_cap {
        form.push(("city_step", "1"));
        form.push(("city_cap", cap));
    }
    let r = app
        .post_form("/province/batches", &form, Some(&yn.cookie))
        .await;
    ok(&r);
    batch_id_of(&r)
}

async fn batch(app: &TestApp, id: i64) -> Batch {
    let mut conn = app.db.acquire().await.unwrap();
    batches::get(&mut conn, id).await.unwrap().unwrap()
}

async fn application(app: &TestApp, id: i64) -> Application {
    let mut conn = app.db.acquire().await.unwrap();
    applications::get(&mut conn, &Scope::National, id)
        .await
        .unwrap()
        .unwrap()
}

async fn post(app: &TestApp, b: &Browser, path: &str, form: &[(&str, &str)]) -> Resp {
    let mut fields: Vec<(&str, &str)> = vec![("csrf", b.csrf.as_str())];
    fields.extend_from_slice(form);
    app.post_form(path, &fields, Some(&b.cookie)).await
}

/// The county creates, fills in, self-evaluates and submits; returns the application id.
async fn submitted(
    app: &TestApp,
    county: &str,
    cluster: i64,
    batch: i64,
    declaration: &str,
) -> i64 {
    let b = app.login(county).await;
    let r = post(
        app,
        &b,
        "/applications",
        &[
            ("cluster_id", &cluster.to_string()),
            ("batch_id", &batch.to_string()),
        ],
    )
    .await;
    ok(&r);
    let id: i64 = r
        .location()
        .unwrap()
        .trim_start_matches("/applications/")
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    ok(&post(
        app,
        &b,
        &format!("/applications/{id}/declaration"),
        &[("declaration", declaration)],
    )
    .await);
    ok(&post(app, &b, &format!("/applications/{id}/self-evaluation"), &[]).await);
    ok(&post(
        app,
        &b,
        &format!("/applications/{id}/transitions"),
        &[("action", "submit")],
    )
    .await);
    id
}

/// Accept, preliminary review and recommend, by `who` (the province, or the city when the
/// batch has the city step).
async fn accept_review(app: &TestApp, who: &Browser, id: i64) {
    ok(&post(
        app,
        who,
        &format!("/applications/{id}/transitions"),
        &[("action", "accept")],
    )
    .await);
    let today = app
        .clock
        .now_utc()
        .with_timezone(&jiqun_domain::clock::china_offset())
        .format("%Y-%m-%d")
        .to_string();
    ok(&post(
        app,
        who,
        &format!("/applications/{id}/reviews"),
        &[
            ("kind", "preliminary"),
            ("held_on", &today),
            ("people", "初审组 张某、李某"),
            ("findings", "材料齐全，数据与统计口径一致"),
            ("conclusion", "pass"),
        ],
    )
    .await);
}

async fn recommend(app: &TestApp, who: &Browser, id: i64) -> Resp {
    post(
        app,
        who,
        &format!("/applications/{id}/transitions"),
        &[("action", "recommend")],
    )
    .await
}

async fn user_id(app: &TestApp, username: &str) -> i64 {
    let mut conn = app.db.acquire().await.unwrap();
    users::by_username(&mut conn, username)
        .await
        .unwrap()
        .unwrap()
        .id
}

async fn score_sheet(app: &TestApp, username: &str, id: i64) {
    let expert = user_id(app, username).await;
    let a = {
        let mut conn = app.db.acquire().await.unwrap();
        experts::for_application(&mut conn, id)
            .await
            .unwrap()
            .into_iter()
            .find(|a| a.expert_user_id == expert)
            .unwrap()
            .id
    };
    let b = app.login(username).await;
    ok(&post(
        app,
        &b,
        &format!("/expert/assignments/{a}/declaration"),
        &[("confirm", "1")],
    )
    .await);
    let mut owned: Vec<(String, String)> = Vec::new();
    for c in experts::judgement_criteria("yunnan").unwrap() {
        owned.push((format!("score.{}", c.id), "82".into()));
        owned.push((format!("comment.{}", c.id), "特色鲜明，基础较好".into()));
    }
    owned.push(("recommendation".into(), "recommend".into()));
    owned.push(("recommendation_comment".into(), "建议认定为省级集群".into()));
    let fields: Vec<(&str, &str)> = owned
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    ok(&post(app, &b, &format!("/expert/assignments/{a}/scores"), &fields).await);
}

/// `P.provincial` of the cluster in a national 2022 batch, from the record.
async fn provincial_in(app: &TestApp, cluster: i64, national: &Batch) -> Status {
    let mut decl = parse_declaration(BOUNDARY).unwrap();
    decl.edition = "2022".into();
    decl.cluster.provincial_cluster = false;
    let mut conn = app.db.acquire().await.unwrap();
    let ev = jiqun_store::tiers::evaluate_with_record(&mut conn, cluster, national, &decl)
        .await
        .unwrap();
    ev.verdict("P.provincial").unwrap().status
}

/// The open 2022 national batch, provinces' deadline 2022-10-31.
async fn national_2022(app: &TestApp) -> Batch {
    insert_batch(
        app,
        &NewBatch {
            province_deadline: chrono::NaiveDate::from_ymd_opt(2022, 10, 31),
            ..national_batch(2022, "2022年度中小企业特色产业集群")
        },
    )
    .await
}

async fn a_province_runs_its_own_batch_to_provincial_recognition(app: TestApp) {
    let cluster = setup(&app).await;
    let national = national_2022(&app).await;
    // Not yet provincial: a national batch (not the first) fails P.provincial from the record.
    assert_eq!(provincial_in(&app, cluster, &national).await, Status::Fail);

    // The cluster starts in the province's cultivation library (第七条): the county proposes
    // it, the province takes it in.
    let anning = app.login("anning").await;
    let ids = cluster.to_string();
    let r = post(
        &app,
        &anning,
        "/library/propose",
        &[
            ("cluster_id", &ids),
            ("reasons", "新材料产业链完整，龙头企业带动明显"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let entry = {
        let mut conn = app.db.acquire().await.unwrap();
        jiqun_store::tiers::for_cluster(&mut conn, &Scope::National, cluster)
            .await
            .unwrap()
            .remove(0)
    };
    let yn = app.login("yunnan").await;
    let r = post(
        &app,
        &yn,
        &format!("/province/library/{}/accept", entry.id),
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    // The form refuses a national edition and names the field; nothing is created.
    let yn = app.login("yunnan").await;
    let page = app.get("/province/batches", Some(&yn.cookie)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body
            .contains("云南省中小企业特色产业集群认定标准（省级）")
    );
    let r = post(
        &app,
        &yn,
        "/province/batches",
        &[
            ("year", "2022"),
            ("title", "2022年度云南省省级集群"),
            ("edition", "2022"),
            ("notice_days", "5"),
            ("city_step", "1"),
            ("city_cap", "0"),
        ],
    )
    .await;
    refused(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "「认定标准版本」「2022」",
    );
    assert!(r.body.contains("「设区市推荐名额」「0」"), "{}", r.body);
    {
        let mut conn = app.db.acquire().await.unwrap();
        assert_eq!(batches::list(&mut conn).await.unwrap().len(), 1);
    }
    let b = open_batch(&app, None).await;
    let bt = batch(&app, b).await;
    assert_eq!(
        (
            bt.level.as_str(),
            bt.owner_authority.as_deref(),
            bt.edition.as_str()
        ),
        ("provincial", Some("530000"), "yunnan")
    );
    assert!(!bt.city_step);

    // Another province, its county and the ministry's pages: none of it.
    let zj = app.login("zhejiang").await;
    assert_eq!(
        app.get(&format!("/province/batches/{b}"), Some(&zj.cookie))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let r = app.get("/province/batches", Some(&zj.cookie)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.body.contains("2022年度云南省省级中小企业特色产业集群"));
    let yiwu = app.login("yiwu").await;
    let r = app.get("/applications", Some(&yiwu.cookie)).await;
    assert!(!r.body.contains("2022年度云南省省级中小企业特色产业集群"));
    let yiwu_cluster = {
        let mut conn = app.db.acquire().await.unwrap();
        clusters::list(&mut conn, &Scope::County("330782".into()))
            .await
            .unwrap()[0]
            .id
    };
    let r = post(
        &app,
        &yiwu,
        "/applications",
        &[
            ("cluster_id", &yiwu_cluster.to_string()),
            ("batch_id", &b.to_string()),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let miit = app.login("miit").await;
    assert!(
        !app.get("/ministry", Some(&miit.cookie))
            .await
            .body
            .contains("2022年度云南省省级中小企业特色产业集群")
    );

    // 安宁 applies; the relaxed 云南 edition passes it at exactly 10亿元.
    let id = submitted(&app, "anning", cluster, b, BOUNDARY).await;
    {
        let mut conn = app.db.acquire().await.unwrap();
        let v = applications::version(&mut conn, id, 1)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(v.eligible, Some(true), "{:?}", v.evaluation);
    }
    let yn = app.login("yunnan").await;
    accept_review(&app, &yn, id).await;
    ok(&recommend(&app, &yn, id).await);
    let r = app
        .get(&format!("/province/batches/{b}"), Some(&yn.cookie))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("安宁市测试产业集群") && r.body.contains("省级初审通过"));
    assert!(r.body.contains(&format!("/province/review/{id}")));

    // The ministry has no part in it; another province cannot see it.
    refused(
        &post(
            &app,
            &miit,
            &format!("/ministry/applications/{id}/action"),
            &[("action", "receive")],
        )
        .await,
        StatusCode::CONFLICT,
        "「接收复审」只能由省级中小企业主管部门执行",
    );
    for path in [
        format!("/province/review/{id}"),
        format!("/applications/{id}"),
    ] {
        assert_eq!(
            app.get(&path, Some(&zj.cookie)).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    assert_eq!(
        post(
            &app,
            &zj,
            &format!("/province/review/{id}/action"),
            &[("action", "receive")]
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        post(&app, &zj, &format!("/province/batches/{b}/publish"), &[])
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // The province receives, assigns its own experts (a 江苏 expert is refused), scores.
    ok(&post(
        &app,
        &yn,
        &format!("/province/review/{id}/action"),
        &[("action", "receive")],
    )
    .await);
    let js = user_id(&app, "expert_js").await.to_string();
    refused(
        &post(
            &app,
            &yn,
            &format!("/province/review/{id}/experts"),
            &[("expert_user_id", &js)],
        )
        .await,
        StatusCode::CONFLICT,
        "省级批次由本省专家评审",
    );
    for e in ["expert_yn1", "expert_yn2", "expert_yn3"] {
        let uid = user_id(&app, e).await.to_string();
        ok(&post(
            &app,
            &yn,
            &format!("/province/review/{id}/experts"),
            &[("expert_user_id", &uid)],
        )
        .await);
    }
    ok(&post(
        &app,
        &yn,
        &format!("/province/review/{id}/action"),
        &[("action", "start_expert_review")],
    )
    .await);
    for e in ["expert_yn1", "expert_yn2", "expert_yn3"] {
        score_sheet(&app, e, id).await;
    }
    ok(&post(
        &app,
        &yn,
        &format!("/province/review/{id}/action"),
        &[("action", "shortlist"), ("comment", "专家评审通过")],
    )
    .await);
    let page = app
        .get(&format!("/province/review/{id}"), Some(&yn.cookie))
        .await;
    assert!(page.body.contains("拟认定为省级集群"), "{}", page.body);

    // Its own public notice: 2022-03-02 + 5 working days ends Tuesday 2022-03-08.
    let r = post(
        &app,
        &yn,
        &format!("/province/batches/{b}/notices"),
        &[("start_date", "2022-03-02"), ("title", "")],
    )
    .await;
    ok(&r);
    assert_eq!(
        r.location(),
        Some(format!("/province/batches/{b}?done=notice#notices").as_str())
    );
    assert_eq!(application(&app, id).await.state, WfState::InPublicNotice);
    app.clock.set(at("2022-03-02T09:00:00+08:00"));
    let yn = app.login("yunnan").await;
    let miit = app.login("miit").await;
    let public = app.get("/notices", None).await;
    assert!(
        public.body.contains("拟认定省级集群名单公示") && public.body.contains("2022-03-08"),
        "{}",
        public.body
    );
    let r = post(&app, &yn, &format!("/province/batches/{b}/publish"), &[]).await;
    refused(&r, StatusCode::CONFLICT, "公示期至2022-03-08结束");
    // The ministry does not publish a province's batch.
    let r = post(&app, &miit, &format!("/province/batches/{b}/publish"), &[]).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);

    app.clock.set(at("2022-03-09T09:00:00+08:00"));
    let yn = app.login("yunnan").await;
    let zj = app.login("zhejiang").await;
    let r = post(&app, &yn, &format!("/province/batches/{b}/publish"), &[]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("安宁市测试产业集群") && r.body.contains("2025-03-08"));
    assert_eq!(application(&app, id).await.state, WfState::Recognized);

    // The tier history shows the provincial recognition, and the cluster is provincial.
    let anning = app.login("anning").await;
    let list = app.get("/applications", Some(&anning.cookie)).await;
    assert!(list.body.contains("已认定为省级集群"), "{}", list.body);
    let r = app
        .get(&format!("/clusters/{cluster}/tiers"), Some(&anning.cookie))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    for text in [
        "认定为省级集群",
        "2022-03-09",
        "2022年度云南省省级中小企业特色产业集群",
    ] {
        assert!(r.body.contains(text), "{text}: {}", r.body);
    }
    {
        let mut conn = app.db.acquire().await.unwrap();
        let c = clusters::get(&mut conn, &Scope::National, cluster)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(c.tier, Tier::Provincial);
    }
    assert_eq!(
        app.get(&format!("/clusters/{cluster}/tiers"), Some(&zj.cookie))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // …the library entry left the library as promoted, and the history reads library →
    // provincial in order…
    {
        let mut conn = app.db.acquire().await.unwrap();
        let e = jiqun_store::tiers::get(&mut conn, &Scope::National, entry.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(e.status, jiqun_store::tiers::EntryStatus::Promoted);
    }
    let r = app
        .get(&format!("/clusters/{cluster}/tiers"), Some(&anning.cookie))
        .await;
    let into_library = r
        .body
        .find("新材料产业链完整")
        .expect("library proposal in history");
    let recognised = r
        .body
        .find("2022年度云南省省级中小企业特色产业集群")
        .unwrap();
    assert!(into_library < recognised, "{}", r.body);
    // …and P.provincial of the later national batch passes from that record.
    assert_eq!(provincial_in(&app, cluster, &national).await, Status::Pass);

    let v = audit::verify(&app.db).await.unwrap();
    assert!(v.broken.is_none(), "{v:?}");
}
crate::both!(a_province_runs_its_own_batch_to_provincial_recognition);

/// The relaxed provincial threshold at its exact boundary: 10亿元 passes 云南 and fails the
/// national edition; 0.01 万元 less fails both.
async fn relaxed_threshold_at_its_boundary(app: TestApp) {
    let boundary_cluster = setup(&app).await;
    let below_cluster = cluster(&app, "安宁市五金二号集群", "530181").await;
    let b = open_batch(&app, None).await;
    let national = national_2022(&app).await;
    let eligible = async |cluster: i64, batch: i64, decl: &str| {
        let county = app.login("anning").await;
        let r = post(
            &app,
            &county,
            "/applications",
            &[
                ("cluster_id", &cluster.to_string()),
                ("batch_id", &batch.to_string()),
            ],
        )
        .await;
        ok(&r);
        let id: i64 = r
            .location()
            .unwrap()
            .trim_start_matches("/applications/")
            .split('/')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        ok(&post(
            &app,
            &county,
            &format!("/applications/{id}/declaration"),
            &[("declaration", decl)],
        )
        .await);
        ok(&post(
            &app,
            &county,
            &format!("/applications/{id}/self-evaluation"),
            &[],
        )
        .await);
        let mut conn = app.db.acquire().await.unwrap();
        let v = applications::version(&mut conn, id, 1)
            .await
            .unwrap()
            .unwrap();
        let failed: Vec<String> = serde_json::from_str::<serde_json::Value>(
            v.evaluation.as_deref().unwrap(),
        )
        .unwrap()["criteria"]
            .as_array()
            .map(|vs| {
                vs.iter()
                    .filter(|x| x["status"] == "fail")
                    .filter_map(|x| x["id"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        (v.eligible.unwrap(), failed)
    };
    let national_decl = |s: &str| s.replace("\"edition\": \"yunnan\"", "\"edition\": \"2022\"");
    // Exactly 10亿元 in 2019: 云南 passes, the national edition fails on C1.output only.
    let (ok_yn, failed) = eligible(boundary_cluster, b, BOUNDARY).await;
    assert!(ok_yn, "{failed:?}");
    let (ok_nat, failed) = eligible(boundary_cluster, national.id, &national_decl(BOUNDARY)).await;
    assert!(!ok_nat);
    assert!(failed.contains(&"C1.output".to_string()), "{failed:?}");
    // 99999.99 万元: fails both.
    let (ok_yn, failed) = eligible(below_cluster, b, BELOW).await;
    assert!(!ok_yn);
    assert!(failed.contains(&"C1.output".to_string()), "{failed:?}");
    let (ok_nat, _) = eligible(below_cluster, national.id, &national_decl(BELOW)).await;
    assert!(!ok_nat);
}
crate::both!(relaxed_threshold_at_its_boundary);

/// The 设区市 step: 安宁's applications go to 昆明 first, which may recommend at most the
/// batch's cap (here 3): the third is accepted, the fourth refused with the reason, and the
/// province cannot take the city's step.
async fn city_step_caps_recommendations(app: TestApp) {
    let first = setup(&app).await;
    let mut clusters_ = vec![first];
    for n in ["二", "三", "四"] {
        clusters_.push(cluster(&app, &format!("安宁市五金{n}号集群"), "530181").await);
    }
    let b = open_batch(&app, Some("3")).await;
    let bt = batch(&app, b).await;
    assert!(bt.city_step && bt.city_cap == 3);
    let mut ids = Vec::new();
    for c in &clusters_ {
        ids.push(submitted(&app, "anning", *c, b, BOUNDARY).await);
    }
    // The province cannot accept in the city's place.
    let yn = app.login("yunnan").await;
    refused(
        &post(
            &app,
            &yn,
            &format!("/applications/{}/transitions", ids[0]),
            &[("action", "accept")],
        )
        .await,
        StatusCode::CONFLICT,
        "「受理」只能由设区市中小企业主管部门执行",
    );
    // 昆明 sees its counties' applications (and not 浙江's).
    let km = app.login("kunming").await;
    let r = app.get("/applications", Some(&km.cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("安宁市五金四号集群"), "{}", r.body);
    assert!(!r.body.contains("义乌市测试产业集群"));
    for id in &ids {
        accept_review(&app, &km, *id).await;
    }
    for id in &ids[..3] {
        ok(&recommend(&app, &km, *id).await);
    }
    let r = recommend(&app, &km, ids[3]).await;
    refused(
        &r,
        StatusCode::CONFLICT,
        "超过设区市推荐名额：本批次每个设区市最多推荐3个，云南省昆明市已推荐3个",
    );
    assert_eq!(application(&app, ids[3]).await.state, WfState::Accepted);
    assert_eq!(application(&app, ids[2]).await.rank, Some(3));
    // The province receives what the city recommended.
    ok(&post(
        &app,
        &yn,
        &format!("/province/review/{}/action", ids[0]),
        &[("action", "receive")],
    )
    .await);
    assert_eq!(application(&app, ids[0]).await.state, WfState::UnderReview);
    let r = app
        .get(&format!("/province/batches/{b}"), Some(&yn.cookie))
        .await;
    assert!(r.body.contains("设区市推荐的申报") && r.body.contains("每个设区市最多推荐 3 个"));
    // A city of another province sees nothing of it.
    assert_eq!(
        app.get(
            &format!("/applications/{}", ids[0]),
            Some(&app.login("ningbo").await.cookie)
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
}
crate::both!(city_step_caps_recommendations);
