//! Database-backed login sessions. The cookie carries a random token; only its SM3 hash
//! is stored, so a copy of the database does not hand out live sessions.

use crate::{Conn, Result, time};
use chrono::{DateTime, Utc};
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub user_id: i64,
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
}

pub async fn create(
    conn: &mut Conn,
    token_hash: &str,
    user_id: i64,
    csrf_token: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at)
         VALUES ($1, $2, $3, $4, $4)",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(csrf_token)
    .bind(time::to_text(now))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn get(conn: &mut Conn, token_hash: &str) -> Result<Option<Session>> {
    let row = sqlx::query(
        "SELECT user_id, csrf_token, created_at, last_seen_at FROM sessions WHERE token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let created: String = row.try_get("created_at")?;
    let seen: String = row.try_get("last_seen_at")?;
    Ok(Some(Session {
        user_id: row.try_get("user_id")?,
        csrf_token: row.try_get("csrf_token")?,
        created_at: time::from_text(&created)?,
        last_seen_at: time::from_text(&seen)?,
    }))
}

pub async fn touch(conn: &mut Conn, token_hash: &str, now: DateTime<Utc>) -> Result<()> {
    sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
        .bind(time::to_text(now))
        .bind(token_hash)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn delete(conn: &mut Conn, token_hash: &str) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Removes sessions idle since before `idle_since`. Returns how many.
pub async fn delete_idle(conn: &mut Conn, idle_since: DateTime<Utc>) -> Result<u64> {
    let done = sqlx::query("DELETE FROM sessions WHERE last_seen_at < $1")
        .bind(time::to_text(idle_since))
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected())
}
