//! County and province steps of the recognition workflow (SPEC §4, 第十二条–第十三条),
//! through the real router on SQLite and PostgreSQL: pages, uploads and the JSON API.

use crate::support::*;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use jiqun_domain::workflow::AppState as WfState;
use jiqun_store::applications::{self, Application};
use jiqun_store::batches;
use jiqun_store::{Scope, attachments, audit, notifications, orgs, reviews};

const ELIGIBLE: &str = include_str!("../../../../examples/declaration-eligible.json");

struct Fixture {
    yiwu: i64,
    yongkang: i64,
    ninghai: i64,
    batch: i64,
}

/// The app's seed (MIIT, 浙江, 宁波, 义乌, 永康, 宁海 and their clusters), a county user for
/// 永康, a second 浙江 province account, and an open 2022 national batch (quota 5 / 3).
async fn setup(app: &TestApp) -> Fixture {
    let (yiwu, yongkang, ninghai) = crate::seed_yongkang(app).await;
    let batch = open_2022_batch(app).await;
    Fixture {
        yiwu,
        yongkang,
        ninghai,
        batch,
    }
}

/// The example declaration moved to another county.
fn declaration_for(county: &str) -> String {
    let mut v: serde_json::Value = serde_json::from_str(ELIGIBLE).unwrap();
    v["cluster"]["county_code"] = serde_json::Value::from(county);
    serde_json::to_string_pretty(&v).unwrap()
}

fn id_from_location(r: &Resp) -> i64 {
    let loc = r
        .location()
        .unwrap_or_else(|| panic!("no redirect: {} {}", r.status, r.body));
    loc.trim_start_matches("/applications/")
        .split(['/', '?', '#'])
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

async fn create(app: &TestApp, b: &Browser, cluster: i64, batch: i64) -> i64 {
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
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let id = id_from_location(&r);
    assert_eq!(
        r.location(),
        Some(format!("/applications/{id}/edit").as_str())
    );
    id
}

async fn save(app: &TestApp, b: &Browser, id: i64, decl: &str) -> Resp {
    app.post_form(
        &format!("/applications/{id}/declaration"),
        &[("csrf", &b.csrf), ("declaration", decl)],
        Some(&b.cookie),
    )
    .await
}

async fn self_evaluate(app: &TestApp, b: &Browser, id: i64) -> Resp {
    app.post_form(
        &format!("/applications/{id}/self-evaluation"),
        &[("csrf", &b.csrf)],
        Some(&b.cookie),
    )
    .await
}

async fn step(app: &TestApp, b: &Browser, id: i64, action: &str, comment: &str) -> Resp {
    app.post_form(
        &format!("/applications/{id}/transitions"),
        &[("csrf", &b.csrf), ("action", action), ("comment", comment)],
        Some(&b.cookie),
    )
    .await
}

fn ok(r: &Resp) {
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
}

fn refused(r: &Resp, message: &str) {
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(
        r.body.contains(message),
        "expected «{message}» in {}",
        r.body
    );
}

/// A multipart/form-data request, as a browser sends a form with file inputs.
pub(crate) async fn post_multipart(
    app: &TestApp,
    path: &str,
    b: &Browser,
    fields: &[(&str, &str)],
    files: &[(&str, &str, &[u8])],
) -> Resp {
    let boundary = "----jiqun-test-boundary-7MA4YWxkTrZu0gW";
    let mut body: Vec<u8> = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    for (field, filename, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let req = Request::post(path)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .header(header::COOKIE, &b.cookie)
        .body(Body::from(body))
        .unwrap();
    app.send(req).await
}

async fn api_post(app: &TestApp, path: &str, b: &Browser, csrf: Option<&str>, body: &str) -> Resp {
    let mut req = Request::post(path)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::COOKIE, &b.cookie);
    if let Some(t) = csrf {
        req = req.header("X-CSRF-Token", t);
    }
    app.send(req.body(Body::from(body.to_string())).unwrap())
        .await
}

fn json(r: &Resp) -> serde_json::Value {
    serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", r.body))
}

async fn application(app: &TestApp, id: i64) -> Application {
    let mut conn = app.db.acquire().await.unwrap();
    applications::get(&mut conn, &Scope::National, id)
        .await
        .unwrap()
        .unwrap()
}

/// Everything a step could change, to show that a refused one changed nothing.
#[derive(Debug, PartialEq)]
struct Snapshot {
    app: Application,
    versions: Vec<applications::Version>,
    transitions: usize,
    attachments: usize,
    reviews: usize,
    audit_events: i64,
}

async fn snapshot(app: &TestApp, id: i64) -> Snapshot {
    let mut conn = app.db.acquire().await.unwrap();
    let a = applications::get(&mut conn, &Scope::National, id)
        .await
        .unwrap()
        .unwrap();
    let versions = applications::versions(&mut conn, id).await.unwrap();
    let transitions = applications::transitions(&mut conn, id)
        .await
        .unwrap()
        .len();
    let attachments = attachments::list(&mut conn, "application", id)
        .await
        .unwrap()
        .len();
    let reviews = reviews::list(&mut conn, id).await.unwrap().len();
    drop(conn);
    let v = audit::verify(&app.db).await.unwrap();
    assert!(v.broken.is_none(), "{v:?}");
    Snapshot {
        app: a,
        versions,
        transitions,
        attachments,
        reviews,
        audit_events: v.events,
    }
}

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n";

/// Draft → self-evaluated → submitted, as the county does it through the pages.
async fn submitted(app: &TestApp, county: &Browser, cluster: i64, batch: i64, code: &str) -> i64 {
    let id = create(app, county, cluster, batch).await;
    ok(&save(app, county, id, &declaration_for(code)).await);
    ok(&self_evaluate(app, county, id).await);
    ok(&step(app, county, id, "submit", "").await);
    id
}

async fn county_to_recommendation(app: TestApp) {
    let f = setup(&app).await;
    let county = app.login("yongkang").await;

    // The list offers the county's own cluster and the open batch.
    let list = app.get("/applications", Some(&county.cookie)).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("新建申报") && list.body.contains("永康市五金产业集群"));
    assert!(!list.body.contains("义乌市测试产业集群"));
    let id = create(&app, &county, f.yongkang, f.batch).await;
    let edit = app
        .get(&format!("/applications/{id}/edit"), Some(&county.cookie))
        .await;
    assert_eq!(edit.status, StatusCode::OK);
    assert!(
        edit.body.contains("batch_year") && edit.body.contains("330784"),
        "{}",
        edit.body
    );
    let before = snapshot(&app, id).await;

    // A bad declaration: every problem by its JSON path, nothing saved.
    let mut bad: serde_json::Value = serde_json::from_str(ELIGIBLE).unwrap();
    bad["enterprises"][1]["declared_size"] = "huge".into();
    bad["cluster"]["area_km2"] = (-3).into();
    bad["batch_year"] = 2023.into();
    let r = save(&app, &county, id, &bad.to_string()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    for path in ["enterprises[1].declared_size", "cluster.area_km2"] {
        assert!(r.body.contains(path), "{path} missing in {}", r.body);
    }
    assert!(r.body.contains("申报数据有误，未保存"));
    // The submitted text comes back for correction.
    assert!(r.body.contains("huge"));
    assert_eq!(snapshot(&app, id).await, before);
    // A valid text must still belong to this batch and county.
    let mut elsewhere: serde_json::Value = serde_json::from_str(ELIGIBLE).unwrap();
    elsewhere["first_batch"] = true.into();
    elsewhere["cluster"]["county_code"] = "330782".into();
    let r = save(&app, &county, id, &elsewhere.to_string()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("本批次不是首批"), "{}", r.body);
    assert!(r.body.contains("集群所在县为 330784"), "{}", r.body);
    assert_eq!(snapshot(&app, id).await, before);

    // A good one is saved.
    let r = save(&app, &county, id, ELIGIBLE).await;
    ok(&r);
    assert_eq!(
        r.location(),
        Some(format!("/applications/{id}?done=saved").as_str())
    );

    // Submitting before the self-evaluation is refused and changes nothing.
    let before = snapshot(&app, id).await;
    refused(
        &step(&app, &county, id, "submit", "").await,
        "提交前须先完成自评",
    );
    assert_eq!(snapshot(&app, id).await, before);

    // 自评: the verdict per criterion with its explanation.
    ok(&self_evaluate(&app, &county, id).await);
    let page = app
        .get(&format!("/applications/{id}"), Some(&county.cookie))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("符合认定标准的全部硬性条件"),
        "{}",
        page.body
    );
    assert!(page.body.contains("C1.output") && page.body.contains("近三年产值均在40亿元以上"));
    assert!(page.body.contains("C4.patent_density"));
    // Evidence.
    ok(&post_multipart(
        &app,
        &format!("/applications/{id}/attachments"),
        &county,
        &[("csrf", &county.csrf)],
        &[("files", "2021年产值佐证.pdf", PDF)],
    )
    .await);

    // Submit: the version is frozen; the province is notified.
    ok(&step(&app, &county, id, "submit", "").await);
    let a = application(&app, id).await;
    assert_eq!(a.state, WfState::Submitted);
    {
        let mut conn = app.db.acquire().await.unwrap();
        let v1 = applications::version(&mut conn, id, 1)
            .await
            .unwrap()
            .unwrap();
        assert!(v1.frozen && v1.eligible == Some(true));
        let zhejiang = orgs::by_code(&mut conn, "330000").await.unwrap().unwrap();
        let inbox = notifications::inbox(&mut conn, zhejiang.id, 10)
            .await
            .unwrap();
        assert!(
            inbox.iter().any(|n| n.title.contains("提交申报")
                && n.link.as_deref() == Some(format!("/applications/{id}").as_str())),
            "{inbox:?}"
        );
    }

    // Editing after submission is refused (declaration, self-evaluation, files).
    let before = snapshot(&app, id).await;
    refused(
        &save(&app, &county, id, ELIGIBLE).await,
        "已提交的版本不可更改",
    );
    refused(&self_evaluate(&app, &county, id).await, "不能修改");
    let r = app
        .get(&format!("/applications/{id}/edit"), Some(&county.cookie))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    refused(
        &post_multipart(
            &app,
            &format!("/applications/{id}/attachments"),
            &county,
            &[("csrf", &county.csrf)],
            &[("files", "补充.pdf", PDF)],
        )
        .await,
        "不能再添加佐证材料",
    );
    assert_eq!(snapshot(&app, id).await, before);

    // The province: the submission is in its inbox and in its /inbox.
    let province = app.login("zhejiang").await;
    let inbox = app
        .get("/province/applications", Some(&province.cookie))
        .await;
    assert_eq!(inbox.status, StatusCode::OK);
    assert!(inbox.body.contains("永康市五金产业集群"));
    let todo = app.get("/inbox", Some(&province.cookie)).await;
    assert!(todo.body.contains("永康市五金产业集群"));
    // Return without a comment: refused, nothing changes. With one: returned.
    refused(
        &step(&app, &province, id, "return", "  ").await,
        "必须填写意见或理由",
    );
    assert_eq!(snapshot(&app, id).await, before);
    ok(&step(
        &app,
        &province,
        id,
        "return",
        "请补充2021年产值的统计部门证明",
    )
    .await);
    assert_eq!(application(&app, id).await.state, WfState::Returned);

    // The county revises: version 2, version 1 stays readable and frozen.
    let page = app
        .get(&format!("/applications/{id}"), Some(&county.cookie))
        .await;
    assert!(page.body.contains("请补充2021年产值的统计部门证明"));
    assert!(page.body.contains("value=\"revise\""));
    ok(&step(&app, &county, id, "revise", "").await);
    let a = application(&app, id).await;
    assert_eq!((a.state, a.current_version), (WfState::Draft, 2));
    let v1 = app
        .get(
            &format!("/applications/{id}/versions/1"),
            Some(&county.cookie),
        )
        .await;
    assert_eq!(v1.status, StatusCode::OK);
    assert!(v1.body.contains("已冻结") && v1.body.contains("2021年产值佐证.pdf"));
    let v2 = app
        .get(
            &format!("/applications/{id}/versions/2"),
            Some(&county.cookie),
        )
        .await;
    assert_eq!(v2.status, StatusCode::OK);
    assert!(v2.body.contains("草稿") && v2.body.contains("本版本未自评"));
    assert_eq!(
        app.get(
            &format!("/applications/{id}/versions/3"),
            Some(&county.cookie)
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    // The new version needs its own self-evaluation.
    refused(
        &step(&app, &county, id, "submit", "").await,
        "提交前须先完成自评",
    );
    let mut revised: serde_json::Value = serde_json::from_str(ELIGIBLE).unwrap();
    revised["cluster"]["area_km2"] = 80.into();
    ok(&save(&app, &county, id, &revised.to_string()).await);
    ok(&self_evaluate(&app, &county, id).await);
    ok(&step(&app, &county, id, "submit", "").await);
    {
        let mut conn = app.db.acquire().await.unwrap();
        let v1 = applications::version(&mut conn, id, 1)
            .await
            .unwrap()
            .unwrap();
        let v2 = applications::version(&mut conn, id, 2)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(v1.declaration, ELIGIBLE, "version 1 is unchanged");
        assert!(v2.frozen && v2.declaration.contains("\"area_km2\":80"));
    }

    // Accept, then recommend only after the preliminary review.
    ok(&step(&app, &province, id, "accept", "").await);
    let before = snapshot(&app, id).await;
    refused(
        &step(&app, &province, id, "recommend", "").await,
        "须先记录省级初审",
    );
    assert_eq!(snapshot(&app, id).await, before);
    // A review dated in the future is refused, and so is one with a bad file: nothing kept.
    let review = |date: &'static str| {
        [
            ("kind", "preliminary"),
            ("held_on", date),
            ("people", "张三、李四"),
            ("findings", "材料齐全，数据与统计年鉴一致"),
            ("conclusion", "pass"),
        ]
    };
    let mut fields = review("2026-03-03").to_vec();
    fields.push(("csrf", &province.csrf));
    let r = post_multipart(
        &app,
        &format!("/applications/{id}/reviews"),
        &province,
        &fields,
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("晚于今天"), "{}", r.body);
    let mut fields = review("2026-02-27").to_vec();
    fields.push(("csrf", &province.csrf));
    let r = post_multipart(
        &app,
        &format!("/applications/{id}/reviews"),
        &province,
        &fields,
        &[("files", "初审意见.pdf", b"MZ-not-a-pdf")],
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("不是有效的 PDF 文件"));
    assert_eq!(snapshot(&app, id).await, before);
    ok(&post_multipart(
        &app,
        &format!("/applications/{id}/reviews"),
        &province,
        &fields,
        &[("files", "初审意见.pdf", PDF)],
    )
    .await);
    let mut fields = review("2026-03-01").to_vec();
    fields[0] = ("kind", "field_check");
    fields.push(("csrf", &province.csrf));
    ok(&post_multipart(
        &app,
        &format!("/applications/{id}/reviews"),
        &province,
        &fields,
        &[],
    )
    .await);
    let page = app
        .get(&format!("/applications/{id}"), Some(&province.cookie))
        .await;
    assert!(page.body.contains("省级初审") && page.body.contains("省级实地抽查"));
    assert!(page.body.contains("初审意见.pdf") && page.body.contains("张三、李四"));
    assert!(page.body.contains("本批次推荐名额 5 个，已推荐 0 个"));

    ok(&step(&app, &province, id, "recommend", "产业特色突出").await);
    let a = application(&app, id).await;
    assert_eq!((a.state, a.rank), (WfState::Recommended, Some(1)));

    // The history shows every step with actor, organisation and comment.
    let page = app
        .get(&format!("/applications/{id}"), Some(&county.cookie))
        .await;
    for text in [
        "提交申报",
        "退回修改",
        "重新编辑",
        "受理",
        "推荐",
        "浙江省经济和信息化厅",
        "产业特色突出",
    ] {
        assert!(page.body.contains(text), "{text}");
    }

    // Every step is in the audit chain, which verifies.
    let mut conn = app.db.acquire().await.unwrap();
    let events = audit::for_object(&mut conn, "application", &id.to_string())
        .await
        .unwrap();
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    for expected in [
        "create",
        "save_declaration",
        "self_evaluate",
        "upload",
        "submit",
        "return",
        "revise",
        "accept",
        "record_review",
        "recommend",
    ] {
        assert!(actions.contains(&expected), "{expected} not in {actions:?}");
    }
    let submit = events.iter().find(|e| e.action == "submit").unwrap();
    assert_eq!(
        (submit.actor.as_str(), submit.actor_org.as_str()),
        ("yongkang", "330784")
    );
    assert_eq!(submit.after_state.as_deref(), Some("submitted"));
    drop(conn);
    let v = audit::verify(&app.db).await.unwrap();
    assert!(v.broken.is_none() && v.events >= 14, "{v:?}");
}
crate::both!(county_to_recommendation);

async fn quota_wrong_role_and_refusals_change_nothing(app: TestApp) {
    let f = setup(&app).await;
    {
        let mut conn = app.db.acquire().await.unwrap();
        batches::set_quota(&mut conn, f.batch, "330000", 1)
            .await
            .unwrap();
    }
    let yongkang = app.login("yongkang").await;
    let yiwu = app.login("yiwu").await;
    let province = app.login("zhejiang").await;
    let a = submitted(&app, &yongkang, f.yongkang, f.batch, "330784").await;
    let b = submitted(&app, &yiwu, f.yiwu, f.batch, "330782").await;

    // Wrong role: the county cannot accept its own application.
    let before = snapshot(&app, a).await;
    refused(
        &step(&app, &yongkang, a, "accept", "").await,
        "「受理」只能由省级中小企业主管部门执行",
    );
    // Illegal step: recommending what has not been accepted.
    refused(
        &step(&app, &province, a, "recommend", "").await,
        "不能执行「推荐」",
    );
    // A step of the public notice is not taken here.
    refused(&step(&app, &province, a, "recognize", "").await, "公示管理");
    // Unknown step, forged form.
    let r = step(&app, &province, a, "approve_everything", "").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = app
        .post_form(
            &format!("/applications/{a}/transitions"),
            &[("csrf", "forged"), ("action", "accept")],
            Some(&province.cookie),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(snapshot(&app, a).await, before);

    for id in [a, b] {
        ok(&step(&app, &province, id, "accept", "").await);
        let fields = [
            ("csrf", province.csrf.as_str()),
            ("kind", "preliminary"),
            ("held_on", "2026-03-01"),
            ("people", "王五"),
            ("findings", "符合"),
            ("conclusion", "pass"),
        ];
        ok(&app
            .post_form(
                &format!("/applications/{id}/reviews"),
                &fields,
                Some(&province.cookie),
            )
            .await);
    }
    // Not recommending needs a reason.
    refused(
        &step(&app, &province, b, "not_recommend", "").await,
        "必须填写意见或理由",
    );
    ok(&step(&app, &province, a, "recommend", "").await);
    assert_eq!(application(&app, a).await.rank, Some(1));

    // Over the quota of 1: refused with the state machine's message; nothing changes.
    let before = snapshot(&app, b).await;
    refused(
        &step(&app, &province, b, "recommend", "").await,
        "超过推荐名额：本批次330000的名额为1个，已推荐1个",
    );
    assert_eq!(snapshot(&app, b).await, before);
    // The same through the API.
    let r = api_post(
        &app,
        &format!("/api/v1/applications/{b}/transitions"),
        &province,
        Some(&province.csrf),
        r#"{"action": "recommend"}"#,
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let j = json(&r);
    assert_eq!(j["code"], "refused");
    assert!(j["message"].as_str().unwrap().contains("超过推荐名额"));
    assert_eq!(snapshot(&app, b).await, before);
    // Declining it is fine.
    ok(&step(
        &app,
        &province,
        b,
        "not_recommend",
        "名额已满，择优推荐永康",
    )
    .await);
    assert_eq!(application(&app, b).await.state, WfState::NotRecommended);

    // 推荐汇总表 and its CSV (UTF-8 with BOM).
    let s = app
        .get(
            &format!("/province/batches/{}/summary", f.batch),
            Some(&province.cookie),
        )
        .await;
    assert_eq!(s.status, StatusCode::OK);
    assert!(s.body.contains("永康市五金产业集群") && !s.body.contains("义乌市测试产业集群"));
    assert!(s.body.contains("测试产业") && s.body.contains("330784"));
    let csv = app
        .get(
            &format!("/province/batches/{}/summary/export.csv", f.batch),
            Some(&province.cookie),
        )
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(
        csv.headers.get(header::CONTENT_TYPE).unwrap(),
        "text/csv; charset=utf-8"
    );
    assert!(csv.body.starts_with('\u{feff}'));
    let lines: Vec<&str> = csv.body.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[0].starts_with("推荐排序,推荐单位,集群名称"));
    assert!(
        lines[1].starts_with("1,浙江省,永康市五金产业集群,"),
        "{}",
        lines[1]
    );
    assert!(lines[1].contains(",是,"), "{}", lines[1]);
    // A county may not see it.
    let r = app
        .get(
            &format!("/province/batches/{}/summary", f.batch),
            Some(&yongkang.cookie),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}
crate::both!(quota_wrong_role_and_refusals_change_nothing);

async fn jurisdiction_and_the_plan_city(app: TestApp) {
    let f = setup(&app).await;
    let yongkang = app.login("yongkang").await;
    let ninghai = app.login("ninghai").await;
    let zhejiang = app.login("zhejiang").await;
    let ningbo = app.login("ningbo").await;
    let a = submitted(&app, &yongkang, f.yongkang, f.batch, "330784").await;
    // 宁海 (330226) is a county of 宁波, a 计划单列市: it answers to 宁波, not 浙江.
    let n = submitted(&app, &ninghai, f.ninghai, f.batch, "330226").await;
    assert_eq!(application(&app, n).await.authority_code, "330200");
    {
        let mut conn = app.db.acquire().await.unwrap();
        let ningbo_org = orgs::by_code(&mut conn, "330200").await.unwrap().unwrap();
        let zhejiang_org = orgs::by_code(&mut conn, "330000").await.unwrap().unwrap();
        let to_ningbo = notifications::inbox(&mut conn, ningbo_org.id, 10)
            .await
            .unwrap();
        let to_zhejiang = notifications::inbox(&mut conn, zhejiang_org.id, 10)
            .await
            .unwrap();
        assert!(
            to_ningbo
                .iter()
                .any(|x| x.body.contains("宁海县模具产业集群"))
        );
        assert!(
            !to_zhejiang
                .iter()
                .any(|x| x.body.contains("宁海县模具产业集群"))
        );
    }

    // 浙江 does not see 宁海's application: page, files, versions, API, steps all 404.
    let before = snapshot(&app, n).await;
    for path in [
        format!("/applications/{n}"),
        format!("/applications/{n}/versions/1"),
        format!("/api/v1/applications/{n}"),
    ] {
        let r = app.get(&path, Some(&zhejiang.cookie)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
    }
    let r = step(&app, &zhejiang, n, "accept", "").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = api_post(
        &app,
        &format!("/api/v1/applications/{n}/transitions"),
        &zhejiang,
        Some(&zhejiang.csrf),
        r#"{"action": "accept"}"#,
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(json(&r)["code"], "not_found");
    assert_eq!(snapshot(&app, n).await, before);
    let list = app
        .get("/province/applications", Some(&zhejiang.cookie))
        .await;
    assert!(list.body.contains("永康市五金产业集群") && !list.body.contains("宁海县模具产业集群"));
    let api = json(
        &app.get("/api/v1/applications", Some(&zhejiang.cookie))
            .await,
    );
    let ids: Vec<i64> = api["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![a]);

    // 宁波 handles it, and does not see 浙江's.
    let list = app
        .get("/province/applications", Some(&ningbo.cookie))
        .await;
    assert!(list.body.contains("宁海县模具产业集群") && !list.body.contains("永康市五金产业集群"));
    assert_eq!(
        app.get(&format!("/applications/{a}"), Some(&ningbo.cookie))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    ok(&step(&app, &ningbo, n, "accept", "").await);
    assert_eq!(application(&app, n).await.state, WfState::Accepted);
    let page = app
        .get(&format!("/applications/{n}"), Some(&ningbo.cookie))
        .await;
    // Default quota of a 计划单列市 in 2022: 3.
    assert!(page.body.contains("本批次推荐名额 3 个"), "{}", page.body);

    // Counties see only their own.
    assert_eq!(
        app.get(&format!("/applications/{n}"), Some(&yongkang.cookie))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // Creating for another county's cluster: 404, nothing created.
    let r = app
        .post_form(
            "/applications",
            &[
                ("csrf", &yongkang.csrf),
                ("cluster_id", &f.yiwu.to_string()),
                ("batch_id", &f.batch.to_string()),
            ],
            Some(&yongkang.cookie),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // A province cannot create one (第十二条: the county applies).
    let r = app
        .post_form(
            "/applications",
            &[
                ("csrf", &zhejiang.csrf),
                ("cluster_id", &f.yiwu.to_string()),
                ("batch_id", &f.batch.to_string()),
            ],
            Some(&zhejiang.cookie),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let mut conn = app.db.acquire().await.unwrap();
    let all = applications::list(&mut conn, &Scope::National, None, None)
        .await
        .unwrap();
    assert_eq!(all.len(), 2);
}
crate::both!(jurisdiction_and_the_plan_city);

async fn evidence_files_are_checked_and_scoped(app: TestApp) {
    let f = setup(&app).await;
    let county = app.login("yongkang").await;
    let id = create(&app, &county, f.yongkang, f.batch).await;
    let path = format!("/applications/{id}/attachments");
    let before = snapshot(&app, id).await;

    // Not on the allow-list; renamed; too big; one bad file among good ones: none kept.
    let r = post_multipart(
        &app,
        &path,
        &county,
        &[("csrf", &county.csrf)],
        &[("files", "setup.exe", b"MZ\x90\x00")],
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.body
            .contains("只接受 PDF、JPG、PNG、DOCX、XLSX、ZIP、OFD"),
        "{}",
        r.body
    );
    let r = post_multipart(
        &app,
        &path,
        &county,
        &[("csrf", &county.csrf)],
        &[("files", "产值.pdf", b"MZ\x90\x00")],
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("不是有效的 PDF 文件"));
    let mut big = PDF.to_vec();
    big.resize(attachments::MAX_BYTES + 1, b' ');
    let r = post_multipart(
        &app,
        &path,
        &county,
        &[("csrf", &county.csrf)],
        &[("files", "大文件.pdf", &big)],
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("超过单个文件 20 MB"), "{}", r.body);
    let png: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    let r = post_multipart(
        &app,
        &path,
        &county,
        &[("csrf", &county.csrf)],
        &[("files", "现场.png", png), ("files", "假的.docx", PDF)],
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // Without the CSRF token: refused.
    let r = post_multipart(&app, &path, &county, &[], &[("files", "a.pdf", PDF)]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(snapshot(&app, id).await, before);

    // Exactly 20 MiB and a PNG: kept, content-addressed, downloadable with the right type.
    let mut max = PDF.to_vec();
    max.resize(attachments::MAX_BYTES, b' ');
    ok(&post_multipart(
        &app,
        &path,
        &county,
        &[("csrf", &county.csrf)],
        &[
            ("files", "整本申报书.pdf", &max),
            ("files", "现场.png", png),
        ],
    )
    .await);
    let mut conn = app.db.acquire().await.unwrap();
    let files = attachments::list(&mut conn, "application", id)
        .await
        .unwrap();
    drop(conn);
    assert_eq!(files.len(), 2);
    assert_eq!(files[1].filename, "现场.png");
    assert_eq!(files[1].content_type, "image/png");
    assert_eq!(files[1].version, Some(1));
    assert_eq!(files[1].digest.len(), 64);
    let r = app
        .get(&format!("{path}/{}", files[1].id), Some(&county.cookie))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers.get(header::CONTENT_TYPE).unwrap(), "image/png");
    let cd = r
        .headers
        .get(header::CONTENT_DISPOSITION)
        .unwrap()
        .to_str()
        .unwrap();
    assert!(
        cd.starts_with("attachment;") && cd.contains("UTF-8''%E7%8E%B0%E5%9C%BA.png"),
        "{cd}"
    );
    let page = app
        .get(&format!("/applications/{id}"), Some(&county.cookie))
        .await;
    assert!(page.body.contains("整本申报书.pdf") && page.body.contains("20.0 MB"));

    // Another jurisdiction, or a file id of another application: 404.
    let ningbo = app.login("ningbo").await;
    let r = app
        .get(&format!("{path}/{}", files[1].id), Some(&ningbo.cookie))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let ninghai = app.login("ninghai").await;
    let other = create(&app, &ninghai, f.ninghai, f.batch).await;
    let r = app
        .get(
            &format!("/applications/{other}/attachments/{}", files[1].id),
            Some(&ninghai.cookie),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // The province may not add files to the county's application.
    let zhejiang = app.login("zhejiang").await;
    let r = post_multipart(
        &app,
        &path,
        &zhejiang,
        &[("csrf", &zhejiang.csrf)],
        &[("files", "a.pdf", PDF)],
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT);

    // Uploads are audited.
    let mut conn = app.db.acquire().await.unwrap();
    let uploads = audit::for_object(&mut conn, "application", &id.to_string())
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "upload")
        .count();
    assert_eq!(uploads, 2);
}
crate::both!(evidence_files_are_checked_and_scoped);

async fn json_api(app: TestApp) {
    let f = setup(&app).await;
    let county = app.login("yongkang").await;
    let province = app.login("zhejiang").await;
    let id = submitted(&app, &county, f.yongkang, f.batch, "330784").await;
    let url = format!("/api/v1/applications/{id}/transitions");

    // Without a session: 401 JSON.
    let r = app.get("/api/v1/applications", None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(json(&r)["code"], "unauthenticated");

    // List with filters.
    let r = app
        .get(
            &format!("/api/v1/applications?batch={}&state=submitted", f.batch),
            Some(&province.cookie),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let j = json(&r);
    assert_eq!(j["items"][0]["id"], id);
    assert_eq!(j["items"][0]["state"], "submitted");
    assert_eq!(j["items"][0]["cluster_name"], "永康市五金产业集群");
    let r = app
        .get("/api/v1/applications?state=draft", Some(&province.cookie))
        .await;
    assert_eq!(json(&r)["items"].as_array().unwrap().len(), 0);
    let r = app
        .get(
            "/api/v1/applications?state=nonsense",
            Some(&province.cookie),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(json(&r)["code"], "bad_request");
    assert!(
        json(&r)["message"]
            .as_str()
            .unwrap()
            .contains("参数 state 「nonsense」不是有效的申报状态")
    );

    // Detail: current version, evaluation, allowed actions for the caller.
    let j = json(
        &app.get(
            &format!("/api/v1/applications/{id}"),
            Some(&province.cookie),
        )
        .await,
    );
    assert_eq!(j["state"], "submitted");
    assert_eq!(j["current"]["version"], 1);
    assert_eq!(j["current"]["frozen"], true);
    assert_eq!(j["current"]["declaration"]["batch_year"], 2022);
    assert_eq!(j["current"]["evaluation"]["eligible"], true);
    assert!(
        j["current"]["evaluation"]["criteria"]
            .as_array()
            .unwrap()
            .len()
            > 10
    );
    let allowed: Vec<&str> = j["allowed_actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    assert_eq!(allowed, vec!["return", "accept"]);
    let j = json(
        &app.get(&format!("/api/v1/applications/{id}"), Some(&county.cookie))
            .await,
    );
    assert_eq!(j["allowed_actions"].as_array().unwrap().len(), 0);
    assert_eq!(j["history"][0]["action"], "submit");

    let before = snapshot(&app, id).await;
    // CSRF header missing or wrong: 403.
    let r = api_post(&app, &url, &province, None, r#"{"action": "accept"}"#).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(json(&r)["code"], "csrf");
    let r = api_post(
        &app,
        &url,
        &province,
        Some("0000"),
        r#"{"action": "accept"}"#,
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Bad bodies: 400.
    for body in [
        "not json",
        r#"{"action": "accept", "extra": 1}"#,
        r#"{"comment": "x"}"#,
    ] {
        let r = api_post(&app, &url, &province, Some(&province.csrf), body).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(json(&r)["code"], "invalid_body");
    }
    let r = api_post(
        &app,
        &url,
        &province,
        Some(&province.csrf),
        r#"{"action": "approve"}"#,
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(json(&r)["code"], "unknown_action");
    // Refused by the rules: 409 with the Chinese reason.
    let r = api_post(
        &app,
        &url,
        &province,
        Some(&province.csrf),
        r#"{"action": "return"}"#,
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(json(&r)["message"], "「退回修改」必须填写意见或理由");
    let r = api_post(
        &app,
        &url,
        &county,
        Some(&county.csrf),
        r#"{"action": "accept"}"#,
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(
        json(&r)["message"]
            .as_str()
            .unwrap()
            .contains("只能由省级中小企业主管部门执行")
    );
    let r = api_post(
        &app,
        "/api/v1/applications/99999/transitions",
        &province,
        Some(&province.csrf),
        r#"{"action": "accept"}"#,
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(snapshot(&app, id).await, before);

    // A legal step: 200 with the new state and the next steps.
    let r = api_post(
        &app,
        &url,
        &province,
        Some(&province.csrf),
        r#"{"action": "return", "comment": "请补充佐证材料"}"#,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let j = json(&r);
    assert_eq!(j["state"], "returned");
    assert_eq!(j["history"][1]["comment"], "请补充佐证材料");
    assert_eq!(j["history"][1]["organisation"], "浙江省经济和信息化厅");
    let r = api_post(
        &app,
        &url,
        &county,
        Some(&county.csrf),
        r#"{"action": "revise"}"#,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let j = json(&r);
    assert_eq!(
        (j["state"].as_str(), j["current"]["version"].as_i64()),
        (Some("draft"), Some(2))
    );
    assert_eq!(j["versions"], serde_json::json!([1, 2]));
    assert_eq!(j["allowed_actions"][0]["action"], "submit");
}
crate::both!(json_api);
