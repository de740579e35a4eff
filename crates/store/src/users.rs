//! Accounts, their roles, and the login counters behind the lockout rule.

use crate::{Conn, Result, StoreError, time};
use chrono::{DateTime, Duration, Utc};
use jiqun_domain::role::{Role, check_role_separation};
use sqlx::Row;
use sqlx::any::AnyRow;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub org_id: i64,
    pub roles: Vec<Role>,
    pub home_province: Option<String>,
    pub password_hash: String,
    pub failed_logins: i64,
    pub locked_until: Option<DateTime<Utc>>,
    pub disabled: bool,
}

impl User {
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    pub fn is_locked(&self, now: DateTime<Utc>) -> bool {
        self.locked_until.is_some_and(|until| until > now)
    }
}

#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub org_id: i64,
    pub password_hash: &'a str,
    pub home_province: Option<&'a str>,
    pub roles: &'a [Role],
}

async fn from_row(conn: &mut Conn, row: &AnyRow) -> Result<User> {
    let id: i64 = row.try_get("id")?;
    let locked_until: Option<String> = row.try_get("locked_until")?;
    let disabled: i64 = row.try_get("disabled")?;
    Ok(User {
        id,
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        org_id: row.try_get("org_id")?,
        roles: roles_of(conn, id).await?,
        home_province: row.try_get("home_province")?,
        password_hash: row.try_get("password_hash")?,
        failed_logins: row.try_get("failed_logins")?,
        locked_until: locked_until.as_deref().map(time::from_text).transpose()?,
        disabled: disabled != 0,
    })
}

pub async fn roles_of(conn: &mut Conn, user_id: i64) -> Result<Vec<Role>> {
    let rows = sqlx::query("SELECT role FROM user_roles WHERE user_id = $1 ORDER BY role")
        .bind(user_id)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| {
            let s: String = r.try_get("role")?;
            s.parse::<Role>()
                .map_err(|e| StoreError::Corrupt(e.to_string()))
        })
        .collect()
}

/// Creates an account with its roles. Refuses a role set that breaks 三员分立.
pub async fn insert(conn: &mut Conn, new: &NewUser<'_>, now: DateTime<Utc>) -> Result<User> {
    check_role_separation(new.roles).map_err(|e| StoreError::Invalid(e.to_string()))?;
    if new.roles.is_empty() {
        return Err(StoreError::Invalid("账号至少需要一个角色".into()));
    }
    let row = sqlx::query(
        "INSERT INTO users (username, display_name, org_id, password_hash, home_province, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(new.username)
    .bind(new.display_name)
    .bind(new.org_id)
    .bind(new.password_hash)
    .bind(new.home_province)
    .bind(time::to_text(now))
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| match StoreError::from(e) {
        StoreError::Conflict(_) => StoreError::Conflict(format!("用户名「{}」已被使用", new.username)),
        other => other,
    })?;
    let id: i64 = row.try_get("id")?;
    for role in new.roles {
        grant_unchecked(conn, id, *role, now).await?;
    }
    by_id(conn, id).await?.ok_or(StoreError::NotFound)
}

async fn grant_unchecked(
    conn: &mut Conn,
    user_id: i64,
    role: Role,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query("INSERT INTO user_roles (user_id, role, granted_at) VALUES ($1, $2, $3)")
        .bind(user_id)
        .bind(role.as_str())
        .bind(time::to_text(now))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Grants one more role; refuses a second separated administrator role (三员分立).
pub async fn grant_role(
    conn: &mut Conn,
    user_id: i64,
    role: Role,
    now: DateTime<Utc>,
) -> Result<()> {
    let mut roles = roles_of(conn, user_id).await?;
    if roles.contains(&role) {
        return Ok(());
    }
    roles.push(role);
    check_role_separation(&roles).map_err(|e| StoreError::Invalid(e.to_string()))?;
    grant_unchecked(conn, user_id, role, now).await
}

pub async fn by_username(conn: &mut Conn, username: &str) -> Result<Option<User>> {
    let row = sqlx::query(
        "SELECT id, username, display_name, org_id, home_province, password_hash, failed_logins,
                locked_until, disabled
         FROM users WHERE username = $1",
    )
    .bind(username)
    .fetch_optional(&mut *conn)
    .await?;
    match row {
        Some(row) => Ok(Some(from_row(conn, &row).await?)),
        None => Ok(None),
    }
}

pub async fn by_id(conn: &mut Conn, id: i64) -> Result<Option<User>> {
    let row = sqlx::query(
        "SELECT id, username, display_name, org_id, home_province, password_hash, failed_logins,
                locked_until, disabled
         FROM users WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    match row {
        Some(row) => Ok(Some(from_row(conn, &row).await?)),
        None => Ok(None),
    }
}

/// Counts a failed login; the `max_failures`-th failure locks the account for `lock_for`.
/// Returns whether the account is now locked.
pub async fn record_failed_login(
    conn: &mut Conn,
    user_id: i64,
    now: DateTime<Utc>,
    max_failures: i64,
    lock_for: Duration,
) -> Result<bool> {
    let row = sqlx::query(
        "UPDATE users SET failed_logins = failed_logins + 1 WHERE id = $1 RETURNING failed_logins",
    )
    .bind(user_id)
    .fetch_one(&mut *conn)
    .await?;
    let failures: i64 = row.try_get("failed_logins")?;
    if failures >= max_failures {
        sqlx::query("UPDATE users SET locked_until = $1, failed_logins = 0 WHERE id = $2")
            .bind(time::to_text(now + lock_for))
            .bind(user_id)
            .execute(&mut *conn)
            .await?;
        return Ok(true);
    }
    Ok(false)
}

pub async fn record_successful_login(conn: &mut Conn, user_id: i64) -> Result<()> {
    sqlx::query("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn set_password_hash(conn: &mut Conn, user_id: i64, hash: &str) -> Result<()> {
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(hash)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Which organisation kinds may hold a role: a county role belongs to a county bureau, a
/// province role to a provincial-level authority, and so on. The administrator roles may
/// sit in any organisation that runs an installation.
pub fn check_role_fits_org(role: Role, kind: crate::orgs::OrgKind) -> Result<(), String> {
    use crate::orgs::OrgKind as K;
    let ok = match role {
        Role::County => kind == K::County,
        Role::Province => matches!(kind, K::Province | K::PlanCity | K::Xpcc),
        Role::City => kind == K::City,
        Role::Ministry => kind == K::Ministry,
        Role::Expert => kind == K::ExpertPool,
        Role::Operator => kind == K::Operator,
        Role::Sysadmin | Role::Secadmin | Role::Auditor => {
            matches!(kind, K::Ministry | K::Province | K::PlanCity | K::Xpcc)
        }
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "角色「{}」不能设在{}（{}）",
            role.name_zh(),
            kind.name_zh(),
            kind.as_str()
        ))
    }
}
