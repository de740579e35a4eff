//! API tokens: an organisation's key for `/api/v1/*` without a browser session
//! (docs/api.md). The secret is shown once when created; only its SM3 hash is stored (as
//! for sessions, see `sessions.rs`), so a copy of the database hands out no live tokens.
//! A token acts with its organisation's jurisdiction and is either read-only or
//! read-write; it ends at its expiry or when revoked.

use crate::{Conn, Result, StoreError, time};
use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::any::AnyRow;

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenScope {
    /// GET requests only.
    Read,
    /// Reads and writes.
    Write,
}

impl TokenScope {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenScope::Read => "read",
            TokenScope::Write => "write",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            TokenScope::Read => "只读",
            TokenScope::Write => "读写",
        }
    }

    pub fn parse(s: &str) -> Option<TokenScope> {
        match s {
            "read" => Some(TokenScope::Read),
            "write" => Some(TokenScope::Write),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub id: i64,
    pub org_id: i64,
    pub created_by: i64,
    pub name: String,
    pub scope: TokenScope,
    /// The first characters of the secret, to tell tokens apart on the list.
    pub prefix: String,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl ApiToken {
    /// Neither revoked nor expired at `now`.
    pub fn is_active(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none() && now < self.expires_at
    }
}

pub struct NewToken<'a> {
    pub org_id: i64,
    pub created_by: i64,
    pub name: &'a str,
    pub scope: TokenScope,
    /// SM3 of the secret (hex).
    pub token_hash: &'a str,
    pub prefix: &'a str,
    pub expires_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, org_id, created_by, name, scope, prefix, expires_at, revoked_at, \
                       last_used_at, created_at";

fn opt_time(row: &AnyRow, col: &str) -> Result<Option<DateTime<Utc>>> {
    let v: Option<String> = row.try_get(col)?;
    v.as_deref().map(time::from_text).transpose()
}

fn from_row(row: &AnyRow) -> Result<ApiToken> {
    let scope: String = row.try_get("scope")?;
    let expires: String = row.try_get("expires_at")?;
    let created: String = row.try_get("created_at")?;
    Ok(ApiToken {
        id: row.try_get("id")?,
        org_id: row.try_get("org_id")?,
        created_by: row.try_get("created_by")?,
        name: row.try_get("name")?,
        scope: TokenScope::parse(&scope)
            .ok_or_else(|| StoreError::Corrupt(format!("API 令牌的权限范围「{scope}」无效")))?,
        prefix: row.try_get("prefix")?,
        expires_at: time::from_text(&expires)?,
        revoked_at: opt_time(row, "revoked_at")?,
        last_used_at: opt_time(row, "last_used_at")?,
        created_at: time::from_text(&created)?,
    })
}

pub async fn create(conn: &mut Conn, t: &NewToken<'_>, now: DateTime<Utc>) -> Result<ApiToken> {
    let name = t.name.trim();
    if name.is_empty() {
        return Err(StoreError::Invalid(
            "请填写令牌名称（用途），例如「省级平台数据同步」。".into(),
        ));
    }
    if t.expires_at <= now {
        return Err(StoreError::Invalid("令牌的有效期须晚于当前时间。".into()));
    }
    let row = sqlx::query(
        "INSERT INTO api_tokens (org_id, created_by, name, scope, token_hash, prefix, expires_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(t.org_id)
    .bind(t.created_by)
    .bind(name)
    .bind(t.scope.as_str())
    .bind(t.token_hash)
    .bind(t.prefix)
    .bind(time::to_text(t.expires_at))
    .bind(time::to_text(now))
    .fetch_one(&mut *conn)
    .await?;
    let id: i64 = row.try_get("id")?;
    get(conn, id).await?.ok_or(StoreError::NotFound)
}

pub async fn get(conn: &mut Conn, id: i64) -> Result<Option<ApiToken>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM api_tokens WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// The token with this secret hash, active or not (the caller checks [`ApiToken::is_active`]).
pub async fn by_hash(conn: &mut Conn, token_hash: &str) -> Result<Option<ApiToken>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM api_tokens WHERE token_hash = $1"
    )))
    .bind(token_hash)
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// An organisation's tokens, newest first.
pub async fn list_for_org(conn: &mut Conn, org_id: i64) -> Result<Vec<ApiToken>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM api_tokens WHERE org_id = $1 ORDER BY id DESC"
    )))
    .bind(org_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(from_row).collect()
}

/// Revokes a token of the organisation. `Ok(None)` when it is not the organisation's;
/// revoking twice is refused.
pub async fn revoke(
    conn: &mut Conn,
    org_id: i64,
    id: i64,
    by_user: i64,
    now: DateTime<Utc>,
) -> Result<Option<ApiToken>> {
    let Some(t) = get(conn, id).await?.filter(|t| t.org_id == org_id) else {
        return Ok(None);
    };
    if t.revoked_at.is_some() {
        return Err(StoreError::Refused(format!(
            "令牌「{}」已于此前撤销，无需再次撤销。",
            t.name
        )));
    }
    sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1, revoked_by = $2 WHERE id = $3 AND revoked_at IS NULL",
    )
    .bind(time::to_text(now))
    .bind(by_user)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    get(conn, id).await
}

/// Records a use of the token.
pub async fn touch(conn: &mut Conn, id: i64, now: DateTime<Utc>) -> Result<()> {
    sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
        .bind(time::to_text(now))
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
