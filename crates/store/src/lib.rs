//! jiqun-store: the one storage code path for SQLite and PostgreSQL.
//!
//! The backend is chosen at run time from the URL (`sqlite://…` or `postgres://…`), as
//! vaultwarden does; queries go through sqlx's `Any` driver with `$N` placeholders, which
//! both engines accept. The few statements that differ by dialect are isolated in
//! [`dialect`]. Values cross the boundary as the types `Any` carries everywhere: `i64`,
//! `String` and `Vec<u8>`; timestamps are RFC 3339 text, money is decimal text.

pub mod applications;
pub mod attachments;
pub mod audit;
pub mod batches;
pub mod clusters;
pub mod dialect;
pub mod dynamic;
pub mod experts;
pub mod jobs;
pub mod library_figures;
pub mod migrate;
pub mod monitoring;
pub mod notices;
pub mod notifications;
pub mod orgs;
pub mod outreach;
pub mod recognitions;
pub mod reference;
pub mod reviews;
pub mod sessions;
pub mod testing;
pub mod tiers;
pub mod time;
pub mod tokens;
pub mod users;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Transaction};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

pub use sqlx::Any;
pub type Tx = Transaction<'static, Any>;
pub type Conn = sqlx::AnyConnection;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Result<Backend, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::Config(format!(
                "不支持的数据库地址「{}」：请使用 sqlite:// 或 postgres:// 开头的地址",
                redact_url(url)
            )))
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// Hides the password of a database URL, so it can be logged.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("数据库配置错误：{0}")]
    Config(String),
    #[error("数据库错误：{0}")]
    Db(#[source] sqlx::Error),
    #[error("记录不存在")]
    NotFound,
    #[error("记录已存在：{0}")]
    Conflict(String),
    #[error("{0}")]
    Invalid(String),
    #[error("数据库迁移失败：{0}")]
    Migration(String),
    /// A rule refused the operation; the message says which and what to do.
    #[error("{0}")]
    Refused(String),
    #[error("数据损坏：{0}")]
    Corrupt(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                StoreError::Conflict(db.message().to_string())
            }
            _ => StoreError::Db(e),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Whose objects a caller may see (SPEC §1: every read and write is scoped server-side).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// MIIT: everything.
    National,
    /// A provincial-level authority (province, 计划单列市 or XPCC), by its code.
    Authority(String),
    /// A county bureau, by its GB/T 2260 county code.
    County(String),
    /// A 设区市 bureau, by its prefecture's GB/T 2260 code (`xxyy00`): the counties under it
    /// (their codes share the prefecture's first four digits, GB/T 2260).
    City(String),
    /// Nothing (e.g. the administrator roles, which manage accounts, not clusters).
    Nothing,
}

impl Scope {
    /// Whose objects a user with these roles in this organisation may see (SPEC §1): the
    /// ministry everything; a province its authority; a county bureau (a county organisation)
    /// its county; a 设区市 bureau (a city organisation) its prefecture; anyone else nothing.
    /// Checked in that order, whatever the order of `roles`.
    pub fn for_user(roles: &[jiqun_domain::role::Role], org: &orgs::Org) -> Scope {
        use jiqun_domain::role::Role;
        use orgs::OrgKind;
        if roles.contains(&Role::Ministry) {
            return Scope::National;
        }
        if roles.contains(&Role::Province)
            && let Some(code) = &org.authority_code
        {
            return Scope::Authority(code.clone());
        }
        if roles.contains(&Role::County)
            && org.kind == OrgKind::County
            && let Some(code) = &org.division_code
        {
            return Scope::County(code.clone());
        }
        if roles.contains(&Role::City)
            && org.kind == OrgKind::City
            && let Some(code) = &org.division_code
        {
            return Scope::City(code.clone());
        }
        Scope::Nothing
    }

    /// Adds this scope's condition over the given columns to `w`. Column names are code,
    /// never input.
    pub fn restrict(&self, w: &mut Where, authority_col: &str, county_col: &str) {
        match self {
            Scope::National => {}
            Scope::Authority(code) => w.eq(authority_col, Bind::Text(code.clone())),
            Scope::County(code) => w.eq(county_col, Bind::Text(code.clone())),
            Scope::City(code) => w.prefix(county_col, city_prefix(code)),
            Scope::Nothing => w.raw("1 = 0"),
        }
    }

    pub fn allows(&self, authority_code: &str, county_code: &str) -> bool {
        match self {
            Scope::National => true,
            Scope::Authority(code) => code == authority_code,
            Scope::County(code) => code == county_code,
            Scope::City(code) => {
                county_code != code.as_str() && county_code.starts_with(city_prefix(code))
            }
            Scope::Nothing => false,
        }
    }
}

/// The first four digits of a prefecture code (`530100` → `5301`); a code too short to be
/// one matches nothing.
pub(crate) fn city_prefix(code: &str) -> &str {
    code.get(..4)
        .filter(|p| p.bytes().all(|b| b.is_ascii_digit()))
        .unwrap_or("-")
}

/// A value for a dynamically built query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bind {
    Int(i64),
    Text(String),
}

/// A `WHERE` clause built from conditions with numbered placeholders, and their values.
#[derive(Debug, Default, Clone)]
pub struct Where {
    conds: Vec<String>,
    binds: Vec<Bind>,
}

impl Where {
    pub fn new() -> Where {
        Where::default()
    }

    /// `column = $n`.
    pub fn eq(&mut self, column: &str, value: Bind) {
        self.binds.push(value);
        self.conds.push(format!("{column} = ${}", self.binds.len()));
    }

    /// `column LIKE 'prefix%'`; `prefix` is digits (a division code's leading part).
    pub fn prefix(&mut self, column: &str, prefix: &str) {
        self.binds.push(Bind::Text(format!("{prefix}%")));
        self.conds
            .push(format!("{column} LIKE ${}", self.binds.len()));
    }

    /// A fixed condition without values.
    pub fn raw(&mut self, cond: &'static str) {
        self.conds.push(cond.to_string());
    }

    /// `WHERE …` (or nothing when there is no condition).
    pub fn sql(&self) -> String {
        if self.conds.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", self.conds.join(" AND "))
        }
    }

    /// Binds the values, in order, to a query built from [`Where::sql`].
    pub fn bind<'q>(
        &self,
        mut q: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments>,
    ) -> sqlx::query::Query<'q, Any, sqlx::any::AnyArguments> {
        for b in &self.binds {
            q = match b {
                Bind::Int(i) => q.bind(*i),
                Bind::Text(t) => q.bind(t.clone()),
            };
        }
        q
    }
}

/// One page of a list (docs/api.md): `page` counts from 1, `per_page` rows per page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageReq {
    pub page: i64,
    pub per_page: i64,
}

impl PageReq {
    pub const DEFAULT_PER_PAGE: i64 = 50;
    pub const MAX_PER_PAGE: i64 = 200;
    /// The highest page number accepted (keeps `OFFSET` far from overflow).
    pub const MAX_PAGE: i64 = 1_000_000;

    pub fn first(per_page: i64) -> PageReq {
        PageReq { page: 1, per_page }
    }

    /// Rows skipped before this page.
    pub fn offset(self) -> i64 {
        (self.page.max(1) - 1).saturating_mul(self.per_page.max(0))
    }
}

impl Default for PageReq {
    fn default() -> Self {
        PageReq::first(PageReq::DEFAULT_PER_PAGE)
    }
}

/// One page of rows and the number of rows on all pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub total: i64,
}

impl<T> Paged<T> {
    /// Converts the rows, keeping the total.
    pub fn try_map<U>(self, f: impl FnMut(T) -> Result<U>) -> Result<Paged<U>> {
        Ok(Paged {
            items: self.items.into_iter().map(f).collect::<Result<Vec<U>>>()?,
            total: self.total,
        })
    }
}

/// The one pagination query of the store, the same SQL on both engines:
/// `SELECT COUNT(*) FROM (<select> <where>)` for the total, then
/// `<select> <where> ORDER BY <order_by> LIMIT n OFFSET m` for the page. `select` and
/// `order_by` are code, never input; every value is bound through `w`.
pub async fn fetch_page(
    conn: &mut Conn,
    select: &str,
    w: &Where,
    order_by: &str,
    page: PageReq,
) -> Result<Paged<sqlx::any::AnyRow>> {
    use sqlx::Row;
    let count_sql = format!("SELECT COUNT(*) AS n FROM ({select} {}) AS t", w.sql());
    let total: i64 = w
        .bind(sqlx::query(sqlx::AssertSqlSafe(count_sql)))
        .fetch_one(&mut *conn)
        .await?
        .try_get("n")?;
    let sql = format!(
        "{select} {} ORDER BY {order_by} LIMIT {} OFFSET {}",
        w.sql(),
        page.per_page.max(0),
        page.offset()
    );
    let items = w
        .bind(sqlx::query(sqlx::AssertSqlSafe(sql)))
        .fetch_all(&mut *conn)
        .await?;
    Ok(Paged { items, total })
}

/// A connection pool on one backend.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
}

impl Db {
    /// Connects to `url`. For SQLite the file is created if missing.
    pub async fn connect(url: &str) -> Result<Db> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url)?;
        let options = AnyConnectOptions::from_str(url).map_err(|e| {
            StoreError::Config(format!("无法解析数据库地址「{}」：{e}", redact_url(url)))
        })?;
        let pool = AnyPoolOptions::new()
            .max_connections(match backend {
                Backend::Sqlite => 8,
                Backend::Postgres => 16,
            })
            .acquire_timeout(Duration::from_secs(15))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        for pragma in dialect::SQLITE_PRAGMAS {
                            sqlx::raw_sql(*pragma).execute(&mut *conn).await?;
                        }
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .map_err(|e| {
                StoreError::Config(format!("无法连接数据库「{}」：{e}", redact_url(url)))
            })?;
        Ok(Db { pool, backend })
    }

    /// The SQLite URL of a database file (created when first connected).
    pub fn sqlite_url(path: &Path) -> String {
        format!("sqlite://{}?mode=rwc", path.display())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Starts a read-write transaction. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so two writers queue on the busy timeout instead of failing
    /// when a read lock would have to be upgraded.
    pub async fn begin(&self) -> Result<Tx> {
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(tx)
    }

    pub async fn acquire(&self) -> Result<sqlx::pool::PoolConnection<Any>> {
        Ok(self.pool.acquire().await?)
    }

    /// Brings the planner's statistics and PostgreSQL's visibility map up to date after a
    /// bulk write (a data load, a large backfill): `VACUUM (ANALYZE)` on PostgreSQL. The
    /// dashboard's aggregations are index-only scans over `indicator_values`; with a stale
    /// visibility map each row costs a heap fetch, and with statistics from before the load
    /// the planner picks nested loops (docs/performance.md: 1.75 s and 17.5 s before,
    /// 0.65 s and 0.17 s after). Autovacuum does the same in time; this does it now.
    ///
    /// SQLite: nothing (returns `false`). Its planner runs without `ANALYZE` statistics, the
    /// SQLite figures in docs/performance.md were measured that way, and the one query that
    /// needs a particular index names it (`dialect::indexed_by`).
    pub async fn refresh_statistics(&self) -> Result<bool> {
        match self.backend {
            Backend::Sqlite => Ok(false),
            Backend::Postgres => {
                // Simple protocol on a pooled connection outside any transaction: VACUUM
                // cannot run inside a transaction block.
                let mut conn = self.pool.acquire().await?;
                sqlx::raw_sql("VACUUM (ANALYZE)")
                    .execute(&mut *conn)
                    .await?;
                Ok(true)
            }
        }
    }

    /// Settings of the database server that make jiqun slow or unsafe to run, each as a
    /// Chinese sentence saying what to change; logged at start (`jiqun serve`, `migrate`).
    /// Empty on SQLite.
    pub async fn server_warnings(&self) -> Result<Vec<String>> {
        let mut out = Vec::new();
        if self.backend == Backend::Postgres {
            let autovacuum: String =
                sqlx::query_scalar("SELECT setting FROM pg_settings WHERE name = 'autovacuum'")
                    .fetch_one(&self.pool)
                    .await?;
            if autovacuum != "on" {
                out.push(
                    "PostgreSQL 的 autovacuum 已关闭：统计信息和可见性映射不会自动更新，仪表盘和列表会越来越慢。\
                     请在 postgresql.conf 中设置 autovacuum = on，或定期执行 vacuumdb --analyze（见 docs/operations.md）"
                        .to_string(),
                );
            }
        }
        Ok(out)
    }

    /// `SELECT 1`, for `/readyz`.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// A consistent copy of a SQLite database, taken while it is in use (`VACUUM INTO` reads
/// one snapshot; writers carry on in the WAL). PostgreSQL is backed up with `pg_dump`.
pub async fn backup_sqlite(db: &Db, out: &Path) -> Result<()> {
    if db.backend() != Backend::Sqlite {
        return Err(StoreError::Invalid(
            "只有 SQLite 数据库可以用 jiqun backup 备份；PostgreSQL 请使用 pg_dump".into(),
        ));
    }
    let path = out.to_str().ok_or_else(|| {
        StoreError::Invalid(format!("备份路径 {} 含无法识别的字符", out.display()))
    })?;
    sqlx::query("VACUUM INTO $1")
        .bind(path)
        .execute(&db.pool)
        .await?;
    Ok(())
}

#[cfg(test)]
mod scope_tests {
    use super::Scope;
    use crate::orgs::{Org, OrgKind};
    use jiqun_domain::role::Role;

    fn org(kind: OrgKind, division: Option<&str>, authority: Option<&str>) -> Org {
        Org {
            id: 1,
            code: "X".into(),
            name: "机构".into(),
            kind,
            division_code: division.map(str::to_string),
            authority_code: authority.map(str::to_string),
        }
    }

    #[test]
    fn a_user_s_scope_follows_role_and_organisation() {
        let county = org(OrgKind::County, Some("330782"), Some("330000"));
        let city = org(OrgKind::City, Some("530100"), Some("530000"));
        let province = org(OrgKind::Province, Some("330000"), Some("330000"));
        assert_eq!(
            Scope::for_user(&[Role::County], &county),
            Scope::County("330782".into())
        );
        // A county role only counts in a county organisation, a city role in a city one.
        assert_eq!(Scope::for_user(&[Role::County], &city), Scope::Nothing);
        assert_eq!(
            Scope::for_user(&[Role::City], &city),
            Scope::City("530100".into())
        );
        assert_eq!(Scope::for_user(&[Role::City], &county), Scope::Nothing);
        assert_eq!(
            Scope::for_user(&[Role::Province], &province),
            Scope::Authority("330000".into())
        );
        assert_eq!(
            Scope::for_user(&[Role::Province], &org(OrgKind::Province, None, None)),
            Scope::Nothing
        );
        // The ministry wins whatever the order of the roles.
        assert_eq!(
            Scope::for_user(&[Role::County, Role::Ministry], &county),
            Scope::National
        );
        assert_eq!(Scope::for_user(&[Role::Expert], &county), Scope::Nothing);
        assert_eq!(Scope::for_user(&[], &county), Scope::Nothing);
    }
}
