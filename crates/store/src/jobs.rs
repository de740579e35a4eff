//! The job queue and scheduler: reminders and the daily sweep of dynamic management
//! (第十六条 annual reports, 第十七条 revocation grounds), run exactly once even when several
//! server nodes share one PostgreSQL database (SPEC §5). See docs/scheduler.md.
//!
//! The protocol:
//!
//! 1. **Claim** ([`claim`]): in one transaction, select one due job — `pending` with
//!    `due_at <= now`, or `running` whose lease has expired — and mark it `running`, leased
//!    to this node until `now + lease`, counting the attempt. PostgreSQL locks the row with
//!    `FOR UPDATE SKIP LOCKED`, so concurrent claimers take different jobs; SQLite has a
//!    single writer (`BEGIN IMMEDIATE`), so claims are serialised. The lock clause is the
//!    only difference ([`dialect::skip_locked`]).
//! 2. **Complete** ([`complete`]): in ONE transaction, run the job's effects
//!    ([`execute`]) and mark it `done` only if this node still holds the lease
//!    (`… WHERE id = $ AND lease_owner = $node AND status = 'running'`). When another node
//!    took the job over meanwhile, zero rows match and the whole transaction — effects
//!    included — is rolled back. So the effects are committed at most once, together with
//!    the `done` mark, and a job whose node died is run again after its lease expires: exactly
//!    once.
//! 3. **Failure**: the effects are rolled back; in a separate transaction the job goes back
//!    to `pending` with `last_error` and a later `due_at` (30 s × 2^(attempts−1), at most one
//!    hour), or to `dead` once `max_attempts` runs have been started. Dead jobs are listed on
//!    the system administrator's page `/admin/jobs`, which can [`retry`] them.
//!
//! Attempts are counted when a run starts (at claim), not when it fails, so a job that
//! crashes its node every time also ends up `dead` instead of being retried forever.

use crate::{Conn, Db, Result, StoreError, dialect, time};
use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::any::AnyRow;

/// Runs a job may start before it is given up as `dead`.
pub const DEFAULT_MAX_ATTEMPTS: i64 = 5;

/// Every job status, in the order of a job's life.
pub const STATUSES: [&str; 4] = ["pending", "running", "done", "dead"];

/// The first retry waits this long; each further one twice as long as the previous.
pub const BACKOFF_BASE_SECONDS: i64 = 30;
/// No retry waits longer than this.
pub const BACKOFF_MAX_SECONDS: i64 = 3600;

/// Longest `last_error` kept, in characters.
const MAX_ERROR_CHARS: usize = 2000;

/// One row of the `jobs` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub unique_key: String,
    /// JSON text.
    pub payload: String,
    pub due_at: DateTime<Utc>,
    /// `pending`, `running`, `done` or `dead`.
    pub status: String,
    /// Runs started so far.
    pub attempts: i64,
    pub max_attempts: i64,
    pub lease_owner: Option<String>,
    pub lease_until: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub finished_by: Option<String>,
}

const COLUMNS: &str = "id, kind, unique_key, payload, due_at, status, attempts, max_attempts, \
     lease_owner, lease_until, last_error, created_at, finished_at, finished_by";

fn from_row(row: &AnyRow) -> Result<Job> {
    let at = |name: &str| -> Result<Option<DateTime<Utc>>> {
        let s: Option<String> = row.try_get(name)?;
        s.as_deref().map(time::from_text).transpose()
    };
    let due: String = row.try_get("due_at")?;
    let created: String = row.try_get("created_at")?;
    Ok(Job {
        id: row.try_get("id")?,
        kind: row.try_get("kind")?,
        unique_key: row.try_get("unique_key")?,
        payload: row.try_get("payload")?,
        due_at: time::from_text(&due)?,
        status: row.try_get("status")?,
        attempts: row.try_get("attempts")?,
        max_attempts: row.try_get("max_attempts")?,
        lease_owner: row.try_get("lease_owner")?,
        lease_until: at("lease_until")?,
        last_error: row.try_get("last_error")?,
        created_at: time::from_text(&created)?,
        finished_at: at("finished_at")?,
        finished_by: row.try_get("finished_by")?,
    })
}

/// What running one job came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The effects were committed and the job is `done`.
    Done { id: i64, kind: String },
    /// The job failed; its effects were rolled back. `dead` when no attempt is left,
    /// otherwise it is `pending` again with a later `due_at`.
    Failed {
        id: i64,
        kind: String,
        error: String,
        dead: bool,
    },
    /// Another node took the job over (our lease had expired); nothing was committed.
    LeaseLost { id: i64, kind: String },
}

/// Adds a job, unless one with the same `unique_key` exists (then returns `false` and
/// changes nothing, whatever that job's status).
pub async fn enqueue(
    conn: &mut Conn,
    kind: &str,
    unique_key: &str,
    due_at: DateTime<Utc>,
    payload: &serde_json::Value,
    now: DateTime<Utc>,
) -> Result<bool> {
    if kind.trim().is_empty() {
        return Err(StoreError::Invalid("任务类型（kind）不能为空".into()));
    }
    if unique_key.trim().is_empty() {
        return Err(StoreError::Invalid(
            "任务唯一键（unique_key）不能为空".into(),
        ));
    }
    let done = sqlx::query(
        "INSERT INTO jobs (kind, unique_key, payload, due_at, status, attempts, max_attempts, created_at)
         VALUES ($1, $2, $3, $4, 'pending', 0, $5, $6)
         ON CONFLICT (unique_key) DO NOTHING",
    )
    .bind(kind)
    .bind(unique_key)
    .bind(payload.to_string())
    .bind(time::to_text(due_at))
    .bind(DEFAULT_MAX_ATTEMPTS)
    .bind(time::to_text(now))
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Atomically takes one due job for `node`: a `pending` job with `due_at <= now`, or a
/// `running` job whose lease expired (its node died or is too slow). The job comes back
/// `running`, leased to `node` until `now + lease`, with the attempt counted.
///
/// A job whose lease expired on its last attempt is not run again but marked `dead`.
pub async fn claim(
    db: &Db,
    node: &str,
    now: DateTime<Utc>,
    lease: chrono::Duration,
) -> Result<Option<Job>> {
    let now_text = time::to_text(now);
    let select = format!(
        "SELECT {COLUMNS} FROM jobs
         WHERE (status = 'pending' AND due_at <= $1) OR (status = 'running' AND lease_until <= $1)
         ORDER BY due_at, id LIMIT 1{}",
        dialect::skip_locked(db.backend())
    );
    loop {
        let mut tx = db.begin().await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(select.clone()))
            .bind(now_text.as_str())
            .fetch_optional(&mut *tx)
            .await?;
        let Some(row) = row else {
            tx.rollback().await?;
            return Ok(None);
        };
        let mut job = from_row(&row)?;
        if job.status == "running" && job.attempts >= job.max_attempts {
            let error = format!(
                "第 {} 次执行超时：节点「{}」的租约已到期仍未完成，已达最大尝试次数 {}",
                job.attempts,
                job.lease_owner.as_deref().unwrap_or("-"),
                job.max_attempts
            );
            sqlx::query(
                "UPDATE jobs SET status = 'dead', last_error = $1, lease_owner = NULL,
                     lease_until = NULL, finished_at = $2, finished_by = $3
                 WHERE id = $4",
            )
            .bind(error.as_str())
            .bind(now_text.as_str())
            .bind(node)
            .bind(job.id)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            tracing::warn!(job_id = job.id, kind = %job.kind, "job dead: lease expired on its last attempt");
            continue;
        }
        let until = now + lease;
        sqlx::query(
            "UPDATE jobs SET status = 'running', attempts = attempts + 1, lease_owner = $1,
                 lease_until = $2
             WHERE id = $3",
        )
        .bind(node)
        .bind(time::to_text(until))
        .bind(job.id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        job.status = "running".into();
        job.attempts += 1;
        job.lease_owner = Some(node.to_string());
        job.lease_until = Some(until);
        return Ok(Some(job));
    }
}

/// Claims one due job and completes it. `None` when no job is due.
pub async fn run_one(
    db: &Db,
    node: &str,
    now: DateTime<Utc>,
    lease: chrono::Duration,
) -> Result<Option<Outcome>> {
    let Some(job) = claim(db, node, now, lease).await? else {
        return Ok(None);
    };
    complete(db, &job, node, now).await.map(Some)
}

/// Runs a claimed job: its effects and its `done` mark in one transaction, committed only
/// while `node` still holds the lease. On failure the effects are rolled back and the
/// failure is recorded (retry with backoff, or `dead`).
pub async fn complete(db: &Db, job: &Job, node: &str, now: DateTime<Utc>) -> Result<Outcome> {
    let mut tx = db.begin().await?;
    match execute(&mut tx, job, now).await {
        Ok(()) => {
            let marked = sqlx::query(
                "UPDATE jobs SET status = 'done', finished_at = $1, finished_by = $2,
                     lease_owner = NULL, lease_until = NULL
                 WHERE id = $3 AND lease_owner = $2 AND status = 'running'",
            )
            .bind(time::to_text(now))
            .bind(node)
            .bind(job.id)
            .execute(&mut *tx)
            .await?;
            if marked.rows_affected() == 0 {
                tx.rollback().await?;
                tracing::warn!(job_id = job.id, kind = %job.kind, "job lease lost: effects rolled back");
                return Ok(Outcome::LeaseLost {
                    id: job.id,
                    kind: job.kind.clone(),
                });
            }
            tx.commit().await?;
            Ok(Outcome::Done {
                id: job.id,
                kind: job.kind.clone(),
            })
        }
        Err(e) => {
            tx.rollback().await?;
            record_failure(db, job, node, now, &e.to_string()).await
        }
    }
}

/// How long to wait before the next run after `attempts` runs have failed:
/// 30 s, 60 s, 120 s, … at most one hour.
pub fn backoff(attempts: i64) -> chrono::Duration {
    let exponent = u32::try_from((attempts - 1).clamp(0, 20)).unwrap_or(0);
    let seconds = BACKOFF_BASE_SECONDS
        .saturating_mul(1i64 << exponent)
        .min(BACKOFF_MAX_SECONDS);
    chrono::Duration::seconds(seconds)
}

fn truncate(s: &str) -> String {
    match s.char_indices().nth(MAX_ERROR_CHARS) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None => s.to_string(),
    }
}

async fn record_failure(
    db: &Db,
    job: &Job,
    node: &str,
    now: DateTime<Utc>,
    error: &str,
) -> Result<Outcome> {
    let dead = job.attempts >= job.max_attempts;
    let error = truncate(error);
    let (status, due_at, finished_at) = if dead {
        ("dead", job.due_at, Some(time::to_text(now)))
    } else {
        ("pending", now + backoff(job.attempts), None)
    };
    let mut tx = db.begin().await?;
    let updated = sqlx::query(
        "UPDATE jobs SET status = $1, last_error = $2, due_at = $3, lease_owner = NULL,
             lease_until = NULL, finished_at = $4, finished_by = $5
         WHERE id = $6 AND lease_owner = $7 AND status = 'running'",
    )
    .bind(status)
    .bind(error.as_str())
    .bind(time::to_text(due_at))
    .bind(finished_at)
    .bind(dead.then_some(node))
    .bind(job.id)
    .bind(node)
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() == 0 {
        tx.rollback().await?;
        return Ok(Outcome::LeaseLost {
            id: job.id,
            kind: job.kind.clone(),
        });
    }
    tx.commit().await?;
    tracing::warn!(
        job_id = job.id,
        kind = %job.kind,
        attempts = job.attempts,
        dead,
        error = %error,
        "job failed"
    );
    Ok(Outcome::Failed {
        id: job.id,
        kind: job.kind.clone(),
        error,
        dead,
    })
}

fn payload_text<'a>(
    payload: &'a serde_json::Value,
    job: &Job,
    field: &str,
) -> Result<Option<&'a str>> {
    match payload.get(field) {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(s)) => Ok(Some(s.as_str())),
        Some(_) => Err(StoreError::Invalid(format!(
            "任务 {}（{}）的参数字段 {field} 应为文本",
            job.id, job.kind
        ))),
    }
}

fn required<'a>(payload: &'a serde_json::Value, job: &Job, field: &str) -> Result<&'a str> {
    match payload_text(payload, job, field)? {
        Some(s) if !s.trim().is_empty() => Ok(s),
        _ => Err(StoreError::Invalid(format!(
            "任务 {}（{}）缺少参数字段 {field}",
            job.id, job.kind
        ))),
    }
}

/// The effects of one job, inside the caller's transaction. The one dispatch on
/// `job.kind`: a new kind of job is a new arm here.
pub async fn execute(conn: &mut Conn, job: &Job, now: DateTime<Utc>) -> Result<()> {
    match job.kind.as_str() {
        // An inbox message for one organisation: {"org_code", "kind", "title", "body", "link"}.
        "notify" => {
            let payload: serde_json::Value = serde_json::from_str(&job.payload).map_err(|e| {
                StoreError::Invalid(format!(
                    "任务 {}（notify）的参数不是有效的 JSON：{e}",
                    job.id
                ))
            })?;
            let org_code = required(&payload, job, "org_code")?;
            let kind = required(&payload, job, "kind")?;
            let title = required(&payload, job, "title")?;
            let body = required(&payload, job, "body")?;
            let link = payload_text(&payload, job, "link")?;
            // A reminder to an organisation that does not exist is an error to look at, not
            // a silent no-op (notifications::notify_org_code would skip it).
            if crate::orgs::by_code(conn, org_code).await?.is_none() {
                return Err(StoreError::Invalid(format!(
                    "任务 {}（notify）的接收机构代码「{org_code}」不存在（参数字段 org_code）：请先建立该机构，再重试此任务",
                    job.id
                )));
            }
            crate::notifications::notify_org_code(conn, org_code, kind, title, body, link, now)
                .await
        }
        // The daily sweep of dynamic management (reminders, overdue reports, expiries).
        "sweep" => crate::dynamic::sweep(conn, now).await,
        other => Err(StoreError::Invalid(format!(
            "任务 {} 的类型「{other}」未知，无法执行",
            job.id
        ))),
    }
}

/// Jobs, optionally of one status, most recently due first.
pub async fn list(conn: &mut Conn, status: Option<&str>, limit: i64) -> Result<Vec<Job>> {
    let rows = match status {
        Some(s) => {
            if !STATUSES.contains(&s) {
                return Err(StoreError::Invalid(format!(
                    "任务状态「{s}」无效，应为 pending、running、done 或 dead"
                )));
            }
            let sql = format!(
                "SELECT {COLUMNS} FROM jobs WHERE status = $1 ORDER BY due_at DESC, id DESC LIMIT $2"
            );
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(s)
                .bind(limit)
                .fetch_all(&mut *conn)
                .await?
        }
        None => {
            let sql = format!("SELECT {COLUMNS} FROM jobs ORDER BY due_at DESC, id DESC LIMIT $1");
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(limit)
                .fetch_all(&mut *conn)
                .await?
        }
    };
    rows.iter().map(from_row).collect()
}

pub async fn get(conn: &mut Conn, id: i64) -> Result<Option<Job>> {
    let sql = format!("SELECT {COLUMNS} FROM jobs WHERE id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// Puts a `dead` job back to `pending`, due now, with its attempts reset. `false` when the
/// job does not exist or is not dead. The last error is kept until the next run.
pub async fn retry(conn: &mut Conn, id: i64, now: DateTime<Utc>) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE jobs SET status = 'pending', attempts = 0, due_at = $1, lease_owner = NULL,
             lease_until = NULL, finished_at = NULL, finished_by = NULL
         WHERE id = $2 AND status = 'dead'",
    )
    .bind(time::to_text(now))
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// How many jobs are in each status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub pending: i64,
    pub running: i64,
    pub done: i64,
    pub dead: i64,
}

impl Counts {
    /// `(status, count)` in the order of [`STATUSES`].
    pub fn by_status(&self) -> [(&'static str, i64); 4] {
        [
            ("pending", self.pending),
            ("running", self.running),
            ("done", self.done),
            ("dead", self.dead),
        ]
    }
}

pub async fn counts(conn: &mut Conn) -> Result<Counts> {
    let rows = sqlx::query("SELECT status, COUNT(*) AS n FROM jobs GROUP BY status")
        .fetch_all(&mut *conn)
        .await?;
    let mut c = Counts::default();
    for r in &rows {
        let status: String = r.try_get("status")?;
        let n: i64 = r.try_get("n")?;
        match status.as_str() {
            "pending" => c.pending = n,
            "running" => c.running = n,
            "done" => c.done = n,
            "dead" => c.dead = n,
            other => {
                return Err(StoreError::Corrupt(format!("任务状态「{other}」无效")));
            }
        }
    }
    Ok(c)
}

/// What one [`tick`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TickReport {
    /// Whether today's sweep job was enqueued by this tick (false: it already existed).
    pub sweep_enqueued: bool,
    pub done: usize,
    pub failed: usize,
    pub lease_lost: usize,
}

impl TickReport {
    pub fn ran(&self) -> usize {
        self.done + self.failed + self.lease_lost
    }
}

/// The unique key of the daily sweep: one per China date (UTC+8, the date every deadline
/// refers to).
pub fn sweep_key(now: DateTime<Utc>) -> String {
    let day = now
        .with_timezone(&jiqun_domain::clock::china_offset())
        .date_naive();
    format!("sweep:{}", time::date_to_text(day))
}

/// One scheduler round: enqueues today's sweep (a no-op after the first node did), then
/// runs due jobs until none is left or `max_jobs` have run.
pub async fn tick(
    db: &Db,
    node: &str,
    now: DateTime<Utc>,
    lease: chrono::Duration,
    max_jobs: usize,
) -> Result<TickReport> {
    let mut report = TickReport::default();
    {
        let mut conn = db.acquire().await?;
        report.sweep_enqueued = enqueue(
            &mut conn,
            "sweep",
            &sweep_key(now),
            now,
            &serde_json::json!({}),
            now,
        )
        .await?;
    }
    while report.ran() < max_jobs {
        match run_one(db, node, now, lease).await? {
            None => break,
            Some(Outcome::Done { .. }) => report.done += 1,
            Some(Outcome::Failed { .. }) => report.failed += 1,
            Some(Outcome::LeaseLost { .. }) => report.lease_lost += 1,
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped_at_one_hour() {
        assert_eq!(backoff(1), chrono::Duration::seconds(30));
        assert_eq!(backoff(2), chrono::Duration::seconds(60));
        assert_eq!(backoff(3), chrono::Duration::seconds(120));
        assert_eq!(backoff(7), chrono::Duration::seconds(1920));
        assert_eq!(backoff(8), chrono::Duration::seconds(3600));
        assert_eq!(backoff(1000), chrono::Duration::seconds(3600));
        assert_eq!(backoff(0), chrono::Duration::seconds(30));
    }

    #[test]
    fn sweep_key_uses_the_china_date() {
        let late = DateTime::parse_from_rfc3339("2026-04-30T16:30:00Z")
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_default();
        assert_eq!(sweep_key(late), "sweep:2026-05-01");
    }

    #[test]
    fn long_errors_are_cut_on_a_character_boundary() {
        let s = "错".repeat(MAX_ERROR_CHARS + 10);
        let t = truncate(&s);
        assert_eq!(t.chars().count(), MAX_ERROR_CHARS + 1);
        assert_eq!(truncate("短"), "短");
    }
}
