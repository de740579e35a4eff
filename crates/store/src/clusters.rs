//! Clusters (集群): name, county, leading industry, tier.

use crate::{Conn, Result, Scope, time};
use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::any::AnyRow;

/// Tier of a cluster (SPEC §2: 培育库 → 省级集群 → 国家级集群).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tier {
    Candidate,
    Library,
    Provincial,
    National,
}

impl Tier {
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Candidate => "candidate",
            Tier::Library => "library",
            Tier::Provincial => "provincial",
            Tier::National => "national",
        }
    }
    pub fn parse(s: &str) -> Option<Tier> {
        [
            Tier::Candidate,
            Tier::Library,
            Tier::Provincial,
            Tier::National,
        ]
        .into_iter()
        .find(|t| t.as_str() == s)
    }
    pub fn name_zh(self) -> &'static str {
        match self {
            Tier::Candidate => "未入库",
            Tier::Library => "省级培育库",
            Tier::Provincial => "省级集群",
            Tier::National => "国家级中小企业特色产业集群",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cluster {
    pub id: i64,
    pub name: String,
    pub county_code: String,
    pub authority_code: String,
    pub leading_industry: String,
    pub industry_codes: Vec<String>,
    pub area_km2: Option<String>,
    pub tier: Tier,
}

#[derive(Debug, Clone)]
pub struct NewCluster<'a> {
    pub name: &'a str,
    pub county_code: &'a str,
    pub authority_code: &'a str,
    pub leading_industry: &'a str,
    pub industry_codes: &'a [String],
    pub area_km2: Option<&'a str>,
    pub tier: Tier,
}

fn from_row(row: &AnyRow) -> Result<Cluster> {
    let tier: String = row.try_get("tier")?;
    let codes: String = row.try_get("industry_codes")?;
    Ok(Cluster {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        county_code: row.try_get("county_code")?,
        authority_code: row.try_get("authority_code")?,
        leading_industry: row.try_get("leading_industry")?,
        industry_codes: codes
            .split(',')
            .filter(|c| !c.is_empty())
            .map(str::to_string)
            .collect(),
        area_km2: row.try_get("area_km2")?,
        tier: Tier::parse(&tier)
            .ok_or_else(|| crate::StoreError::Corrupt(format!("未知集群层级「{tier}」")))?,
    })
}

pub async fn insert(conn: &mut Conn, c: &NewCluster<'_>, now: DateTime<Utc>) -> Result<Cluster> {
    let row = sqlx::query(
        "INSERT INTO clusters (name, county_code, authority_code, leading_industry, industry_codes,
                               area_km2, tier, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         RETURNING id, name, county_code, authority_code, leading_industry, industry_codes, area_km2, tier",
    )
    .bind(c.name)
    .bind(c.county_code)
    .bind(c.authority_code)
    .bind(c.leading_industry)
    .bind(c.industry_codes.join(","))
    .bind(c.area_km2)
    .bind(c.tier.as_str())
    .bind(time::to_text(now))
    .fetch_one(&mut *conn)
    .await?;
    from_row(&row)
}

/// Clusters visible in `scope`, by county then name.
pub async fn list(conn: &mut Conn, scope: &Scope) -> Result<Vec<Cluster>> {
    let mut w = crate::Where::new();
    scope.restrict(&mut w, "authority_code", "county_code");
    let sql = format!(
        "SELECT id, name, county_code, authority_code, leading_industry, industry_codes, area_km2, tier
         FROM clusters {} ORDER BY county_code, name",
        w.sql()
    );
    let rows = w
        .bind(sqlx::query(sqlx::AssertSqlSafe(sql)))
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(from_row).collect()
}

/// One page of the clusters visible in `scope`, optionally of one authority and tier, by
/// county then name.
pub async fn list_page(
    conn: &mut Conn,
    scope: &Scope,
    authority_code: Option<&str>,
    tier: Option<Tier>,
    page: crate::PageReq,
) -> Result<crate::Paged<Cluster>> {
    let mut w = crate::Where::new();
    scope.restrict(&mut w, "authority_code", "county_code");
    if let Some(a) = authority_code {
        w.eq("authority_code", crate::Bind::Text(a.to_string()));
    }
    if let Some(t) = tier {
        w.eq("tier", crate::Bind::Text(t.as_str().to_string()));
    }
    crate::fetch_page(
        conn,
        "SELECT id, name, county_code, authority_code, leading_industry, industry_codes, area_km2, tier FROM clusters",
        &w,
        "county_code, name, id",
        page,
    )
    .await?
    .try_map(|r| from_row(&r))
}

/// One cluster, if it exists **and** is inside `scope` (otherwise `None`: another
/// jurisdiction's object answers 404, SPEC §1).
pub async fn get(conn: &mut Conn, scope: &Scope, id: i64) -> Result<Option<Cluster>> {
    let row = sqlx::query(
        "SELECT id, name, county_code, authority_code, leading_industry, industry_codes, area_km2, tier
         FROM clusters WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let c = from_row(&row)?;
    Ok(scope.allows(&c.authority_code, &c.county_code).then_some(c))
}
