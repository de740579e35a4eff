//! Reference data tables, filled from the data files compiled into the binary
//! (`data/divisions.csv`, `data/industries.csv`, `data/holidays.csv`; sources in
//! `data/README.md`). They let SQL join on names and let operators inspect what the
//! binary uses; the domain crate's in-memory tables remain the authority for rules.

use crate::{Db, Result};
use jiqun_domain::{division, industry};

const HOLIDAYS_CSV: &str = include_str!("../../../data/holidays.csv");

/// Rows per multi-row INSERT: keeps statements well under both engines' parameter limits.
const BATCH: usize = 400;

/// Builds `INSERT INTO table (cols) VALUES ($1,…),(…) ON CONFLICT (key) DO UPDATE …` for
/// `rows` rows. Only placeholders are generated; every value is bound.
fn upsert_sql(table: &str, cols: &[&str], rows: usize) -> String {
    let n = cols.len();
    let values: Vec<String> = (0..rows)
        .map(|r| {
            let ps: Vec<String> = (1..=n).map(|c| format!("${}", r * n + c)).collect();
            format!("({})", ps.join(", "))
        })
        .collect();
    let updates: Vec<String> = cols[1..]
        .iter()
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    format!(
        "INSERT INTO {table} ({}) VALUES {} ON CONFLICT ({}) DO UPDATE SET {}",
        cols.join(", "),
        values.join(", "),
        cols[0],
        updates.join(", ")
    )
}

async fn upsert(db: &Db, table: &str, cols: &[&str], rows: &[Vec<Option<String>>]) -> Result<()> {
    let mut tx = db.begin().await?;
    for chunk in rows.chunks(BATCH) {
        let sql = upsert_sql(table, cols, chunk.len());
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for row in chunk {
            for v in row {
                q = q.bind(v.clone());
            }
        }
        q.execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Writes the embedded reference data into the `ref_*` tables (idempotent).
pub async fn sync(db: &Db) -> Result<SyncCounts> {
    let divisions: Vec<Vec<Option<String>>> = division::divisions()
        .iter()
        .map(|d| {
            vec![
                Some(d.code.as_str().to_string()),
                Some(d.name.to_string()),
                Some(d.level.number().to_string()),
                d.parent.map(|p| p.as_str().to_string()),
                Some(d.kind.as_str().to_string()),
            ]
        })
        .collect();
    upsert(
        db,
        "ref_divisions",
        &["code", "name", "level", "parent", "kind"],
        &divisions,
    )
    .await?;

    let industries: Vec<Vec<Option<String>>> = industry::industries()
        .iter()
        .map(|i| {
            vec![
                Some(i.code.to_string()),
                Some(i.name.to_string()),
                serde_json::to_value(i.level)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string)),
                i.parent.map(str::to_string),
            ]
        })
        .collect();
    upsert(
        db,
        "ref_industries",
        &["code", "name", "level", "parent"],
        &industries,
    )
    .await?;

    let holidays: Vec<Vec<Option<String>>> = HOLIDAYS_CSV
        .lines()
        .skip(1)
        .filter_map(|line| {
            let mut parts = line.splitn(3, ',');
            let (day, kind, name) = (parts.next()?, parts.next()?, parts.next().unwrap_or(""));
            (!day.trim().is_empty()).then(|| {
                vec![
                    Some(day.to_string()),
                    Some(kind.to_string()),
                    Some(name.to_string()),
                ]
            })
        })
        .collect();
    upsert(db, "ref_holidays", &["day", "kind", "name"], &holidays).await?;

    Ok(SyncCounts {
        divisions: divisions.len(),
        industries: industries.len(),
        holidays: holidays.len(),
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncCounts {
    pub divisions: usize,
    pub industries: usize,
    pub holidays: usize,
}
