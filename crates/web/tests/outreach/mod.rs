//! Policy outreach register and the tier record in evaluations (issue 8; crates/web/src/
//! outreach.rs, crates/store/src/outreach.rs), on SQLite and PostgreSQL, through the real
//! router: C8.policy computed per enterprise from the register (all reached passes, one
//! missing fails and is named), a .csv with one bad row changes nothing, jurisdiction 404s,
//! a false provincial claim is flagged to the province, a recorded one passes P.provincial.

use crate::county_province::post_multipart;
use crate::support::*;
use axum::http::StatusCode;
use jiqun_store::clusters::{NewCluster, Tier};

const ELIGIBLE: &str = include_str!("../../../../examples/declaration-eligible.json");

fn see_other(r: &Resp) {
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
}

fn json(r: &Resp) -> serde_json::Value {
    serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("{e}: {}", r.body))
}

/// The seed, a county user for 永康 and an open 2022 national batch (not the first).
async fn setup(app: &TestApp) -> (i64, i64, i64) {
    let (yiwu, yongkang, _) = crate::seed_yongkang(app).await;
    let batch = open_2022_batch(app).await;
    (yiwu, yongkang, batch)
}

/// Creates an application, saves the declaration and returns its id.
async fn application(app: &TestApp, b: &Browser, cluster: i64, batch: i64, decl: &str) -> i64 {
    let r = app
        .post_form(
            "/applications",
            &[
                ("csrf", &b.csrf),
                ("cluster_id", &cluster.to_string()),
                ("batch_id", &batch.to_string()),
            ],
            Some(&b.cookie),
        )
        .await;
    see_other(&r);
    let id: i64 = r
        .location()
        .unwrap()
        .trim_start_matches("/applications/")
        .split(['/', '?', '#'])
        .next()
        .unwrap()
        .parse()
        .unwrap();
    see_other(
        &app.post_form(
            &format!("/applications/{id}/declaration"),
            &[("csrf", &b.csrf), ("declaration", decl)],
            Some(&b.cookie),
        )
        .await,
    );
    id
}

/// Self-evaluates and returns the stored evaluation as the JSON API gives it.
async fn evaluate(app: &TestApp, b: &Browser, id: i64) -> serde_json::Value {
    see_other(
        &app.post_form(
            &format!("/applications/{id}/self-evaluation"),
            &[("csrf", &b.csrf)],
            Some(&b.cookie),
        )
        .await,
    );
    let j = json(
        &app.get(&format!("/api/v1/applications/{id}"), Some(&b.cookie))
            .await,
    );
    j["current"]["evaluation"].clone()
}

fn verdict<'a>(ev: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    ev["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no {id} in {ev}"))
}

fn has_check(ev: &serde_json::Value, id: &str) -> bool {
    ev["checks"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["id"] == id)
}

fn usccs() -> Vec<(String, String)> {
    let v: serde_json::Value = serde_json::from_str(ELIGIBLE).unwrap();
    v["enterprises"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["uscc"].as_str().unwrap().to_string(),
                e["name"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

async fn policy_id(app: &TestApp, title: &str) -> i64 {
    let mut conn = app.db.acquire().await.unwrap();
    jiqun_store::outreach::list(&mut conn, &jiqun_store::Scope::National)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.title == title)
        .unwrap()
        .id
}

async fn reaches(app: &TestApp) -> i64 {
    let mut conn = app.db.acquire().await.unwrap();
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM outreach_reaches")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    n
}

async fn coverage_per_enterprise_csv_and_jurisdiction(app: TestApp) {
    let (_, yongkang, batch) = setup(&app).await;
    let county = app.login("yongkang").await;
    let id = application(&app, &county, yongkang, batch, ELIGIBLE).await;
    let zj = app.login("zhejiang").await;
    let ningbo = app.login("ningbo").await;
    let yk = yongkang.to_string();

    // A policy needs its title; another province cannot cover 永康's cluster.
    let r = app
        .post_form(
            "/outreach",
            &[
                ("csrf", &zj.csrf),
                ("title", " "),
                ("issuer", "浙江省经济和信息化厅"),
                ("issued_on", "2022-03-01"),
                ("cluster_id", &yk),
            ],
            Some(&zj.cookie),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("政策名称"), "{}", r.body);
    let r = app
        .post_form(
            "/outreach",
            &[
                ("csrf", &ningbo.csrf),
                ("title", "宁波市惠企政策"),
                ("issuer", "宁波市经济和信息化局"),
                ("issued_on", "2022-03-01"),
                ("cluster_id", &yk),
            ],
            Some(&ningbo.cookie),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    see_other(
        &app.post_form(
            "/outreach",
            &[
                ("csrf", &zj.csrf),
                ("title", "浙江省促进中小企业发展若干政策"),
                ("issuer", "浙江省经济和信息化厅"),
                ("issued_on", "2022-03-01"),
                ("cluster_id", &yk),
            ],
            Some(&zj.cookie),
        )
        .await,
    );
    let pid = policy_id(&app, "浙江省促进中小企业发展若干政策").await;
    let pids = pid.to_string();
    // The county sees the province's policy covering its cluster; 宁波 sees neither.
    let r = app.get("/outreach", Some(&county.cookie)).await;
    assert!(
        r.body.contains("浙江省促进中小企业发展若干政策"),
        "{}",
        r.body
    );
    let r = app.get("/outreach", Some(&ningbo.cookie)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.body.contains("浙江省促进中小企业发展若干政策"));
    let page = format!("/clusters/{yongkang}/outreach");
    assert_eq!(
        app.get(&page, Some(&ningbo.cookie)).await.status,
        StatusCode::NOT_FOUND
    );
    let r = app
        .post_form(
            &format!("{page}/reach"),
            &[
                ("csrf", &ningbo.csrf),
                ("policy_id", &pids),
                ("uscc", &usccs()[0].0),
                ("method", "走访"),
                ("on", "2022-05-01"),
            ],
            Some(&ningbo.cookie),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // A .csv with one bad row (an unknown method) records nothing, and names the line.
    let all = usccs();
    let mut csv = String::from("统一社会信用代码,宣贯方式,宣贯日期\n");
    for (i, (u, _)) in all.iter().enumerate().take(11) {
        let method = if i == 4 { "发传单" } else { "座谈" };
        csv.push_str(&format!("{u},{method},2022-06-01\n"));
    }
    let r = post_multipart(
        &app,
        &format!("{page}/csv"),
        &county,
        &[("csrf", &county.csrf), ("policy_id", &pids)],
        &[("file", "宣贯.csv", csv.as_bytes())],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("未登记任何企业"), "{}", r.body);
    assert!(r.body.contains("<td>6</td>"), "line 6 named: {}", r.body);
    assert!(r.body.contains("发传单"), "{}", r.body);
    assert_eq!(reaches(&app).await, 0);

    // The corrected file: 11 of the 12 roster enterprises reached.
    let csv = csv.replace("发传单", "线上推送");
    see_other(
        &post_multipart(
            &app,
            &format!("{page}/csv"),
            &county,
            &[("csrf", &county.csrf), ("policy_id", &pids)],
            &[("file", "宣贯.csv", csv.as_bytes())],
        )
        .await,
    );
    assert_eq!(reaches(&app).await, 11);
    let r = app.get(&page, Some(&county.cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains("<strong id=\"reached\">11</strong>"),
        "{}",
        r.body
    );
    assert!(r.body.contains("未覆盖"), "{}", r.body);

    // One missing: C8.policy fails and names the enterprise not reached.
    let (last_uscc, last_name) = all.last().unwrap().clone();
    assert_eq!(all.len(), 12);
    let ev = evaluate(&app, &county, id).await;
    let v = verdict(&ev, "C8.policy");
    // A soft criterion: not met is a warning to reviewers.
    assert_eq!(v["status"], "warning", "{v}");
    let text = v["explanation"].as_str().unwrap();
    assert!(text.contains("尚未覆盖 1 家"), "{text}");
    assert!(
        text.contains(&last_uscc) && text.contains(&last_name),
        "{text}"
    );
    // The seed recorded 永康's provincial recognition: P.provincial passes, no flag.
    assert_eq!(verdict(&ev, "P.provincial")["status"], "pass");
    assert!(!has_check(&ev, "X.provincial_claim"));

    // Ticking the last one (a second reach of the same enterprise is refused).
    let r = app
        .post_form(
            &format!("{page}/reach"),
            &[
                ("csrf", &county.csrf),
                ("policy_id", &pids),
                ("uscc", &all[0].0),
                ("uscc", &last_uscc),
                ("method", "走访"),
                ("on", "2022-07-01"),
            ],
            Some(&county.cookie),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("无需重复登记"), "{}", r.body);
    assert_eq!(reaches(&app).await, 11);
    see_other(
        &app.post_form(
            &format!("{page}/reach"),
            &[
                ("csrf", &county.csrf),
                ("policy_id", &pids),
                ("uscc", &last_uscc),
                ("method", "走访"),
                ("on", "2022-07-01"),
            ],
            Some(&county.cookie),
        )
        .await,
    );
    let ev = evaluate(&app, &county, id).await;
    let v = verdict(&ev, "C8.policy");
    assert_eq!(v["status"], "pass", "{v}");
    assert!(
        v["explanation"].as_str().unwrap().contains("均已覆盖"),
        "{v}"
    );
    let r = app.get(&page, Some(&zj.cookie)).await;
    assert!(
        r.body.contains("<strong id=\"coverage\">100.0%</strong>"),
        "{}",
        r.body
    );

    // Every write is audited.
    let mut conn = app.db.acquire().await.unwrap();
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM audit_events WHERE action IN ('outreach_policy', 'outreach_reach')",
    )
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    assert_eq!(n, 3);
}
crate::both!(coverage_per_enterprise_csv_and_jurisdiction);

/// A reach recorded by mistake is withdrawn (撤销) by the organisation that recorded it,
/// with a reason: it no longer counts for C8.policy, the audit event keeps it, and it can be
/// recorded again. Another organisation, a missing reason or a USCC not recorded changes
/// nothing; another jurisdiction gets 404.
async fn a_mistaken_reach_is_withdrawn_by_its_recorder_only(app: TestApp) {
    let (_, yongkang, batch) = setup(&app).await;
    let county = app.login("yongkang").await;
    let id = application(&app, &county, yongkang, batch, ELIGIBLE).await;
    let zj = app.login("zhejiang").await;
    let ningbo = app.login("ningbo").await;
    see_other(
        &app.post_form(
            "/outreach",
            &[
                ("csrf", &zj.csrf),
                ("title", "浙江省促进中小企业发展若干政策"),
                ("issuer", "浙江省经济和信息化厅"),
                ("issued_on", "2022-03-01"),
                ("cluster_id", &yongkang.to_string()),
            ],
            Some(&zj.cookie),
        )
        .await,
    );
    let pids = policy_id(&app, "浙江省促进中小企业发展若干政策")
        .await
        .to_string();
    let page = format!("/clusters/{yongkang}/outreach");
    let all = usccs();
    let mut form: Vec<(&str, &str)> = vec![
        ("csrf", &county.csrf),
        ("policy_id", &pids),
        ("method", "走访"),
        ("on", "2022-07-01"),
    ];
    form.extend(all.iter().map(|(u, _)| ("uscc", u.as_str())));
    see_other(
        &app.post_form(&format!("{page}/reach"), &form, Some(&county.cookie))
            .await,
    );
    assert_eq!(reaches(&app).await, 12);
    assert_eq!(
        verdict(&evaluate(&app, &county, id).await, "C8.policy")["status"],
        "pass"
    );
    // The county recorded them: it is offered the withdrawal, the province is not.
    let r = app.get(&page, Some(&county.cookie)).await;
    assert!(
        r.body.contains("撤销本单位的误登记（12 家可撤销）"),
        "{}",
        r.body
    );
    let r = app.get(&page, Some(&zj.cookie)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.body.contains("撤销本单位的误登记"), "{}", r.body);

    let (first, first_name) = all[0].clone();
    let withdraw = |b: &Browser, usccs: Vec<&str>, reason: &str| {
        let mut f: Vec<(String, String)> = vec![
            ("csrf".into(), b.csrf.clone()),
            ("policy_id".into(), pids.clone()),
            ("reason".into(), reason.into()),
        ];
        f.extend(
            usccs
                .into_iter()
                .map(|u| ("uscc".to_string(), u.to_string())),
        );
        f
    };
    let post = |f: Vec<(String, String)>, cookie: String| {
        let app = &app;
        let url = format!("{page}/withdraw");
        async move {
            let pairs: Vec<(&str, &str)> =
                f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            app.post_form(&url, &pairs, Some(&cookie)).await
        }
    };
    // The province did not record them.
    let r = post(withdraw(&zj, vec![&first], "误登记"), zj.cookie.clone()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("只能由录入单位撤销"), "{}", r.body);
    assert!(r.body.contains("未撤销任何登记"), "{}", r.body);
    // No reason.
    let r = post(withdraw(&county, vec![&first], "  "), county.cookie.clone()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("「撤销理由」未填写"), "{}", r.body);
    // One of two not recorded for this policy: neither is withdrawn.
    let stranger = "91330784MA2ABCDE1X";
    let r = post(
        withdraw(&county, vec![&first, stranger], "误登记"),
        county.cookie.clone(),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("没有登记为本政策的宣贯对象"), "{}", r.body);
    // Another jurisdiction: the cluster does not exist for it.
    let r = post(
        withdraw(&ningbo, vec![&first], "误登记"),
        ningbo.cookie.clone(),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(reaches(&app).await, 12);

    // The recorder withdraws one, with its reason.
    let r = post(
        withdraw(&county, vec![&first], "误登记：该企业未参加走访"),
        county.cookie.clone(),
    )
    .await;
    see_other(&r);
    assert_eq!(reaches(&app).await, 11);
    let r = app.get(&page, Some(&county.cookie)).await;
    assert!(
        r.body.contains("<strong id=\"reached\">11</strong>"),
        "{}",
        r.body
    );
    let v = verdict(&evaluate(&app, &county, id).await, "C8.policy").clone();
    assert_eq!(v["status"], "warning", "{v}");
    let text = v["explanation"].as_str().unwrap();
    assert!(
        text.contains("尚未覆盖 1 家") && text.contains(&first_name),
        "{text}"
    );
    let mut conn = app.db.acquire().await.unwrap();
    let (comment, detail): (String, String) = sqlx::query_as(
        "SELECT comment, detail FROM audit_events WHERE action = 'outreach_reach_withdrawn'",
    )
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    drop(conn);
    assert_eq!(comment, "误登记：该企业未参加走访");
    let detail: serde_json::Value = serde_json::from_str(&detail).unwrap();
    assert_eq!(detail["withdrawn"][0]["uscc"], first.as_str(), "{detail}");
    assert_eq!(detail["withdrawn"][0]["on"], "2022-07-01", "{detail}");

    // It can be recorded again.
    see_other(
        &app.post_form(
            &format!("{page}/reach"),
            &[
                ("csrf", &county.csrf),
                ("policy_id", &pids),
                ("uscc", &first),
                ("method", "座谈"),
                ("on", "2022-08-01"),
            ],
            Some(&county.cookie),
        )
        .await,
    );
    assert_eq!(reaches(&app).await, 12);
}
crate::both!(a_mistaken_reach_is_withdrawn_by_its_recorder_only);

async fn a_false_provincial_claim_is_flagged_and_a_recorded_one_passes(app: TestApp) {
    let (_, _, batch) = setup(&app).await;
    // A 义乌 cluster the province never recognised; its declaration claims it was.
    let cluster = insert_cluster(
        &app,
        &NewCluster {
            name: "义乌市小商品产业集群",
            county_code: "330782",
            authority_code: "330000",
            leading_industry: "小商品",
            industry_codes: &["C2438".to_string()],
            area_km2: None,
            tier: Tier::Candidate,
        },
    )
    .await;
    let mut v: serde_json::Value = serde_json::from_str(ELIGIBLE).unwrap();
    v["cluster"]["county_code"] = "330782".into();
    assert_eq!(v["cluster"]["provincial_cluster"], true);
    let decl = serde_json::to_string_pretty(&v).unwrap();
    let county = app.login("yiwu").await;
    let id = application(&app, &county, cluster, batch, &decl).await;
    let ev = evaluate(&app, &county, id).await;
    assert_eq!(verdict(&ev, "P.provincial")["status"], "fail");
    assert!(has_check(&ev, "X.provincial_claim"), "{ev}");
    let msg = ev["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "X.provincial_claim")
        .unwrap()["message"]
        .as_str()
        .unwrap()
        .to_string();
    // The date checked: the batch has no deadlines, so 31 December of its year.
    assert!(msg.contains("2022-12-31"), "{msg}");
    assert_eq!(ev["eligible"], false);

    // Submitted, the province's review page shows the flag.
    see_other(
        &app.post_form(
            &format!("/applications/{id}/transitions"),
            &[
                ("csrf", &county.csrf),
                ("action", "submit"),
                ("comment", ""),
            ],
            Some(&county.cookie),
        )
        .await,
    );
    let zj = app.login("zhejiang").await;
    let r = app
        .get(&format!("/applications/{id}"), Some(&zj.cookie))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("X.provincial_claim"), "{}", r.body);
    // And the ministry's review page.
    let miit = app.login("miit").await;
    let r = app
        .get(&format!("/ministry/applications/{id}"), Some(&miit.cookie))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("层级记录核查"), "{}", r.body);
    assert!(
        r.body.contains("X.provincial_claim") && r.body.contains("2022-12-31"),
        "{}",
        r.body
    );

    // Another province cannot record 义乌's recognition; the province can, once.
    let ningbo = app.login("ningbo").await;
    let form = |b: &Browser, on: &'static str| {
        vec![
            ("csrf".to_string(), b.csrf.clone()),
            ("cluster_id".to_string(), cluster.to_string()),
            ("on".to_string(), on.to_string()),
            (
                "decision_no".to_string(),
                "浙经信企业〔2021〕30号".to_string(),
            ),
        ]
    };
    let post = async |b: &Browser, on: &'static str| {
        let f = form(b, on);
        let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        app.post_form("/tiers/prior", &pairs, Some(&b.cookie)).await
    };
    assert_eq!(
        post(&ningbo, "2021-05-01").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/tiers/prior", Some(&county.cookie)).await.status,
        StatusCode::FORBIDDEN
    );
    let r = post(&zj, "2030-01-01").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("认定日期"), "{}", r.body);
    see_other(&post(&zj, "2021-05-01").await);
    let r = post(&zj, "2021-05-01").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("无需重复登记"), "{}", r.body);
    let r = app.get("/tiers/prior", Some(&zj.cookie)).await;
    assert!(r.body.contains("浙经信企业〔2021〕30号"), "{}", r.body);
    let r = app
        .get(&format!("/clusters/{cluster}/tiers"), Some(&county.cookie))
        .await;
    assert!(r.body.contains("2021-05-01"), "{}", r.body);

    // A second application of the same cluster (same declaration) now passes from the record.
    let later = insert_batch(&app, &national_batch(2022, "2022年度第二批"))
        .await
        .id;
    let id2 = application(&app, &county, cluster, later, &decl).await;
    let ev = evaluate(&app, &county, id2).await;
    assert_eq!(verdict(&ev, "P.provincial")["status"], "pass");
    assert!(!has_check(&ev, "X.provincial_claim"), "{ev}");
}
crate::both!(a_false_provincial_claim_is_flagged_and_a_recorded_one_passes);
