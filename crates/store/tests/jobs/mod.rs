//! The job queue (crates/store/src/jobs.rs), on SQLite and on PostgreSQL: enqueue dedupe,
//! due times, leases, retries with backoff, dead jobs, the lost-lease guard, and several
//! workers with their own pools on one database running every job exactly once.

use chrono::{DateTime, Duration, TimeZone, Utc};
use jiqun_store::jobs::{self, Outcome};
use jiqun_store::orgs::{self, NewOrg, OrgKind};
use jiqun_store::testing::TestDb;
use jiqun_store::{Db, migrate};
use serde_json::json;
use std::collections::HashSet;

/// Like `both!` in store.rs, on a multi-threaded runtime so spawned workers really run in
/// parallel.
macro_rules! both_mt {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                super::$name(
                    jiqun_store::testing::TestDb::new(jiqun_store::Backend::Sqlite)
                        .await
                        .unwrap(),
                )
                .await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                if jiqun_store::testing::postgres_admin_url().is_none() {
                    eprintln!("PostgreSQL not available: skipped");
                    return;
                }
                super::$name(
                    jiqun_store::testing::TestDb::new(jiqun_store::Backend::Postgres)
                        .await
                        .unwrap(),
                )
                .await;
            }
        }
    };
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap()
}

fn lease() -> Duration {
    Duration::minutes(5)
}

async fn setup(t: &TestDb) {
    migrate::run(&t.db, t0()).await.unwrap();
}

async fn add_org(db: &Db, code: &str) -> i64 {
    let mut conn = db.acquire().await.unwrap();
    orgs::insert(
        &mut conn,
        &NewOrg {
            code,
            name: "常熟市工业和信息化局",
            kind: OrgKind::County,
            division_code: Some(code),
            authority_code: Some("320000"),
        },
        t0(),
    )
    .await
    .unwrap()
    .id
}

fn notify_payload(org_code: &str, body: &str) -> serde_json::Value {
    json!({
        "org_code": org_code,
        "kind": "annual_report_reminder",
        "title": "年度报告提醒",
        "body": body,
        "link": "/reports",
    })
}

async fn enqueue_notify(db: &Db, key: &str, org_code: &str, due: DateTime<Utc>) -> bool {
    let mut conn = db.acquire().await.unwrap();
    jobs::enqueue(
        &mut conn,
        "notify",
        key,
        due,
        &notify_payload(org_code, key),
        t0(),
    )
    .await
    .unwrap()
}

async fn notification_bodies(db: &Db) -> Vec<String> {
    sqlx::query_scalar("SELECT body FROM notifications ORDER BY id")
        .fetch_all(db.pool())
        .await
        .unwrap()
}

async fn job(db: &Db, id: i64) -> jobs::Job {
    let mut conn = db.acquire().await.unwrap();
    jobs::get(&mut conn, id).await.unwrap().unwrap()
}

async fn enqueue_is_deduplicated_by_unique_key(t: TestDb) {
    setup(&t).await;
    assert!(enqueue_notify(&t.db, "reminder:1:2026", "320581", t0()).await);
    assert!(!enqueue_notify(&t.db, "reminder:1:2026", "320581", t0()).await);
    let mut conn = t.db.acquire().await.unwrap();
    // Same key, another kind: still a no-op.
    assert!(
        !jobs::enqueue(
            &mut conn,
            "sweep",
            "reminder:1:2026",
            t0(),
            &json!({}),
            t0()
        )
        .await
        .unwrap()
    );
    // Another key is another job.
    assert!(enqueue_notify(&t.db, "reminder:2:2026", "320581", t0()).await);
    let all = jobs::list(&mut conn, None, 100).await.unwrap();
    assert_eq!(all.len(), 2);
    assert!(
        all.iter()
            .all(|j| j.status == "pending" && j.attempts == 0 && j.kind == "notify")
    );
    assert_eq!(
        jobs::counts(&mut conn).await.unwrap(),
        jobs::Counts {
            pending: 2,
            ..Default::default()
        }
    );
    // Empty keys are refused with a message naming the field.
    let err = jobs::enqueue(&mut conn, "notify", " ", t0(), &json!({}), t0())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("unique_key"), "{err}");
}
both_mt!(enqueue_is_deduplicated_by_unique_key);

async fn claim_respects_due_at(t: TestDb) {
    setup(&t).await;
    enqueue_notify(&t.db, "later", "320581", t0() + Duration::minutes(10)).await;
    assert!(
        jobs::claim(&t.db, "A", t0(), lease())
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        jobs::claim(&t.db, "A", t0() + Duration::minutes(9), lease())
            .await
            .unwrap()
            .is_none()
    );
    let j = jobs::claim(&t.db, "A", t0() + Duration::minutes(10), lease())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(j.unique_key, "later");
    assert_eq!(j.status, "running");
    assert_eq!(j.attempts, 1);
    assert_eq!(j.lease_owner.as_deref(), Some("A"));
    // What the claim returned is what is stored.
    assert_eq!(job(&t.db, j.id).await, j);
    // Claimed: nobody else gets it while the lease runs.
    assert!(
        jobs::claim(&t.db, "B", t0() + Duration::minutes(11), lease())
            .await
            .unwrap()
            .is_none()
    );
}
both_mt!(claim_respects_due_at);

async fn an_expired_lease_is_taken_over(t: TestDb) {
    setup(&t).await;
    enqueue_notify(&t.db, "k", "320581", t0()).await;
    let a = jobs::claim(&t.db, "A", t0(), Duration::minutes(1))
        .await
        .unwrap()
        .unwrap();
    assert!(
        jobs::claim(&t.db, "B", t0() + Duration::seconds(59), lease())
            .await
            .unwrap()
            .is_none()
    );
    let b = jobs::claim(&t.db, "B", t0() + Duration::seconds(60), lease())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(b.id, a.id);
    assert_eq!(b.lease_owner.as_deref(), Some("B"));
    assert_eq!(b.attempts, 2);
    assert_eq!(b.lease_until, Some(t0() + Duration::seconds(60) + lease()));
}
both_mt!(an_expired_lease_is_taken_over);

async fn failures_back_off_then_die_and_can_be_retried(t: TestDb) {
    setup(&t).await;
    // The organisation does not exist yet: every run fails.
    enqueue_notify(&t.db, "to-missing", "320581", t0()).await;
    let mut now = t0();
    let mut id = 0;
    for attempt in 1..=jobs::DEFAULT_MAX_ATTEMPTS {
        let outcome = jobs::run_one(&t.db, "A", now, lease())
            .await
            .unwrap()
            .unwrap();
        let (failed, error, dead) = match outcome {
            Outcome::Failed {
                id, error, dead, ..
            } => (id, error, dead),
            other => panic!("attempt {attempt}: {other:?}"),
        };
        id = failed;
        assert!(
            error.contains("320581") && error.contains("org_code"),
            "{error}"
        );
        let j = job(&t.db, id).await;
        assert_eq!(j.attempts, attempt);
        assert_eq!(j.last_error.as_deref(), Some(error.as_str()));
        assert!(j.lease_owner.is_none());
        if attempt < jobs::DEFAULT_MAX_ATTEMPTS {
            assert!(!dead);
            assert_eq!(j.status, "pending");
            let wait = Duration::seconds(30 * (1 << (attempt - 1)));
            assert_eq!(j.due_at, now + wait, "attempt {attempt}");
            // Not before the backoff has passed.
            assert!(
                jobs::run_one(&t.db, "A", now + wait - Duration::seconds(1), lease())
                    .await
                    .unwrap()
                    .is_none()
            );
            now += wait;
        } else {
            assert!(dead);
            assert_eq!(j.status, "dead");
        }
    }
    // Dead jobs are not run again, however late.
    assert!(
        jobs::run_one(&t.db, "A", now + Duration::days(30), lease())
            .await
            .unwrap()
            .is_none()
    );
    let mut conn = t.db.acquire().await.unwrap();
    let dead = jobs::list(&mut conn, Some("dead"), 10).await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].id, id);
    assert!(
        jobs::list(&mut conn, Some("pending"), 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(jobs::list(&mut conn, Some("bogus"), 10).await.is_err());
    assert_eq!(jobs::counts(&mut conn).await.unwrap().dead, 1);
    // Nothing was written by the failed runs.
    assert!(notification_bodies(&t.db).await.is_empty());

    // Only dead jobs can be retried.
    assert!(!jobs::retry(&mut conn, id + 1000, now).await.unwrap());
    drop(conn);
    let org = add_org(&t.db, "320581").await;
    let later = now + Duration::days(1);
    let mut conn = t.db.acquire().await.unwrap();
    assert!(jobs::retry(&mut conn, id, later).await.unwrap());
    assert!(!jobs::retry(&mut conn, id, later).await.unwrap());
    let j = jobs::get(&mut conn, id).await.unwrap().unwrap();
    assert_eq!(
        (j.status.as_str(), j.attempts, j.due_at),
        ("pending", 0, later)
    );
    drop(conn);
    let outcome = jobs::run_one(&t.db, "B", later, lease())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        outcome,
        Outcome::Done {
            id,
            kind: "notify".into()
        }
    );
    let j = job(&t.db, id).await;
    assert_eq!(j.status, "done");
    assert_eq!(j.finished_by.as_deref(), Some("B"));
    assert_eq!(j.finished_at, Some(later));
    let mut conn = t.db.acquire().await.unwrap();
    assert_eq!(
        jiqun_store::notifications::unread_count(&mut conn, org)
            .await
            .unwrap(),
        1
    );
    // Done jobs cannot be "retried" into running twice.
    assert!(!jobs::retry(&mut conn, id, later).await.unwrap());
}
both_mt!(failures_back_off_then_die_and_can_be_retried);

async fn unknown_kinds_and_bad_payloads_fail_visibly(t: TestDb) {
    setup(&t).await;
    add_org(&t.db, "320581").await;
    let mut conn = t.db.acquire().await.unwrap();
    jobs::enqueue(&mut conn, "frobnicate", "x1", t0(), &json!({}), t0())
        .await
        .unwrap();
    jobs::enqueue(
        &mut conn,
        "notify",
        "x2",
        t0() + Duration::seconds(1),
        &json!({"org_code": "320581", "kind": "k", "body": "b"}),
        t0(),
    )
    .await
    .unwrap();
    drop(conn);
    let now = t0() + Duration::seconds(1);
    match jobs::run_one(&t.db, "A", now, lease()).await.unwrap() {
        Some(Outcome::Failed { error, dead, .. }) => {
            assert!(error.contains("frobnicate") && !dead, "{error}")
        }
        other => panic!("unknown kind should fail: {other:?}"),
    }
    match jobs::run_one(&t.db, "A", now, lease()).await.unwrap() {
        Some(Outcome::Failed { error, .. }) => assert!(error.contains("title"), "{error}"),
        other => panic!("missing title should fail: {other:?}"),
    }
    assert!(notification_bodies(&t.db).await.is_empty());
}
both_mt!(unknown_kinds_and_bad_payloads_fail_visibly);

async fn an_effect_is_not_doubled_when_the_lease_was_lost(t: TestDb) {
    setup(&t).await;
    add_org(&t.db, "320581").await;
    enqueue_notify(&t.db, "once", "320581", t0()).await;
    // A claims it and stalls past its lease; B takes it over and finishes.
    let stalled = jobs::claim(&t.db, "A", t0(), Duration::minutes(1))
        .await
        .unwrap()
        .unwrap();
    let later = t0() + Duration::minutes(2);
    let outcome = jobs::run_one(&t.db, "B", later, lease())
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(outcome, Outcome::Done { .. }), "{outcome:?}");
    // A wakes up and completes its copy: refused, its effects rolled back.
    let outcome = jobs::complete(&t.db, &stalled, "A", later).await.unwrap();
    assert_eq!(
        outcome,
        Outcome::LeaseLost {
            id: stalled.id,
            kind: "notify".into()
        }
    );
    assert_eq!(notification_bodies(&t.db).await, vec!["once".to_string()]);
    let j = job(&t.db, stalled.id).await;
    assert_eq!(j.status, "done");
    assert_eq!(j.finished_by.as_deref(), Some("B"));

    // The same while the other node still runs it: A's lease was taken over by B, B has
    // not finished; A's completion is refused and B's goes through.
    enqueue_notify(&t.db, "twice?", "320581", later).await;
    let a = jobs::claim(&t.db, "A", later, Duration::minutes(1))
        .await
        .unwrap()
        .unwrap();
    let even_later = later + Duration::minutes(2);
    let b = jobs::claim(&t.db, "B", even_later, lease())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(a.id, b.id);
    assert!(matches!(
        jobs::complete(&t.db, &a, "A", even_later).await.unwrap(),
        Outcome::LeaseLost { .. }
    ));
    assert!(matches!(
        jobs::complete(&t.db, &b, "B", even_later).await.unwrap(),
        Outcome::Done { .. }
    ));
    assert_eq!(
        notification_bodies(&t.db).await,
        vec!["once".to_string(), "twice?".to_string()]
    );
}
both_mt!(an_effect_is_not_doubled_when_the_lease_was_lost);

async fn a_lease_expiring_on_the_last_attempt_makes_the_job_dead(t: TestDb) {
    setup(&t).await;
    enqueue_notify(&t.db, "crashy", "320581", t0()).await;
    let mut now = t0();
    // Every node that takes it "crashes" (never completes).
    for attempt in 1..=jobs::DEFAULT_MAX_ATTEMPTS {
        let j = jobs::claim(&t.db, "N", now, Duration::minutes(1))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(j.attempts, attempt);
        now += Duration::minutes(1);
    }
    assert!(
        jobs::claim(&t.db, "N", now, lease())
            .await
            .unwrap()
            .is_none()
    );
    let mut conn = t.db.acquire().await.unwrap();
    let dead = jobs::list(&mut conn, Some("dead"), 10).await.unwrap();
    assert_eq!(dead.len(), 1);
    assert!(
        dead[0].last_error.as_deref().unwrap_or("").contains("租约"),
        "{:?}",
        dead[0].last_error
    );
}
both_mt!(a_lease_expiring_on_the_last_attempt_makes_the_job_dead);

async fn tick_enqueues_one_sweep_per_china_day_and_runs_due_jobs(t: TestDb) {
    setup(&t).await;
    add_org(&t.db, "320581").await;
    for i in 0..5 {
        enqueue_notify(&t.db, &format!("n{i}"), "320581", t0()).await;
    }
    let r = jobs::tick(&t.db, "A", t0(), lease(), 3).await.unwrap();
    assert!(r.sweep_enqueued);
    assert_eq!((r.done, r.failed, r.lease_lost), (3, 0, 0));
    let r = jobs::tick(&t.db, "B", t0() + Duration::hours(1), lease(), 100)
        .await
        .unwrap();
    assert!(!r.sweep_enqueued);
    assert_eq!(r.done, 3, "two notifications and the sweep are left");
    // 2026-03-02 16:00 UTC is already 3 March in China: a new sweep.
    let r = jobs::tick(&t.db, "A", t0() + Duration::hours(15), lease(), 100)
        .await
        .unwrap();
    assert!(r.sweep_enqueued);
    assert_eq!(r.done, 1);
    let mut conn = t.db.acquire().await.unwrap();
    let keys: HashSet<String> = jobs::list(&mut conn, Some("done"), 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|j| j.kind == "sweep")
        .map(|j| j.unique_key)
        .collect();
    assert_eq!(
        keys,
        HashSet::from([
            "sweep:2026-03-02".to_string(),
            "sweep:2026-03-03".to_string()
        ])
    );
    assert_eq!(notification_bodies(&t.db).await.len(), 5);
}
both_mt!(tick_enqueues_one_sweep_per_china_day_and_runs_due_jobs);

async fn four_workers_with_their_own_pools_run_each_job_once(t: TestDb) {
    setup(&t).await;
    add_org(&t.db, "320581").await;
    const JOBS: usize = 200;
    for i in 0..JOBS {
        enqueue_notify(&t.db, &format!("reminder:{i}"), "320581", t0()).await;
    }
    let mut handles = Vec::new();
    for w in 0..4 {
        let db = Db::connect(&t.url).await.unwrap();
        handles.push(tokio::spawn(async move {
            let node = format!("worker-{w}");
            let mut done = 0usize;
            while let Some(outcome) = jobs::run_one(&db, &node, t0(), lease()).await.unwrap() {
                assert!(matches!(outcome, Outcome::Done { .. }), "{outcome:?}");
                done += 1;
            }
            db.close().await;
            done
        }));
    }
    let mut total = 0;
    for h in handles {
        total += h.await.unwrap();
    }
    assert_eq!(total, JOBS);
    let bodies = notification_bodies(&t.db).await;
    assert_eq!(bodies.len(), JOBS);
    let distinct: HashSet<&String> = bodies.iter().collect();
    assert_eq!(distinct.len(), JOBS, "a reminder was sent twice");
    let mut conn = t.db.acquire().await.unwrap();
    assert_eq!(
        jobs::counts(&mut conn).await.unwrap(),
        jobs::Counts {
            done: JOBS as i64,
            ..Default::default()
        }
    );
    let all = jobs::list(&mut conn, None, 1000).await.unwrap();
    assert!(all.iter().all(|j| j.attempts == 1), "every job ran once");
}
both_mt!(four_workers_with_their_own_pools_run_each_job_once);
