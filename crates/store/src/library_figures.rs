//! Library figures over time (issue 8 item 1, docs/provincial-tiers.md): the province
//! "tracks them (indicators over time, using the same figures as annual reports)".
//!
//! - 第七条: "省级中小企业主管部门……建立集群培育库" — the library the figures belong to.
//! - 第十六条: the annual report (年度培育情况) whose format is reused as is: a county files,
//!   for a cluster **in** its province's library, one annual-report document per year
//!   (`jiqun_domain::dynamic::parse_annual_report`), replaceable by filing the year again.
//! - 第十二条: only provincial clusters apply nationally; the figures are read against the
//!   **national** edition's thresholds so the province sees which library clusters are ready
//!   to be promoted and, later, to apply.
//!
//! The indicator values of each document are computed by `monitoring::document_values`,
//! the function the annual reports' indicator rows use, and kept in
//! `library_indicator_values` (migration 0011), a table parallel to `indicator_values` keyed
//! by the library entry (the dashboards' queries over `indicator_values` stay untouched).
//! Jurisdiction as in `tiers`: an entry outside the caller's scope is `NotFound`.

use crate::applications::Actor;
use crate::audit::{self, NewEvent};
use crate::monitoring::{self, Checked, DOC, ProfileIndicator, Source};
use crate::tiers::{self, Entry, EntryStatus};
use crate::{Conn, Result, Scope, StoreError, time};
use chrono::{DateTime, Utc};
use jiqun_domain::dynamic::AnnualReport;
use jiqun_domain::role::Role;
use sqlx::Row;

/// The metric of a year the document reports (as in `indicator_values`).
const YEAR: &str = "year";

/// One filed year of a library entry, its indicators against the national edition.
#[derive(Debug, Clone, PartialEq)]
pub struct YearFigures {
    /// The report year.
    pub year: i32,
    /// When it was last filed (RFC 3339 UTC).
    pub filed_at: String,
    /// False when the stored document could not be read (then `values` is all `None`).
    pub readable: bool,
    /// One per [`Figures::indicators`].
    pub values: Vec<Option<Checked>>,
}

/// An entry's figures, year by year, against the national edition's thresholds.
#[derive(Debug, Clone, PartialEq)]
pub struct Figures {
    /// The national edition whose thresholds are applied.
    pub edition: String,
    pub indicators: Vec<ProfileIndicator>,
    /// Oldest year first.
    pub years: Vec<YearFigures>,
}

impl Figures {
    /// The series of one indicator over the years that give it: (year, value).
    pub fn series(&self, key: &str) -> Vec<(i32, f64)> {
        let Some(i) = self.indicators.iter().position(|s| s.key == key) else {
            return Vec::new();
        };
        self.years
            .iter()
            .filter_map(|y| {
                y.values
                    .get(i)
                    .copied()
                    .flatten()
                    .map(|c| (y.year, c.value))
            })
            .collect()
    }
}

/// Files (or replaces) the figures of `report.year` for library entry `entry_id`: the county
/// of the cluster, while the entry is in the library. `raw` is the document as sent (stored
/// as is, like an annual report); `report` is its parse. The document, its indicator values
/// and the audit event are written in the caller's transaction. Returns true when an earlier
/// filing of the year was replaced.
pub async fn file(
    conn: &mut Conn,
    actor: &Actor,
    entry_id: i64,
    raw: &serde_json::Value,
    report: &AnnualReport,
    now: DateTime<Utc>,
) -> Result<bool> {
    if !actor.roles.contains(&Role::County) {
        return Err(StoreError::Refused(format!(
            "「填报培育库年度数据」只能由{}办理",
            Role::County.name_zh()
        )));
    }
    let entry = tiers::get(conn, &actor.scope, entry_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    if entry.status != EntryStatus::InLibrary {
        return Err(StoreError::Refused(format!(
            "集群「{}」不在省级集群培育库中（当前为「{}」）：只有在库集群填报年度数据（第七条）",
            entry.cluster_name,
            entry.status.name_zh()
        )));
    }
    if report.declaration.cluster.county_code != entry.county_code {
        return Err(StoreError::Invalid(format!(
            "declaration.cluster.county_code：「{}」不是集群「{}」所在县级区划 {}",
            report.declaration.cluster.county_code, entry.cluster_name, entry.county_code
        )));
    }
    let body = serde_json::to_string(raw)
        .map_err(|e| StoreError::Invalid(format!("年度数据无法保存：{e}")))?;
    let year = i64::from(report.year);
    let stamp = time::to_text(now);
    let existing: Option<(i64,)> =
        sqlx::query_as("SELECT id FROM library_reports WHERE entry_id = $1 AND year = $2")
            .bind(entry.id)
            .bind(year)
            .fetch_optional(&mut *conn)
            .await?;
    let replaced = existing.is_some();
    if let Some((id,)) = existing {
        sqlx::query(
            "UPDATE library_reports SET content = $1, filed_by_user = $2, updated_at = $3
             WHERE id = $4",
        )
        .bind(body.as_str())
        .bind(actor.user_id)
        .bind(stamp.as_str())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    } else {
        sqlx::query(
            "INSERT INTO library_reports (entry_id, year, content, filed_by_user, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $5)",
        )
        .bind(entry.id)
        .bind(year)
        .bind(body.as_str())
        .bind(actor.user_id)
        .bind(stamp.as_str())
        .execute(&mut *conn)
        .await?;
    }
    record_values(conn, entry.id, year, &body).await?;
    audit::append(
        conn,
        &NewEvent {
            actor_user_id: Some(actor.user_id),
            actor: &actor.username,
            actor_org: &actor.org_code,
            action: "library_report",
            object_type: "cultivation_entry",
            object_id: entry.id.to_string(),
            before_state: Some(entry.status.as_str()),
            after_state: Some(entry.status.as_str()),
            comment: Some(&format!("{}年度数据", report.year)),
            detail: serde_json::json!({
                "cluster_id": entry.cluster_id,
                "year": report.year,
                "replaced": replaced,
            }),
        },
        now,
    )
    .await?;
    Ok(replaced)
}

/// The indicator values of one document, replacing the year's earlier ones: the document
/// marker (1 read, 0 unreadable) and `monitoring::document_values` of the annual report.
async fn record_values(conn: &mut Conn, entry_id: i64, year_filed: i64, body: &str) -> Result<()> {
    sqlx::query("DELETE FROM library_indicator_values WHERE entry_id = $1 AND year_filed = $2")
        .bind(entry_id)
        .bind(year_filed)
        .execute(&mut *conn)
        .await?;
    let values = monitoring::document_values(Source::AnnualReport, body);
    let mut rows: Vec<monitoring::Value> =
        vec![(DOC.into(), 0, if values.is_some() { 1.0 } else { 0.0 })];
    rows.extend(values.unwrap_or_default());
    // A few dozen rows per document: one statement per 100 rows (500 placeholders).
    for chunk in rows.chunks(100) {
        let mut sql = String::from(
            "INSERT INTO library_indicator_values (entry_id, year_filed, metric, year, value) VALUES ",
        );
        for i in 0..chunk.len() {
            let b = i * 5;
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!(
                "(${}, ${}, ${}, ${}, ${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5
            ));
        }
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (metric, year, value) in chunk {
            q = q
                .bind(entry_id)
                .bind(year_filed)
                .bind(metric.clone())
                .bind(i64::from(*year))
                .bind(*value);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// The figures of an entry the caller already may see (from [`tiers::get`] or
/// [`tiers::list`]), against the national edition.
pub async fn figures_of(conn: &mut Conn, entry: &Entry) -> Result<Figures> {
    let edition = monitoring::national_edition(conn).await?;
    figures_against(conn, entry, edition).await
}

/// The figures of an entry the caller already may see, against `edition` (a page listing
/// many entries reads [`monitoring::national_edition`] once).
pub async fn figures_against(
    conn: &mut Conn,
    entry: &Entry,
    edition: &jiqun_domain::criteria::Edition,
) -> Result<Figures> {
    let indicators = monitoring::indicator_columns(edition);
    let filed = sqlx::query(
        "SELECT year, updated_at FROM library_reports WHERE entry_id = $1 ORDER BY year",
    )
    .bind(entry.id)
    .fetch_all(&mut *conn)
    .await?;
    let mut years = Vec::with_capacity(filed.len());
    for r in &filed {
        let y: i64 = r.try_get("year")?;
        years.push(YearFigures {
            year: i32::try_from(y).map_err(|_| StoreError::Corrupt(format!("年度 {y} 无效")))?,
            filed_at: r.try_get("updated_at")?,
            readable: false,
            values: vec![None; indicators.len()],
        });
    }
    let rows = sqlx::query(
        "SELECT year_filed, metric, value FROM library_indicator_values
         WHERE entry_id = $1 AND year = 0 ORDER BY year_filed, metric",
    )
    .bind(entry.id)
    .fetch_all(&mut *conn)
    .await?;
    for r in &rows {
        let filed_year: i64 = r.try_get("year_filed")?;
        let metric: String = r.try_get("metric")?;
        let value: f64 = r.try_get("value")?;
        let Some(y) = years.iter_mut().find(|y| i64::from(y.year) == filed_year) else {
            continue;
        };
        if metric == DOC {
            y.readable = value == 1.0;
        } else if metric != YEAR
            && let Some(i) = indicators.iter().position(|s| s.key == metric)
            && let Some(slot) = y.values.get_mut(i)
        {
            *slot = Some(monitoring::check_value(edition, &metric, value));
        }
    }
    Ok(Figures {
        edition: edition.id.clone(),
        indicators,
        years,
    })
}

/// The entry and its figures, if `scope` may see it (another jurisdiction: `None`).
pub async fn figures(
    conn: &mut Conn,
    scope: &Scope,
    entry_id: i64,
) -> Result<Option<(Entry, Figures)>> {
    let Some(entry) = tiers::get(conn, scope, entry_id).await? else {
        return Ok(None);
    };
    let f = figures_of(conn, &entry).await?;
    Ok(Some((entry, f)))
}

/// The stored document of one year, if the entry is in `scope` and the year was filed.
pub async fn document(
    conn: &mut Conn,
    scope: &Scope,
    entry_id: i64,
    year: i32,
) -> Result<Option<String>> {
    if tiers::get(conn, scope, entry_id).await?.is_none() {
        return Ok(None);
    }
    let row: Option<(String,)> =
        sqlx::query_as("SELECT content FROM library_reports WHERE entry_id = $1 AND year = $2")
            .bind(entry_id)
            .bind(i64::from(year))
            .fetch_optional(&mut *conn)
            .await?;
    Ok(row.map(|r| r.0))
}
