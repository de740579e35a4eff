//! Dynamic management (crates/store/src/dynamic.rs), on SQLite and PostgreSQL: three years
//! of annual reports with one late, reminders exactly once, changes, incidents, revocation
//! cases, re-examinations that pass and fail, expiry without re-examination, and the
//! refused paths (wrong role, another jurisdiction, a year not yet ended, no reasons).

use crate::support::{actor, at, day, org};
use chrono::{DateTime, NaiveDate, Utc};
use jiqun_domain::declaration::{IncidentKind, IncidentLevel};
use jiqun_domain::dynamic::{self as rules, ChangeKind};
use jiqun_domain::generate::{GenerateParams, generate_one, to_json};
use jiqun_domain::role::Role;
use jiqun_store::applications::{self, Actor};
use jiqun_store::batches::{self, NewBatch};
use jiqun_store::clusters::{self, NewCluster, Tier};
use jiqun_store::dynamic::{self, NewChange, NewIncident};
use jiqun_store::orgs::{self, OrgKind};
use jiqun_store::testing::TestDb;
use jiqun_store::{Db, Scope, StoreError, audit, jobs, migrate};
use serde_json::{Value, json};

struct World {
    county: Actor,
    province: Actor,
    other_province: Actor,
    ministry: Actor,
}

async fn world(db: &Db) -> World {
    migrate::run(db, at(2022, 1, 1)).await.unwrap();
    let mut conn = db.acquire().await.unwrap();
    let miit = org(&mut conn, orgs::MINISTRY_CODE, OrgKind::Ministry, None).await;
    let zj = org(&mut conn, "330000", OrgKind::Province, Some("330000")).await;
    let js = org(&mut conn, "320000", OrgKind::Province, Some("320000")).await;
    let yw = org(&mut conn, "330782", OrgKind::County, Some("330000")).await;
    World {
        county: actor(&mut conn, "yiwu", yw, "330782", Role::County).await,
        province: actor(&mut conn, "zhejiang", zj, "330000", Role::Province).await,
        other_province: actor(&mut conn, "jiangsu", js, "320000", Role::Province).await,
        ministry: actor(&mut conn, "miit", miit, orgs::MINISTRY_CODE, Role::Ministry).await,
    }
}

/// A recognised cluster: batch, application and recognition rows (the recognition workflow
/// itself is tested elsewhere).
async fn recognised(db: &Db, w: &World, name: &str, from: NaiveDate, due: &str) -> i64 {
    let mut conn = db.acquire().await.unwrap();
    let cluster = clusters::insert(
        &mut conn,
        &NewCluster {
            name,
            county_code: "330782",
            authority_code: "330000",
            leading_industry: "小商品制造",
            industry_codes: &["C2411".to_string()],
            area_km2: None,
            tier: Tier::National,
        },
        at(2022, 1, 1),
    )
    .await
    .unwrap();
    let batch = batches::insert(
        &mut conn,
        &NewBatch {
            level: "national",
            owner_authority: None,
            year: 2022,
            title: &format!("2022年度（{name}）"),
            edition: "2022",
            first_batch: true,
            county_deadline: None,
            province_deadline: None,
            quota_default: 5,
            quota_small: 3,
            notice_days: 5,
            annual_report_due: due,
        },
        at(2022, 1, 1),
    )
    .await
    .unwrap();
    let app = applications::create(
        &mut conn,
        &w.county,
        cluster.id,
        batch.id,
        "{}",
        at(2022, 6, 1),
    )
    .await
    .unwrap();
    let until = jiqun_domain::workflow::valid_until(from);
    sqlx::query(
        "INSERT INTO recognitions (cluster_id, application_id, batch_id, level, valid_from, valid_until,
             status, created_at) VALUES ($1, $2, $3, 'national', $4, $5, 'active', $6) RETURNING id",
    )
    .bind(cluster.id)
    .bind(app.id)
    .bind(batch.id)
    .bind(from.to_string())
    .bind(until.to_string())
    .bind("2022-12-01T00:00:00Z")
    .fetch_one(&mut *conn)
    .await
    .map(|r| sqlx::Row::get::<i64, _>(&r, "id"))
    .unwrap()
}

/// Figures whose window ends with `year`, for the cluster's county, with plan targets.
fn declaration(year: i32) -> Value {
    let g = generate_one(
        &GenerateParams {
            clusters: 1,
            enterprises: 12,
            years: 3,
            seed: 7,
            batch_year: year + 1,
        },
        0,
    );
    let mut v = to_json(&g.declaration).unwrap();
    v["cluster"]["county_code"] = json!("330782");
    v["edition"] = json!("2022");
    v
}

fn report_json(year: i32) -> Value {
    let decl = declaration(year);
    let targets = decl["plan"]["targets"].as_array().map_or(0, Vec::len);
    let progress: Vec<Value> = (0..targets)
        .map(|i| json!({"target": i, "status": "achieved", "actual": 10}))
        .collect();
    json!({"year": year, "declaration": decl, "progress": progress,
           "work_done": "组织供需对接 4 场，新增规上企业 3 家", "problems": "用地紧张", "measures": "盘活存量"})
}

async fn save_and_submit(
    db: &Db,
    w: &World,
    rec: i64,
    year: i32,
    now: DateTime<Utc>,
) -> dynamic::AnnualReportRow {
    let raw = report_json(year);
    let parsed = rules::parse_annual_report(&raw, jiqun_domain::clock::china_date(now)).unwrap();
    let mut tx = db.begin().await.unwrap();
    dynamic::save_report(&mut tx, &w.county, rec, &raw, &parsed, now)
        .await
        .unwrap();
    let r = dynamic::submit_report(&mut tx, &w.county, rec, year, now)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    r
}

async fn run_jobs(db: &Db, now: DateTime<Utc>) -> usize {
    let mut n = 0;
    while let Some(outcome) = jobs::run_one(db, "test", now, chrono::Duration::minutes(5))
        .await
        .unwrap()
    {
        assert!(matches!(outcome, jobs::Outcome::Done { .. }), "{outcome:?}");
        n += 1;
    }
    n
}

async fn reminders(db: &Db) -> Vec<String> {
    sqlx::query_scalar("SELECT title FROM notifications WHERE kind = 'reminder' ORDER BY id")
        .fetch_all(db.pool())
        .await
        .unwrap()
}

async fn sweep(db: &Db, now: DateTime<Utc>) -> dynamic::SweepOutcome {
    let mut tx = db.begin().await.unwrap();
    let out = dynamic::sweep_counted(&mut tx, now).await.unwrap();
    tx.commit().await.unwrap();
    out
}

/// (readable document markers, `output` indicators) of one document in `indicator_values`.
async fn indicator_rows(conn: &mut jiqun_store::Conn, rec: i64, rank: i64) -> (i64, i64) {
    let row = sqlx::query(
        "SELECT COUNT(CASE WHEN metric = 'doc' AND value = 1 THEN 1 END) AS docs,
                COUNT(CASE WHEN metric = 'output' AND year = 0 THEN 1 END) AS outputs
         FROM indicator_values WHERE recognition_id = $1 AND doc_rank = $2",
    )
    .bind(rec)
    .bind(rank)
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    (
        sqlx::Row::get::<i64, _>(&row, "docs"),
        sqlx::Row::get::<i64, _>(&row, "outputs"),
    )
}

/// (year, document) of each `current` row of `y.output` (migration 0013), by year.
async fn current_output_rows(conn: &mut jiqun_store::Conn, rec: i64) -> Vec<(i64, i64)> {
    sqlx::query(
        "SELECT year, doc_rank FROM indicator_values
         WHERE recognition_id = $1 AND metric = 'y.output' AND current = 1 ORDER BY year, doc_rank",
    )
    .bind(rec)
    .fetch_all(&mut *conn)
    .await
    .unwrap()
    .iter()
    .map(|r| {
        (
            sqlx::Row::get::<i64, _>(r, "year"),
            sqlx::Row::get::<i64, _>(r, "doc_rank"),
        )
    })
    .collect()
}

/// The years a document reports (`year` markers).
async fn years_of(conn: &mut jiqun_store::Conn, rec: i64, rank: i64) -> Vec<i64> {
    sqlx::query(
        "SELECT year FROM indicator_values
         WHERE recognition_id = $1 AND doc_rank = $2 AND metric = 'year' ORDER BY year",
    )
    .bind(rec)
    .bind(rank)
    .fetch_all(&mut *conn)
    .await
    .unwrap()
    .iter()
    .map(|r| sqlx::Row::get::<i64, _>(r, "year"))
    .collect()
}

async fn three_years_of_reports_one_late(t: TestDb) {
    let w = world(&t.db).await;
    // Valid 2022-12-01 … 2025-11-30: reports for 2022, 2023, 2024, due 30 April.
    let rec = recognised(&t.db, &w, "义乌小商品集群", day(2022, 12, 1), "04-30").await;
    let mut conn = t.db.acquire().await.unwrap();

    // 2022 has not ended on 31 December 2022.
    let errs = rules::parse_annual_report(&report_json(2022), day(2022, 12, 31)).unwrap_err();
    assert!(
        errs.iter()
            .any(|e| e.path == "year" && e.message.contains("尚未结束"))
    );
    let parsed = rules::parse_annual_report(&report_json(2022), day(2023, 1, 1)).unwrap();
    let err = dynamic::save_report(
        &mut conn,
        &w.county,
        rec,
        &report_json(2022),
        &parsed,
        at(2022, 12, 31),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, StoreError::Invalid(ref m) if m.contains("尚未结束")),
        "{err}"
    );
    // A year outside validity.
    let p2021 = rules::parse_annual_report(&report_json(2021), day(2023, 1, 1)).unwrap();
    let err = dynamic::save_report(
        &mut conn,
        &w.county,
        rec,
        &report_json(2021),
        &p2021,
        at(2023, 2, 1),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, StoreError::Invalid(ref m) if m.contains("2022年、2023年、2024年")),
        "{err}"
    );
    // Only the county files.
    let err = dynamic::save_report(
        &mut conn,
        &w.province,
        rec,
        &report_json(2022),
        &parsed,
        at(2023, 2, 1),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, StoreError::Refused(ref m) if m.contains("县级")),
        "{err}"
    );
    drop(conn);

    // Reminders: nothing 31 days before; the 30-day one on 31 March, once however often the
    // sweep runs; the 7-day one on 23 April.
    assert_eq!(sweep(&t.db, at(2023, 3, 30)).await.reminders_enqueued, 0);
    assert_eq!(sweep(&t.db, at(2023, 3, 31)).await.reminders_enqueued, 1);
    assert_eq!(sweep(&t.db, at(2023, 3, 31)).await.reminders_enqueued, 0);
    assert_eq!(sweep(&t.db, at(2023, 4, 10)).await.reminders_enqueued, 0);
    assert_eq!(run_jobs(&t.db, at(2023, 4, 10)).await, 1);
    assert_eq!(sweep(&t.db, at(2023, 4, 23)).await.reminders_enqueued, 1);
    assert_eq!(run_jobs(&t.db, at(2023, 4, 23)).await, 1);
    assert_eq!(run_jobs(&t.db, at(2023, 4, 23)).await, 0);
    let sent = reminders(&t.db).await;
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert!(
        sent[0].contains("2022年度培育情况 2023-04-30 截止"),
        "{sent:?}"
    );

    // 2022: filed on time, returned once, then accepted.
    let r = save_and_submit(&t.db, &w, rec, 2022, at(2023, 4, 25)).await;
    assert_eq!((r.status.as_str(), r.late), ("submitted", false));
    let mut conn = t.db.acquire().await.unwrap();
    let err = dynamic::review_report(
        &mut conn,
        &w.other_province,
        rec,
        2022,
        true,
        "",
        at(2023, 4, 26),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, StoreError::NotFound),
        "another province sees nothing: {err}"
    );
    let err = dynamic::review_report(
        &mut conn,
        &w.province,
        rec,
        2022,
        false,
        "  ",
        at(2023, 4, 26),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, StoreError::Invalid(ref m) if m.contains("退回意见")),
        "{err}"
    );
    let back = dynamic::review_report(
        &mut conn,
        &w.province,
        rec,
        2022,
        false,
        "请补充问题与措施",
        at(2023, 4, 26),
    )
    .await
    .unwrap();
    assert_eq!(back.status, "draft");
    // The indicator table (migration 0010): a returned report is no longer filed, so its
    // numbers leave the dashboards; filing it again writes them back, in the same
    // transaction as the submission.
    assert_eq!(indicator_rows(&mut conn, rec, 2022).await, (0, 0));
    // …and no trend figure comes from it any more (migration 0013's flag).
    let before = current_output_rows(&mut conn, rec).await;
    assert!(before.iter().all(|(_, rank)| *rank != 2022), "{before:?}");
    drop(conn);
    save_and_submit(&t.db, &w, rec, 2022, at(2023, 4, 27)).await;
    let mut conn = t.db.acquire().await.unwrap();
    let (docs, outputs) = indicator_rows(&mut conn, rec, 2022).await;
    assert_eq!((docs, outputs), (1, 1));
    // Filed again: the years the report covers come from it, the others stay as they were,
    // one current row per year.
    let reported = years_of(&mut conn, rec, 2022).await;
    assert_eq!(reported.len(), 3, "{reported:?}");
    let mut expected: Vec<(i64, i64)> = before
        .iter()
        .filter(|(y, _)| !reported.contains(y))
        .copied()
        .chain(reported.iter().map(|y| (*y, 2022)))
        .collect();
    expected.sort_unstable();
    assert_eq!(current_output_rows(&mut conn, rec).await, expected);
    let ok = dynamic::review_report(&mut conn, &w.province, rec, 2022, true, "", at(2023, 4, 28))
        .await
        .unwrap();
    assert_eq!(ok.status, "accepted");
    // No more reminders for a filed report.
    drop(conn);
    assert_eq!(sweep(&t.db, at(2023, 4, 29)).await.reminders_enqueued, 0);

    // 2023: missed. Overdue on 1 May 2024 → one R3 candidate, not two.
    assert_eq!(sweep(&t.db, at(2024, 4, 30)).await.cases_opened, 0);
    assert_eq!(sweep(&t.db, at(2024, 5, 1)).await.cases_opened, 1);
    assert_eq!(sweep(&t.db, at(2024, 5, 2)).await.cases_opened, 0);
    let mut conn = t.db.acquire().await.unwrap();
    let lists = dynamic::lists(&mut conn, &w.province.scope, day(2024, 5, 2))
        .await
        .unwrap();
    assert_eq!(lists.overdue.len(), 1);
    assert_eq!(lists.overdue[0].1.year, 2023);
    assert_eq!(lists.open_cases.len(), 1);
    assert_eq!(lists.open_cases[0].case.ground, rules::Ground::R3);
    assert_eq!(lists.open_cases[0].case.status, "candidate");
    let none = dynamic::lists(&mut conn, &w.other_province.scope, day(2024, 5, 2))
        .await
        .unwrap();
    assert!(none.overdue.is_empty() && none.open_cases.is_empty());
    drop(conn);
    // Filed late: recorded as late, no longer overdue.
    let late = save_and_submit(&t.db, &w, rec, 2023, at(2024, 5, 10)).await;
    assert!(late.late);
    let mut conn = t.db.acquire().await.unwrap();
    let lists = dynamic::lists(&mut conn, &Scope::National, day(2024, 5, 10))
        .await
        .unwrap();
    assert!(lists.overdue.is_empty());
    assert_eq!(lists.to_review.len(), 1);
    drop(conn);

    // 2024: on time.
    let r = save_and_submit(&t.db, &w, rec, 2024, at(2025, 3, 1)).await;
    assert!(!r.late);
    let mut conn = t.db.acquire().await.unwrap();
    let m = dynamic::managed(&mut conn, &Scope::National, rec)
        .await
        .unwrap()
        .unwrap();
    let schedule = dynamic::report_schedule(&mut conn, &m, day(2025, 3, 2))
        .await
        .unwrap();
    assert_eq!(schedule.len(), 3);
    assert!(
        schedule
            .iter()
            .all(|d| d.report.as_ref().is_some_and(|r| r.is_filed()))
    );
    // Submitting twice is refused.
    let err = dynamic::submit_report(&mut conn, &w.county, rec, 2024, at(2025, 3, 2))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Refused(_)), "{err}");
    // Three filed reports with overlapping windows: each year's trend figure comes from the
    // latest report covering it, once (migration 0013).
    let mut latest: std::collections::BTreeMap<i64, i64> = before.iter().copied().collect();
    for rank in [2022, 2023, 2024] {
        for y in years_of(&mut conn, rec, rank).await {
            latest.insert(y, rank);
        }
    }
    let now = current_output_rows(&mut conn, rec).await;
    assert_eq!(now, latest.into_iter().collect::<Vec<_>>());
    assert!(
        now.contains(&(2023, 2024)) && now.contains(&(2022, 2024)),
        "{now:?}"
    );
    // The distributions' whole-document values: the latest readable document only (0015).
    let current_output: Vec<i64> = sqlx::query(
        "SELECT doc_rank FROM indicator_values
         WHERE recognition_id = $1 AND metric = 'output' AND year = 0 AND current = 1",
    )
    .bind(rec)
    .fetch_all(&mut *conn)
    .await
    .unwrap()
    .iter()
    .map(|r| sqlx::Row::get::<i64, _>(r, "doc_rank"))
    .collect();
    assert_eq!(current_output, vec![2024]);
    drop(conn);
    assert!(audit::verify(&t.db).await.unwrap().broken.is_none());
}
both!(three_years_of_reports_one_late);

async fn changes_incidents_and_cases(t: TestDb) {
    let w = world(&t.db).await;
    let rec = recognised(&t.db, &w, "义乌小商品集群", day(2022, 12, 1), "04-30").await;
    let mut conn = t.db.acquire().await.unwrap();
    let now = at(2023, 6, 1);

    // A reported change of operator: history, no case.
    let c = dynamic::record_change(
        &mut conn,
        &w.county,
        rec,
        &NewChange {
            kind: ChangeKind::Operator,
            after_value: "义乌市小商品产业发展有限公司",
            effective_date: day(2023, 5, 1),
            description: "管委会职能移交",
        },
        now,
    )
    .await
    .unwrap();
    assert_eq!(c.source, "reported");
    // A change of leading industry discovered by the province: R4 candidate, cluster updated.
    let c = dynamic::record_change(
        &mut conn,
        &w.province,
        rec,
        &NewChange {
            kind: ChangeKind::LeadingIndustry,
            after_value: "日用化工",
            effective_date: day(2023, 3, 1),
            description: "现场检查发现",
        },
        now,
    )
    .await
    .unwrap();
    assert_eq!(
        (c.source.as_str(), c.before_value.as_str()),
        ("discovered", "小商品制造")
    );
    let m = dynamic::managed(&mut conn, &Scope::National, rec)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(m.leading_industry, "日用化工");
    // The other province cannot record anything here.
    let err = dynamic::record_change(
        &mut conn,
        &w.other_province,
        rec,
        &NewChange {
            kind: ChangeKind::SpatialScope,
            after_value: "x",
            effective_date: day(2023, 3, 1),
            description: "",
        },
        now,
    )
    .await
    .unwrap_err();
    assert!(matches!(err, StoreError::NotFound));

    // Incidents: a general safety accident is below the veto level; a larger one is not.
    let small = NewIncident {
        kind: IncidentKind::Safety,
        level: IncidentLevel::General,
        occurred_on: day(2023, 5, 20),
        source: "应急管理局通报",
        description: "一般生产安全事故",
    };
    assert!(
        !dynamic::record_incident(&mut conn, &w.province, rec, &small, now)
            .await
            .unwrap()
            .serious
    );
    let err = dynamic::record_incident(&mut conn, &w.county, rec, &small, now)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Refused(_)), "{err}");
    let future = NewIncident {
        occurred_on: day(2023, 6, 2),
        ..small
    };
    let err = dynamic::record_incident(&mut conn, &w.province, rec, &future, now)
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Invalid(ref m) if m.contains("occurred_on")),
        "{err}"
    );
    let larger = NewIncident {
        level: IncidentLevel::Larger,
        description: "较大生产安全事故，3 人死亡",
        ..small
    };
    assert!(
        dynamic::record_incident(&mut conn, &w.ministry, rec, &larger, now)
            .await
            .unwrap()
            .serious
    );
    let cases = dynamic::cases(&mut conn, rec).await.unwrap();
    let grounds: Vec<_> = cases
        .iter()
        .map(|c| (c.ground, c.status.as_str()))
        .collect();
    assert_eq!(
        grounds,
        vec![
            (rules::Ground::R4, "candidate"),
            (rules::Ground::R5, "candidate")
        ]
    );
    let (r4, r5) = (cases[0].id, cases[1].id);

    // Decisions need the ministry and reasons; the province gives opinions.
    let err = dynamic::decide_case(&mut conn, &w.province, r4, false, "理由", now)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Refused(_)), "{err}");
    let err = dynamic::decide_case(&mut conn, &w.ministry, r4, false, "", now)
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Invalid(ref m) if m.contains("决定理由")),
        "{err}"
    );
    let err = dynamic::province_opinion(&mut conn, &w.other_province, r4, "x", now)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound));
    let c = dynamic::province_opinion(
        &mut conn,
        &w.province,
        r4,
        "变更已补充报备，建议不予撤销",
        now,
    )
    .await
    .unwrap();
    assert_eq!(c.status, "open");
    let c = dynamic::decide_case(&mut conn, &w.ministry, r4, false, "已补报，情节轻微", now)
        .await
        .unwrap();
    assert_eq!(c.status, "closed");
    let err = dynamic::decide_case(&mut conn, &w.ministry, r4, true, "再次", now)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Refused(_)), "{err}");

    // Revocation under R5: the recognition ends and is on the public list.
    let c = dynamic::decide_case(
        &mut conn,
        &w.ministry,
        r5,
        true,
        "发生较大安全事故（第十七条（五））",
        now,
    )
    .await
    .unwrap();
    assert_eq!(c.status, "revoked");
    let m = dynamic::managed(&mut conn, &Scope::National, rec)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (m.status.as_str(), m.revoked_ground.as_deref()),
        ("revoked", Some("R5"))
    );
    assert_eq!(m.revoked_on, Some(day(2023, 6, 1)));
    let list = dynamic::revoked_list(&mut conn).await.unwrap();
    assert_eq!(list.len(), 1);
    // Nothing more can be filed on a revoked recognition.
    let err = dynamic::record_incident(&mut conn, &w.province, rec, &larger, now)
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Refused(ref m) if m.contains("已撤销")),
        "{err}"
    );
    let timeline = dynamic::timeline(&mut conn, &m).await.unwrap();
    assert!(timeline.len() >= 6, "{timeline:?}");
    drop(conn);
    assert!(audit::verify(&t.db).await.unwrap().broken.is_none());
}
both!(changes_incidents_and_cases);

fn reexam_json() -> Value {
    let decl = declaration(2024);
    let targets = decl["plan"]["targets"].as_array().map_or(0, Vec::len);
    let progress: Vec<Value> = (0..targets)
        .map(|i| {
            if i == 0 {
                json!({"target": i, "status": "partly", "note": "受市场影响完成 80%"})
            } else {
                json!({"target": i, "status": "achieved"})
            }
        })
        .collect();
    json!({"declaration": decl, "progress": progress, "summary": "三年规划基本完成"})
}

async fn submit_reexam(
    db: &Db,
    w: &World,
    rec: i64,
    now: DateTime<Utc>,
) -> Result<dynamic::Reexam, StoreError> {
    let raw = reexam_json();
    let form = rules::parse_reexam_form(&raw).unwrap();
    let mut conn = db.acquire().await.unwrap();
    dynamic::submit_reexam(&mut conn, &w.county, rec, &raw, &form, now).await
}

async fn reexamination_pass_fail_and_expiry(t: TestDb) {
    let w = world(&t.db).await;
    // Valid 2023-01-15 … 2026-01-14; the window opens 2025-07-14.
    let pass = recognised(&t.db, &w, "甲集群", day(2023, 1, 15), "03-31").await;
    let fail = recognised(&t.db, &w, "乙集群", day(2023, 1, 15), "03-31").await;
    let lapse = recognised(&t.db, &w, "丙集群", day(2023, 1, 15), "03-31").await;

    let err = submit_reexam(&t.db, &w, pass, at(2025, 7, 13))
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Refused(ref m) if m.contains("2025-07-14 至 2026-01-14")),
        "{err}"
    );
    let r = submit_reexam(&t.db, &w, pass, at(2025, 7, 14))
        .await
        .unwrap();
    assert_eq!(r.status, "submitted");
    assert!(r.achievement_rate.is_some());
    let err = submit_reexam(&t.db, &w, pass, at(2025, 7, 15))
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Refused(ref m) if m.contains("已提交")),
        "{err}"
    );
    submit_reexam(&t.db, &w, fail, at(2026, 1, 14))
        .await
        .unwrap();
    {
        let mut conn = t.db.acquire().await.unwrap();
        let l = dynamic::lists(&mut conn, &Scope::National, day(2026, 1, 14))
            .await
            .unwrap();
        let mut pending: Vec<i64> = l.reexams_pending.iter().map(|(m, _)| m.id).collect();
        pending.sort_unstable();
        assert_eq!(pending, vec![pass, fail]);
        // All three end within six months: on the expiring list.
        assert_eq!(l.expiring.len(), 3);
        let none = dynamic::lists(&mut conn, &w.other_province.scope, day(2026, 1, 14))
            .await
            .unwrap();
        assert!(none.reexams_pending.is_empty() && none.expiring.is_empty());
    }

    let mut conn = t.db.acquire().await.unwrap();
    let now = at(2026, 1, 20);
    // The ministry cannot decide before the province has checked.
    let err = dynamic::decide_reexam(&mut conn, &w.ministry, pass, true, "", now)
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Refused(ref m) if m.contains("省级核查")),
        "{err}"
    );
    let err = dynamic::check_reexam(&mut conn, &w.province, fail, false, "", now)
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Invalid(ref m) if m.contains("不通过的理由")),
        "{err}"
    );
    dynamic::check_reexam(&mut conn, &w.province, pass, true, "目标基本完成", now)
        .await
        .unwrap();
    dynamic::check_reexam(
        &mut conn,
        &w.province,
        fail,
        false,
        "产值下降，两项目标未完成",
        now,
    )
    .await
    .unwrap();
    let r = dynamic::decide_reexam(&mut conn, &w.ministry, pass, true, "", now)
        .await
        .unwrap();
    assert_eq!(r.status, "passed");
    let m = dynamic::managed(&mut conn, &Scope::National, pass)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (m.status.as_str(), m.valid_until, m.extensions),
        ("extended", day(2029, 1, 14), 1)
    );
    let err = dynamic::decide_reexam(&mut conn, &w.ministry, fail, false, " ", now)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)), "{err}");
    dynamic::decide_reexam(&mut conn, &w.ministry, fail, false, "规划目标未完成", now)
        .await
        .unwrap();
    let m = dynamic::managed(&mut conn, &Scope::National, fail)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (m.status.as_str(), m.revoked_ground.as_deref()),
        ("revoked", Some("R1"))
    );
    // After the revocation no report is due for the years that end later (2025, due
    // 2026-03-31); the earlier years stay listed.
    let years: Vec<i32> = dynamic::report_schedule(&mut conn, &m, day(2026, 6, 1))
        .await
        .unwrap()
        .iter()
        .map(|d| d.year)
        .collect();
    assert_eq!(years, vec![2023, 2024]);
    drop(conn);

    // Expiry without re-examination: on valid_until still live, the day after revoked (R1).
    let out = sweep(&t.db, at(2026, 1, 14)).await;
    assert_eq!(out.revoked, 0);
    let out = sweep(&t.db, at(2026, 1, 15)).await;
    assert_eq!(out.revoked, 1, "{out:?}");
    let mut conn = t.db.acquire().await.unwrap();
    let m = dynamic::managed(&mut conn, &Scope::National, lapse)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (m.status.as_str(), m.revoked_ground.as_deref()),
        ("revoked", Some("R1"))
    );
    // The extended one lives on.
    let m = dynamic::managed(&mut conn, &Scope::National, pass)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(m.status, "extended");
    let revoked = dynamic::revoked_list(&mut conn).await.unwrap();
    assert_eq!(revoked.len(), 2);
    drop(conn);
    assert_eq!(sweep(&t.db, at(2026, 1, 16)).await.revoked, 0);
    assert!(audit::verify(&t.db).await.unwrap().broken.is_none());
}
both!(reexamination_pass_fail_and_expiry);

/// Saves (or re-saves) the draft report of `year` and returns its stored evaluation.
async fn save_draft(db: &Db, w: &World, rec: i64, year: i32, now: DateTime<Utc>) -> Value {
    let raw = report_json(year);
    let parsed = rules::parse_annual_report(&raw, jiqun_domain::clock::china_date(now)).unwrap();
    let mut tx = db.begin().await.unwrap();
    let r = dynamic::save_report(&mut tx, &w.county, rec, &raw, &parsed, now)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    serde_json::from_str(r.evaluation.as_deref().unwrap()).unwrap()
}

fn verdict(ev: &Value, id: &str) -> (String, String) {
    let v = ev["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap();
    (
        v["status"].as_str().unwrap().to_string(),
        v["explanation"].as_str().unwrap().to_string(),
    )
}

/// Issue 8: C8.policy of an annual report comes from the outreach register as of the end
/// of the report year; P.provincial from the (national) recognition.
async fn annual_report_policy_coverage_from_the_register(t: TestDb) {
    use jiqun_store::outreach::{self, NewPolicy, ReachLine};
    let w = world(&t.db).await;
    let rec = recognised(&t.db, &w, "义乌小商品集群", day(2022, 12, 1), "04-30").await;
    let now = at(2024, 2, 1);
    let ev = save_draft(&t.db, &w, rec, 2023, now).await;
    assert_eq!(verdict(&ev, "P.provincial").0, "pass");
    assert!(
        !ev["checks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == "X.provincial_claim")
    );
    assert_eq!(verdict(&ev, "C8.policy").0, "warning");

    let mut conn = t.db.acquire().await.unwrap();
    let cluster = dynamic::managed(&mut conn, &Scope::National, rec)
        .await
        .unwrap()
        .unwrap()
        .cluster_id;
    let ids = [cluster];
    let policy = |title| NewPolicy {
        title,
        issuer: "浙江省经济和信息化厅",
        issued_on: day(2023, 3, 1),
        cluster_ids: &ids,
    };
    let p1 = outreach::create(
        &mut conn,
        &w.province,
        &policy("浙惠企十条"),
        day(2024, 2, 1),
        now,
    )
    .await
    .unwrap();
    let decl = declaration(2023);
    let usccs: Vec<String> = decl["enterprises"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["uscc"].as_str().unwrap().to_string())
        .collect();
    let names: Vec<String> = decl["enterprises"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap().to_string())
        .collect();
    let line = |i: usize, on: &str| ReachLine {
        line: i + 1,
        uscc: usccs[i].clone(),
        method: "走访".into(),
        on: on.into(),
    };
    let first: Vec<ReachLine> = (0..11).map(|i| line(i, "2023-06-01")).collect();
    outreach::record_reaches(
        &mut conn,
        &w.province,
        cluster,
        p1.id,
        &first,
        "test",
        day(2024, 2, 1),
        now,
    )
    .await
    .unwrap()
    .unwrap();
    // The twelfth reached on 1 January 2024: too late for the 2023 report.
    outreach::record_reaches(
        &mut conn,
        &w.county,
        cluster,
        p1.id,
        &[line(11, "2024-01-01")],
        "test",
        day(2024, 2, 1),
        now,
    )
    .await
    .unwrap()
    .unwrap();
    drop(conn);
    let ev = save_draft(&t.db, &w, rec, 2023, now).await;
    let (status, text) = verdict(&ev, "C8.policy");
    assert_eq!(status, "warning", "{text}");
    assert!(
        text.contains("尚未覆盖 1 家") && text.contains(&usccs[11]) && text.contains(&names[11]),
        "{text}"
    );
    // Reached by a second policy on 31 December 2023: the report passes.
    let mut conn = t.db.acquire().await.unwrap();
    let p2 = outreach::create(
        &mut conn,
        &w.county,
        &policy("义乌稳企八条"),
        day(2024, 2, 1),
        now,
    )
    .await
    .unwrap();
    outreach::record_reaches(
        &mut conn,
        &w.county,
        cluster,
        p2.id,
        &[line(11, "2023-12-31")],
        "test",
        day(2024, 2, 1),
        now,
    )
    .await
    .unwrap()
    .unwrap();
    drop(conn);
    let ev = save_draft(&t.db, &w, rec, 2023, now).await;
    let (status, text) = verdict(&ev, "C8.policy");
    assert_eq!(status, "pass", "{text}");
    assert!(text.contains("均已覆盖"), "{text}");
}
both!(annual_report_policy_coverage_from_the_register);
