//! The audit log: append-only and hash-chained with SM3 (GB/T 32905), SPEC §8.
//!
//! Every event's hash covers its fields and the previous event's hash, so editing,
//! deleting or reordering any row breaks the chain from there on; `verify` finds the first
//! broken link. The database refuses UPDATE and DELETE on the table (migration 0003), and
//! `audit_head` serialises appenders: its row is updated in the appending transaction.

use crate::{Conn, Db, Result, StoreError, time};
use chrono::{DateTime, Utc};
use sm3::{Digest, Sm3};
use sqlx::Row;

/// One event to append.
#[derive(Debug, Clone)]
pub struct NewEvent<'a> {
    pub actor_user_id: Option<i64>,
    /// User name, or `public` / `system`.
    pub actor: &'a str,
    /// Organisation code of the actor (`-` for the public).
    pub actor_org: &'a str,
    pub action: &'a str,
    pub object_type: &'a str,
    pub object_id: String,
    pub before_state: Option<&'a str>,
    pub after_state: Option<&'a str>,
    pub comment: Option<&'a str>,
    /// Further facts as JSON (never passwords or personal contact data).
    pub detail: serde_json::Value,
}

/// A stored event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub seq: i64,
    pub at: String,
    pub actor_user_id: Option<i64>,
    pub actor: String,
    pub actor_org: String,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub before_state: Option<String>,
    pub after_state: Option<String>,
    pub comment: Option<String>,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

fn field(buf: &mut Vec<u8>, value: Option<&str>) {
    match value {
        Some(v) => {
            buf.extend_from_slice(v.len().to_string().as_bytes());
            buf.push(b':');
            buf.extend_from_slice(v.as_bytes());
        }
        None => buf.push(b'N'),
    }
    buf.push(b'\n');
}

/// SM3 over a length-prefixed encoding of every field, so no two different events
/// encode alike.
pub fn event_hash(e: &Event) -> String {
    let mut buf = Vec::with_capacity(256 + e.detail.len());
    field(&mut buf, Some(&e.seq.to_string()));
    field(&mut buf, Some(&e.at));
    field(&mut buf, e.actor_user_id.map(|u| u.to_string()).as_deref());
    field(&mut buf, Some(&e.actor));
    field(&mut buf, Some(&e.actor_org));
    field(&mut buf, Some(&e.action));
    field(&mut buf, Some(&e.object_type));
    field(&mut buf, Some(&e.object_id));
    field(&mut buf, e.before_state.as_deref());
    field(&mut buf, e.after_state.as_deref());
    field(&mut buf, e.comment.as_deref());
    field(&mut buf, Some(&e.detail));
    field(&mut buf, Some(&e.prev_hash));
    hex::encode(Sm3::digest(&buf))
}

/// Appends one event inside the caller's transaction; returns its sequence number.
pub async fn append(conn: &mut Conn, ev: &NewEvent<'_>, at: DateTime<Utc>) -> Result<i64> {
    let head = sqlx::query("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
        .fetch_one(&mut *conn)
        .await?;
    let seq: i64 = head.try_get("seq")?;
    let prev_hash: String = head.try_get("hash")?;
    let mut event = Event {
        seq,
        at: time::to_text(at),
        actor_user_id: ev.actor_user_id,
        actor: ev.actor.to_string(),
        actor_org: ev.actor_org.to_string(),
        action: ev.action.to_string(),
        object_type: ev.object_type.to_string(),
        object_id: ev.object_id.clone(),
        before_state: ev.before_state.map(str::to_string),
        after_state: ev.after_state.map(str::to_string),
        comment: ev.comment.map(str::to_string),
        detail: ev.detail.to_string(),
        prev_hash,
        hash: String::new(),
    };
    event.hash = event_hash(&event);
    sqlx::query(
        "INSERT INTO audit_events (seq, at, actor_user_id, actor, actor_org, action, object_type,
             object_id, before_state, after_state, comment, detail, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(event.seq)
    .bind(&event.at)
    .bind(event.actor_user_id)
    .bind(&event.actor)
    .bind(&event.actor_org)
    .bind(&event.action)
    .bind(&event.object_type)
    .bind(&event.object_id)
    .bind(&event.before_state)
    .bind(&event.after_state)
    .bind(&event.comment)
    .bind(&event.detail)
    .bind(&event.prev_hash)
    .bind(&event.hash)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(&event.hash)
        .execute(&mut *conn)
        .await?;
    Ok(seq)
}

fn from_row(row: &sqlx::any::AnyRow) -> Result<Event> {
    Ok(Event {
        seq: row.try_get("seq")?,
        at: row.try_get("at")?,
        actor_user_id: row.try_get("actor_user_id")?,
        actor: row.try_get("actor")?,
        actor_org: row.try_get("actor_org")?,
        action: row.try_get("action")?,
        object_type: row.try_get("object_type")?,
        object_id: row.try_get("object_id")?,
        before_state: row.try_get("before_state")?,
        after_state: row.try_get("after_state")?,
        comment: row.try_get("comment")?,
        detail: row.try_get("detail")?,
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
    })
}

/// Events for one object, oldest first.
pub async fn for_object(conn: &mut Conn, object_type: &str, object_id: &str) -> Result<Vec<Event>> {
    let rows = sqlx::query(
        "SELECT seq, at, actor_user_id, actor, actor_org, action, object_type, object_id,
                before_state, after_state, comment, detail, prev_hash, hash
         FROM audit_events WHERE object_type = $1 AND object_id = $2 ORDER BY seq",
    )
    .bind(object_type)
    .bind(object_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(from_row).collect()
}

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// Events checked.
    pub events: i64,
    /// The first broken link, if any.
    pub broken: Option<BrokenLink>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenLink {
    pub seq: i64,
    pub reason: String,
}

/// Walks the whole chain in order, a page at a time, and reports the first broken link.
pub async fn verify(db: &Db) -> Result<Verification> {
    const PAGE: i64 = 1000;
    let mut conn = db.acquire().await?;
    let mut expected_seq = 1i64;
    let mut prev = GENESIS.to_string();
    loop {
        let rows = sqlx::query(
            "SELECT seq, at, actor_user_id, actor, actor_org, action, object_type, object_id,
                    before_state, after_state, comment, detail, prev_hash, hash
             FROM audit_events WHERE seq >= $1 ORDER BY seq LIMIT $2",
        )
        .bind(expected_seq)
        .bind(PAGE)
        .fetch_all(&mut *conn)
        .await?;
        let n = rows.len();
        for row in &rows {
            let e = from_row(row)?;
            let broken = |reason: String| Verification {
                events: expected_seq - 1,
                broken: Some(BrokenLink {
                    seq: expected_seq,
                    reason,
                }),
            };
            if e.seq != expected_seq {
                return Ok(broken(format!(
                    "缺少第 {expected_seq} 条记录（下一条为第 {} 条）",
                    e.seq
                )));
            }
            if e.prev_hash != prev {
                return Ok(broken(
                    "前序哈希与上一条记录不符（记录被删除、插入或改动）".into(),
                ));
            }
            if event_hash(&e) != e.hash {
                return Ok(broken("记录内容与其哈希不符（记录被改动）".into()));
            }
            prev = e.hash;
            expected_seq += 1;
        }
        if i64::try_from(n).unwrap_or(PAGE) < PAGE {
            break;
        }
    }
    let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_one(&mut *conn)
        .await?;
    let head_seq: i64 = head.try_get("seq")?;
    let head_hash: String = head.try_get("hash")?;
    let events = expected_seq - 1;
    if head_seq != events || head_hash != prev {
        return Ok(Verification {
            events,
            broken: Some(BrokenLink {
                seq: events + 1,
                reason: format!(
                    "链尾不符：记录共 {events} 条，链头登记为第 {head_seq} 条（末尾记录被删除或链头被改动）"
                ),
            }),
        });
    }
    Ok(Verification {
        events,
        broken: None,
    })
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Invalid(format!("JSON 错误：{e}"))
    }
}
