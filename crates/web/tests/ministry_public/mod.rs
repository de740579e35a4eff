//! Ministry, expert, public-notice and publication steps (第十四条, 第十五条; SPEC §4),
//! through the real router on SQLite and PostgreSQL: the ministry's pages, the experts'
//! score sheets, the public notice with its objection form, and the published list.
//!
//! The county and province steps go through the county/province pages
//! (`/applications…`), as a county bureau and a province would take them.

use crate::support::*;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use jiqun_domain::role::Role;
use jiqun_domain::workflow::AppState as WfState;
use jiqun_store::applications::{self, Application};
use jiqun_store::clusters::{self, Tier};
use jiqun_store::orgs::OrgKind;
use jiqun_store::{Scope, attachments, audit, experts, notices, recognitions, users};
use std::sync::OnceLock;

const ELIGIBLE: &str = include_str!("../../../../examples/declaration-eligible.json");
/// Evidence files of an objection: (file name, content).
type Files<'a> = &'a [(&'a str, &'a [u8])];

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n";

struct Fx {
    batch: i64,
    yongkang: i64,
}

fn hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| jiqun_web::auth::hash_password(PASSWORD).unwrap())
}

/// An expert account with a home province.
async fn expert(app: &TestApp, username: &str, home: &str) -> i64 {
    let mut conn = app.db.acquire().await.unwrap();
    let org = jiqun_store::orgs::by_code(&mut conn, "EXPERTS")
        .await
        .unwrap()
        .unwrap();
    users::insert(
        &mut conn,
        &users::NewUser {
            username,
            display_name: username,
            org_id: org.id,
            password_hash: hash(),
            home_province: Some(home),
            roles: &[Role::Expert],
        },
        app.clock.now_utc(),
    )
    .await
    .unwrap()
    .id
}

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

/// Mid-September 2024, the seed, a county account for 永康 (whose cluster the example
/// declaration describes), the expert pool (江苏, 北京, 广东 and a 浙江 expert who must
/// stand aside), and a 2022 national batch opened through the ministry's form.
async fn setup(app: &TestApp) -> Fx {
    app.clock.set(at("2024-09-20T09:00:00+08:00"));
    let (_yiwu, yongkang, _ninghai) = crate::seed_yongkang(app).await;
    app.org("EXPERTS", "评审专家库", OrgKind::ExpertPool, None)
        .await;
    expert(app, "expert_js", "320000").await;
    expert(app, "expert_bj", "110000").await;
    expert(app, "expert_gd", "440000").await;
    expert(app, "expert_zj", "330000").await;

    let miit = app.login("miit").await;
    let page = app.get("/ministry/batches/new", Some(&miit.cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("value=\"5\"") && page.body.contains("value=\"3\""));
    let r = app
        .post_form(
            "/ministry/batches",
            &[
                ("csrf", &miit.csrf),
                ("year", "2022"),
                ("title", "2022年度中小企业特色产业集群"),
                ("edition", "2022"),
                ("county_deadline", "2022-10-20"),
                ("province_deadline", "2022-10-31"),
                ("quota_default", "5"),
                ("quota_small", "3"),
                ("quota_overrides", "330200=2"),
                ("notice_days", "5"),
                ("annual_report_due", "04-30"),
            ],
            Some(&miit.cookie),
        )
        .await;
    ok(&r);
    let batch: i64 = r
        .location()
        .unwrap()
        .trim_start_matches("/ministry/batches/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    Fx { batch, yongkang }
}

/// Draft → submitted → accepted → (preliminary review) → recommended, through the
/// county's and the province's pages.
async fn recommended(app: &TestApp, fx: &Fx) -> i64 {
    let county = app.login("yongkang").await;
    let r = app
        .post_form(
            "/applications",
            &[
                ("csrf", &county.csrf),
                ("cluster_id", &fx.yongkang.to_string()),
                ("batch_id", &fx.batch.to_string()),
            ],
            Some(&county.cookie),
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
    let post = |path: String, form: Vec<(&'static str, String)>, b: &Browser| {
        let cookie = b.cookie.clone();
        let csrf = b.csrf.clone();
        async move {
            let mut fields: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
            fields.extend(form.iter().map(|(k, v)| (*k, v.as_str())));
            app.post_form(&path, &fields, Some(&cookie)).await
        }
    };
    ok(&post(
        format!("/applications/{id}/declaration"),
        vec![("declaration", ELIGIBLE.to_string())],
        &county,
    )
    .await);
    ok(&post(
        format!("/applications/{id}/self-evaluation"),
        vec![],
        &county,
    )
    .await);
    ok(&post(
        format!("/applications/{id}/transitions"),
        vec![("action", "submit".into())],
        &county,
    )
    .await);
    let province = app.login("zhejiang").await;
    ok(&post(
        format!("/applications/{id}/transitions"),
        vec![("action", "accept".into())],
        &province,
    )
    .await);
    let today = app
        .clock
        .now_utc()
        .with_timezone(&jiqun_domain::clock::china_offset());
    ok(&post(
        format!("/applications/{id}/reviews"),
        vec![
            ("kind", "preliminary".into()),
            ("held_on", today.format("%Y-%m-%d").to_string()),
            ("people", "省经信厅中小企业处 王某、李某".into()),
            ("findings", "材料齐全，数据与统计口径一致".into()),
            ("conclusion", "pass".into()),
        ],
        &province,
    )
    .await);
    ok(&post(
        format!("/applications/{id}/transitions"),
        vec![("action", "recommend".into())],
        &province,
    )
    .await);
    id
}

async fn ministry_step(app: &TestApp, b: &Browser, id: i64, action: &str, comment: &str) -> Resp {
    app.post_form(
        &format!("/ministry/applications/{id}/action"),
        &[("csrf", &b.csrf), ("action", action), ("comment", comment)],
        Some(&b.cookie),
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

async fn assign(app: &TestApp, b: &Browser, id: i64, username: &str) -> Resp {
    let expert = user_id(app, username).await.to_string();
    app.post_form(
        &format!("/ministry/applications/{id}/experts"),
        &[("csrf", &b.csrf), ("expert_user_id", &expert)],
        Some(&b.cookie),
    )
    .await
}

async fn assignment_of(app: &TestApp, id: i64, username: &str) -> i64 {
    let expert = user_id(app, username).await;
    let mut conn = app.db.acquire().await.unwrap();
    experts::for_application(&mut conn, id)
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.expert_user_id == expert)
        .unwrap()
        .id
}

fn judgement_ids() -> Vec<String> {
    experts::judgement_criteria("2022")
        .unwrap()
        .into_iter()
        .map(|c| c.id.clone())
        .collect()
}

/// A full score sheet: every judgement criterion scored `score` (the first one `first`).
async fn score(app: &TestApp, b: &Browser, assignment: i64, first: &str, score: &str) -> Resp {
    let ids = judgement_ids();
    let mut owned: Vec<(String, String)> = vec![("csrf".into(), b.csrf.clone())];
    for (i, id) in ids.iter().enumerate() {
        let s = if i == 0 { first } else { score };
        owned.push((format!("score.{id}"), s.to_string()));
        owned.push((format!("comment.{id}"), format!("{id}：基础扎实，特色鲜明")));
    }
    owned.push(("recommendation".into(), "recommend".into()));
    owned.push(("recommendation_comment".into(), "建议列入".into()));
    let fields: Vec<(&str, &str)> = owned
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    app.post_form(
        &format!("/expert/assignments/{assignment}/scores"),
        &fields,
        Some(&b.cookie),
    )
    .await
}

async fn declare(app: &TestApp, b: &Browser, assignment: i64) -> Resp {
    app.post_form(
        &format!("/expert/assignments/{assignment}/declaration"),
        &[("csrf", &b.csrf), ("confirm", "1")],
        Some(&b.cookie),
    )
    .await
}

/// Received, three experts assigned, reviewed and scored, shortlisted.
async fn shortlisted(app: &TestApp, fx: &Fx) -> i64 {
    let id = recommended(app, fx).await;
    let miit = app.login("miit").await;
    ok(&ministry_step(app, &miit, id, "receive", "").await);
    for e in ["expert_js", "expert_bj", "expert_gd"] {
        ok(&assign(app, &miit, id, e).await);
    }
    ok(&ministry_step(app, &miit, id, "start_expert_review", "").await);
    for (e, s) in [
        ("expert_js", "85"),
        ("expert_bj", "78"),
        ("expert_gd", "90"),
    ] {
        let b = app.login(e).await;
        let a = assignment_of(app, id, e).await;
        ok(&declare(app, &b, a).await);
        ok(&score(app, &b, a, s, s).await);
    }
    ok(&ministry_step(app, &miit, id, "shortlist", "专家评审通过").await);
    id
}

async fn open_notice(app: &TestApp, fx: &Fx, start: &str) -> Resp {
    let miit = app.login("miit").await;
    app.post_form(
        &format!("/ministry/batches/{}/notices", fx.batch),
        &[("csrf", &miit.csrf), ("start_date", start), ("title", "")],
        Some(&miit.cookie),
    )
    .await
}

/// The public notice page, and its CSRF cookie (double submit, no session).
async fn notice_page(app: &TestApp) -> (Resp, String, String) {
    let page = app.get("/notices", None).await;
    assert_eq!(page.status, StatusCode::OK);
    let token = page.cookie(jiqun_web::public::PUBLIC_CSRF_COOKIE).unwrap();
    // Double submit: the form's field carries the cookie's value (no form before a notice
    // starts, so take it from the cookie then).
    let csrf = page.csrf_field().unwrap_or_else(|| token.clone());
    assert_eq!(csrf, token);
    let cookie = format!("{}={token}", jiqun_web::public::PUBLIC_CSRF_COOKIE);
    (page, csrf, cookie)
}

async fn current_notice(app: &TestApp, fx: &Fx) -> i64 {
    let mut conn = app.db.acquire().await.unwrap();
    notices::for_batch(&mut conn, fx.batch).await.unwrap()[0].id
}

/// A multipart objection from a member of the public.
#[allow(clippy::too_many_arguments)]
async fn object(
    app: &TestApp,
    notice: i64,
    cookie: &str,
    csrf: &str,
    id: i64,
    name: &str,
    contact: &str,
    files: Files<'_>,
    address: &str,
) -> Resp {
    let boundary = "----jiqun-objection-boundary-3f9a";
    let mut body: Vec<u8> = Vec::new();
    let id = id.to_string();
    for (k, v) in [
        ("csrf", csrf),
        ("application_id", id.as_str()),
        ("name", name),
        ("contact", contact),
        ("content", "该集群2021年产值数据与统计年鉴不符"),
    ] {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    for (filename, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"evidence\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let req = Request::post(format!("/notices/{notice}/objections"))
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .header(header::COOKIE, cookie)
        .header("x-forwarded-for", address)
        .body(Body::from(body))
        .unwrap();
    app.send(req).await
}

async fn application(app: &TestApp, id: i64) -> Application {
    let mut conn = app.db.acquire().await.unwrap();
    applications::get(&mut conn, &Scope::National, id)
        .await
        .unwrap()
        .unwrap()
}

/// Objections against an application, and their evidence files.
async fn objection_count(app: &TestApp, id: i64) -> (usize, usize) {
    let mut conn = app.db.acquire().await.unwrap();
    let os = notices::objections_for(&mut conn, id).await.unwrap();
    let mut files = 0;
    for o in &os {
        files += attachments::list(&mut conn, "objection", o.id)
            .await
            .unwrap()
            .len();
    }
    (os.len(), files)
}

fn audit_ok_with(events: &[audit::Event], actions: &[&str]) {
    for a in actions {
        assert!(
            events.iter().any(|e| e.action == *a),
            "no audit event «{a}»"
        );
    }
}

/// The audit events of everything the workflow of one application touches.
async fn all_events(app: &TestApp, fx: &Fx, id: i64) -> Vec<audit::Event> {
    let mut conn = app.db.acquire().await.unwrap();
    let mut objects: Vec<(&str, i64)> = vec![
        ("application", id),
        ("batch", fx.batch),
        ("cluster", fx.yongkang),
    ];
    for n in notices::for_batch(&mut conn, fx.batch).await.unwrap() {
        objects.push(("notice", n.id));
    }
    for o in notices::objections_for(&mut conn, id).await.unwrap() {
        objects.push(("objection", o.id));
    }
    let mut out = Vec::new();
    for (t, oid) in objects {
        out.extend(
            audit::for_object(&mut conn, t, &oid.to_string())
                .await
                .unwrap(),
        );
    }
    out
}

async fn audit_events(app: &TestApp) -> i64 {
    let v = audit::verify(&app.db).await.unwrap();
    assert!(v.broken.is_none(), "{v:?}");
    v.events
}

// ---- the whole path -------------------------------------------------------------------

async fn draft_to_recognized_with_a_dismissed_objection(app: TestApp) {
    let fx = setup(&app).await;
    let id = recommended(&app, &fx).await;

    // The ministry's batch page: the recommendation with its province and rank.
    let miit = app.login("miit").await;
    let page = app
        .get(
            &format!("/ministry/batches/{}", fx.batch),
            Some(&miit.cookie),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("永康市五金产业集群") && page.body.contains("浙江省"));
    assert!(page.body.contains("<td>1</td>"), "{}", page.body);
    assert!(page.body.contains("宁波市"), "the 宁波 override is listed");
    ok(&ministry_step(&app, &miit, id, "receive", "").await);

    // Expert review needs three experts; a 浙江 expert must stand aside.
    refused(
        &ministry_step(&app, &miit, id, "start_expert_review", "").await,
        StatusCode::CONFLICT,
        "至少需要3名专家",
    );
    let form = app
        .get(&format!("/ministry/applications/{id}"), Some(&miit.cookie))
        .await;
    assert!(form.body.contains("expert_zj") && form.body.contains("须回避"));
    refused(
        &assign(&app, &miit, id, "expert_zj").await,
        StatusCode::CONFLICT,
        "须回避",
    );
    for e in ["expert_js", "expert_bj", "expert_gd"] {
        ok(&assign(&app, &miit, id, e).await);
    }
    refused(
        &assign(&app, &miit, id, "expert_js").await,
        StatusCode::CONFLICT,
        "已分配",
    );
    ok(&ministry_step(&app, &miit, id, "start_expert_review", "").await);
    assert_eq!(application(&app, id).await.state, WfState::ExpertReview);
    refused(
        &ministry_step(&app, &miit, id, "shortlist", "").await,
        StatusCode::CONFLICT,
        "须全部专家提交评分",
    );

    // Three experts: declare, then score.
    for (e, first, rest) in [
        ("expert_js", "85", "80"),
        ("expert_bj", "70", "76"),
        ("expert_gd", "90", "88"),
    ] {
        let b = app.login(e).await;
        let list = app.get("/expert", Some(&b.cookie)).await;
        assert!(list.body.contains("永康市五金产业集群"), "{}", list.body);
        let a = assignment_of(&app, id, e).await;
        ok(&declare(&app, &b, a).await);
        ok(&score(&app, &b, a, first, rest).await);
        let done = app
            .get(&format!("/expert/assignments/{a}"), Some(&b.cookie))
            .await;
        assert!(done.body.contains("已提交"), "{}", done.body);
    }

    // Aggregated: mean per criterion and overall, each expert's spread.
    let page = app
        .get(&format!("/ministry/applications/{id}"), Some(&miit.cookie))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    // C1.quality: (85 + 70 + 90) / 3 = 81.7.
    assert!(page.body.contains("81.7"), "{}", page.body);
    assert!(page.body.contains("建议认定 3 人"));
    {
        let mut conn = app.db.acquire().await.unwrap();
        let agg = experts::aggregate(&mut conn, &application(&app, id).await)
            .await
            .unwrap();
        assert!(agg.complete());
        let n = judgement_ids().len() as f64;
        let js = agg
            .experts
            .iter()
            .find(|e| e.assignment.expert_name == "expert_js")
            .unwrap();
        assert_eq!((js.min, js.max), (80, 85));
        assert!((js.mean - (85.0 + 80.0 * (n - 1.0)) / n).abs() < 1e-9);
        assert!(js.std > 0.0);
    }
    ok(&ministry_step(&app, &miit, id, "shortlist", "综合评分较高").await);

    // The notice: 5 working days from Friday 2024-09-27 across National Day (9-29 is a
    // 调休 working day, 10-01..10-07 off) ends on Wednesday 2024-10-09.
    ok(&open_notice(&app, &fx, "2024-09-27").await);
    let page = app
        .get(
            &format!("/ministry/batches/{}", fx.batch),
            Some(&miit.cookie),
        )
        .await;
    assert!(page.body.contains("2024-10-09"), "{}", page.body);
    assert_eq!(application(&app, id).await.state, WfState::InPublicNotice);
    // Before it starts, the public page does not list it.
    let (early, _, _) = notice_page(&app).await;
    assert!(!early.body.contains("永康市五金产业集群"));

    // A member of the public objects during the notice, with name, contact and evidence.
    app.clock.set(at("2024-09-27T10:00:00+08:00"));
    let (page, csrf, cookie) = notice_page(&app).await;
    assert!(page.body.contains("永康市五金产业集群") && page.body.contains("2024-10-09"));
    assert!(page.body.contains("enctype=\"multipart/form-data\""));
    let notice = current_notice(&app, &fx).await;
    let r = object(
        &app,
        notice,
        &cookie,
        &csrf,
        id,
        "张三",
        "13800000000",
        &[("统计年鉴摘录.pdf", PDF)],
        "203.0.113.7",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("异议已受理"));
    assert_eq!(objection_count(&app, id).await, (1, 1));

    // Publication waits for the end of the notice: refused on its last day too.
    for day in ["2024-09-30T10:00:00+08:00", "2024-10-09T23:59:00+08:00"] {
        app.clock.set(at(day));
        let miit = app.login("miit").await;
        let r = app
            .post_form(
                &format!("/ministry/batches/{}/publish", fx.batch),
                &[("csrf", &miit.csrf)],
                Some(&miit.cookie),
            )
            .await;
        refused(&r, StatusCode::CONFLICT, "公示期至2024-10-09结束");
        assert_eq!(application(&app, id).await.state, WfState::InPublicNotice);
    }

    // After it: the undecided objection still holds it.
    app.clock.set(at("2024-10-10T09:00:00+08:00"));
    let miit = app.login("miit").await;
    let publish = |b: &Browser| {
        let csrf = b.csrf.clone();
        let cookie = b.cookie.clone();
        let path = format!("/ministry/batches/{}/publish", fx.batch);
        let app = &app;
        async move {
            app.post_form(&path, &[("csrf", &csrf)], Some(&cookie))
                .await
        }
    };
    refused(&publish(&miit).await, StatusCode::CONFLICT, "异议尚未处理");
    let objection = {
        let mut conn = app.db.acquire().await.unwrap();
        notices::objections_for(&mut conn, id).await.unwrap()[0].clone()
    };
    let page = app
        .get(&format!("/ministry/applications/{id}"), Some(&miit.cookie))
        .await;
    assert!(page.body.contains("张三") && page.body.contains("统计年鉴摘录.pdf"));
    // The evidence file can be opened by the ministry.
    let file = {
        let mut conn = app.db.acquire().await.unwrap();
        attachments::list(&mut conn, "objection", objection.id)
            .await
            .unwrap()[0]
            .id
    };
    let r = app
        .get(
            &format!("/ministry/objections/{}/files/{file}", objection.id),
            Some(&miit.cookie),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.starts_with("%PDF-"));
    // A decision needs its reasons.
    let decide = |decision: &'static str, reason: &'static str| {
        let csrf = miit.csrf.clone();
        let cookie = miit.cookie.clone();
        let path = format!("/ministry/objections/{}/decision", objection.id);
        let app = &app;
        async move {
            app.post_form(
                &path,
                &[("csrf", &csrf), ("decision", decision), ("reason", reason)],
                Some(&cookie),
            )
            .await
        }
    };
    refused(
        &decide("dismissed", " ").await,
        StatusCode::CONFLICT,
        "必须写明理由",
    );
    ok(&decide(
        "dismissed",
        "经核查，产值数据与统计部门口径一致，异议不成立",
    )
    .await);
    refused(
        &decide("upheld", "再议").await,
        StatusCode::CONFLICT,
        "已处理",
    );

    // Published: recognised for three years from the publication date (第十五条).
    let r = publish(&miit).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains("有效期 2024-10-10 至 2027-10-09"),
        "{}",
        r.body
    );
    assert_eq!(application(&app, id).await.state, WfState::Recognized);
    {
        let mut conn = app.db.acquire().await.unwrap();
        let rec = recognitions::for_application(&mut conn, id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(rec.valid_from.to_string(), "2024-10-10");
        assert_eq!(rec.valid_until.to_string(), "2027-10-09");
        assert_eq!(rec.status, "active");
        let c = clusters::get(&mut conn, &Scope::National, fx.yongkang)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(c.tier, Tier::National);
        let o = notices::objection(&mut conn, objection.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(o.status, notices::ObjectionStatus::Dismissed);
    }
    // Nothing left to publish.
    refused(
        &publish(&miit).await,
        StatusCode::CONFLICT,
        "没有公示中的申报",
    );

    // The public list, no login.
    for path in [
        "/recognized".to_string(),
        format!("/batches/{}/recognized", fx.batch),
    ] {
        let r = app.get(&path, None).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("永康市五金产业集群"), "{}", r.body);
        assert!(r.body.contains("2024-10-10 至 2027-10-09"));
        assert!(r.body.contains("浙江省金华市永康市"));
    }
    // And the notice page no longer lists it.
    let (page, _, _) = notice_page(&app).await;
    assert!(!page.body.contains("对“永康市五金产业集群”提出异议"));

    // Every step is on the audit chain, and the chain holds.
    let events = all_events(&app, &fx, id).await;
    audit_ok_with(
        &events,
        &[
            "open_batch",
            "receive",
            "assign_expert",
            "start_expert_review",
            "declare_no_conflict",
            "expert_score",
            "shortlist",
            "open_notice",
            "file_objection",
            "upload",
            "decide_objection",
            "recognize",
            "recognition",
        ],
    );
    // No personal data of the objector in the log.
    assert!(events.iter().all(|e| {
        !e.detail.contains("13800000000")
            && !e.detail.contains("张三")
            && e.comment
                .as_deref()
                .is_none_or(|c| !c.contains("13800000000"))
    }));
    let v = audit::verify(&app.db).await.unwrap();
    assert!(v.broken.is_none(), "{v:?}");
}
crate::both!(draft_to_recognized_with_a_dismissed_objection);

async fn an_upheld_objection_rejects_the_cluster(app: TestApp) {
    let fx = setup(&app).await;
    let id = shortlisted(&app, &fx).await;
    ok(&open_notice(&app, &fx, "2024-09-27").await);
    app.clock.set(at("2024-09-30T15:00:00+08:00"));
    let (_, csrf, cookie) = notice_page(&app).await;
    let notice = current_notice(&app, &fx).await;
    let r = object(
        &app,
        notice,
        &cookie,
        &csrf,
        id,
        "李四",
        "lisi@example.com",
        &[
            ("环评处罚决定书.pdf", PDF),
            ("现场照片.png", b"\x89PNG\r\n\x1a\nimage"),
        ],
        "198.51.100.4",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(objection_count(&app, id).await, (1, 2));
    let o = {
        let mut conn = app.db.acquire().await.unwrap();
        notices::objections_for(&mut conn, id).await.unwrap()[0].clone()
    };
    let miit = app.login("miit").await;
    ok(&app
        .post_form(
            &format!("/ministry/objections/{}/decision", o.id),
            &[
                ("csrf", &miit.csrf),
                ("decision", "upheld"),
                ("reason", "经核查，2021年发生较大环境事件，属否决项"),
            ],
            Some(&miit.cookie),
        )
        .await);
    // Upheld: rejected at once, with the reason on the record.
    let a = application(&app, id).await;
    assert_eq!(a.state, WfState::Rejected);
    {
        let mut conn = app.db.acquire().await.unwrap();
        let ts = applications::transitions(&mut conn, id).await.unwrap();
        let last = ts.last().unwrap();
        assert_eq!(last.action.as_str(), "uphold_objection");
        assert!(last.comment.as_deref().unwrap().contains("较大环境事件"));
        assert!(
            recognitions::for_application(&mut conn, id)
                .await
                .unwrap()
                .is_none()
        );
        let c = clusters::get(&mut conn, &Scope::National, fx.yongkang)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(c.tier, Tier::Provincial);
    }
    let page = app
        .get(&format!("/ministry/applications/{id}"), Some(&miit.cookie))
        .await;
    assert!(page.body.contains("异议成立") && page.body.contains("较大环境事件"));
    // After the notice: nothing to publish, and the public list stays empty.
    app.clock.set(at("2024-10-10T09:00:00+08:00"));
    let miit = app.login("miit").await;
    let r = app
        .post_form(
            &format!("/ministry/batches/{}/publish", fx.batch),
            &[("csrf", &miit.csrf)],
            Some(&miit.cookie),
        )
        .await;
    refused(&r, StatusCode::CONFLICT, "没有公示中的申报");
    let r = app
        .get(&format!("/batches/{}/recognized", fx.batch), None)
        .await;
    assert!(!r.body.contains("永康市五金产业集群"));
    let v = audit::verify(&app.db).await.unwrap();
    assert!(v.broken.is_none(), "{v:?}");
}
crate::both!(an_upheld_objection_rejects_the_cluster);

// ---- refused paths --------------------------------------------------------------------

async fn expert_refusals(app: TestApp) {
    let fx = setup(&app).await;
    let id = recommended(&app, &fx).await;
    let miit = app.login("miit").await;
    ok(&ministry_step(&app, &miit, id, "receive", "").await);
    // A conflicted expert: refused with the reason, nothing assigned.
    let r = assign(&app, &miit, id, "expert_zj").await;
    refused(&r, StatusCode::CONFLICT, "须回避");
    assert!(r.body.contains("330000"), "{}", r.body);
    {
        let mut conn = app.db.acquire().await.unwrap();
        assert!(
            experts::for_application(&mut conn, id)
                .await
                .unwrap()
                .is_empty()
        );
    }
    for e in ["expert_js", "expert_bj", "expert_gd"] {
        ok(&assign(&app, &miit, id, e).await);
    }
    ok(&ministry_step(&app, &miit, id, "start_expert_review", "").await);

    let b = app.login("expert_js").await;
    let a = assignment_of(&app, id, "expert_js").await;
    // Scoring before the no-conflict declaration.
    refused(
        &score(&app, &b, a, "80", "80").await,
        StatusCode::CONFLICT,
        "请先声明",
    );
    let page = app
        .get(&format!("/expert/assignments/{a}"), Some(&b.cookie))
        .await;
    assert!(page.body.contains("声明无利益冲突") && !page.body.contains("提交评分</button>"));
    // Another expert's assignment is not theirs to see.
    let other = assignment_of(&app, id, "expert_bj").await;
    assert_eq!(
        app.get(&format!("/expert/assignments/{other}"), Some(&b.cookie))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(declare(&app, &b, other).await.status, StatusCode::NOT_FOUND);
    // Declared; a score of 101 is refused with what is wrong, the typed values kept.
    ok(&declare(&app, &b, a).await);
    let r = score(&app, &b, a, "101", "80").await;
    refused(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "须为 0 至 100 之间的整数",
    );
    assert!(r.body.contains("分数为 101") && r.body.contains("value=\"101\""));
    let r = score(&app, &b, a, "-1", "80").await;
    refused(&r, StatusCode::UNPROCESSABLE_ENTITY, "分数为 -1");
    {
        let mut conn = app.db.acquire().await.unwrap();
        assert!(experts::scores(&mut conn, a).await.unwrap().is_empty());
    }
    // A missing comment.
    let ids = judgement_ids();
    let mut fields: Vec<(String, String)> = vec![("csrf".into(), b.csrf.clone())];
    for id in &ids {
        fields.push((format!("score.{id}"), "80".into()));
        fields.push((format!("comment.{id}"), String::new()));
    }
    let f: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let r = app
        .post_form(
            &format!("/expert/assignments/{a}/scores"),
            &f,
            Some(&b.cookie),
        )
        .await;
    refused(&r, StatusCode::UNPROCESSABLE_ENTITY, "须填写评审意见");
    assert!(r.body.contains("请选择评审建议"));
    // Boundaries 0 and 100 are fine; then the sheet is final.
    ok(&score(&app, &b, a, "0", "100").await);
    refused(
        &score(&app, &b, a, "50", "50").await,
        StatusCode::CONFLICT,
        "不能修改",
    );
    {
        let mut conn = app.db.acquire().await.unwrap();
        let s = experts::scores(&mut conn, a).await.unwrap();
        assert_eq!(s.len(), ids.len());
        assert!(s.iter().any(|x| x.score == 0) && s.iter().any(|x| x.score == 100));
    }
    // Not an expert: the expert pages are closed.
    let province = app.login("zhejiang").await;
    assert_eq!(
        app.get("/expert", Some(&province.cookie)).await.status,
        StatusCode::FORBIDDEN
    );
    let v = audit::verify(&app.db).await.unwrap();
    assert!(v.broken.is_none(), "{v:?}");
}
crate::both!(expert_refusals);

async fn objections_without_name_contact_or_evidence_are_not_accepted(app: TestApp) {
    let fx = setup(&app).await;
    let id = shortlisted(&app, &fx).await;
    ok(&open_notice(&app, &fx, "2024-09-27").await);
    let notice = current_notice(&app, &fx).await;

    // Before the notice starts: 不予受理.
    let (_, csrf, cookie) = notice_page(&app).await;
    let r = object(
        &app,
        notice,
        &cookie,
        &csrf,
        id,
        "张三",
        "13800000000",
        &[("a.pdf", PDF)],
        "192.0.2.1",
    )
    .await;
    refused(&r, StatusCode::CONFLICT, "不在公示期内");

    app.clock.set(at("2024-09-29T10:00:00+08:00"));
    let (_, csrf, cookie) = notice_page(&app).await;
    let events_before = audit_events(&app).await;
    let cases: [(&str, &str, Files, &str); 5] = [
        ("张三", "13800000000", &[], "未提供佐证材料"),
        ("", "13800000000", &[("a.pdf", PDF)], "未填写真实姓名"),
        ("匿名", "13800000000", &[("a.pdf", PDF)], "匿名异议不予受理"),
        ("张三", "", &[("a.pdf", PDF)], "未填写联系方式"),
        (
            "张三",
            "zs@example.com",
            &[("a.exe", b"MZ\x90\x00")],
            "只接受",
        ),
    ];
    for (i, (name, contact, files, reason)) in cases.iter().enumerate() {
        let r = object(
            &app,
            notice,
            &cookie,
            &csrf,
            id,
            name,
            contact,
            files,
            &format!("192.0.2.{}", 10 + i),
        )
        .await;
        refused(&r, StatusCode::UNPROCESSABLE_ENTITY, "不予受理");
        assert!(r.body.contains(reason), "expected «{reason}» in {}", r.body);
        assert!(r.body.contains("未保存任何信息和文件"));
    }
    // Nothing stored: no objection, no file, no audit event.
    assert_eq!(objection_count(&app, id).await, (0, 0));
    assert_eq!(audit_events(&app).await, events_before);
    // A forged or missing CSRF token.
    let r = object(
        &app,
        notice,
        &cookie,
        "forged",
        id,
        "张三",
        "13800000000",
        &[("a.pdf", PDF)],
        "192.0.2.50",
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // An application not in the notice answers 404.
    let r = object(
        &app,
        notice,
        &cookie,
        &csrf,
        id + 1000,
        "张三",
        "13800000000",
        &[("a.pdf", PDF)],
        "192.0.2.51",
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // Rate limits: three per contact per hour, then 429 (also with the contact spelled
    // differently); ten per address per hour.
    for i in 0..3 {
        let r = object(
            &app,
            notice,
            &cookie,
            &csrf,
            id,
            "王五",
            "139 0000 0000",
            &[("a.pdf", PDF)],
            &format!("192.0.2.{}", 100 + i),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let r = object(
        &app,
        notice,
        &cookie,
        &csrf,
        id,
        "王五",
        "13900000000",
        &[("a.pdf", PDF)],
        "192.0.2.110",
    )
    .await;
    refused(&r, StatusCode::TOO_MANY_REQUESTS, "每小时最多提交 3 件");
    assert_eq!(objection_count(&app, id).await, (3, 3));
    for i in 0..10 {
        let r = object(
            &app,
            notice,
            &cookie,
            &csrf,
            id,
            "赵六",
            &format!("1370000000{i}"),
            &[],
            "192.0.2.200",
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let r = object(
        &app,
        notice,
        &cookie,
        &csrf,
        id,
        "赵六",
        "13600000000",
        &[("a.pdf", PDF)],
        "192.0.2.200",
    )
    .await;
    refused(&r, StatusCode::TOO_MANY_REQUESTS, "同一网络地址");
    // An hour later the contact may object again.
    app.clock.advance(chrono::Duration::minutes(61));
    let r = object(
        &app,
        notice,
        &cookie,
        &csrf,
        id,
        "王五",
        "13900000000",
        &[("a.pdf", PDF)],
        "192.0.2.111",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(objection_count(&app, id).await, (4, 4));
    let v = audit::verify(&app.db).await.unwrap();
    assert!(v.broken.is_none(), "{v:?}");
}
crate::both!(objections_without_name_contact_or_evidence_are_not_accepted);

async fn recognising_before_the_notice_ends_is_refused(app: TestApp) {
    let fx = setup(&app).await;
    let id = shortlisted(&app, &fx).await;
    // A start date in the past is refused.
    refused(
        &open_notice(&app, &fx, "2024-09-19").await,
        StatusCode::CONFLICT,
        "早于今天",
    );
    ok(&open_notice(&app, &fx, "2024-09-27").await);
    // A second notice while this one is open is refused.
    refused(
        &open_notice(&app, &fx, "2024-09-28").await,
        StatusCode::CONFLICT,
        "不能另行公示",
    );
    {
        let mut conn = app.db.acquire().await.unwrap();
        let n = &notices::for_batch(&mut conn, fx.batch).await.unwrap()[0];
        assert_eq!(n.end_date.to_string(), "2024-10-09");
        assert_eq!(n.working_days, 5);
    }
    // Day by day up to the end date: still refused, state unchanged.
    let publish = async |app: &TestApp| {
        let miit = app.login("miit").await;
        app.post_form(
            &format!("/ministry/batches/{}/publish", fx.batch),
            &[("csrf", &miit.csrf)],
            Some(&miit.cookie),
        )
        .await
    };
    refused(
        &publish(&app).await,
        StatusCode::CONFLICT,
        "公示期至2024-10-09结束，结束前不能认定发布",
    );
    app.clock.set(at("2024-10-09T16:00:00+08:00"));
    refused(
        &publish(&app).await,
        StatusCode::CONFLICT,
        "公示期至2024-10-09结束",
    );
    // 2024-10-09 23:30 UTC is already 10 October in China: the notice is over.
    app.clock.set(at("2024-10-09T23:30:00+00:00"));
    let r = publish(&app).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(application(&app, id).await.state, WfState::Recognized);
    let mut conn = app.db.acquire().await.unwrap();
    let rec = recognitions::for_application(&mut conn, id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(rec.valid_from.to_string(), "2024-10-10");
}
crate::both!(recognising_before_the_notice_ends_is_refused);

async fn wrong_role_and_wrong_jurisdiction_are_refused(app: TestApp) {
    let fx = setup(&app).await;
    let id = recommended(&app, &fx).await;
    let miit = app.login("miit").await;
    ok(&ministry_step(&app, &miit, id, "receive", "").await);
    for e in ["expert_js", "expert_bj", "expert_gd"] {
        ok(&assign(&app, &miit, id, e).await);
    }
    ok(&ministry_step(&app, &miit, id, "start_expert_review", "").await);
    let before = application(&app, id).await;

    // The province that recommended it tries to shortlist it: refused by role.
    let zhejiang = app.login("zhejiang").await;
    refused(
        &ministry_step(&app, &zhejiang, id, "shortlist", "").await,
        StatusCode::CONFLICT,
        "只能由工业和信息化部执行",
    );
    refused(
        &assign(&app, &zhejiang, id, "expert_js").await,
        StatusCode::CONFLICT,
        "只能由工业和信息化部执行",
    );
    assert_eq!(
        app.get(
            &format!("/ministry/applications/{id}"),
            Some(&zhejiang.cookie)
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get("/ministry", Some(&zhejiang.cookie)).await.status,
        StatusCode::FORBIDDEN
    );
    let r = app
        .post_form(
            &format!("/ministry/batches/{}/publish", fx.batch),
            &[("csrf", &zhejiang.csrf)],
            Some(&zhejiang.cookie),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    // Another provincial-level authority (宁波) cannot even see it.
    let ningbo = app.login("ningbo").await;
    for path in [
        format!("/applications/{id}"),
        format!("/ministry/applications/{id}"),
    ] {
        assert_eq!(
            app.get(&path, Some(&ningbo.cookie)).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    assert_eq!(
        ministry_step(&app, &ningbo, id, "shortlist", "")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        assign(&app, &ningbo, id, "expert_js").await.status,
        StatusCode::NOT_FOUND
    );
    // An expert is not the ministry either.
    let expert = app.login("expert_js").await;
    assert_eq!(
        app.get(
            &format!("/ministry/batches/{}", fx.batch),
            Some(&expert.cookie)
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    // Nothing changed; the forged CSRF token is refused too.
    assert_eq!(application(&app, id).await, before);
    let r = app
        .post_form(
            &format!("/ministry/applications/{id}/action"),
            &[("csrf", "forged"), ("action", "reject"), ("comment", "x")],
            Some(&miit.cookie),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Rejecting needs a reason.
    refused(
        &ministry_step(&app, &miit, id, "reject", "").await,
        StatusCode::CONFLICT,
        "必须填写意见或理由",
    );
    assert_eq!(application(&app, id).await, before);
    ok(&ministry_step(&app, &miit, id, "reject", "复审发现主导产业占比数据不实").await);
    assert_eq!(application(&app, id).await.state, WfState::Rejected);
    let v = audit::verify(&app.db).await.unwrap();
    assert!(v.broken.is_none(), "{v:?}");
}
crate::both!(wrong_role_and_wrong_jurisdiction_are_refused);

async fn batch_form_says_what_is_wrong(app: TestApp) {
    let fx = setup(&app).await;
    let miit = app.login("miit").await;
    let r = app
        .post_form(
            "/ministry/batches",
            &[
                ("csrf", &miit.csrf),
                ("year", "22"),
                ("title", ""),
                ("edition", "yunnan"),
                ("county_deadline", "2022-11-20"),
                ("province_deadline", "2022-10-31"),
                ("quota_default", "-1"),
                ("quota_small", "3"),
                ("quota_overrides", "999999=2"),
                ("notice_days", "0"),
                ("annual_report_due", "02-30"),
            ],
            Some(&miit.cookie),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    for m in [
        "年度「22」",
        "请填写批次名称",
        "不是国家级标准",
        "晚于省级推荐截止日期",
        "各省推荐名额",
        "999999",
        "公示期「0」",
        "年度报告截止日「02-30」",
    ] {
        assert!(r.body.contains(m), "expected «{m}» in {}", r.body);
    }
    let page = app
        .get(
            &format!("/ministry/batches/{}", fx.batch),
            Some(&miit.cookie),
        )
        .await;
    assert!(
        page.body
            .contains("各省、自治区、直辖市 5 个；计划单列市、兵团 3 个")
    );
    // Only the good batch exists; the quota override is stored.
    let mut conn = app.db.acquire().await.unwrap();
    let all = jiqun_store::batches::list(&mut conn).await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(
        jiqun_store::batches::quota_for(&mut conn, &all[0], "330200")
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        jiqun_store::batches::quota_for(&mut conn, &all[0], "660000")
            .await
            .unwrap(),
        3
    );
}
crate::both!(batch_form_says_what_is_wrong);
