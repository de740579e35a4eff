//! Batches (批次): a year's call for applications with its criteria edition, deadlines,
//! quotas and public-notice length. Every number here is a per-batch parameter taken from
//! that year's notice (reference/notices.md), never a constant.

use crate::applications::Actor;
use crate::{Conn, Result, Scope, StoreError, time};
use chrono::{DateTime, NaiveDate, Utc};
use jiqun_domain::division::AdminCode;
use jiqun_domain::jurisdiction::{AuthorityKind, authority_by_code, authority_for};
use jiqun_domain::role::Role;
use jiqun_domain::workflow::{Action, Level};
use sqlx::Row;
use sqlx::any::AnyRow;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    pub id: i64,
    /// `national` or `provincial`.
    pub level: String,
    pub owner_authority: Option<String>,
    pub year: i32,
    pub title: String,
    pub edition: String,
    pub first_batch: bool,
    pub county_deadline: Option<NaiveDate>,
    pub province_deadline: Option<NaiveDate>,
    /// Per province (2022: 5).
    pub quota_default: u32,
    /// Per 计划单列市 / 兵团 (2022: 3).
    pub quota_small: u32,
    /// Public notice length in working days (default 5).
    pub notice_days: u32,
    /// "MM-DD" of the year after the report year (第十六条: "04-30").
    pub annual_report_due: String,
    pub status: String,
    /// Provincial batches: county applications go to their 设区市 first (set with
    /// [`set_city_step`]).
    pub city_step: bool,
    /// How many applications each 设区市 may recommend (default 3).
    pub city_cap: u32,
}

impl Batch {
    /// Who runs this batch (see `jiqun_domain::workflow::Level`).
    pub fn workflow_level(&self) -> Level {
        if self.level == "provincial" {
            Level::Provincial {
                city_step: self.city_step,
            }
        } else {
            Level::National
        }
    }

    pub fn is_provincial(&self) -> bool {
        self.level == "provincial"
    }

    /// Whether a caller with `scope` may see this batch at all: a national batch is open to
    /// everyone; a provincial batch only to the ministry, its province and that province's
    /// cities and counties (SPEC §1: another province's batch answers 404).
    pub fn visible_to(&self, scope: &Scope) -> bool {
        if !self.is_provincial() {
            return true;
        }
        let owner = self.owner_authority.as_deref().unwrap_or("");
        match scope {
            Scope::National => true,
            Scope::Authority(code) => code == owner,
            Scope::County(code) | Scope::City(code) => AdminCode::parse(code)
                .ok()
                .and_then(|c| authority_for(&c))
                .is_some_and(|a| a.code == owner),
            Scope::Nothing => false,
        }
    }

    /// The name of whoever runs the re-review, experts, notice and publication.
    pub fn runner_zh(&self) -> String {
        match &self.owner_authority {
            Some(code) if self.is_provincial() => authority_by_code(code)
                .map_or_else(|| code.clone(), |a| format!("{}中小企业主管部门", a.name)),
            _ => Role::Ministry.name_zh().to_string(),
        }
    }
}

/// "昆明市" for `530100`, or the code when it is not in the reference data.
pub fn city_name(code: &str) -> String {
    AdminCode::parse(code).map_or_else(|_| code.to_string(), |c| c.full_name())
}

/// Checks that `actor` runs `batch`'s ministry-level steps (`what`): the ministry for a
/// national batch; for a provincial batch the owning province. A province that is not the
/// owner gets `NotFound` (it must not learn the batch exists); any other role is refused
/// by name.
pub fn require_runner(actor: &Actor, batch: &Batch, what: &str) -> Result<()> {
    if !batch.visible_to(&actor.scope) {
        return Err(StoreError::NotFound);
    }
    let role = Action::Receive.actor_at(batch.workflow_level());
    let ok = actor.roles.contains(&role)
        && match role {
            Role::Province => {
                matches!(&actor.scope, Scope::Authority(c) if Some(c) == batch.owner_authority.as_ref())
            }
            _ => true,
        };
    if ok {
        Ok(())
    } else {
        Err(StoreError::Refused(format!(
            "「{what}」只能由{}执行",
            batch.runner_zh()
        )))
    }
}

#[derive(Debug, Clone)]
pub struct NewBatch<'a> {
    pub level: &'a str,
    pub owner_authority: Option<&'a str>,
    pub year: i32,
    pub title: &'a str,
    pub edition: &'a str,
    pub first_batch: bool,
    pub county_deadline: Option<NaiveDate>,
    pub province_deadline: Option<NaiveDate>,
    pub quota_default: u32,
    pub quota_small: u32,
    pub notice_days: u32,
    pub annual_report_due: &'a str,
}

const COLUMNS: &str = "id, level, owner_authority, year, title, edition, first_batch, county_deadline, \
     province_deadline, quota_default, quota_small, notice_days, annual_report_due, status, city_step, \
     city_cap";

fn u32_col(row: &AnyRow, name: &str) -> Result<u32> {
    let v: i64 = row.try_get(name)?;
    u32::try_from(v).map_err(|_| StoreError::Corrupt(format!("{name} 超出范围：{v}")))
}

fn from_row(row: &AnyRow) -> Result<Batch> {
    let date = |name: &str| -> Result<Option<NaiveDate>> {
        let s: Option<String> = row.try_get(name)?;
        s.as_deref().map(time::date_from_text).transpose()
    };
    let year: i64 = row.try_get("year")?;
    let first: i64 = row.try_get("first_batch")?;
    Ok(Batch {
        id: row.try_get("id")?,
        level: row.try_get("level")?,
        owner_authority: row.try_get("owner_authority")?,
        year: i32::try_from(year)
            .map_err(|_| StoreError::Corrupt(format!("年份超出范围：{year}")))?,
        title: row.try_get("title")?,
        edition: row.try_get("edition")?,
        first_batch: first != 0,
        county_deadline: date("county_deadline")?,
        province_deadline: date("province_deadline")?,
        quota_default: u32_col(row, "quota_default")?,
        quota_small: u32_col(row, "quota_small")?,
        notice_days: u32_col(row, "notice_days")?,
        annual_report_due: row.try_get("annual_report_due")?,
        status: row.try_get("status")?,
        city_step: row.try_get::<i64, _>("city_step")? != 0,
        city_cap: u32_col(row, "city_cap")?,
    })
}

pub async fn insert(conn: &mut Conn, b: &NewBatch<'_>, now: DateTime<Utc>) -> Result<Batch> {
    if b.notice_days == 0 {
        return Err(StoreError::Invalid("公示期（工作日）至少为 1 天".into()));
    }
    let sql = format!(
        "INSERT INTO batches (level, owner_authority, year, title, edition, first_batch, county_deadline,
             province_deadline, quota_default, quota_small, notice_days, annual_report_due, status, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'open', $13) RETURNING {COLUMNS}"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(b.level)
        .bind(b.owner_authority)
        .bind(i64::from(b.year))
        .bind(b.title)
        .bind(b.edition)
        .bind(i64::from(b.first_batch))
        .bind(b.county_deadline.map(time::date_to_text))
        .bind(b.province_deadline.map(time::date_to_text))
        .bind(i64::from(b.quota_default))
        .bind(i64::from(b.quota_small))
        .bind(i64::from(b.notice_days))
        .bind(b.annual_report_due)
        .bind(time::to_text(now))
        .fetch_one(&mut *conn)
        .await?;
    from_row(&row)
}

pub async fn get(conn: &mut Conn, id: i64) -> Result<Option<Batch>> {
    let sql = format!("SELECT {COLUMNS} FROM batches WHERE id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// Turns the 设区市 recommendation step of a provincial batch on (`Some(cap)`: each city
/// recommends at most `cap`) or off (`None`). Refused for a national batch and for a cap
/// outside 1..=20.
pub async fn set_city_step(conn: &mut Conn, id: i64, cap: Option<u32>) -> Result<Batch> {
    let batch = get(conn, id).await?.ok_or(StoreError::NotFound)?;
    if !batch.is_provincial() {
        return Err(StoreError::Refused("设区市推荐环节只适用于省级批次".into()));
    }
    if let Some(n) = cap
        && !(1..=20).contains(&n)
    {
        return Err(StoreError::Invalid(format!(
            "「设区市推荐名额」{n} 应为 1 至 20 的整数"
        )));
    }
    sqlx::query("UPDATE batches SET city_step = $1, city_cap = $2 WHERE id = $3")
        .bind(i64::from(cap.is_some()))
        .bind(i64::from(cap.unwrap_or(batch.city_cap)))
        .bind(id)
        .execute(&mut *conn)
        .await?;
    get(conn, id).await?.ok_or(StoreError::NotFound)
}

/// All batches, newest first.
pub async fn list(conn: &mut Conn) -> Result<Vec<Batch>> {
    let sql = format!("SELECT {COLUMNS} FROM batches ORDER BY year DESC, id DESC");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(from_row).collect()
}

/// One page of all batches, newest first.
pub async fn list_page(conn: &mut Conn, page: crate::PageReq) -> Result<crate::Paged<Batch>> {
    let select = format!("SELECT {COLUMNS} FROM batches");
    crate::fetch_page(
        conn,
        &select,
        &crate::Where::new(),
        "year DESC, id DESC",
        page,
    )
    .await?
    .try_map(|r| from_row(&r))
}

/// Sets a quota for one authority, overriding the batch default.
pub async fn set_quota(
    conn: &mut Conn,
    batch_id: i64,
    authority_code: &str,
    quota: u32,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO batch_quotas (batch_id, authority_code, quota) VALUES ($1, $2, $3)
         ON CONFLICT (batch_id, authority_code) DO UPDATE SET quota = excluded.quota",
    )
    .bind(batch_id)
    .bind(authority_code)
    .bind(i64::from(quota))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The quota of one provincial-level authority in a batch: its own override, else the
/// batch default for its kind (provinces vs 计划单列市 and 兵团).
pub async fn quota_for(conn: &mut Conn, batch: &Batch, authority_code: &str) -> Result<u32> {
    let row =
        sqlx::query("SELECT quota FROM batch_quotas WHERE batch_id = $1 AND authority_code = $2")
            .bind(batch.id)
            .bind(authority_code)
            .fetch_optional(&mut *conn)
            .await?;
    if let Some(row) = row {
        return u32_col(&row, "quota");
    }
    let small = authority_by_code(authority_code)
        .is_some_and(|a| matches!(a.kind, AuthorityKind::PlanCity | AuthorityKind::Xpcc));
    Ok(if small {
        batch.quota_small
    } else {
        batch.quota_default
    })
}

/// Closes a batch: no more applications (e.g. once its list is published).
pub async fn close(conn: &mut Conn, id: i64) -> Result<()> {
    let done = sqlx::query("UPDATE batches SET status = 'closed' WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    if done.rows_affected() == 1 {
        Ok(())
    } else {
        Err(StoreError::NotFound)
    }
}
