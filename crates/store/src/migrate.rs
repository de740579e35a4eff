//! Embedded migrations, run by `jiqun migrate` and at server start.
//!
//! A small runner of our own rather than `sqlx::migrate!`: the files carry dialect tokens
//! (see [`crate::dialect::expand_migration`]), and the checksum is taken over the file as
//! written, so an edited migration that was already applied is refused loudly.

use crate::{Db, Result, StoreError, dialect, time};
use chrono::{DateTime, Utc};
use sm3::{Digest, Sm3};
use sqlx::Row;

pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: Sql,
}

/// Most migrations are portable (with dialect tokens); a few need one text per engine.
pub enum Sql {
    Portable(&'static str),
    PerBackend {
        sqlite: &'static str,
        postgres: &'static str,
    },
}

impl Migration {
    fn text(&self, backend: crate::Backend) -> &'static str {
        match (&self.sql, backend) {
            (Sql::Portable(s), _) => s,
            (Sql::PerBackend { sqlite, .. }, crate::Backend::Sqlite) => sqlite,
            (Sql::PerBackend { postgres, .. }, crate::Backend::Postgres) => postgres,
        }
    }
}

pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "foundation",
        sql: Sql::Portable(include_str!("../migrations/0001_foundation.sql")),
    },
    Migration {
        version: 2,
        name: "workflow",
        sql: Sql::Portable(include_str!("../migrations/0002_workflow.sql")),
    },
    Migration {
        version: 3,
        name: "audit_append_only",
        sql: Sql::PerBackend {
            sqlite: include_str!("../migrations/0003_audit_append_only.sqlite.sql"),
            postgres: include_str!("../migrations/0003_audit_append_only.postgres.sql"),
        },
    },
    Migration {
        version: 4,
        name: "jobs",
        sql: Sql::Portable(include_str!("../migrations/0004_jobs.sql")),
    },
    Migration {
        version: 5,
        name: "dynamic_management",
        sql: Sql::Portable(include_str!("../migrations/0005_dynamic.sql")),
    },
    Migration {
        version: 6,
        name: "api_tokens",
        sql: Sql::Portable(include_str!("../migrations/0006_api_tokens.sql")),
    },
    Migration {
        version: 7,
        name: "tiers",
        sql: Sql::Portable(include_str!("../migrations/0007_tiers.sql")),
    },
    Migration {
        version: 8,
        name: "provincial_batches",
        sql: Sql::Portable(include_str!("../migrations/0008_provincial_batches.sql")),
    },
    Migration {
        version: 9,
        name: "outreach",
        sql: Sql::Portable(include_str!("../migrations/0009_outreach.sql")),
    },
    Migration {
        version: 10,
        name: "indicator_values",
        sql: Sql::Portable(include_str!("../migrations/0010_indicator_values.sql")),
    },
    Migration {
        version: 11,
        name: "library_reports",
        sql: Sql::Portable(include_str!("../migrations/0011_library_reports.sql")),
    },
    Migration {
        version: 12,
        name: "report_list_index",
        sql: Sql::Portable(include_str!("../migrations/0012_report_list_index.sql")),
    },
    Migration {
        version: 13,
        name: "indicator_current",
        sql: Sql::Portable(include_str!("../migrations/0013_indicator_current.sql")),
    },
    Migration {
        version: 14,
        name: "analyze_indicators",
        sql: Sql::PerBackend {
            sqlite: include_str!("../migrations/0014_analyze_indicators.sqlite.sql"),
            postgres: include_str!("../migrations/0014_analyze_indicators.postgres.sql"),
        },
    },
    Migration {
        version: 15,
        name: "indicator_current_documents",
        sql: Sql::PerBackend {
            sqlite: include_str!("../migrations/0015_indicator_current_documents.sqlite.sql"),
            postgres: include_str!("../migrations/0015_indicator_current_documents.postgres.sql"),
        },
    },
];

fn checksum(sql: &str) -> String {
    hex::encode(Sm3::digest(sql.as_bytes()))
}

/// Applies every pending migration, each in its own transaction. Returns the versions
/// applied now.
pub async fn run(db: &Db, now: DateTime<Utc>) -> Result<Vec<i64>> {
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version BIGINT PRIMARY KEY,
            name TEXT NOT NULL,
            checksum TEXT NOT NULL,
            applied_at TEXT NOT NULL
        )",
    )
    .execute(db.pool())
    .await?;

    let mut applied_now = Vec::new();
    for m in MIGRATIONS {
        let mut tx = db.begin().await?;
        let existing = sqlx::query("SELECT checksum FROM schema_migrations WHERE version = $1")
            .bind(m.version)
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(row) = existing {
            let sum: String = row.try_get("checksum")?;
            if sum != checksum(m.text(db.backend())) {
                return Err(StoreError::Migration(format!(
                    "迁移 {:04}_{} 已执行，但文件内容已被修改（校验和不一致）",
                    m.version, m.name
                )));
            }
            tx.rollback().await?;
            continue;
        }
        let sql = dialect::expand_migration(m.text(db.backend()), db.backend());
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .execute(&mut *tx)
            .await
            .map_err(|e| {
                StoreError::Migration(format!("迁移 {:04}_{} 执行失败：{e}", m.version, m.name))
            })?;
        sqlx::query(
            "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(m.version)
        .bind(m.name)
        .bind(checksum(m.text(db.backend())))
        .bind(time::to_text(now))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        applied_now.push(m.version);
    }
    Ok(applied_now)
}
