//! The in-app inbox: one per organisation, for every event that asks it to act.

use crate::{Conn, Result, time};
use chrono::{DateTime, Utc};
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub id: i64,
    pub org_id: i64,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub link: Option<String>,
    pub created_at: String,
    pub read: bool,
}

pub async fn notify(
    conn: &mut Conn,
    org_id: i64,
    kind: &str,
    title: &str,
    body: &str,
    link: Option<&str>,
    now: DateTime<Utc>,
) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO notifications (org_id, kind, title, body, link, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(org_id)
    .bind(kind)
    .bind(title)
    .bind(body)
    .bind(link)
    .bind(time::to_text(now))
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.try_get("id")?)
}

/// Notifies every organisation with the given kind (e.g. the ministry) or code.
pub async fn notify_org_code(
    conn: &mut Conn,
    org_code: &str,
    kind: &str,
    title: &str,
    body: &str,
    link: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    if let Some(org) = crate::orgs::by_code(conn, org_code).await? {
        notify(conn, org.id, kind, title, body, link, now).await?;
    }
    Ok(())
}

pub async fn inbox(conn: &mut Conn, org_id: i64, limit: i64) -> Result<Vec<Notification>> {
    let rows = sqlx::query(
        "SELECT id, org_id, kind, title, body, link, created_at, read_at FROM notifications
         WHERE org_id = $1 ORDER BY id DESC LIMIT $2",
    )
    .bind(org_id)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let read_at: Option<String> = r.try_get("read_at")?;
            Ok(Notification {
                id: r.try_get("id")?,
                org_id: r.try_get("org_id")?,
                kind: r.try_get("kind")?,
                title: r.try_get("title")?,
                body: r.try_get("body")?,
                link: r.try_get("link")?,
                created_at: r.try_get("created_at")?,
                read: read_at.is_some(),
            })
        })
        .collect()
}

pub async fn unread_count(conn: &mut Conn, org_id: i64) -> Result<i64> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM notifications WHERE org_id = $1 AND read_at IS NULL",
    )
    .bind(org_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.try_get("n")?)
}

/// Marks one notification read, if it belongs to `org_id` (otherwise nothing happens).
pub async fn mark_read(conn: &mut Conn, org_id: i64, id: i64, now: DateTime<Utc>) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE notifications SET read_at = $1 WHERE id = $2 AND org_id = $3 AND read_at IS NULL",
    )
    .bind(time::to_text(now))
    .bind(id)
    .bind(org_id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
