//! Test databases: a fresh SQLite file or a fresh PostgreSQL database per test, dropped
//! afterwards. Used by the integration tests of every crate, so the same test runs on both.
//!
//! PostgreSQL runs when `JIQUN_TEST_DATABASE_URL` is set (then it **must** answer: CI sets
//! it, so a missing server fails the run instead of skipping) or when a local server
//! answers on 127.0.0.1:5432.

use crate::{Backend, Db, Result, StoreError};
use rand::Rng;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

pub const DEFAULT_LOCAL_PG: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// The PostgreSQL server URL to create test databases on, if tests should use one.
pub fn postgres_admin_url() -> Option<String> {
    if let Ok(url) = std::env::var("JIQUN_TEST_DATABASE_URL")
        && !url.trim().is_empty()
    {
        return Some(url);
    }
    static LOCAL: OnceLock<bool> = OnceLock::new();
    let answers = *LOCAL.get_or_init(|| {
        std::net::TcpStream::connect_timeout(
            &std::net::SocketAddr::from(([127, 0, 0, 1], 5432)),
            Duration::from_millis(300),
        )
        .is_ok()
    });
    answers.then(|| DEFAULT_LOCAL_PG.to_string())
}

/// A database that exists for one test.
pub struct TestDb {
    pub db: Db,
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Dir(PathBuf),
    PgDatabase { admin_url: String, name: String },
}

fn random_suffix() -> String {
    let mut rng = rand::rng();
    (0..12)
        .map(|_| char::from(b'a' + rng.random_range(0..26u8)))
        .collect()
}

impl TestDb {
    pub async fn new(backend: Backend) -> Result<TestDb> {
        match backend {
            Backend::Sqlite => Self::sqlite().await,
            Backend::Postgres => {
                let admin = postgres_admin_url().ok_or_else(|| {
                    StoreError::Config(
                        "未配置 PostgreSQL 测试数据库（JIQUN_TEST_DATABASE_URL）".into(),
                    )
                })?;
                Self::postgres(&admin).await
            }
        }
    }

    pub async fn sqlite() -> Result<TestDb> {
        let dir = std::env::temp_dir().join(format!("jiqun-test-{}", random_suffix()));
        std::fs::create_dir_all(&dir)
            .map_err(|e| StoreError::Config(format!("无法创建测试目录 {}：{e}", dir.display())))?;
        let url = Db::sqlite_url(&dir.join("test.db"));
        let db = Db::connect(&url).await?;
        Ok(TestDb {
            db,
            url,
            cleanup: Cleanup::Dir(dir),
        })
    }

    pub async fn postgres(admin_url: &str) -> Result<TestDb> {
        let name = format!("jiqun_test_{}", random_suffix());
        let admin = Db::connect(admin_url).await?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(admin.pool())
            .await?;
        admin.close().await;
        let mut url = url::Url::parse(admin_url)
            .map_err(|e| StoreError::Config(format!("PostgreSQL 地址无效：{e}")))?;
        url.set_path(&format!("/{name}"));
        let url = url.to_string();
        let db = Db::connect(&url).await?;
        Ok(TestDb {
            db,
            url,
            cleanup: Cleanup::PgDatabase {
                admin_url: admin_url.to_string(),
                name,
            },
        })
    }

    /// Backends the current environment can test on: SQLite always, PostgreSQL when
    /// configured or answering.
    pub fn backends() -> Vec<Backend> {
        let mut v = vec![Backend::Sqlite];
        if postgres_admin_url().is_some() {
            v.push(Backend::Postgres);
        }
        v
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::Dir(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::PgDatabase { admin_url, name } => {
                let admin_url = admin_url.clone();
                let name = name.clone();
                // Drop runs inside the test's runtime; do the async work on a thread of
                // its own so it can block until the database is gone. FORCE ends the
                // pool's connections, which belong to the test's runtime.
                let _ = std::thread::spawn(move || {
                    let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                    else {
                        return;
                    };
                    rt.block_on(async move {
                        if let Ok(admin) = Db::connect(&admin_url).await {
                            let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                            )))
                            .execute(admin.pool())
                            .await;
                            admin.close().await;
                        }
                    });
                })
                .join();
            }
        }
    }
}
