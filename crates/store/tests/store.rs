//! Integration tests of the storage crate, on SQLite and on PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{TimeZone, Utc};
use jiqun_domain::role::Role;
use jiqun_store::orgs::{self, NewOrg, OrgKind};
use jiqun_store::testing::{TestDb, postgres_admin_url};
use jiqun_store::{Backend, StoreError, migrate, reference, users};

macro_rules! both {
    ($name:ident) => {
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                super::$name(
                    jiqun_store::testing::TestDb::new(jiqun_store::Backend::Sqlite)
                        .await
                        .unwrap(),
                )
                .await;
            }
            #[tokio::test]
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

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap()
}

async fn migrations_are_idempotent_and_reference_data_loads(t: TestDb) {
    let all: Vec<i64> = migrate::MIGRATIONS.iter().map(|m| m.version).collect();
    assert_eq!(all[..4], [1, 2, 3, 4]);
    assert_eq!(migrate::run(&t.db, now()).await.unwrap(), all);
    assert!(migrate::run(&t.db, now()).await.unwrap().is_empty());
    let counts = reference::sync(&t.db).await.unwrap();
    assert!(counts.divisions > 3000, "{counts:?}");
    assert_eq!(counts.industries, 20 + 97);
    assert!(counts.holidays > 700);
    // Twice is harmless.
    assert_eq!(reference::sync(&t.db).await.unwrap(), counts);
    let row: (String, String) =
        sqlx::query_as("SELECT name, parent FROM ref_divisions WHERE code = $1")
            .bind("330782")
            .fetch_one(t.db.pool())
            .await
            .unwrap();
    assert_eq!(row, ("义乌市".to_string(), "330700".to_string()));
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM ref_holidays WHERE kind = $1 AND day LIKE $2")
            .bind("workday")
            .bind("2025-%")
            .fetch_one(t.db.pool())
            .await
            .unwrap();
    assert!(n >= 4, "2025 had several 调休 working days, got {n}");
}
both!(migrations_are_idempotent_and_reference_data_loads);

async fn separated_admin_roles_never_share_an_account(t: TestDb) {
    migrate::run(&t.db, now()).await.unwrap();
    let mut conn = t.db.acquire().await.unwrap();
    let org = orgs::insert(
        &mut conn,
        &NewOrg {
            code: "MIIT",
            name: "工业和信息化部",
            kind: OrgKind::Ministry,
            division_code: None,
            authority_code: None,
        },
        now(),
    )
    .await
    .unwrap();
    let new = |username: &'static str, roles: &'static [Role]| users::NewUser {
        username,
        display_name: username,
        org_id: org.id,
        password_hash: "x",
        home_province: None,
        roles,
    };
    let err = users::insert(
        &mut conn,
        &new("both", &[Role::Sysadmin, Role::Auditor]),
        now(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, StoreError::Invalid(ref m) if m.contains("三员分立")),
        "{err}"
    );
    // Nothing was written.
    assert!(
        users::by_username(&mut conn, "both")
            .await
            .unwrap()
            .is_none()
    );

    let admin = users::insert(&mut conn, &new("sys", &[Role::Sysadmin]), now())
        .await
        .unwrap();
    for other in [Role::Secadmin, Role::Auditor] {
        let err = users::grant_role(&mut conn, admin.id, other, now())
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Invalid(_)));
    }
    // A non-administrator role beside it is allowed, and granting twice is a no-op.
    users::grant_role(&mut conn, admin.id, Role::Ministry, now())
        .await
        .unwrap();
    users::grant_role(&mut conn, admin.id, Role::Ministry, now())
        .await
        .unwrap();
    let roles = users::roles_of(&mut conn, admin.id).await.unwrap();
    assert_eq!(roles.len(), 2);

    let dup = users::insert(&mut conn, &new("sys", &[Role::Auditor]), now())
        .await
        .unwrap_err();
    assert!(
        matches!(dup, StoreError::Conflict(ref m) if m.contains("sys")),
        "{dup}"
    );
}
both!(separated_admin_roles_never_share_an_account);

async fn lockout_counter(t: TestDb) {
    migrate::run(&t.db, now()).await.unwrap();
    let mut conn = t.db.acquire().await.unwrap();
    let org = orgs::insert(
        &mut conn,
        &NewOrg {
            code: "330782",
            name: "义乌市经济和信息化局",
            kind: OrgKind::County,
            division_code: Some("330782"),
            authority_code: Some("330000"),
        },
        now(),
    )
    .await
    .unwrap();
    let u = users::insert(
        &mut conn,
        &users::NewUser {
            username: "yiwu",
            display_name: "义乌",
            org_id: org.id,
            password_hash: "x",
            home_province: None,
            roles: &[Role::County],
        },
        now(),
    )
    .await
    .unwrap();
    let lock = chrono::Duration::minutes(15);
    for _ in 0..4 {
        assert!(
            !users::record_failed_login(&mut conn, u.id, now(), 5, lock)
                .await
                .unwrap()
        );
    }
    assert!(
        users::record_failed_login(&mut conn, u.id, now(), 5, lock)
            .await
            .unwrap()
    );
    let u = users::by_id(&mut conn, u.id).await.unwrap().unwrap();
    assert!(u.is_locked(now() + chrono::Duration::seconds(899)));
    assert!(!u.is_locked(now() + lock));
}
both!(lockout_counter);

#[tokio::test]
async fn sqlite_backup_while_in_use_restores_and_reads() {
    let t = TestDb::new(Backend::Sqlite).await.unwrap();
    migrate::run(&t.db, now()).await.unwrap();
    let mut conn = t.db.acquire().await.unwrap();
    orgs::insert(
        &mut conn,
        &NewOrg {
            code: "MIIT",
            name: "工业和信息化部",
            kind: OrgKind::Ministry,
            division_code: None,
            authority_code: None,
        },
        now(),
    )
    .await
    .unwrap();
    // An open write transaction elsewhere does not stop the backup, and its uncommitted
    // row is not in the copy.
    let mut tx = t.db.pool().begin().await.unwrap();
    sqlx::query("INSERT INTO organisations (code, name, kind, created_at) VALUES ('X', 'uncommitted', 'county', 'now')")
        .execute(&mut *tx)
        .await
        .unwrap();
    let dir = tempdir();
    let out = dir.join("backup.db");
    jiqun_store::backup_sqlite(&t.db, &out).await.unwrap();
    tx.rollback().await.unwrap();

    let restored = jiqun_store::Db::connect(&jiqun_store::Db::sqlite_url(&out))
        .await
        .unwrap();
    let mut rc = restored.acquire().await.unwrap();
    let org = orgs::by_code(&mut rc, "MIIT").await.unwrap().unwrap();
    assert_eq!(org.name, "工业和信息化部");
    assert!(orgs::by_code(&mut rc, "X").await.unwrap().is_none());
    // The copy is a working database: migrations see it as current.
    assert!(migrate::run(&restored, now()).await.unwrap().is_empty());
    // A second backup to the same file is refused rather than overwriting it.
    assert!(jiqun_store::backup_sqlite(&t.db, &out).await.is_err());
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn postgres_backup_is_refused_with_a_pg_dump_hint() {
    if postgres_admin_url().is_none() {
        return;
    }
    let t = TestDb::new(Backend::Postgres).await.unwrap();
    let err = jiqun_store::backup_sqlite(&t.db, &tempdir().join("x.db"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("pg_dump"));
}

#[tokio::test]
async fn unsupported_urls_say_what_to_use() {
    let err = jiqun_store::Db::connect("mysql://root@localhost/x")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("sqlite://") && err.to_string().contains("postgres://"));
    let err = jiqun_store::Db::connect("postgres://u:secret@127.0.0.1:1/none")
        .await
        .unwrap_err();
    assert!(
        !err.to_string().contains("secret"),
        "password leaked: {err}"
    );
}

fn tempdir() -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!(
        "jiqun-backup-{}",
        std::process::id() as u64 * 1000 + rand_suffix()
    ));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

async fn append_event(t: &TestDb, n: i64) {
    let mut tx = t.db.begin().await.unwrap();
    jiqun_store::audit::append(
        &mut tx,
        &jiqun_store::audit::NewEvent {
            actor_user_id: Some(7),
            actor: "zhejiang",
            actor_org: "330000",
            action: "accept",
            object_type: "application",
            object_id: n.to_string(),
            before_state: Some("submitted"),
            after_state: Some("accepted"),
            comment: Some("材料齐全"),
            detail: serde_json::json!({"version": n}),
        },
        now() + chrono::Duration::seconds(n),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

async fn audit_chain_detects_any_edit(t: TestDb) {
    use jiqun_store::audit;
    migrate::run(&t.db, now()).await.unwrap();
    assert_eq!(
        audit::verify(&t.db).await.unwrap(),
        audit::Verification {
            events: 0,
            broken: None
        }
    );
    for n in 1..=5 {
        append_event(&t, n).await;
    }
    assert_eq!(
        audit::verify(&t.db).await.unwrap(),
        audit::Verification {
            events: 5,
            broken: None
        }
    );

    // The database itself refuses edits and deletions.
    let upd = sqlx::query("UPDATE audit_events SET comment = 'x' WHERE seq = 3")
        .execute(t.db.pool())
        .await;
    assert!(upd.is_err(), "UPDATE on audit_events must be refused");
    let del = sqlx::query("DELETE FROM audit_events WHERE seq = 5")
        .execute(t.db.pool())
        .await;
    assert!(del.is_err(), "DELETE on audit_events must be refused");

    // Someone with DBA rights drops the guard and edits row 3: verify names row 3.
    let drop_guard = match t.db.backend() {
        Backend::Sqlite => "DROP TRIGGER audit_events_no_update",
        Backend::Postgres => "DROP TRIGGER audit_events_no_update ON audit_events",
    };
    sqlx::raw_sql(drop_guard)
        .execute(t.db.pool())
        .await
        .unwrap();
    if t.db.backend() == Backend::Sqlite {
        sqlx::raw_sql("DROP TRIGGER audit_events_no_delete")
            .execute(t.db.pool())
            .await
            .unwrap();
    }
    sqlx::query("UPDATE audit_events SET comment = '材料不全' WHERE seq = 3")
        .execute(t.db.pool())
        .await
        .unwrap();
    let v = audit::verify(&t.db).await.unwrap();
    assert_eq!(v.events, 2);
    assert_eq!(v.broken.as_ref().unwrap().seq, 3, "{v:?}");

    // Restore the row (same text): the chain is whole again.
    sqlx::query("UPDATE audit_events SET comment = '材料齐全' WHERE seq = 3")
        .execute(t.db.pool())
        .await
        .unwrap();
    assert!(audit::verify(&t.db).await.unwrap().broken.is_none());

    // Deleting the last row is caught by the head.
    sqlx::query("DELETE FROM audit_events WHERE seq = 5")
        .execute(t.db.pool())
        .await
        .unwrap();
    let v = audit::verify(&t.db).await.unwrap();
    assert_eq!(v.broken.unwrap().seq, 5);
}
both!(audit_chain_detects_any_edit);

async fn audit_appends_from_concurrent_transactions_stay_chained(t: TestDb) {
    migrate::run(&t.db, now()).await.unwrap();
    let mut handles = Vec::new();
    for worker in 0..4i64 {
        let db = t.db.clone();
        handles.push(tokio::spawn(async move {
            for i in 0..10 {
                let mut tx = db.begin().await.unwrap();
                jiqun_store::audit::append(
                    &mut tx,
                    &jiqun_store::audit::NewEvent {
                        actor_user_id: None,
                        actor: "system",
                        actor_org: "-",
                        action: "test",
                        object_type: "worker",
                        object_id: format!("{worker}-{i}"),
                        before_state: None,
                        after_state: None,
                        comment: None,
                        detail: serde_json::json!({}),
                    },
                    now(),
                )
                .await
                .unwrap();
                tx.commit().await.unwrap();
            }
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
    let v = jiqun_store::audit::verify(&t.db).await.unwrap();
    assert_eq!(
        v,
        jiqun_store::audit::Verification {
            events: 40,
            broken: None
        }
    );
}
both!(audit_appends_from_concurrent_transactions_stay_chained);

/// After a bulk load, `refresh_statistics` vacuums and analyses on PostgreSQL (the
/// dashboard's index-only scans need the visibility map), and does nothing on SQLite.
async fn statistics_are_refreshed_after_a_bulk_write(t: TestDb) {
    migrate::run(&t.db, now()).await.unwrap();
    let done = t.db.refresh_statistics().await.unwrap();
    match t.db.backend() {
        Backend::Sqlite => {
            assert!(!done);
            assert!(t.db.server_warnings().await.unwrap().is_empty());
        }
        Backend::Postgres => {
            assert!(done);
            let (vacuumed, analysed): (bool, bool) = sqlx::query_as(
                "SELECT last_vacuum IS NOT NULL, last_analyze IS NOT NULL
                 FROM pg_stat_user_tables WHERE relname = 'indicator_values'",
            )
            .fetch_one(t.db.pool())
            .await
            .unwrap();
            assert!(
                vacuumed && analysed,
                "vacuum {vacuumed}, analyze {analysed}"
            );
            // The warning follows the server's setting.
            let autovacuum: String = sqlx::query_scalar("SHOW autovacuum")
                .fetch_one(t.db.pool())
                .await
                .unwrap();
            let warnings = t.db.server_warnings().await.unwrap();
            assert_eq!(
                warnings.iter().any(|w| w.contains("autovacuum")),
                autovacuum != "on",
                "{warnings:?}"
            );
        }
    }
}
both!(statistics_are_refreshed_after_a_bulk_write);

mod dynamic;
mod jobs;
mod support;
mod tiers;
