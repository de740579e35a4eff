//! Provincial tiers (crates/store/src/tiers.rs), on SQLite and PostgreSQL: a cluster from
//! library entry to provincial recognition with its history, `P.provincial` decided by the
//! record (a false claim flagged), jurisdiction, and the reasons that must be given.

use crate::support::{actor, at, day, org};
use chrono::NaiveDate;
use jiqun_domain::criteria::{Evaluation, Severity, Status};
use jiqun_domain::declaration::Declaration;
use jiqun_domain::generate::{GenerateParams, generate_one};
use jiqun_domain::role::Role;
use jiqun_store::applications::{self, Actor};
use jiqun_store::batches::{self, Batch, NewBatch};
use jiqun_store::clusters::{self, NewCluster, Tier};
use jiqun_store::orgs::OrgKind;
use jiqun_store::outreach;
use jiqun_store::testing::TestDb;
use jiqun_store::tiers::{self, EntryStatus};
use jiqun_store::{Conn, Db, Scope, StoreError, migrate};

struct World {
    county: Actor,
    other_county: Actor,
    province: Actor,
    other_province: Actor,
}

async fn world(db: &Db) -> World {
    migrate::run(db, at(2023, 1, 1)).await.unwrap();
    let mut conn = db.acquire().await.unwrap();
    let zj = org(&mut conn, "330000", OrgKind::Province, Some("330000")).await;
    let js = org(&mut conn, "320000", OrgKind::Province, Some("320000")).await;
    let yw = org(&mut conn, "330782", OrgKind::County, Some("330000")).await;
    let dy = org(&mut conn, "330783", OrgKind::County, Some("330000")).await;
    World {
        county: actor(&mut conn, "yiwu", yw, "330782", Role::County).await,
        other_county: actor(&mut conn, "dongyang", dy, "330783", Role::County).await,
        province: actor(&mut conn, "zhejiang", zj, "330000", Role::Province).await,
        other_province: actor(&mut conn, "jiangsu", js, "320000", Role::Province).await,
    }
}

async fn cluster(db: &Db, name: &str) -> i64 {
    let mut conn = db.acquire().await.unwrap();
    clusters::insert(
        &mut conn,
        &NewCluster {
            name,
            county_code: "330782",
            authority_code: "330000",
            leading_industry: "小商品制造",
            industry_codes: &["C2411".to_string()],
            area_km2: None,
            tier: Tier::Candidate,
        },
        at(2023, 1, 1),
    )
    .await
    .unwrap()
    .id
}

/// The 2024 national batch (not the first), provinces recommending by 2024-06-30.
async fn batch(db: &Db, first: bool) -> Batch {
    let mut conn = db.acquire().await.unwrap();
    batches::insert(
        &mut conn,
        &NewBatch {
            level: "national",
            owner_authority: None,
            year: 2024,
            title: if first { "首批" } else { "2024年度" },
            edition: "2022",
            first_batch: first,
            county_deadline: Some(day(2024, 6, 15)),
            province_deadline: Some(day(2024, 6, 30)),
            quota_default: 5,
            quota_small: 3,
            notice_days: 5,
            annual_report_due: "04-30",
        },
        at(2024, 1, 1),
    )
    .await
    .unwrap()
}

/// A declaration that claims provincial status (`provincial_cluster: true`).
fn declaration() -> Declaration {
    let mut d = generate_one(
        &GenerateParams {
            clusters: 1,
            enterprises: 12,
            years: 3,
            seed: 7,
            batch_year: 2024,
        },
        0,
    )
    .declaration;
    d.edition = "2022".into();
    d.cluster.county_code = "330782".into();
    d.cluster.provincial_cluster = true;
    d
}

fn provincial(ev: &Evaluation) -> Status {
    ev.verdict("P.provincial").unwrap().status
}

fn claim_flagged(ev: &Evaluation) -> bool {
    ev.checks
        .iter()
        .any(|c| c.id == "X.provincial_claim" && c.severity == Severity::Warning)
}

async fn audit_count(conn: &mut Conn, action: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM audit_events WHERE action = $1")
        .bind(action)
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    n
}

async fn library_entry_to_provincial_recognition_and_history(t: TestDb) {
    let w = world(&t.db).await;
    let id = cluster(&t.db, "义乌小商品产业集群").await;
    let b = batch(&t.db, false).await;
    let mut conn = t.db.acquire().await.unwrap();

    let e = tiers::propose(
        &mut conn,
        &w.county,
        id,
        "  年产值 120 亿元，龙头 3 家  ",
        day(2023, 3, 1),
        at(2023, 3, 1),
    )
    .await
    .unwrap();
    assert_eq!(e.status, EntryStatus::Proposed);
    assert_eq!(e.reasons, "年产值 120 亿元，龙头 3 家");
    assert_eq!(e.proposed_by, "330782");
    let e = tiers::accept(
        &mut conn,
        &w.province,
        e.id,
        day(2023, 4, 1),
        at(2023, 4, 1),
    )
    .await
    .unwrap();
    assert_eq!(e.status, EntryStatus::InLibrary);
    assert_eq!(e.entered_on, Some(day(2023, 4, 1)));
    let c = clusters::get(&mut conn, &Scope::National, id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(c.tier, Tier::Library);

    // In the library only: not yet provincial, P.provincial fails outside the first batch.
    let ev = tiers::evaluate_with_record(&mut conn, id, &b, &declaration())
        .await
        .unwrap();
    assert_eq!(provincial(&ev), Status::Fail);
    assert!(claim_flagged(&ev));

    // A recognition dated before the entry is refused; a date in the future too.
    let err = tiers::recognise_provincial(
        &mut conn,
        &w.province,
        e.id,
        day(2023, 3, 1),
        "浙经信〔2023〕1号",
        day(2024, 1, 1),
        at(2024, 1, 1),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, StoreError::Invalid(ref m) if m.contains("入库日期")),
        "{err:?}"
    );
    let err = tiers::recognise_provincial(
        &mut conn,
        &w.province,
        e.id,
        day(2024, 2, 1),
        "浙经信〔2023〕1号",
        day(2024, 1, 1),
        at(2024, 1, 1),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, StoreError::Invalid(ref m) if m.contains("晚于今天")),
        "{err:?}"
    );

    let e = tiers::recognise_provincial(
        &mut conn,
        &w.province,
        e.id,
        day(2023, 12, 20),
        "浙经信企业〔2023〕88号",
        day(2024, 1, 5),
        at(2024, 1, 5),
    )
    .await
    .unwrap();
    assert_eq!(e.status, EntryStatus::Promoted);
    assert_eq!(e.left_on, Some(day(2023, 12, 20)));
    assert_eq!(e.decision_no.as_deref(), Some("浙经信企业〔2023〕88号"));
    let c = clusters::get(&mut conn, &Scope::National, id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(c.tier, Tier::Provincial);

    assert!(
        !tiers::holds_provincial_on(&mut conn, id, day(2023, 12, 19))
            .await
            .unwrap()
    );
    assert!(
        tiers::holds_provincial_on(&mut conn, id, day(2023, 12, 20))
            .await
            .unwrap()
    );
    let ev = tiers::evaluate_with_record(&mut conn, id, &b, &declaration())
        .await
        .unwrap();
    assert_eq!(provincial(&ev), Status::Pass);
    assert!(!claim_flagged(&ev));

    // The national recognition is read from `recognitions`.
    let app = applications::create(&mut conn, &w.county, id, b.id, "{}", at(2024, 5, 1))
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO recognitions (cluster_id, application_id, batch_id, level, valid_from, valid_until,
             status, created_at) VALUES ($1, $2, $3, 'national', '2024-11-01', '2027-10-31', 'active', $4)",
    )
    .bind(id)
    .bind(app.id)
    .bind(b.id)
    .bind("2024-11-01T00:00:00Z")
    .execute(&mut *conn)
    .await
    .unwrap();

    // The county sees its own cluster's history: library → provincial → national, dated.
    let h = tiers::history(&mut conn, &w.county.scope, id)
        .await
        .unwrap();
    let steps: Vec<(&str, NaiveDate, &str)> = h
        .iter()
        .map(|i| (i.source.as_str(), i.on, i.to_tier.as_str()))
        .collect();
    assert_eq!(
        steps,
        [
            ("library_proposal", day(2023, 3, 1), "candidate"),
            ("library_entry", day(2023, 4, 1), "library"),
            ("provincial_recognition", day(2023, 12, 20), "provincial"),
            ("national_recognition", day(2024, 11, 1), "national"),
        ]
    );
    assert!(
        h[2].decision.contains("浙经信企业〔2023〕88号"),
        "{:?}",
        h[2]
    );
    assert_eq!(h[3].from_tier, "provincial");
    assert_eq!(h[1].actor, "zhejiang");
    let entries = tiers::for_cluster(&mut conn, &w.county.scope, id)
        .await
        .unwrap();
    assert_eq!(entries.len(), 1);

    // Every step audited.
    for action in [
        "library_proposal",
        "library_entry",
        "provincial_recognition",
    ] {
        assert_eq!(audit_count(&mut conn, action).await, 1, "{action}");
    }
    drop(conn);
    assert!(
        jiqun_store::audit::verify(&t.db)
            .await
            .unwrap()
            .broken
            .is_none()
    );
}
both!(library_entry_to_provincial_recognition_and_history);

async fn a_false_provincial_claim_is_flagged(t: TestDb) {
    let _w = world(&t.db).await;
    let id = cluster(&t.db, "未入库集群").await;
    let later = batch(&t.db, false).await;
    let first = batch(&t.db, true).await;
    let mut conn = t.db.acquire().await.unwrap();
    // Not the first batch: the record decides and the claim is flagged.
    let ev = tiers::evaluate_with_record(&mut conn, id, &later, &declaration())
        .await
        .unwrap();
    assert_eq!(provincial(&ev), Status::Fail);
    assert!(!ev.eligible);
    assert!(claim_flagged(&ev));
    // The first batch: P.provincial passes (第十二条 首批申请除外), the claim is still flagged.
    let ev = tiers::evaluate_with_record(&mut conn, id, &first, &declaration())
        .await
        .unwrap();
    assert_eq!(provincial(&ev), Status::Pass);
    assert!(claim_flagged(&ev));
    // A declaration that claims nothing is not flagged.
    let mut honest = declaration();
    honest.cluster.provincial_cluster = false;
    let ev = tiers::evaluate_with_record(&mut conn, id, &first, &honest)
        .await
        .unwrap();
    assert!(!claim_flagged(&ev));
}
both!(a_false_provincial_claim_is_flagged);

async fn another_province_sees_nothing(t: TestDb) {
    let w = world(&t.db).await;
    let id = cluster(&t.db, "义乌小商品产业集群").await;
    let mut conn = t.db.acquire().await.unwrap();
    // Another county cannot propose this county's cluster: it does not exist for it.
    let err = tiers::propose(
        &mut conn,
        &w.other_county,
        id,
        "理由",
        day(2023, 3, 1),
        at(2023, 3, 1),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, StoreError::NotFound), "{err:?}");
    // A province cannot propose.
    let err = tiers::propose(
        &mut conn,
        &w.province,
        id,
        "理由",
        day(2023, 3, 1),
        at(2023, 3, 1),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, StoreError::Refused(_)), "{err:?}");
    let e = tiers::propose(
        &mut conn,
        &w.county,
        id,
        "理由",
        day(2023, 3, 1),
        at(2023, 3, 1),
    )
    .await
    .unwrap();
    // A county cannot accept.
    let err = tiers::accept(&mut conn, &w.county, e.id, day(2023, 4, 1), at(2023, 4, 1))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Refused(_)), "{err:?}");
    // Another province: nothing to see, nothing to act on.
    let js = &w.other_province;
    assert!(tiers::list(&mut conn, &js.scope).await.unwrap().is_empty());
    assert!(
        tiers::get(&mut conn, &js.scope, e.id)
            .await
            .unwrap()
            .is_none()
    );
    for err in [
        tiers::accept(&mut conn, js, e.id, day(2023, 4, 1), at(2023, 4, 1))
            .await
            .unwrap_err(),
        tiers::withdraw(
            &mut conn,
            js,
            e.id,
            "不符合",
            day(2023, 4, 1),
            at(2023, 4, 1),
        )
        .await
        .unwrap_err(),
        tiers::history(&mut conn, &js.scope, id).await.unwrap_err(),
        tiers::for_cluster(&mut conn, &js.scope, id)
            .await
            .unwrap_err(),
    ] {
        assert!(matches!(err, StoreError::NotFound), "{err:?}");
    }
    // The other county does not see it either; its own province and county do.
    assert!(
        tiers::list(&mut conn, &w.other_county.scope)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        tiers::list(&mut conn, &w.province.scope)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        tiers::list(&mut conn, &w.county.scope).await.unwrap().len(),
        1
    );
    let e = tiers::get(&mut conn, &w.province.scope, e.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(e.status, EntryStatus::Proposed);
}
both!(another_province_sees_nothing);

async fn reasons_are_required_and_states_enforced(t: TestDb) {
    let w = world(&t.db).await;
    let id = cluster(&t.db, "义乌小商品产业集群").await;
    let mut conn = t.db.acquire().await.unwrap();
    let err = tiers::propose(
        &mut conn,
        &w.county,
        id,
        "   ",
        day(2023, 3, 1),
        at(2023, 3, 1),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, StoreError::Invalid(ref m) if m.contains("推荐理由")),
        "{err:?}"
    );
    let e = tiers::propose(
        &mut conn,
        &w.county,
        id,
        "基础好",
        day(2023, 3, 1),
        at(2023, 3, 1),
    )
    .await
    .unwrap();
    let err = tiers::propose(
        &mut conn,
        &w.county,
        id,
        "再推荐",
        day(2023, 3, 2),
        at(2023, 3, 2),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    // Recognition needs the library first.
    let err = tiers::recognise_provincial(
        &mut conn,
        &w.province,
        e.id,
        day(2023, 3, 5),
        "文号",
        day(2023, 3, 5),
        at(2023, 3, 5),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, StoreError::Refused(_)), "{err:?}");
    let e = tiers::accept(
        &mut conn,
        &w.province,
        e.id,
        day(2023, 4, 1),
        at(2023, 4, 1),
    )
    .await
    .unwrap();
    let err = tiers::recognise_provincial(
        &mut conn,
        &w.province,
        e.id,
        day(2023, 5, 1),
        " ",
        day(2023, 5, 1),
        at(2023, 5, 1),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, StoreError::Invalid(ref m) if m.contains("认定文号")),
        "{err:?}"
    );
    let err = tiers::withdraw(
        &mut conn,
        &w.province,
        e.id,
        "",
        day(2023, 5, 1),
        at(2023, 5, 1),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, StoreError::Invalid(ref m) if m.contains("移出理由")),
        "{err:?}"
    );
    let e = tiers::withdraw(
        &mut conn,
        &w.province,
        e.id,
        "连续两年产值下降",
        day(2023, 5, 1),
        at(2023, 5, 1),
    )
    .await
    .unwrap();
    assert_eq!(e.status, EntryStatus::Withdrawn);
    assert_eq!(e.leave_reason.as_deref(), Some("连续两年产值下降"));
    let c = clusters::get(&mut conn, &Scope::National, id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(c.tier, Tier::Candidate);
    // Withdrawn twice is refused; proposing again is allowed.
    let err = tiers::withdraw(
        &mut conn,
        &w.province,
        e.id,
        "再移出",
        day(2023, 5, 2),
        at(2023, 5, 2),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, StoreError::Refused(_)), "{err:?}");
    tiers::propose(
        &mut conn,
        &w.county,
        id,
        "整改后再推荐",
        day(2023, 9, 1),
        at(2023, 9, 1),
    )
    .await
    .unwrap();
    assert!(
        !tiers::holds_provincial_on(&mut conn, id, day(2024, 6, 30))
            .await
            .unwrap()
    );
    let h = tiers::history(&mut conn, &w.province.scope, id)
        .await
        .unwrap();
    assert_eq!(h.iter().filter(|i| i.source == "withdrawal").count(), 1);
}
both!(reasons_are_required_and_states_enforced);

async fn a_recognition_counts_while_valid_and_not_revoked(t: TestDb) {
    let w = world(&t.db).await;
    let id = cluster(&t.db, "国家级集群").await;
    let b = batch(&t.db, false).await;
    let mut conn = t.db.acquire().await.unwrap();
    let app = applications::create(&mut conn, &w.county, id, b.id, "{}", at(2024, 5, 1))
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO recognitions (cluster_id, application_id, batch_id, level, valid_from, valid_until,
             status, created_at) VALUES ($1, $2, $3, 'national', '2024-01-10', '2027-01-09', 'active', $4)",
    )
    .bind(id)
    .bind(app.id)
    .bind(b.id)
    .bind("2024-01-10T00:00:00Z")
    .execute(&mut *conn)
    .await
    .unwrap();
    assert!(
        !tiers::holds_provincial_on(&mut conn, id, day(2024, 1, 9))
            .await
            .unwrap()
    );
    assert!(
        tiers::holds_provincial_on(&mut conn, id, day(2024, 1, 10))
            .await
            .unwrap()
    );
    assert!(
        tiers::holds_provincial_on(&mut conn, id, day(2027, 1, 9))
            .await
            .unwrap()
    );
    assert!(
        !tiers::holds_provincial_on(&mut conn, id, day(2027, 1, 10))
            .await
            .unwrap()
    );
    let ev = tiers::evaluate_with_record(&mut conn, id, &b, &declaration())
        .await
        .unwrap();
    assert_eq!(provincial(&ev), Status::Pass);
    sqlx::query("UPDATE recognitions SET status = 'revoked', revoked_on = '2024-03-01', revoked_ground = 'R1 数据造假' WHERE cluster_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await
        .unwrap();
    assert!(
        tiers::holds_provincial_on(&mut conn, id, day(2024, 2, 29))
            .await
            .unwrap()
    );
    assert!(
        !tiers::holds_provincial_on(&mut conn, id, day(2024, 3, 1))
            .await
            .unwrap()
    );
    // The batch's date is 2024-06-30: after the revocation, the claim is false.
    let ev = tiers::evaluate_with_record(&mut conn, id, &b, &declaration())
        .await
        .unwrap();
    assert_eq!(provincial(&ev), Status::Fail);
    assert!(claim_flagged(&ev));
    let h = tiers::history(&mut conn, &Scope::National, id)
        .await
        .unwrap();
    let steps: Vec<(&str, &str, &str)> = h
        .iter()
        .map(|i| (i.source.as_str(), i.from_tier.as_str(), i.to_tier.as_str()))
        .collect();
    assert_eq!(
        steps,
        [
            ("national_recognition", "candidate", "national"),
            ("revocation", "national", "candidate"),
        ]
    );
    assert_eq!(h[1].decision, "R1 数据造假");
}
both!(a_recognition_counts_while_valid_and_not_revoked);

// ---- the policy outreach register (crates/store/src/outreach.rs) ----------------------------

fn reach(line: usize, uscc: &str, method: &str, on: &str) -> outreach::ReachLine {
    outreach::ReachLine {
        line,
        uscc: uscc.into(),
        method: method.into(),
        on: on.into(),
    }
}

fn new<'a>(title: &'a str, ids: &'a [i64]) -> outreach::NewPolicy<'a> {
    outreach::NewPolicy {
        title,
        issuer: "浙江省经济和信息化厅",
        issued_on: day(2024, 1, 10),
        cluster_ids: ids,
    }
}

fn policy_verdict(ev: &Evaluation) -> (Status, String) {
    let v = ev.verdict("C8.policy").unwrap();
    (v.status, v.explanation.clone())
}

async fn reach_count(conn: &mut Conn) -> i64 {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM outreach_reaches")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    n
}

async fn outreach_coverage_per_enterprise_with_the_batch_date_and_all_or_nothing(t: TestDb) {
    let w = world(&t.db).await;
    let id = cluster(&t.db, "义乌小商品产业集群").await;
    let b = batch(&t.db, false).await; // batch date 2024-06-30
    let decl = declaration();
    let mut conn = t.db.acquire().await.unwrap();
    let text = jiqun_domain::generate::to_json(&decl).unwrap().to_string();
    applications::create(&mut conn, &w.county, id, b.id, &text, at(2024, 1, 2))
        .await
        .unwrap();
    // A provincial recognition made before jiqun, recorded with its date and number.
    tiers::record_prior(
        &mut conn,
        &w.province,
        id,
        day(2023, 5, 1),
        "浙经信企业〔2023〕8号",
        day(2024, 1, 2),
        at(2024, 1, 2),
    )
    .await
    .unwrap();
    assert_eq!(
        audit_count(&mut conn, "prior_provincial_recognition").await,
        1
    );
    let err = tiers::record_prior(
        &mut conn,
        &w.other_province,
        id,
        day(2023, 5, 1),
        "苏工信〔2023〕1号",
        day(2024, 1, 2),
        at(2024, 1, 2),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, StoreError::NotFound), "{err:?}");

    // Policies: another province cannot cover the cluster; the title is required.
    let ids = [id];
    let ids = &ids[..];
    let err = outreach::create(
        &mut conn,
        &w.other_province,
        &new("苏惠企", ids),
        day(2024, 2, 1),
        at(2024, 2, 1),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, StoreError::NotFound), "{err:?}");
    let err = outreach::create(
        &mut conn,
        &w.province,
        &new("  ", ids),
        day(2024, 2, 1),
        at(2024, 2, 1),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("政策名称"), "{err}");
    let p1 = outreach::create(
        &mut conn,
        &w.province,
        &new("浙惠企十条", ids),
        day(2024, 2, 1),
        at(2024, 2, 1),
    )
    .await
    .unwrap();
    assert_eq!(
        outreach::list(&mut conn, &w.county.scope)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(
        outreach::list(&mut conn, &w.other_county.scope)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        outreach::list(&mut conn, &w.other_province.scope)
            .await
            .unwrap()
            .is_empty()
    );

    // One bad line among twelve (a date before the policy): nothing is recorded.
    let all: Vec<String> = decl.enterprises.iter().map(|e| e.uscc.clone()).collect();
    let mut lines: Vec<_> = all
        .iter()
        .enumerate()
        .map(|(i, u)| reach(i + 2, u, "走访", "2024-03-01"))
        .collect();
    lines[7].on = "2024-01-09".into();
    let errs = outreach::record_reaches(
        &mut conn,
        &w.county,
        id,
        p1.id,
        &lines,
        "test",
        day(2024, 6, 30),
        at(2024, 6, 30),
    )
    .await
    .unwrap()
    .unwrap_err();
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].line, 9);
    assert!(
        errs[0].message.contains("早于政策发布日期"),
        "{}",
        errs[0].message
    );
    assert_eq!(reach_count(&mut conn).await, 0);

    // Eleven of twelve: C8.policy fails and names the twelfth.
    let n = outreach::record_reaches(
        &mut conn,
        &w.county,
        id,
        p1.id,
        &lines[..11]
            .iter()
            .map(|l| reach(l.line, &l.uscc, "走访", "2024-03-01"))
            .collect::<Vec<_>>(),
        "test",
        day(2024, 6, 30),
        at(2024, 6, 30),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(n, 11);
    let ev = tiers::evaluate_with_record(&mut conn, id, &b, &decl)
        .await
        .unwrap();
    assert_eq!(provincial(&ev), Status::Pass);
    assert!(!claim_flagged(&ev));
    let (status, text) = policy_verdict(&ev);
    // Soft criterion: not met is a warning.
    assert_eq!(status, Status::Warning, "{text}");
    let last = &decl.enterprises[11];
    assert!(
        text.contains("尚未覆盖 1 家") && text.contains(&last.uscc) && text.contains(&last.name),
        "{text}"
    );

    // The twelfth reached the day after the batch date does not count for this batch...
    outreach::record_reaches(
        &mut conn,
        &w.county,
        id,
        p1.id,
        &[reach(1, &last.uscc, "线上推送", "2024-07-01")],
        "test",
        day(2024, 7, 1),
        at(2024, 7, 1),
    )
    .await
    .unwrap()
    .unwrap();
    let ev = tiers::evaluate_with_record(&mut conn, id, &b, &decl)
        .await
        .unwrap();
    assert_eq!(policy_verdict(&ev).0, Status::Warning);
    // ...reached by another policy on the batch date itself, it does: all reached passes.
    let p2 = outreach::create(
        &mut conn,
        &w.county,
        &new("义乌市稳企八条", ids),
        day(2024, 2, 1),
        at(2024, 2, 1),
    )
    .await
    .unwrap();
    assert_eq!(p2.level, outreach::Level::County);
    outreach::record_reaches(
        &mut conn,
        &w.county,
        id,
        p2.id,
        &[reach(1, &last.uscc, "座谈", "2024-06-30")],
        "test",
        day(2024, 7, 1),
        at(2024, 7, 1),
    )
    .await
    .unwrap()
    .unwrap();
    let ev = tiers::evaluate_with_record(&mut conn, id, &b, &decl)
        .await
        .unwrap();
    let (status, text) = policy_verdict(&ev);
    assert_eq!(status, Status::Pass, "{text}");
    // Another county cannot record reaches in this cluster.
    let err = outreach::record_reaches(
        &mut conn,
        &w.other_county,
        id,
        p2.id,
        &[reach(1, &all[0], "座谈", "2024-06-30")],
        "test",
        day(2024, 7, 1),
        at(2024, 7, 1),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, StoreError::NotFound), "{err:?}");
    assert_eq!(audit_count(&mut conn, "outreach_policy").await, 2);
    assert_eq!(audit_count(&mut conn, "outreach_reach").await, 3);
}
both!(outreach_coverage_per_enterprise_with_the_batch_date_and_all_or_nothing);
